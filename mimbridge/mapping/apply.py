"""Apply an SSSOM/TSV mapping table to a graph: rename types and attributes.

:func:`apply_mapping` walks a :class:`~mimbridge.model.Graph` and translates,
through a :class:`~mimbridge.mapping.sssom.MappingSet`, every

* entity type (``Node.types``),
* attribute name, nested attributes included (the expanded IRIs the model
  keys attributes by; writers compact them with the output ``@context``, so
  a term the context does not define is written as its full IRI),
* relationship object type (the NGSI-LD ``objectType`` member of a
  Relationship, when it is an absolute IRI).

Values are never touched. ``direction="forward"`` translates subjects to
objects, ``"inverse"`` objects to subjects. Within a direction the predicate
decides: ``skos:exactMatch`` and the OWL equivalences translate silently;
``skos:broadMatch`` (subject narrower) translates forward only and
``skos:narrowMatch`` inverse only, each occurrence reported as
:class:`~mimbridge.report.Approximated`; ``skos:closeMatch`` /
``skos:relatedMatch`` translate only with ``allow_close=True`` and are always
reported. Terms without a mapping stay as they are (reported as
:class:`~mimbridge.report.Unresolved` only with ``report_unmapped=True``).

>>> from mimbridge.model import Attr, Graph, Kind, Node
>>> from mimbridge.mapping.sssom import parse_sssom
>>> ms = parse_sssom("# curie_map: {ex: 'https://ex.org/', qk: 'http://qudt.org/vocab/quantitykind/'}\\n"
...     "# mapping_set_id: https://ex.org/set\\n"
...     "subject_id\\tpredicate_id\\tobject_id\\tmapping_justification\\n"
...     "ex:temperature\\tskos:exactMatch\\tqk:Temperature\\tsemapv:ManualMappingCuration\\n")
>>> g = Graph([Node("urn:ngsi-ld:Room:1", ["https://ex.org/Room"],
...                 {"https://ex.org/temperature": [Attr(Kind.PROPERTY, 21.5)]})])
>>> out = apply_mapping(g, ms)
>>> list(out.nodes[0].attrs)
['http://qudt.org/vocab/quantitykind/Temperature']
>>> list(apply_mapping(out, ms, direction="inverse").nodes[0].attrs)
['https://ex.org/temperature']
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from ..errors import MappingError
from ..model import NGSI_LD, Attr, Graph
from ..report import Approximated, ConversionReport, Unresolved
from .sssom import Mapping, MappingSet, read_sssom
from .sssom.vocab import CLOSE, EXACT, NO_TERM, PREDICATES, RELATED

__all__ = [
    "Translation",
    "apply_mapping",
    "graph_terms",
    "load_table",
    "shipped_tables",
    "translate",
]

Direction = Literal["forward", "inverse"]
SHIPPED_PACKAGE = "mimbridge.mappings"
#: columns a table must have to be read as SSSOM/TSV
_SSSOM_COLUMNS = ("subject_id", "predicate_id", "object_id")
_DEFAULT_CONTEXT = NGSI_LD + "default-context/"


# -- loading ------------------------------------------------------------------------------------

def _shipped_dirs() -> Iterator[Any]:
    """Where shipped tables live: the package ``mimbridge.mappings``, then ``mappings/`` of a checkout."""
    try:
        yield resources.files(SHIPPED_PACKAGE)
    except (ModuleNotFoundError, TypeError):
        pass
    yield Path(__file__).resolve().parent.parent.parent / "mappings"


def shipped_tables() -> list[str]:
    """Names of the SSSOM/TSV tables shipped with mimbridge (file names without ``.sssom.tsv``).

    >>> "sta-sosa" in shipped_tables()
    True
    """
    names: set[str] = set()
    for folder in _shipped_dirs():
        try:
            entries = list(folder.iterdir())
        except (FileNotFoundError, NotADirectoryError, OSError):
            continue
        names.update(e.name[: -len(".sssom.tsv")] for e in entries if e.name.endswith(".sssom.tsv"))
    return sorted(names)


def shipped_text(name: str) -> str | None:
    candidates = [name] if name.endswith(".tsv") else [name + ".sssom.tsv", name + ".tsv", name]
    for folder in _shipped_dirs():
        for candidate in candidates:
            entry = folder.joinpath(candidate)
            try:
                if entry.is_file():
                    return entry.read_text(encoding="utf-8")
            except OSError:
                continue
    return None


def load_table(value: MappingSet | str | os.PathLike) -> MappingSet:
    """A :class:`MappingSet` from a MappingSet, a path to an SSSOM/TSV file, or a shipped table name.

    A name is looked up in the package ``mimbridge.mappings`` (the top-level
    ``mappings/`` folder of a checkout), with or without ``.sssom.tsv``.
    Raises :class:`~mimbridge.errors.MappingError` when nothing matches or the
    file is not an SSSOM table.

    >>> load_table("sta-sosa").mapping_set_id
    'urn:mimbridge:mapping-set:sta-sosa'
    """
    if isinstance(value, MappingSet):
        return value
    if isinstance(value, os.PathLike) or (isinstance(value, str) and Path(value).is_file()):
        path = Path(value)
        if not path.is_file():
            raise MappingError(f"mapping table {path} not found")
        ms, where = read_sssom(path), str(path)
    elif isinstance(value, str):
        from .sssom import parse_sssom

        text = shipped_text(value)
        if text is None:
            raise MappingError(f"no mapping table {value!r}: not a file, and not a shipped table "
                               f"(shipped: {', '.join(shipped_tables()) or 'none'})")
        ms, where = parse_sssom(text), value
    else:
        raise TypeError(f"mapping table must be a MappingSet, a path or a shipped name, not {type(value).__name__}")
    missing = [c for c in _SSSOM_COLUMNS if c not in ms.columns]
    if missing:
        raise MappingError(f"{where} is not an SSSOM/TSV table: no {', '.join(missing)} column")
    return ms


# -- translating one term -------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, slots=True)
class Translation:
    """One term translated: the target IRI, the row used and its strength (``exact``, ``broad``...)."""

    source: str
    target: str
    mapping: Mapping
    kind: str

    @property
    def exact(self) -> bool:
        """True for a loss-free translation (exact match or OWL equivalence)."""
        return self.kind == EXACT


def translate(table: MappingSet, term: str, *, direction: Direction = "forward",
              allow_close: bool = False) -> Translation | None:
    """Translate one term (CURIE or IRI) in one direction; ``None`` when no row applies.

    Raises :class:`~mimbridge.errors.MappingError` when two exact rows give different targets.

    >>> ms = load_table("sta-sosa")
    >>> translate(ms, "urn:mimbridge:sta:Observation").target
    'http://www.w3.org/ns/sosa/Observation'
    >>> translate(ms, "urn:mimbridge:sta:Observation", direction="inverse") is None
    True
    >>> translate(ms, "urn:mimbridge:sta:Thing", allow_close=True).kind
    'close'
    """
    if direction not in ("forward", "inverse"):
        raise ValueError(f"direction must be 'forward' or 'inverse', not {direction!r}")
    side = "subject_id" if direction == "forward" else "object_id"
    expanded = table.expand(term)
    found = [(t, m) for t, m in table.candidates(term, allow_close=allow_close)
             if table.expand(m.values.get(side, "")) == expanded]
    if not found:
        return None
    target, best = found[0]
    kind = PREDICATES[table.expand(best.predicate_id)]
    if kind == EXACT:
        rivals = sorted({(t, m.line) for t, m in found[1:]
                         if PREDICATES[table.expand(m.predicate_id)] == EXACT and t != target})
        if rivals:
            lines = ", ".join(str(line) for line in [best.line, *(r[1] for r in rivals)] if line)
            raise MappingError(f"{table.compress(expanded)} has conflicting exact mappings "
                               f"({', '.join(table.compress(t) for t in [target, *(r[0] for r in rivals)])})"
                               + (f" on lines {lines}" if lines else ""))
    return Translation(expanded, target, best, kind)


def _no_term_row(table: MappingSet, term: str, side: str) -> Mapping | None:
    for m in table.mappings:
        if table.expand(m.values.get(side, "")) == term and not m.negated:
            other = "object_id" if side == "subject_id" else "subject_id"
            if table.expand(m.values.get(other, "")) in NO_TERM:
                return m
    return None


class _Translator:
    """Cached term translation with the reporting of one :func:`apply_mapping` call."""

    def __init__(self, table: MappingSet, direction: Direction, allow_close: bool,
                 report: ConversionReport | None, report_unmapped: bool) -> None:
        self.table = table
        self.direction = direction
        self.allow_close = allow_close
        self.report = report
        self.report_unmapped = report_unmapped
        self.cache: dict[str, Translation | None] = {}
        self.name = table.mapping_set_id or "the mapping table"

    def lookup(self, term: str) -> Translation | None:
        """The translation of ``term`` (cached), without reporting."""
        if term in self.cache:
            return self.cache[term]
        tr = self.cache[term] = translate(self.table, term, direction=self.direction,
                                          allow_close=self.allow_close)
        return tr

    def note(self, term: str, tr: Translation | None, path: str) -> str:
        """Report the translation of ``term`` at ``path`` (applied) and return the new term."""
        if tr is None:
            if self.report is not None and self.report_unmapped and reportable(term):
                self._unmapped(term, path)
            return term
        if not tr.exact and self.report is not None:
            row = f" (line {tr.mapping.line})" if tr.mapping.line else ""
            remedy = ("close and related matches are used because allow_close=True; add an exact mapping "
                      "if one exists" if tr.kind in (CLOSE, RELATED)
                      else "add an exact mapping to the table if one exists")
            self.report.add(Approximated, path,
                            f"{self.table.compress(term)} translated to {self.table.compress(tr.target)} through "
                            f"{tr.mapping.predicate_id}{row} of {self.name}, not an exact match",
                            remedy=remedy)
        return tr.target

    def __call__(self, term: str, path: str) -> str:
        return self.note(term, self.lookup(term), path)

    def _unmapped(self, term: str, path: str) -> None:
        assert self.report is not None
        side = "subject_id" if self.direction == "forward" else "object_id"
        short = self.table.compress(term)
        none = _no_term_row(self.table, self.table.expand(term), side)
        if none is not None:
            self.report.add(Unresolved, path, f"{short} has no counterpart in the target vocabulary "
                            f"(line {none.line} of {self.name}); kept as is", remedy="")
            return
        close = not self.allow_close and translate(self.table, term, direction=self.direction,
                                                   allow_close=True) is not None
        self.report.add(Unresolved, path, f"no {self.direction} mapping for {short} in {self.name}; kept as is",
                        remedy="allow close matches (allow_close=True) or add an exact mapping" if close
                        else "add a row to the mapping table")


def reportable(term: str) -> bool:
    """NGSI-LD core terms (location, observedAt...) are not expected in a data-model table."""
    return not term.startswith(NGSI_LD) or term.startswith(_DEFAULT_CONTEXT)


def _esc(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


# -- the graph ------------------------------------------------------------------------------------

def apply_mapping(graph: Graph, table: MappingSet | str | os.PathLike, *, allow_close: bool = False,
                  direction: Direction = "forward", report: ConversionReport | None = None,
                  report_unmapped: bool = False) -> Graph:
    """A new graph with types, attribute names and relationship object types translated by ``table``.

    ``table``: a MappingSet, a path or a shipped table name (see :func:`load_table`).
    Events go to ``report``: ``Approximated`` for each broad, narrow, close or related
    translation (path ``/<entity index>/<attribute IRI>/<instance>/...`` or
    ``/<entity index>/type``), ``Unresolved`` for terms with no mapping when
    ``report_unmapped=True`` and for a translation that would merge two attributes
    (the second keeps its name). The input graph is not modified (attribute values are
    shared with it, not copied).

    >>> from mimbridge.model import Graph, Node
    >>> g = Graph([Node("urn:x:1", ["urn:mimbridge:sta:Thing"])])
    >>> r = ConversionReport()
    >>> apply_mapping(g, "sta-sosa", allow_close=True, report=r).nodes[0].types
    ['http://www.w3.org/ns/sosa/Platform']
    >>> r.events[0].kind, r.events[0].path
    ('Approximated', '/0/type')
    """
    ms = load_table(table)
    tr = _Translator(ms, direction, allow_close, report, report_unmapped)
    nodes = []
    for i, node in enumerate(graph.nodes):
        types: list[str] = []
        for t in node.types:
            new = tr(t, f"/{i}/type")
            if new not in types:
                types.append(new)
        nodes.append(dataclasses.replace(node, types=types, attrs=_attrs(node.attrs, f"/{i}", tr),
                                         meta=dict(node.meta)))
    return Graph(nodes, graph.context, dict(graph.meta))


def _attrs(attrs: dict[str, list[Attr]], path: str, tr: _Translator) -> dict[str, list[Attr]]:
    paths = {name: f"{path}/{_esc(name)}" for name in attrs}
    found = {name: tr.lookup(name) for name in attrs}
    targets = {name: t.target if t is not None else name for name, t in found.items()}
    clashed: set[str] = set()
    while True:  # a rename onto a name already in use is undone (each pass undoes one: terminates)
        seen: dict[str, str] = {}
        clash = None
        for name, new in targets.items():
            if new in seen:
                clash = name if new != name else seen[new]
                break
            seen[new] = name
        if clash is None:
            break
        if tr.report is not None:
            tr.report.add(Unresolved, paths[clash], f"{tr.table.compress(clash)} would become "
                          f"{tr.table.compress(targets[clash])}, which the entity already has; kept as is",
                          remedy="map the two attributes to different terms, or give them datasetIds")
        targets[clash] = clash
        clashed.add(clash)
    out: dict[str, list[Attr]] = {}
    for name, instances in attrs.items():
        if name not in clashed:
            tr.note(name, found[name], paths[name])
        out[targets[name]] = [_attr(a, f"{paths[name]}/{j}", tr) for j, a in enumerate(instances)]
    return out


def _attr(a: Attr, path: str, tr: _Translator) -> Attr:
    meta = dict(a.meta)
    otype = meta.get("objectType")
    if otype is not None:
        if isinstance(otype, list):
            meta["objectType"] = [tr(t, f"{path}/objectType") if _is_iri(t) else t for t in otype]
        elif _is_iri(otype):
            meta["objectType"] = tr(otype, f"{path}/objectType")
    return dataclasses.replace(a, attrs=_attrs(a.attrs, path, tr) if a.attrs else {}, meta=meta)


def _is_iri(value: Any) -> bool:
    return isinstance(value, str) and ("://" in value or value.startswith("urn:"))


def graph_terms(graph: Graph) -> Counter[str]:
    """How often each type, attribute name (nested too) and relationship object type occurs.

    >>> from mimbridge.model import Attr, Graph, Kind, Node
    >>> g = Graph([Node("urn:x:1", ["https://ex.org/T"], {"https://ex.org/a": [Attr(Kind.PROPERTY, 1)]})])
    >>> sorted(graph_terms(g).items())
    [('https://ex.org/T', 1), ('https://ex.org/a', 1)]
    """
    counts: Counter[str] = Counter()

    def visit(attrs: dict[str, list[Attr]]) -> None:
        for name, instances in attrs.items():
            counts[name] += len(instances)
            for a in instances:
                otype = a.meta.get("objectType")
                for t in otype if isinstance(otype, list) else [otype]:
                    if isinstance(t, str) and _is_iri(t):
                        counts[t] += 1
                if a.attrs:
                    visit(a.attrs)

    for node in graph.nodes:
        counts.update(node.types)
        visit(node.attrs)
    return counts
