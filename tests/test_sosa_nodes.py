"""``profile=sosa`` reading keeps every SOSA node: sensors, platforms, observable properties, features of
interest, samples, actuations, and observations that no entity carries.

The document is written here in the shape of the W3C SOSA/SSN examples (the apartment 134 example: two
sensors, an observable property, observations with and without a feature of interest, an actuation), which
are not in the corpus; the SOSA ontology the terms come from is (``rdf/sdw/ssn/integrated/sosa.ttl``).
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

import mimbridge

SOSA = "http://www.w3.org/ns/sosa/"
DOC = """
@prefix sosa: <http://www.w3.org/ns/sosa/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix ex:   <https://example.org/flat/> .

ex:roof a sosa:Platform ; sosa:hosts ex:meter7, ex:thermo3 .
ex:meter7 a sosa:Sensor ; sosa:isHostedBy ex:roof ; sosa:observes ex:flat12-power ;
    sosa:madeObservation ex:obs1, ex:obs2 .
ex:thermo3 a sosa:Sensor ; sosa:observes ex:thermo3-temperature ; sosa:madeObservation ex:obs9 .
ex:flat12-power a sosa:ObservableProperty ; sosa:isObservedBy ex:meter7 .
ex:flat12 a sosa:FeatureOfInterest ; sosa:hasSample ex:flat12-kitchen .
ex:flat12-kitchen a sosa:Sample ; sosa:isSampleOf ex:flat12 .

ex:obs1 a sosa:Observation ; sosa:hasFeatureOfInterest ex:flat12 ; sosa:observedProperty ex:flat12-power ;
    sosa:madeBySensor ex:meter7 ;
    sosa:hasResult [ a qudt:QuantityValue ; qudt:numericValue "3.5"^^xsd:double ; qudt:unit unit:KiloW-HR ] ;
    sosa:phenomenonTime [ a time:Interval ;
        time:hasBeginning [ a time:Instant ; time:inXSDDateTimeStamp "2024-04-15T00:00:00Z"^^xsd:dateTimeStamp ] ;
        time:hasEnd [ a time:Instant ; time:inXSDDateTimeStamp "2024-04-16T00:00:00Z"^^xsd:dateTimeStamp ] ] ;
    sosa:resultTime "2024-04-16T00:00:12Z"^^xsd:dateTimeStamp .
ex:obs2 a sosa:Observation ; sosa:observedProperty ex:flat12-power ; sosa:madeBySensor ex:meter7 ;
    sosa:hasSimpleResult 4.25 ; sosa:resultTime "2024-04-17T00:00:12Z"^^xsd:dateTimeStamp .
ex:obs9 a sosa:Observation ; sosa:madeBySensor ex:thermo3 .

ex:window5-state a sosa:ActuatableProperty ; sosa:isActedOnBy ex:act188 .
ex:closer987 a sosa:Actuator ; sosa:madeActuation ex:act188 .
ex:act188 a sosa:Actuation ; sosa:actsOnProperty ex:window5-state ; sosa:actuationMadeBy ex:closer987 ;
    sosa:hasSimpleResult true ; sosa:resultTime "2024-04-18T17:24:00+02:00"^^xsd:dateTimeStamp .
"""


def sosa_nodes(ttl: str) -> set[str]:
    """IRI subjects typed with a SOSA class (by pyoxigraph, independently of the reader under test)."""
    return {str(t.subject.value) for t in ox.parse(ttl, format=ox.RdfFormat.TURTLE)
            if t.predicate.value.endswith("#type") and t.object.value.startswith(SOSA)
            and isinstance(t.subject, ox.NamedNode)}


def test_every_sosa_node_is_an_entity_an_instance_or_reported():
    r = mimbridge.convert(DOC, source="turtle", target="ngsi-ld", profile="sosa")
    entities = r.output
    ids = {e["id"] for e in entities}
    instances = {i["instanceId"] for e in entities for v in e.values() if isinstance(v, list)
                 for i in v if isinstance(i, dict) and "instanceId" in i}
    instances |= {v["instanceId"] for e in entities for v in e.values() if isinstance(v, dict) and "instanceId" in v}
    reported = {p for ev in r.report.events for p in [ev.path, *ev.paths]}
    expected = sosa_nodes(DOC)
    assert len(expected) == 12
    assert expected - ids - instances - reported == set()
    assert all(ev.path for ev in r.report.events)  # every event names the node it is about
    # sensors and the platform keep what they say
    by_id = {e["id"]: e for e in entities}
    meter = by_id["https://example.org/flat/meter7"]
    assert meter["type"] == SOSA + "Sensor"
    assert meter[SOSA + "observes"]["object"] == "https://example.org/flat/flat12-power"
    assert by_id["https://example.org/flat/flat12-power"][SOSA + "isObservedBy"]["object"] == meter["id"]
    # the observation with a feature of interest is an instance of its entity, with the unit and the interval
    (power,) = [v for k, v in by_id["https://example.org/flat/flat12"].items() if k.endswith("flat12-power")]
    # "3.5"^^xsd:double is not the canonical lexical form (3.5E0): kept as a value object so it writes back as is
    assert power["value"] == {"@value": "3.5", "@type": "http://www.w3.org/2001/XMLSchema#double"}
    assert power["unitCode"] == "KWH" and power["observedAt"] == "2024-04-16T00:00:12Z"
    assert power["instanceId"] == "https://example.org/flat/obs1"
    assert SOSA + "phenomenonTime" in power  # the interval is kept, not only the result time


def ground(ttl: str, syntax: ox.RdfFormat) -> set[tuple[str, str, str]]:
    """Triples without blank nodes; ``xsd:dateTimeStamp`` read as ``xsd:dateTime`` (the writer's datatype)."""
    out = set()
    for t in ox.parse(ttl, format=syntax):
        if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode):
            continue
        out.add((str(t.subject), str(t.predicate), str(t.object).replace("#dateTimeStamp>", "#dateTime>")))
    return out


def test_sosa_document_round_trips_without_loss():
    entities = mimbridge.convert(DOC, source="turtle", target="ngsi-ld", profile="sosa").output
    back = mimbridge.convert(entities, source="ngsi-ld", target="ntriples", profile="sosa")
    missing = ground(DOC, ox.RdfFormat.TURTLE) - ground(back.output, ox.RdfFormat.N_TRIPLES)
    assert missing == set()
    # the interval (blank nodes) comes back once, with both ends, and no instant is made up beside it
    store = ox.Store()
    store.extend(ox.parse(back.output, format=ox.RdfFormat.N_TRIPLES))
    rows = list(store.query(
        "PREFIX time: <http://www.w3.org/2006/time#> PREFIX sosa: <http://www.w3.org/ns/sosa/> "
        "SELECT ?b ?e WHERE { <https://example.org/flat/obs1> sosa:phenomenonTime ?t . "
        "?t time:hasBeginning/time:inXSDDateTimeStamp ?b ; time:hasEnd/time:inXSDDateTimeStamp ?e }"))
    assert [(r["b"].value, r["e"].value) for r in rows] == [("2024-04-15T00:00:00Z", "2024-04-16T00:00:00Z")]
    times = [t for t in ox.parse(back.output, format=ox.RdfFormat.N_TRIPLES)
             if str(t.subject) == "<https://example.org/flat/obs1>" and t.predicate.value.endswith("phenomenonTime")]
    assert len(times) == 1
    # the unit: the QUDT unit IRI of the unit table, not a blank node with a code
    assert "<http://qudt.org/vocab/unit/KiloW-HR>" in back.output and "uneceCommonCode" not in back.output


# -- writing -------------------------------------------------------------------------------------------------
AT = "2024-01-01T00:00:00Z"
EVERY_KIND = {"id": "urn:ngsi-ld:Room:1", "type": "Room",
              "door": {"type": "Relationship", "object": "urn:ngsi-ld:Door:1", "observedAt": AT},
              "state": {"type": "LanguageProperty", "languageMap": {"en": "open", "fr": "ouvert"}, "observedAt": AT},
              "levels": {"type": "ListProperty", "valueList": [1, 2, 3], "observedAt": AT},
              "raw": {"type": "JsonProperty", "json": {"a": [1, 2]}, "observedAt": AT},
              "mode": {"type": "VocabProperty", "vocab": "https://example.org/modes/eco", "observedAt": AT},
              "t": {"type": "Property", "value": 21.5, "unitCode": "CEL", "observedAt": AT}}


def observations(nt: str) -> set[str]:
    return {str(t.subject) for t in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
            if t.predicate.value.endswith("#type") and t.object.value == SOSA + "Observation"}


def test_observed_at_of_every_kind_is_an_observation():
    r = mimbridge.convert(EVERY_KIND, source="ngsi-ld", target="ntriples", profile="sosa")
    assert len(observations(r.output)) == 6
    back = mimbridge.convert(r.output, source="ntriples", target="ngsi-ld", profile="sosa").output
    for name in ("door", "state", "levels", "t"):  # carried exactly
        assert back[name] == EVERY_KIND[name], name
    # the JSON and vocabulary results read back as another kind: said in the report, with the attribute's path
    assert back["raw"] == {"type": "Property", "value": {"a": [1, 2]}, "observedAt": AT}
    assert back["mode"] == {"type": "Relationship", "object": "https://example.org/modes/eco", "observedAt": AT}
    coerced = sorted(e.path.rsplit("~1", 1)[-1] for e in r.report.events if "reads back as" in e.message)
    assert coerced == ["mode", "raw"]


def test_sensorthings_to_sosa_gives_observations(corpus):
    captured = corpus / "ogc" / "_captured" / "django-ogc-sensorthings-1.2.0"
    for name in ("obs_page1.json", "obs_page2.json"):
        page = json.loads((captured / name).read_text("utf-8"))
        nt = mimbridge.convert(page, source="sta", target="ntriples", profile="sosa").output
        got = observations(nt)
        assert len(got) == len(page["value"]) > 0, name
        assert all(o.startswith("<urn:ngsi-ld:sta:Observation:") for o in got)
    with pytest.raises(mimbridge.MimbridgeError, match="mapping='observations'"):
        mimbridge.convert(page, source="sta", target="turtle", profile="sosa", mapping="structural")
