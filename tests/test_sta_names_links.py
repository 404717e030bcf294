"""Names and links of SensorThings-typed NGSI-LD entities through SensorThings JSON (sta, sta2) and back.

Classes of change that used to go unreported:

* attribute names outside the SensorThings vocabulary (default-context terms, full IRIs, terms of other
  contexts, names in the SensorThings namespace that no member has) came back in the SensorThings
  namespace. They are now written under their full IRI and read back as themselves; a name no
  SensorThings member can carry is reported at the attribute.
* a link to an entity the document does not hold came back as a new entity without attributes. A
  reference ``{"@iot.id": 13}`` now makes no entity; a link whose target a reader cannot name again
  (an id of another type, not a SensorThings id) is reported at the link.
* with ``mapping="observations"``, the other attributes of a Thing with Datastreams read back under a
  term of the entity's own @context (the end of their IRI): reported at the IRI and at the term.

Expected values are written out by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

import mimbridge
from mimbridge.invariant import round_trip

CONTEXT = ["https://w3id.org/mimbridge/contexts/sta.jsonld",
           "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"]
DEFAULT = "https://uri.etsi.org/ngsi-ld/default-context/"
VIAS = ["sta", "sta2"]


def _thing(ctx: Any = None, **attrs: Any) -> dict[str, Any]:
    return {"id": "urn:ngsi-ld:sta:Thing:1", "type": "Thing", "name": {"type": "Property", "value": "t"},
            **attrs, "@context": ctx or CONTEXT}


def _sensor(ctx: Any = None, **attrs: Any) -> dict[str, Any]:
    # a Sensor: its metadata member tells its type (no "type not recognisable" report covers the document)
    return {"id": "urn:ngsi-ld:sta:Sensor:1", "type": "Sensor", "name": {"type": "Property", "value": "s"},
            "metadata": {"type": "Property", "value": "m"}, **attrs, "@context": ctx or CONTEXT}


def _prop(v: Any) -> dict[str, Any]:
    return {"type": "Property", "value": v}


def _events(r: Any) -> set[tuple[str, str]]:
    return {(e.kind, p) for e in r.report.events for p in e.paths}


# -- names ---------------------------------------------------------------------------------------------
#: (attribute name as given, @context, member written by sta) : kept through sta and back, nothing reported
KEPT = [
    ("wind", None, DEFAULT + "wind"),                                   # a term of the default context
    ("a b", None, DEFAULT + "a b"),                                     # ... with a space
    ("Ünïcode", None, DEFAULT + "Ünïcode"),                             # ... beyond ASCII
    ("x~y", None, DEFAULT + "x~y"),
    ("http://example.org/wind", None, "http://example.org/wind"),       # a full IRI
    ("urn:x:1", None, "urn:x:1"),                                       # a URN
    ("urn:x:a b", None, DEFAULT + "urn:x:a b"),                         # a term (an IRI has no space)
    ("sta:extra", None, "extra"),                                       # SensorThings namespace, no member
]


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize(("name", "ctx", "member"), KEPT, ids=[k[0] for k in KEPT])
def test_attribute_names_of_other_vocabularies_keep_their_iri(via: str, name: str, ctx: Any, member: str) -> None:
    doc = _sensor(ctx, **{name: _prop(3)})
    out = mimbridge.convert(doc, source="ngsi-ld", target=via)
    assert out.output[member] == 3
    assert out.report.lossless, [str(e) for e in out.report.events]
    rt = round_trip(doc, "ngsi-ld", via)
    assert rt.uncovered == [] and rt.events == []
    assert rt.output[name] == _prop(3)  # the same name under the same @context


@pytest.mark.parametrize("via", VIAS)
def test_a_link_named_by_another_vocabulary_keeps_its_iri(via: str) -> None:
    rel = {"type": "Relationship", "object": "urn:ngsi-ld:sta:Datastream:1"}
    doc = _thing(owner=rel)
    out = mimbridge.convert(doc, source="ngsi-ld", target=via)
    id_key = "id" if via == "sta2" else "@iot.id"
    # a navigation property starts with a capital letter: the IRI's first letter is raised; a link of another
    # vocabulary has no SensorThings type to mint an id with, so the reference holds the full id
    assert out.output["Https://uri.etsi.org/ngsi-ld/default-context/owner"] == {id_key: "urn:ngsi-ld:sta:Datastream:1"}
    rt = round_trip(doc, "ngsi-ld", via)
    assert rt.uncovered == [] and rt.events == [] and rt.output["owner"] == rel


#: (attribute name, @context, events of ngsi-ld -> sta): names spelt otherwise than the SensorThings context
#: spells them come back spelt as it does (SensorThings JSON has no @context)
SPELT = [
    ("ex:gust", [{"ex": "http://example.org/"}, *CONTEXT],
     {("Dropped", "/@context"), ("Coerced", "/http:~1~1example.org~1gust")}),
    (DEFAULT + "t", None, {("Coerced", f"/{DEFAULT.replace('/', '~1')}t")}),
    ("https://w3id.org/x", None, set()),  # a full IRI no term names: spelt the same
]


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize(("name", "ctx", "events"), SPELT, ids=[s[0] for s in SPELT])
def test_names_spelt_by_another_context_are_reported(via: str, name: str, ctx: Any,
                                                     events: set[tuple[str, str]]) -> None:
    doc = _sensor(ctx, **{name: _prop(3)})
    out = mimbridge.convert(doc, source="ngsi-ld", target=via)
    assert _events(out) == events
    rt = round_trip(doc, "ngsi-ld", via)
    assert rt.uncovered == []
    assert [v for k, v in rt.output.items() if k not in ("id", "type", "name", "metadata", "@context")] == [
        _prop(3)]


#: (attribute name, attribute, events of ngsi-ld -> sta): names no SensorThings member carries
REPORTED = [
    # a capital letter and an object value: a navigation property to a reader
    ("sta:Extra", {"type": "JsonProperty", "json": {"a": 1}}, {("Dropped", "/urn:mimbridge:sta:Extra")}),
    # '@' after the first character: an annotation to a reader
    ("https://example.org/a@b", _prop(1), {("Dropped", "/https:~1~1example.org~1a@b")}),
    ("a@b", _prop(1), {("Dropped", f"/{DEFAULT.replace('/', '~1')}a@b")}),
    # percent-encoded letters are read back decoded: another name
    ("sta:a%41", _prop(1), {("Coerced", "/urn:mimbridge:sta:a%41"), ("Coerced", "/urn:mimbridge:sta:aA")}),
    # a sub-attribute of an attribute has no SensorThings member (as before)
    ("wind", {**_prop(1), "accuracy": _prop(0.5)}, {("Dropped", f"/{DEFAULT.replace('/', '~1')}wind/"
                                                               f"{DEFAULT.replace('/', '~1')}accuracy")}),
]


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize(("name", "attr", "events"), REPORTED, ids=[r[0] for r in REPORTED])
def test_names_sensorthings_cannot_carry_are_reported(via: str, name: str, attr: dict[str, Any],
                                                      events: set[tuple[str, str]]) -> None:
    doc = _sensor(**{name: attr})
    out = mimbridge.convert(doc, source="ngsi-ld", target=via)
    assert _events(out) == events
    assert round_trip(doc, "ngsi-ld", via).uncovered == []


def test_reading_sensorthings_members_named_by_an_iri() -> None:
    doc = {"@iot.id": 1, "name": "t", "http://example.org/wind": 3, "extra": 4,
           "Https://example.org/owner": {"@iot.id": "urn:ngsi-ld:Person:2"}}
    out = mimbridge.convert(doc, source="sta", target="ngsi-ld")
    assert out.output["http://example.org/wind"] == _prop(3)
    assert out.output["sta:extra"] == _prop(4)
    assert out.output["https://example.org/owner"] == {"type": "Relationship", "object": "urn:ngsi-ld:Person:2"}
    back = mimbridge.convert(out.output, source="ngsi-ld", target="sta")
    assert back.output == doc


# -- links to entities the document does not hold -----------------------------------------------------
DS = "urn:ngsi-ld:sta:Datastream:"

#: (Relationship attribute, written Datastreams member (1.1 spelling)) : kept, nothing made up, nothing reported
LINKS_KEPT = [
    ({"type": "Relationship", "object": DS + "13"}, {"@iot.id": 13}),
    ({"type": "ListRelationship", "objectList": [DS + "13", DS + "14"]}, [{"@iot.id": 13}, {"@iot.id": 14}]),
    ({"type": "Relationship", "object": DS + "'a%20b'"}, {"@iot.id": "a b"}),
    ({"type": "ListRelationship", "objectList": [DS + "1.5"]}, [{"@iot.id": 1.5}]),
]


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize(("rel", "member"), LINKS_KEPT, ids=["one", "list", "string-id", "number-id"])
def test_links_to_entities_not_in_the_document_make_no_entity(via: str, rel: dict[str, Any], member: Any) -> None:
    doc = _thing(datastreams=rel)
    out = mimbridge.convert(doc, source="ngsi-ld", target=via)
    if via == "sta2":
        member = ({"id": m["@iot.id"]} for m in member) if isinstance(member, list) else {"id": member["@iot.id"]}
        member = list(member) if not isinstance(member, dict) else member
    assert out.output["Datastreams"] == member
    assert out.report.lossless
    rt = round_trip(doc, "ngsi-ld", via)
    assert rt.uncovered == [] and rt.events == []
    assert isinstance(rt.output, dict) and rt.output["id"] == "urn:ngsi-ld:sta:Thing:1"  # one entity, no other
    assert rt.output["datastreams"] == rel


#: (link target, events of ngsi-ld -> sta, the Relationship object read back or None for no link)
LINKS_REPORTED = [
    # an id of another type: the reader gives it the type the navigation property holds
    ("urn:ngsi-ld:sta:Observation:13", {("Coerced", "/urn:mimbridge:sta:datastreams")}, DS + "13"),
    # not a SensorThings id: the reader mints one of the text
    ("urn:ngsi-ld:Thing:1", {("Coerced", "/urn:mimbridge:sta:datastreams")}, DS + "'urn:ngsi-ld:Thing:1'"),
    # an entity without an id that the data does not hold: no SensorThings form (an empty object would
    # read back as a new entity)
    (DS + "_x", {("Dropped", "/urn:mimbridge:sta:datastreams")}, None),
]


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize(("target", "events", "back"), LINKS_REPORTED, ids=["other-type", "foreign", "anonymous"])
def test_links_a_reader_cannot_give_back_are_reported(via: str, target: str, events: set[tuple[str, str]],
                                                      back: str | None) -> None:
    doc = _thing(datastreams={"type": "Relationship", "object": target})
    out = mimbridge.convert(doc, source="ngsi-ld", target=via)
    assert _events(out) == events
    rt = round_trip(doc, "ngsi-ld", via)
    assert rt.uncovered == []
    assert isinstance(rt.output, dict)  # one entity: nothing made up
    assert rt.output.get("datastreams", {}).get("object") == back


def test_a_reference_read_from_sensorthings_is_a_link_not_an_entity() -> None:
    doc = {"@iot.id": 1, "phenomenonTime": "2024-01-01T00:00:00Z", "result": 1,
           "Datastream": {"@iot.id": 7}, "FeatureOfInterest": {"@iot.id": "f"}}
    out = mimbridge.convert(doc, source="sta", target="ngsi-ld")
    assert out.output["id"] == "urn:ngsi-ld:sta:Observation:1"  # the only entity
    assert out.output["datastream"] == {"type": "Relationship", "object": "urn:ngsi-ld:sta:Datastream:7"}
    assert out.output["featureOfInterest"] == {"type": "Relationship",
                                               "object": "urn:ngsi-ld:sta:FeatureOfInterest:'f'"}
    assert mimbridge.convert(out.output, source="ngsi-ld", target="sta").output == doc


# -- entities whose ids a reader does not give back ----------------------------------------------------
def test_entity_ids_a_reader_cannot_give_back_are_reported() -> None:
    located = {"id": "urn:ngsi-ld:Place:2", "type": "Location", "name": _prop("roof"), "@context": CONTEXT}
    obs = {"id": "urn:ngsi-ld:sta:Observation:5", "type": "Observation", "result": _prop(1), "@context": CONTEXT}
    thing = _thing(locations={"type": "ListRelationship", "objectList": ["urn:ngsi-ld:Place:2"]},
                   datastreams={"type": "Relationship", "object": "urn:ngsi-ld:sta:Observation:5"})
    doc = [thing, located, obs]
    out = mimbridge.convert(doc, source="ngsi-ld", target="sta")
    assert out.output["Locations"] == [{"@iot.id": "urn:ngsi-ld:Place:2", "name": "roof"}]
    assert out.output["Datastreams"] == {"@iot.id": 5, "result": 1}
    assert _events(out) == {
        ("Coerced", "/1"), ("Coerced", "/urn:ngsi-ld:sta:Location:'urn:ngsi-ld:Place:2'"),
        ("Coerced", "/0/urn:mimbridge:sta:locations"),
        ("Coerced", "/2"), ("Coerced", "/urn:ngsi-ld:sta:Datastream:5"),
        ("Coerced", "/0/urn:mimbridge:sta:datastreams")}
    assert round_trip(doc, "ngsi-ld", "sta").uncovered == []


def test_a_lone_entity_whose_id_does_not_come_back_is_reported_at_the_document() -> None:
    doc = [{"id": "urn:ngsi-ld:T:0", "type": "Location", "@context": CONTEXT}]
    out = mimbridge.convert(doc, source="ngsi-ld", target="sta")
    assert out.output == {"@iot.id": "urn:ngsi-ld:T:0"}
    assert ("Coerced", "") in _events(out)
    assert round_trip(doc, "ngsi-ld", "sta").uncovered == []


# -- what else a SensorThings-typed entity loses on the way ------------------------------------------------
def test_entities_only_a_cycle_of_links_reaches_are_written() -> None:
    doc = [{"id": DS + "0", "type": "Datastream", "name": _prop("d"),
            "observations": {"type": "ListRelationship", "objectList": ["urn:ngsi-ld:sta:Observation:1"]},
            "@context": CONTEXT},
           {"id": "urn:ngsi-ld:sta:Observation:1", "type": "Observation", "result": _prop(1),
            "datastream": {"type": "Relationship", "object": DS + "0"}, "@context": CONTEXT},
           {"id": "urn:ngsi-ld:sta:Sensor:2", "type": "Sensor", "metadata": _prop("m"), "@context": CONTEXT}]
    out = mimbridge.convert(doc, source="ngsi-ld", target="sta")
    assert out.output == {"value": [
        {"@iot.id": 2, "metadata": "m"},
        {"@iot.id": 0, "name": "d", "Observations": [{"@iot.id": 1, "result": 1, "Datastream": {"@iot.id": 0}}]}]}
    assert _events(out) == {("Coerced", "/0")}  # the cycle: the Datastream is written as a reference inside it
    back = {e["id"] for e in round_trip(doc, "ngsi-ld", "sta").output}
    assert {DS + "0", "urn:ngsi-ld:sta:Observation:1", "urn:ngsi-ld:sta:Sensor:2"} <= back


W = f"/{DEFAULT.replace('/', '~1')}wind"
#: (attribute, events of ngsi-ld -> sta)
CARRIED_AS_JSON = [
    ([_prop(1), {**_prop(2), "datasetId": "urn:ngsi-ld:Dataset:a"}, {**_prop(3), "datasetId": "urn:ngsi-ld:Dataset:b"}],
     {("Dropped", f"{W}/1"), ("Dropped", f"{W}/2")}),                                 # every extra instance
    ({"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1, 2]}}, {("Coerced", W)}),  # -> JSON
    (_prop([1, 2]), {("Coerced", W)}),                                                 # a list: JsonProperty
    ({"type": "JsonProperty", "json": 1}, {("Coerced", W)}),                           # a number: Property
    ({**_prop(1), "previousValue": 0}, {("Dropped", f"{W}/previousValue")}),          # a member kept verbatim
]


@pytest.mark.parametrize(("attr", "events"), CARRIED_AS_JSON, ids=["instances", "geo", "list", "json", "previous"])
def test_what_a_plain_sensorthings_member_does_not_carry_is_reported(attr: Any, events: set[tuple[str, str]]) -> None:
    doc = _sensor(wind=attr)
    out = mimbridge.convert(doc, source="ngsi-ld", target="sta")
    assert _events(out) == events
    assert round_trip(doc, "ngsi-ld", "sta").uncovered == []


# -- names of the other attributes of a Thing with Datastreams (observations mapping) --------------------


@pytest.mark.parametrize("via", VIAS)
def test_other_attributes_of_a_thing_with_datastreams_come_back_under_a_term_and_are_reported(via: str) -> None:
    ctx = [{"ex": "http://example.org/"}, *CONTEXT]
    doc = [_thing(ctx, **{"ex:wind": _prop(1),
                          "rain": {**_prop(2), "observedAt": "2024-01-01T00:00:00Z"}})]
    r = mimbridge.convert(doc, source="ngsi-ld", target=via, mapping="observations")
    assert {("Approximated", "/0/http:~1~1example.org~1wind"), ("Approximated", "/0/wind"),
            ("Approximated", "/0/@context")} <= _events(r)
    assert all(e.remedy for e in r.report.events)
    rt = round_trip(doc, "ngsi-ld", via, via_options={"mapping": "observations"})
    thing = next(e for e in rt.output if e["id"] == "urn:ngsi-ld:sta:Thing:1")
    # the same IRI under a term of the entity's own @context; read with the document's context "wind" would
    # be the default-context attribute, so the change is reported at "wind"
    assert thing["wind"] == _prop(1)
    assert {"wind": "http://example.org/wind"} in thing["@context"]
    assert not [p for p in rt.uncovered if p.startswith("/urn:ngsi-ld:sta:Thing:1")]


def test_a_thing_without_temporal_attributes_keeps_the_full_iri() -> None:
    ctx = [{"ex": "http://example.org/"}, *CONTEXT]
    doc = [_thing(ctx, **{"ex:wind": _prop(1)})]
    r = mimbridge.convert(doc, source="ngsi-ld", target="sta", mapping="observations")
    assert ("Approximated", "/0/wind") not in _events(r)
    back = mimbridge.convert(r.output, source="sta", target="ngsi-ld", mapping="observations").output
    assert back["http://example.org/wind"] == _prop(1)
