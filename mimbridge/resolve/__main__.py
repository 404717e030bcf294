"""Deprecated entry point: ``python -m mimbridge.resolve CMD ...`` runs ``mimbridge CMD ...``.

Use the ``mimbridge`` command (``mimbridge resolve|load|serve``) or ``python -m mimbridge``.
"""

import runpy
import sys
import warnings

warnings.warn("python -m mimbridge.resolve is deprecated: use the mimbridge command (mimbridge resolve, load, "
              "serve) or python -m mimbridge", DeprecationWarning, stacklevel=1)
sys.argv[0] = "mimbridge"
runpy.run_module("mimbridge", run_name="__main__", alter_sys=True)
