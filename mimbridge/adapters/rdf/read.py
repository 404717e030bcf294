"""RDF -> model: parsing (pyoxigraph, or an ``rdflib.Graph``) and the NGSI-LD / generic mapping.

Terms are plain Python values while building the model: an IRI is a ``str``, a
blank node a ``str`` starting with ``_:``, a literal a ``(lexical, datatype,
language)`` tuple.

Rules (``docs/rdf.md`` has the full list):

* a node typed ``ngsi-ld:Property`` (``GeoProperty``, ``Relationship``...) is an
  attribute instance of the subject that points to it; ``mb:json`` annotations
  written by mimbridge restore what the JSON-LD triples cannot give back;
* every other IRI subject is an entity: with its ``rdf:type`` s, else typed
  ``rdfs:Resource`` (kept out of RDF output again); an unreferenced blank
  subject is an entity too, written back as a blank node;
* plain triples become attributes marked ``rdf:direct`` (written back as plain
  triples): literals Properties (datatype kept as a JSON-LD value object where
  JSON has no such type), language-tagged literals a LanguageProperty, IRIs a
  Relationship, RDF lists a ListProperty, other blank nodes a Property whose
  value is the JSON-LD node object.

>>> g = read_rdf('<urn:x:1> a <https://ex.org/T> ; <https://ex.org/p> "a"@en .', "turtle",
...              report=ConversionReport())
>>> a = g.nodes[0].attrs["https://ex.org/p"][0]
>>> (a.kind.value, a.value)
('LanguageProperty', {'en': 'a'})
"""

from __future__ import annotations

import json
from typing import Any

from ...contexts.loader import ContextLoader
from ...gcpause import no_gc
from ...minting.readers import normal_graph_ids
from ...model import Attr, Graph, Kind, Node
from ...report import ConversionReport, Dropped
from ..ngsild.vocab import RAW_MEMBERS
from .parse import (
    CAND,
    DOC,
    FIELD_MEMBERS,
    KIND,
    KIND_BY_TYPE,
    MEMBER_BY_PRED,
    RDF_NIL,
    RDFS_RESOURCE,
    REF,
    Grouped,
    Triple,
    group_triples,
    lit_value,
    parse_grouped,
)
from .profiles import profile_reader
from .terms import (
    MB_JSON,
    RDF_JSON,
    RDF_TYPE,
    SKOLEM_BASE,
)
from .values import ValueBuilder

__all__ = ["Builder", "read_rdf"]


class Builder:
    """Builds the Graph from parsed triples (NGSI-LD profile with the generic rules)."""

    def __init__(self, triples: list[Triple] | None, report: ConversionReport, *,
                 skolem_base: str = SKOLEM_BASE, grouped: Grouped | None = None) -> None:
        self.report = report
        self.skolem_base = skolem_base
        by_s, marks = grouped if grouped is not None else group_triples(triples or ())
        refs: dict[str, int] = {}  # incoming triples of blank nodes
        attr_kind: dict[str, Kind] = {}
        docs: set[str] = set()
        kinds = KIND_BY_TYPE
        cands: list[tuple[str, str]] = []  # (s, o): o an IRI object of a value member
        for s, o, flags in marks:
            if flags & REF:
                refs[o] = refs.get(o, 0) + 1
                if flags & CAND:
                    cands.append((s, o))
            elif flags == KIND:
                if s not in attr_kind:
                    attr_kind[s] = kinds[o]
            elif flags == DOC:
                docs.add(s)
            else:
                cands.append((s, o))
        self.by_s = by_s
        self.refs = refs
        self.attr_kind = attr_kind
        self.docs = docs
        self._copied: set[str] = set()
        #: the entity being read (the path of events)
        self.where = ""
        self._visiting: set[str] = set()
        self._lits: dict[tuple, Any] = {}
        #: whether any attribute node had an mb:json annotation (only then can instances carry positions)
        self._indexed = False
        #: IRI nodes that are the value of an attribute (JSON-LD node objects with an id), not entities
        self.values: set[str] = set()
        self.vb = ValueBuilder(by_s, refs, self.values, report)
        for s, o in cands:
            if s in attr_kind and o in by_s and not any(x.__class__ is str and x in attr_kind for _, x in by_s[o]):
                self.values.add(o)

    # -- which subjects are entities -------------------------------------------
    def graph(self) -> Graph:
        graph = Graph()
        by_s, attr_kind = self.by_s, self.attr_kind
        values = self.values
        doc: Any = None
        n_blank = 0
        for s, po in by_s.items():
            if s in attr_kind:
                continue
            if s in self.docs:
                doc = next((o for p, o in po if p == MB_JSON), None)
                continue
            if s[0] == "_":
                if s in self.refs:
                    continue
                node = self.entity(f"{self.skolem_base}blank-{n_blank}", po)
                node.meta["rdf:blank"] = True
                n_blank += 1
            else:
                if s in values:
                    continue
                node = self.entity(s, po)
            graph.nodes.append(node)
        self.report.records_in += len(graph.nodes)
        if doc is not None:
            d = _json(doc)
            graph.meta.update(d.get("meta", {}))
            if graph.meta.get("ngsi-ld:single") is False:
                del graph.meta["ngsi-ld:single"]
            graph.context = d.get("context")
        elif len(graph.nodes) == 1:
            graph.meta["ngsi-ld:single"] = True
        return graph

    # -- entities --------------------------------------------------------------
    def entity(self, s: str, po: list[tuple[str, Any]]) -> Node:
        self.where = f"/{s}"
        node = Node(s, [])
        extra: dict[str, Any] = {}
        groups: dict[str, list[Any]] = {}
        scope: list[Any] = []
        attr_kind = self.attr_kind
        attrs, instance = node.attrs, self.instance
        for p, o in po:
            if o.__class__ is str:
                if p == RDF_TYPE and not o.startswith("_:"):
                    node.types.append(o)
                    continue
                if o in attr_kind:
                    hit = attrs.get(p)
                    if hit is None:
                        attrs[p] = [instance(o)]
                    else:
                        hit.append(instance(o))
                    continue
            elif p == MB_JSON and o.__class__ is tuple:
                extra = _json(o)
                continue
            m = MEMBER_BY_PRED.get(p)
            if m in ("createdAt", "modifiedAt", "deletedAt") and o.__class__ is tuple:
                setattr(node, FIELD_MEMBERS[m], o[0])
                continue
            if m == "scope" and o.__class__ is tuple:
                scope.append(o[0])
                continue
            groups.setdefault(p, []).append(o)
        for p, objs in groups.items():
            for a in self.direct(objs, f"/{s}"):
                node.attrs.setdefault(p, []).append(a)
        if scope:
            node.scope = scope[0] if len(scope) == 1 else scope
        if extra:
            if "types" in extra:
                node.types = list(extra["types"])
            if "scope" in extra:
                node.scope = extra["scope"]
            node.meta.update(extra.get("meta", {}))
        if not extra:
            node.meta["rdf:plain"] = True
        if not node.types:
            node.types = [RDFS_RESOURCE]
            node.meta["rdf:untyped"] = True
        if self._indexed:
            _order(node.attrs)
        return node

    # -- NGSI-LD attribute nodes ---------------------------------------------------
    def instance(self, s: str) -> Attr:
        """One attribute instance from its node ``s``."""
        self.vb.where = s
        kind = self.attr_kind[s]
        member = _VALUE_MEMBER[kind]
        a = Attr(kind, None)
        vals: list[Any] = []
        raw: dict[str, list[Any]] | None = None
        extra: dict[str, Any] | None = None
        scope: list[Any] | None = None
        groups: dict[str, list[Any]] | None = None
        attr_kind = self.attr_kind
        members = MEMBER_BY_PRED
        for p, o in self.by_s[s]:
            if p == RDF_TYPE:
                continue
            oc = o.__class__
            if oc is str and o in attr_kind:
                a.attrs.setdefault(p, []).append(self.instance(o))
                continue
            m = members.get(p)
            if m == member:
                vals.append(o)
            elif m is None:
                if p == MB_JSON and oc is tuple:
                    extra = _json(o)
                else:
                    groups = groups or {}
                    groups.setdefault(p, []).append(o)
            elif (field := FIELD_MEMBERS.get(m)) is not None:
                if field == "scope":
                    scope = scope or []
                    scope.append(o[0] if oc is tuple else o)
                else:
                    setattr(a, field, o[0] if oc is tuple else o)
            elif m in RAW_MEMBERS:
                raw = raw or {}
                raw.setdefault(m, []).append(o)
            else:
                groups = groups or {}
                groups.setdefault(p, []).append(o)
        if groups:
            for p, objs in groups.items():
                for sub in self.direct(objs, s):
                    a.attrs.setdefault(p, []).append(sub)
        if extra and "value" in extra:
            a.value = extra["value"]
        elif len(vals) == 1 and vals[0].__class__ is tuple and (kind is _PROPERTY or kind is _GEO):
            o = vals[0]
            v = self._lits.get(o)
            if v is None:
                v = lit_value(o)
                if v.__class__ is not dict:  # scalars are shared, value objects never
                    self._lits[o] = v
            a.value = v
        else:
            a.value = self.value(kind, vals)
        if scope:
            a.scope = scope[0] if len(scope) == 1 else scope
        if extra:
            self._indexed = True  # an annotation may give positions: instances get sorted from now on
            for field, v in extra.get("fields", {}).items():
                setattr(a, field, v)
            if "index" in extra:
                a.meta["rdf:index"] = extra["index"]
            if "meta" in extra:
                a.meta.update(extra["meta"])
                raw = None
        if raw:
            for m, objs in raw.items():
                a.meta[m] = self.json_values(objs, single=True)
        if a.attrs and self._indexed:
            _order(a.attrs)
        return a

    def value(self, kind: Kind, vals: list[Any]) -> Any:
        """The kind's value from the objects of its value member."""
        if kind is Kind.RELATIONSHIP or kind is Kind.VOCAB:
            iris = [o for o in vals if o.__class__ is str]
            return iris[0] if len(iris) == 1 else iris
        if kind is Kind.LANGUAGE:
            out: dict[str, Any] = {}
            for o in vals:
                if o.__class__ is tuple:
                    key = o[2] or "@none"
                    if key in out:
                        prev = out[key]
                        out[key] = [*prev, o[0]] if isinstance(prev, list) else [prev, o[0]]
                    else:
                        out[key] = o[0]
            return out
        if kind is Kind.JSON:
            for o in vals:
                if o.__class__ is tuple:
                    try:
                        return json.loads(o[0])
                    except ValueError:
                        return o[0]
            return None
        if kind is Kind.LIST or kind is Kind.LIST_RELATIONSHIP:
            if len(vals) == 1 and vals[0].__class__ is str:
                items = self.rdf_list(vals[0])
                if items is not None:
                    if kind is Kind.LIST_RELATIONSHIP:
                        return [_object_item(x) for x in items]
                    return items
            return [self.json_value(o, top=True) for o in vals]
        return self.json_values(vals, single=True)

    def json_values(self, objs: list[Any], *, single: bool) -> Any:
        vals = [self.json_value(o, top=True) for o in objs]
        if single and len(vals) == 1:
            return vals[0]
        return vals if vals else None

    # -- generic values (iterative, linear: see :mod:`.values`) ------------------------
    def json_value(self, o: Any, *, top: bool = False) -> Any:
        """One object as JSON (literals native or value objects, nodes as JSON-LD node objects)."""
        if o.__class__ is tuple:
            return lit_value(o)
        if o.__class__ is str and o.startswith("_:") and o not in self.by_s:
            self.report.add(Dropped, self.where, "a blank node without triples stands for a structure (an RDF list, "
                            "a value node) that is not in the data: kept as a blank-node reference",
                            remedy="include the blank nodes reachable from the subject (a CONSTRUCT that follows "
                                   "every predicate of the attribute nodes, rdf:first and rdf:rest)")
            return {"@id": o}
        return self.vb.value(o)

    def rdf_list(self, head: str) -> list[Any] | None:
        """The items of the RDF list at ``head`` (None if it is not a well-formed list)."""
        return self.vb.items(head)

    def direct(self, objs: list[Any], where: str) -> list[Attr]:
        """Attribute instances for plain triples ``s p o`` (marked ``rdf:direct``)."""
        self.vb.where = where
        iris: list[str] = []
        langs: dict[str, Any] = {}
        values: list[Any] = []
        lists: list[list[Any]] = []
        jsons: list[Any] = []
        for o in objs:
            if o.__class__ is tuple:
                if o[1] == RDF_JSON:
                    v = lit_value(o)
                    if v.get("@type") == "@json":
                        jsons.append(v["@value"])
                        continue
                if o[2]:
                    prev = langs.get(o[2])
                    langs[o[2]] = o[0] if prev is None else ([*prev, o[0]] if isinstance(prev, list)
                                                              else [prev, o[0]])
                else:
                    values.append(lit_value(o))
            elif o.startswith("_:") or o == RDF_NIL:
                items = [] if o == RDF_NIL else self.rdf_list(o)
                if items is not None:
                    lists.append(items)
                else:
                    values.append(self.json_value(o))
            else:
                iris.append(o)
        out = []
        mark = {"rdf:direct": True}
        if values:
            out.append(Attr(Kind.PROPERTY, values[0] if len(values) == 1 else values, meta=dict(mark)))
        if langs:
            out.append(Attr(Kind.LANGUAGE, langs, meta=dict(mark)))
        if iris:
            out.append(Attr(Kind.RELATIONSHIP, iris[0] if len(iris) == 1 else iris, meta=dict(mark)))
        for items in lists:
            out.append(Attr(Kind.LIST, items, meta=dict(mark)))
        for j in jsons:
            out.append(Attr(Kind.JSON, j, meta=dict(mark)))
        return out


_PROPERTY, _GEO = Kind.PROPERTY, Kind.GEO
_VALUE_MEMBER = {Kind.PROPERTY: "value", Kind.GEO: "value", Kind.LANGUAGE: "languageMap", Kind.VOCAB: "vocab",
                 Kind.JSON: "json", Kind.LIST: "valueList", Kind.RELATIONSHIP: "object",
                 Kind.LIST_RELATIONSHIP: "objectList"}
_HAS_OBJECT = {iri for iri, m in MEMBER_BY_PRED.items() if m == "object"}
#: predicates of members whose IRI objects may be value nodes (not references)


def _object_item(x: Any) -> Any:
    if isinstance(x, dict):
        if "@id" in x and len(x) == 1:
            return x["@id"]
        objs = [v for k, v in x.items() if k in _HAS_OBJECT]
        if len(objs) == 1 and len(x) == 1:
            o = objs[0]
            return {"object": o["@id"] if isinstance(o, dict) and "@id" in o else o}
    return x


def _order(attrs: dict[str, list[Attr]]) -> None:
    """Put instances back in their written order (``index`` annotation) and drop the mark."""
    for instances in attrs.values():
        for a in instances:
            if a.meta and "rdf:index" in a.meta:
                instances.sort(key=lambda x: x.meta.get("rdf:index", 0))
                for x in instances:
                    x.meta.pop("rdf:index", None)
                break


def _json(o: Any) -> Any:
    """An mb:json annotation as a dict ({} when it is not a JSON object: the annotation is ignored)."""
    try:
        v = json.loads(o[0]) if o.__class__ is tuple else {}
    except (ValueError, RecursionError):
        return {}
    return v if v.__class__ is dict else {}


def read_rdf(data: Any, syntax: str, *, report: ConversionReport, **options: Any) -> Graph:
    """Read RDF text (or an rdflib Graph) in ``syntax`` into the model (a profile of :data:`.profiles.PROFILES`)."""
    reader = profile_reader(options.get("profile") or "ngsi-ld")  # unknown profiles fail before parsing
    loader = options.get("loader") or ContextLoader(documents=options.get("contexts"),
                                                    allow=options.get("allow_remote", ()))
    with no_gc():  # millions of small acyclic tuples: the cyclic collector only costs time here
        grouped = parse_grouped(data, syntax, base=options.get("base"), report=report, loader=loader)
        if reader is not None:
            graph = reader(None, report, grouped=grouped, **options).graph()
        else:
            graph = Builder(None, report, skolem_base=options.get("skolem_base") or SKOLEM_BASE,
                            grouped=grouped).graph()
        return normal_graph_ids(graph, report)
