"""NGSI-LD GeoJSON: @context where the ETSI OpenAPI puts it, read from every placement; notifications and
temporal entities in GeoJSON."""

from __future__ import annotations

import copy

import jsonschema
import pytest
import yaml

import mimbridge

SUITE = "ngsi-ld/ngsi-ld-test-suite"
CTX = {"Room": "https://example.org/def/Room", "temperature": "https://example.org/def/temperature"}
RT_TYPE = "<urn:ngsi-ld:Room:1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://example.org/def/Room> ."


@pytest.fixture(scope="module")
def openapi(corpus):
    return yaml.safe_load((corpus / "ngsi-ld/python-ngsi-ld-client/schemas/ngsi-ld-api.yaml").read_text("utf-8"))


def envelope(f: dict) -> dict:
    """The Feature with only the entity type in ``properties``: the OpenAPI's ``oneOf`` of the attribute
    output schemas overlap (a Property matches several), so the attribute bodies are not what is checked here."""
    return {**f, "properties": {"type": f["properties"]["type"]}}


def check(doc: dict, schema_name: str, api: dict) -> None:
    """Validate the envelope against the ETSI OpenAPI component schema (its $refs resolved inside the document);
    ``additionalProperties: false`` added, so a member the schema does not have (a misplaced ``@context``) fails."""
    comps = copy.deepcopy(api["components"])
    for name in ("Feature", "FeatureCollection"):
        comps["schemas"][name]["additionalProperties"] = False
    doc = envelope(doc) if doc["type"] == "Feature" else {**doc, "features": [envelope(f) for f in doc["features"]]}
    jsonschema.validate(doc, {"$ref": f"#/components/schemas/{schema_name}", "components": comps})


def feature(ctx_place: str) -> dict:
    point = {"type": "Point", "coordinates": [2.35, 48.85]}
    # (the OpenAPI Geometry schema does not allow the null its description speaks of: give a location)
    f = {"id": "urn:ngsi-ld:Room:1", "type": "Feature", "geometry": point,
         "properties": {"type": "Room", "temperature": {"type": "Property", "value": 21},
                        "location": {"type": "GeoProperty", "value": point}}}
    if ctx_place == "feature":
        f["@context"] = CTX
    elif ctx_place == "properties":
        f["properties"]["@context"] = CTX
    return f


@pytest.mark.parametrize("place", ["feature", "properties", "collection"])
def test_context_is_read_from_every_placement(place):
    doc = feature("none" if place == "collection" else place)
    if place == "collection":
        doc = {"type": "FeatureCollection", "features": [doc], "@context": CTX}
    r = mimbridge.convert(doc, source="ngsi-ld-geojson", target="ntriples")
    assert RT_TYPE in r.output  # the names expand through the given context, not the default vocabulary
    assert "default-context" not in r.output


def test_written_feature_and_collection_follow_the_openapi(corpus, openapi):
    src = mimbridge.convert(feature("feature"), source="ngsi-ld-geojson", target="ngsi-ld").output
    out = mimbridge.convert(src, source="ngsi-ld", target="ngsi-ld-geojson").output
    assert out["@context"] == CTX and "@context" not in out["properties"]
    check(out, "Feature", openapi)
    two = [src, dict(copy.deepcopy(src), id="urn:ngsi-ld:Room:2")]
    coll = mimbridge.convert(two, source="ngsi-ld", target="ngsi-ld-geojson").output
    assert "@context" not in coll and all(f["@context"] == CTX and "@context" not in f["properties"]
                                          for f in coll["features"])
    check(coll, "FeatureCollection", openapi)
    # a corpus entity of the ETSI test suite, written as GeoJSON, is a valid OpenAPI Feature
    parking = mimbridge.convert(corpus / SUITE / "data/entities/interoperability/offstreet-parking1-full.jsonld",
                                source="ngsi-ld", target="ngsi-ld-geojson").output
    check(parking, "Feature", openapi)
    assert "@context" in parking and "@context" not in parking["properties"]
    # and the other placement on request; a document read with it is written back with it
    inner = mimbridge.convert(src, source="ngsi-ld", target="ngsi-ld-geojson", context_in="properties").output
    assert inner["properties"]["@context"] == CTX and "@context" not in inner
    again = mimbridge.convert(inner, source="ngsi-ld-geojson", target="ngsi-ld-geojson").output
    assert again == inner


NOTE = {"id": "urn:ngsi-ld:Notification:1", "type": "Notification", "subscriptionId": "urn:ngsi-ld:Subscription:1",
        "notifiedAt": "2024-01-01T00:00:00Z",
        "data": [{"id": "urn:ngsi-ld:Room:1", "type": "Room", "temperature": {"type": "Property", "value": 21},
                  "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1, 2]}}}]}


def test_notification_envelope_is_kept_in_geojson_and_keyvalues():
    geo = mimbridge.convert(NOTE, source="ngsi-ld", target="ngsi-ld-geojson").output
    assert {k: v for k, v in geo.items() if k != "data"} == {k: v for k, v in NOTE.items() if k != "data"}
    assert geo["data"]["type"] == "FeatureCollection"
    assert geo["data"]["features"][0]["geometry"]["coordinates"] == [1, 2]
    assert mimbridge.convert(geo, source="ngsi-ld-geojson", target="ngsi-ld").output == NOTE
    kv = mimbridge.convert(NOTE, source="ngsi-ld", target="ngsi-ld-keyvalues").output
    assert kv["subscriptionId"] == NOTE["subscriptionId"] and kv["data"][0]["temperature"] == 21
    back = mimbridge.convert(kv, source="ngsi-ld-keyvalues", target="ngsi-ld",
                             kinds={"temperature": "Property", "location": "GeoProperty"}).output
    assert back == NOTE


def test_temporal_entity_written_as_geojson_reads_back(corpus):
    src = mimbridge.convert({"id": "urn:ngsi-ld:Room:1", "type": "Room", "temperature": [
        {"type": "Property", "value": 21, "observedAt": "2024-01-01T00:00:00Z", "instanceId": "urn:ngsi-ld:i:1"},
        {"type": "Property", "value": 22, "observedAt": "2024-01-01T01:00:00Z", "instanceId": "urn:ngsi-ld:i:2"}],
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1, 2]}}},
        source="ngsi-ld-temporal", target="ngsi-ld-temporal").output
    geo = mimbridge.convert(src, source="ngsi-ld-temporal", target="ngsi-ld-geojson")
    assert geo.report.lossless
    back = mimbridge.convert(geo.output, source="ngsi-ld-geojson", target="ngsi-ld-temporal")
    assert back.output == src and back.report.lossless
