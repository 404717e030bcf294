"""RDF serialisations: ``turtle``, ``ntriples``, ``nquads``, ``rdf-jsonld``, ``rdfxml``.

Writing emits N-Triples lines straight from the model (no JSON-LD processing on
the hot path); the other syntaxes are that text re-serialised by pyoxigraph.
Reading parses with pyoxigraph (or takes an ``rdflib.Graph``) and builds the
model (:mod:`mimbridge.adapters.rdf_read`). Two profiles (option ``profile``):

``ngsi-ld`` (default)
    the triples NGSI-LD's JSON-LD semantics define (entity -attr-> attribute node
    with ``ngsi-ld:hasValue`` ...), plus ``mb:json`` literals where those triples
    cannot give the NGSI-LD JSON back (see ``docs/rdf.md``);
``sosa``
    SOSA/SSN observations, GeoSPARQL geometries, OWL-Time instants
    (:mod:`mimbridge.adapters.rdf_sosa`).

Attribute nodes get deterministic skolem IRIs unless ``blank_nodes=True``.

>>> import mimbridge
>>> e = {"id": "urn:ngsi-ld:Room:1", "type": "Room", "t": {"type": "Property", "value": 21}}
>>> nt = mimbridge.convert(e, source="ngsi-ld", target="ntriples", blank_nodes=True).output
>>> print(nt.splitlines()[3])
_:b0 <https://uri.etsi.org/ngsi-ld/hasValue> "21"^^<http://www.w3.org/2001/XMLSchema#integer> .
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, ClassVar

from ..contexts.active import ActiveContext, context_urls
from ..contexts.core import DEFAULT_VOCAB, NGSI_LD, core_context_url, core_version_of
from ..contexts.loader import ContextLoader
from ..errors import MimbridgeError
from ..model import Graph, Kind
from ..report import ConversionReport
from .base import Adapter, Capabilities
from .ngsild import GEO_TYPES, KIND_NAME, VALUE_KEY

__all__ = [
    "MB",
    "SKOLEM_BASE",
    "NQuadsAdapter",
    "NTriplesAdapter",
    "RdfJsonLdAdapter",
    "RdfXmlAdapter",
    "TurtleAdapter",
    "canonical_double",
    "to_rdflib",
]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
GEOJSON = "https://purl.org/geojson/vocab#"
#: mimbridge's own vocabulary: round-trip annotations (``mb:json``) and the document node.
MB = "https://w3id.org/mimbridge/ns#"
#: Default prefix of skolem IRIs (RDF 1.1 section 3.5 well-known ``genid`` path).
SKOLEM_BASE = "https://w3id.org/mimbridge/.well-known/genid/"

RDF_TYPE = RDF + "type"
RDF_JSON = RDF + "JSON"
RDF_LANGSTRING = RDF + "langString"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
XSD_DOUBLE = XSD + "double"
XSD_BOOLEAN = XSD + "boolean"
MB_JSON = MB + "json"
MB_DOCUMENT = MB + "Document"

#: Prefixes written in Turtle / RDF/XML unless ``prefixes=`` adds or overrides.
DEFAULT_PREFIXES: dict[str, str] = {
    "geojson": GEOJSON,
    "mb": MB,
    "ngsi-ld": NGSI_LD,
    "ngsi-ld-default": DEFAULT_VOCAB,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}

#: members whose JSON-LD term the core context defines, per model field (entity and attribute level)
META_TERMS: tuple[tuple[str, str], ...] = (
    ("dataset_id", "datasetId"), ("observed_at", "observedAt"), ("unit_code", "unitCode"),
    ("created_at", "createdAt"), ("modified_at", "modifiedAt"), ("deleted_at", "deletedAt"),
    ("instance_id", "instanceId"), ("expires_at", "expiresAt"),
)

_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LIT_ESC = re.compile(r'["\\\n\r]')
_ABS_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def canonical_double(v: float) -> str:
    """The canonical xsd:double lexical form JSON-LD uses (``1.5`` -> ``1.5E0``).

    >>> canonical_double(0.81), canonical_double(12.5), canonical_double(-3e-7)
    ('8.100000000000001E-1', '1.25E1', '-3.0E-7')
    """
    out = _DOUBLES.get(v)
    if out is not None:
        return out
    m, _, e = f"{v:.15E}".partition("E")
    exp = _EXP.get(e)
    if exp is None:
        return m  # INF / NAN
    m = m.rstrip("0")
    out = (m + "0" if m[-1] == "." else m) + exp
    if v:  # 0.0 and -0.0 are equal keys: never memoised
        if len(_DOUBLES) >= _DOUBLES_MAX:  # sensor values repeat; a bounded memo keeps the common ones
            _DOUBLES.clear()
        _DOUBLES[v] = out
    return out


def _finite_double(v: float) -> str:
    """:func:`canonical_double` of a finite float, not memoised (for callers with their own memo)."""
    m, _, e = f"{v:.15E}".partition("E")
    m = m.rstrip("0")
    return (m + "0" if m[-1] == "." else m) + _EXP[e]


_EXP = {f"{e:+03d}": f"E{e}" for e in range(-330, 331)}
_DOUBLES: dict[float, str] = {}
_DOUBLES_MAX = 1 << 16


def _esc_lit(s: str) -> str:
    if _LIT_ESC.search(s) is None:
        return s
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def nt_iri(iri: str) -> str:
    """An IRI as an N-Triples term (characters N-Triples forbids are percent-encoded).

    >>> nt_iri("urn:a b")
    '<urn:a%20b>'
    """
    if _IRI_BAD.search(iri) is None:
        return f"<{iri}>"
    return "<" + _IRI_BAD.sub(lambda m: f"%{ord(m.group()):02X}", iri).replace("\\", "%5C") + ">"


def nt_literal(lex: str, datatype: str | None = None, lang: str | None = None) -> str:
    """A literal as an N-Triples term.

    >>> nt_literal('say "hi"'), nt_literal("1", XSD_INTEGER), nt_literal("x", lang="en")
    ('"say \\\\"hi\\\\""', '"1"^^<http://www.w3.org/2001/XMLSchema#integer>', '"x"@en')
    """
    if lang:
        return f'"{_esc_lit(lex)}"@{lang}'
    if datatype is None or datatype == XSD_STRING:
        return f'"{_esc_lit(lex)}"'
    return f'"{_esc_lit(lex)}"^^{nt_iri(datatype)}'


def json_literal(value: Any) -> str:
    """A ``rdf:JSON`` literal of ``value`` in JSON canonical form (JCS, as JSON-LD writes it)."""
    try:
        from c14n.Canonicalize import canonicalize  # JCS, shipped with pyld (as pyld's own @json literals)
    except ImportError:  # older pyld: sorted compact JSON (JCS but for the number forms)
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return nt_literal(text, RDF_JSON)
    return nt_literal(canonicalize(value).decode("utf-8"), RDF_JSON)


_NT_JSON = nt_iri(RDF_JSON)
_NT_TYPE = nt_iri(RDF_TYPE)
_NT_INTEGER = nt_iri(XSD_INTEGER)
_NT_DOUBLE = nt_iri(XSD_DOUBLE)
_NT_BOOLEAN = nt_iri(XSD_BOOLEAN)
_NT_FIRST = nt_iri(RDF + "first")
_NT_REST = nt_iri(RDF + "rest")
_NT_NIL = nt_iri(RDF + "nil")
_NT_MB_JSON = nt_iri(MB_JSON)
_NT_COORDS = nt_iri(GEOJSON + "coordinates")


def _mb_json(value: Any) -> str:
    return nt_literal(json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True), RDF_JSON)


class _Fallback(Exception):
    """A JSON-LD feature the direct emitter does not implement: let pyld expand this value."""


# -- exactness: does a value come back from the JSON-LD triples as it was? -----
def _exact_number(v: Any) -> bool:
    if v.__class__ is float:
        return math.isfinite(v) and not v.is_integer() and float(canonical_double(v)) == v
    return True


def _exact_list_item(v: Any) -> bool:
    c = v.__class__
    if c is str or c is bool:
        return True
    if c is int:
        return abs(v) < 1e21
    if c is float:
        return _exact_number(v)
    if c is list:
        return all(_exact_list_item(x) for x in v)
    return False


def _exact_geometry(v: dict) -> bool:
    if set(v) != {"type", "coordinates"} or v["type"] == "GeometryCollection":
        return False
    return isinstance(v["coordinates"], list) and _exact_list_item(v["coordinates"])


def _exact_json(v: Any) -> bool:
    c = v.__class__
    if c is float:
        return math.isfinite(v) and not v.is_integer()
    if c is list:
        return all(_exact_json(x) for x in v)
    if c is dict:
        return all(_exact_json(x) for x in v.values())
    return True


def exact_value(kind: Kind, v: Any) -> bool:
    """True when the JSON-LD triples of this kind's value give ``v`` back unchanged."""
    c = v.__class__
    if kind is Kind.PROPERTY or kind is Kind.GEO:
        if c is str or c is bool:
            return True
        if c is int:
            return abs(v) < 1e21
        if c is float:
            return _exact_number(v)
        if c is dict and kind is Kind.GEO:
            return _exact_geometry(v)
        return False
    if kind is Kind.RELATIONSHIP or kind is Kind.VOCAB:
        return c is str
    if kind is Kind.LANGUAGE:
        return c is dict and all(isinstance(t, str) and t == t.lower() and t != "@none" and isinstance(s, str)
                                 for t, s in v.items())
    if kind is Kind.JSON:
        return _exact_json(v)
    if kind is Kind.LIST:
        return c is list and all(_exact_list_item(x) for x in v)
    if kind is Kind.LIST_RELATIONSHIP:
        return c is list and (all(isinstance(x, str) for x in v) or all(
            isinstance(x, dict) and set(x) == {"object"} and isinstance(x["object"], str) for x in v))
    return False


_LINES_MAX = 1 << 16


class _Ctx:
    """Per active context: predicates and coercions of the NGSI-LD members, memoised."""

    __slots__ = ("_ids", "_special", "actx", "geo", "kind_line", "kinds", "members", "meta", "meta_fast", "names",
                 "obs_lines", "plain", "rel_fast", "rels", "unit_lines", "vplain", "vpred")

    def __init__(self, actx: ActiveContext) -> None:
        self.actx = actx
        self.members: dict[str, tuple[str, dict]] = {}
        self.plain: set[str] = set()
        self._ids: dict[str, str | None] = {}
        self._special: dict[str, bool] = {}
        #: " rdf:type <kind IRI> .\n" per kind, the value member's predicate, and whether it has no coercion
        self.kind_line = {k: f" {_NT_TYPE} {nt_iri(actx.expand(KIND_NAME[k]))} .\n" for k in Kind}
        self.vpred = {k: self.member(VALUE_KEY[k])[0] for k in Kind}
        self.vplain = {k: VALUE_KEY[k] in self.plain for k in Kind}
        #: per kind: (kind line, value predicate, whether the value member is plain and has a predicate)
        self.kinds = {k: (self.kind_line[k], self.vpred[k], bool(self.vplain[k] and self.vpred[k])) for k in Kind}
        #: attribute IRI -> whatever a writer memoises for it under this context
        self.names: dict[str, Any] = {}
        #: a Relationship's object is an @id with a predicate and nothing else; object -> (term line end, exact)
        otd = self.member("object")[1]
        self.rel_fast = bool(self.vpred[Kind.RELATIONSHIP]) and otd.get("@type") == "@id" and not otd.get("@container")
        self.rels: dict[str, tuple[str, bool]] = {}
        #: GeoJSON type -> N-Triples type IRI when the context expands geometries as the core context does
        self.geo: dict[str, str] = {}
        ctd = actx.term_definition("coordinates") or {}
        if (actx.expand("type") == "@type" and ctd.get("@id") == GEOJSON + "coordinates"
                and ctd.get("@container") == ["@list"] and "@type" not in ctd and "@context" not in ctd):
            for g in GEO_TYPES:
                gtd = actx.term_definition(g) or {}
                if actx.expand(g) == GEOJSON + g and "@context" not in gtd:
                    self.geo[g] = nt_iri(GEOJSON + g)
        #: per META_TERMS field: (predicate, mode, datatype): mode 0 plain literal, 1 typed, 2 @id, 3 other
        self.meta: list[tuple[str, int, str]] = []
        for _field, term in META_TERMS:
            p, td = self.member(term)
            t = td.get("@type")
            if term in self.plain:
                self.meta.append((p, 0, ""))
            elif t and t[0] != "@" and not td.get("@container"):
                self.meta.append((p, 1, nt_iri(t)))
            elif t == "@id" and not td.get("@container"):
                self.meta.append((p, 2, ""))
            else:
                self.meta.append((p, 3, ""))
        #: observedAt is a typed literal and unitCode a plain one (every core context version)
        obs, unit = self.meta[1], self.meta[2]
        self.meta_fast = obs[1] == 1 and unit[1] == 0 and bool(obs[0] and unit[0])
        #: observedAt / unitCode value -> its line without the subject (meta_fast contexts)
        self.obs_lines: dict[str, str] = {}
        self.unit_lines: dict[str, str] = {}

    def obs_line(self, v: str) -> str:
        """The observedAt line of value ``v`` after its subject (memoised; meta_fast contexts only)."""
        hit = self.obs_lines.get(v)
        if hit is None:
            if len(self.obs_lines) >= _LINES_MAX:
                self.obs_lines.clear()
            p, _mode, dt = self.meta[1]
            hit = self.obs_lines[v] = f' {p} "{_esc_lit(v)}"^^{dt} .\n'
        return hit

    def unit_line(self, v: str) -> str:
        """The unitCode line of value ``v`` after its subject (memoised; meta_fast contexts only)."""
        hit = self.unit_lines.get(v)
        if hit is None:
            if len(self.unit_lines) >= _LINES_MAX:
                self.unit_lines.clear()
            hit = self.unit_lines[v] = f' {self.meta[2][0]} "{_esc_lit(v)}" .\n'
        return hit

    def member(self, term: str) -> tuple[str, dict]:
        """(N-Triples predicate, term definition) of an NGSI-LD member such as ``value``."""
        hit = self.members.get(term)
        if hit is None:
            td = self.actx.term_definition(term) or {}
            iri = td.get("@id") or self.actx.expand(term)
            hit = self.members[term] = (nt_iri(iri) if _ABS_IRI.match(iri) else "", td)
            if not any(k in td for k in ("@type", "@container", "@language", "@context")) \
                    and "@language" not in self.actx.active:
                self.plain.add(term)
        return hit

    def special_term(self, name: str) -> bool:
        """True when a term for the attribute's IRI has a coercion JSON-LD applies to an attribute object."""
        hit = self._special.get(name)
        if hit is None:
            hit = False
            for td in self.actx.active["mappings"].values():
                if td and td.get("@id") == name and (td.get("@type") == "@json" or set(
                        td.get("@container") or ()) - {"@set"}):
                    hit = True
            self._special[name] = hit
        return hit

    def id_iri(self, value: str) -> str | None:
        """``value`` expanded as an ``@id`` (compact IRIs resolved; relative IRIs give None)."""
        hit = self._ids.get(value, "")
        if hit == "":
            prefix = value.partition(":")[0]
            if prefix in self.actx.active["mappings"] or value.startswith("_:"):
                iri = self.actx._proc._expand_iri(self.actx.active, value, base="", vocab=False)
            else:
                iri = value
            hit = self._ids[value] = iri if iri and (_ABS_IRI.match(iri) or iri.startswith("_:")) else None
        return hit


class Emitter:
    """Writes triples as N-Triples lines: JSON values expanded the way JSON-LD expands them.

    Values are expanded with the term definitions of the active context (``@id``,
    ``@type`` coercion, ``@container`` ``@list``/``@set``/``@language``, value
    objects, node objects); what this does not implement (scoped contexts,
    ``@index``/``@graph`` containers, ``@reverse``, ``@nest``, ``@included``) is
    expanded by pyld for that one value.
    """

    def __init__(self, loader: ContextLoader, core_version: str) -> None:
        self.lines: list[str] = []
        self.loader = loader
        self.core_version = core_version
        self._bn = 0
        self._labels: dict[str, str] = {}
        self._ctxs: dict[int, _Ctx] = {}
        self.invalid: list[str] = []
        #: finite non-integral float -> (its xsd:double term, the term + " .\n", whether it reads back the same)
        self.doubles: dict[float, tuple[str, str, bool]] = {}

    def double(self, v: float) -> tuple[str, str, bool]:
        """Make the :attr:`doubles` entry of a finite non-integral float (callers look there first)."""
        if len(self.doubles) >= _LINES_MAX:
            self.doubles.clear()
        lex = _finite_double(v)
        term = f'"{lex}"^^{_NT_DOUBLE}'
        hit = self.doubles[v] = (term, term + " .\n", float(lex) == v)
        return hit

    def ctx(self, actx: ActiveContext) -> _Ctx:
        c = self._ctxs.get(id(actx))
        if c is None or c.actx is not actx:
            c = self._ctxs[id(actx)] = _Ctx(actx)
        return c

    def bnode(self) -> str:
        self._bn += 1
        return f"_:b{self._bn - 1}"

    def label(self, given: str) -> str:
        """A fresh label for a blank node named in the data (``_:x``), the same for the same name."""
        hit = self._labels.get(given)
        if hit is None:
            hit = self._labels[given] = self.bnode()
        return hit

    # -- values ----------------------------------------------------------
    def value(self, s: str | None, p: str, v: Any, td: dict, c: _Ctx, *, lower: bool = True) -> None:
        """Emit ``s p <v expanded under term definition td>`` (arrays give one triple per item)."""
        if v is None:
            return
        if td.get("@type") == "@json":
            if s and p:
                self.lines.append(f"{s} {p} {json_literal(v)} .\n")
            return
        container = td.get("@container")
        if container:
            if "@list" in container:
                o = self.rdf_list(v if v.__class__ is list else [v], td, c, lower)
                if s and p:
                    self.lines.append(f"{s} {p} {o} .\n")
                return
            if "@language" in container and v.__class__ is dict:
                for lang, text in v.items():
                    for t in (text if text.__class__ is list else [text]):
                        if t.__class__ is not str:
                            continue
                        o = nt_literal(t) if c.actx.expand(lang) == "@none" else nt_literal(
                            t, lang=lang.lower() if lower else lang)
                        if s and p:
                            self.lines.append(f"{s} {p} {o} .\n")
                return
            if any(x in container for x in ("@index", "@id", "@type", "@graph")):
                raise _Fallback
        if v.__class__ is list:
            for item in v:
                self.value(s, p, item, td, c, lower=lower)
            return
        if v.__class__ is dict and len(v) == 1 and c.actx.expand(next(iter(v))) == "@set":
            self.value(s, p, v[next(iter(v))], td, c, lower=lower)
            return
        o = self.object(v, td, c, lower)
        if o is not None and s and p:
            self.lines.append(f"{s} {p} {o} .\n")

    def geometry(self, s: str, p: str, v: dict, gtype: str) -> bool:
        """A GeoJSON geometry as the core context expands it; True when it reads back unchanged."""
        b = self.bnode()
        head, exact = self.coords(v["coordinates"])
        self.lines.append(f"{b} {_NT_TYPE} {gtype} .\n{b} {_NT_COORDS} {head} .\n{s} {p} {b} .\n")
        return exact

    def coords(self, items: list) -> tuple[str, bool]:
        """An RDF list of numbers / nested lists (GeoJSON coordinates)."""
        if not items:
            return _NT_NIL, True
        exact = True
        cells = []
        doubles = self.doubles
        for x in items:
            xc = x.__class__
            if xc is float:
                hit = doubles.get(x)
                if hit is None and math.isfinite(x) and not x.is_integer():
                    hit = self.double(x)
                if hit is not None:
                    cells.append(hit[0])
                    if not hit[2]:
                        exact = False
                else:
                    cells.append(self.scalar(x))
                    exact = False
            elif xc is int:
                cells.append(self.scalar(x))
                exact = exact and abs(x) < 1e21
            elif xc is list:
                o, ok = self.coords(x)
                cells.append(o)
                exact = exact and ok
            else:
                raise _Fallback
        head = cell = self.bnode()
        n = len(cells) - 1
        out = self.lines
        for i, o in enumerate(cells):
            nxt = self.bnode() if i < n else _NT_NIL
            out.append(f"{cell} {_NT_FIRST} {o} .\n{cell} {_NT_REST} {nxt} .\n")
            cell = nxt
        return head, exact

    def rdf_list(self, items: list, td: dict, c: _Ctx, lower: bool) -> str:
        objs = []
        for item in items:
            if item is None:
                continue
            if item.__class__ is list:
                objs.append(self.rdf_list(item, td, c, lower))
                continue
            o = self.object(item, td, c, lower)
            if o is not None:
                objs.append(o)
        if not objs:
            return _NT_NIL
        head = cell = self.bnode()
        out = self.lines
        for i, o in enumerate(objs):
            out.append(f"{cell} {_NT_FIRST} {o} .\n")
            nxt = self.bnode() if i < len(objs) - 1 else _NT_NIL
            out.append(f"{cell} {_NT_REST} {nxt} .\n")
            cell = nxt
        return head

    def object(self, v: Any, td: dict, c: _Ctx, lower: bool = True) -> str | None:
        """The N-Triples term of one JSON value (a node object's own triples are emitted)."""
        cls = v.__class__
        coerce = td.get("@type")
        if coerce == "@json":
            return json_literal(v)
        if cls is str:
            if coerce == "@id":
                iri = c.id_iri(v)
                return None if iri is None else (self.label(iri) if iri.startswith("_:") else nt_iri(iri))
            if coerce == "@vocab":
                iri = c.actx.expand(v)
                if iri.startswith("_:"):
                    return self.label(iri)
                return nt_iri(iri) if _ABS_IRI.match(iri) else None
            if coerce and coerce not in ("@none",):
                return nt_literal(v, coerce)
            lang = td.get("@language", c.actx.active.get("@language"))
            if lang:
                return nt_literal(v, lang=lang.lower() if lower else lang)
            return f'"{_esc_lit(v)}"'
        if cls is int or cls is float or cls is bool:
            return self.scalar(v, coerce if coerce and coerce[0] != "@" else None)
        if cls is dict:
            return self.node(v, c, lower)
        raise _Fallback

    @staticmethod
    def scalar(v: Any, datatype: str | None = None, lang: str | None = None) -> str:
        """JSON-LD's literal for a JSON scalar (``12.0`` -> ``"12"^^xsd:integer`` as JSON-LD does)."""
        cls = v.__class__
        if cls is bool:
            return f'"{"true" if v else "false"}"^^{nt_iri(datatype) if datatype else _NT_BOOLEAN}'
        if cls is float and not v.is_integer():
            return f'"{canonical_double(v)}"^^{nt_iri(datatype) if datatype else _NT_DOUBLE}'
        if datatype == XSD_DOUBLE:
            return f'"{canonical_double(float(v))}"^^{_NT_DOUBLE}'
        if cls is int or cls is float:
            if abs(v) >= 1e21:
                return f'"{canonical_double(float(v))}"^^{nt_iri(datatype) if datatype else _NT_DOUBLE}'
            return f'"{int(v)}"^^{nt_iri(datatype) if datatype else _NT_INTEGER}'
        if lang:
            return nt_literal(v, lang=lang)
        return nt_literal(v, datatype)

    def node(self, v: dict, c: _Ctx, lower: bool) -> str | None:
        actx = c.actx
        keys = {k: actx.expand(k) for k in v}
        kw = {e: k for k, e in keys.items() if e.startswith("@")}
        if "@value" in kw:
            return self.value_object(v, kw, c, lower)
        if "@list" in kw:
            items = v[kw["@list"]]
            return self.rdf_list(items if items.__class__ is list else [items], {}, c, lower)
        if set(kw) - {"@id", "@type"}:
            raise _Fallback
        if "@id" in kw:
            raw = v[kw["@id"]]
            if raw.__class__ is not str:
                raise _Fallback
            iri = c.id_iri(raw)
            subj = None if iri is None else (self.label(iri) if iri.startswith("_:") else nt_iri(iri))
            if len(v) == 1:
                return subj
        else:
            subj = self.bnode()
        out = self.lines
        if "@type" in kw:
            types = v[kw["@type"]]
            for t in (types if types.__class__ is list else [types]):
                if t.__class__ is not str:
                    raise _Fallback
                tdef = actx.term_definition(t)
                if tdef and "@context" in tdef:
                    raise _Fallback
                iri = actx.expand(t)
                if subj and _ABS_IRI.match(iri):
                    out.append(f"{subj} {_NT_TYPE} {nt_iri(iri)} .\n")
        for k, e in keys.items():
            if e[0] == "@" or not _ABS_IRI.match(e):
                continue
            td = actx.term_definition(k) or {}
            if "@context" in td or td.get("@reverse"):
                raise _Fallback
            self.value(subj, nt_iri(e), v[k], td, c, lower=lower)
        return subj

    def value_object(self, v: dict, kw: dict, c: _Ctx, lower: bool) -> str | None:
        if set(kw) - {"@value", "@type", "@language", "@direction", "@index"}:
            raise _Fallback
        val = v[kw["@value"]]
        dt = v.get(kw["@type"]) if "@type" in kw else None
        if dt == "@json":
            return json_literal(val)
        if val is None:
            return None
        dt_iri = c.actx.expand(dt) if dt else None
        lang = v.get(kw["@language"]) if "@language" in kw else None
        if lang and lower:
            lang = lang.lower()
        if val.__class__ is str:
            return nt_literal(val, dt_iri, lang) if (dt_iri is None or _ABS_IRI.match(dt_iri)) else None
        if val.__class__ not in (int, float, bool) or lang:
            raise _Fallback  # not a JSON-LD value object: pyld reports it
        return self.scalar(val, dt_iri)

    # -- pyld for what the direct emitter does not implement ---------------
    def fallback(self, s: str, term: str, v: Any, actx: ActiveContext) -> None:
        """Expand ``{term: v}`` with pyld (the entity's context) and emit its triples with subject ``s``."""
        from pyld import jsonld

        ctx = actx.source
        local = [] if ctx is None else (list(ctx) if isinstance(ctx, list) else [ctx])
        if not any(core_version_of(u) for u in context_urls(ctx)):
            local.append(core_context_url(actx.core_version))
        placeholder = "urn:x-mimbridge:placeholder"
        doc = {"@context": local, "@id": placeholder, term: v}
        try:
            nq = jsonld.to_rdf(doc, {"documentLoader": self.loader, "format": "application/n-quads"})
        except jsonld.JsonLdError as exc:
            self.invalid.append(str(exc).splitlines()[0])
            return
        self._bn += 1
        tag = f"_:f{self._bn}"
        for line in nq.splitlines():
            line = line.replace("_:b", tag + "x")
            if line.startswith(f"<{placeholder}> "):
                line = s + line[len(placeholder) + 2:]
            self.lines.append(line + "\n")


# -- serialisation ---------------------------------------------------------
def _ox_format(name: str) -> Any:
    import pyoxigraph as ox

    return {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
            "rdf-jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}[name]


def reserialise(nt: str, fmt: str, *, prefixes: dict[str, str] | None = None, base: str | None = None) -> str:
    """N-Triples text re-serialised as ``fmt`` (pyoxigraph), with prefixes and base IRI where it has them.

    >>> print(reserialise('<http://ex.org/s> <http://ex.org/p> "1" .\\n', "turtle", prefixes={"ex": "http://ex.org/"}),
    ...       end="")
    @prefix ex: <http://ex.org/> .
    ex:s ex:p "1" .
    """
    if fmt in ("ntriples", "nquads"):
        return nt
    import pyoxigraph as ox

    quads = ox.parse(nt, ox.RdfFormat.N_TRIPLES)
    triples = [q.triple for q in quads]
    if fmt == "rdf-jsonld":
        return ox.serialize(triples, format=ox.RdfFormat.JSON_LD).decode("utf-8")
    used = _used_prefixes(nt, prefixes or {})
    data = ox.serialize(triples, format=_ox_format(fmt), prefixes=used, base_iri=base)
    return data.decode("utf-8")


def _used_prefixes(nt: str, prefixes: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in sorted(prefixes.items()) if f"<{v}" in nt}


def to_rdflib(graph: Graph, **options: Any) -> Any:
    """The graph as an ``rdflib.Graph`` (NGSI-LD profile unless ``profile="sosa"``).

    >>> from mimbridge.model import Attr, Graph, Kind, Node
    >>> g = Graph([Node("urn:x:1", ["https://ex.org/T"], {"https://ex.org/a": [Attr(Kind.PROPERTY, 1)]})],
    ...           meta={"ngsi-ld:single": True})
    >>> len(to_rdflib(g))  # type, attribute link, attribute type, value
    4
    """
    import rdflib

    text = write_ntriples(graph, ConversionReport(), **options)
    return rdflib.Graph().parse(data=text, format="nt")


def write_ntriples(graph: Graph, report: ConversionReport, **options: Any) -> str:
    """The graph as N-Triples text in the chosen ``profile``."""
    profile = options.pop("profile", None) or "ngsi-ld"
    if profile == "ngsi-ld":
        from .rdf_write import Writer

        return Writer(report, **options).document(graph)
    if profile == "sosa":
        from .rdf_sosa import SosaWriter

        return SosaWriter(report, **options).document(graph)
    raise MimbridgeError(f"unknown RDF profile {profile!r}; known: ngsi-ld, sosa")


# -- adapters ----------------------------------------------------------------
class RdfAdapter(Adapter):
    """Base of the RDF syntaxes: the same model mapping, one syntax each."""

    syntax: ClassVar[str] = ""
    capabilities = Capabilities(output="text", media_type="text/turtle")
    options: ClassVar[dict[str, str]] = {
        "profile": "RDF profile: ngsi-ld (default; lossless) or sosa (SOSA/SSN, GeoSPARQL, OWL-Time)",
        "blank_nodes": "attribute nodes as blank nodes instead of skolem IRIs (default False)",
        "skolem_base": f"prefix of skolem IRIs (default {SKOLEM_BASE})",
        "roundtrip": "add mb:json annotations that make the way back lossless (default True)",
        "prefixes": "extra Turtle / RDF/XML prefixes {prefix: namespace}",
        "base": "base IRI: written as @base, and used to resolve relative IRIs on read",
        "contexts": "offline copies of contexts: {url: dict or path}",
        "allow_remote": "URL prefixes that may be fetched (default: none)",
        "core_version": "NGSI-LD core context version used where an entity has none (default 1.8)",
    }

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        from .rdf_read import read_rdf

        return read_rdf(data, self.syntax, report=report, **options)

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        opts = {k: v for k, v in options.items() if k in WRITER_OPTIONS}
        prefixes = {**DEFAULT_PREFIXES, **(options.get("prefixes") or {})}
        if opts.get("profile") == "sosa":
            from .rdf_sosa import SOSA_PREFIXES

            prefixes = {**DEFAULT_PREFIXES, **SOSA_PREFIXES, **(options.get("prefixes") or {})}
        nt = write_ntriples(graph, report, **opts)
        return reserialise(nt, self.syntax, prefixes=prefixes, base=options.get("base"))


WRITER_OPTIONS = ("profile", "blank_nodes", "skolem_base", "roundtrip", "contexts", "allow_remote", "loader",
                  "core_version")


class TurtleAdapter(RdfAdapter):
    """``turtle``: RDF 1.1 Turtle."""

    name = "turtle"
    syntax = "turtle"
    capabilities = Capabilities(output="text", media_type="text/turtle",
                                notes="lossless in the ngsi-ld profile")


class NTriplesAdapter(RdfAdapter):
    """``ntriples``: RDF 1.1 N-Triples (the fastest path)."""

    name = "ntriples"
    syntax = "ntriples"
    capabilities = Capabilities(output="text", media_type="application/n-triples",
                                notes="lossless in the ngsi-ld profile")


class NQuadsAdapter(RdfAdapter):
    """``nquads``: RDF 1.1 N-Quads (written in the default graph; named graphs are read into it)."""

    name = "nquads"
    syntax = "nquads"
    capabilities = Capabilities(output="text", media_type="application/n-quads",
                                notes="lossless in the ngsi-ld profile")


class RdfJsonLdAdapter(RdfAdapter):
    """``rdf-jsonld``: the RDF graph as expanded JSON-LD (read: remote contexts resolved offline only)."""

    name = "rdf-jsonld"
    syntax = "rdf-jsonld"
    capabilities = Capabilities(output="text", media_type="application/ld+json",
                                notes="RDF graph as JSON-LD; lossless in the ngsi-ld profile")


class RdfXmlAdapter(RdfAdapter):
    """``rdfxml``: RDF/XML."""

    name = "rdfxml"
    syntax = "rdfxml"
    capabilities = Capabilities(output="text", media_type="application/rdf+xml",
                                notes="lossless in the ngsi-ld profile")
