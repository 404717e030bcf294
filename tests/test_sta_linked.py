"""Observations read with the observations mapping come back in place when written with the structural one.

SensorThings -> (``mapping="observations"``) model -> structural SensorThings gives the document that was
read: each instance whose Datastream lists the Observation it names is written as that Observation
(``mimbridge.adapters.sta.linked``), and the Thing's ``location`` copied from its first Location is left
out. Instances nothing links stay members of their entity, as before.
"""

from __future__ import annotations

import copy

import pytest

import mimbridge
from mimbridge import Approximated, Dropped
from mimbridge.convert import read, write
from mimbridge.invariant import round_trip
from mimbridge.report import ConversionReport

OM = "http://www.opengis.net/def/observationType/OGC-OM/2.0/"
BASE = "http://example.org/v1.1"
CONTEXT = ["https://w3id.org/mimbridge/contexts/sta.jsonld",
           "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"]
WIND = "https:~1~1uri.etsi.org~1ngsi-ld~1default-context~1wind"
SENSOR = {"@iot.id": 7, "name": "s", "description": "d", "encodingType": "text/plain", "metadata": ""}


def _datastream(did: int, op: str, observations: list[dict]) -> dict:
    return {"@iot.id": did, "name": op, "description": "",
            "unitOfMeasurement": {"name": "degree Celsius", "symbol": "°C", "definition": "ucum:Cel"},
            "observationType": OM + "OM_Measurement", "Sensor": SENSOR,
            "ObservedProperty": {"@iot.id": did + 100, "name": op, "definition": f"https://ex.org/{op}",
                                 "description": ""},
            "Observations": observations}


def _plain() -> dict:
    return {"@iot.id": 1, "name": "t", "description": "", "Datastreams": [_datastream(10, "Wind", [
        {"@iot.id": 13, "phenomenonTime": "2024-01-01T00:00:00Z", "result": 0}])]}


def _linked_and_located() -> dict:
    # link templates and resultTime everywhere: the Datastream gets observationDefaults, which must not show
    obs = [{"@iot.id": 20 + i, "@iot.selfLink": f"{BASE}/Observations({20 + i})",
            "phenomenonTime": f"2024-05-01T0{i}:00:00Z", "resultTime": f"2024-05-01T0{i}:00:00Z", "result": i}
           for i in range(3)]
    return {"@iot.id": 2, "name": "station", "description": "roof",
            "Locations": [{"@iot.id": 3, "name": "roof", "description": "r", "encodingType": "application/geo+json",
                           "location": {"type": "Point", "coordinates": [5.1, 52.1]}}],
            "Datastreams": [_datastream(11, "Temperature", obs), _datastream(12, "Pressure", [])]}


def _irregular() -> dict:
    return {"@iot.id": 4, "name": "t", "description": "", "Datastreams": [_datastream(14, "Rain", [
        {"@iot.id": 30, "phenomenonTime": "2024-05-01T02:00:00+02:00", "result": 1.5},
        {"@iot.id": 31, "phenomenonTime": "2024-05-01T00:00:00Z/2024-05-01T01:00:00Z", "result": {"code": "x"},
         "validTime": "2024-05-01T00:00:00Z/2024-05-02T00:00:00Z", "resultQuality": [{"nameOfMeasure": "a"}],
         "parameters": {"calibrated": True}, "resultTime": None},
        {"@iot.id": 32, "phenomenonTime": "2024-05-01T03:00:00Z",
         "FeatureOfInterest": {"@iot.id": 9, "name": "f", "description": "d", "encodingType": "application/geo+json",
                               "feature": {"type": "Point", "coordinates": [1, 2]}}}])]}


def _multi() -> dict:
    mds = {"@iot.id": 15, "name": "weather", "description": "w", "observationType": OM + "OM_ComplexObservation",
           "multiObservationDataTypes": [OM + "OM_Measurement", OM + "OM_CategoryObservation"],
           "unitOfMeasurements": [{"name": "degree Celsius", "symbol": "°C", "definition": "ucum:Cel"},
                                  {"name": None, "symbol": None, "definition": None}],
           "ObservedProperties": [{"@iot.id": 1, "name": "Air temperature", "definition": "https://ex.org/T"},
                                  {"@iot.id": 2, "name": "Sky", "definition": "https://ex.org/S"}],
           "Observations": [{"@iot.id": 8, "phenomenonTime": "2024-01-01T00:00:00Z", "result": [25, "clear"]},
                            {"@iot.id": 9, "phenomenonTime": "2024-01-01T01:00:00Z", "result": [24, "rain"]}]}
    return {"@iot.id": 5, "name": "t", "description": "d", "MultiDatastreams": [mds]}


DOCS = {"plain": _plain, "located": _linked_and_located, "irregular": _irregular, "multi": _multi}


@pytest.mark.parametrize("via", ["sta", "sta2"])
@pytest.mark.parametrize("name", sorted(DOCS))
def test_observations_mapping_then_structural_gives_the_document_back(name: str, via: str) -> None:
    doc = DOCS[name]()
    there = mimbridge.convert(doc, source="sta", target=via, mapping="observations").output
    folded = mimbridge.convert(there, source=via, target="ngsi-ld-temporal", mapping="observations").output
    assert not any(e["type"] == "Observation" for e in folded)  # the mapping did fold them
    assert mimbridge.convert(folded, source="ngsi-ld-temporal", target="sta").output == doc
    rt = round_trip(doc, "sta", via, via_options={"mapping": "observations"})
    assert rt.output == doc
    assert rt.uncovered == []


@pytest.mark.parametrize("name", sorted(DOCS))
def test_sta2_documents_come_back_in_sta2(name: str) -> None:
    doc = mimbridge.convert(DOCS[name](), source="sta", target="sta2").output
    for via in ("sta", "sta2"):
        rt = round_trip(doc, "sta2", via, via_options={"mapping": "observations"})
        assert (rt.output, rt.uncovered) == (doc, [])


def test_the_written_observations_are_reported_at_their_attribute() -> None:
    folded = mimbridge.convert(_linked_and_located(), source="sta", target="ngsi-ld-temporal", mapping="observations")
    r = mimbridge.convert(folded.output, source="ngsi-ld-temporal", target="sta")
    assert [(type(e), e.paths) for e in r.report.events] == [
        (Approximated, ["/0/https:~1~1uri.etsi.org~1ngsi-ld~1default-context~1temperature"]),
        (Dropped, ["/0/location"]),
    ]
    assert all(e.remedy for e in r.report.events)
    assert r.output["Datastreams"][0]["Observations"][1] == {
        "@iot.id": 21, "@iot.selfLink": f"{BASE}/Observations(21)", "phenomenonTime": "2024-05-01T01:00:00Z",
        "resultTime": "2024-05-01T01:00:00Z", "result": 1}
    assert "location" not in r.output and "observationDefaults" not in r.output["Datastreams"][0]


def test_the_model_is_not_changed_by_writing_it() -> None:
    folded = mimbridge.convert(_irregular(), source="sta", target="ngsi-ld-temporal", mapping="observations").output
    graph = read(folded, source="ngsi-ld-temporal", report=ConversionReport())
    kept = copy.deepcopy(graph)
    first = write(graph, target="sta", report=ConversionReport())
    assert graph == kept  # the Thing keeps its instances, the Datastream its observationDefaults and links
    assert write(graph, target="sta", report=ConversionReport()) == first == _irregular()


def _entity(**attrs: dict) -> list[dict]:
    return [{"id": "urn:ngsi-ld:sta:Thing:1", "type": "Thing", "name": {"type": "Property", "value": "t"},
             "description": {"type": "Property", "value": ""}, **attrs, "@context": CONTEXT},
            {"id": "urn:ngsi-ld:sta:Datastream:10", "type": "Datastream", "name": {"type": "Property", "value": "w"},
             "observations": {"type": "ListRelationship", "objectList": ["urn:ngsi-ld:sta:Observation:13"]},
             "@context": CONTEXT}]


def test_hand_written_ngsi_ld_instance_becomes_the_observation_its_datastream_lists() -> None:
    wind = {"type": "Property", "value": 4, "observedAt": "2024-01-01T00:00:00Z",
            "datasetId": "urn:ngsi-ld:sta:Datastream:10", "instanceId": "urn:ngsi-ld:sta:Observation:13"}
    r = mimbridge.convert(_entity(wind=wind), source="ngsi-ld", target="sta")
    assert r.output["value"] == [{"@iot.id": 1, "name": "t", "description": ""},
                                 {"@iot.id": 10, "name": "w", "Observations": [
                                     {"@iot.id": 13, "phenomenonTime": "2024-01-01T00:00:00Z", "result": 4}]}]
    assert [(type(e), e.path) for e in r.report.events] == [(Approximated, "/0/" + WIND)]


@pytest.mark.parametrize(("dataset", "instance"), [
    ("urn:ngsi-ld:sta:Datastream:99", "urn:ngsi-ld:sta:Observation:13"),  # a Datastream the graph lacks
    ("urn:ngsi-ld:sta:Datastream:10", "urn:ngsi-ld:sta:Observation:14"),  # an Observation it does not list
    (None, "urn:ngsi-ld:sta:Observation:13"),                            # no Datastream named
])
def test_instances_nothing_links_stay_members_of_their_entity(dataset: str | None, instance: str) -> None:
    wind = {"type": "Property", "value": 4, "observedAt": "2024-01-01T00:00:00Z", "instanceId": instance,
            **({"datasetId": dataset} if dataset else {})}
    r = mimbridge.convert(_entity(wind=wind), source="ngsi-ld", target="sta")
    # an attribute outside the SensorThings vocabulary keeps its full IRI as the member name (read back as itself)
    assert r.output["value"][0] == {"@iot.id": 1, "name": "t", "description": "",
                                    "https://uri.etsi.org/ngsi-ld/default-context/wind": 4}
    assert r.output["value"][1] == {"@iot.id": 10, "name": "w", "Observations": [{"@iot.id": 13}]}
    dropped = {e.path for e in r.report.events if isinstance(e, Dropped)}
    assert dropped >= {f"/0/{WIND}/observedAt", f"/0/{WIND}/instanceId"}
    assert not any(isinstance(e, Approximated) for e in r.report.events)


@pytest.mark.parametrize("via", ["sta", "sta2"])
def test_a_datastream_made_from_an_attribute_and_added_to_the_links_a_thing_has_is_reported(via: str) -> None:
    # the Thing links to a Datastream the document lacks; its temporal attribute names no Datastream, so the
    # observations mapping makes one and appends it to the Thing's links (it did so without an event)
    wind = {"type": "Property", "value": 4, "observedAt": "2024-01-01T00:00:00Z"}
    doc = [{"id": "urn:ngsi-ld:sta:Thing:1", "type": "Thing", "wind": wind,
            "datastreams": {"type": "ListRelationship", "objectList": ["urn:ngsi-ld:sta:Datastream:90"]},
            "@context": CONTEXT}]
    r = mimbridge.convert(doc, source="ngsi-ld", target="sta", mapping="observations")
    assert [d.get("@iot.id") for d in r.output["Datastreams"]] == [90, None]
    assert r.output["Datastreams"][1]["name"] == "wind"
    assert [(type(e), e.paths) for e in r.report.events] == [
        (Approximated, ["/0/" + WIND]),
        (Approximated, ["/0/urn:mimbridge:sta:datastreams/objectList/1"]),
    ]
    assert all(e.remedy for e in r.report.events)
    rt = round_trip(doc, "ngsi-ld", via, via_options={"mapping": "observations"})
    back = next(e for e in rt.output if e["id"] == "urn:ngsi-ld:sta:Thing:1")
    assert back["datastreams"]["objectList"][0] == "urn:ngsi-ld:sta:Datastream:90"
    assert len(back["datastreams"]["objectList"]) == 2
    # what is left uncovered are the entities the mapping makes (an accepted loss), not the Thing
    assert rt.uncovered and not [p for p in rt.uncovered if p.startswith("/urn:ngsi-ld:sta:Thing:1")]


def test_an_attribute_naming_a_datastream_the_thing_links_to_adds_no_link() -> None:
    wind = {"type": "Property", "value": 4, "observedAt": "2024-01-01T00:00:00Z",
            "datasetId": "urn:ngsi-ld:sta:Datastream:90"}
    doc = [{"id": "urn:ngsi-ld:sta:Thing:1", "type": "Thing", "wind": wind,
            "datastreams": {"type": "ListRelationship", "objectList": ["urn:ngsi-ld:sta:Datastream:90"]},
            "@context": CONTEXT}]
    r = mimbridge.convert(doc, source="ngsi-ld", target="sta", mapping="observations")
    assert [(d["@iot.id"], d["name"]) for d in r.output["Datastreams"]] == [(90, "wind")]
    assert r.output["Datastreams"][0]["Observations"] == [{"phenomenonTime": "2024-01-01T00:00:00Z", "result": 4}]
    assert [(type(e), e.paths) for e in r.report.events] == [(Approximated, ["/0/" + WIND])]


@pytest.mark.parametrize("via", ["sta", "sta2"])
def test_an_observation_whose_datastream_the_data_only_names_is_reported_where_it_comes_back(via: str) -> None:
    # the Thing and the Observation name the same Datastream, which the document lacks: read back with the
    # observations mapping, the Observation is an instance of the Thing's attribute "resultValue" (the name
    # derived when nothing names it); written, it is a top-level Observation
    doc = [{"id": "urn:ngsi-ld:sta:Observation:0", "type": "Observation",
            "datastream": {"type": "Relationship", "object": "urn:ngsi-ld:sta:Datastream:13"}, "@context": CONTEXT},
           {"id": "urn:ngsi-ld:sta:Thing:2", "type": "Thing",
            "datastreams": {"type": "ListRelationship", "objectList": ["urn:ngsi-ld:sta:Datastream:13"]},
            "@context": CONTEXT}]
    r = mimbridge.convert(doc, source="ngsi-ld", target=via, mapping="observations")
    key = "@iot.id" if via == "sta" else "id"
    assert r.output["value"][0] == {key: 0, "Datastream": {key: 13}}
    assert [(type(e), e.paths) for e in r.report.events] == [
        (Approximated, ["/1/https:~1~1uri.etsi.org~1ngsi-ld~1default-context~1resultValue"]),
        (Approximated, ["/0"]),
    ]
    assert all(e.remedy for e in r.report.events)
    rt = round_trip(doc, "ngsi-ld", via, via_options={"mapping": "observations"})
    thing = next(e for e in rt.output if e["id"] == "urn:ngsi-ld:sta:Thing:2")
    assert thing["resultValue"]["instanceId"] == "urn:ngsi-ld:sta:Observation:0"
    assert not [p for p in rt.uncovered if p.startswith("/urn:ngsi-ld:sta:Thing:2")]
