"""The known-loss table: what a round trip through a format loses on purpose, and why.

:data:`TABLE` is ``mimbridge/losses.tsv`` (columns ``source``, ``via``, ``option``,
``pointer``, ``lost``, ``why``). A row says that a ``source -> via -> source`` round
trip (``via`` written with ``option``; glob patterns, ``*`` = any, ``|`` between
alternatives) may change what is at ``pointer`` (a glob over the JSON pointers the invariant compares, ``-`` = nothing
beyond what the report says) without an event, because of ``why``. Every registered
format has at least one row; ``docs/losses.md`` is :func:`render` of the table.

>>> row = accepted("ngsi-ld", "sta", {}, "/urn:ngsi-ld:sta:Collection:_1")
>>> row.lost.split(" (")[0]
'a document that is not one SensorThings entity tree comes back inside a collection envelope'
>>> accepted("ngsi-ld", "ngsi-ld", {}, "/a") is None
True
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

__all__ = ["CI_EXAMPLES", "LONG_EXAMPLES", "TABLE", "Loss", "accepted", "formats_named", "pointer_matches",
           "render", "round_trip_pairs"]


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
        if not (_one_of(source, self.source) and _one_of(via, self.via)):
            return False
        if not self.option:
            return True
        key, _, value = self.option.partition("=")
        return str(options.get(key)) == value


def _one_of(name: str, globs: str) -> bool:
    return any(fnmatchcase(name, g.strip()) for g in globs.split("|"))


def _load() -> tuple[Loss, ...]:
    path = Path(__file__).with_name("losses.tsv")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["source"] and not r["source"].startswith("#")]
    return tuple(Loss(**{k: (v or "").strip() for k, v in r.items()}) for r in rows)


#: the rows of ``losses.tsv``
TABLE: tuple[Loss, ...] = _load()


def _pattern(glob: str) -> re.Pattern[str]:
    """A pointer glob: ``*`` matches within one segment, ``**`` across segments."""
    parts = re.split(r"(\*\*|\*|\?)", glob)
    rx = "".join({"**": ".*", "*": "[^/]*", "?": "[^/]"}.get(p, re.escape(p)) for p in parts)
    return re.compile(rx + r"\Z")


def pointer_matches(glob: str, pointer: str) -> bool:
    """True when ``pointer`` matches the pointer glob (``*`` one segment, ``**`` any).

    >>> pointer_matches("/*", "/urn:x"), pointer_matches("/*", "/urn:x/a"), pointer_matches("/**/a%2*", "/0/a%20b")
    (True, False, True)
    """
    return _pattern(glob).match(pointer) is not None


def accepted(source: str, via: str, options: Mapping[str, Any], pointer: str) -> Loss | None:
    """The row that accepts a change at ``pointer`` in this round trip, or None."""
    for row in TABLE:
        if row.pointer != "-" and row.applies(source, via, options) and pointer_matches(row.pointer, pointer):
            return row
    return None


def formats_named() -> set[str]:
    """Format names the table names literally (as source or via)."""
    return {n.strip() for row in TABLE for names in (row.source, row.via) for n in names.split("|")
            if not any(c in n for c in "*?[")}


def render() -> str:
    """The table as the Markdown page ``docs/losses.md``."""
    head = ["# Known losses", "",
            "What a round trip `source -> via -> source` changes on purpose, with no event in the report "
            "(everything else it changes is reported; the all-pairs invariant test checks both). Generated "
            "from `mimbridge/losses.tsv`; `*` matches any format; pointers are globs over the compared "
            "document, where `*` stays within one segment and `**` crosses them (`-`: nothing beyond the "
            "report). Documents other than NGSI-LD JSON are compared through their NGSI-LD reading, "
            "entities by id.", "",
            "| source | via | option | pointer | what is lost | why |", "|---|---|---|---|---|---|"]
    def cell(text: str) -> str:
        return text.replace("|", " \\| ")

    body = [f"| {cell(r.source)} | {cell(r.via)} | {r.option or 'any'} | `{r.pointer}` | {cell(r.lost)} | "
            f"{cell(r.why)} |" for r in TABLE]
    return "\n".join(head + body + _coverage()) + "\n"


def round_trip_pairs() -> list[tuple[str, str, dict[str, Any]]]:
    """Every ``(source, via, via options)`` the invariant covers: formats that read and write, each option variant.

    >>> ("sta", "turtle", {"profile": "sosa"}) in round_trip_pairs()
    True
    """
    from . import registry

    formats = [n for n in registry.available() if registry.get(n).capabilities.read and
               registry.get(n).capabilities.write]
    return [(a, x, opts) for a in formats for x in formats for opts in registry.get(x).variants()]


def _coverage() -> list[str]:
    pairs = round_trip_pairs()
    sources = sorted({a for a, _, _ in pairs})
    return ["", "## Coverage", "",
            f"`tests/test_all_pairs.py` checks {len(pairs)} round trips: {len(sources)} formats that read and "
            f"write, each through every one of them with each option variant that changes what the format "
            f"carries ({len(pairs) // len(sources)} (format, option) pairs per source). In CI "
            f"(`MIMBRIDGE_HYPOTHESIS=ci`) every pair is given at least {CI_EXAMPLES} distinct generated documents "
            f"(NGSI-LD entities, SensorThings trees, GeoJSON collections, converted into the source format), "
            f"the same ones on every run, and must compare at least half of them (the others refused on purpose); "
            f"`long` gives {LONG_EXAMPLES} random ones. One test per source format generates each document once "
            f"and checks it against all of the source's pairs. {CI_TIME}", "",
            "Open problems (pairs that break the invariant today) are listed in the test with their reason and "
            "run as expected failures."]


#: examples per pair of the test's ``ci`` and ``long`` profiles, and what the ``ci`` run of the test takes
CI_EXAMPLES = 200
LONG_EXAMPLES = 2000
CI_TIME = ("The whole test module (generated documents and corpus) takes about 6 minutes of one core in CI "
           "configuration (344 s of CPU, measured on a shared 2-core machine); before, 25 examples per pair took as "
           "long, because every pair generated its own documents.")
