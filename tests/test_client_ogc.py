"""OGC API Features / Records and WFS sources against real pygeoapi and MapServer servers, plus offline paging tests.

Expected values come from the data files in ``tests/pygeoapi/`` (what both
servers publish), never from the code under test.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

import mimbridge
from mimbridge.clients import Checkpoint, HttpClient, WriteResult, open_sink, open_source, sync
from mimbridge.clients.ogc import OgcApiSource, WfsSource
from mimbridge.errors import CapabilityError, ConnectorError, ParseError

DATA = Path(__file__).resolve().parent / "pygeoapi"
CITIES = json.loads((DATA / "cities.geojson").read_text(encoding="utf-8"))["features"]
DISTRICTS = json.loads((DATA / "districts.geojson").read_text(encoding="utf-8"))["features"]
RECORDS = json.loads((DATA / "records.geojson").read_text(encoding="utf-8"))["features"]
BBOX = (0.0, 45.0, 6.0, 53.0)  # lon/lat: Benelux and northern France


def inside(lon: float, lat: float, bbox=BBOX) -> bool:
    return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]


def close(a, b, tol=1e-6) -> bool:
    """Nested coordinate lists equal within ``tol`` (MapServer writes 6 decimals)."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= tol
    return isinstance(a, list) and isinstance(b, list) and len(a) == len(b) and all(map(close, a, b))


@pytest.fixture
def http():
    with HttpClient(timeout=30, retries=2, backoff=0.05) as client:
        yield client


# -- pygeoapi: OGC API Features --------------------------------------------------------------------------------
def test_bbox_pushed_to_pygeoapi_into_ngsild(pygeoapi_server, http):
    src = OgcApiSource(f"{pygeoapi_server.url}/collections/cities", http=http, bbox=BBOX)
    pages = list(src.pages())
    assert src.format == "geojson"
    assert "bbox=0%2C45%2C6%2C53" in pages[0].url
    entities = []
    for page in pages:
        result = mimbridge.convert(page.payload, source=src.format, target="ngsi-ld", type="City")
        # only what NGSI-LD has no member for: the page's links and counts, and the feature ids as given
        assert {e.message.split(" is ")[0] for e in result.report.events} <= {"geojson:collection", "geojson:id"}, \
            result.report.events
        entities.extend(result.output)
    expected = {f["id"]: f["geometry"]["coordinates"] for f in CITIES if inside(*f["geometry"]["coordinates"])}
    assert 0 < len(expected) < len(CITIES)
    got = {e["id"].rsplit(":", 1)[-1]: e for e in entities}
    assert set(got) == set(expected)
    for key, coords in expected.items():
        assert got[key]["id"] == f"urn:ngsi-ld:City:{key}"
        assert got[key]["type"] == "City"
        assert got[key]["location"] == {"type": "GeoProperty", "value": {"type": "Point", "coordinates": coords}}
    assert pages[0].total == len(expected)


@pytest.mark.parametrize("limit", [3, 7, 13])
def test_paging_gives_every_feature_once(pygeoapi_server, http, limit):
    src = OgcApiSource(f"{pygeoapi_server.url}/collections/cities/items", http=http, limit=limit)
    pages = list(src.pages())
    ids = [f["id"] for p in pages for f in p.payload["features"]]
    assert sorted(ids) == sorted(f["id"] for f in CITIES)
    assert len(pages) >= -(-len(CITIES) // limit)
    assert all(p.count <= limit for p in pages)
    assert {p.total for p in pages} == {len(CITIES)}
    assert pages[-1].next_link is None
    for prev, nxt in itertools.pairwise(pages):
        assert prev.next_link == nxt.url


def test_property_filter_and_selection(pygeoapi_server, http):
    src = OgcApiSource(f"{pygeoapi_server.url}/collections/cities", http=http, filters={"country": "ES"},
                       properties=["name"])
    feats = [f for p in src.pages() for f in p.payload["features"]]
    assert sorted(f["id"] for f in feats) == sorted(f["id"] for f in CITIES if f["properties"]["country"] == "ES")
    assert all(set(f["properties"]) == {"name"} for f in feats)


def test_records_collection_with_datetime(pygeoapi_server, http):
    interval = "2022-01-01T00:00:00Z/2023-12-31T23:59:59Z"
    src = OgcApiSource(f"{pygeoapi_server.url}/collections/datasets", http=http, datetime=interval)
    assert src.format == "ogc-records"
    pages = list(src.pages())
    expected = {r["id"]: r for r in RECORDS if "2022-01-01" <= r["properties"]["updated"][:10] <= "2023-12-31"}
    assert 0 < len(expected) < len(RECORDS)
    entities = [e for p in pages for e in mimbridge.convert(p.payload, source=src.format, target="ngsi-ld").output]
    assert {e["id"].rsplit(":", 1)[-1] for e in entities} == set(expected)
    same_as = "http://www.w3.org/2002/07/owl#sameAs"
    for e in entities:
        rec = expected[e["id"].rsplit(":", 1)[-1]]
        assert e[same_as]["object"] == "https://doi.org/" + rec["properties"]["externalIds"][0]["value"]


def test_unknown_collection_is_404(pygeoapi_server, http):
    src = OgcApiSource(f"{pygeoapi_server.url}/collections/no-such-thing/items", http=http)
    with pytest.raises(ConnectorError) as err:
        list(src.pages())
    assert err.value.status == 404
    assert "no-such-thing" in str(err.value)


def test_open_source_by_prefixed_url_and_sync_resumes(pygeoapi_server, tmp_path):
    url = f"ogcapi+{pygeoapi_server.url}/collections/cities/items"
    got: list[dict] = []

    class ListSink:
        format = "ngsi-ld"

        def write(self, payload, *, skip=frozenset()):
            fresh = [e for e in payload if e["id"] not in skip]
            got.extend(fresh)
            return WriteResult(written=[e["id"] for e in fresh])

    cp_path = tmp_path / "cp.json"
    first = sync(open_source(url, limit=5), ListSink(), checkpoint=Checkpoint(cp_path), max_pages=1, type="City")
    assert first.records == 5 and not Checkpoint(cp_path).done
    rest = sync(open_source(url, limit=5), ListSink(), checkpoint=Checkpoint(cp_path), type="City")
    assert rest.resumed_from is not None and Checkpoint(cp_path).done
    assert sorted(e["id"] for e in got) == sorted(f"urn:ngsi-ld:City:{f['id']}" for f in CITIES)
    with pytest.raises(CapabilityError):
        open_sink(url)


# -- MapServer: WFS 2.0 --------------------------------------------------------------------------------------
def wfs_features(src: WfsSource) -> tuple[list, list]:
    pages = list(src.pages())
    feats = []
    for page in pages:
        feats.extend(mimbridge.convert(page.payload, source="wfs-gml", target="geojson").output["features"])
    return pages, feats


def test_wfs_axis_order_matches_pygeoapi(mapserver_server, pygeoapi_server, http):
    src = WfsSource(mapserver_server.url, http=http, type_name="cities", count=5)
    assert src.paging and src.default_srs() == "urn:ogc:def:crs:EPSG::4326"
    pages, feats = wfs_features(src)
    assert [p.count for p in pages][:3] == [5, 5, 4]
    # the server really sends lat/lon: the first city's position reads latitude first
    lon, lat = CITIES[0]["geometry"]["coordinates"]
    assert f"<gml:pos>{lat:f} {lon:f}</gml:pos>" in pages[0].payload
    api = OgcApiSource(f"{pygeoapi_server.url}/collections/cities", http=http, limit=100)
    api_feats = {f["properties"]["name"]: f for p in api.pages() for f in p.payload["features"]}
    assert len(feats) == len(api_feats) == len(CITIES)
    for f in feats:
        ref = api_feats[f["properties"]["name"]]
        assert f["geometry"]["type"] == "Point"
        assert close(f["geometry"]["coordinates"], ref["geometry"]["coordinates"]), f["properties"]["name"]


def test_wfs_polygons_with_hole_match_pygeoapi(mapserver_server, pygeoapi_server, http):
    _, feats = wfs_features(WfsSource(mapserver_server.url, http=http, type_name="ms:districts"))
    api = OgcApiSource(f"{pygeoapi_server.url}/collections/districts", http=http)
    api_feats = {f["id"]: f for p in api.pages() for f in p.payload["features"]}
    assert {f["properties"]["id"] for f in feats} == {f["id"] for f in DISTRICTS} == set(api_feats)
    for f in feats:
        ref = api_feats[f["properties"]["id"]]["geometry"]
        assert ref["type"] == "Polygon"
        geom = f["geometry"]
        if len(ref["coordinates"]) > 1:
            # MapServer writes a polygon with a hole as a gml:MultiSurface of one polygon
            assert geom["type"] == "MultiPolygon" and len(geom["coordinates"]) == 1
            geom = {"type": "Polygon", "coordinates": geom["coordinates"][0]}
        assert geom["type"] == "Polygon"
        assert close(geom["coordinates"], ref["coordinates"]), f["properties"]["id"]
    assert sum(len(f["geometry"]["coordinates"][0]) == 2 for f in feats if f["geometry"]["type"] != "Polygon") == 1


def test_wfs_bbox_filter(mapserver_server, http):
    src = WfsSource(mapserver_server.url, http=http, type_name="cities", bbox=BBOX, count=2)
    pages, feats = wfs_features(src)
    query = parse_qs(urlsplit(pages[0].url).query)
    assert query["BBOX"] == ["45,0,53,6,urn:ogc:def:crs:EPSG::4326"]  # lat/lon for the EPSG URN
    expected = {f["properties"]["name"] for f in CITIES if inside(*f["geometry"]["coordinates"])}
    assert sorted(f["properties"]["name"] for f in feats) == sorted(expected)
    assert len(pages) >= 3


def test_wfs_schema_types_properties_exactly(mapserver_server, http):
    src = WfsSource(mapserver_server.url, http=http, type_name="cities", count=100)
    page = next(src.pages())
    result = mimbridge.convert(page.payload, source="wfs-gml", target="geojson", schema=src.schema())
    assert result.report.lossless, result.report.events
    pops = {f["properties"]["name"]: f["properties"]["population"] for f in result.output["features"]}
    assert pops == {f["properties"]["name"]: f["properties"]["population"] for f in CITIES}


def test_wfs_unknown_type_and_crs(mapserver_server, http):
    with pytest.raises(ConnectorError, match=r"'lakes' is not offered.*ms:cities"):
        list(WfsSource(mapserver_server.url, http=http, type_name="lakes").pages())
    with pytest.raises(CapabilityError, match="EPSG:25832"):
        list(WfsSource(mapserver_server.url, http=http, type_name="cities", srs="EPSG:25832").pages())


def test_wfs_open_source_takes_type_from_url(mapserver_server):
    src = open_source(f"wfs+{mapserver_server.url}&typeNames=cities", count=100)
    feats = [f for p in src.pages() for f in mimbridge.convert(p.payload, source=src.format,
                                                                target="ngsi-ld", type="City").output]
    assert len(feats) == len(CITIES)


# -- offline: paging and error handling with a mock transport --------------------------------------------------
def mock_api(pages: dict[str, dict], *, collection: dict | None = None, seen: list | None = None) -> HttpClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(str(request.url))
        if request.url.path == "/collections/c":
            return httpx.Response(200, json=collection or {"id": "c", "itemType": "feature"})
        key = request.url.path + ("?" + request.url.query.decode() if request.url.query else "")
        if key in pages:
            return httpx.Response(200, json=pages[key])
        return httpx.Response(404, json={"code": "NotFound"})
    return HttpClient(transport=httpx.MockTransport(handler), sleep=lambda s: None, retries=1)


def fc(ids, links=(), **extra):
    return {"type": "FeatureCollection", "links": list(links), **extra,
            "features": [{"type": "Feature", "id": i, "geometry": None, "properties": {}} for i in ids]}


def test_offline_next_links_followed_exactly_relative_and_opaque():
    pages = {
        "/collections/c/items": fc(["a", "b"], [{"rel": "next", "href": "items?token=XyZ%2F1&limit=2",
                                                 "type": "application/geo+json"}], numberMatched=5),
        "/collections/c/items?token=XyZ%2F1&limit=2": fc(["c", "d"], [
            {"rel": "next", "href": "http://api.test/other?cursor=9", "type": "text/html"},
            {"rel": "next", "href": "http://api.test/p3?cursor=9&f=json", "type": "application/geo+json"}]),
        "/p3?cursor=9&f=json": fc(["e"]),
    }
    seen: list[str] = []
    src = OgcApiSource("http://api.test/collections/c", http=mock_api(pages, seen=seen))
    got = list(src.pages())
    assert [f["id"] for p in got for f in p.payload["features"]] == ["a", "b", "c", "d", "e"]
    assert seen[2] == "http://api.test/collections/c/items?token=XyZ%2F1&limit=2"
    assert seen[3] == "http://api.test/p3?cursor=9&f=json"
    assert got[0].total == 5 and got[1].total is None
    # resume from a checkpointed next link: the earlier pages are not fetched again
    resumed = list(src.pages(start="http://api.test/p3?cursor=9&f=json"))
    assert [p.count for p in resumed] == [1]


def test_offline_empty_page_stops_and_loops_are_refused():
    pages = {"/collections/c/items": fc([], [{"rel": "next", "href": "/collections/c/items?offset=10"}])}
    assert [p.next_link for p in OgcApiSource("http://api.test/collections/c", http=mock_api(pages)).pages()] == [None]
    loop = {"/collections/c/items": fc(["a"], [{"rel": "next", "href": "/collections/c/items"}])}
    with pytest.raises(ConnectorError, match="points back"):
        list(OgcApiSource("http://api.test/collections/c", http=mock_api(loop)).pages())


def test_offline_bad_payloads_are_typed_errors():
    bad = {"/collections/c/items": {"type": "Feature", "geometry": None, "properties": {}}}
    with pytest.raises(ParseError) as err:
        list(OgcApiSource("http://api.test/collections/c", http=mock_api(bad)).pages())
    assert err.value.pointer == "/type"
    with pytest.raises(ConnectorError) as err:
        list(OgcApiSource("http://api.test/collections/c/items", http=mock_api({})).pages())
    assert err.value.status == 404
    with pytest.raises(ValueError, match="collection URL"):
        OgcApiSource("http://api.test/collections", http=mock_api({}))
    with pytest.raises(ValueError, match="4 numbers"):
        OgcApiSource("http://api.test/collections/c", http=mock_api({}), bbox=(1, 2, 3))


def test_offline_bbox_crs_checked_against_collection():
    coll = {"id": "c", "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"]}
    src = OgcApiSource("http://api.test/collections/c", http=mock_api({}, collection=coll), bbox=(1, 2, 3, 4),
                       bbox_crs="http://www.opengis.net/def/crs/EPSG/0/25832")
    with pytest.raises(CapabilityError, match="25832"):
        list(src.pages())


CAPS = """<?xml version="1.0" encoding="UTF-8"?>
<wfs:WFS_Capabilities xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:ows="http://www.opengis.net/ows/1.1"
  xmlns="http://www.opengis.net/wfs/2.0" xmlns:xlink="http://www.w3.org/1999/xlink" version="2.0.0">
  <ows:OperationsMetadata>
    <ows:Operation name="GetFeature"><ows:DCP><ows:HTTP><ows:Get xlink:href="http://wfs.test/wfs?"/></ows:HTTP>
    </ows:DCP></ows:Operation>
    <ows:Constraint name="ImplementsResultPaging"><ows:NoValues/><ows:DefaultValue>{paging}</ows:DefaultValue>
    </ows:Constraint>
    <ows:Constraint name="CountDefault"><ows:NoValues/><ows:DefaultValue>3</ows:DefaultValue></ows:Constraint>
  </ows:OperationsMetadata>
  <FeatureTypeList><FeatureType><Name>ex:stops</Name><Title>Stops</Title>
    <DefaultCRS>urn:ogc:def:crs:EPSG::4326</DefaultCRS>
    <ows:WGS84BoundingBox><ows:LowerCorner>-10 35</ows:LowerCorner><ows:UpperCorner>30 70</ows:UpperCorner>
    </ows:WGS84BoundingBox></FeatureType></FeatureTypeList>
</wfs:WFS_Capabilities>"""


def gml(n: int, start: int) -> str:
    members = "".join(
        f'<wfs:member><ex:stops gml:id="s{i}"><ex:geom><gml:Point srsName="urn:ogc:def:crs:EPSG::4326">'
        f"<gml:pos>{40 + i} {i}</gml:pos></gml:Point></ex:geom></ex:stops></wfs:member>"
        for i in range(start, start + n))
    return ('<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:ex="https://ex.test/" '
            f'xmlns:gml="http://www.opengis.net/gml/3.2" numberMatched="unknown" numberReturned="{n}">'
            f"{members}</wfs:FeatureCollection>")


def mock_wfs(total: int, *, paging: str = "TRUE", caps: str | None = None, seen: list | None = None) -> HttpClient:
    def handler(request: httpx.Request) -> httpx.Response:
        q = {k.upper(): v for k, v in request.url.params.items()}
        if seen is not None:
            seen.append(q)
        if q["REQUEST"] == "GetCapabilities":
            return httpx.Response(200, text=caps or CAPS.format(paging=paging))
        start, count = int(q.get("STARTINDEX", 0)), int(q.get("COUNT", total))
        if q["TYPENAMES"] != "ex:stops":
            return httpx.Response(400, text="<ows:ExceptionReport xmlns:ows='http://www.opengis.net/ows/1.1'/>")
        return httpx.Response(200, text=gml(max(0, min(count, total - start)), start))
    return HttpClient(transport=httpx.MockTransport(handler), sleep=lambda s: None, retries=0)


@pytest.mark.parametrize(("total", "count", "sizes"), [(7, 3, [3, 3, 1]), (6, 3, [3, 3, 0]), (2, 5, [2])])
def test_offline_wfs_paging_count_start_index(total, count, sizes):
    seen: list[dict] = []
    src = WfsSource("http://wfs.test/wfs?map=x.map", http=mock_wfs(total, seen=seen), type_name="stops", count=count)
    pages = list(src.pages())
    assert [p.count for p in pages] == sizes
    gets = [q for q in seen if q["REQUEST"] == "GetFeature"]
    assert [int(q.get("STARTINDEX", 0)) for q in gets] == [count * i for i in range(len(sizes))]
    assert all(q["MAP"] == "x.map" and q["COUNT"] == str(count) for q in gets)
    coords = [f["geometry"]["coordinates"] for p in pages
              for f in mimbridge.convert(p.payload, source="wfs-gml", target="geojson").output["features"]]
    assert coords == [[i, 40 + i] for i in range(total)]


def test_offline_wfs_without_paging_refuses_a_capped_answer():
    src = WfsSource("http://wfs.test/wfs", http=mock_wfs(3, paging="FALSE"), type_name="ex:stops")
    assert not src.paging
    with pytest.raises(ConnectorError, match="capped"):
        list(src.pages())


def test_offline_wfs_refuses_doctype_and_reports_exceptions():
    evil = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    with pytest.raises(ConnectorError, match="DOCTYPE"):
        WfsSource("http://wfs.test/wfs", http=mock_wfs(1, caps=evil), type_name="stops").capabilities()
    report = ('<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Exception '
              'exceptionCode="InvalidParameterValue"><ows:ExceptionText>bad map</ows:ExceptionText>'
              "</ows:Exception></ows:ExceptionReport>")
    with pytest.raises(ConnectorError, match="InvalidParameterValue: bad map"):
        WfsSource("http://wfs.test/wfs", http=mock_wfs(1, caps=report), type_name="stops").capabilities()


def test_wfs_1_1_reads_the_same_coordinates(mapserver_server, http):
    src = WfsSource(mapserver_server.url, http=http, type_name="cities", version="1.1.0", bbox=BBOX)
    assert not src.paging
    pages, feats = wfs_features(src)
    assert parse_qs(urlsplit(pages[0].url).query)["TYPENAME"][0].split(":")[-1] == "cities"
    expected = {f["properties"]["name"]: f["geometry"]["coordinates"] for f in CITIES
                if inside(*f["geometry"]["coordinates"])}
    assert {f["properties"]["name"] for f in feats} == set(expected)
    for f in feats:
        assert close(f["geometry"]["coordinates"], expected[f["properties"]["name"]]), f["properties"]["name"]


def test_options_as_text_from_the_command_line(pygeoapi_server):
    src = open_source(f"ogcapi+{pygeoapi_server.url}/collections/cities", bbox="0,45,6,53", limit="2")
    assert sum(p.count for p in src.pages()) == sum(inside(*f["geometry"]["coordinates"]) for f in CITIES)
    with pytest.raises(ValueError, match="limit must be an integer"):
        open_source(f"ogcapi+{pygeoapi_server.url}/collections/cities", limit="two")


def test_offline_legacy_label_on_requested_urn_is_not_read_swapped():
    body = ('<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" xmlns:gml="http://www.opengis.net/gml" '
            'xmlns:ex="https://ex.test/" numberOfFeatures="1"><gml:featureMember><ex:stops gml:id="s1"><ex:geom>'
            '<gml:Point srsName="EPSG:4326"><gml:pos>52.5 13.4</gml:pos></gml:Point></ex:geom></ex:stops>'
            "</gml:featureMember></wfs:FeatureCollection>")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("REQUEST") == "GetCapabilities":
            return httpx.Response(200, text=CAPS.format(paging="FALSE"))
        return httpx.Response(200, text=body)

    http = HttpClient(transport=httpx.MockTransport(handler), retries=0)
    for srs, expected in (("urn:ogc:def:crs:EPSG::4326", [13.4, 52.5]), ("EPSG:4326", [52.5, 13.4])):
        page = next(WfsSource("http://wfs.test/wfs", http=http, type_name="stops", srs=srs).pages())
        feature = mimbridge.convert(page.payload, source="wfs-gml", target="geojson").output["features"][0]
        assert feature["geometry"]["coordinates"] == expected, srs
