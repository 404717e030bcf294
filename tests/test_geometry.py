"""mimbridge.geometry: WKT, shapely, GML, validation and axis order (expected values written by hand)."""

from __future__ import annotations

import random

import pytest
import shapely
from shapely.geometry import shape

from mimbridge.errors import ParseError
from mimbridge.geometry import (
    CRS84,
    axis_order,
    epsg_code,
    from_shape,
    from_wkt,
    is_wgs84,
    to_shape,
    to_wkt,
    validate,
)
from mimbridge.geometry_gml import from_gml, to_gml

GML = 'xmlns:gml="http://www.opengis.net/gml/3.2"'
GML311 = 'xmlns:gml="http://www.opengis.net/gml"'
EPSG4326_URN = "urn:ogc:def:crs:EPSG::4326"

#: one geometry of each GeoJSON type, 2D and 3D, with the WKT a reader expects
CASES = [
    ({"type": "Point", "coordinates": [2.2945, 48.8584]}, "POINT (2.2945 48.8584)"),
    ({"type": "Point", "coordinates": [2.2945, 48.8584, 35.5]}, "POINT Z (2.2945 48.8584 35.5)"),
    ({"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]}, "MULTIPOINT ((1 2), (3 4))"),
    ({"type": "LineString", "coordinates": [[0, 0, 1], [1, 1, 2]]}, "LINESTRING Z (0 0 1, 1 1 2)"),
    ({"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]], [[2, 2], [3, 3]]]},
     "MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
                                         [[1, 1], [1, 2], [2, 2], [2, 1], [1, 1]]]},
     "POLYGON ((0 0, 4 0, 4 4, 0 4, 0 0), (1 1, 1 2, 2 2, 2 1, 1 1))"),
    ({"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]],
                                              [[[5, 5], [6, 5], [6, 6], [5, 5]]]]},
     "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))"),
    ({"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]},
                                                   {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}]},
     "GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))"),
    ({"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2, 3]},
                                                   {"type": "Point", "coordinates": [4, 5, 6]}]},
     "GEOMETRYCOLLECTION Z (POINT Z (1 2 3), POINT Z (4 5 6))"),
    ({"type": "Point", "coordinates": []}, "POINT EMPTY"),
    ({"type": "GeometryCollection", "geometries": []}, "GEOMETRYCOLLECTION EMPTY"),
]


# -- WKT ----------------------------------------------------------------------
@pytest.mark.parametrize("geom,wkt", CASES)
def test_to_wkt(geom, wkt):
    assert to_wkt(geom) == wkt


@pytest.mark.parametrize("geom,wkt", CASES)
def test_from_wkt(geom, wkt):
    assert from_wkt(wkt) == geom


@pytest.mark.parametrize("geom,wkt", [c for c in CASES if "EMPTY" not in c[1]])
def test_wkt_agrees_with_shapely(geom, wkt):
    # an independent reader (GEOS) reads our WKT as the same geometry shapely builds from the GeoJSON
    assert shapely.from_wkt(to_wkt(geom)).equals_exact(shape(geom), 0.0)
    assert from_wkt(shapely.to_wkt(shape(geom), rounding_precision=-1)) == geom


def test_wkt_round_trip_is_exact_for_awkward_floats():
    rng = random.Random(3)
    for _ in range(2000):
        x = rng.uniform(-180, 180) * 10 ** rng.randint(-12, 2)
        y = rng.uniform(-90, 90) * 10 ** rng.randint(-9, 0)
        g = {"type": "Point", "coordinates": [x, y]}
        text = to_wkt(g)
        assert "e" not in text.lower().replace("point", "")  # positional notation only
        assert from_wkt(text) == g


@pytest.mark.parametrize("wkt,geom", [
    ("point(1 2)", {"type": "Point", "coordinates": [1, 2]}),
    ("POINTZ(1 2 3)", {"type": "Point", "coordinates": [1, 2, 3]}),
    ("POINT M (1 2 9)", {"type": "Point", "coordinates": [1, 2]}),
    ("POINT ZM (1 2 3 9)", {"type": "Point", "coordinates": [1, 2, 3]}),
    ("MULTIPOINT (1 2, 3 4)", {"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]}),
    ("POINT (1.5e2 -2E-1)", {"type": "Point", "coordinates": [150.0, -0.2]}),
    ("SRID=4326;POINT(1 2)", {"type": "Point", "coordinates": [1, 2]}),
    ("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(2.29 48.85)",
     {"type": "Point", "coordinates": [2.29, 48.85]}),
    ("<http://www.opengis.net/def/crs/EPSG/0/4326> LINESTRING(48.85 2.29, 48.86 2.30)",
     {"type": "LineString", "coordinates": [[2.29, 48.85], [2.30, 48.86]]}),
])
def test_from_wkt_variants(wkt, geom):
    assert from_wkt(wkt) == geom


def test_geosparql_literal_round_trip_swaps_axes_for_epsg_4326():
    g = {"type": "Polygon", "coordinates": [[[2.0, 48.0], [3.0, 48.0], [3.0, 49.0], [2.0, 48.0]]]}
    lit = to_wkt(g, crs="http://www.opengis.net/def/crs/EPSG/0/4326")
    assert lit == "<http://www.opengis.net/def/crs/EPSG/0/4326> POLYGON ((48.0 2.0, 48.0 3.0, 49.0 3.0, 48.0 2.0))"
    assert from_wkt(lit) == g
    assert to_wkt(g, crs=CRS84) == f"<{CRS84}> POLYGON ((2.0 48.0, 3.0 48.0, 3.0 49.0, 2.0 48.0))"


@pytest.mark.parametrize("wkt,column", [
    ("POINT (1 2", 11), ("POINT (1)", 9), ("CIRCLE (1 2)", 1), ("POINT (1 2) junk", 13), ("POINT (1 2, 3 4)", 7),
    ("POLYGON ((0 0, 1 1)", 20), ("", 1),
])
def test_from_wkt_errors_have_a_column(wkt, column):
    with pytest.raises(ParseError) as info:
        from_wkt(wkt)
    assert info.value.pointer == f"column {column}"


def test_to_wkt_refuses_malformed_geojson():
    with pytest.raises(ParseError) as info:
        to_wkt({"type": "LineString", "coordinates": [[0, 0], [1, "x"]]})
    assert info.value.pointer == "/coordinates/1/1"


# -- shapely ------------------------------------------------------------------
@pytest.mark.parametrize("geom,wkt", [c for c in CASES if "EMPTY" not in c[1]])
def test_shapely_round_trip(geom, wkt):
    shp = to_shape(geom)
    assert shp.geom_type == geom["type"]
    assert from_shape(shp) == geom
    assert shp.has_z == ("Z" in wkt.split("(")[0])


def test_from_shape_gives_lists():
    out = from_shape(shapely.Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 1)]))
    assert out == {"type": "Polygon", "coordinates": [[[0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 0, 1]]]}
    assert isinstance(out["coordinates"][0][0], list)


# -- validation -----------------------------------------------------------------
def test_valid_geometries_pass_unchanged():
    for geom, _ in CASES:
        out, prob = validate(geom)
        assert prob is None and out is geom


BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def test_invalid_geometry_reason_and_pass_through():
    out, prob = validate(BOWTIE)
    assert out is BOWTIE
    assert prob.reason == "Self-intersection[0.5 0.5]" and not prob.structural and not prob.repaired


def test_repair_on_request():
    out, prob = validate(BOWTIE, repair=True)
    assert prob.repaired and prob.reason.startswith("Self-intersection")
    assert out["type"] == "MultiPolygon" and shape(out).is_valid
    assert shape(out).area == pytest.approx(0.5)


@pytest.mark.parametrize("geom,pointer,words", [
    ({"type": "Polygon", "coordinates": [[-117.02, 49.15], [-117.33, 52.19], [-110.08, 52.16], [-117.02, 49.15]]},
     "/coordinates/0", "missing one level of array nesting"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "/coordinates/0", "not closed"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "/coordinates/0", "at least 4"),
    ({"type": "Point", "coordinates": ["$LONGITUDE", 51.05]}, "/coordinates/0", "'$LONGITUDE'"),
    ({"type": "Point", "coordinates": [1.0, float("nan")]}, "/coordinates/1", "not a finite number"),
    ({"type": "Point", "coordinates": [1.0, True]}, "/coordinates/1", "not a finite number"),
    ({"type": "LineString", "coordinates": [[0, 0]]}, "/coordinates", "at least 2"),
    ({"type": "Circle", "coordinates": [0, 0]}, "/type", "unknown geometry type"),
    ({"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]], [[0, 0]]]},
     "/coordinates/1/0", "missing one level"),
    ({"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]},
                                                   {"type": "Point", "coordinates": [1]}]},
     "/geometries/1/coordinates", "has 1 numbers"),
    ({"type": "GeometryCollection"}, "/geometries", "no 'geometries'"),
    ("POINT (1 2)", "", "not an object"),
])
def test_structural_problems_have_a_pointer(geom, pointer, words):
    out, prob = validate(geom, repair=True)
    assert out is geom  # never changed, even with repair=True
    assert prob.structural and prob.pointer == pointer and words in prob.reason


# -- axis order ------------------------------------------------------------------
@pytest.mark.parametrize("srs,order", [
    ("urn:ogc:def:crs:EPSG::4326", "yx"), ("urn:ogc:def:crs:EPSG:6.6:4326", "yx"),
    ("urn:x-ogc:def:crs:EPSG:4326", "yx"), ("http://www.opengis.net/def/crs/EPSG/0/4326", "yx"),
    ("https://www.opengis.net/def/crs/EPSG/0/4258", "yx"), ("urn:ogc:def:crs:EPSG::3035", "yx"),
    ("urn:ogc:def:crs:EPSG::25832", "xy"), ("urn:ogc:def:crs:EPSG::3857", "xy"),
    ("EPSG:4326", "xy"), ("http://www.opengis.net/gml/srs/epsg.xml#4326", "xy"),
    ("urn:ogc:def:crs:OGC:1.3:CRS84", "xy"), (CRS84, "xy"), ("OGC:CRS84", "xy"), (None, "xy"), ("", "xy"),
])
def test_axis_order(srs, order):
    assert axis_order(srs) == order


@pytest.mark.parametrize("srs,wgs84,code", [
    ("urn:ogc:def:crs:OGC:1.3:CRS84", True, None), ("http://www.opengis.net/def/crs/OGC/1.3/CRS84h", True, None),
    ("EPSG:4326", True, 4326), ("urn:ogc:def:crs:EPSG::4979", True, 4979), ("EPSG:25832", False, 25832),
    ("urn:ogc:def:crs:EPSG::4258", False, 4258), (None, False, None),
])
def test_is_wgs84_and_code(srs, wgs84, code):
    assert is_wgs84(srs) is wgs84 and epsg_code(srs) == code


# -- GML ---------------------------------------------------------------------------
def test_gml_point_axis_order_by_srs_name():
    lat_lon = f'<gml:Point {GML} srsName="{EPSG4326_URN}"><gml:pos>48.85 2.29</gml:pos></gml:Point>'
    lon_lat = f'<gml:Point {GML} srsName="{CRS84}"><gml:pos>2.29 48.85</gml:pos></gml:Point>'
    legacy = f'<gml:Point {GML} srsName="EPSG:4326"><gml:pos>2.29 48.85</gml:pos></gml:Point>'
    want = {"type": "Point", "coordinates": [2.29, 48.85]}
    assert from_gml(lat_lon) == from_gml(lon_lat) == from_gml(legacy) == want
    assert from_gml(lat_lon, axis="xy") == {"type": "Point", "coordinates": [48.85, 2.29]}
    no_srs = f'<gml:Point {GML}><gml:pos>48.85 2.29</gml:pos></gml:Point>'
    assert from_gml(no_srs, srs_name=EPSG4326_URN) == want


def test_gml_3d_poslist_and_inherited_srs():
    text = (f'<gml:MultiCurve {GML} srsName="{EPSG4326_URN}" srsDimension="3"><gml:curveMember>'
            '<gml:LineString><gml:posList>48.0 2.0 10 49.0 3.0 20</gml:posList></gml:LineString>'
            '</gml:curveMember></gml:MultiCurve>')
    assert from_gml(text) == {"type": "MultiLineString", "coordinates": [[[2.0, 48.0, 10.0], [3.0, 49.0, 20.0]]]}


def test_gml_polygon_with_hole_and_multisurface():
    ring = "0 0 0 4 4 4 4 0 0 0"
    hole = "1 1 2 1 2 2 1 2 1 1"
    poly = (f"<gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>{ring}</gml:posList></gml:LinearRing>"
            f"</gml:exterior><gml:interior><gml:LinearRing><gml:posList>{hole}</gml:posList></gml:LinearRing>"
            "</gml:interior></gml:Polygon>")
    text = (f'<gml:MultiSurface {GML} srsName="{EPSG4326_URN}"><gml:surfaceMember>{poly}</gml:surfaceMember>'
            f"<gml:surfaceMembers>{poly}</gml:surfaceMembers></gml:MultiSurface>")
    rings = [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]], [[1, 1], [1, 2], [2, 2], [2, 1], [1, 1]]]
    assert from_gml(text) == {"type": "MultiPolygon", "coordinates": [rings, rings]}


def test_gml2_coordinates_and_boundaries():
    text = (f'<gml:Polygon {GML311} srsName="EPSG:4326"><gml:outerBoundaryIs><gml:LinearRing>'
            '<gml:coordinates>0,0 10,0 10,10 0,0</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs>'
            "</gml:Polygon>")
    assert from_gml(text) == {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 0]]]}
    custom = (f'<gml:LineString {GML311}><gml:coordinates cs=";" ts="|" decimal=",">1,5;2|3;4,5'
              "</gml:coordinates></gml:LineString>")
    assert from_gml(custom) == {"type": "LineString", "coordinates": [[1.5, 2], [3, 4.5]]}


def test_gml_curve_segments_multipoint_multigeometry_envelope():
    curve = (f'<gml:Curve {GML}><gml:segments><gml:LineStringSegment><gml:posList>0 0 1 1</gml:posList>'
             "</gml:LineStringSegment><gml:LineStringSegment><gml:posList>1 1 2 0</gml:posList>"
             "</gml:LineStringSegment></gml:segments></gml:Curve>")
    assert from_gml(curve) == {"type": "LineString", "coordinates": [[0, 0], [1, 1], [2, 0]]}
    mp = (f'<gml:MultiPoint {GML}><gml:pointMembers><gml:Point><gml:pos>1 2</gml:pos></gml:Point>'
          "<gml:Point><gml:pos>3 4</gml:pos></gml:Point></gml:pointMembers></gml:MultiPoint>")
    assert from_gml(mp) == {"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]}
    mg = (f'<gml:MultiGeometry {GML}><gml:geometryMember><gml:Point><gml:pos>1 2</gml:pos></gml:Point>'
          "</gml:geometryMember><gml:geometryMember><gml:LineString><gml:posList>0 0 1 1</gml:posList>"
          "</gml:LineString></gml:geometryMember></gml:MultiGeometry>")
    assert from_gml(mg) == {"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [1, 2]}, {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}]}
    env = (f'<gml:Envelope {GML} srsName="{EPSG4326_URN}"><gml:lowerCorner>50 -99</gml:lowerCorner>'
           "<gml:upperCorner>55 -96</gml:upperCorner></gml:Envelope>")
    assert from_gml(env) == {"type": "Polygon", "coordinates": [[[-99, 50], [-96, 50], [-96, 55], [-99, 55],
                                                                 [-99, 50]]]}


@pytest.mark.parametrize("text,words", [
    (f'<gml:Curve {GML}>\n<gml:segments><gml:Arc><gml:posList>0 0 1 1 2 0</gml:posList></gml:Arc>'
     "</gml:segments></gml:Curve>", "not linear"),
    (f'<gml:LineString {GML}>\n<gml:posList srsDimension="3">0 0 1 1</gml:posList></gml:LineString>',
     "not a multiple"),
    (f'<gml:Point {GML}>\n<gml:pos>1 x</gml:pos></gml:Point>', "not a number"),
    (f'<gml:Solid {GML}/>', "unsupported GML geometry"),
])
def test_gml_errors_name_a_line(text, words):
    with pytest.raises(ParseError) as info:
        from_gml(text)
    assert words in info.value.message and info.value.pointer.startswith("line ")


@pytest.mark.parametrize("geom,_wkt", [c for c in CASES if "EMPTY" not in c[1]])
@pytest.mark.parametrize("srs", [CRS84, EPSG4326_URN])
def test_to_gml_from_gml_round_trip(geom, _wkt, srs):
    assert from_gml(to_gml(geom, srs_name=srs)) == geom


def test_to_gml_writes_lat_lon_for_epsg_4326():
    text = to_gml({"type": "LineString", "coordinates": [[2.29, 48.85, 35.0], [2.3, 48.86, 36.0]]},
                  srs_name=EPSG4326_URN, gml_id="road")
    assert '<gml:posList>48.85 2.29 35.0 48.86 2.3 36.0</gml:posList>' in text
    assert 'srsDimension="3"' in text and 'gml:id="road"' in text
