"""The observations mapping (``mapping="observations"``): STA <-> NGSI-LD temporal entities."""

from __future__ import annotations

import copy

import pytest

import mimbridge
from mimbridge import Approximated, Coerced, Dropped, Unresolved
from mimbridge.adapters.sta.mapping import derived_name, unit_code

BASE = "http://example.org/v1.1"
OM = "http://www.opengis.net/def/observationType/OGC-OM/2.0/"
SDM = "https://smartdatamodels.org/dataModel.Environment/"


def _obs(oid: int, minute: int, value: float) -> dict:
    t = f"2024-05-01T{minute // 60:02d}:{minute % 60:02d}:00Z"
    return {"@iot.id": oid, "@iot.selfLink": f"{BASE}/Observations({oid})", "phenomenonTime": t, "resultTime": t,
            "result": value, "Datastream@iot.navigationLink": f"{BASE}/Observations({oid})/Datastream"}


def _station(n: int = 50) -> dict:
    temperature = [_obs(100 + i, i, 20 + i / 10) for i in range(n)]
    humidity = [_obs(500 + i, i, 40 + i) for i in range(n)]
    return {
        "@iot.id": 1, "@iot.selfLink": f"{BASE}/Things(1)", "name": "station", "description": "a station",
        "Locations": [{"@iot.id": 3, "name": "roof", "description": "r", "encodingType": "application/geo+json",
                       "location": {"type": "Point", "coordinates": [5.1, 52.1]}}],
        "Datastreams": [
            {"@iot.id": 10, "name": "T", "description": "air temperature",
             "unitOfMeasurement": {"name": "degree Celsius", "symbol": "°C", "definition": "ucum:Cel"},
             "observationType": OM + "OM_Measurement",
             "Sensor": {"@iot.id": 7, "name": "s", "description": "d", "encodingType": "application/pdf",
                        "metadata": "https://example.org/s.pdf"},
             "ObservedProperty": {"@iot.id": 20, "name": "Temperature",
                                  "definition": "http://qudt.org/vocab/quantitykind/Temperature",
                                  "description": "t"},
             "Observations": temperature},
            {"@iot.id": 11, "name": "RH", "description": "relative humidity",
             "unitOfMeasurement": {"name": "percent", "symbol": "%", "definition": "ucum:%"},
             "observationType": OM + "OM_Measurement",
             "Sensor": {"@iot.id": 7, "name": "s", "description": "d", "encodingType": "application/pdf",
                        "metadata": "https://example.org/s.pdf"},
             "ObservedProperty": {"@iot.id": 21, "name": "Relative Humidity",
                                  "definition": "http://dbpedia.org/page/Relative_humidity", "description": "h"},
             "Observations": humidity},
        ],
    }


def _forward(doc, **kw):
    return mimbridge.convert(doc, source="sta", target="ngsi-ld-temporal", mapping="observations", **kw)


def _back(out, **kw):
    return mimbridge.convert(out, source="ngsi-ld-temporal", target="sta", mapping="observations", **kw)


def _observations(doc) -> dict:
    """(Datastream id, Observation id) -> (phenomenonTime, result) over a Thing tree."""
    return {(ds["@iot.id"], o["@iot.id"]): (o["phenomenonTime"], o["result"])
            for ds in doc["Datastreams"] for o in ds["Observations"]}


def test_thing_with_two_datastreams_becomes_one_entity_with_two_temporal_attributes():
    r = _forward(_station())
    assert r.report.lossless, r.report.summary()
    thing = next(e for e in r.output if e["type"] == "Thing")
    assert thing["id"] == "urn:ngsi-ld:sta:Thing:1"
    temperature, humidity = thing["temperature"], thing["relativeHumidity"]
    assert len(temperature) == 50 and len(humidity) == 50
    assert {i["datasetId"] for i in temperature} == {"urn:ngsi-ld:sta:Datastream:10"}
    assert {i["datasetId"] for i in humidity} == {"urn:ngsi-ld:sta:Datastream:11"}
    assert {i["unitCode"] for i in temperature} == {"CEL"} and {i["unitCode"] for i in humidity} == {"P1"}
    first = temperature[0]
    assert first["value"] == 20.0 and first["observedAt"] == "2024-05-01T00:00:00Z"
    assert first["instanceId"] == "urn:ngsi-ld:sta:Observation:100"
    assert first["observedBy"] == {"type": "Relationship", "object": "urn:ngsi-ld:sta:Sensor:7"}
    assert "observedBy" not in temperature[1]  # stated once per Datastream by default
    assert temperature[49]["value"] == 24.9 and temperature[49]["observedAt"] == "2024-05-01T00:49:00Z"
    assert thing["location"] == [{"type": "GeoProperty", "value": {"type": "Point", "coordinates": [5.1, 52.1]}}]
    # the mapping table names the attribute: QUDT Temperature -> the Smart Data Models term
    assert SDM + "temperature" in thing["@context"][1].values()
    ds = next(e for e in r.output if e["id"] == "urn:ngsi-ld:sta:Datastream:10")
    assert ds["observationDefaults"] == [{"type": "JsonProperty", "json": {
        "resultTime": "phenomenonTime", "@iot.selfLink": f"{BASE}/Observations({{id}})",
        "Datastream@iot.navigationLink": f"{BASE}/Observations({{id}})/Datastream"}}]


def test_reverse_gives_the_same_things_datastreams_observations():
    doc = _station()
    back = _back(_forward(doc).output)
    assert back.report.lossless, back.report.summary()
    assert _observations(back.output) == _observations(doc)
    assert back.output == doc


def test_observed_by_on_every_instance_on_request():
    thing = next(e for e in _forward(_station(), observed_by="each").output if e["type"] == "Thing")
    assert all(i["observedBy"]["object"] == "urn:ngsi-ld:sta:Sensor:7" for i in thing["temperature"])
    assert _back([thing]).output["Datastreams"][0]["Observations"][0]["result"] == 20.0


def test_irregular_observations_keep_every_member():
    doc = _station(3)
    obs = doc["Datastreams"][0]["Observations"]
    obs[0]["phenomenonTime"] = "2024-05-01T02:00:00+02:00"          # not UTC: observedAt converted
    obs[1]["phenomenonTime"] = "2024-05-01T00:00:00Z/2024-05-01T01:00:00Z"  # interval: its end
    obs[1]["validTime"] = "2024-05-01T00:00:00Z/2024-05-02T00:00:00Z"
    obs[1]["resultQuality"] = [{"nameOfMeasure": "accuracy"}]
    obs[1]["parameters"] = {"calibrated": True}
    obs[2]["resultTime"] = None
    obs[2]["@iot.selfLink"] = "http://elsewhere.example/o/3"            # breaks the link template
    obs[2]["result"] = {"code": "x"}
    obs[2]["FeatureOfInterest"] = {"@iot.id": 9, "name": "f", "description": "d",
                                   "encodingType": "application/geo+json",
                                   "feature": {"type": "Point", "coordinates": [1, 2]}}
    r = _forward(doc)
    t = next(e for e in r.output if e["type"] == "Thing")["temperature"]
    assert t[0]["observedAt"] == "2024-05-01T00:00:00Z"
    assert t[0]["phenomenonTime"]["value"] == "2024-05-01T02:00:00+02:00"
    assert t[1]["observedAt"] == "2024-05-01T01:00:00Z"
    assert t[1]["phenomenonTime"]["value"] == "2024-05-01T00:00:00Z/2024-05-01T01:00:00Z"
    assert t[1]["resultQuality"] == {"type": "JsonProperty", "json": [{"nameOfMeasure": "accuracy"}]}
    assert t[2]["type"] == "JsonProperty" and t[2]["json"] == {"code": "x"}
    assert t[2]["resultTime"] == {"type": "JsonProperty", "json": None}
    assert t[2]["staMembers"]["json"] == {"@iot.selfLink": "http://elsewhere.example/o/3"}
    assert t[2]["featureOfInterest"]["object"] == "urn:ngsi-ld:sta:FeatureOfInterest:9"
    assert _back(r.output).output == doc


def test_invalid_time_is_reported_not_dropped():
    doc = _station(2)
    doc["Datastreams"][0]["Observations"][0]["phenomenonTime"] = "2021-13-14T15:16:00Z"
    r = _forward(doc)
    inst = next(e for e in r.output if e["type"] == "Thing")["temperature"][0]
    assert "observedAt" not in inst and inst["phenomenonTime"]["value"] == "2021-13-14T15:16:00Z"
    assert [e.path for e in r.report.of_type(Coerced)] == ["/Datastreams/0/Observations/0/phenomenonTime"]
    assert _back(r.output).output == doc


def test_unknown_unit_is_unresolved():
    doc = _station(2)
    doc["Datastreams"][1]["unitOfMeasurement"] = {"name": "furlong", "symbol": "fur", "definition": "x:fur"}
    r = _forward(doc)
    assert [e.kind for e in r.report.events] == ["Unresolved"]
    ev = r.report.of_type(Unresolved)[0]  # a JSON pointer (the whole document); the message names the Datastream
    assert ev.path == "" and "urn:ngsi-ld:sta:Datastream:11/unitOfMeasurement" in ev.message
    hum = next(e for e in r.output if e["type"] == "Thing")["relativeHumidity"]
    assert all("unitCode" not in i for i in hum)
    assert _back(r.output).output == doc


@pytest.mark.parametrize("uom, code", [
    ({"name": "degree Celsius", "symbol": "°C", "definition": "http://unitsofmeasure.org/ucum.html#para-30"}, "CEL"),
    ({"name": "Lumen", "symbol": "lm", "definition": "http://www.qudt.org/qudt/owl/1.0.0/unit/Instances.html"},
     "LUM"),
    ({"name": "x", "symbol": "x", "definition": "http://qudt.org/vocab/unit/MicroGM-PER-M3"}, "GQ"),
    ({"name": None, "symbol": None, "definition": None}, None),
    ({"name": "what", "symbol": "zz", "definition": "urn:unknown"}, False),
])
def test_unit_codes(uom, code):
    assert unit_code(uom) == code


def test_derived_names():
    assert derived_name("DewPoint Temperature") == "dewPointTemperature"
    assert derived_name(None, "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0370/") == "cfsn0370"
    assert derived_name("location") == "locationValue"
    assert derived_name(None, None) == "resultValue"
    assert derived_name("Observations") == "observationsValue"  # a term of the SensorThings context


def test_property_table_option():
    doc = _station(2)
    table = {"http://dbpedia.org/page/Relative_humidity": "https://example.org/attrs/rh"}
    out = _forward(doc, property_table=table).output
    thing = next(e for e in out if e["type"] == "Thing")
    assert "rh" in thing and thing["@context"][1]["rh"] == "https://example.org/attrs/rh"
    assert _back(out, property_table=table).output == doc


def test_multidatastream_binds_result_positions_in_every_output():
    mds = {"@iot.id": 4, "name": "weather", "description": "w",
           "observationType": OM + "OM_ComplexObservation",
           "multiObservationDataTypes": [OM + "OM_Measurement", OM + "OM_Measurement", OM + "OM_CategoryObservation"],
           "unitOfMeasurements": [{"name": "degree Celsius", "symbol": "°C", "definition": "ucum:Cel"},
                                  {"name": "percent", "symbol": "%", "definition": "ucum:%"},
                                  {"name": None, "symbol": None, "definition": None}],
           "ObservedProperties": [{"@iot.id": 1, "name": "Air temperature", "definition": "https://ex.org/T"},
                                  {"@iot.id": 2, "name": "Humidity", "definition": "https://ex.org/H"},
                                  {"@iot.id": 3, "name": "Sky", "definition": "https://ex.org/S"}],
           "Observations": [{"@iot.id": 8, "phenomenonTime": "2024-01-01T00:00:00Z", "result": [25, 65, "clear"]},
                            {"@iot.id": 9, "phenomenonTime": "2024-01-01T01:00:00Z", "result": [24, 70, "rain"]}]}
    thing = {"@iot.id": 1, "name": "t", "description": "d", "MultiDatastreams": [mds]}
    # structural NGSI-LD: ordered ObservedProperties, ordered units, result arrays
    structural = mimbridge.convert(thing, source="sta", target="ngsi-ld").output
    m = next(e for e in structural if e["type"] == "MultiDatastream")
    assert m["observedProperties"]["objectList"] == [f"urn:ngsi-ld:sta:ObservedProperty:{i}" for i in (1, 2, 3)]
    assert [u["symbol"] for u in m["unitOfMeasurements"]["json"]] == ["°C", "%", None]
    assert next(e for e in structural if e["id"] == "urn:ngsi-ld:sta:Observation:8")["result"]["json"] == [
        25, 65, "clear"]
    assert mimbridge.convert(structural, source="ngsi-ld", target="sta").output == thing
    # observations mapping: one attribute per ObservedProperty, result[i] with unit[i]
    out = _forward(thing).output
    t = next(e for e in out if e["type"] == "Thing")
    assert [(i["value"], i.get("unitCode"), i["instanceId"]) for i in t["airTemperature"]] == [
        (25, "CEL", "urn:ngsi-ld:sta:Observation:8#0"), (24, "CEL", "urn:ngsi-ld:sta:Observation:9#0")]
    assert [(i["value"], i.get("unitCode")) for i in t["humidity"]] == [(65, "P1"), (70, "P1")]
    assert [(i["value"], i.get("unitCode")) for i in t["sky"]] == [("clear", None), ("rain", None)]
    assert {i["datasetId"] for i in t["sky"]} == {"urn:ngsi-ld:sta:MultiDatastream:4"}
    assert _back(out).output == thing
    # dataArray: the result arrays stay whole
    page = {"value": [{**o, "MultiDatastream": {"@iot.id": 4}} for o in mds["Observations"]]}
    da = mimbridge.convert(page, source="sta", target="sta-dataarray").output
    assert da["value"][0]["MultiDatastream"] == {"@iot.id": 4}
    assert [row[2] for row in da["value"][0]["dataArray"]] == [[25, 65, "clear"], [24, 70, "rain"]]
    assert mimbridge.convert(da, source="sta-dataarray", target="sta").output == page


def test_feature_of_interest_as_subject():
    foi = {"@iot.id": 9, "name": "field", "description": "d", "encodingType": "application/geo+json",
           "feature": {"type": "Point", "coordinates": [1, 2]}}
    ds = {"@iot.id": 5, "name": "t", "description": "d", "unitOfMeasurement": {"symbol": "°C"},
          "ObservedProperty": {"@iot.id": 1, "name": "Soil temperature", "definition": "https://ex.org/ST"}}
    page = {"value": [{"@iot.id": i, "phenomenonTime": f"2024-01-01T0{i}:00:00Z", "result": i,
                       "Datastream": ds, "FeatureOfInterest": foi} for i in range(1, 4)]}
    r = _forward(page, subject="featureOfInterest")
    subject = next(e for e in r.output if e["type"] == "FeatureOfInterest")
    assert [i["value"] for i in subject["soilTemperature"]] == [1, 2, 3]
    assert subject["location"][0]["value"] == {"type": "Point", "coordinates": [1, 2]}
    back = _back(r.output).output
    assert [(o["@iot.id"], o["FeatureOfInterest"]["@iot.id"]) for o in back["Observations"]] == [
        (1, 9), (2, 9), (3, 9)]


def test_what_the_mapping_cannot_hold_is_reported():
    page = {"@iot.count": 1000, "@iot.nextLink": f"{BASE}/Observations?$skip=2",
            "value": [{"@iot.id": 1, "phenomenonTime": "2024-01-01T00:00:00Z", "result": 1},
                      {"@iot.id": 2, "phenomenonTime": "2024-01-01T01:00:00Z", "result": 2}]}
    r = _forward(page)
    kinds = sorted((e.kind, e.path) for e in r.report.events)
    assert kinds == [("Approximated", ""),  # the Thing made for them: no place in the input
                     ("Dropped", "/@iot.count"), ("Dropped", "/@iot.nextLink")]
    thing = r.output  # a single entity: the Thing made for the Observations
    assert thing["type"] == "Thing" and [i["value"] for i in thing["resultValue"]] == [1, 2]
    assert r.report.of_type(Approximated) and r.report.of_type(Dropped)


def test_foreign_temporal_entity_becomes_a_deep_insert():
    room = {"id": "urn:ngsi-ld:Room:1", "type": "Room", "name": {"type": "Property", "value": "kitchen"},
            "temperature": [
                {"type": "Property", "value": 21.5, "observedAt": "2024-01-01T00:00:00Z", "unitCode": "CEL",
                 "datasetId": "urn:ngsi-ld:Dataset:a",
                 "observedBy": {"type": "Relationship", "object": "urn:ngsi-ld:Device:7"}},
                {"type": "Property", "value": 22.0, "observedAt": "2024-01-01T01:00:00Z", "unitCode": "CEL",
                 "datasetId": "urn:ngsi-ld:Dataset:a", "instanceId": "urn:ngsi-ld:Instance:2"}],
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1, 2]}}}
    r = _back(room)
    out = r.output
    assert out["@iot.id"] == "urn:ngsi-ld:Room:1" and out["name"] == "kitchen"
    assert out["properties"] == {"type": "Room"}
    assert out["Locations"][0]["location"] == {"type": "Point", "coordinates": [1, 2]}
    ds = out["Datastreams"][0]
    assert ds["@iot.id"] == "urn:ngsi-ld:Dataset:a" and ds["name"] == "temperature"
    assert ds["unitOfMeasurement"] == {"name": "degree Celsius", "symbol": "°C",
                                       "definition": "http://qudt.org/vocab/unit/DEG_C"}
    assert ds["Sensor"] == {"@iot.id": "urn:ngsi-ld:Device:7"}
    assert ds["Observations"] == [
        {"phenomenonTime": "2024-01-01T00:00:00Z", "result": 21.5},
        {"@iot.id": "urn:ngsi-ld:Instance:2", "phenomenonTime": "2024-01-01T01:00:00Z", "result": 22.0}]
    assert {e.kind for e in r.report.events} == {"Approximated"}


def test_structural_graph_in_reverse_passes_unchanged():
    doc = _station(2)
    out = mimbridge.convert(doc, source="sta", target="ngsi-ld").output
    assert _back(out).output == doc


def test_observations_mapping_is_deterministic():
    doc = _station(5)
    assert _forward(doc).output == _forward(copy.deepcopy(doc)).output


def test_unknown_mapping_options_are_errors():
    with pytest.raises(mimbridge.MappingError):
        _forward(_station(1), subject="sensor")
    with pytest.raises(mimbridge.MappingError):
        mimbridge.convert({"name": "x"}, source="sta", target="ngsi-ld", mapping="idiomatic")


@pytest.mark.parametrize("observed_by", ["first", "each"])
def test_batch_path_gives_what_the_general_loop_gives(monkeypatch, observed_by):
    from mimbridge.adapters.sta import observations as sta_observations

    doc = _station(20)
    fast = _forward(doc, observed_by=observed_by).output
    monkeypatch.setattr(sta_observations._Forward, "_batch", lambda *a: False)
    slow = _forward(doc, observed_by=observed_by).output
    assert fast == slow


def test_batch_path_declines_irregular_runs():
    doc = _station(20)
    doc["Datastreams"][0]["Observations"][7]["phenomenonTime"] = "2024-05-01T00:07:00.5Z"
    doc["Datastreams"][1]["Observations"][3]["@iot.selfLink"] = "http://moved.example/o/503"
    out = _forward(doc).output
    thing = next(e for e in out if e["type"] == "Thing")
    assert thing["temperature"][7]["observedAt"] == "2024-05-01T00:07:00.5Z"
    assert thing["relativeHumidity"][3]["staMembers"]["json"] == {"@iot.selfLink": "http://moved.example/o/503"}
    assert _back(out).output == doc
