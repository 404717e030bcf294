"""``python -m mimbridge ...``: the same as the ``mimbridge`` command."""

import sys

from .cli import main

sys.exit(main())
