"""Every built-in adapter runs the contract suite of mimbridge.testing."""

from __future__ import annotations

from mimbridge.testing import AdapterContract

ENTITY = {
    "id": "urn:ngsi-ld:Building:1", "type": ["Building", "Landmark"],
    "name": {"type": "LanguageProperty", "languageMap": {"fr": "Tour", "en": "Tower"}},
    "height": {"type": "Property", "value": 330.0, "unitCode": "MTR", "observedAt": "2024-05-01T10:00:00Z",
               "accuracy": {"type": "Property", "value": 0.5}},
    "category": {"type": "VocabProperty", "vocab": ["monument", "tower"]},
    "spec": {"type": "JsonProperty", "json": {"type": "Spec", "floors": [1, 2, 3]}},
    "visits": {"type": "ListProperty", "valueList": [3, 1, 3]},
    "owner": [{"type": "Relationship", "object": "urn:ngsi-ld:City:Paris"},
              {"type": "Relationship", "object": "urn:ngsi-ld:Org:1", "datasetId": "urn:ngsi-ld:Dataset:ops"}],
    "crew": {"type": "ListRelationship", "objectList": [{"object": "urn:ngsi-ld:Person:1"}]},
    "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [2.2945, 48.8584, 35.0]}},
    "@context": ["https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"],
}
BAD = [{"type": "Building"}, [ENTITY, {"id": "x y", "type": "T"}], '{"id": ']


class TestNormalized(AdapterContract):
    format = "ngsi-ld"
    samples = [ENTITY, [ENTITY, {**ENTITY, "id": "urn:ngsi-ld:Building:2"}]]
    bad_samples = BAD


class TestConcise(AdapterContract):
    format = "ngsi-ld-concise"
    samples = [{"id": "urn:ngsi-ld:Room:1", "type": "Room", "t": 21, "owner": {"object": "urn:ngsi-ld:P:1"},
                "loc": {"value": {"type": "Point", "coordinates": [1, 2]}}, "n": {"languageMap": {"en": "x"}},
                "h": {"value": 2, "unitCode": "MTR", "acc": 0.1}}]
    bad_samples = BAD


class TestKeyValues(AdapterContract):
    format = "ngsi-ld-keyvalues"
    samples = [{"id": "urn:ngsi-ld:Room:1", "type": "Room", "t": 21, "loc": {"type": "Point", "coordinates": [1, 2]},
                "name": {"languageMap": {"en": "x"}}}]
    bad_samples = [{"type": "Room"}]
    lossless = False


class TestTemporal(AdapterContract):
    format = "ngsi-ld-temporal"
    samples = [{"id": "urn:ngsi-ld:V:1", "type": "V", "speed": [
        {"type": "Property", "value": 1, "observedAt": "2024-01-01T00:00:00Z"},
        {"type": "Property", "value": 2, "observedAt": "2024-01-01T00:01:00Z"}]}]
    bad_samples = BAD


class TestGeoJSON(AdapterContract):
    format = "ngsi-ld-geojson"
    samples = [{"id": "urn:ngsi-ld:Building:1", "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [2.29, 48.85]},
                "properties": {"type": "Building", "location": {"type": "GeoProperty", "value": {
                    "type": "Point", "coordinates": [2.29, 48.85]}}}}]
    bad_samples = [{"type": "Feature", "properties": {"type": "Building"}}, {"type": "Point"}]


class TestNative(AdapterContract):
    format = "native"
    samples = [{"mimbridge": "1.0", "nodes": [{"id": "urn:x:1", "types": ["https://ex.org/T"], "attrs": {
        "https://ex.org/a": [{"kind": "Property", "value": 1, "observedAt": "2024-01-01T00:00:00Z"}]}}]}]
    bad_samples = [{"mimbridge": "0.9", "nodes": []}, {"nodes": [{"id": "urn:x:1"}]}]


THING = {"@iot.id": 1, "name": "Oven", "description": "kitchen oven", "properties": {"room": "kitchen"},
         "Locations": [{"@iot.id": 3, "name": "Kitchen", "description": "k", "encodingType": "application/geo+json",
                        "location": {"type": "Point", "coordinates": [2.29, 48.85]}}],
         "Datastreams": [{"@iot.id": 5, "name": "t", "description": "temperature",
                          "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
                          "unitOfMeasurement": {"name": "degree Celsius", "symbol": "°C", "definition": "ucum:Cel"},
                          "ObservedProperty": {"@iot.id": 2, "name": "Air temperature", "definition": "https://ex.org/T",
                                               "description": "air temperature"},
                          "Observations": [{"@iot.id": 9, "phenomenonTime": "2024-01-01T00:00:00Z",
                                            "resultTime": "2024-01-01T00:00:00Z", "result": 21.5}]}]}


class TestSensorThings(AdapterContract):
    format = "sta"
    samples = [THING, {"value": [THING], "@iot.count": 1}]
    bad_samples = ['{"@iot.id": ', [1, 2]]


class TestSensorThings2(AdapterContract):
    format = "sta2"
    samples = [{"id": 1, "name": "Oven", "description": "kitchen oven"}]
    bad_samples = ['{"id": ', [1, 2]]


class TestDataArray(AdapterContract):
    format = "sta-dataarray"
    samples = [{"value": [{"Datastream": {"@iot.id": 5}, "components": ["id", "phenomenonTime", "result"],
                           "dataArray@iot.count": 2, "dataArray": [[1, "2024-01-01T00:00:00Z", 20.1],
                                                                   [2, "2024-01-01T00:01:00Z", 20.3]]}]}]
    bad_samples = ['{"value": ', {"value": [{"components": ["id"], "dataArray": 5}]}]
