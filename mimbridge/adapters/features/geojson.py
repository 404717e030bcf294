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

import json
from typing import Any, ClassVar

from ...contexts.active import ActiveContext
from ...contexts.core import DEFAULT_CORE_VERSION
from ...contexts.loader import context_option
from ...errors import MappingError, ParseError
from ...geometry import is_geometry, validate
from ...minting.readers import mint_ids, normal_id
from ...model import Attr, Graph, Kind, Node
from ...report import Approximated, Coerced, ConversionReport, Dropped, Rejected, Unresolved
from ..base import MINTING_OPTIONS, Adapter, Capabilities, OptionSpec, option_table
from .names import (
    DEFAULT_VOCAB,
    FEATURE_MEMBERS,
    GEO,
    JSON_KIND,
    PROPERTY,
    SCALARS,
    URI_RE,
    Names,
    collection_name,
    content_hash,
    enc_fast,
    loader_for_options,
    mint_id,
    names_for_options,
    point_ok,
)

__all__ = ["DEFAULT_VOCAB", "FeatureReader", "FeatureWriter", "GeoJSONAdapter", "Names", "collection_name",
           "mint_id"]

class FeatureReader:
    """GeoJSON features -> model nodes (see the module docs for the mapping)."""

    #: feature members kept as attributes rather than in Node.meta (records override)
    member_attrs: ClassVar[frozenset[str]] = frozenset()
    default_type = "Feature"

    def __init__(self, report: ConversionReport, **options: Any) -> None:
        self.report = report
        self.options = options
        self.loader = loader_for_options(options)
        self.names = names_for_options(options, self.loader, report)
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
            raise ParseError(f"not a GeoJSON Feature, FeatureCollection or geometry: {looks_like(data)}",
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
                node.id = fid if fid[:4].lower() != "urn:" else normal_id(fid, self.report, f"{ptr}/id", "feature id")
            else:
                node.id = self.id_prefix + enc_fast(fid)
                meta["geojson:id"] = fid
        elif fid is _MISSING or fid is None:
            if not bare:
                meta["geojson:id"] = None if fid is None else MISSING_ID
            node.id = self.mint_missing(f, props if props is not _MISSING else None, ptr, bare)
        else:
            raise ParseError(f"feature id is {type(fid).__name__}", pointer=f"{ptr}/id",
                             expected="a string or a number")
        # geometry
        if g is not None:
            if g is _MISSING:
                if not bare:
                    meta["geojson:noGeometry"] = True
            elif g.__class__ is dict and g.get("type") == "Point" and point_ok(g.get("coordinates")):
                node.attrs[self.geom_iri] = [Attr(GEO, g)]
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
                attrs[name] = [Attr(PROPERTY, v)]
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
            return Attr(PROPERTY, v)
        if c is dict:
            return self.geo(v, ptr) if is_geometry(v) else Attr(JSON_KIND, v)
        if c is list and v and all(x.__class__ in SCALARS for x in v):
            return Attr(PROPERTY, v)
        return Attr(JSON_KIND, v)

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
        return Attr(GEO, out)

    def mint_missing(self, f: dict, props: Any, ptr: str, bare: bool = False) -> str:
        key = self.id_property
        if key is not None:
            if isinstance(props, dict) and props.get(key).__class__ in (str, int, float):
                val = props[key]
                if isinstance(val, str) and URI_RE.match(val):
                    return normal_id(val, self.report, f"{ptr}/properties/{_esc(key)}", "feature id")
                return mint_id(self.type_term, val)
            raise ParseError(f"feature has no id and no usable {key!r} property", pointer=f"{ptr}/properties",
                             expected=f"a string or number property {key!r} (id_property)")
        if not bare:  # a bare geometry has no place for an id: nothing is lost
            self.report.add(Approximated, ptr or "/", "feature has no id: entity id minted from a hash of its content",
                            remedy="give features an id, or pass id_property=<property name>")
        return mint_id(self.type_term, content_hash(f))


def looks_like(d: dict) -> str:
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
MISSING_ID = "geojson:absent"


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
        self.loader = loader_for_options(options)
        self.names = names_for_options(options, self.loader)
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
        if fid != MISSING_ID:
            out["id"] = fid
        geo = node.first(geom_iri)
        if not meta.get("geojson:noGeometry") or geo is not None:
            out["geometry"] = geo.value if geo is not None and geo.kind is GEO else None
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
            self.report.add(Coerced, f"{ptr}/type", "entity type written as the property 'type' (GeoJSON has no "
                            "entity type); read back as a property, the type then comes from the options",
                            remedy="read with type=<entity type>, or use ngsi-ld-geojson")
        for name, instances in node.attrs.items():
            if name in skip:
                continue
            a = instances[0]
            if len(instances) > 1:
                a = node.first(name) or a
            term = names.term(name)
            back = names.iri(term, geom_iri)
            if back != name:  # the property name is read back as another attribute IRI
                for at in (name, back):
                    self.report.add(Coerced, f"{ptr}/{_esc(at)}", f"attribute {name} is written as property "
                                    f"{term!r}, which reads back as {back}",
                                    remedy="use attribute names that are IRIs or plain terms (no spaces, %, "
                                    "quotes or <>), or convert to ngsi-ld-geojson")
            props[term] = self.value(a, ptr, name, names)
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
        if kind is PROPERTY:
            if c in SCALARS or (c is list and v and all(x.__class__ in SCALARS for x in v)):
                return v
            back = "GeoProperty" if is_geometry(v) else "JsonProperty"
            self.report.add(Coerced, lambda: f"{ptr}/{_esc(names.term(name))}",
                            f"Property with a {'geometry' if back == 'GeoProperty' else 'JSON object, null or mixed'} "
                            f"value is read back as a {back}", remedy="use ngsi-ld to keep the attribute type")
            return v
        if kind is JSON_KIND:
            if c in SCALARS or (c is list and v and all(x.__class__ in SCALARS for x in v)) or is_geometry(v):
                self.report.add(Coerced, lambda: f"{ptr}/{_esc(names.term(name))}",
                                "JsonProperty with a scalar, array of scalars or geometry value is read back as a "
                                "Property or GeoProperty", remedy="use ngsi-ld to keep the attribute type")
            return v
        if kind is GEO:
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
                                entity_meta=frozenset(),
                                extras=frozenset({"geojson:collection", "geojson:id", "geojson:members"}),
                                notes="Property, GeoProperty and JsonProperty round-trip; other kinds are written "
                                      "as their simplified value and reported")
    options: ClassVar[dict[str, OptionSpec]] = option_table(
        OptionSpec("type", None, "entity type for the features (none: the collection name, else Feature)", "read"),
        OptionSpec("context", None, "@context expanding property names (none: the NGSI-LD core context)"),
        OptionSpec("contexts", None, "offline copies of contexts: {url: dict or path}"),
        OptionSpec("allow_remote", [], "URL prefixes that may be fetched"),
        OptionSpec("core_version", DEFAULT_CORE_VERSION, "NGSI-LD core context version"),
        OptionSpec("vocab", None, "base IRI for all property names instead of a context"),
        OptionSpec("geometry_property", "location", "attribute holding the feature geometry"),
        OptionSpec("id_property", None, "property whose value identifies features that have no id", "read"),
        OptionSpec("repair", False, "repair invalid geometries with shapely make_valid (else pass them through)",
                   "read"),
        OptionSpec("lang", None, "language to pick from LanguageProperty values", "write"),
        *MINTING_OPTIONS.values(),
    )

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        return mint_ids(FeatureReader(report, **options).read_document(data), report, options)

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        return FeatureWriter(report, **options).document(graph)

    def namer(self, graph: Graph, **options: Any) -> Any:
        writer = FeatureWriter(ConversionReport(), **options)

        def namer(node: Node) -> Any:
            names = writer.names_for(node)

            def name(iri: str) -> str:  # the property name, where it reads back as the same attribute
                term = names.term(iri)
                return term if names.iri(term) == iri else iri

            return name

        return namer
