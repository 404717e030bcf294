"""``geojson``: GeoJSON and OGC API Features (read and write).

Reads a GeoJSON ``Feature``, a ``FeatureCollection`` (an OGC API Features
items page with ``links``, ``numberMatched``, ``numberReturned``,
``timeStamp``) or a bare geometry; writes a FeatureCollection (or a Feature
when the input was one) that OGC API Features clients and QGIS open.

Mapping, feature -> entity (documented in ``docs/features.md``):

* **id**: the feature ``id`` when it is an absolute URI; otherwise the minted
  ``urn:ngsi-ld:<type>:<id>`` (both parts percent-encoded, :func:`mint_id`);
  a feature without id gets ``urn:ngsi-ld:<type>:<hash of its content>``
  (reported), or the value of ``id_property=``.
* **type**: the ``type=`` option, else the collection name (``name`` member,
  or the ``/collections/{name}`` path of the ``self``/``collection`` link),
  else ``Feature``.
* **names**: property names are expanded like NGSI-LD terms without a
  ``@context``, through the core context (or ``context=``), so that they come
  back unchanged when written as NGSI-LD; ``vocab=`` prefixes every name with
  a base IRI instead. Names that NGSI-LD reserves (``id``, ``type``,
  ``scope``, ``createdAt``...) or that collide with the geometry attribute are
  placed in the NGSI-LD default vocabulary (``ngsi-ld:default-context/type``).
* **values**: numbers, strings, booleans and arrays of them -> Property;
  objects, ``null`` and other arrays -> JsonProperty (not expanded); GeoJSON
  geometries -> GeoProperty. ``geometry`` -> the ``location`` GeoProperty
  (``geometry_property=``); other geometry-valued members (JSON-FG
  ``place``) -> GeoProperties of their name.
* **geometries** are checked (:func:`mimbridge.geometry.validate`): invalid
  ones are passed through unchanged and reported with the reason (``Unresolved``)
  unless ``repair=True`` (``make_valid``, reported as ``Coerced``).
* collection members (``links``, paging, ``timeStamp``, ``name``...) go to
  ``Graph.meta["geojson:collection"]``; other feature members (``bbox``,
  ``links``...) to ``Node.meta``, so ``geojson -> geojson`` is JSON-equal.

Entity -> feature follows the NGSI-LD GeoJSON representation (clause 4.5.16):
``id``, ``geometry`` from ``location``, ``properties`` with ``type`` and the
attributes' simplified values.

>>> import mimbridge
>>> fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": 7, "properties": {"name": "Baikal"},
...       "geometry": {"type": "Point", "coordinates": [108.0, 53.5]}}], "numberReturned": 1}
>>> e = mimbridge.convert(fc, source="geojson", target="ngsi-ld", type="Lake").output[0]
>>> e["id"], e["type"], e["name"], e["location"]["type"]
('urn:ngsi-ld:Lake:7', 'Lake', {'type': 'Property', 'value': 'Baikal'}, 'GeoProperty')
>>> mimbridge.convert(fc, source="geojson", target="geojson").output == fc
True
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, ClassVar
from urllib.parse import quote

from ..contexts.active import ActiveContext
from ..contexts.core import DEFAULT_CORE_VERSION
from ..contexts.loader import ContextLoader, context_option
from ..errors import MappingError, ParseError
from ..geometry import is_geometry, validate
from ..model import Attr, Graph, Kind, Node
from ..report import Approximated, Coerced, ConversionReport, Dropped, Rejected, Unresolved
from .base import Adapter, Capabilities

__all__ = ["DEFAULT_VOCAB", "FeatureReader", "FeatureWriter", "GeoJSONAdapter", "Names", "collection_name",
           "mint_id"]

DEFAULT_VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"
URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")
_IRI_LIKE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*://|urn:)", re.IGNORECASE)
_UNSAFE = re.compile(r'[\s<>"{}|\\^`%\x00-\x1f]')
#: NGSI-LD entity members and JSON-LD keywords: never attribute names
RESERVED = frozenset({"id", "type", "scope", "createdAt", "modifiedAt", "deletedAt", "expiresAt", "@context",
                      "@id", "@type", "observedAt", "unitCode", "datasetId", "instanceId"})
SCALARS = frozenset({str, int, float, bool})
FEATURE_MEMBERS = frozenset({"type", "id", "geometry", "properties"})
_COLLECTION_PATH = re.compile(r"/collections/([^/?#]+)")
_PROPERTY, _GEO, _JSON = Kind.PROPERTY, Kind.GEO, Kind.JSON


def mint_id(type_name: str, local: Any) -> str:
    """The minted entity id ``urn:ngsi-ld:<type>:<id>`` for a feature id that is not a URI.

    ``<type>`` is the type's term (or the last segment of a type IRI); both
    parts are percent-encoded except ``A-Z a-z 0-9 - . _ ~ : ! $ & ( ) * + , ; = @``.

    >>> mint_id("Lake", 0), mint_id("sta_things", "'01a2'"), mint_id("https://schema.org/Place", "a b")
    ('urn:ngsi-ld:Lake:0', 'urn:ngsi-ld:sta_things:%2701a2%27', 'urn:ngsi-ld:Place:a%20b')
    """
    t = type_name.rstrip("/#")
    if _IRI_LIKE.match(t):
        t = re.split(r"[/#:]", t)[-1] or "Feature"
    return f"urn:ngsi-ld:{_enc(t)}:{_enc_fast(str(local))}"


def _enc(s: str) -> str:
    return quote(s, safe="-._~:!$&()*+,;=@")


_SAFE_ID = re.compile(r"[A-Za-z0-9\-._~:!$&()*+,;=@]*\Z")


def _enc_fast(s: str) -> str:
    return s if _SAFE_ID.match(s) else _enc(s)


def _point_ok(c: Any) -> bool:
    """A valid 2D/3D GeoJSON position (the fast path of geometry validation)."""
    if c.__class__ is not list or not 2 <= len(c) <= 3:
        return False
    for x in c:
        k = x.__class__
        if k is float:
            if x - x != 0.0:  # inf or nan
                return False
        elif k is not int:
            return False
    return True


def collection_name(doc: Any) -> str | None:
    """The collection a GeoJSON document comes from: ``name`` member or OGC API ``/collections/{name}`` link.

    >>> collection_name({"links": [{"rel": "self", "href": "https://x.org/collections/lakes/items?f=json"}]})
    'lakes'
    """
    if not isinstance(doc, dict):
        return None
    name = doc.get("name")
    if isinstance(name, str) and name and "/" not in name:
        return name
    links = doc.get("links")
    if isinstance(links, list):
        for rel in ("self", "collection", "alternate", "next", "prev", "previous"):
            for link in links:
                if isinstance(link, dict) and link.get("rel") == rel and isinstance(link.get("href"), str):
                    m = _COLLECTION_PATH.search(link["href"])
                    if m:
                        return m.group(1)
    return None


class Names:
    """Property names <-> attribute IRIs for one ``@context`` (or one ``vocab`` base IRI).

    >>> n = Names(None, None)
    >>> n.iri("name"), n.iri("location")
    ('https://uri.etsi.org/ngsi-ld/default-context/name', 'https://uri.etsi.org/ngsi-ld/location')
    >>> n.iri("type")
    'https://uri.etsi.org/ngsi-ld/default-context/type'
    >>> n.term("https://uri.etsi.org/ngsi-ld/default-context/type")
    'type'
    """

    __slots__ = ("_iri", "_term", "ctx", "vocab")

    def __init__(self, ctx: ActiveContext | None, vocab: str | None, *, loader: ContextLoader | None = None,
                 core_version: str = DEFAULT_CORE_VERSION) -> None:
        self.vocab = vocab
        self.ctx = ctx if ctx is not None or vocab else ActiveContext.get(
            None, loader=loader or ContextLoader(), core_version=core_version)
        self._iri: dict[str, str] = {}
        self._term: dict[str, str] = {}

    def iri(self, name: str, avoid: str | None = None) -> str:
        """The attribute IRI of a property name (``avoid``: an IRI the name must not take)."""
        hit = self._iri.get(name)
        if hit is not None and hit != avoid:
            return hit
        base = self.vocab or DEFAULT_VOCAB
        if _IRI_LIKE.match(name) and not _UNSAFE.search(name):
            iri = name
        elif self.vocab or _UNSAFE.search(name) or name in RESERVED or self.ctx is None:
            iri = base + _escape(name)
        else:
            iri = self.ctx.expand(name)
            if iri.startswith("@") or ":" not in iri or self.ctx.compact(iri) != name:
                iri = base + _escape(name)
        if iri == avoid:
            iri = base + _escape(name)
        else:
            self._iri[name] = iri
        return iri

    def type_iri(self, term: str) -> str:
        """The type IRI of a type term (keywords and unsafe names go to the vocabulary)."""
        if _IRI_LIKE.match(term) and not _UNSAFE.search(term):
            return term
        if self.vocab or self.ctx is None or _UNSAFE.search(term):
            return (self.vocab or DEFAULT_VOCAB) + _escape(term)
        iri = self.ctx.expand(term)
        return iri if not iri.startswith("@") and ":" in iri else DEFAULT_VOCAB + _escape(term)

    def term(self, iri: str) -> str:
        """The property name of an attribute IRI (inverse of :meth:`iri`)."""
        hit = self._term.get(iri)
        if hit is not None:
            return hit
        base = self.vocab or DEFAULT_VOCAB
        if iri.startswith(base) and len(iri) > len(base):
            term = _unescape(iri[len(base):])
        elif self.ctx is not None:
            term = self.ctx.compact(iri)
        else:
            term = iri
        self._term[iri] = term
        return term


def _escape(name: str) -> str:
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode()), name)


def _unescape(s: str) -> str:
    if "%" not in s:
        return s
    from urllib.parse import unquote

    return unquote(s)


def _names(options: dict[str, Any], loader: ContextLoader, report: ConversionReport | None = None) -> Names:
    vocab = options.get("vocab")
    if vocab is not None and (not isinstance(vocab, str) or not URI_RE.match(vocab)):
        raise MappingError(f"vocab {vocab!r} is not an absolute IRI")
    ctx_value = context_option(options.get("context"))
    core = options.get("core_version", DEFAULT_CORE_VERSION)
    ctx = None if vocab else ActiveContext.get(ctx_value, loader=loader, core_version=core)
    if ctx is not None and report is not None:
        for url in ctx.unresolved:
            report.add(Unresolved, "/@context", f"context {url} was not resolved offline; "
                       "its terms expand through the NGSI-LD default vocabulary",
                       remedy="pass contexts={url: local file} or allow_remote=[url prefix]")
    return Names(ctx, vocab, loader=loader, core_version=core)


def _loader(options: dict[str, Any]) -> ContextLoader:
    return options.get("loader") or ContextLoader(documents=options.get("contexts"),
                                                  allow=options.get("allow_remote", ()),
                                                  timeout=options.get("timeout", 10.0), fetch=options.get("fetch"))


def content_hash(feature: dict) -> str:
    """A stable hash of a feature's geometry and properties (ids of features without one)."""
    body = json.dumps([feature.get("geometry"), feature.get("properties")], sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()[:24]


# -- reading -------------------------------------------------------------------------
class FeatureReader:
    """GeoJSON features -> model nodes (see the module docs for the mapping)."""

    #: feature members kept as attributes rather than in Node.meta (records override)
    member_attrs: ClassVar[frozenset[str]] = frozenset()
    default_type = "Feature"

    def __init__(self, report: ConversionReport, **options: Any) -> None:
        self.report = report
        self.options = options
        self.loader = _loader(options)
        self.names = _names(options, self.loader, report)
        self.geom_iri = self.names.iri(options.get("geometry_property") or "location")
        self.id_property = options.get("id_property")
        self.repair = bool(options.get("repair"))
        self.type_term = "Feature"
        self.type_iri = ""
        self.id_prefix = "urn:ngsi-ld:Feature:"
        self._prop_iri: dict[str, str] = {}

    def set_type(self, doc: Any) -> None:
        """Fix the entity type for a document (option, collection name, default)."""
        term = self.options.get("type") or collection_name(doc) or self.default_type
        if not isinstance(term, str) or not term:
            raise MappingError(f"type option {term!r} is not a non-empty string")
        self.type_term = term
        self.type_iri = self.names.type_iri(term)
        self.id_prefix = mint_id(term, "")

    def read_document(self, data: Any) -> Graph:
        """Read a Feature, a FeatureCollection or a bare geometry into a Graph."""
        if not isinstance(data, dict):
            raise ParseError(f"expected a GeoJSON object, got {type(data).__name__}", pointer="",
                             expected='a GeoJSON "Feature" or "FeatureCollection"')
        t = data.get("type")
        graph = Graph(context=context_option(self.options.get("context")))
        self.set_type(data)
        if t == "FeatureCollection":
            feats = data.get("features")
            if not isinstance(feats, list):
                raise ParseError("features is not an array", pointer="/features", expected="an array of Features")
            extra = {k: v for k, v in data.items() if k != "type" and k != "features"}
            if extra:
                graph.meta["geojson:collection"] = extra
            self.read_features(feats, "/features", graph)
        elif t == "Feature":
            graph.meta["ngsi-ld:single"] = True
            self.report.records_in += 1
            graph.nodes.append(self.feature(data, ""))
        elif t in ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                   "GeometryCollection"):
            graph.meta["ngsi-ld:single"] = True
            graph.meta["geojson:bare"] = True
            self.report.records_in += 1
            graph.nodes.append(self.feature({"type": "Feature", "geometry": data}, "", bare=True))
        else:
            raise ParseError(f"not a GeoJSON Feature, FeatureCollection or geometry: {_looks_like(data)}",
                             pointer="/type", expected='"Feature" or "FeatureCollection"')
        return graph

    def read_features(self, feats: list, prefix: str, graph: Graph) -> None:
        """Append one node per feature; invalid features are skipped and reported (Rejected)."""
        report = self.report
        report.records_in += len(feats)
        append = graph.nodes.append
        feature = self.feature
        for i, f in enumerate(feats):
            try:
                append(feature(f, f"{prefix}/{i}"))
            except ParseError as exc:
                report.add(Rejected, exc.pointer, f"invalid feature skipped: {exc.message}",
                           remedy=f"fix the feature (expected {exc.expected})" if exc.expected else "")

    def feature(self, f: Any, ptr: str, *, bare: bool = False) -> Node:
        """One feature -> one node; ParseError (pointer into the document) if it is not a Feature."""
        if f.__class__ is not dict:
            raise ParseError(f"feature is {type(f).__name__}, not an object", pointer=ptr, expected="a GeoJSON Feature")
        if f.get("type") != "Feature":
            raise ParseError(f"feature type is {f.get('type')!r}", pointer=f"{ptr}/type", expected='"Feature"')
        node = Node("", [self.type_iri])
        meta = node.meta
        fid = f.get("id", _MISSING)
        g = f.get("geometry", _MISSING)
        props = f.get("properties", _MISSING)
        standard = 1 + (fid is not _MISSING) + (g is not _MISSING) + (props is not _MISSING)
        meta["geojson:feature"] = True
        if len(f) != standard:
            extra = self.members(node, f, ptr)
            if extra:
                meta["geojson:members"] = extra
        # id
        c = fid.__class__
        if c is int or c is float:  # digits, '.', '-', 'e', '+': nothing to encode
            node.id = self.id_prefix + repr(fid)
            meta["geojson:id"] = fid
        elif c is str:
            if URI_RE.match(fid):
                node.id = fid
            else:
                node.id = self.id_prefix + _enc_fast(fid)
                meta["geojson:id"] = fid
        elif fid is _MISSING or fid is None:
            if not bare:
                meta["geojson:id"] = None if fid is None else _MISSING_ID
            node.id = self.mint_missing(f, props if props is not _MISSING else None, ptr, bare)
        else:
            raise ParseError(f"feature id is {type(fid).__name__}", pointer=f"{ptr}/id",
                             expected="a string or a number")
        # geometry
        if g is not None:
            if g is _MISSING:
                if not bare:
                    meta["geojson:noGeometry"] = True
            elif g.__class__ is dict and g.get("type") == "Point" and _point_ok(g.get("coordinates")):
                node.attrs[self.geom_iri] = [Attr(_GEO, g)]
            else:
                node.attrs[self.geom_iri] = [self.geo(g, f"{ptr}/geometry")]
        # properties
        if props.__class__ is dict:
            self.properties(node, props, ptr)
        elif props is _MISSING:
            meta["geojson:noProperties"] = True
        elif props is None:
            if not bare:
                meta["geojson:nullProperties"] = True
        else:
            raise ParseError(f"properties is {type(props).__name__}", pointer=f"{ptr}/properties",
                             expected="an object or null")
        return node

    def members(self, node: Node, f: dict, ptr: str) -> dict[str, Any]:
        """Feature members other than type/id/geometry/properties: attributes, GeoProperties or meta."""
        extra: dict[str, Any] = {}
        for key, v in f.items():
            if key in FEATURE_MEMBERS:
                continue
            if key in self.member_attrs:
                self.put(node, key, self.value(v, f"{ptr}/{_esc(key)}"), ptr)
            elif key != "bbox" and is_geometry(v):
                node.attrs[self.names.iri(key, self.geom_iri)] = [self.geo(v, f"{ptr}/{_esc(key)}")]
                node.meta.setdefault("geojson:geometryMembers", []).append(key)
            else:
                extra[key] = v
        return extra

    def properties(self, node: Node, props: dict, ptr: str) -> None:
        """Feature properties -> attributes (names cached per reader)."""
        attrs = node.attrs
        cache = self._prop_iri
        for key, v in props.items():
            name = cache.get(key)
            if name is None:
                name = cache[key] = self.names.iri(key, self.geom_iri)
            if name in attrs:
                self.report.add(Dropped, f"{ptr}/properties/{_esc(key)}",
                                f"property {key!r} maps to the attribute IRI of another member ({name}); dropped",
                                remedy="rename the property, or pass vocab=<base IRI>")
                continue
            c = v.__class__
            if c is str or c is int or c is float or c is bool:
                attrs[name] = [Attr(_PROPERTY, v)]
            else:
                attrs[name] = [self.value(v, f"{ptr}/properties/{_esc(key)}")]

    def put(self, node: Node, key: str, attr: Attr, ptr: str) -> None:
        name = self.names.iri(key, self.geom_iri)
        if name in node.attrs:
            self.report.add(Dropped, f"{ptr}/{_esc(key)}", f"member {key!r} maps to the attribute IRI of another "
                            f"member ({name}); dropped", remedy="pass vocab=<base IRI>")
            return
        node.attrs[name] = [attr]

    def value(self, v: Any, ptr: str) -> Attr:
        """The attribute for a JSON value (see the module docs)."""
        c = v.__class__
        if c in SCALARS:
            return Attr(_PROPERTY, v)
        if c is dict:
            return self.geo(v, ptr) if is_geometry(v) else Attr(_JSON, v)
        if c is list and v and all(x.__class__ in SCALARS for x in v):
            return Attr(_PROPERTY, v)
        return Attr(_JSON, v)

    def geo(self, g: Any, ptr: str) -> Attr:
        """A GeoProperty for a geometry; invalid ones reported (and repaired when asked)."""
        out, prob = validate(g, repair=self.repair)
        if prob is not None:
            where = f"{ptr}{prob.pointer}"
            if prob.repaired:
                self.report.add(Coerced, where, f"invalid geometry repaired (make_valid): {prob.reason}")
            elif prob.structural:
                self.report.add(Unresolved, where, f"malformed geometry passed through unchanged: {prob.reason}",
                                remedy="fix the geometry at its source (it is not valid GeoJSON)")
            else:
                self.report.add(Unresolved, where, f"invalid geometry passed through unchanged: {prob.reason}",
                                remedy="pass repair=True to make it valid (shapely make_valid)")
        return Attr(_GEO, out)

    def mint_missing(self, f: dict, props: Any, ptr: str, bare: bool = False) -> str:
        key = self.id_property
        if key is not None:
            if isinstance(props, dict) and props.get(key).__class__ in (str, int, float):
                val = props[key]
                return val if isinstance(val, str) and URI_RE.match(val) else mint_id(self.type_term, val)
            raise ParseError(f"feature has no id and no usable {key!r} property", pointer=f"{ptr}/properties",
                             expected=f"a string or number property {key!r} (id_property)")
        if not bare:  # a bare geometry has no place for an id: nothing is lost
            self.report.add(Approximated, ptr or "/", "feature has no id: entity id minted from a hash of its content",
                            remedy="give features an id, or pass id_property=<property name>")
        return mint_id(self.type_term, content_hash(f))


def _looks_like(d: dict) -> str:
    """What a JSON object that is not GeoJSON seems to be (for the error message)."""
    t = d.get("type")
    if "@context" in d:
        what = "a JSON-LD document"
    elif t == "object" or "$schema" in d:
        what = "a JSON Schema (queryables)"
    elif "collections" in d:
        what = "an OGC API collections list"
    elif t in ("Collection", "Catalog") or "extent" in d or "itemType" in d:
        what = "an OGC API collection description"
    elif set(d) == {"conformsTo"}:
        what = "an OGC API conformance declaration"
    elif "links" in d:
        what = "an OGC API landing page or other resource with links"
    else:
        what = "an unknown JSON object"
    return f"looks like {what} (type {t!r})"


class _Missing:
    """Marker: the feature had no ``id`` member (kept in Node.meta as the string below)."""


_MISSING = _Missing()
_MISSING_ID = "geojson:absent"


def _esc(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1") if ("/" in name or "~" in name) else name


# -- writing ---------------------------------------------------------------------------
_SIMPLE_KEY = {Kind.LANGUAGE: "languageMap", Kind.VOCAB: "vocab", Kind.LIST: "valueList",
               Kind.LIST_RELATIONSHIP: "objectList", Kind.RELATIONSHIP: "object"}


class FeatureWriter:
    """Model nodes -> GeoJSON features."""

    def __init__(self, report: ConversionReport, **options: Any) -> None:
        self.report = report
        self.options = options
        self.loader = _loader(options)
        self.names = _names(options, self.loader)
        self.geom_term = options.get("geometry_property") or "location"
        self.lang = options.get("lang")
        self._by_ctx: dict[str, Names] = {}

    def names_for(self, node: Node) -> Names:
        """Names of a node: its own ``@context`` (NGSI-LD input) or the options'."""
        ctx = node.meta.get("@context")
        if ctx is None or "geojson:feature" in node.meta:
            return self.names
        key = json.dumps(ctx, sort_keys=True)
        hit = self._by_ctx.get(key)
        if hit is None:
            core = self.options.get("core_version", DEFAULT_CORE_VERSION)
            hit = Names(ActiveContext.get(ctx, loader=self.loader, core_version=core), None)
            self._by_ctx[key] = hit
        return hit

    def document(self, graph: Graph) -> Any:
        feats = [self.feature(n, i, graph) for i, n in enumerate(graph.nodes)]
        self.report.records_out += len(feats)
        if graph.meta.get("ngsi-ld:single") and len(feats) == 1:
            if graph.meta.get("geojson:bare"):
                return feats[0]["geometry"]
            return feats[0]
        out: dict[str, Any] = {"type": "FeatureCollection"}
        out.update(graph.meta.get("geojson:collection") or {})
        out["features"] = feats
        return out

    def feature(self, node: Node, i: int, graph: Graph) -> dict[str, Any]:
        meta = node.meta
        names = self.names_for(node)
        ptr = "" if graph.meta.get("ngsi-ld:single") else f"/{i}"
        geom_iri = names.iri(self.geom_term)
        native = "geojson:feature" in meta
        out: dict[str, Any] = {"type": "Feature"}
        fid = meta.get("geojson:id", node.id) if native else node.id
        if fid != _MISSING_ID:
            out["id"] = fid
        geo = node.first(geom_iri)
        if not meta.get("geojson:noGeometry") or geo is not None:
            out["geometry"] = geo.value if geo is not None and geo.kind is _GEO else None
        gmembers = meta.get("geojson:geometryMembers") or ()
        skip = {geom_iri} if native else set()
        for key in gmembers:
            iri = names.iri(key, names.iri(self.geom_term))
            a = node.first(iri)
            if a is not None:
                out[key] = a.value
                skip.add(iri)
        props: dict[str, Any] = {}
        if not native:
            types = [names.term(t) for t in node.types]
            props["type"] = types[0] if len(types) == 1 else types
        for name, instances in node.attrs.items():
            if name in skip:
                continue
            a = instances[0]
            if len(instances) > 1:
                a = node.first(name) or a
            props[names.term(name)] = self.value(a, ptr, name, names)
        if native:
            if meta.get("geojson:nullProperties") and not props:
                out["properties"] = None
            elif not meta.get("geojson:noProperties") or props:
                out["properties"] = props
            out.update(meta.get("geojson:members") or ())
        else:
            out["properties"] = props
        return out

    def value(self, a: Attr, ptr: str, name: str, names: Names) -> Any:
        """The simplified value of an attribute instance; kinds that GeoJSON cannot tell apart are reported."""
        kind, v = a.kind, a.value
        c = v.__class__
        if kind is _PROPERTY:
            if c in SCALARS or (c is list and v and all(x.__class__ in SCALARS for x in v)):
                return v
            back = "GeoProperty" if is_geometry(v) else "JsonProperty"
            self.report.add(Coerced, lambda: f"{ptr}/{_esc(names.term(name))}",
                            f"Property with a {'geometry' if back == 'GeoProperty' else 'JSON object, null or mixed'} "
                            f"value is read back as a {back}", remedy="use ngsi-ld to keep the attribute type")
            return v
        if kind is _JSON:
            if c in SCALARS or (c is list and v and all(x.__class__ in SCALARS for x in v)) or is_geometry(v):
                self.report.add(Coerced, lambda: f"{ptr}/{_esc(names.term(name))}",
                                "JsonProperty with a scalar, array of scalars or geometry value is read back as a "
                                "Property or GeoProperty", remedy="use ngsi-ld to keep the attribute type")
            return v
        if kind is _GEO:
            return v
        if kind is Kind.LANGUAGE and self.lang is not None and isinstance(v, dict):
            pick = self.lang if self.lang in v else ("@none" if "@none" in v else next(iter(v), None))
            if len(v) > 1:
                self.report.add(Dropped, lambda: f"{ptr}/{_esc(names.term(name))}",
                                f"languages other than {pick!r} dropped (lang={self.lang!r})",
                                remedy="omit lang= to keep the whole languageMap")
            v = v.get(pick) if pick is not None else None
        elif kind is Kind.VOCAB:
            v = [names.term(x) for x in v] if isinstance(v, list) else names.term(v)
        elif kind is Kind.LIST_RELATIONSHIP and isinstance(v, list):
            v = [x.get("object") if isinstance(x, dict) else x for x in v]
        self.report.add(Coerced, lambda: f"{ptr}/{_esc(names.term(name))}",
                        f"{kind.value} written as its simplified value (the '{_SIMPLE_KEY[kind]}' member); "
                        "read back as a Property or JsonProperty", remedy="use ngsi-ld-geojson or ngsi-ld to keep it")
        return v


class GeoJSONAdapter(Adapter):
    """``geojson``: GeoJSON / OGC API Features, read and write (see module docs)."""

    name = "geojson"
    capabilities = Capabilities(kinds=frozenset({Kind.PROPERTY, Kind.GEO, Kind.JSON}), meta=frozenset(),
                                nested=False, multi_instance=False, media_type="application/geo+json",
                                notes="Property, GeoProperty and JsonProperty round-trip; other kinds are written "
                                      "as their simplified value and reported")
    options: ClassVar[dict[str, str]] = {
        "type": "entity type for the features (default: the collection name, else Feature)",
        "context": "@context expanding property names (default: the NGSI-LD core context)",
        "contexts": "offline copies of contexts: {url: dict or path}",
        "allow_remote": "URL prefixes that may be fetched (default: none)",
        "core_version": "NGSI-LD core context version (default 1.8)",
        "vocab": "base IRI for all property names instead of a context",
        "geometry_property": "attribute holding the feature geometry (default: location)",
        "id_property": "property whose value identifies features that have no id",
        "repair": "repair invalid geometries with shapely make_valid (default: pass them through)",
        "lang": "language to pick from LanguageProperty values when writing",
    }

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        return FeatureReader(report, **options).read_document(data)

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        return FeatureWriter(report, **options).document(graph)

    def namer(self, graph: Graph, **options: Any) -> Any:
        writer = FeatureWriter(ConversionReport(), **options)
        return lambda node: writer.names_for(node).term
