"""GML geometries (GML 3.2, 3.1.1, 2) <-> GeoJSON, with the axis order of their ``srsName``.

Part of :mod:`mimbridge.geometry` (which re-exports :func:`from_gml` and :func:`to_gml`).

>>> to_gml({"type": "Point", "coordinates": [2.2945, 48.8584]})  # doctest: +ELLIPSIS
'<gml:Point ...><gml:pos>2.2945 48.8584</gml:pos></gml:Point>'
>>> from_gml(_)
{'type': 'Point', 'coordinates': [2.2945, 48.8584]}
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import ParseError
from .geometry import (
    CRS84,
    GML32,
    GML_NAMESPACES,
    NORTH_FIRST,
    all_z,
    axis_order,
    check_structure,
    epsg_code,
    is_wgs84,
    num_text,
    swap_axes,
)

__all__ = ["AxisRule", "axis_rule", "from_gml", "gml_reader", "is_gml_geometry", "latitude_out_of_range", "to_gml"]


def _local(tag: Any) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _ns(tag: Any) -> str:
    return tag[1:].partition("}")[0] if isinstance(tag, str) and tag.startswith("{") else ""


def is_gml_geometry(el: Any) -> bool:
    """True for an lxml element that is a GML geometry this module reads."""
    return _ns(el.tag) in GML_NAMESPACES and _local(el.tag) in _GML_READERS


class _Gml:
    """Reads one GML geometry element tree (srsName and srsDimension inherited downwards)."""

    def __init__(self, swap: bool | None, default_srs: str | None,
                 order: Callable[[str | None], str] | None = None) -> None:
        self.swap = swap
        self.default_srs = default_srs
        self.order = order or axis_order
        self.srs_seen: set[str] = set()

    def fail(self, el: Any, message: str) -> ParseError:
        line = getattr(el, "sourceline", None)
        return ParseError(message, pointer=f"line {line}" if line else "", expected="a GML geometry")

    def dimension(self, el: Any) -> int:
        """``srsDimension`` of ``el`` (0 when absent); ParseError unless it is 1 to 4."""
        v = el.get("srsDimension")
        if not v:
            return 0
        v = v.strip()
        if not (v.isascii() and v.isdigit() and 1 <= int(v) <= 4):
            raise self.fail(el, f"srsDimension {v[:20]!r} is not a dimension")
        return int(v)

    def geometry(self, el: Any, srs: str | None, dim: int | None) -> dict:
        srs = el.get("srsName") or srs
        dim = self.dimension(el) or dim
        name = _local(el.tag)
        reader = _GML_READERS.get(name) if _ns(el.tag) in GML_NAMESPACES else None
        if reader is None:
            raise self.fail(el, f"unsupported GML geometry <{name}>")
        if srs:
            self.srs_seen.add(srs)
        return reader(self, el, srs, dim)

    def children(self, el: Any, *names: str) -> list:
        return [c for c in el if _local(c.tag) in names and _ns(c.tag) in GML_NAMESPACES]

    def members(self, el: Any, names: tuple[str, ...], srs: str | None, dim: int | None) -> list[dict]:
        return [self.geometry(g, srs, dim) for c in self.children(el, *names) for g in c if isinstance(g.tag, str)]

    def positions(self, el: Any, srs: str | None, dim: int | None) -> list[list]:
        swap = self.swap if self.swap is not None else self.order(srs or self.default_srs) == "yx"
        out: list[list] = []
        for c in el:
            n = _local(c.tag)
            if n == "posList":
                d = self.dimension(c) or dim or 2
                nums = self.numbers(c, (c.text or "").split())
                if len(nums) % d:
                    raise self.fail(c, f"posList has {len(nums)} numbers, not a multiple of srsDimension {d}")
                got = [nums[i:i + d] for i in range(0, len(nums), d)]
            elif n in ("pos", "lowerCorner", "upperCorner"):
                got = [self.numbers(c, (c.text or "").split())]
            elif n == "coordinates":
                got = self.coordinates(c)
            elif n == "coord":
                got = [self.numbers(c, [(x.text or "") for x in c if _local(x.tag) in ("X", "Y", "Z")])]
            elif n in ("pointProperty", "pointRep"):
                # a nested Point is read (and axis-ordered) by the point reader
                out.extend(self.geometry(g, srs, dim)["coordinates"] for g in c if isinstance(g.tag, str))
                continue
            else:
                continue
            out.extend([p[1], p[0], *p[2:]] if swap and len(p) >= 2 else p for p in got)
        return out

    def numbers(self, el: Any, texts: list[str]) -> list:
        try:
            nums = [float(t) for t in texts]
        except ValueError:
            raise self.fail(el, f"<{_local(el.tag)}> holds a value that is not a number") from None
        if not all(math.isfinite(x) for x in nums):
            raise self.fail(el, f"<{_local(el.tag)}> holds a non-finite number")
        return nums

    def coordinates(self, el: Any) -> list[list]:
        cs, ts, dec = el.get("cs", ","), el.get("ts", " "), el.get("decimal", ".")
        text = (el.text or "").strip()
        tuples = text.split() if ts.isspace() else text.split(ts)
        out = []
        for t in tuples:
            parts = [x.strip().replace(dec, ".") for x in t.split(cs) if x.strip()]
            if parts:
                out.append(self.numbers(el, parts))
        return out

    def point(self, el: Any, srs: str | None, dim: int | None) -> dict:
        ps = self.positions(el, srs, dim)
        if len(ps) != 1:
            raise self.fail(el, f"Point has {len(ps)} positions")
        return {"type": "Point", "coordinates": ps[0]}

    def ring(self, el: Any, srs: str | None, dim: int | None) -> list[list]:
        name = _local(el.tag)
        if name == "LinearRing":
            return self.positions(el, srs, dim)
        if name == "Ring":  # curveMember children, concatenated
            parts = [self.line_of(g, srs, dim) for c in self.children(el, "curveMember") for g in c
                     if isinstance(g.tag, str)]
            return _concat(parts)
        raise self.fail(el, f"unsupported ring <{name}>")

    def boundary(self, el: Any, srs: str | None, dim: int | None) -> list[list[list]]:
        return [self.ring(r, srs, dim) for c in self.children(el, "exterior", "outerBoundaryIs", "interior",
                                                               "innerBoundaryIs") for r in c if isinstance(r.tag, str)]

    def line_of(self, el: Any, srs: str | None, dim: int | None) -> list[list]:
        g = self.geometry(el, srs, dim)
        if g["type"] != "LineString":
            raise self.fail(el, f"expected a curve, got {g['type']}")
        return g["coordinates"]

    def curve(self, el: Any, srs: str | None, dim: int | None) -> dict:
        parts = []
        for s in (s for segs in self.children(el, "segments") for s in segs if isinstance(s.tag, str)):
            if _local(s.tag) != "LineStringSegment":
                raise self.fail(s, f"curve segment <{_local(s.tag)}> is not linear (unsupported)")
            parts.append(self.positions(s, srs, dim))
        return {"type": "LineString", "coordinates": _concat(parts)}

    def composite_curve(self, el: Any, srs: str | None, dim: int | None) -> dict:
        parts = [self.line_of(g, srs, dim) for c in self.children(el, "curveMember") for g in c
                 if isinstance(g.tag, str)]
        return {"type": "LineString", "coordinates": _concat(parts)}

    def surface(self, el: Any, srs: str | None, dim: int | None) -> dict:
        polys = [self.boundary(p, srs, dim) for c in self.children(el, "patches", "polygonPatches") for p in c
                 if isinstance(p.tag, str)]
        if len(polys) == 1:
            return {"type": "Polygon", "coordinates": polys[0]}
        return {"type": "MultiPolygon", "coordinates": polys}

    def multi(self, el: Any, srs: str | None, dim: int | None, kind: str) -> dict:
        names = {"Point": ("pointMember", "pointMembers"),
                 "Line": ("curveMember", "lineStringMember", "curveMembers"),
                 "Polygon": ("surfaceMember", "polygonMember", "surfaceMembers"),
                 "Geometry": ("geometryMember", "geometryMembers")}[kind]
        gs = self.members(el, names, srs, dim)
        if kind == "Geometry":
            return {"type": "GeometryCollection", "geometries": gs}
        single, t = {"Point": ("Point", "MultiPoint"), "Line": ("LineString", "MultiLineString"),
                     "Polygon": ("Polygon", "MultiPolygon")}[kind]
        out: list = []
        for g in gs:
            if g["type"] == single:
                out.append(g["coordinates"])
            elif g["type"] == t:
                out.extend(g["coordinates"])
            else:
                raise self.fail(el, f"{g['type']} member in <{_local(el.tag)}>")
        return {"type": t, "coordinates": out}

    def envelope(self, el: Any, srs: str | None, dim: int | None) -> dict:
        ps = self.positions(el, srs, dim)
        if len(ps) != 2:
            raise self.fail(el, "envelope needs two corners")
        (x0, y0), (x1, y1) = ps[0][:2], ps[1][:2]
        return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _concat(parts: list[list[list]]) -> list[list]:
    out: list[list] = []
    for p in parts:
        out.extend(p[1:] if out and p and out[-1] == p[0] else p)
    return out


_GML_READERS: dict[str, Any] = {
    "Point": _Gml.point,
    "LineString": lambda s, e, r, d: {"type": "LineString", "coordinates": s.positions(e, r, d)},
    "Curve": _Gml.curve,
    "CompositeCurve": _Gml.composite_curve,
    "Polygon": lambda s, e, r, d: {"type": "Polygon", "coordinates": s.boundary(e, r, d)},
    "Surface": _Gml.surface,
    "MultiPoint": lambda s, e, r, d: s.multi(e, r, d, "Point"),
    "MultiCurve": lambda s, e, r, d: s.multi(e, r, d, "Line"),
    "MultiLineString": lambda s, e, r, d: s.multi(e, r, d, "Line"),
    "MultiSurface": lambda s, e, r, d: s.multi(e, r, d, "Polygon"),
    "MultiPolygon": lambda s, e, r, d: s.multi(e, r, d, "Polygon"),
    "CompositeSurface": lambda s, e, r, d: s.multi(e, r, d, "Polygon"),
    "MultiGeometry": lambda s, e, r, d: s.multi(e, r, d, "Geometry"),
    "Envelope": _Gml.envelope,
    "Box": _Gml.envelope,
}


def from_gml(gml: Any, *, srs_name: str | None = None, axis: str | None = None) -> dict:
    """A GeoJSON geometry (lon/lat) from a GML geometry element (lxml) or GML text.

    The axis order comes from the nearest ``srsName`` (or ``srs_name`` when
    the GML has none) by :func:`axis_order`; ``axis="xy"``/``"yx"`` forces
    it. 3D positions (``srsDimension="3"``) are kept. ParseError with the
    line number for unsupported or malformed GML.

    >>> from_gml('<gml:Point xmlns:gml="http://www.opengis.net/gml/3.2" srsName="urn:ogc:def:crs:EPSG::4326">'
    ...          '<gml:pos>48.85 2.29</gml:pos></gml:Point>')
    {'type': 'Point', 'coordinates': [2.29, 48.85]}
    """
    el = gml
    if isinstance(gml, (str, bytes)):
        from .safexml import parse_xml

        el = parse_xml(gml)
    if axis not in (None, "xy", "yx"):
        raise ValueError(f"axis must be 'xy' or 'yx', not {axis!r}")
    reader = _Gml(None if axis is None else axis == "yx", srs_name)
    return reader.geometry(el, srs_name, None)


def gml_reader(swap: bool | None, default_srs: str | None, *, rule: AxisRule | None = None) -> _Gml:
    """A reusable GML geometry reader (used by the WFS adapter); ``.srs_seen`` collects srsNames.

    ``rule`` (:func:`axis_rule` of the document) decides the axis order of each srsName.
    """
    return _Gml(swap, default_srs, rule.order if rule is not None else None)


def to_gml(geom: dict, *, srs_name: str = CRS84, gml_id: str = "g") -> str:
    """GML 3.2 text of a GeoJSON geometry, in the axis order of ``srs_name``; ids ``gml_id``, ``gml_id.1``...

    Multi* types become ``MultiPoint`` / ``MultiCurve`` / ``MultiSurface``,
    a GeometryCollection a ``MultiGeometry``; 3D geometries get ``srsDimension="3"``.

    >>> print(to_gml({"type": "Point", "coordinates": [2.29, 48.85]}, srs_name="urn:ogc:def:crs:EPSG::4326"))
    ... # doctest: +NORMALIZE_WHITESPACE
    <gml:Point xmlns:gml="http://www.opengis.net/gml/3.2" gml:id="g"
      srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>48.85 2.29</gml:pos></gml:Point>
    """
    prob = check_structure(geom, "")
    if prob is not None:
        raise ParseError(prob.reason, pointer=prob.pointer, expected="a GeoJSON geometry")
    if axis_order(srs_name) == "yx":
        geom = swap_axes(geom)
    counter = [0]
    z = _geom_z(geom)
    dim = 3 if z else 2
    root = f' xmlns:gml="{GML32}"'
    tail = f' srsName="{_xml_attr(srs_name)}"' + (' srsDimension="3"' if z else "")

    def open_(name: str) -> str:
        n = counter[0]
        counter[0] += 1
        ident = gml_id if n == 0 else f"{gml_id}.{n}"
        return f'<gml:{name}{root if n == 0 else ""} gml:id="{_xml_attr(ident)}"{tail if n == 0 else ""}>'

    def pos(p: list) -> str:
        return " ".join(num_text(x) for x in p[:dim])

    def poslist(ps: list) -> str:
        return f"<gml:posList>{' '.join(pos(p) for p in ps)}</gml:posList>"

    def polygon(rings: list) -> str:
        head = open_("Polygon")
        parts = [f"<gml:{w}><gml:LinearRing>{poslist(r)}</gml:LinearRing></gml:{w}>"
                 for w, r in zip(["exterior"] + ["interior"] * (len(rings) - 1), rings, strict=True)]
        return f"{head}{''.join(parts)}</gml:Polygon>"

    def multi(name: str, member: str, items: list) -> str:
        head = open_(name)
        return f"{head}{''.join(f'<gml:{member}>{x()}</gml:{member}>' for x in items)}</gml:{name}>"

    def body(g: dict) -> str:
        t, c = g["type"], g.get("coordinates")
        c = c if c is not None else []
        if t == "Point":
            return f"{open_('Point')}<gml:pos>{pos(c)}</gml:pos></gml:Point>"
        if t == "LineString":
            return f"{open_('LineString')}{poslist(c)}</gml:LineString>"
        if t == "Polygon":
            return polygon(c)
        if t == "MultiPoint":
            return multi("MultiPoint", "pointMember",
                         [lambda p=p: body({"type": "Point", "coordinates": p}) for p in c])
        if t == "MultiLineString":
            return multi("MultiCurve", "curveMember",
                         [lambda p=p: body({"type": "LineString", "coordinates": p}) for p in c])
        if t == "MultiPolygon":
            return multi("MultiSurface", "surfaceMember", [lambda p=p: polygon(p) for p in c])
        return multi("MultiGeometry", "geometryMember", [lambda m=m: body(m) for m in g["geometries"]])

    return body(geom)


def _geom_z(g: dict) -> bool:
    if g["type"] == "GeometryCollection":
        return bool(g["geometries"]) and all(_geom_z(m) for m in g["geometries"])
    return all_z(g["coordinates"])


def _xml_attr(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


# -- the axis-order rule of a GML document ----------------------------------------------------------------
#: The namespace MapServer gives its feature types unless a mapfile sets ``wfs_namespace_uri``.
MAPSERVER_NS = "http://mapserver.gis.umn.edu/mapserver"
WFS1_NS = "http://www.opengis.net/wfs"
_LEGACY_SHORT = re.compile(r"EPSG:(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class AxisRule:
    """How the coordinates of one GML document are ordered, and why (``reason``).

    ``forced`` is the ``axis_order=`` override; ``legacy_epsg_order`` makes the
    short label ``EPSG:n`` follow the EPSG axis order (MapServer's WFS 1.1
    output); ``requested`` is the srsName the request asked for, when known
    (the WFS client), whose axis order a short label of the same code takes.

    >>> AxisRule().order("EPSG:4326"), AxisRule(legacy_epsg_order=True).order("EPSG:4326")
    ('xy', 'yx')
    """

    forced: str | None = None
    legacy_epsg_order: bool = False
    requested: str | None = None
    reason: str = "srsName form"

    def order(self, srs_name: str | None) -> str:
        """``"xy"`` or ``"yx"`` for coordinates labelled ``srs_name`` in this document."""
        if self.forced is not None:
            return self.forced
        if not srs_name:
            return "xy"
        m = _LEGACY_SHORT.match(srs_name.strip())
        if m is None:
            return axis_order(srs_name)
        code = int(m.group(1))
        if code not in NORTH_FIRST:
            return "xy"
        if self.legacy_epsg_order:
            return "yx"
        if self.requested and epsg_code(self.requested) == code and axis_order(self.requested) == "yx":
            return "yx"
        return "xy"


def _wfs_version(root: Any) -> str | None:
    ns = _ns(root.tag)
    if ns == "http://www.opengis.net/wfs/2.0":
        return "2.0"
    if ns != WFS1_NS:
        return None
    version = root.get("version") or ""
    if version[:3] in ("1.0", "1.1"):
        return version[:3]
    loc = root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation") or ""
    for v in ("1.1", "1.0"):
        if f"wfs/{v}" in loc or f"VERSION={v}" in loc.upper():
            return v
    gml = "{http://www.opengis.net/gml}"
    for el in root.iter(gml + "pos", gml + "posList", gml + "lowerCorner", gml + "coordinates", gml + "coord"):
        return "1.0" if _local(el.tag) in ("coordinates", "coord") else "1.1"
    return None


def axis_rule(root: Any = None, *, axis_order: str | None = None, requested: str | None = None) -> AxisRule:
    """The axis-order rule of a WFS / GML document (an lxml root), shared by the ``wfs-gml`` reader and the WFS client.

    In order: ``axis_order=`` ("xy"/"yx") wins; a srsName in an authority form
    (``urn:ogc:def:crs:EPSG::4326``, ``http://www.opengis.net/def/crs/EPSG/0/4326``,
    ``urn:x-ogc:def:crs:EPSG:4326``) follows the EPSG axis order; the short
    form ``EPSG:4326`` follows the EPSG order in a WFS 1.1 / GML 3.1.1 document
    written by MapServer (its feature namespace or its DescribeFeatureType URL
    in ``schemaLocation``), or when the request asked for the authority form
    of the same code (``requested``); otherwise short forms and
    ``http://www.opengis.net/gml/srs/epsg.xml#4326`` are x/y (lon/lat), as in
    WFS 1.0, GeoServer and GDAL.

    >>> from lxml import etree
    >>> doc = etree.fromstring('<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" '
    ...     'xmlns:ms="http://mapserver.gis.umn.edu/mapserver" xmlns:gml="http://www.opengis.net/gml">'
    ...     '<gml:Envelope srsName="EPSG:4326"><gml:lowerCorner>51.46 103.62</gml:lowerCorner></gml:Envelope>'
    ...     '</wfs:FeatureCollection>')
    >>> axis_rule(doc).order("EPSG:4326"), axis_rule(doc, axis_order="xy").order("EPSG:4326")
    ('yx', 'xy')
    """
    if axis_order is not None:
        if axis_order not in ("xy", "yx"):
            raise ValueError(f"axis_order {axis_order!r} is not 'xy' or 'yx'")
        return AxisRule(forced=axis_order, reason=f"axis_order={axis_order}")
    if root is None:
        return AxisRule(requested=requested, reason="requested srsName" if requested else "srsName form")
    version = _wfs_version(root)
    loc = (root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation") or "").lower()
    mapserver = MAPSERVER_NS in (root.nsmap or {}).values() or "mapserv" in loc
    if mapserver and version == "1.1":
        return AxisRule(legacy_epsg_order=True, requested=requested,
                        reason="MapServer WFS 1.1 writes EPSG:n coordinates in the EPSG axis order")
    return AxisRule(requested=requested, reason="requested srsName" if requested else "srsName form")


def latitude_out_of_range(geom: dict, srs_name: str | None) -> float | None:
    """The first latitude outside [-90, 90] of a GeoJSON-ordered geometry in a geographic CRS, else None.

    >>> latitude_out_of_range({"type": "Point", "coordinates": [51.46, 103.62]}, "EPSG:4326")
    103.62
    """
    if srs_name and not is_wgs84(srs_name) and epsg_code(srs_name) not in _GEOGRAPHIC:
        return None
    return _bad_lat(geom.get("geometries") or [geom])


def _bad_lat(geoms: list) -> float | None:
    for g in geoms:
        if g.get("type") == "GeometryCollection":
            hit = _bad_lat(g.get("geometries") or [])
        else:
            hit = _bad_lat_c(g.get("coordinates"))
        if hit is not None:
            return hit
    return None


def _bad_lat_c(c: Any) -> float | None:
    if not isinstance(c, list) or not c:
        return None
    if isinstance(c[0], (int, float)):
        return c[1] if len(c) > 1 and isinstance(c[1], (int, float)) and not -90 <= c[1] <= 90 else None
    for x in c:
        hit = _bad_lat_c(x)
        if hit is not None:
            return hit
    return None


#: Geographic 2D/3D EPSG codes (latitude is one axis); the projected ones of NORTH_FIRST are not here.
_GEOGRAPHIC = frozenset(c for c in NORTH_FIRST if c < 10000 and c not in {3034, 3035, 3006, 3844, 2180, 2176, 2177,
                                                                          2178, 2179})
