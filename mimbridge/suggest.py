"""Did you mean ...? The nearest of a set of names to a misspelt one (difflib).

>>> nearest("ngsi-ld-keyvalue", ["ngsi-ld", "ngsi-ld-keyvalues", "turtle"])
'ngsi-ld-keyvalues'
>>> did_you_mean("profil", ["profile", "base"])
"; did you mean 'profile'?"
>>> did_you_mean("zzz", ["profile", "base"])
''
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean", "nearest"]


def nearest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice closest to ``word`` (case-insensitive, dashes and underscores alike), or None if none is close."""
    def norm(s: str) -> str:
        return s.lower().replace("_", "-")

    by_norm: dict[str, str] = {}
    for c in choices:
        by_norm.setdefault(norm(c), c)
    hits = difflib.get_close_matches(norm(word), list(by_norm), n=1, cutoff=cutoff)
    return by_norm[hits[0]] if hits else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the nearest choice, or ``""``."""
    hit = nearest(word, choices)
    return f"; did you mean {hit!r}?" if hit is not None and hit != word else ""
