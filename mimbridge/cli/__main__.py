"""``python -m mimbridge.cli ...``: the same as the ``mimbridge`` command."""

import sys

from . import main

sys.exit(main())
