"""SensorThings JSON: the structural mapping, identifiers, members, reports, and the adapter contract."""

from __future__ import annotations

import copy
import json

import pytest

import mimbridge
from mimbridge import Coerced, Dropped, ParseError, Rejected
from mimbridge.adapters.sta.vocab import mint, mint_anonymous, parse_minted, utc_instant
from mimbridge.testing import AdapterContract

BASE = "http://example.org/v1.1"

THING = {
    "@iot.id": 7, "@iot.selfLink": f"{BASE}/Things(7)", "name": "Oven", "description": "an oven",
    "properties": {"owner": "Noah", "tags": ["a", "b"]},
    "Locations@iot.navigationLink": "Things(7)/Locations",
    "HistoricalLocations@iot.navigationLink": f"{BASE}/Things(7)/HistoricalLocations",
    "Datastreams@iot.count": 1,
    "Datastreams@iot.nextLink": f"{BASE}/Things(7)/Datastreams?$skip=1",
    "Datastreams": [{
        "@iot.id": "ds-1", "name": "t", "description": "temperature",
        "unitOfMeasurement": {"name": None, "symbol": None, "definition": None},
        "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Observation",
        "phenomenonTime": "2024-01-01T00:00:00Z/2024-01-02T00:00:00Z",
        "Observations@iot.nextLink": f"{BASE}/Datastreams('ds-1')/Observations?$skip=3",
        "Observations": [
            {"@iot.id": 1.5, "phenomenonTime": "2024-01-01T00:00:00Z", "result": True, "resultTime": None},
            {"@iot.id": None, "phenomenonTime": "2024-01-01T01:00:00+02:00/2024-01-01T02:00:00+02:00",
             "result": {"code": "fair"}, "validTime": "2024-01-01T00:00:00Z/2024-01-02T00:00:00Z",
             "resultQuality": [{"nameOfMeasure": "accuracy"}], "parameters": {"calibrated": False}},
            {"@iot.id": [1, "x"], "phenomenonTime": "2024-01-01T03:00:00Z", "result": None,
             "FeatureOfInterest": {"@iot.id": 3}},
        ],
    }],
}


def _roundtrips(doc, fmt="sta"):
    same = mimbridge.convert(doc, source=fmt, target=fmt)
    ngsi = mimbridge.convert(doc, source=fmt, target="ngsi-ld")
    back = mimbridge.convert(ngsi.output, source="ngsi-ld", target=fmt)
    return same, ngsi, back


# -- identifiers -------------------------------------------------------------------------
@pytest.mark.parametrize("sta_id, iri", [
    (1, "urn:ngsi-ld:sta:Thing:1"), ("1", "urn:ngsi-ld:sta:Thing:'1'"), (1.0, "urn:ngsi-ld:sta:Thing:1.0"),
    (True, "urn:ngsi-ld:sta:Thing:true"), (None, "urn:ngsi-ld:sta:Thing:null"),
    ("a b/c'd", "urn:ngsi-ld:sta:Thing:'a%20b%2Fc''d'"), ({"k": 1}, "urn:ngsi-ld:sta:Thing:%7B%22k%22:1%7D"),
])
def test_minted_ids_keep_the_json_type(sta_id, iri):
    assert mint("Thing", sta_id) == iri
    parsed = parse_minted(iri)
    assert parsed == ("Thing", True, sta_id) and type(parsed[2]) is type(sta_id)


def test_occurrence_suffix_and_anonymous_ids():
    assert parse_minted("urn:ngsi-ld:sta:Sensor:'a;1';2") == ("Sensor", True, "a;1")
    assert parse_minted(mint_anonymous("Thing", "abc/Datastreams/0")) == ("Thing", False, None)
    assert parse_minted("urn:ngsi-ld:Thing:1") is None


def test_ids_of_every_json_type_survive_ngsi_ld():
    for sid in (1, "1", 2.5, False, None, [1, 2], {"a": "b"}):
        doc = {"@iot.id": sid, "name": "x", "description": "y"}
        out = mimbridge.convert(doc, source="sta", target="ngsi-ld").output
        back = mimbridge.convert(out, source="ngsi-ld", target="sta").output
        assert back == doc and type(back["@iot.id"]) is type(sid)


def test_string_and_number_ids_give_different_entities():
    a = mimbridge.convert({"@iot.id": 1, "name": "x"}, source="sta", target="ngsi-ld").output["id"]
    b = mimbridge.convert({"@iot.id": "1", "name": "x"}, source="sta", target="ngsi-ld").output["id"]
    assert a != b


def test_entities_without_id_get_deterministic_distinct_ids():
    ds = {"name": "a", "unitOfMeasurement": {}}
    body = {"name": "t", "Datastreams": [ds, dict(ds)]}
    one = mimbridge.convert(body, source="sta", target="ngsi-ld").output
    two = mimbridge.convert(copy.deepcopy(body), source="sta", target="ngsi-ld").output
    assert [e["id"] for e in one] == [e["id"] for e in two]
    assert len({e["id"] for e in one}) == 3
    assert mimbridge.convert(one, source="ngsi-ld", target="sta").output == body


# -- members -------------------------------------------------------------------------------
def test_tree_with_annotations_and_any_json_results_round_trips():
    same, ngsi, back = _roundtrips(THING)
    assert same.output == THING and same.report.lossless
    assert back.output == THING and back.report.lossless
    by_type = {}
    for e in ngsi.output:
        by_type.setdefault(e["type"], []).append(e)
    thing = by_type["Thing"][0]
    assert thing["locations"] == {"type": "Property", "value": "Things(7)/Locations"}
    ds = thing["datastreams"]
    assert ds["type"] == "ListRelationship" and ds["count"]["value"] == 1
    assert ds["nextLink"]["value"] == f"{BASE}/Things(7)/Datastreams?$skip=1"
    assert ds["objectList"] == ["urn:ngsi-ld:sta:Datastream:'ds-1'"]
    assert thing["properties"] == {"type": "JsonProperty", "json": {"owner": "Noah", "tags": ["a", "b"]}}
    datastream = by_type["Datastream"][0]
    assert datastream["observations"]["nextLink"]["value"].endswith("$skip=3")
    results = {e["id"]: e["result"] for e in by_type["Observation"]}
    assert results["urn:ngsi-ld:sta:Observation:1.5"] == {"type": "Property", "value": True}
    assert results["urn:ngsi-ld:sta:Observation:null"] == {"type": "JsonProperty", "json": {"code": "fair"}}
    assert results["urn:ngsi-ld:sta:Observation:%5B1,%22x%22%5D"] == {"type": "JsonProperty", "json": None}
    # {"@iot.id": 3} links to an entity the document does not describe: a Relationship, no entity made up
    assert "FeatureOfInterest" not in by_type
    assert {e["featureOfInterest"]["object"] for e in by_type["Observation"] if "featureOfInterest" in e} == {
        "urn:ngsi-ld:sta:FeatureOfInterest:3"}


def test_location_encodings():
    feature = {"@iot.id": 1, "name": "a", "description": "b", "encodingType": "application/vnd.geo+json",
               "location": {"type": "Feature", "properties": {"floor": 2},
                            "geometry": {"type": "Point", "coordinates": [1, 2]}}}
    bare = {"@iot.id": 2, "name": "a", "description": "b", "encodingType": "application/geo+json",
            "location": {"type": "Point", "coordinates": [1, 2]}}
    wkt = {"@iot.id": 3, "name": "a", "description": "b", "encodingType": "text/plain",
           "location": "POINT(1 2)"}
    for doc in (feature, bare, wkt):
        same, _, back = _roundtrips(doc)
        assert same.output == doc and back.output == doc
    f_out = mimbridge.convert(feature, source="sta", target="ngsi-ld").output
    assert f_out["type"] == "Location"
    assert f_out["location"]["type"] == "GeoProperty"
    assert f_out["location"]["value"] == {"type": "Point", "coordinates": [1, 2]}
    assert f_out["encodingType"]["value"] == "application/geo+json"
    assert f_out["encodingType"]["originalValue"]["value"] == "application/vnd.geo+json"
    assert mimbridge.convert(bare, source="sta", target="ngsi-ld").output["location"]["value"] == bare["location"]
    assert mimbridge.convert(wkt, source="sta", target="ngsi-ld").output["location"] == {
        "type": "Property", "value": "POINT(1 2)"}


def test_broken_polygon_is_kept_and_reported_or_repaired():
    ring = [[0, 0], [1, 0], [1, 1], [0, 0]]
    doc = {"description": "p", "encodingType": "application/geo+json", "location": {"type": "Polygon",
                                                                                    "coordinates": ring}}
    r = mimbridge.convert(doc, source="sta", target="ngsi-ld")
    assert r.output["location"]["type"] == "JsonProperty"
    assert [(e.kind, e.path) for e in r.report.events] == [("Coerced", "/location/coordinates")]
    fixed = mimbridge.convert(doc, source="sta", target="sta", repair_geometry=True)
    assert fixed.output["location"]["coordinates"] == [ring]
    assert "repaired" in fixed.report.of_type(Coerced)[0].message


def test_same_entity_expanded_twice():
    ds = {"@iot.id": 5, "name": "d", "unitOfMeasurement": {"symbol": "m"}}
    page = {"value": [{"@iot.id": 1, "result": 1, "Datastream": ds}, {"@iot.id": 2, "result": 2, "Datastream": ds}]}
    out = mimbridge.convert(page, source="sta", target="ngsi-ld").output
    assert [e["id"] for e in out if e["type"] == "Datastream"] == ["urn:ngsi-ld:sta:Datastream:5"]
    assert mimbridge.convert(out, source="ngsi-ld", target="sta").output == page
    differing = copy.deepcopy(page)
    differing["value"][1]["Datastream"] = {"@iot.id": 5, "name": "d"}  # another $select
    out = mimbridge.convert(differing, source="sta", target="ngsi-ld").output
    assert [e["id"] for e in out if e["type"] == "Datastream"] == [
        "urn:ngsi-ld:sta:Datastream:5", "urn:ngsi-ld:sta:Datastream:5;2"]
    assert mimbridge.convert(out, source="ngsi-ld", target="sta").output == differing


def test_collection_envelope_and_arrays():
    page = {"@iot.count": 42, "@iot.nextLink": f"{BASE}/Things?$skip=2", "value": [
        {"@iot.id": 1, "name": "a", "description": "x"}, {"@iot.id": 2, "name": "b", "description": "y"}]}
    same, ngsi, back = _roundtrips(page)
    assert back.output == page and same.output == page
    env = next(e for e in ngsi.output if e["type"] == "Collection")
    assert env["count"]["value"] == 42 and env["members"]["objectList"] == [
        "urn:ngsi-ld:sta:Thing:1", "urn:ngsi-ld:sta:Thing:2"]
    array = [{"name": "a", "description": "x"}, {"name": "b", "description": "y"}]
    assert _roundtrips(array)[2].output == array
    empty = {"@iot.count": 0, "value": []}
    assert _roundtrips(empty)[2].output == empty


def test_typo_and_whitespace_members_are_coerced_and_reported():
    r = mimbridge.convert({"result": 45, "phenonmenonTime": "2015-02-05T17:00:00Z", "@iot.id ": 3},
                          source="sta", target="sta")
    assert r.output["phenomenonTime"] == "2015-02-05T17:00:00Z"
    assert sorted(e.path for e in r.report.of_type(Coerced)) == ["/@iot.id ", "/phenonmenonTime"]
    r = mimbridge.convert({"values": [{"@iot.id": 1, "result": 2}]}, source="sta", target="sta")
    assert r.output == {"value": [{"@iot.id": 1, "result": 2}]}
    assert r.report.of_type(Coerced)[0].path == "/values"


def test_type_inference_and_entity_type_option():
    r = mimbridge.convert({"name": "s", "description": "d", "encodingType": "application/pdf", "metadata": "x"},
                          source="sta", target="ngsi-ld")
    assert r.output["type"] == "Sensor" and r.report.lossless
    r = mimbridge.convert({"@iot.selfLink": f"{BASE}/ObservedProperties(3)", "name": "n"}, source="sta",
                          target="ngsi-ld")
    assert r.output["type"] == "ObservedProperty"
    r = mimbridge.convert({"foo": 1}, source="sta", target="ngsi-ld")
    assert r.output["type"] == "Thing" and r.report.events[0].kind == "Approximated"
    r = mimbridge.convert({"foo": 1}, source="sta", target="ngsi-ld", entity_type="Sensor")
    assert r.output["type"] == "Sensor" and r.report.lossless


@pytest.mark.parametrize("doc, pointer", [
    ("[1, 2]", "/0"), ('"text"', ""), ('{"name": "u", "symbol": "m", "definition": "x"}', "/symbol"),
    ('{"type": "FeatureCollection", "features": []}', "/type"), ('["http://x/Observations(1)"]', "/0"),
    ('{"@iot.id": 1, "Datastreams": [3]}', "/Datastreams/0"), ('{"@iot.id": 1, ', "line 1 column 16"),
])
def test_bad_input_raises_parse_error_with_pointer(doc, pointer):
    with pytest.raises(ParseError) as info:
        mimbridge.convert(doc, source="sta", target="sta")
    assert info.value.pointer == pointer


def test_bad_collection_member_is_rejected_not_dropped_silently():
    r = mimbridge.convert({"value": [{"@iot.id": 1, "name": "a"}, 5]}, source="sta", target="sta")
    assert r.output == {"value": [{"@iot.id": 1, "name": "a"}]}
    assert [(e.kind, e.path) for e in r.report.events] == [("Rejected", "/value/1")]
    assert r.report.of_type(Rejected)


def test_writer_reports_what_sensorthings_cannot_hold():
    room = {"id": "urn:ngsi-ld:Room:1", "type": "Room", "t": {"type": "Property", "value": 1}}
    r = mimbridge.convert(room, source="ngsi-ld", target="sta")
    assert r.report.of_type(Dropped)[0].message.startswith("entity of type")
    ngsi = mimbridge.convert({"@iot.id": 1, "name": "a", "description": "b"}, source="sta", target="ngsi-ld").output
    ngsi["name"] = [{"type": "Property", "value": "a", "observedAt": "2024-01-01T00:00:00Z"},
                    {"type": "Property", "value": "z", "datasetId": "urn:x:1"}]
    r = mimbridge.convert(ngsi, source="ngsi-ld", target="sta")
    assert r.output == {"@iot.id": 1, "name": "a", "description": "b"}
    messages = sorted(e.message for e in r.report.of_type(Dropped))
    assert messages[0] == "observedAt has no SensorThings member"
    assert messages[1].startswith("only one instance per SensorThings member")


def test_version_2_spellings():
    doc = {"@context": "https://example.org/v2.0/$metadata#Observations/$entity", "@id": "Observations(1)", "id": 1,
           "phenomenonTime": {"start": "2017-11-12T13:00:00Z", "end": "2017-11-12T14:00:00Z"},
           "validTime": {"start": "2017-11-12T13:00:00Z"}, "result": 12.5,
           "Datastream@navigationLink": "Observations(1)/Datastream",
           "ProximateFeatureOfInterest@navigationLink": "Observations(1)/ProximateFeatureOfInterest"}
    assert mimbridge.convert(doc, source="sta2", target="sta2").output == doc
    ngsi = mimbridge.convert(doc, source="sta2", target="ngsi-ld").output
    assert ngsi["phenomenonTime"]["value"] == "2017-11-12T13:00:00Z/2017-11-12T14:00:00Z"
    assert mimbridge.convert(ngsi, source="ngsi-ld", target="sta2").output == doc
    v11 = mimbridge.convert(doc, source="sta2", target="sta")
    assert v11.output == {
        "@iot.id": 1, "@iot.selfLink": "Observations(1)",
        "phenomenonTime": "2017-11-12T13:00:00Z/2017-11-12T14:00:00Z", "validTime": "2017-11-12T13:00:00Z/..",
        "result": 12.5, "Datastream@iot.navigationLink": "Observations(1)/Datastream",
        "FeatureOfInterest@iot.navigationLink": "Observations(1)/ProximateFeatureOfInterest"}
    kinds = {(e.kind, e.message.split(" (")[0]) for e in v11.report.events}
    assert ("Dropped", "the STA 2.0 @context") in kinds
    assert ("Approximated", "open time interval has no STA 1.1 form; written with '..' for the open end") in kinds
    assert ("Coerced", "STA 2.0 ProximateFeatureOfInterest written as STA 1.1 FeatureOfInterest") in kinds


def test_version_2_result_type_is_reported_when_writing_1_1():
    ds = {"name": "t", "description": "d", "resultType": {"type": "Quantity", "label": "T", "definition": "OP(1)",
                                                           "uom": {"code": "Cel", "label": "degree Celsius",
                                                                   "symbol": "°C"}}}
    r = mimbridge.convert(ds, source="sta2", target="sta")
    assert r.output["unitOfMeasurement"] == {"name": "degree Celsius", "symbol": "°C", "definition": "ucum:Cel"}
    assert r.output["observationType"].endswith("OM_Measurement") and "resultType" not in r.output
    assert {e.kind for e in r.report.events} == {"Dropped", "Approximated"}


def test_utc_instant():
    assert utc_instant("2012-06-26T03:42:02-0600") == "2012-06-26T09:42:02Z"
    assert utc_instant("2024-01-01T00:00:00.250Z") == "2024-01-01T00:00:00.250Z"
    assert utc_instant("2024-01-01T00:00:00") is None  # no time zone
    assert utc_instant("2021-02-30T00:00:00Z") is None


def test_registry_rows_and_aliases():
    assert mimbridge.registry.resolve_name("sensorthings") == "sta"
    assert mimbridge.registry.resolve_name("sta-2.0") == "sta2"
    assert mimbridge.registry.resolve_name("dataarray") == "sta-dataarray"


def test_context_resolves_offline():
    from mimbridge.contexts.bundled import BUNDLED
    from mimbridge.contexts.loader import ContextLoader

    url = "https://w3id.org/mimbridge/contexts/sta.jsonld"
    assert url in BUNDLED
    doc = ContextLoader()(url)["document"]
    assert doc["@context"]["Thing"] == "sta:Thing" and doc["@context"]["sta"] == "urn:mimbridge:sta:"


def test_unknown_navigation_and_annotations_round_trip():
    doc = {"@iot.id": 1, "name": "x", "Gadgets@iot.navigationLink": "Things(1)/Gadgets", "@iot.etag": "W/1",
           "Extras": [{"@iot.id": 4, "name": "e"}], "Extras@iot.count": 1}
    same, _, back = _roundtrips(doc)
    assert same.output == doc and back.output == doc, json.dumps(back.output)


class TestStaContract(AdapterContract):
    format = "sta"
    samples = [THING, {"@iot.count": 1, "value": [{"@iot.id": 1, "name": "a", "description": "b"}]}]
    bad_samples = ["[1]", '{"name": "u", "symbol": "m"}', '{"value": [1, 2]}']


class TestSta2Contract(AdapterContract):
    format = "sta2"
    samples = [{"@id": "Things(1)", "id": 1, "name": "a", "description": "b",
                "Datastreams@navigationLink": "Things(1)/Datastreams"}]
    bad_samples = ['"x"']


class TestStaDataArrayContract(AdapterContract):
    format = "sta-dataarray"
    samples = [{"@iot.count": 2, "value": [{"Datastream@iot.navigationLink": f"{BASE}/Datastreams(1)",
                                             "components": ["id", "phenomenonTime", "result"],
                                             "dataArray": [[1, "2024-01-01T00:00:00Z", 1.5],
                                                           [2, "2024-01-01T01:00:00Z", None]]}]},
               [{"Datastream": {"@iot.id": 1}, "components": ["phenomenonTime", "result", "FeatureOfInterest/id"],
                 "dataArray": [["2024-01-01T00:00:00Z", 3, 9]]}]]
    bad_samples = [{"value": [{"components": ["id"], "dataArray": [[1, 2]]}]}, '"x"']


def test_published_mapping_table_names_every_term():
    import csv
    from pathlib import Path

    from mimbridge.adapters.sta.vocab import upper_first

    root = Path(__file__).resolve().parent.parent
    with open(root / "mappings" / "sta-ngsi-ld.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    assert rows[0] == ["mapping", "sta_entity", "sta_member", "ngsi_ld", "sta_to_ngsi_ld", "ngsi_ld_to_sta", "notes"]
    assert all(len(r) == 7 for r in rows) and {r[0] for r in rows[1:]} == {"structural", "observations"}
    text = "\n".join("\t".join(r) for r in rows)
    terms = json.loads((root / "mimbridge" / "contexts" / "sta.jsonld").read_text(encoding="utf-8"))["@context"]
    missing = [t for t in terms if t != "sta" and t not in text and upper_first(t) not in text]
    assert not missing
