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
from collections.abc import Iterable
from typing import Any

from ..contexts.core import CORE_VERSIONS, DEFAULT_VOCAB, NGSI_LD, core_terms
from ..contexts.loader import ContextLoader
from ..errors import ParseError
from ..model import Attr, Graph, Kind, Node
from ..report import Coerced, ConversionReport, Dropped
from .ngsild import RAW_MEMBERS
from .rdf import (
    GEOJSON,
    MB_DOCUMENT,
    MB_JSON,
    RDF,
    RDF_JSON,
    RDF_TYPE,
    RDFS,
    SKOLEM_BASE,
    XSD_BOOLEAN,
    XSD_DOUBLE,
    XSD_INTEGER,
    XSD_STRING,
    canonical_double,
)
from .rdf_nt import group_lines

__all__ = ["parse_grouped", "parse_terms", "read_rdf"]

RDF_FIRST, RDF_REST, RDF_NIL = RDF + "first", RDF + "rest", RDF + "nil"
RDFS_RESOURCE = RDFS + "Resource"

KIND_BY_TYPE: dict[str, Kind] = {}
for _k in Kind:
    KIND_BY_TYPE[NGSI_LD + _k.value] = _k
    KIND_BY_TYPE[DEFAULT_VOCAB + _k.value] = _k
KIND_BY_TYPE[NGSI_LD + "VocabularyProperty"] = Kind.VOCAB

VALUE_MEMBERS = ("value", "object", "languageMap", "vocab", "json", "valueList", "objectList")
FIELD_MEMBERS = {"datasetId": "dataset_id", "observedAt": "observed_at", "unitCode": "unit_code",
                 "createdAt": "created_at", "modifiedAt": "modified_at", "deletedAt": "deleted_at",
                 "instanceId": "instance_id", "expiresAt": "expires_at", "scope": "scope"}
#: members whose objects are references (never inlined value nodes)
REF_MEMBERS = frozenset({"object", "objectList", "vocab", "datasetId", "instanceId", "previousObject",
                         "previousObjectList", "previousVocab", "objectType"})


def _member_predicates() -> dict[str, str]:
    """Predicate IRI -> NGSI-LD member, over every core context version."""
    out: dict[str, str] = {}
    members = (*VALUE_MEMBERS, *FIELD_MEMBERS, *sorted(RAW_MEMBERS))
    for m in members:
        out[DEFAULT_VOCAB + m] = m
    for v in CORE_VERSIONS:
        terms = core_terms(v)
        for m in members:
            iri = terms.get(m)
            if iri:
                out[iri] = m
    return out


MEMBER_BY_PRED = _member_predicates()

Lit = tuple  # (lexical, datatype IRI, language or None)
Triple = tuple[str, str, Any]
#: ``(by_subject, marks)``: subject -> its ``(p, o)`` pairs, and the flagged triples (see :func:`classify`)
Grouped = tuple[dict[str, list[tuple[str, Any]]], list[tuple[str, Any, int]]]


# -- parsing -----------------------------------------------------------------
def parse_terms(data: Any, syntax: str, *, base: str | None = None, report: ConversionReport | None = None,
                loader: ContextLoader | None = None) -> list[tuple[str, str, Any]]:
    """Parse RDF text (or take an rdflib / pyoxigraph graph) into ``(s, p, o)`` Python terms.

    Nothing is fetched: pyoxigraph resolves no remote JSON-LD context; JSON-LD
    documents that name contexts are expanded by pyld with the offline loader.

    >>> parse_terms('<urn:a> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .', "ntriples")
    [('urn:a', 'urn:p', ('1', 'http://www.w3.org/2001/XMLSchema#integer', None))]
    """
    if hasattr(data, "triples") and hasattr(data, "namespace_manager"):
        return list(_from_rdflib(data))
    if isinstance(data, bytes):
        data = data.decode("utf-8-sig")
    if not isinstance(data, str):
        if syntax == "rdf-jsonld" and isinstance(data, (dict, list)):
            data = json.dumps(data)
        else:
            raise ParseError(f"expected RDF text, got {type(data).__name__}", pointer="", expected="RDF text")
    if syntax == "rdf-jsonld" and "@context" in data and _names_context(data):
        data = _jsonld_offline(data, loader or ContextLoader(), base)
        syntax = "nquads"
    if syntax == "ntriples":
        fast = group_lines(data, _no_flags)  # the canonical line form mimbridge writes; else pyoxigraph
        if fast is not None:
            return [(s, p, o) for s, pos in fast[0].items() for p, o in pos]
    return _parse_ox(data, syntax, base, report)


def parse_grouped(data: Any, syntax: str, *, base: str | None = None, report: ConversionReport | None = None,
                  loader: ContextLoader | None = None) -> Grouped:
    """Like :func:`parse_terms`, grouped by subject for :class:`Builder` (``(by_subject, marks)``).

    >>> t = '<urn:a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://uri.etsi.org/ngsi-ld/Property> .'
    >>> by_s, marks = parse_grouped(t, "ntriples")
    >>> marks
    [('urn:a', 'https://uri.etsi.org/ngsi-ld/Property', 2)]
    """
    if syntax == "ntriples" and isinstance(data, (str, bytes)):
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
        fast = group_lines(text, classify)
        if fast is not None:
            return fast
        return group_triples(_parse_ox(text, syntax, base, report))
    return group_triples(parse_terms(data, syntax, base=base, report=report, loader=loader))


def _parse_ox(data: str, syntax: str, base: str | None, report: ConversionReport | None) -> list[Triple]:
    import pyoxigraph as ox

    from .rdf import _ox_format

    try:
        quads = ox.parse(data, _ox_format(syntax), base_iri=base)
        return _from_ox(quads, report)
    except SyntaxError as exc:
        raise ParseError(f"malformed {syntax}: {exc.msg if hasattr(exc, 'msg') else exc}",
                         pointer=_where(exc), expected=f"{syntax} text") from None
    except ValueError as exc:
        raise ParseError(f"malformed {syntax}: {exc}", pointer="", expected=f"{syntax} text") from None



def _where(exc: SyntaxError) -> str:
    if exc.lineno:
        return f"line {exc.lineno} column {exc.offset or 0}"
    return ""


def _names_context(text: str) -> bool:
    """True when a JSON-LD document has an ``@context`` member (not just the string in a literal)."""
    try:
        doc = json.loads(text)
    except ValueError:
        return False  # pyoxigraph reports the syntax error
    stack = [doc]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            if "@context" in x:
                return True
            stack.extend(v for k, v in x.items() if k != "@value")
        elif isinstance(x, list):
            stack.extend(x)
    return False


def _jsonld_offline(text: str, loader: ContextLoader, base: str | None) -> str:
    from pyld import jsonld

    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ParseError(f"malformed JSON: {exc}", pointer="", expected="JSON-LD text") from None
    try:
        options = {"documentLoader": loader, "format": "application/n-quads", "base": base or ""}
        return jsonld.to_rdf(doc, options)
    except jsonld.JsonLdError as exc:
        raise ParseError(f"invalid JSON-LD: {str(exc).splitlines()[0]}", pointer="",
                         expected="JSON-LD") from None


def _from_ox(quads: Iterable[Any], report: ConversionReport | None) -> list[tuple[str, str, Any]]:
    import pyoxigraph as ox

    named, blank, default = ox.NamedNode, ox.BlankNode, ox.DefaultGraph
    out = []
    graphs: set[str] = set()
    append = out.append
    for q in quads:
        s, o = q.subject, q.object
        sv = s.value if s.__class__ is named else "_:" + s.value
        oc = o.__class__
        if oc is named:
            ov: Any = o.value
        elif oc is blank:
            ov = "_:" + o.value
        elif oc is ox.Literal:
            ov = (o.value, o.datatype.value, o.language)
        else:
            if report is not None:
                report.add(Dropped, "", "a quoted triple (RDF-star) is not carried")
            continue
        g = q.graph_name
        if g.__class__ is not default:
            graphs.add(str(g))
        append((sv, q.predicate.value, ov))
    if graphs and report is not None:
        report.add(Coerced, "", f"{len(graphs)} named graph(s) read into the default graph",
                   remedy="split the dataset by graph before converting")
    return out


def _from_rdflib(g: Any) -> Iterable[tuple[str, str, Any]]:
    from rdflib import BNode, Literal, URIRef

    for s, p, o in g.triples((None, None, None)):
        sv = "_:" + str(s) if isinstance(s, BNode) else str(s)
        if isinstance(o, URIRef):
            ov: Any = str(o)
        elif isinstance(o, BNode):
            ov = "_:" + str(o)
        elif isinstance(o, Literal):
            dt = str(o.datatype) if o.datatype else (RDF + "langString" if o.language else XSD_STRING)
            lex = str(o)
            if dt == XSD_DOUBLE:  # rdflib normalises double lexicals: back to the canonical form
                try:
                    f = float(lex)
                    lex = canonical_double(f) if not f.is_integer() else lex
                except ValueError:
                    pass
            ov = (lex, dt, o.language)
        else:
            continue
        yield sv, str(p), ov


# -- model building ------------------------------------------------------------
def _lit_value(o: Lit) -> Any:
    """A literal as JSON: native where JSON-LD gives the same literal back, else a value object."""
    lex, dt, lang = o
    if dt == XSD_STRING:
        return lex
    if lang:
        return {"@value": lex, "@language": lang}
    if dt == XSD_INTEGER:
        try:
            if str(int(lex)) == lex:
                return int(lex)
        except ValueError:
            pass
    elif dt == XSD_DOUBLE:
        try:
            f = float(lex)
            if not f.is_integer() and canonical_double(f) == lex:
                return f
        except ValueError:
            pass
    elif dt == XSD_BOOLEAN and lex in ("true", "false"):
        return lex == "true"
    elif dt == RDF_JSON:
        try:
            return {"@value": json.loads(lex), "@type": "@json"}
        except ValueError:
            pass
    return {"@value": lex, "@type": dt}


_REF, _KIND, _DOC, _CAND = 1, 2, 4, 8


def classify(p: str, o: Any) -> int:
    """Flags of a triple that :class:`Builder` needs before building (most triples: 0).

    ``_REF``: the object may be a blank node (incoming triples counted);
    ``_KIND``: ``rdf:type`` of an NGSI-LD attribute type; ``_DOC``: the
    document annotation; ``_CAND``: an IRI object of a value member (maybe a
    value node rather than a reference).
    """
    if o.__class__ is not str:
        return 0
    if o[0] == "_":
        return _REF | _CAND if o[1:2] != ":" and p in _VALUE_PREDS else _REF
    if p == RDF_TYPE:
        return _KIND if o in KIND_BY_TYPE else _DOC if o == MB_DOCUMENT else 0
    return _CAND if p in _VALUE_PREDS else 0


def _no_flags(p: str, o: Any) -> int:
    return 0


def group_triples(triples: Iterable[Triple]) -> Grouped:
    """``(s, p, o)`` terms -> ``(by_subject, marks)``, as :func:`~mimbridge.adapters.rdf_nt.group_lines` gives."""
    by_s: dict[str, list[tuple[str, Any]]] = {}
    marks: list[tuple[str, Any, int]] = []
    for s, p, o in triples:
        lst = by_s.get(s)
        if lst is None:
            lst = by_s[s] = []
        lst.append((p, o))
        f = classify(p, o)
        if f:
            marks.append((s, o, f))
    return by_s, marks


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
            if flags & _REF:
                refs[o] = refs.get(o, 0) + 1
                if flags & _CAND:
                    cands.append((s, o))
            elif flags == _KIND:
                if s not in attr_kind:
                    attr_kind[s] = kinds[o]
            elif flags == _DOC:
                docs.add(s)
            else:
                cands.append((s, o))
        self.by_s = by_s
        self.refs = refs
        self.attr_kind = attr_kind
        self.docs = docs
        self._copied: set[str] = set()
        self._visiting: set[str] = set()
        self._lits: dict[tuple, Any] = {}
        #: whether any attribute node had an mb:json annotation (only then can instances carry positions)
        self._indexed = False
        #: IRI nodes that are the value of an attribute (JSON-LD node objects with an id), not entities
        self.values: set[str] = set()
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
                v = _lit_value(o)
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

    # -- generic values ------------------------------------------------------------
    def json_value(self, o: Any, *, top: bool = False) -> Any:
        """One object as JSON (literals native or value objects, nodes as JSON-LD node objects)."""
        if o.__class__ is tuple:
            v = _lit_value(o)
            if top and v.__class__ is dict and v.get("@type") == "@json":
                return v
            return v
        if o == RDF_NIL:
            return {"@list": []}
        po = self.by_s.get(o)
        if po is None or (not o.startswith("_:") and o not in self.values):
            return {"@id": o}
        items = self.rdf_list(o)
        if items is not None:
            return {"@list": items}
        if o in self._visiting:
            self.report.add(Dropped, "", "a cycle of blank nodes is cut (JSON values are trees)")
            return {}
        if self.refs.get(o, 0) > 1 and o.startswith("_:"):
            if o not in self._copied:
                self._copied.add(o)
                self.report.add(Coerced, "", "a blank node with several incoming triples is copied into each "
                                "JSON value (written back as separate blank nodes)")
        self._visiting.add(o)
        try:
            geo = _geometry(self, po)
            if geo is not None:
                return geo
            d: dict[str, Any] = {} if o.startswith("_:") else {"@id": o}
            types = [t for p, t in po if p == RDF_TYPE and t.__class__ is str and not t.startswith("_:")]
            if types:
                d["@type"] = types[0] if len(types) == 1 else types
            for p, v in po:
                if p == RDF_TYPE and v in types:
                    continue
                jv = self.json_value(v)
                if p in d:
                    prev = d[p]
                    d[p] = [*prev, jv] if isinstance(prev, list) else [prev, jv]
                else:
                    d[p] = jv
            return d
        finally:
            self._visiting.discard(o)

    def rdf_list(self, head: str) -> list[Any] | None:
        """The items of the RDF list at ``head`` (None if it is not a well-formed list)."""
        items: list[Any] = []
        cur = head
        seen: set[str] = set()
        while cur != RDF_NIL:
            po = self.by_s.get(cur)
            if po is None or cur in seen or not cur.startswith("_:") or len(po) != 2:
                return None
            seen.add(cur)
            first = rest = None
            for p, o in po:
                if p == RDF_FIRST:
                    first = o
                elif p == RDF_REST:
                    rest = o
            if first is None or rest is None:
                return None
            if first.__class__ is str and first.startswith("_:") and self.by_s.get(first) is not None \
                    and self.rdf_list(first) is not None:
                items.append(self.rdf_list(first))
            else:
                items.append(self.json_value(first))
            cur = rest
        return items

    def direct(self, objs: list[Any], where: str) -> list[Attr]:
        """Attribute instances for plain triples ``s p o`` (marked ``rdf:direct``)."""
        iris: list[str] = []
        langs: dict[str, Any] = {}
        values: list[Any] = []
        lists: list[list[Any]] = []
        jsons: list[Any] = []
        for o in objs:
            if o.__class__ is tuple:
                if o[1] == RDF_JSON:
                    v = _lit_value(o)
                    if v.get("@type") == "@json":
                        jsons.append(v["@value"])
                        continue
                if o[2]:
                    prev = langs.get(o[2])
                    langs[o[2]] = o[0] if prev is None else ([*prev, o[0]] if isinstance(prev, list)
                                                              else [prev, o[0]])
                else:
                    values.append(_lit_value(o))
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
_VALUE_PREDS = frozenset(iri for iri, m in MEMBER_BY_PRED.items() if m not in REF_MEMBERS)


def _object_item(x: Any) -> Any:
    if isinstance(x, dict):
        if "@id" in x and len(x) == 1:
            return x["@id"]
        objs = [v for k, v in x.items() if k in _HAS_OBJECT]
        if len(objs) == 1 and len(x) == 1:
            o = objs[0]
            return {"object": o["@id"] if isinstance(o, dict) and "@id" in o else o}
    return x


def _geometry(b: Builder, po: list[tuple[str, Any]]) -> dict[str, Any] | None:
    if len(po) != 2:
        return None
    gtype = coords = None
    for p, o in po:
        if p == RDF_TYPE and o.__class__ is str and o.startswith(GEOJSON):
            gtype = o[len(GEOJSON):]
        elif p == GEOJSON + "coordinates" and o.__class__ is str:
            coords = b.rdf_list(o)
    if gtype is None or coords is None:
        return None
    return {"type": gtype, "coordinates": coords}


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
    try:
        return json.loads(o[0]) if o.__class__ is tuple else {}
    except ValueError:
        return {}


def read_rdf(data: Any, syntax: str, *, report: ConversionReport, **options: Any) -> Graph:
    """Read RDF text (or an rdflib Graph) in ``syntax`` into the model (profile ``ngsi-ld`` or ``sosa``)."""
    profile = options.get("profile") or "ngsi-ld"
    loader = options.get("loader") or ContextLoader(documents=options.get("contexts"),
                                                    allow=options.get("allow_remote", ()))
    if profile not in ("ngsi-ld", "sosa"):
        from ..errors import MimbridgeError

        raise MimbridgeError(f"unknown RDF profile {profile!r}; known: ngsi-ld, sosa")
    from ..convert import _no_gc

    with _no_gc():  # millions of small acyclic tuples: the cyclic collector only costs time here
        grouped = parse_grouped(data, syntax, base=options.get("base"), report=report, loader=loader)
        if profile == "sosa":
            from .rdf_sosa import SosaReader

            return SosaReader(None, report, grouped=grouped, **options).graph()
        return Builder(None, report, skolem_base=options.get("skolem_base") or SKOLEM_BASE,
                       grouped=grouped).graph()
