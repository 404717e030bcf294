"""``python -m mimbridge.resolve resolve|load|serve ...``."""

import sys

from ..cli.resolver import main

sys.exit(main())
