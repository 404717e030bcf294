"""SSSOM mapping sets in memory: ``Problem``, ``Mapping``, ``MappingSet`` (apply, invert, compose)."""


from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from ...errors import MappingError
from ...report import Approximated, ConversionReport, Unresolved
from .vocab import (
    BROAD,
    BUILTIN_PREFIXES,
    CLOSE,
    EXACT,
    INVERSE_KIND,
    NARROW,
    NO_TERM,
    PREDICATES,
    RELATED,
    SKOS,
    SKOS_OF_KIND,
    STRENGTH,
)

__all__ = ["Mapping", "MappingSet", "Problem"]

REQUIRED_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")
# Columns whose subject/object meaning swaps when a mapping is inverted.
SWAP = ("id", "label", "category", "type", "source", "source_version", "match_field", "preprocessing")
PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of :func:`check`: where (file line, data row, column) and what.

    >>> str(Problem("missing mapping_justification", line=7, row=2, column="mapping_justification"))
    'line 7 (row 2), mapping_justification: missing mapping_justification'
    """

    message: str
    line: int | None = None
    row: int | None = None
    column: str | None = None
    level: str = "error"

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}" + (f" (row {self.row})" if self.row is not None else ""))
        elif self.row is not None:
            where.append(f"row {self.row}")
        else:
            where.append("metadata")
        if self.column:
            where.append(self.column)
        warn = "warning: " if self.level == "warning" else ""
        return f"{', '.join(where)}: {warn}{self.message}"


@dataclass(slots=True)
class Mapping:
    """One mapping row: slot name -> value (``str``, ``float`` for doubles, ``list`` for multivalued).

    ``line`` is the line of the file the row starts on (``None`` when built in memory).

    >>> m = Mapping({"subject_id": "a:1", "predicate_id": "skos:exactMatch", "object_id": "b:1",
    ...              "mapping_justification": "semapv:ManualMappingCuration"})
    >>> m.subject_id, m.negated
    ('a:1', False)
    """

    values: dict[str, Any]
    line: int | None = None

    @property
    def subject_id(self) -> str:
        return self.values.get("subject_id", "")

    @property
    def predicate_id(self) -> str:
        return self.values.get("predicate_id", "")

    @property
    def object_id(self) -> str:
        return self.values.get("object_id", "")

    @property
    def mapping_justification(self) -> str:
        return self.values.get("mapping_justification", "")

    @property
    def negated(self) -> bool:
        """True for ``predicate_modifier: Not`` (the mapping states a non-match)."""
        return self.values.get("predicate_modifier") == "Not"


class MappingSet:
    """A mapping set: metadata, ``curie_map`` and mappings, with the operations on them."""

    def __init__(self, mappings: list[Mapping] | None = None, *, curie_map: dict[str, str] | None = None,
                 metadata: dict[str, Any] | None = None, columns: list[str] | None = None) -> None:
        self.mappings: list[Mapping] = list(mappings or [])
        self.curie_map: dict[str, str] = dict(curie_map or {})
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.columns: list[str] = list(columns or [])
        self.header_line: int | None = None  # line of the TSV header row, when read from text
        self._index: dict[str, list[tuple[Mapping, str]]] | None = None
        self._indexed = -1

    def __len__(self) -> int:
        return len(self.mappings)

    def __repr__(self) -> str:
        return f"<MappingSet {self.mapping_set_id or '?'} mappings={len(self.mappings)}>"

    @property
    def mapping_set_id(self) -> str | None:
        return self.metadata.get("mapping_set_id")

    # -- identifiers -------------------------------------------------------------------------
    @property
    def prefixes(self) -> dict[str, str]:
        """Declared prefixes plus the SSSOM built-ins (declared ones win)."""
        return {**BUILTIN_PREFIXES, **self.curie_map}

    def expand(self, value: str) -> str:
        """Expand a CURIE with the prefix map; IRIs and unknown prefixes pass unchanged.

        >>> MappingSet(curie_map={"ex": "https://ex.org/"}).expand("ex:a")
        'https://ex.org/a'
        """
        prefix, sep, local = value.partition(":")
        if sep and not local.startswith("//"):
            ns = self.prefixes.get(prefix)
            if ns is not None:
                return ns + local
        return value

    def compress(self, iri: str) -> str:
        """Shorten an IRI to a CURIE with the longest matching namespace (or return it).

        >>> MappingSet(curie_map={"ex": "https://ex.org/"}).compress("https://ex.org/a")
        'ex:a'
        """
        best = ""
        for prefix, ns in self.prefixes.items():
            if iri.startswith(ns) and len(ns) > len(self.prefixes.get(best, "")):
                best = prefix
        return f"{best}:{iri[len(self.prefixes[best]):]}" if best else iri

    # -- apply ---------------------------------------------------------------------------------
    def reindex(self) -> None:
        """Rebuild the look-up index (needed only after editing ``mappings`` in place)."""
        index: dict[str, list[tuple[Mapping, str]]] = {}
        for m in self.mappings:
            kind = PREDICATES.get(self.expand(m.predicate_id))
            s, o = self.expand(m.subject_id), self.expand(m.object_id)
            if kind is None or m.negated or s in NO_TERM or o in NO_TERM or not s or not o:
                continue
            # (mapping, direction): "f" translates subject -> object, "b" object -> subject.
            if kind in (EXACT, CLOSE, RELATED):
                index.setdefault(s, []).append((m, "f"))
                index.setdefault(o, []).append((m, "b"))
            elif kind == BROAD:
                index.setdefault(s, []).append((m, "f"))
            else:  # NARROW: the subject is the broader term
                index.setdefault(o, []).append((m, "b"))
        self._index, self._indexed = index, len(self.mappings)

    def candidates(self, term: str, *, allow_close: bool = False) -> list[tuple[str, Mapping]]:
        """All translations of ``term`` as (expanded target IRI, mapping), strongest first.

        >>> ms = MappingSet([Mapping({"subject_id": "ex:a", "predicate_id": "skos:broadMatch",
        ...     "object_id": "ex:b", "mapping_justification": "semapv:ManualMappingCuration"})],
        ...     curie_map={"ex": "https://ex.org/"})
        >>> [t for t, _ in ms.candidates("ex:a")], ms.candidates("ex:b")
        (['https://ex.org/b'], [])
        """
        if self._index is None or self._indexed != len(self.mappings):
            self.reindex()
        assert self._index is not None
        out = []
        for m, direction in self._index.get(self.expand(term), []):
            kind = PREDICATES[self.expand(m.predicate_id)]
            if kind in (CLOSE, RELATED) and not allow_close:
                continue
            target = self.expand(m.object_id if direction == "f" else m.subject_id)
            conf = m.values.get("confidence")
            out.append((-STRENGTH[kind], -(conf if isinstance(conf, float) else 1.0), target, m))
        out.sort(key=lambda t: t[:2])  # stable: file order among equals
        return [(target, m) for _, _, target, m in out]

    def apply(self, term: str, *, allow_close: bool = False, report: ConversionReport | None = None,
              path: str = "") -> str | None:
        """Translate ``term`` (CURIE or IRI; the answer has the same form) through the set.

        Exact matches translate both ways; broad/narrow matches translate only towards
        the broader term and add an ``Approximated`` event; close/related matches are
        used only with ``allow_close=True`` and are always reported. ``None`` (with an
        ``Unresolved`` event) when nothing applies; :class:`MappingError` when two exact
        mappings disagree.

        >>> ms = MappingSet([Mapping({"subject_id": "ex:pm25", "predicate_id": "skos:broadMatch",
        ...     "object_id": "ex:pm", "mapping_justification": "semapv:ManualMappingCuration"})],
        ...     curie_map={"ex": "https://ex.org/"})
        >>> r = ConversionReport()
        >>> ms.apply("ex:pm25", report=r, path="/0/pm25"), r.events[0].kind
        ('ex:pm', 'Approximated')
        """
        found = self.candidates(term, allow_close=allow_close)
        as_iri = "://" in term or term.startswith("urn:")
        if not found:
            if report is not None:
                close = not allow_close and self.candidates(term, allow_close=True)
                report.add(Unresolved, path, f"no mapping for {term} in {self.mapping_set_id or 'mapping set'}",
                           remedy="allow close matches (allow_close=True) or add an exact mapping" if close
                           else "add a row to the mapping table")
            return None
        target, best = found[0]
        kind = PREDICATES[self.expand(best.predicate_id)]
        if kind == EXACT:
            others = {t for t, m in found if PREDICATES[self.expand(m.predicate_id)] == EXACT} - {target}
            if others:
                raise MappingError(f"{term} has conflicting exact mappings: {sorted({target, *others})}")
        elif report is not None:
            where = f" (line {best.line})" if best.line else ""
            report.add(Approximated, path,
                       f"{term} translated through {best.predicate_id}{where} of "
                       f"{self.mapping_set_id or 'mapping set'}, not an exact match",
                       remedy="add an exact mapping to the table if one exists")
        return target if as_iri else self.compress(target)

    # -- invert / chain --------------------------------------------------------------------------
    def invert(self) -> MappingSet:
        """The set read the other way: subjects and objects swapped, broad <-> narrow.

        >>> ms = MappingSet([Mapping({"subject_id": "ex:a", "predicate_id": "skos:broadMatch",
        ...     "object_id": "ex:b", "mapping_justification": "semapv:ManualMappingCuration"})])
        >>> m = ms.invert().mappings[0]
        >>> m.subject_id, m.predicate_id, m.object_id, m.mapping_justification
        ('ex:b', 'skos:narrowMatch', 'ex:a', 'semapv:MappingInversion')
        """
        out = []
        for m in self.mappings:
            values = _swap(m.values)
            pred = self.expand(m.predicate_id)
            kind = PREDICATES.get(pred)
            if kind is None:
                raise MappingError(f"cannot invert unknown predicate {m.predicate_id}")
            if kind in (BROAD, NARROW):
                values["predicate_id"] = "skos:" + SKOS_OF_KIND[INVERSE_KIND[kind]]
                values.pop("predicate_label", None)
            values["mapping_justification"] = "semapv:MappingInversion"
            if "mapping_cardinality" in values:
                values["mapping_cardinality"] = ":".join(reversed(values["mapping_cardinality"].split(":")))
            out.append(Mapping(values))
        meta = _swap(self.metadata)
        meta["mapping_set_id"] = _derived_id("inverse", self.mapping_set_id or "")
        return MappingSet(out, curie_map=self.curie_map, metadata=meta, columns=_swap_columns(self.columns))

    def chain(self, other: MappingSet, *, mapping_set_id: str | None = None) -> MappingSet:
        """Compose A->B (this set) with B->C (``other``) into A->C.

        The predicate of a chained mapping is the weaker of the two (exact with X
        gives X); broad with narrow, or close with broad/narrow, gives relatedMatch.
        Confidences multiply. Negated and no-term rows do not chain.

        >>> ab = MappingSet([Mapping({"subject_id": "a:1", "predicate_id": "skos:exactMatch",
        ...     "object_id": "b:1", "mapping_justification": "semapv:ManualMappingCuration"})],
        ...     curie_map={"a": "https://a.org/", "b": "https://b.org/"})
        >>> bc = MappingSet([Mapping({"subject_id": "b:1", "predicate_id": "skos:broadMatch",
        ...     "object_id": "c:9", "mapping_justification": "semapv:ManualMappingCuration"})],
        ...     curie_map={"b": "https://b.org/", "c": "https://c.org/"})
        >>> m = ab.chain(bc).mappings[0]
        >>> m.subject_id, m.predicate_id, m.object_id
        ('a:1', 'skos:broadMatch', 'c:9')
        """
        prefixes = dict(self.curie_map)
        for p, ns in other.curie_map.items():
            if prefixes.setdefault(p, ns) != ns:
                raise MappingError(f"cannot chain: prefix {p!r} means {prefixes[p]} and {ns}")
        result = MappingSet(curie_map=prefixes)
        by_subject: dict[str, list[Mapping]] = {}
        for m in other.mappings:
            if _usable(other, m):
                by_subject.setdefault(other.expand(m.subject_id), []).append(m)
        seen: set[tuple[str, str, str]] = set()
        for m1 in self.mappings:
            if not _usable(self, m1):
                continue
            for m2 in by_subject.get(self.expand(m1.object_id), []):
                p1, p2 = self.expand(m1.predicate_id), other.expand(m2.predicate_id)
                pred = p1 if p1 == p2 else SKOS + SKOS_OF_KIND[_compose(PREDICATES[p1], PREDICATES[p2])]
                s, o = self.expand(m1.subject_id), other.expand(m2.object_id)
                if (s, pred, o) in seen or s == o:
                    continue
                seen.add((s, pred, o))
                values: dict[str, Any] = {
                    "subject_id": result.compress(s), "predicate_id": result.compress(pred),
                    "object_id": result.compress(o), "mapping_justification": "semapv:MappingChaining"}
                for key in ("subject_label", "subject_category", "subject_type", "subject_source"):
                    if key in m1.values:
                        values[key] = m1.values[key]
                for key in ("object_label", "object_category", "object_type", "object_source"):
                    if key in m2.values:
                        values[key] = m2.values[key]
                c1, c2 = m1.values.get("confidence"), m2.values.get("confidence")
                if isinstance(c1, float) or isinstance(c2, float):
                    values["confidence"] = (c1 if isinstance(c1, float) else 1.0) * (
                        c2 if isinstance(c2, float) else 1.0)
                result.mappings.append(Mapping(values))
        result.metadata = {"mapping_set_id": mapping_set_id or _derived_id(
            "chain", f"{self.mapping_set_id}|{other.mapping_set_id}")}
        for key in ("license",):
            if self.metadata.get(key) and self.metadata.get(key) == other.metadata.get(key):
                result.metadata[key] = self.metadata[key]
        return result


def _usable(ms: MappingSet, m: Mapping) -> bool:
    return (not m.negated and ms.expand(m.predicate_id) in PREDICATES
            and ms.expand(m.subject_id) not in NO_TERM and ms.expand(m.object_id) not in NO_TERM)


def _compose(k1: str, k2: str) -> str:
    if k1 == EXACT:
        return k2
    if k2 == EXACT or k1 == k2:
        return k1
    return RELATED


def _swap(values: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in values.items():
        for part in SWAP:
            if key == f"subject_{part}":
                key = f"object_{part}"
                break
            if key == f"object_{part}":
                key = f"subject_{part}"
                break
        out[key] = value
    return out


def _swap_columns(columns: list[str]) -> list[str]:
    return [next(iter(_swap({c: None}))) for c in columns]


def _derived_id(kind: str, seed: str) -> str:
    return f"urn:mimbridge:mapping-set:{kind}:{hashlib.sha256(seed.encode()).hexdigest()[:16]}"


# --- reading -----------------------------------------------------------------------------------
