"""``wfs-gml``: WFS 2.0 / 1.1 GetFeature responses in GML 3.2 / 3.1.1 (read only).

Reads a ``wfs:FeatureCollection`` (WFS 2.0 ``wfs:member``, WFS 1.1 /
GML 3.1.1 ``gml:featureMember(s)``, the OGC API Features XML
``sf:featureMember``) or a single feature element, into the same model as
``geojson`` (so ``wfs-gml -> geojson`` gives a FeatureCollection an OGC API
Features client opens):

* feature element -> entity: type = ``type=`` option or the element's local
  name (``ms:lakes`` -> ``lakes``); id = ``gml:identifier`` when it is a URI,
  else ``urn:ngsi-ld:<type>:<gml:id>`` (else a content hash, reported);
* the first geometry property -> ``location`` (``geometry_property=``),
  others -> GeoProperties of their local names; coordinates in GeoJSON
  lon/lat order, by the document's axis-order rule
  (:func:`mimbridge.geometry_gml.axis_rule`, shared with the WFS client:
  ``urn:ogc:def:crs:EPSG::4326`` is lat/lon; ``EPSG:4326`` is lon/lat except
  in MapServer's WFS 1.1 output, which writes it lat/lon) or ``axis_order=``;
  a latitude outside [-90, 90] after that decision fails the read (with
  ``lenient=true`` the feature is skipped with a ``Rejected`` event); a CRS
  other than WGS 84 is reported;
* simple properties -> Properties typed by ``schema=`` (the DescribeFeatureType
  XSD) or, without one, by their text (integers and decimals become numbers,
  reported as ``Approximated``); ``uom`` -> ``unitCode`` (UCUM -> UN/CEFACT);
  ``xlink:href`` -> Relationship; complex properties -> JsonProperty;
* ``numberMatched``/``numberReturned``/``timeStamp``/``next``/``previous`` ->
  ``Graph.meta`` (as OGC API Features paging members and links).

XML is parsed by :func:`parse_xml`: no DTD (documents with a ``DOCTYPE``
are refused), no entity expansion, no network or file access.

>>> import mimbridge
>>> xml = ('<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" '
...        'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:ex="https://ex.org/" numberReturned="1">'
...        '<wfs:member><ex:Stop gml:id="s1"><ex:pos><gml:Point srsName="urn:ogc:def:crs:EPSG::4326">'
...        '<gml:pos>48.85 2.29</gml:pos></gml:Point></ex:pos><ex:code>007</ex:code></ex:Stop></wfs:member>'
...        '</wfs:FeatureCollection>')
>>> f = mimbridge.convert(xml, source="wfs-gml", target="geojson").output["features"][0]
>>> f["id"], f["geometry"]["coordinates"], f["properties"]
('s1', [2.29, 48.85], {'code': '007'})
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, ClassVar

from ...errors import MappingError, ParseError
from ...geometry import GML_NAMESPACES, is_wgs84
from ...geometry_gml import axis_rule, gml_reader, is_gml_geometry, latitude_out_of_range
from ...mapping.units import from_ucum
from ...minting.readers import mint_ids
from ...model import Attr, Graph, Kind, Node
from ...report import Approximated, ConversionReport, Dropped, Rejected
from ...safexml import parse_xml
from ..base import Adapter, Capabilities, OptionSpec, option_table
from .geojson import MISSING_ID, URI_RE, FeatureReader, GeoJSONAdapter, mint_id

__all__ = ["WFSAdapter", "parse_xml", "xsd_types"]

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XLINK = "http://www.w3.org/1999/xlink"
XSD = "http://www.w3.org/2001/XMLSchema"
MEMBERS = frozenset({"member", "featureMember", "featureMembers"})
COLLECTIONS = frozenset({"FeatureCollection", "SimpleFeatureCollection"})
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_DEC = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)\Z")
UCUM_URI = re.compile(r"https?://www\.opengis\.net/def/uom/UCUM/[^/]*/")


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _ns(tag: Any) -> str:
    return tag[1:].partition("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _cast_bool(s: str) -> Any:
    return {"true": True, "1": True, "false": False, "0": False}.get(s.strip(), s)


_XSD_CASTS: dict[str, Any] = {
    **{t: int for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                        "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort",
                        "unsignedByte")},
    **{t: float for t in ("double", "float", "decimal")},
    "boolean": _cast_bool,
}


def xsd_types(schema: Any) -> dict[str, dict[str, Any]]:
    """``{feature element name: {property name: cast}}`` from a DescribeFeatureType XSD (text, bytes or path).

    Properties of other XSD types (strings, dates...) are not listed: they stay strings.

    >>> xsd = ('<schema xmlns="http://www.w3.org/2001/XMLSchema" xmlns:ms="urn:x"><element name="lakes" '
    ...        'type="ms:lakesType"/><complexType name="lakesType"><sequence><element name="id" type="integer"/>'
    ...        '<element name="name" type="string"/></sequence></complexType></schema>')
    >>> xsd_types(xsd)
    {'lakes': {'id': <class 'int'>}}
    """
    if isinstance(schema, Path) or (isinstance(schema, str) and not schema.lstrip().startswith("<")):
        try:
            schema = Path(schema).read_bytes()
        except OSError as exc:
            raise MappingError(f"cannot read schema {schema}: {exc.strerror}") from exc
    root = parse_xml(schema)
    types: dict[str, dict[str, Any]] = {}
    for ct in root.iter(f"{{{XSD}}}complexType"):
        props = {}
        for el in ct.iter(f"{{{XSD}}}element"):
            t = el.get("type")
            if el.get("name") and t:
                prefix, _, local = t.rpartition(":")
                if el.nsmap.get(prefix or None) == XSD and local in _XSD_CASTS:
                    props[el.get("name")] = _XSD_CASTS[local]
        types[ct.get("name") or ""] = props
    out: dict[str, dict[str, Any]] = {}
    for el in root.findall(f"{{{XSD}}}element"):
        t = (el.get("type") or "").rpartition(":")[2]
        if el.get("name") and t in types:
            out[el.get("name")] = types[t]
    return out


class GMLReader(FeatureReader):
    """WFS GetFeature GML -> model (see the module docs)."""

    def __init__(self, report: ConversionReport, **options: Any) -> None:
        super().__init__(report, **options)
        axis = options.get("axis_order")
        if axis not in (None, "xy", "yx"):
            raise MappingError(f"axis_order {axis!r} is not 'xy' or 'yx'")
        self.rule = axis_rule(axis_order=axis)
        self.lenient = bool(options.get("lenient", False))
        self.srs_name = options.get("srs_name")
        self.schema = xsd_types(options["schema"]) if options.get("schema") is not None else None
        self.infer = options.get("infer_types", True)
        self.default_srs: str | None = self.srs_name
        self._types: dict[str, tuple[str, str]] = {}

    def read_xml(self, root: Any) -> Graph:
        graph = Graph(context=None)
        self.rule = axis_rule(root, axis_order=self.rule.forced)
        name = _local(root.tag)
        if name == "ExceptionReport":
            texts = [t.strip() for t in root.itertext() if t.strip()]
            raise ParseError(f"the server answered an exception report: {'; '.join(texts)[:300]}",
                             pointer=f"line {root.sourceline}", expected="a GetFeature response")
        if name in COLLECTIONS:
            coll: dict[str, Any] = {}
            self.collection_meta(root, coll, graph)
            self.read_collection(root, graph)
            if coll:
                graph.meta["geojson:collection"] = coll
        else:
            graph.meta["ngsi-ld:single"] = True
            self.report.records_in += 1
            graph.nodes.append(self.gml_feature(root))
        return graph

    def collection_meta(self, root: Any, coll: dict[str, Any], graph: Graph) -> None:
        attrs = {_local(k): v for k, v in root.attrib.items() if _ns(k) != XSI}
        if attrs:
            graph.meta["wfs:collection"] = attrs
        for key in ("numberMatched", "numberReturned", "numberOfFeatures"):
            v = attrs.get(key, "")
            if v.isdigit():
                coll["numberReturned" if key == "numberOfFeatures" else key] = int(v)
        if "timeStamp" in attrs:
            coll["timeStamp"] = attrs["timeStamp"]
        links = [{"rel": rel, "href": attrs[rel], "type": "application/gml+xml"} for rel in ("next", "previous")
                 if rel in attrs]
        if links:
            coll["links"] = links
        for c in root:
            if _local(c.tag) == "boundedBy" and _ns(c.tag) in GML_NAMESPACES | {"http://www.opengis.net/wfs/2.0"}:
                try:
                    bbox = self.bbox(c)
                except _InvalidCoordinates as exc:
                    if not self.lenient:
                        raise ParseError(exc.message, pointer=exc.pointer, expected=exc.expected) from None
                    self.report.add(Dropped, exc.pointer, f"collection bbox not kept: {exc.message}",
                                    remedy="pass axis_order=xy or yx if the coordinates are read in the wrong order")
                    bbox = None
                if bbox is not None:
                    coll["bbox"] = bbox

    def read_collection(self, root: Any, graph: Graph) -> None:
        for m in root:
            if not isinstance(m.tag, str) or (_local(m.tag) not in MEMBERS and _local(m.tag) != "additionalObjects"):
                continue
            for f in m:
                if not isinstance(f.tag, str):
                    continue
                if _local(f.tag) in COLLECTIONS:
                    self.read_collection(f, graph)
                    continue
                self.report.records_in += 1
                try:
                    graph.nodes.append(self.gml_feature(f))
                except _InvalidCoordinates as exc:
                    if not self.lenient:
                        raise ParseError(exc.message, pointer=exc.pointer, expected=exc.expected) from None
                    self.report.add(Rejected, exc.pointer, f"feature skipped: {exc.message}",
                                    remedy="pass axis_order=xy or yx if the coordinates are read in the wrong order")
                except ParseError as exc:
                    self.report.add(Rejected, exc.pointer, f"invalid feature skipped: {exc.message}",
                                    remedy=f"fix the feature (expected {exc.expected})" if exc.expected else "")

    def bbox(self, bounded: Any) -> list | None:
        for env in bounded:
            if _local(env.tag) in ("Envelope", "Box"):
                srs = env.get("srsName")
                if srs and not self.default_srs:
                    self.default_srs = srs
                try:
                    g = gml_reader(None, self.default_srs, rule=self.rule).geometry(env, srs or self.default_srs,
                                                                                    None)
                except ParseError:
                    return None
                self.check_latitude(g, srs or self.default_srs, env)
                (x0, y0), (x1, y1) = g["coordinates"][0][0], g["coordinates"][0][2]
                return [x0, y0, x1, y1]
        return None

    def check_latitude(self, geom: dict, srs: str | None, el: Any) -> None:
        """A latitude outside [-90, 90] after the axis-order decision is an error, never silent."""
        bad = latitude_out_of_range(geom, srs)
        if bad is not None:
            raise _InvalidCoordinates(
                f"latitude {bad} is outside [-90, 90] after reading {srs or 'unlabelled'} coordinates as "
                f"{self.rule.order(srs)} ({self.rule.reason})", pointer=f"line {el.sourceline}",
                expected="coordinates in the axis order of their srsName (pass axis_order=xy or yx to override; "
                         "lenient=true skips such features with an event)")

    def type_of(self, el: Any) -> tuple[str, str]:
        local = _local(el.tag)
        hit = self._types.get(local)
        if hit is None:
            term = self.options.get("type") or local
            hit = (term, self.names.type_iri(term))
            self._types[local] = hit
        return hit

    def gml_feature(self, el: Any) -> Node:
        line = f"line {el.sourceline}"
        term, type_iri = self.type_of(el)
        node = Node("", [type_iri])
        gml_id = next((v for k, v in el.attrib.items() if _local(k) == "id" and _ns(k) in GML_NAMESPACES), None)
        gml_id = gml_id or el.get("fid")
        extra: dict[str, Any] = {}
        node.meta["geojson:feature"] = True
        identifier = None
        cast = self.schema.get(_local(el.tag), {}) if self.schema is not None else None
        groups: dict[str, list] = {}
        for c in el:
            if not isinstance(c.tag, str):
                continue
            name, ns = _local(c.tag), _ns(c.tag)
            if ns in GML_NAMESPACES and name == "boundedBy":
                bbox = self.bbox(c)
                if bbox is not None:
                    extra["bbox"] = bbox
                continue
            if ns in GML_NAMESPACES and name == "identifier":
                identifier = (c.text or "").strip()
                if URI_RE.match(identifier):
                    if c.get("codeSpace"):
                        node.meta["gml:identifierCodeSpace"] = c.get("codeSpace")
                    continue
            groups.setdefault(name, []).append(c)
        if identifier and URI_RE.match(identifier):
            node.id = identifier
            if gml_id:
                node.meta["geojson:id"] = gml_id
        elif gml_id:
            node.id = mint_id(term, gml_id)
            node.meta["geojson:id"] = gml_id
        else:
            from lxml import etree

            digest = hashlib.sha256(etree.tostring(el, method="c14n")).hexdigest()[:24]
            node.id = mint_id(term, digest)
            node.meta["geojson:id"] = MISSING_ID
            self.report.add(Approximated, line, "feature has no gml:id: entity id minted from a hash of its content",
                            remedy="request features with a gml:id (GML 3.2 requires one)")
        if gml_id:
            node.meta["gml:id"] = gml_id
        has_geometry = False
        for name, els in groups.items():
            geoms = [g for e in els for g in e if isinstance(g.tag, str) and is_gml_geometry(g)]
            if geoms:
                attr = self.gml_geometry(geoms, els[0])
                if attr is None:
                    continue
                if not has_geometry:
                    node.attrs[self.geom_iri] = [attr]
                    node.meta["gml:geometryProperty"] = name
                    has_geometry = True
                else:
                    self.put(node, name, attr, line)
                continue
            attr = self.gml_value(els, cast, name)
            self.put(node, name, attr, f"line {els[0].sourceline}")
        if not has_geometry:
            node.meta["geojson:noGeometry"] = True
        if extra:
            node.meta["geojson:members"] = extra
        return node

    def gml_geometry(self, geoms: list, prop: Any) -> Attr | None:
        reader = gml_reader(None, self.default_srs, rule=self.rule)
        where = f"line {geoms[0].sourceline}"
        try:
            gs = [reader.geometry(g, self.default_srs, None) for g in geoms]
        except ParseError as exc:
            self.report.add(Dropped, exc.pointer or where, f"GML geometry not read: {exc.message}",
                            remedy="request the geometry as simple features (GML 3.2 SF profile)")
            return None
        srs = reader.srs_seen or ({self.default_srs} if self.default_srs else set())
        for g, el in zip(gs, geoms, strict=True):
            self.check_latitude(g, el.get("srsName") or next(iter(srs), None), el)
        if not srs:
            self.report.add(Approximated, where, "geometry has no srsName: axis order x/y (lon/lat) and WGS 84 "
                            "assumed", remedy="pass srs_name=<CRS of the feature type> or axis_order=")
        for s in srs:
            if not is_wgs84(s):
                self.report.add(Dropped, where, f"CRS {s} is not carried: coordinates kept as given, but GeoJSON and "
                                "NGSI-LD read them as WGS 84 lon/lat",
                                remedy="request srsName=urn:ogc:def:crs:OGC:1.3:CRS84 or EPSG::4326 from the server")
        g = gs[0] if len(gs) == 1 else {"type": "GeometryCollection", "geometries": gs}
        return self.geo(g, where)

    def gml_value(self, els: list, cast: dict[str, Any] | None, name: str) -> Attr:
        vals = [self.element_value(e, cast, name) for e in els]
        first = els[0]
        href = first.get(f"{{{XLINK}}}href")
        if len(els) == 1 and href and URI_RE.match(href) and not len(first) and not (first.text or "").strip():
            return Attr(Kind.RELATIONSHIP, href)
        value = vals[0] if len(vals) == 1 else vals
        attr = self.value(value, f"line {first.sourceline}")
        uom = first.get("uom")
        if uom and attr.kind is Kind.PROPERTY:
            code = from_ucum(UCUM_URI.sub("", uom))
            if code is not None:
                attr.unit_code = code
            else:
                attr.attrs[self.names.iri("uom")] = [Attr(Kind.PROPERTY, uom)]
        for k, v in first.attrib.items():
            local = _local(k)
            if local in ("uom", "id", "href") or _ns(k) == XSI:
                continue
            if attr.kind in (Kind.PROPERTY, Kind.JSON) and len(els) == 1:
                attr.attrs[self.names.iri(local)] = [Attr(Kind.PROPERTY, v)]
        return attr

    def element_value(self, el: Any, cast: dict[str, Any] | None, name: str) -> Any:
        if el.get(f"{{{XSI}}}nil") in ("true", "1"):
            return None
        if len([c for c in el if isinstance(c.tag, str)]):
            return _xml_json(el)
        text = (el.text or "").strip()
        if cast is not None:
            fn = cast.get(name)
            if fn is None:
                return text
            try:
                return fn(text)
            except ValueError:
                self.report.add(Approximated, f"line {el.sourceline}", f"value {text[:40]!r} does not match its "
                                "schema type; kept as text")
                return text
        if self.infer:
            s = text
            if _INT.match(s):
                self.report.add(Approximated, f"line {el.sourceline}", "GML property typed from its text (no schema)",
                                remedy="pass schema=<DescribeFeatureType XSD>, or infer_types=False for strings")
                return int(s)
            if _DEC.match(s):
                self.report.add(Approximated, f"line {el.sourceline}", "GML property typed from its text (no schema)",
                                remedy="pass schema=<DescribeFeatureType XSD>, or infer_types=False for strings")
                return float(s)
        return text


class _InvalidCoordinates(ParseError):
    """A geometry read in a geographic CRS has a latitude outside [-90, 90]."""


def _xml_json(el: Any) -> Any:
    """Generic XML -> JSON for complex property values: attributes as ``@name``, text as ``#text``,
    repeated children as arrays, namespaces dropped."""
    out: dict[str, Any] = {f"@{_local(k)}": v for k, v in el.attrib.items() if _ns(k) != XSI}
    children = [c for c in el if isinstance(c.tag, str)]
    text = (el.text or "").strip()
    if not children:
        if not out:
            return el.text or ""
        if text:
            out["#text"] = text
        return out
    grouped: dict[str, list] = {}
    for c in children:
        grouped.setdefault(_local(c.tag), []).append(_xml_json(c))
    for key, vals in grouped.items():
        out[key] = vals[0] if len(vals) == 1 else vals
    return out


class WFSAdapter(Adapter):
    """``wfs-gml``: WFS GetFeature GML responses, read only (see module docs)."""

    name = "wfs-gml"
    capabilities = Capabilities(write=False, output="text", media_type="application/gml+xml",
                                notes="reads WFS 2.0 / 1.1 GetFeature (GML 3.2 / 3.1.1); safe XML parser")
    options: ClassVar[dict[str, OptionSpec]] = {
        **{k: v for k, v in GeoJSONAdapter.options.items() if k != "lang"},
        **option_table(
            OptionSpec("schema", None, "DescribeFeatureType XSD (text or path) typing the properties", "read"),
            OptionSpec("infer_types", True, "type properties without a schema from their text", "read"),
            OptionSpec("srs_name", None, "CRS of geometries without srsName (none: the collection's, else lon/lat)",
                       "read"),
            OptionSpec("axis_order", None, "force the axis order of GML coordinates: xy or yx (none: by srsName)",
                       "read"),
            OptionSpec("lenient", False, "skip features whose latitude is outside [-90, 90] with an event instead of "
                       "failing", "read")),
    }

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        root = parse_xml(data)
        return mint_ids(GMLReader(report, **options).read_xml(root), report, options)
