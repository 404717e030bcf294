"""``geojson`` and ``ogc-records``: contract, feature <-> entity mapping, round trips (expected values by hand)."""

from __future__ import annotations

import copy

import pytest
from shapely.geometry import shape

import mimbridge
from mimbridge.adapters.features.names import mint_id
from mimbridge.adapters.features.records import doi_uri, record_dois
from mimbridge.adapters.native import dump
from mimbridge.report import Approximated, Coerced, Dropped, Rejected, Unresolved
from mimbridge.testing import AdapterContract

DC = "https://uri.etsi.org/ngsi-ld/default-context/"
NGSI = "https://uri.etsi.org/ngsi-ld/"
PAGE_LINKS = [
    {"href": "https://example.org/collections/lakes/items?f=json&limit=2", "rel": "self",
     "type": "application/geo+json"},
    {"href": "https://example.org/collections/lakes/items?f=json&limit=2&offset=2", "rel": "next",
     "type": "application/geo+json"},
]
FC = {
    "type": "FeatureCollection",
    "numberMatched": 25, "numberReturned": 4, "timeStamp": "2026-11-26T23:04:33Z", "links": PAGE_LINKS,
    "bbox": [-100.0, 40.0, 110.0, 60.0],
    "features": [
        {"type": "Feature", "id": 0, "bbox": [103.6, 51.4, 109.9, 55.7],
         "geometry": {"type": "Polygon", "coordinates": [[[106.5, 52.7], [107.0, 53.1], [108.0, 52.0],
                                                          [106.5, 52.7]]]},
         "properties": {"id": 0, "name": "Lake Baikal", "admin": None, "depth": 1642.0, "deep": True,
                        "tags": ["rift", "oldest"], "extent": {"length_km": 636, "width_km": 79},
                        "location": "Siberia"}},
        {"type": "Feature", "id": "https://example.org/lakes/winnipeg",
         "geometry": {"type": "Point", "coordinates": [-97.5, 52.5, 217.0]},
         "properties": {"name": "Lake Winnipeg", "type": "lake", "mixed": [1, "a", None], "empty": []},
         "links": [{"rel": "alternate", "href": "https://example.org/lakes/winnipeg.html"}]},
        {"type": "Feature", "id": "lake 3", "geometry": None, "properties": None},
        {"type": "Feature", "id": "lake-4", "geometry": {"type": "Point", "coordinates": [10.0, 47.5]},
         "place": {"type": "Point", "coordinates": [4000000.5, 2700000.25]}, "properties": {}},
    ],
}
FEATURE = {"type": "Feature", "id": "urn:ngsi-ld:Stop:1", "geometry": {"type": "Point", "coordinates": [2.29, 48.85]},
           "properties": {"name": "Tour Eiffel", "lines": [6, 9]},
           "links": [{"rel": "collection", "href": "https://example.org/collections/stops"}]}
ENTITY = {
    "id": "urn:ngsi-ld:Building:1", "type": "Building",
    "name": {"type": "Property", "value": "Tower"},
    "height": {"type": "Property", "value": 330.0, "unitCode": "MTR", "observedAt": "2024-05-01T10:00:00Z"},
    "owner": {"type": "Relationship", "object": "urn:ngsi-ld:City:Paris"},
    "label": {"type": "LanguageProperty", "languageMap": {"fr": "Tour", "en": "Tower"}},
    "spec": {"type": "JsonProperty", "json": {"floors": [1, 2, 3]}},
    "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [2.2945, 48.8584]}},
}


class TestGeoJSON(AdapterContract):
    format = "geojson"
    samples = [FC, FEATURE, {"type": "Point", "coordinates": [1.0, 2.0]}]
    bad_samples = [{"type": "Topology"}, {"type": "Feature", "properties": 5}, '{"type": ', [1, 2],
                   {"type": "FeatureCollection", "features": [{"type": "Feature", "id": {"x": 1}}]},
                   {"type": "FeatureCollection", "features": {}}]


class TestRecords(AdapterContract):
    format = "ogc-records"
    samples = [{"type": "Feature", "id": "urn:x:rec:1", "geometry": None, "time": {"date": "2024-05-01"},
                "properties": {"type": "dataset", "title": "Air quality",
                               "externalIds": [{"scheme": "doi", "value": "10.5555/aq-2024"}]}}]
    bad_samples = [{"type": "Catalog", "id": "x"}, {"type": "FeatureCollection", "features": [{"id": 1}]}]


# -- feature -> entity ----------------------------------------------------------------
def _entities(data, **options):
    r = mimbridge.convert(data, source="geojson", target="ngsi-ld", **options)
    return r.output, r.report


def test_ids_types_and_names():
    ents, rep = _entities(FC, type="Lake")
    baikal, winnipeg = ents[:2]
    assert [e["id"] for e in ents] == ["urn:ngsi-ld:Lake:0", "https://example.org/lakes/winnipeg",
                                       "urn:ngsi-ld:Lake:lake%203", "urn:ngsi-ld:Lake:lake-4"]
    assert {e["type"] for e in ents} == {"Lake"}
    # compact names come back unchanged; NGSI-LD reserved names and the geometry's name stay apart
    assert baikal["name"] == {"type": "Property", "value": "Lake Baikal"}
    assert baikal["ngsi-ld:default-context/id"] == {"type": "Property", "value": 0}
    assert baikal["ngsi-ld:default-context/location"] == {"type": "Property", "value": "Siberia"}
    assert winnipeg["ngsi-ld:default-context/type"] == {"type": "Property", "value": "lake"}
    assert baikal["location"]["type"] == "GeoProperty"
    # what NGSI-LD has no member for is reported: the collection's links, foreign members, the ids as given
    assert sorted((e.kind, e.path) for e in rep.events) == [
        ("Dropped", "/0/id"), ("Dropped", "/0/members"), ("Dropped", "/collection")], rep.summary()


def test_values_become_typed_attributes():
    ents, _ = _entities(FC, type="Lake")
    baikal, winnipeg, three, four = ents
    assert baikal["depth"] == {"type": "Property", "value": 1642.0}
    assert baikal["deep"] == {"type": "Property", "value": True}
    assert baikal["tags"] == {"type": "Property", "value": ["rift", "oldest"]}
    assert baikal["extent"] == {"type": "JsonProperty", "json": {"length_km": 636, "width_km": 79}}
    assert baikal["admin"] == {"type": "JsonProperty", "json": None}
    assert winnipeg["mixed"] == {"type": "JsonProperty", "json": [1, "a", None]}
    assert winnipeg["empty"] == {"type": "JsonProperty", "json": []}
    assert winnipeg["location"] == {"type": "GeoProperty",
                                    "value": {"type": "Point", "coordinates": [-97.5, 52.5, 217.0]}}
    assert set(three) == {"id", "type"}  # null geometry, null properties
    assert four["place"] == {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [4000000.5, 2700000.25]}}


def test_type_from_collection_name_links_or_default():
    named = {"type": "FeatureCollection", "name": "lakes", "features": [{"type": "Feature", "id": 1,
                                                                         "geometry": None, "properties": {}}]}
    assert _entities(named)[0][0]["id"] == "urn:ngsi-ld:lakes:1"
    assert _entities({**FC, "features": FC["features"][:1]})[0][0]["type"] == "lakes"  # from the self link
    assert _entities(FEATURE)[0]["type"] == "stops"  # from the collection link of an item page
    bare = {"type": "Feature", "id": 5, "geometry": None, "properties": {}}
    assert _entities(bare)[0] == {"id": "urn:ngsi-ld:Feature:5", "type": "Feature"}
    g = mimbridge.read(bare, source="geojson")
    assert g.nodes[0].types == ["https://purl.org/geojson/vocab#Feature"]
    g = mimbridge.read(bare, source="geojson", type="https://schema.org/Place")
    assert g.nodes[0].types == ["https://schema.org/Place"] and g.nodes[0].id == "urn:ngsi-ld:Place:5"


def test_vocab_and_context_options():
    g = mimbridge.read(FEATURE, source="geojson", vocab="https://example.org/def#")
    assert set(g.nodes[0].attrs) == {"https://example.org/def#name", "https://example.org/def#lines",
                                     "https://example.org/def#location"}
    assert g.nodes[0].types == ["https://example.org/def#stops"]
    ctx = {"name": "https://schema.org/name", "Stop": "https://example.org/Stop"}
    g = mimbridge.read(FEATURE, source="geojson", context=ctx, type="Stop")
    assert g.nodes[0].types == ["https://example.org/Stop"]
    assert "https://schema.org/name" in g.nodes[0].attrs and DC + "lines" in g.nodes[0].attrs
    out = mimbridge.convert(FEATURE, source="geojson", target="geojson", context=ctx, type="Stop").output
    assert out == FEATURE


def test_feature_without_id_is_minted_from_its_content_and_reported():
    f = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {"n": 1}}
    fc = {"type": "FeatureCollection", "name": "pts", "features": [f, copy.deepcopy(f), {**f, "properties": {"n": 2}}]}
    ents, rep = _entities(fc)
    assert ents[0]["id"] == ents[1]["id"] != ents[2]["id"]
    assert ents[0]["id"].startswith("urn:ngsi-ld:pts:") and len(ents[0]["id"]) == len("urn:ngsi-ld:pts:") + 24
    ev = rep.of_type(Approximated)[0]
    assert ev.count == 3 and ev.paths == ["/features/0", "/features/1", "/features/2"]
    by_prop, rep2 = _entities(fc, id_property="n")
    assert [e["id"] for e in by_prop] == ["urn:ngsi-ld:pts:1", "urn:ngsi-ld:pts:1", "urn:ngsi-ld:pts:2"]
    # only what NGSI-LD has no member for: the collection's name, and that the features had no id
    assert sorted((e.kind, e.path) for e in rep2.events) == [("Dropped", "/0/id"), ("Dropped", "/collection")]
    back = mimbridge.convert(fc, source="geojson", target="geojson")
    assert back.output == fc  # no id in, no id out


def test_mint_id_rule():
    assert mint_id("Lake", 0) == "urn:ngsi-ld:Lake:0"
    assert mint_id("sta things", "'01a2'") == "urn:ngsi-ld:sta%20things:%2701a2%27"
    assert mint_id("https://schema.org/Place", "a/b#c") == "urn:ngsi-ld:Place:a%2Fb%23c"
    assert mint_id("T", "x:y.z~(1)") == "urn:ngsi-ld:T:x:y.z~(1)"


def test_bad_features_are_rejected_with_a_pointer_and_the_rest_converted():
    fc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": 1, "geometry": None, "properties": {}},
        {"type": "Polygon", "coordinates": []},
        {"type": "Feature", "id": [1], "geometry": None, "properties": {}},
        {"type": "Feature", "id": 2, "geometry": None, "properties": "x"},
    ]}
    ents, rep = _entities(fc)
    assert [e["id"] for e in ents] == ["urn:ngsi-ld:Feature:1"]
    assert sorted(p for e in rep.of_type(Rejected) for p in e.paths) == [
        "/features/1/type", "/features/2/id", "/features/3/properties"]


# -- geometries ------------------------------------------------------------------------
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


def test_invalid_geometry_is_reported_and_passed_through():
    f = {"type": "Feature", "id": 1, "geometry": BOWTIE, "properties": {}}
    r = mimbridge.convert({"type": "FeatureCollection", "features": [f]}, source="geojson", target="geojson")
    assert r.output["features"][0]["geometry"] == BOWTIE
    ev = r.report.of_type(Unresolved)[0]
    assert ev.path == "/features/0/geometry"
    assert ev.message == "invalid geometry passed through unchanged: Self-intersection[0.5 0.5]"
    fixed = mimbridge.convert(f, source="geojson", target="geojson", repair=True)
    geom = fixed.output["geometry"]
    assert geom["type"] == "MultiPolygon" and shape(geom).is_valid and shape(geom).area == pytest.approx(0.5)
    assert fixed.report.of_type(Coerced)[0].message.startswith("invalid geometry repaired (make_valid)")


def test_odd_geometries_never_crash():
    odd = [{"type": "Polygon", "coordinates": [[0, 0], [1, 0], [1, 1], [0, 0]]},
           {"type": "Point", "coordinates": ["$LON", "$LAT"]}, {"type": "Point"}, {"type": "Blob"}, "POINT (1 2)", 7]
    fc = {"type": "FeatureCollection", "features": [{"type": "Feature", "id": i, "geometry": g, "properties": {}}
                                                    for i, g in enumerate(odd)]}
    r = mimbridge.convert(fc, source="geojson", target="ngsi-ld")
    assert len(r.output) == len(odd)
    assert [e["location"]["value"] for e in r.output] == odd  # passed through unchanged
    paths = sorted(p for e in r.report.of_type(Unresolved) for p in e.paths)
    assert paths == ["/features/0/geometry/coordinates/0", "/features/1/geometry/coordinates/0",
                     "/features/2/geometry", "/features/3/geometry/type", "/features/4/geometry",
                     "/features/5/geometry"]


# -- round trips -------------------------------------------------------------------------
def test_geojson_round_trip_is_json_equal_and_lossless():
    r = mimbridge.convert(FC, source="geojson", target="geojson")
    assert r.output == FC and r.report.lossless
    assert r.report.records_in == r.report.records_out == 4


def test_meta_slots_hold_paging_and_feature_extras():
    g = mimbridge.read(FC, source="geojson")
    assert g.meta["geojson:collection"] == {"numberMatched": 25, "numberReturned": 4, "links": PAGE_LINKS,
                                            "timeStamp": "2026-11-26T23:04:33Z", "bbox": [-100.0, 40.0, 110.0, 60.0]}
    assert g.nodes[0].meta["geojson:members"] == {"bbox": [103.6, 51.4, 109.9, 55.7]}
    assert g.nodes[1].meta["geojson:members"] == {"links": FC["features"][1]["links"]}


def test_geojson_to_ngsi_ld_to_geojson():
    """NGSI-LD entities carry every property and geometry; paging and feature extras ride in the meta slots."""
    g = mimbridge.read(FC, source="geojson")
    entities = mimbridge.write(g, target="ngsi-ld")
    again = mimbridge.read(entities, source="ngsi-ld")
    assert [dump(mimbridge.Graph([n]))["nodes"][0]["attrs"] for n in again] == \
           [dump(mimbridge.Graph([n]))["nodes"][0]["attrs"] for n in g]
    for new, old in zip(again.nodes, g.nodes, strict=True):  # the native slots travel beside the entities
        new.meta.update({k: v for k, v in old.meta.items() if k.startswith("geojson:")})
    again.meta.update(g.meta)
    assert mimbridge.write(again, target="geojson") == FC
    # and the model's own dump carries them in one document
    native = mimbridge.convert(FC, source="geojson", target="native").output
    assert mimbridge.convert(native, source="native", target="geojson").output == FC


def test_entity_to_feature_follows_the_ngsi_ld_geojson_rules():
    r = mimbridge.convert(ENTITY, source="ngsi-ld", target="geojson")
    assert r.output == {
        "type": "Feature", "id": "urn:ngsi-ld:Building:1",
        "geometry": {"type": "Point", "coordinates": [2.2945, 48.8584]},
        "properties": {"type": "Building", "name": "Tower", "height": 330.0, "owner": "urn:ngsi-ld:City:Paris",
                       "label": {"fr": "Tour", "en": "Tower"}, "spec": {"floors": [1, 2, 3]},
                       "location": {"type": "Point", "coordinates": [2.2945, 48.8584]}},
    }
    by_type = {(type(e).__name__, e.path): e.message for e in r.report.events}
    assert ("Dropped", "/height/unitCode") in by_type and ("Dropped", "/height/observedAt") in by_type
    assert ("Coerced", "/owner") in by_type and ("Coerced", "/label") in by_type
    # the same properties as the NGSI-LD GeoJSON representation in its simplified form, for plain kinds
    plain = {k: v for k, v in ENTITY.items() if k not in ("label", "spec")}
    ours = mimbridge.convert(plain, source="ngsi-ld", target="geojson").output
    theirs = mimbridge.convert(plain, source="ngsi-ld", target="ngsi-ld-geojson", simplified=True).output
    assert ours["properties"] == theirs["properties"] and ours["geometry"] == theirs["geometry"]


def test_entities_to_feature_collection_for_qgis():
    two = [ENTITY, {**ENTITY, "id": "urn:ngsi-ld:Building:2"}]
    out = mimbridge.convert(two, source="ngsi-ld", target="geojson", lang="en").output
    assert out["type"] == "FeatureCollection" and [f["id"] for f in out["features"]] == [e["id"] for e in two]
    assert out["features"][0]["properties"]["label"] == "Tower"
    again = mimbridge.convert(out, source="geojson", target="ngsi-ld").output
    assert again[0]["id"] == "urn:ngsi-ld:Building:1" and again[0]["height"] == {"type": "Property", "value": 330.0}


def test_property_kinds_that_do_not_survive_geojson_are_reported():
    e = {"id": "urn:ngsi-ld:T:1", "type": "T", "addr": {"type": "Property", "value": {"street": "Main"}},
         "n": {"type": "JsonProperty", "json": 5}, "temps": [
             {"type": "Property", "value": 1, "datasetId": "urn:ngsi-ld:Dataset:a"},
             {"type": "Property", "value": 2, "datasetId": "urn:ngsi-ld:Dataset:b"}]}
    r = mimbridge.convert(e, source="ngsi-ld", target="geojson")
    assert r.output["properties"] == {"type": "T", "addr": {"street": "Main"}, "n": 5, "temps": 1}
    msgs = {(type(ev), ev.path) for ev in r.report.events}
    assert (Coerced, "/addr") in msgs and (Coerced, "/n") in msgs and (Dropped, "/temps/1") in msgs


# -- records -----------------------------------------------------------------------------
@pytest.mark.parametrize("value,uri", [
    ("10.1000/182", "https://doi.org/10.1000/182"),
    ("doi:10.5555/ABC def", None),  # a DOI has no whitespace (the resolver refuses it too)
    ("https://doi.org/10.5555/a%23b", "https://doi.org/10.5555/a%23b"),
    ("http://dx.doi.org/10.5555/a#b", None),  # in a URL, # starts a fragment: not part of the DOI
    ("info:doi/10.1234/x?y+z", "https://doi.org/10.1234/x%3Fy%2Bz"),
    ("DOI: 10.1002/(SICI)1097-4571", "https://doi.org/10.1002/(sici)1097-4571"),
    ("urn:x-wmo:md:int.wmo.wis::x", None), ("10.12/short-registrant", "https://doi.org/10.12/short-registrant"),
    ("", None),
])
def test_doi_uri(value, uri):
    assert doi_uri(value) == uri


def test_record_dois_and_same_as():
    rec = {"type": "Feature", "id": "rec-1", "geometry": None, "time": {"interval": ["2020-01-01", ".."]},
           "conformsTo": ["http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core"],
           "links": [{"rel": "describes", "href": "https://data.example.org/aq"}],
           "properties": {"type": "dataset", "title": "AQ", "keywords": ["air", "no2"],
                          "externalIds": [{"scheme": "doi", "value": "10.5555/aq.1"},
                                          {"scheme": "other", "value": "https://doi.org/10.5555/AQ.2"},
                                          {"scheme": "local", "value": "aq-1"}],
                          "themes": [{"concepts": [{"id": "air"}], "scheme": "https://example.org/themes"}],
                          "contacts": [{"name": "Data desk", "roles": ["publisher"]}]}}
    assert record_dois(rec["properties"]["externalIds"]) == ["https://doi.org/10.5555/aq.1",
                                                             "https://doi.org/10.5555/aq.2"]
    e = mimbridge.convert(rec, source="ogc-records", target="ngsi-ld").output
    assert e["id"] == "urn:ngsi-ld:Record:rec-1" and e["type"] == "Record"
    assert e["http://www.w3.org/2002/07/owl#sameAs"] == {
        "type": "Relationship", "object": ["https://doi.org/10.5555/aq.1", "https://doi.org/10.5555/aq.2"]}
    assert e["http://purl.org/dc/terms/type"] == {"type": "Property", "value": "dataset"}
    assert e["time"] == {"type": "JsonProperty", "json": {"interval": ["2020-01-01", ".."]}}
    assert e["links"] == {"type": "JsonProperty", "json": rec["links"]}
    assert e["conformsTo"]["value"] == rec["conformsTo"]
    for key in ("externalIds", "themes", "contacts"):
        assert e[key] == {"type": "JsonProperty", "json": rec["properties"][key]}
    assert e["title"] == {"type": "Property", "value": "AQ"}


def test_records_items_page_keeps_paging():
    page = {"type": "FeatureCollection", "numberMatched": 3, "numberReturned": 1,
            "links": [{"rel": "next", "href": "https://example.org/collections/cat/items?offset=1"}],
            "features": [{"type": "Feature", "id": "r1", "geometry": None, "properties": {"title": "A"}}]}
    g = mimbridge.read(page, source="ogc-records")
    assert g.meta["geojson:collection"]["numberMatched"] == 3
    assert g.nodes[0].id == "urn:ngsi-ld:cat:r1"


def test_bad_options_raise_mapping_errors():
    with pytest.raises(mimbridge.MappingError, match="vocab"):
        mimbridge.read(FEATURE, source="geojson", vocab="not an iri")
    with pytest.raises(mimbridge.MappingError, match="type option"):
        mimbridge.read(FEATURE, source="geojson", type=3)
    with pytest.raises(mimbridge.MappingError, match="axis_order"):
        mimbridge.read("<x/>", source="wfs-gml", axis_order="latlon")
    with pytest.raises(TypeError, match="unknown option"):
        mimbridge.read(FEATURE, source="geojson", geometry="location")


def test_odd_property_names_survive_ngsi_ld():
    f = {"type": "Feature", "id": "urn:x:1", "geometry": None,
         "properties": {"ms:id": 1, "a b": 2, "geojson:x": 3, "50%": 4, "größe": 5}}
    e = mimbridge.convert(f, source="geojson", target="ngsi-ld").output
    assert set(e) == {"id", "type", "ms:id", "a%20b", "geojson:x", "50%25", "größe"}
    back = mimbridge.convert(e, source="ngsi-ld", target="geojson").output
    assert back["properties"] == {"type": "Feature", **f["properties"]}
