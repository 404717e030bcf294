"""The known-loss table: what a round trip through a format loses on purpose, and why.

:data:`TABLE` is ``mimbridge/losses.tsv`` (columns ``source``, ``via``, ``option``,
``pointer``, ``lost``, ``why``). A row says that a ``source -> via -> source`` round
trip (``via`` written with ``option``; glob patterns, ``*`` = any) may change what is
at ``pointer`` (a glob over the JSON pointers the invariant compares, ``-`` = nothing
beyond what the report says) without an event, because of ``why``. Every registered
format has at least one row; ``docs/losses.md`` is :func:`render` of the table.

>>> row = accepted("sta", "ngsi-ld-keyvalues", {}, "/urn:ngsi-ld:sta:Collection:_1")
>>> row.via
'ngsi-ld-keyvalues'
>>> accepted("ngsi-ld", "ngsi-ld", {}, "/a") is None
True
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

__all__ = ["TABLE", "Loss", "accepted", "formats_named", "render"]


@dataclass(frozen=True, slots=True)
class Loss:
    """One row of the known-loss table."""

    source: str
    via: str
    option: str
    pointer: str
    lost: str
    why: str

    def applies(self, source: str, via: str, options: Mapping[str, Any]) -> bool:
        """True when the row is about this round trip (``option`` is ``key=value``, or empty for any)."""
        if not (fnmatchcase(source, self.source) and fnmatchcase(via, self.via)):
            return False
        if not self.option:
            return True
        key, _, value = self.option.partition("=")
        return str(options.get(key)) == value


def _load() -> tuple[Loss, ...]:
    path = Path(__file__).with_name("losses.tsv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["source"] and not r["source"].startswith("#")]
    return tuple(Loss(**{k: (v or "").strip() for k, v in r.items()}) for r in rows)


#: the rows of ``losses.tsv``
TABLE: tuple[Loss, ...] = _load()


def accepted(source: str, via: str, options: Mapping[str, Any], pointer: str) -> Loss | None:
    """The row that accepts a change at ``pointer`` in this round trip, or None."""
    for row in TABLE:
        if row.pointer != "-" and row.applies(source, via, options) and fnmatchcase(pointer, row.pointer):
            return row
    return None


def formats_named() -> set[str]:
    """Format names the table names literally (as source or via)."""
    return {n for row in TABLE for n in (row.source, row.via) if not any(c in n for c in "*?[")}


def render() -> str:
    """The table as the Markdown page ``docs/losses.md``."""
    head = ["# Known losses", "",
            "What a round trip `source -> via -> source` changes on purpose, with no event in the report "
            "(everything else it changes is reported; the all-pairs invariant test checks both). Generated "
            "from `mimbridge/losses.tsv`; `*` matches any format, pointers are globs over the compared "
            "document (`-`: nothing beyond the report).", "",
            "| source | via | option | pointer | what is lost | why |", "|---|---|---|---|---|---|"]
    body = [f"| {r.source} | {r.via} | {r.option or 'any'} | `{r.pointer}` | {r.lost} | {r.why} |"
            for r in TABLE]
    return "\n".join(head + body) + "\n"
