"""One axis-order rule for GML read from files and from the WFS client, checked on MapServer's real output.

MapServer 8 writes the same layer in three ways: WFS 1.0 (GML 2, ``EPSG:4326``,
lon/lat), WFS 1.1 (GML 3.1.1, labelled ``EPSG:4326`` but written lat/lon,
as its own ``gml:Envelope`` shows) and WFS 2.0 (GML 3.2,
``urn:ogc:def:crs:EPSG::4326``, lat/lon). Read by ``wfs-gml`` as files (the
raw GetFeature bodies, no client involved), all three must give the
coordinates pygeoapi serves as GeoJSON for the same data.
"""

from __future__ import annotations

import httpx
import pytest

import mimbridge
from mimbridge.clients import HttpClient
from mimbridge.clients.ogc import WfsSource
from mimbridge.errors import ParseError
from mimbridge.report import Rejected

REQUESTS = {
    "1.0.0": "SERVICE=WFS&VERSION=1.0.0&REQUEST=GetFeature&TYPENAME={t}",
    "1.1.0": "SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME={t}",
    "1.1.0 EPSG:4326": "SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME={t}&SRSNAME=EPSG:4326",
    "1.1.0 URN": "SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME={t}&SRSNAME=urn:ogc:def:crs:EPSG::4326",
    "2.0.0": "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES={t}",
    "2.0.0 EPSG:4326": "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES={t}&SRSNAME=EPSG:4326",
}


def close(a, b, tol=1e-6) -> bool:
    """Nested coordinate lists equal within ``tol`` (MapServer writes 6 decimals)."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= tol
    return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(map(close, a, b))


def polygon(geom: dict) -> dict:
    """MapServer writes a polygon with a hole as a one-member MultiSurface (GML 3) or MultiPolygon (GML 2)."""
    if geom["type"] == "MultiPolygon" and len(geom["coordinates"]) == 1:
        return {"type": "Polygon", "coordinates": geom["coordinates"][0]}
    return geom


@pytest.fixture(scope="module")
def pygeoapi_geojson(pygeoapi_server):
    out = {}
    for layer in ("cities", "districts"):
        r = httpx.get(f"{pygeoapi_server.url}/collections/{layer}/items", params={"f": "json", "limit": 1000},
                      timeout=30)
        r.raise_for_status()
        out[layer] = {f["id"]: f["geometry"] for f in r.json()["features"]}
    return out


@pytest.mark.parametrize("layer", ["cities", "districts"])
@pytest.mark.parametrize("request_name", list(REQUESTS))
def test_mapserver_files_of_every_wfs_version_match_pygeoapi(mapserver_server, pygeoapi_geojson, layer,
                                                               request_name):
    url = f"{mapserver_server.url}&{REQUESTS[request_name].format(t=layer)}"
    body = httpx.get(url, timeout=60).text
    if request_name.startswith("1.1.0"):
        # the document says lat/lon itself: the short label, the GML 3.1.1 envelope with latitude first
        assert 'srsName="EPSG:4326"' in body and "urn:" not in body.split("<gml:featureMember>")[1]
    r = mimbridge.convert(body, source="wfs-gml", target="geojson")
    got = {f["properties"]["id"]: f["geometry"] for f in r.output["features"]}
    ref = pygeoapi_geojson[layer]
    assert set(got) == set(ref)
    for key, geom in got.items():
        geom = polygon(geom)
        assert geom["type"] == ref[key]["type"], key
        assert close(geom["coordinates"], ref[key]["coordinates"]), (request_name, key)
    assert not r.report.of_type(Rejected)


def test_wfs_client_and_file_reader_agree_on_mapserver_1_1(mapserver_server, pygeoapi_geojson):
    with HttpClient(timeout=30, retries=1) as http:
        for srs in (None, "EPSG:4326", "urn:ogc:def:crs:EPSG::4326"):
            src = WfsSource(mapserver_server.url, http=http, type_name="cities", version="1.1.0", srs=srs)
            feats = [f for p in src.pages()
                     for f in mimbridge.convert(p.payload, source="wfs-gml", target="geojson").output["features"]]
            assert len(feats) == len(pygeoapi_geojson["cities"])
            for f in feats:
                assert close(f["geometry"]["coordinates"], pygeoapi_geojson["cities"][f["id"].split(".")[-1]][
                    "coordinates"]), (srs, f["id"])


def test_axis_order_option_overrides_and_wrong_order_is_an_error(mapserver_server):
    body = httpx.get(f"{mapserver_server.url}&{REQUESTS['1.1.0'].format(t='cities')}", timeout=60).text
    # European cities have latitudes and longitudes both in range: forcing x/y swaps them, without error
    forced = mimbridge.convert(body, source="wfs-gml", target="geojson", axis_order="xy").output["features"]
    auto = mimbridge.convert(body, source="wfs-gml", target="geojson").output["features"]
    assert [f["geometry"]["coordinates"][::-1] for f in forced] == [f["geometry"]["coordinates"] for f in auto]


BAIKAL_11 = ('<wfs:FeatureCollection xmlns:ms="http://mapserver.gis.umn.edu/mapserver" '
             'xmlns:gml="http://www.opengis.net/gml" xmlns:wfs="http://www.opengis.net/wfs">'
             '<gml:boundedBy><gml:Envelope srsName="EPSG:4326"><gml:lowerCorner>51.460012 103.620011'
             '</gml:lowerCorner><gml:upperCorner>55.730914 109.929807</gml:upperCorner></gml:Envelope>'
             '</gml:boundedBy><gml:featureMember><ms:lakes gml:id="lakes.0"><ms:msGeometry>'
             '<gml:Polygon srsName="EPSG:4326"><gml:exterior><gml:LinearRing><gml:posList srsDimension="2">'
             '52.799982 106.579986 51.460012 104.819990 55.730914 109.506991 52.799982 106.579986'
             '</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ms:msGeometry>'
             '<ms:name>Baikal</ms:name></ms:lakes></gml:featureMember></wfs:FeatureCollection>')


def test_lake_baikal_wfs_1_1_reads_lon_lat():
    out = mimbridge.convert(BAIKAL_11, source="wfs-gml", target="geojson").output
    assert out["bbox"] == [103.620011, 51.460012, 109.929807, 55.730914]
    assert out["features"][0]["geometry"]["coordinates"][0][0] == [106.579986, 52.799982]


def test_latitude_out_of_range_is_never_silent():
    with pytest.raises(ParseError, match=r"latitude 103.620011 is outside \[-90, 90\]") as info:
        mimbridge.convert(BAIKAL_11, source="wfs-gml", target="geojson", axis_order="xy")
    assert info.value.pointer.startswith("line ")
    # the same document under another server's namespace: EPSG:4326 is lon/lat there, so the read fails loudly
    foreign = BAIKAL_11.replace("http://mapserver.gis.umn.edu/mapserver", "https://example.org/lakes")
    with pytest.raises(ParseError, match="axis_order"):
        mimbridge.convert(foreign, source="wfs-gml", target="geojson")
    no_bbox = foreign.replace(foreign[foreign.index("<gml:boundedBy>"):foreign.index("<gml:featureMember>")], "")
    r = mimbridge.convert(no_bbox, source="wfs-gml", target="geojson", lenient=True)
    assert r.output["features"] == []
    (ev,) = r.report.of_type(Rejected)
    assert "latitude 106.579986" in ev.message and ev.path.startswith("line ")


def test_non_mapserver_wfs_1_1_short_label_stays_lon_lat():
    doc = ('<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" xmlns:gml="http://www.opengis.net/gml" '
           'xmlns:ex="https://example.org/ns"><gml:featureMember><ex:P gml:id="p.1"><ex:g>'
           '<gml:Point srsName="EPSG:4326"><gml:pos>2.29 48.85</gml:pos></gml:Point></ex:g></ex:P>'
           '</gml:featureMember></wfs:FeatureCollection>')
    assert mimbridge.convert(doc, source="wfs-gml", target="geojson").output["features"][0]["geometry"][
        "coordinates"] == [2.29, 48.85]
