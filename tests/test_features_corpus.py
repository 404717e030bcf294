"""Features against the third-party corpus: every example reads (or is listed with its defect), axis order,
odd geometries. The corpus is reached only through the ``corpus`` fixture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mimbridge
from mimbridge.errors import ParseError
from mimbridge.report import Approximated, Unresolved

DIRS = ["ogc/ogcapi-features", "ogc/ogcapi-records", "ogc/_captured/pygeoapi-0.21.0", "ogc/pygeoapi/tests",
        "ogc/OWSLib/tests", "ogc/_captured/mapserver-8.0.0"]

#: GeoJSON documents that read, with their number of features (counted by hand)
READS = {
    "ogc/ogcapi-records/core/examples/json/record.json": 1,
    "ogc/_captured/pygeoapi-0.21.0/lakes_item_0.json": 1,
    "ogc/_captured/pygeoapi-0.21.0/lakes_items_page1.json": 2,
    "ogc/_captured/pygeoapi-0.21.0/lakes_items_page2.json": 2,
    "ogc/_captured/pygeoapi-0.21.0/records_items.json": 2,
    "ogc/_captured/pygeoapi-0.21.0/sta_datastreams_items.json": 2,
    "ogc/_captured/pygeoapi-0.21.0/sta_things_items.json": 2,
    "ogc/pygeoapi/tests/data/items.geojson": 9,
    "ogc/_captured/mapserver-8.0.0/ogcapi_lakes_items.json": 2,
    "ogc/_captured/mapserver-8.0.0/wfs20_getfeature_geojson.json": 2,
}
#: JSON files that do not read, with their defect and words of the ParseError
DEFECTS = {
    "ogc/ogcapi-features/core/examples/json/Collection.json":
        ("invalid JSON as published: a comma after the closing brace", "malformed JSON"),
    "ogc/ogcapi-features/core/examples/json/ConformsTo.json":
        ("invalid JSON as published: a comma missing between two URIs", "malformed JSON"),
    "ogc/ogcapi-records/core/examples/json/records.json":
        ("invalid JSON as published: '{ ... record ... }' placeholders", "malformed JSON"),
    "ogc/ogcapi-features/core/examples/json/Collections.json": ("collections list, no features", "collections list"),
    "ogc/ogcapi-features/core/examples/json/LandingPage.json": ("landing page, no features", "landing page"),
    "ogc/ogcapi-features/cql2/standard/data/ne_110m_populated_places_simple.json":
        ("queryables (JSON Schema), no features", "JSON Schema"),
    "ogc/ogcapi-features/cql2/standard/data/ne_110m_rivers_lake_centerlines.json":
        ("queryables (JSON Schema), no features", "JSON Schema"),
    "ogc/ogcapi-records/core/examples/json/catalog.json": ("catalogue description, no records", "collection"),
    "ogc/ogcapi-records/core/examples/json/conformance.json": ("conformance declaration", "conformance"),
    "ogc/ogcapi-records/core/examples/json/landingPage.json": ("landing page, no records", "landing page"),
    "ogc/ogcapi-records/core/examples/json/queryables.json": ("queryables (JSON Schema)", "JSON Schema"),
    "ogc/_captured/pygeoapi-0.21.0/lakes_collection.json": ("collection description", "collection description"),
    "ogc/_captured/pygeoapi-0.21.0/lakes_queryables.json": ("queryables (JSON Schema)", "JSON Schema"),
    "ogc/_captured/pygeoapi-0.21.0/landing.json": ("landing page", "landing page"),
    "ogc/_captured/pygeoapi-0.21.0/lakes_item_0.jsonld":
        ("JSON-LD (schema:Place with the geometry at top level), not GeoJSON", "JSON-LD"),
}
#: files in those folders that are not JSON, and where they are covered
OTHER = {
    "ogc/ogcapi-features/core/examples/xml/FeatureCollection.xml": "wfs-gml (test_oapif_xml_collection)",
    "ogc/ogcapi-features/core/examples/xml/Collection.xml": "collection description in XML: not features",
    "ogc/_captured/mapserver-8.0.0/wfs20_getfeature_gml32.xml": "wfs-gml (axis order tests)",
    "ogc/_captured/mapserver-8.0.0/wfs20_describefeaturetype.xsd": "schema= of the wfs-gml tests",
    "ogc/_captured/mapserver-8.0.0/wfs20_capabilities.xml": "capabilities: not features",
    "ogc/pygeoapi/tests/data/obs.csv": "CSV: not GeoJSON",
    "ogc/OWSLib/tests/resources/sos_52n_getobservation_wml2_response.xml": "O&M / WaterML 2.0: not features",
    **{f"ogc/ogcapi-features/core/openapi/schemas/{n}.yaml": "OpenAPI schema: not an example"
       for n in ("collection", "extent", "featureCollectionGeoJSON", "featureGeoJSON", "geometryGeoJSON", "link",
                 "numberMatched", "numberReturned", "timeStamp")},
}
RECORDS = ["ogc/ogcapi-records/core/examples/json/record.json", "ogc/_captured/pygeoapi-0.21.0/records_items.json"]


def _rel(corpus: Path, p: Path) -> str:
    return p.relative_to(corpus).as_posix()


def test_every_file_is_listed(corpus):
    found = {_rel(corpus, p) for d in DIRS for p in (corpus / d).rglob("*") if p.is_file()}
    listed = set(READS) | set(DEFECTS) | set(OTHER)
    assert found == listed, {"not listed": sorted(found - listed), "missing": sorted(listed - found)}


@pytest.mark.parametrize("rel", sorted(READS))
def test_reads_and_round_trips(corpus, rel):
    path = corpus / rel
    r = mimbridge.convert(path, source="geojson", target="ngsi-ld")
    assert r.report.records_in == READS[rel] == len(r.output if isinstance(r.output, list) else [r.output])
    assert not r.report.rejected and not r.report.of_type(Unresolved)
    back = mimbridge.convert(path, source="geojson", target="geojson")
    assert back.output == json.loads(path.read_text(encoding="utf-8"))
    assert {type(e) for e in back.report.events} <= {Approximated}  # only: features without id


@pytest.mark.parametrize("rel", sorted(DEFECTS))
def test_listed_defects_give_a_clear_parse_error(corpus, rel):
    with pytest.raises(ParseError) as info:
        mimbridge.convert(corpus / rel, source="geojson", target="ngsi-ld")
    assert DEFECTS[rel][1] in str(info.value)


@pytest.mark.parametrize("rel", sorted(READS))
def test_geojson_to_ngsi_ld_to_geojson(corpus, rel):
    """The entities carry properties and geometries; paging and feature extras travel in the meta slots."""
    src = json.loads((corpus / rel).read_text(encoding="utf-8"))
    g = mimbridge.read(src, source="geojson")
    entities = mimbridge.write(g, target="ngsi-ld")
    again = mimbridge.convert(entities, source="ngsi-ld", target="ngsi-ld")
    assert again.output == entities and again.report.lossless  # valid NGSI-LD
    g2 = mimbridge.read(entities, source="ngsi-ld")
    for new, old in zip(g2.nodes, g.nodes, strict=True):
        new.meta.update({k: v for k, v in old.meta.items() if k.startswith("geojson:")})
    g2.meta.update(g.meta)
    assert mimbridge.write(g2, target="geojson") == src


@pytest.mark.parametrize("rel", RECORDS)
def test_records_keep_catalogue_members(corpus, rel):
    doc = json.loads((corpus / rel).read_text(encoding="utf-8"))
    feats = doc["features"] if doc["type"] == "FeatureCollection" else [doc]
    out = mimbridge.convert(doc, source="ogc-records", target="ngsi-ld").output
    ents = out if isinstance(out, list) else [out]
    assert len(ents) == len(feats)
    for f, e in zip(feats, ents, strict=True):
        assert e["time"] == {"type": "JsonProperty", "json": f["time"]}
        assert e["http://purl.org/dc/terms/type"]["value"] == f["properties"]["type"]
        for key in ("externalIds", "themes", "contacts"):
            if key in f["properties"]:
                assert e[key] == {"type": "JsonProperty", "json": f["properties"][key]}
    assert ents[0]["id"] == feats[0]["id"] if ":" in feats[0]["id"] else ents[0]["id"].startswith("urn:ngsi-ld:")


def test_record_example_identifiers(corpus):
    e = mimbridge.convert(corpus / RECORDS[0], source="ogc-records", target="ngsi-ld").output
    assert e["id"] == "urn:x-wmo:md:int.wmo.wis::https://geo.woudc.org/def/data/ozone/total-column-ozone/totalozone"
    assert "http://www.w3.org/2002/07/owl#sameAs" not in e  # its only external id is not a DOI
    page = mimbridge.convert(corpus / RECORDS[1], source="ogc-records", target="ngsi-ld").output
    assert [x["id"] for x in page] == ["urn:ngsi-ld:records:e5a71860-827c-453f-990e-0e0ba0ee67bb",
                                       "urn:ngsi-ld:records:64e70d29-57a3-44a8-b55c-d465639d1e2e"]


# -- WFS GML: axis order against the same data served as GeoJSON ------------------------------------
MAPSERVER_GML = "ogc/_captured/mapserver-8.0.0/wfs20_getfeature_gml32.xml"
PYGEOAPI_LAKES = "ogc/_captured/pygeoapi-0.21.0/lakes_items_page1.json"
MAPSERVER_GEOJSON = "ogc/_captured/mapserver-8.0.0/wfs20_getfeature_geojson.json"


def _by_name(fc: dict) -> dict[str, list]:
    return {f["properties"]["name"]: f["geometry"]["coordinates"] for f in fc["features"]}


def _close(a, b, tol: float) -> bool:
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_close(x, y, tol) for x, y in zip(a, b, strict=True))
    return abs(a - b) <= tol


@pytest.mark.parametrize("other", [PYGEOAPI_LAKES, MAPSERVER_GEOJSON])
def test_wfs20_gml32_coordinates_equal_the_geojson_servers(corpus, other):
    gml = mimbridge.convert(corpus / MAPSERVER_GML, source="wfs-gml", target="geojson").output
    ref = json.loads((corpus / other).read_text(encoding="utf-8"))
    got, want = _by_name(gml), _by_name(ref)
    assert set(got) == set(want) == {"Lake Baikal", "Lake Winnipeg"}
    for name in want:  # GML carries 6 decimals: equal within half a unit of the last one
        assert _close(got[name], want[name], 5.1e-7), name
    # the same file read with the axes not swapped does not match: the test can tell (and the reader refuses
    # the latitudes above 90 it would give)
    with pytest.raises(ParseError, match=r"latitude .* outside \[-90, 90\]"):
        mimbridge.convert(corpus / MAPSERVER_GML, source="wfs-gml", target="geojson", axis_order="xy")
    raw = _by_name(mimbridge.convert(corpus / MAPSERVER_GML, source="wfs-gml", target="geojson",
                                     axis_order="xy", lenient=True).output)
    assert raw == {}


def test_wfs20_properties_typed_by_the_describefeaturetype_schema(corpus):
    xsd = corpus / "ogc/_captured/mapserver-8.0.0/wfs20_describefeaturetype.xsd"
    r = mimbridge.convert(corpus / MAPSERVER_GML, source="wfs-gml", target="geojson", schema=str(xsd))
    ref = json.loads((corpus / MAPSERVER_GEOJSON).read_text(encoding="utf-8"))
    assert [f["properties"] for f in r.output["features"]] == [f["properties"] for f in ref["features"]]
    assert r.report.lossless
    assert r.output["numberReturned"] == 2 and "numberMatched" not in r.output  # "unknown" is not a number
    assert r.output["links"][0]["rel"] == "next" and "STARTINDEX=2" in r.output["links"][0]["href"]
    assert [f["id"] for f in r.output["features"]] == ["lakes.0", "lakes.1"]
    ents = mimbridge.convert(corpus / MAPSERVER_GML, source="wfs-gml", target="ngsi-ld", schema=str(xsd)).output
    assert [e["id"] for e in ents] == ["urn:ngsi-ld:lakes:lakes.0", "urn:ngsi-ld:lakes:lakes.1"]


RIVER_FIRST = [5.51975947186384, 51.9215992535779]  # the River collection's CRS84 envelope gives lon/lat


def test_ets_wfs20_river_crs84_and_lat_lon_simple_feature_agree(corpus):
    base = corpus / "ogc/ets-wfs20/src/test/resources"
    rivers = mimbridge.convert(base / "GetFeature/FeatureCollection-River.xml", source="wfs-gml",
                               target="geojson").output
    assert rivers["numberReturned"] == 4
    rhein = rivers["features"][0]
    assert rhein["geometry"]["type"] == "MultiLineString"
    assert rhein["geometry"]["coordinates"][0][0] == RIVER_FIRST
    assert rhein["properties"]["name"] == "Rhein"
    # SimpleFeature gives EPSG:4326 (http URI form: lat/lon) samples of the same river
    simple = mimbridge.convert(base / "wfs/FeatureCollection-SimpleFeature.xml", source="wfs-gml",
                               target="geojson").output
    alpha = simple["features"][0]["geometry"]["coordinates"]
    assert _close(alpha[0], RIVER_FIRST, 1e-3)
    assert _close(alpha[1], [8.54167494926816, 49.3041921471645], 1e-3)
    single = mimbridge.read(base / "Feature-River.xml", source="wfs-gml")
    assert single.nodes[0].id == "urn:adv:oid:1"  # the gml:identifier URI
    assert single.nodes[0].attrs["https://uri.etsi.org/ngsi-ld/location"][0].value == rhein["geometry"]


def test_ets_wfs20_complex_feature(corpus):
    out = mimbridge.convert(corpus / "ogc/ets-wfs20/src/test/resources/wfs/FeatureCollection-ComplexFeature.xml",
                            source="wfs-gml", target="ngsi-ld").output
    cf1 = out[0]
    assert cf1["location"]["value"] == {"type": "MultiPoint", "coordinates": [[-123.10, 49.25]]}  # Vancouver
    assert cf1["observation"] == {"type": "Property", "value": 900, "unitCode": "MTR"}
    assert cf1["validTime"]["json"] == {"TimePeriod": {"@id": "TP01", "beginPosition": "2016-01-01T12:00:00Z",
                                                       "endPosition": "2016-07-01T12:00:00Z"}}
    assert cf1["id"] == "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"  # gml:identifier


def test_oapif_xml_collection(corpus):
    out = mimbridge.convert(corpus / "ogc/ogcapi-features/core/examples/xml/FeatureCollection.xml",
                            source="wfs-gml", target="geojson").output
    assert [f["geometry"]["coordinates"] for f in out["features"]] == [[-176.466049194336, -43.81286239624023],
                                                                      [-149.5207672119141, -23.3629035949707]]
    assert out["bbox"] == [-176.466049194336, -43.81286239624023, -149.5207672119141, -23.3629035949707]


# -- odd geometries and placeholders ------------------------------------------------------------
STA = "ogc/ets-sta10/src/main/resources/JSON entities"


def test_unnested_polygon_ring_is_reported_with_its_location(corpus):
    loc = json.loads((corpus / STA / "locations/southern-alberta-polygon.json").read_text())["location"]
    f = {"type": "Feature", "id": "alberta", "geometry": loc, "properties": {"name": "Southern Alberta"}}
    r = mimbridge.convert(f, source="geojson", target="ngsi-ld")
    assert r.output["location"]["value"] == loc
    (ev,) = r.report.of_type(Unresolved)
    assert ev.path == "/geometry/coordinates/0" and "missing one level of array nesting" in ev.message


@pytest.mark.parametrize("name", ["observations/embeddedFeatureOfInterestValid.json",
                                  "observations/linkedDataStreamWithFOI.json"])
def test_placeholder_templates_give_a_located_parse_error(corpus, name):
    with pytest.raises(ParseError) as info:
        mimbridge.convert(corpus / STA / name, source="geojson", target="ngsi-ld")
    assert info.value.pointer.startswith("line ") and "column" in info.value.pointer
