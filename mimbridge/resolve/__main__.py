"""``python -m mimbridge.resolve resolve|load|serve ...``."""

import sys

from .commands import main

sys.exit(main())
