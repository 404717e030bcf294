"""Geometries: GeoJSON <-> shapely <-> WKT <-> GML, validation and axis order.

GeoJSON geometry dicts are the model's form of a geometry (``GeoProperty``
values); this module converts them and checks them:

* :func:`to_wkt` / :func:`from_wkt`: WKT (and GeoSPARQL ``geo:wktLiteral``
  with a leading CRS IRI), written and parsed here so that coordinates round
  trip exactly (``repr`` of each float) and 3D coordinates are kept; M values
  are dropped on reading (GeoJSON has none);
* :func:`to_shape` / :func:`from_shape`: shapely 2 objects;
* ``from_gml`` / ``to_gml`` (in :mod:`mimbridge.geometry_gml`, also reachable
  here): GML 3.2 / 3.1.1 / 2 geometry elements, with the axis order of their
  ``srsName`` (:func:`axis_order`);
* :func:`validate`: structure (RFC 7946 nesting, closed rings, numbers) and
  OGC validity (shapely ``explain_validity``); ``repair=True`` applies
  shapely ``make_valid``. Nothing is changed unless repair is asked for.

All GeoJSON types are handled, ``GeometryCollection`` and the ``Multi*``
types included. GeoJSON positions are longitude, latitude (CRS84).

>>> to_wkt({"type": "Point", "coordinates": [2.2945, 48.8584, 35.0]})
'POINT Z (2.2945 48.8584 35.0)'
>>> from_wkt("<http://www.opengis.net/def/crs/EPSG/0/4326> POINT(48.8584 2.2945)")
{'type': 'Point', 'coordinates': [2.2945, 48.8584]}
>>> validate({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]})[1].reason
'Self-intersection[0.5 0.5]'
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .errors import ParseError

__all__ = [
    "CRS84",
    "GEOMETRY_TYPES",
    "Problem",
    "axis_order",
    "from_shape",
    "from_wkt",
    "is_geometry",
    "is_wgs84",
    "to_shape",
    "to_wkt",
    "validate",
]

GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                  "GeometryCollection")
_TYPES = frozenset(GEOMETRY_TYPES)
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GML32 = "http://www.opengis.net/gml/3.2"
GML_NAMESPACES = frozenset({GML32, "http://www.opengis.net/gml"})


def is_geometry(v: Any) -> bool:
    """True for a dict shaped like a GeoJSON geometry (type and coordinates / geometries).

    >>> is_geometry({"type": "Point", "coordinates": [1, 2]}), is_geometry({"type": "Feature"})
    (True, False)
    """
    return (v.__class__ is dict and v.get("type").__class__ is str and v["type"] in _TYPES
            and ("coordinates" in v or "geometries" in v))


# -- validation --------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a geometry: where (JSON pointer inside it), why, and of which sort.

    ``structural``: not a GeoJSON geometry at all (bad nesting, not numbers,
    open ring); otherwise OGC-invalid (the reason is shapely's
    ``explain_validity``). ``repaired``: the returned geometry is the
    ``make_valid`` result.
    """

    pointer: str
    reason: str
    structural: bool
    repaired: bool = False


def validate(geom: Any, *, repair: bool = False) -> tuple[Any, Problem | None]:
    """Check a GeoJSON geometry; return ``(geometry, problem or None)``.

    The geometry is returned unchanged unless ``repair=True`` and it is
    OGC-invalid, in which case the ``make_valid`` result is returned.
    Structural problems cannot be repaired.

    >>> validate({"type": "Point", "coordinates": [1, 2]})
    ({'type': 'Point', 'coordinates': [1, 2]}, None)
    >>> g, p = validate({"type": "Polygon", "coordinates": [[1, 2], [3, 4], [5, 6], [1, 2]]})
    >>> p.pointer, p.structural
    ('/coordinates/0', True)
    >>> g, p = validate({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
    ...                 repair=True)
    >>> g["type"], p.repaired
    ('MultiPolygon', True)
    """
    if geom.__class__ is dict and geom.get("type") == "Point":  # fast path: the common case
        c = geom.get("coordinates")
        if c.__class__ is list and 2 <= len(c) <= 3 and all(_is_num(x) for x in c):
            return geom, None
    prob = check_structure(geom, "")
    if prob is not None:
        return geom, prob
    if geom["type"] in ("Point", "MultiPoint"):
        return geom, None
    from shapely.validation import explain_validity, make_valid

    shp = to_shape(geom)
    if shp.is_valid:
        return geom, None
    reason = explain_validity(shp)
    if not repair:
        return geom, Problem("", reason, False)
    return from_shape(make_valid(shp)), Problem("", reason, False, repaired=True)


def _is_num(x: Any) -> bool:
    c = x.__class__
    return (c is float and math.isfinite(x)) or c is int


def _position(p: Any, ptr: str) -> Problem | None:
    if p.__class__ is not list:
        return Problem(ptr, f"position is {_what(p)}, not an array of numbers", True)
    if not 2 <= len(p) <= 4:
        return Problem(ptr, f"position has {len(p)} numbers (expected 2 or 3)", True)
    for i, x in enumerate(p):
        if not _is_num(x):
            return Problem(f"{ptr}/{i}", f"coordinate is {_what(x)}, not a finite number", True)
    return None


def _what(x: Any) -> str:
    if isinstance(x, list):
        return "an array"
    if isinstance(x, dict):
        return "an object"
    if isinstance(x, str):
        return f"the string {x[:40]!r}"
    return repr(x)


def _positions(ps: Any, ptr: str, least: int, what: str) -> Problem | None:
    if ps.__class__ is not list:
        return Problem(ptr, f"{what} is {_what(ps)}, not an array of positions", True)
    for i, p in enumerate(ps):
        prob = _position(p, f"{ptr}/{i}")
        if prob is not None:
            return prob
    if ps and len(ps) < least:
        return Problem(ptr, f"{what} has {len(ps)} positions (at least {least} needed)", True)
    return None


def _ring(r: Any, ptr: str) -> Problem | None:
    if r.__class__ is list and r and _is_num(r[0]):
        return Problem(ptr, "linear ring is a single position: the ring is missing one level of array nesting",
                       True)
    prob = _positions(r, ptr, 4, "linear ring")
    if prob is None and r and r[0][:3] != r[-1][:3]:
        return Problem(ptr, "linear ring is not closed (first and last positions differ)", True)
    return prob


def _polygon(rings: Any, ptr: str) -> Problem | None:
    if rings.__class__ is not list:
        return Problem(ptr, f"polygon is {_what(rings)}, not an array of linear rings", True)
    for i, r in enumerate(rings):
        prob = _ring(r, f"{ptr}/{i}")
        if prob is not None:
            return prob
    return None


def check_structure(g: Any, ptr: str) -> Problem | None:
    if g.__class__ is not dict:
        return Problem(ptr, f"geometry is {_what(g)}, not an object", True)
    t = g.get("type")
    if t not in _TYPES:
        return Problem(f"{ptr}/type", f"unknown geometry type {t!r}", True)
    if t == "GeometryCollection":
        gs = g.get("geometries")
        if gs.__class__ is not list:
            return Problem(f"{ptr}/geometries", "GeometryCollection has no 'geometries' array", True)
        for i, m in enumerate(gs):
            prob = check_structure(m, f"{ptr}/geometries/{i}")
            if prob is not None:
                return prob
        return None
    if "coordinates" not in g:
        return Problem(ptr, f"{t} has no 'coordinates'", True)
    c, cp = g["coordinates"], f"{ptr}/coordinates"
    if t == "Point":
        return None if c == [] else _position(c, cp)
    if t == "MultiPoint":
        return _positions(c, cp, 0, "MultiPoint")
    if t == "LineString":
        return _positions(c, cp, 2, "LineString")
    if t == "Polygon":
        return _polygon(c, cp)
    if c.__class__ is not list:
        return Problem(cp, f"{t} coordinates are {_what(c)}, not an array", True)
    for i, part in enumerate(c):
        sub = _positions(part, f"{cp}/{i}", 2, "LineString") if t == "MultiLineString" else \
            _polygon(part, f"{cp}/{i}")
        if sub is not None:
            return sub
    return None


# -- shapely -------------------------------------------------------------------
def to_shape(geom: dict) -> Any:
    """A shapely geometry for a GeoJSON geometry (ParseError with a pointer if malformed).

    >>> to_shape({"type": "LineString", "coordinates": [[0, 0], [3, 4]]}).length
    5.0
    """
    prob = check_structure(geom, "")
    if prob is not None:
        raise ParseError(prob.reason, pointer=prob.pointer, expected="a GeoJSON geometry")
    from shapely.geometry import shape

    return shape(geom)


def from_shape(shp: Any) -> dict:
    """The GeoJSON dict (lists, not tuples) of a shapely geometry; Z kept.

    >>> import shapely
    >>> from_shape(shapely.Point(1, 2, 3))
    {'type': 'Point', 'coordinates': [1.0, 2.0, 3.0]}
    """
    return _lists(shp.__geo_interface__)


def _lists(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _lists(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_lists(v) for v in x]
    return x


# -- axis order -------------------------------------------------------------------
#: EPSG CRSs whose first axis is north (latitude / northing) in their URN and
#: http URI forms. Geographic CRSs in common use, and projected CRSs with a
#: northing first axis seen in European WFS services. Others are taken as x/y;
#: pass ``axis_order="yx"`` for a CRS this table does not know.
NORTH_FIRST = frozenset({
    # geographic 2D / 3D (latitude first)
    4326, 4979, 4258, 4937, 4269, 4267, 4283, 7844, 4230, 4277, 4612, 6668, 4490, 4674, 4148, 4167, 4322,
    6318, 4617, 4314, 4289, 4313, 4275, 4171, 4150, 4149, 4618, 4624, 4746, 4755, 4764,
    # projected, northing first
    3034, 3035, 3006, 3844, 2180, 2176, 2177, 2178, 2179, 31466, 31467, 31468, 31469,
})
_WGS84_CODES = frozenset({4326, 4979})
_CRS84 = re.compile(r"(?:urn:ogc:def:crs:OGC:[^:]*:|https?://www\.opengis\.net/def/crs/OGC/[^/]+/|OGC:|CRS:?)"
                    r"CRS ?84h?$|CRS:84$", re.IGNORECASE)
_AUTHORITY = re.compile(r"(?:urn:(?:x-)?ogc:def:crs:EPSG:(?:[^:]*:)?|https?://www\.opengis\.net/def/crs/EPSG/[^/]+/)"
                        r"(\d+)$", re.IGNORECASE)
_LEGACY = re.compile(r"(?:EPSG:|https?://www\.opengis\.net/gml/srs/epsg\.xml#)(\d+)$", re.IGNORECASE)


def epsg_code(srs_name: str | None) -> int | None:
    """The EPSG code named by a srsName / CRS IRI, or None (CRS84 and others).

    >>> epsg_code("urn:ogc:def:crs:EPSG::4326"), epsg_code("EPSG:25832"), epsg_code(CRS84)
    (4326, 25832, None)
    """
    if not srs_name:
        return None
    s = srs_name.strip()
    m = _AUTHORITY.match(s) or _LEGACY.match(s)
    return int(m.group(1)) if m else None


def axis_order(srs_name: str | None) -> str:
    """``"yx"`` when coordinates in this CRS come north first, else ``"xy"``.

    Rules: CRS84 is lon/lat; the authority forms of EPSG codes
    (``urn:ogc:def:crs:EPSG::4326``, ``http://www.opengis.net/def/crs/EPSG/0/4326``)
    follow the EPSG axis order (:data:`NORTH_FIRST`); the legacy short forms
    ``EPSG:4326`` and ``http://www.opengis.net/gml/srs/epsg.xml#4326`` are x/y
    (lon/lat), as WFS 1.0/1.1 servers and GDAL use them; unknown or absent: x/y.

    >>> axis_order("urn:ogc:def:crs:EPSG::4326"), axis_order("EPSG:4326"), axis_order(CRS84)
    ('yx', 'xy', 'xy')
    """
    if not srs_name:
        return "xy"
    m = _AUTHORITY.match(srs_name.strip())
    return "yx" if m and int(m.group(1)) in NORTH_FIRST else "xy"


def is_wgs84(srs_name: str | None) -> bool:
    """True for CRS84 (2D/3D) and EPSG:4326 / 4979 in any spelling: GeoJSON-compatible after axis order.

    >>> is_wgs84("urn:ogc:def:crs:OGC:1.3:CRS84"), is_wgs84("EPSG:4326"), is_wgs84("EPSG:25832")
    (True, True, False)
    """
    if not srs_name:
        return False
    s = srs_name.strip()
    return bool(_CRS84.match(s)) or epsg_code(s) in _WGS84_CODES


def swap_axes(geom: Any) -> Any:
    """Swap the first two numbers of every position (lat/lon <-> lon/lat)."""
    if geom.get("type") == "GeometryCollection":
        return {**geom, "geometries": [swap_axes(g) for g in geom["geometries"]]}
    return {**geom, "coordinates": _swap_c(geom["coordinates"])}


def _swap_c(c: Any) -> Any:
    if c and _is_num(c[0]):
        return [c[1], c[0], *c[2:]]
    return [_swap_c(x) for x in c]


# -- WKT ---------------------------------------------------------------------------
_WKT_NAMES = {t.upper(): t for t in GEOMETRY_TYPES}


def num_text(x: float | int) -> str:
    r = repr(x)
    if "e" in r or "E" in r:  # WKT readers differ on exponents: write the exact positional form
        r = format(Decimal(r), "f")
    return r


def to_wkt(geom: dict, *, crs: str | None = None) -> str:
    """WKT of a GeoJSON geometry; with ``crs``, a GeoSPARQL ``wktLiteral`` (``<crs> WKT``).

    Coordinates are written exactly (shortest ``repr``); a geometry whose
    positions all have a third number is written ``Z``; with a ``crs`` whose
    axis order is north first (:func:`axis_order`) the axes are swapped, as
    GeoSPARQL prescribes. ParseError (with a pointer) for a malformed geometry.

    >>> to_wkt({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]})
    'POLYGON ((0 0, 1 0, 1 1, 0 0))'
    >>> to_wkt({"type": "Point", "coordinates": [2.29, 48.85]}, crs="http://www.opengis.net/def/crs/EPSG/0/4326")
    '<http://www.opengis.net/def/crs/EPSG/0/4326> POINT (48.85 2.29)'
    """
    prob = check_structure(geom, "")
    if prob is not None:
        raise ParseError(prob.reason, pointer=prob.pointer, expected="a GeoJSON geometry")
    if crs is None:
        return _wkt(geom)
    if axis_order(crs) == "yx":
        geom = swap_axes(geom)
    return f"<{crs}> {_wkt(geom)}"


def all_z(c: Any) -> bool:
    if not c:
        return False
    if _is_num(c[0]):
        return len(c) >= 3
    return all(all_z(x) for x in c)


def _wkt(g: dict) -> str:
    t = g["type"]
    if t == "GeometryCollection":
        parts = [_wkt(m) for m in g["geometries"]]
        if not parts:
            return "GEOMETRYCOLLECTION EMPTY"
        z = all(" Z " in p for p in parts)
        return f"GEOMETRYCOLLECTION{' Z' if z else ''} ({', '.join(parts)})"
    c = g["coordinates"]
    name = t.upper()
    if not c:
        return f"{name} EMPTY"
    z = all_z(c)
    dim = 3 if z else 2

    def pos(p: list) -> str:
        return " ".join(num_text(x) for x in p[:dim])

    def seq(ps: list) -> str:
        return f"({', '.join(pos(p) for p in ps)})"

    def poly(rings: list) -> str:
        return f"({', '.join(seq(r) for r in rings)})"

    if t == "Point":
        body = f"({pos(c)})"
    elif t in ("LineString", "MultiPoint"):
        body = seq(c) if t == "LineString" else f"({', '.join(f'({pos(p)})' for p in c)})"
    elif t in ("Polygon", "MultiLineString"):
        body = poly(c)
    else:
        body = f"({', '.join(poly(p) for p in c)})"
    return f"{name}{' Z' if z else ''} {body}"


_WKT_TOKEN = re.compile(r"\s*(?:(?P<num>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?P<word>[A-Za-z]+)|(?P<p>[(),])"
                        r"|(?P<bad>\S))")


class _WktParser:
    def __init__(self, text: str, offset: int) -> None:
        self.tokens: list[tuple[str, str, int]] = []
        for m in _WKT_TOKEN.finditer(text):
            kind = m.lastgroup or "bad"
            self.tokens.append((kind, m.group(kind), offset + m.start(kind) + 1))
        self.i = 0
        self.end = offset + len(text) + 1

    def _fail(self, expected: str) -> ParseError:
        col = self.tokens[self.i][2] if self.i < len(self.tokens) else self.end
        got = repr(self.tokens[self.i][1]) if self.i < len(self.tokens) else "end of text"
        return ParseError(f"malformed WKT: {got} at column {col}", pointer=f"column {col}", expected=expected)

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.i][:2] if self.i < len(self.tokens) else ("", "")

    def take(self, kind: str, value: str | None = None, expected: str = "") -> str:
        k, v = self.peek()
        if k != kind or (value is not None and v.upper() != value):
            raise self._fail(expected or (value or kind))
        self.i += 1
        return v

    def geometry(self) -> dict:
        word = self.take("word", expected="a WKT geometry type").upper()
        dims = ""
        for suffix in ("ZM", "Z", "M"):
            if word.endswith(suffix) and word[: -len(suffix)] in _WKT_NAMES:
                word, dims = word[: -len(suffix)], suffix
                break
        t = _WKT_NAMES.get(word)
        if t is None:
            self.i -= 1
            raise self._fail("one of " + ", ".join(n for n in _WKT_NAMES))
        k, v = self.peek()
        if k == "word" and v.upper() in ("Z", "M", "ZM"):
            dims = v.upper()
            self.i += 1
        k, v = self.peek()
        if k == "word" and v.upper() == "EMPTY":
            self.i += 1
            return {"type": t, "geometries": []} if t == "GeometryCollection" else {"type": t, "coordinates": []}
        if t == "GeometryCollection":
            return {"type": t, "geometries": self.listof(self.geometry)}
        if t == "Point":
            start = self.i
            coords = self.listof(lambda: self.position(dims))
            if len(coords) != 1:
                self.i = start
                raise self._fail("one position in a POINT")
            return {"type": t, "coordinates": coords[0]}
        if t == "LineString":
            coords = self.positions(dims)
        elif t == "MultiPoint":
            coords = self.listof(lambda: self.point_member(dims))
        elif t in ("Polygon", "MultiLineString"):
            coords = self.listof(lambda: self.positions(dims))
        else:
            coords = self.listof(lambda: self.listof(lambda: self.positions(dims)))
        return {"type": t, "coordinates": coords}

    def listof(self, item: Any) -> list:
        self.take("p", "(", "'('")
        out = [item()]
        while self.peek() == ("p", ","):
            self.i += 1
            out.append(item())
        self.take("p", ")", "',' or ')'")
        return out

    def positions(self, dims: str) -> list:
        return self.listof(lambda: self.position(dims))

    def point_member(self, dims: str) -> list:
        return self.positions(dims)[0] if self.peek() == ("p", "(") else self.position(dims)

    def position(self, dims: str) -> list:
        nums: list[float | int] = []
        while self.peek()[0] == "num":
            v = self.take("num")
            nums.append(float(v) if any(ch in v for ch in ".eE") else int(v))
        want = {"": (2, 3, 4), "Z": (3,), "M": (3,), "ZM": (4,)}[dims]
        if len(nums) not in want:
            raise self._fail(f"{' or '.join(map(str, want))} numbers per position")
        if dims == "M" or len(nums) == 4:  # M values dropped: GeoJSON has none
            nums = nums[:2] if dims == "M" else nums[:3]
        return nums


def from_wkt(wkt: str) -> dict:
    """A GeoJSON geometry from WKT, EWKT (``SRID=n;``) or a GeoSPARQL ``wktLiteral`` (``<crs> WKT``).

    Numbers are parsed exactly; Z is kept, M dropped; a CRS whose axis order
    is north first (``<http://www.opengis.net/def/crs/EPSG/0/4326>``) has its
    axes swapped to GeoJSON's lon/lat. ParseError (``column N``) when malformed.

    >>> from_wkt("MULTIPOINT Z ((1 2 3), (4 5 6))")
    {'type': 'MultiPoint', 'coordinates': [[1, 2, 3], [4, 5, 6]]}
    >>> from_wkt("POINT (1 2")
    Traceback (most recent call last):
    mimbridge.errors.ParseError: column 11: malformed WKT: end of text at column 11 (expected ',' or ')')
    """
    if not isinstance(wkt, str):
        raise ParseError(f"WKT must be a string, not {type(wkt).__name__}", pointer="", expected="WKT text")
    m = re.match(r"\s*(?:<([^>]*)>|SRID=\d+\s*;)\s*", wkt, re.IGNORECASE)
    crs, offset = (m.group(1), m.end()) if m else (None, 0)
    p = _WktParser(wkt[offset:], offset)
    geom = p.geometry()
    if p.i != len(p.tokens):
        raise p._fail("end of WKT")
    return swap_axes(geom) if crs and axis_order(crs) == "yx" else geom
