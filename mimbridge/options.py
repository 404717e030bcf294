"""Option parsing shared by every front end (``-O key=value`` on the command line).

>>> option_pairs(["profile=sosa"])
{'profile': 'sosa'}
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

__all__ = ["option_pairs"]


def option_pairs(pairs: Sequence[str]) -> dict[str, Any]:
    """``-O key=value`` pairs as keyword options (every subcommand parses them so).

    Values are JSON when they parse (numbers, true, lists, objects), else the
    string; dashes in keys become underscores. ValueError for a pair without ``=``.

    >>> option_pairs(["profile=sosa", "source.bbox=[5,52,6,53]", "blank-nodes=true"])
    {'profile': 'sosa', 'source.bbox': [5, 52, 6, 53], 'blank_nodes': True}
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"-O expects key=value, got {pair!r}")
        try:
            out[key.strip().replace("-", "_")] = json.loads(value)
        except ValueError:
            out[key.strip().replace("-", "_")] = value
    return out
