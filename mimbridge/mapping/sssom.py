"""SSSOM/TSV mapping tables: read, write, check, invert, chain and apply.

An SSSOM/TSV file is a YAML metadata block whose lines start with ``#``
(``curie_map``, ``mapping_set_id``, ``license``, ``extension_definitions``...)
followed by a tab-separated table, one mapping per row (``subject_id``,
``predicate_id``, ``object_id``, ``mapping_justification``...). The metadata
may also sit in a separate ``<name>.sssom.yml`` file.

Predicates are read by strength: ``skos:exactMatch`` and the OWL
equivalences translate both ways without loss; ``skos:broadMatch`` (and
``rdfs:subClassOf``/``subPropertyOf``) translate from the subject to its
broader object, ``skos:narrowMatch`` from the object to its broader subject,
both reported as :class:`~mimbridge.report.Approximated`; ``skos:closeMatch``
and ``skos:relatedMatch`` are used only when the caller allows it, and are
always reported.

>>> ms = parse_sssom("\\n".join([
...     "# curie_map:",
...     "#   sdm: https://smartdatamodels.org/dataModel.Environment/",
...     "#   sosa: http://www.w3.org/ns/sosa/",
...     "# mapping_set_id: https://example.org/demo.sssom.tsv",
...     "subject_id\\tpredicate_id\\tobject_id\\tmapping_justification",
...     "sdm:temperature\\tskos:exactMatch\\tsosa:Temperature\\tsemapv:ManualMappingCuration"]))
>>> ms.apply("sdm:temperature")
'sosa:Temperature'
>>> ms.apply("http://www.w3.org/ns/sosa/Temperature")
'https://smartdatamodels.org/dataModel.Environment/temperature'
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import MappingError
from ..report import Approximated, ConversionReport, Unresolved
from ._sssom_vocab import (
    BROAD,
    BUILTIN_PREFIXES,
    CLOSE,
    DOUBLES,
    ENTITY_REFERENCES,
    EXACT,
    INVERSE_KIND,
    JUSTIFICATIONS,
    MAPPING_SLOTS,
    MULTIVALUED,
    NARROW,
    NO_TERM,
    PREDICATES,
    RELATED,
    SET_SLOTS,
    SKOS,
    SKOS_OF_KIND,
    STRENGTH,
)

__all__ = [
    "BUILTIN_PREFIXES",
    "DOUBLES",
    "ENTITY_REFERENCES",
    "JUSTIFICATIONS",
    "MAPPING_SLOTS",
    "MULTIVALUED",
    "PREDICATES",
    "SET_SLOTS",
    "Mapping",
    "MappingSet",
    "Problem",
    "check",
    "parse_sssom",
    "read_sssom",
    "write_sssom",
]

REQUIRED_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")
# Columns whose subject/object meaning swaps when a mapping is inverted.
_SWAP = ("id", "label", "category", "type", "source", "source_version", "match_field", "preprocessing")
_PREFIX = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


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

    # -- validation ------------------------------------------------------------------------------
    def check(self) -> list[Problem]:
        """Problems of this set (see :func:`check`)."""
        return _check_set(self, [])

    def to_tsv(self) -> str:
        """SSSOM/TSV text with the metadata embedded (see :func:`write_sssom`)."""
        return write_sssom(self)


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
        for part in _SWAP:
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

def _split_header(text: str) -> tuple[str, str, int]:
    """Return (YAML text, TSV text, number of header lines)."""
    lines = text.splitlines(keepends=True)
    n = 0
    while n < len(lines) and lines[n].startswith("#"):
        n += 1
    yaml_text = textwrap.dedent("".join(line[1:] for line in lines[:n]))
    return yaml_text, "".join(lines[n:]), n


def _typed(column: str, raw: str) -> Any:
    if column in MULTIVALUED:
        return [v.strip() for v in raw.split("|") if v.strip()]
    if column in DOUBLES:
        try:
            return float(raw)
        except ValueError:
            return raw  # reported by check()
    return raw


def _parse(text: str, metadata: dict[str, Any] | None, problems: list[Problem] | None,
           ) -> MappingSet:
    def fail(message: str, line: int | None = None, row: int | None = None, column: str | None = None) -> None:
        if problems is None:
            raise MappingError(str(Problem(message, line, row, column)))
        problems.append(Problem(message, line, row, column))

    yaml_text, tsv_text, offset = _split_header(text.lstrip("\ufeff"))
    meta: dict[str, Any] = dict(metadata or {})
    if yaml_text.strip():
        try:
            embedded = yaml.safe_load(yaml_text)
        except yaml.YAMLError as exc:
            embedded = None
            mark = getattr(exc, "problem_mark", None)
            fail(f"metadata header is not valid YAML ({getattr(exc, 'problem', None) or 'syntax error'})",
                 min(mark.line + 1, offset) if mark else 1)
        if embedded is not None and not isinstance(embedded, dict):
            fail("metadata header is not a YAML mapping", 1)
        elif embedded:
            meta.update(embedded)
    curie_map = meta.pop("curie_map", None) or {}
    if not isinstance(curie_map, dict):
        fail("curie_map must be a mapping of prefix to IRI", 1, column="curie_map")
        curie_map = {}
    curie_map = {str(k): str(v) for k, v in curie_map.items()}
    reader = csv.reader(io.StringIO(tsv_text), delimiter="\t")
    columns: list[str] = []
    mappings: list[Mapping] = []
    header_line: int | None = None
    start = 1
    for cells in reader:
        line = offset + start
        start = reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if not columns:
            columns = [c.strip() for c in cells]
            header_line = line
            continue
        row = len(mappings) + 1
        if len(cells) > len(columns):
            fail(f"{len(cells)} cells but {len(columns)} columns", line, row)
        values = {c: _typed(c, v) for c, v in zip(columns, cells, strict=False) if v != ""}
        mappings.append(Mapping(values, line))
    if not columns:
        fail("no TSV header row", offset + 1)
    ms = MappingSet(mappings, curie_map=curie_map, metadata=meta, columns=columns)
    ms.header_line = header_line
    return ms


def _load_metadata(metadata: dict[str, Any] | str | os.PathLike | None) -> dict[str, Any] | None:
    if metadata is None or isinstance(metadata, dict):
        return metadata
    data = yaml.safe_load(Path(metadata).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise MappingError(f"{metadata}: metadata file is not a YAML mapping")
    return data


def parse_sssom(text: str, *, metadata: dict[str, Any] | str | os.PathLike | None = None) -> MappingSet:
    """Parse SSSOM/TSV text; ``metadata`` (dict or YAML file) is merged under the embedded header.

    Raises :class:`MappingError` on a structural error (use :func:`check` for a full list).

    >>> len(parse_sssom("subject_id\\tpredicate_id\\tobject_id\\tmapping_justification\\n"))
    0
    """
    return _parse(text, _load_metadata(metadata), None)


def _external_metadata(path: Path) -> Path | None:
    name = path.name
    for suffix in (".sssom.tsv", ".tsv"):
        if name.endswith(suffix):
            for ext in (".sssom.yml", ".sssom.yaml", ".yml", ".yaml"):
                candidate = path.with_name(name[: -len(suffix)] + ext)
                if candidate.is_file():
                    return candidate
    return None


def read_sssom(path: str | os.PathLike, *, metadata: dict[str, Any] | str | os.PathLike | None = None,
               ) -> MappingSet:
    """Read an SSSOM/TSV file. Without embedded metadata and without ``metadata``, a
    sibling ``<name>.sssom.yml`` file is used when present (SSSOM's external metadata).

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     f = pathlib.Path(d) / "t.sssom.tsv"
    ...     _ = f.write_text("subject_id\\tpredicate_id\\tobject_id\\tmapping_justification\\n"
    ...                      "ex:a\\tskos:exactMatch\\tex:b\\tsemapv:LexicalMatching\\n")
    ...     _ = (pathlib.Path(d) / "t.sssom.yml").write_text("mapping_set_id: https://ex.org/t\\n"
    ...                                                     "curie_map: {ex: 'https://ex.org/'}\\n")
    ...     read_sssom(f).apply("https://ex.org/a")
    'https://ex.org/b'
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if metadata is None and not text.startswith("#"):
        metadata = _external_metadata(p)
    return parse_sssom(text, metadata=metadata)


# --- writing -----------------------------------------------------------------------------------

def _cell(value: Any) -> str:
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_sssom(ms: MappingSet, path: str | os.PathLike | None = None) -> str:
    """Serialise ``ms`` as SSSOM/TSV with an embedded YAML header; also write it to ``path``.

    Columns keep the order they were read in; new columns follow in schema order,
    then extension columns. Prefixes used but not declared (SSSOM built-ins) are added.

    >>> ms = MappingSet([Mapping({"subject_id": "ex:a", "predicate_id": "skos:exactMatch",
    ...     "object_id": "ex:b", "mapping_justification": "semapv:ManualMappingCuration"})],
    ...     curie_map={"ex": "https://ex.org/"}, metadata={"mapping_set_id": "https://ex.org/set"})
    >>> print(write_sssom(ms))  # doctest: +NORMALIZE_WHITESPACE
    # curie_map:
    #   ex: https://ex.org/
    #   semapv: https://w3id.org/semapv/vocab/
    #   skos: http://www.w3.org/2004/02/skos/core#
    # mapping_set_id: https://ex.org/set
    subject_id	predicate_id	object_id	mapping_justification
    ex:a	skos:exactMatch	ex:b	semapv:ManualMappingCuration
    """
    used = set()
    for m in ms.mappings:
        for col in ENTITY_REFERENCES & m.values.keys():
            vals = m.values[col] if isinstance(m.values[col], list) else [m.values[col]]
            used.update(str(v).partition(":")[0] for v in vals)
    curie_map = dict(ms.curie_map)
    for p in sorted(used & BUILTIN_PREFIXES.keys()):
        curie_map.setdefault(p, BUILTIN_PREFIXES[p])
    meta = {"curie_map": dict(sorted(curie_map.items())), **ms.metadata}
    header = yaml.safe_dump(meta, sort_keys=True, allow_unicode=True, default_flow_style=False, width=100)
    out = io.StringIO()
    out.write("".join(f"# {line}\n" for line in header.splitlines()))
    present: list[str] = []
    for m in ms.mappings:
        present.extend(k for k in m.values if k not in present)
    columns = [c for c in ms.columns if c in present or c in REQUIRED_COLUMNS]
    extra = [c for c in present if c not in columns]
    columns += [c for c in MAPPING_SLOTS if c in extra] + [c for c in extra if c not in MAPPING_SLOTS]
    if not columns:
        columns = list(REQUIRED_COLUMNS)
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(columns)
    for m in ms.mappings:
        writer.writerow([_cell(m.values[c]) if c in m.values else "" for c in columns])
    text = out.getvalue()
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


# --- checking ----------------------------------------------------------------------------------

def check(table: MappingSet | str | os.PathLike, *,
          metadata: dict[str, Any] | str | os.PathLike | None = None) -> list[Problem]:
    """Check an SSSOM/TSV table (a path, SSSOM/TSV text, or a parsed :class:`MappingSet`).

    Finds: unreadable header or rows, missing required columns, undeclared extension
    columns, CURIEs whose prefix is not declared, unknown predicates and justifications,
    missing justifications, duplicate rows, conflicting exact mappings and cycles of
    broad/narrow mappings. Each problem names its line and row.

    >>> head = "# mapping_set_id: https://ex.org/s\\n# license: https://ex.org/cc0\\n# curie_map: {ex: 'https://ex.org/'}\\n"
    >>> cols = "subject_id\\tpredicate_id\\tobject_id\\tmapping_justification\\n"
    >>> [str(p) for p in check(head + cols + "ex:a\\tskos:exactMatch\\tzz:b\\tsemapv:LexicalMatching\\n")]
    ["line 5 (row 1), object_id: undeclared prefix 'zz' in 'zz:b'"]
    """
    if isinstance(table, MappingSet):
        return _check_set(table, [])
    problems: list[Problem] = []
    if isinstance(table, str) and ("\n" in table or "\t" in table):
        text = table
        meta = _load_metadata(metadata)
    else:
        p = Path(table)
        text = p.read_text(encoding="utf-8")
        if metadata is None and not text.startswith("#"):
            metadata = _external_metadata(p)
        meta = _load_metadata(metadata)
    ms = _parse(text, meta, problems)
    return _check_set(ms, problems)


def _check_set(ms: MappingSet, problems: list[Problem]) -> list[Problem]:
    def add(message: str, m: Mapping | None = None, row: int | None = None, column: str | None = None,
            level: str = "error", line: int | None = None) -> None:
        problems.append(Problem(message, m.line if m else line, row, column, level))

    # metadata
    for key in ms.metadata:
        if key not in SET_SLOTS:
            add(f"unknown metadata key {key!r}", column=key)
    set_id = ms.metadata.get("mapping_set_id")
    if not set_id:
        add("mapping_set_id is required", column="mapping_set_id")
    elif not _is_iri(str(set_id)):
        add(f"mapping_set_id {set_id!r} is not an absolute IRI", column="mapping_set_id")
    if not ms.metadata.get("license"):
        add("no license: users cannot know whether they may reuse the table", column="license",
            level="warning")
    for prefix, ns in ms.curie_map.items():
        if not _PREFIX.match(prefix) or not _is_iri(ns):
            add(f"bad curie_map entry {prefix!r}: {ns!r}", column="curie_map")
    ext = ms.metadata.get("extension_definitions") or []
    declared_ext = {e.get("slot_name") for e in ext if isinstance(e, dict)}
    for key in ("subject_source", "object_source", "creator_id", "mapping_tool_id"):
        for v in _as_list(ms.metadata.get(key)):
            msg = _curie_problem(ms, str(v))
            if msg:
                add(msg, column=key)
    # columns
    for col in REQUIRED_COLUMNS:
        if ms.columns and col not in ms.columns:
            add(f"required column {col!r} is missing", column=col, line=ms.header_line)
    for col in ms.columns:
        if col not in MAPPING_SLOTS and col not in declared_ext:
            add(f"column {col!r} is neither an SSSOM slot nor declared in extension_definitions",
                column=col, line=ms.header_line)
    if len(set(ms.columns)) != len(ms.columns):
        add("a column name appears twice", line=ms.header_line)
    # rows
    exact_of: dict[tuple[str, str], list[tuple[int, Mapping, str]]] = {}
    seen: dict[tuple[str, str, str, bool], int] = {}
    edges: dict[str, list[tuple[str, int, Mapping]]] = {}
    for row, m in enumerate(ms.mappings, 1):
        for col in ("subject_id", "predicate_id", "object_id"):
            if not m.values.get(col):
                add(f"{col} is empty", m, row, col)
        if not m.mapping_justification:
            add("missing mapping_justification", m, row, "mapping_justification")
        elif ms.expand(m.mapping_justification) not in JUSTIFICATIONS:
            add(f"unknown mapping_justification {m.mapping_justification!r}", m, row, "mapping_justification")
        for col in sorted(ENTITY_REFERENCES & m.values.keys()):
            for v in _as_list(m.values[col]):
                msg = _curie_problem(ms, str(v))
                if msg:
                    add(msg, m, row, col)
        pred = ms.expand(m.predicate_id)
        kind = PREDICATES.get(pred)
        if m.predicate_id and kind is None:
            add(f"unknown predicate {m.predicate_id!r}", m, row, "predicate_id")
        if "predicate_modifier" in m.values and m.values["predicate_modifier"] != "Not":
            add("predicate_modifier must be 'Not'", m, row, "predicate_modifier")
        for col in DOUBLES & m.values.keys():
            v = m.values[col]
            if not isinstance(v, float) or not 0.0 <= v <= 1.0:
                add(f"{col} must be a number from 0 to 1, not {v!r}", m, row, col)
        s, o = ms.expand(m.subject_id), ms.expand(m.object_id)
        key = (s, pred, o, m.negated)
        if key in seen:
            add(f"duplicate of row {seen[key]}", m, row)
            continue
        seen[key] = row
        if not s or not o or kind is None or m.negated or s in NO_TERM or o in NO_TERM:
            continue
        if s == o and kind != EXACT:
            add(f"{m.subject_id} is mapped to itself", m, row)
        if kind == EXACT:
            exact_of.setdefault(("subject", s), []).append((row, m, o))
            exact_of.setdefault(("object", o), []).append((row, m, s))
        elif kind == BROAD:
            edges.setdefault(s, []).append((o, row, m))
        elif kind == NARROW:
            edges.setdefault(o, []).append((s, row, m))
    for (side, term), hits in exact_of.items():
        targets = {t for _, _, t in hits}
        if len(targets) > 1:
            rows = ", ".join(str(r) for r, _, _ in hits)
            other = "objects" if side == "subject" else "subjects"
            # One subject, two exact objects: a translation cannot choose. One object, two exact
            # subjects: the subjects would be equivalent (n:1); reverse translation cannot choose.
            add(f"conflict: {side} {ms.compress(term)} has exact matches to {len(targets)} different "
                f"{other} (rows {rows})", hits[-1][1], hits[-1][0],
                level="error" if side == "subject" else "warning")
    for cycle in _cycles(edges):
        rows = ", ".join(str(r) for _, r, _ in cycle)
        names = " < ".join(ms.compress(t) for t in [*(t for t, _, _ in cycle), cycle[0][0]])
        add(f"cycle of broader/narrower mappings (rows {rows}): {names}; use exactMatch if the terms are "
            "equivalent", cycle[0][2], cycle[0][1])
    return problems


def _cycles(edges: dict[str, list[tuple[str, int, Mapping]]]) -> list[list[tuple[str, int, Mapping]]]:
    """Cycles found by depth-first search, one per back edge, as (term, row, mapping) per step."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []
    via: list[tuple[int, Mapping]] = []  # via[i]: the edge from path[i] to path[i + 1]
    found: list[list[tuple[str, int, Mapping]]] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target, row, m in edges.get(node, []):
            if state.get(target) == 1:
                i = path.index(target)
                steps = [*via[i:], (row, m)]
                found.append([(n, r, mm) for n, (r, mm) in zip(path[i:], steps, strict=True)])
            elif target not in state:
                via.append((row, m))
                visit(target)
                via.pop()
        path.pop()
        state[node] = 2

    for node in list(edges):
        if node not in state:
            visit(node)
    return found


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _is_iri(value: str) -> bool:
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$", value)) and (
        "://" in value or value.startswith(("urn:", "mailto:", "tag:")))


def _curie_problem(ms: MappingSet, value: str) -> str | None:
    prefix, sep, _ = value.partition(":")
    if not sep:
        return f"{value!r} is neither a CURIE nor an IRI"
    if prefix in ms.prefixes or _is_iri(value):
        return None
    return f"undeclared prefix {prefix!r} in {value!r}"
