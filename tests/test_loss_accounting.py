"""Regression tests for loss accounting: readers that never overwrite, names that come back, Invalid events,
capabilities per option, and the inputs that used to end in exceptions outside mimbridge's error tree."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import mimbridge
from mimbridge import Invalid, LossyConversionError, ParseError, convert, registry
from mimbridge.meta import META_KEYS

CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"


# -- 1. readers never overwrite ----------------------------------------------------------------------
def test_two_names_for_one_iri_become_instances_and_keep_their_names():
    e = {"id": "urn:ngsi-ld:V:1", "type": "V",
         "a1": {"type": "Property", "value": 1, "datasetId": "urn:ds:1"},
         "a2": {"type": "Property", "value": 2, "datasetId": "urn:ds:2"},
         "@context": [{"a1": "http://ex.org/a", "a2": "http://ex.org/a"}]}
    r = convert(e, source="ngsi-ld", target="ngsi-ld", strict=True)
    assert r.output == e
    g = mimbridge.read(e, source="ngsi-ld")
    assert [a.value for a in g.nodes[0].attrs["http://ex.org/a"]] == [1, 2]


def test_a_term_and_its_full_iri_collide_into_one_attribute():
    e = {"id": "urn:ngsi-ld:V:1", "type": "V", "speed": {"type": "Property", "value": 1},
         "https://uri.etsi.org/ngsi-ld/default-context/speed": {"type": "Property", "value": 2,
                                                                "datasetId": "urn:ds:2"}}
    assert convert(e, source="ngsi-ld", target="ngsi-ld", strict=True).output == e


def test_nested_attributes_collide_the_same_way():
    e = {"id": "urn:ngsi-ld:V:1", "type": "V", "p": {
        "type": "Property", "value": 1, "b1": {"type": "Property", "value": 1, "datasetId": "urn:ds:1"},
        "b2": {"type": "Property", "value": 2, "datasetId": "urn:ds:2"}},
        "@context": [{"b1": "http://ex.org/b", "b2": "http://ex.org/b"}, CORE]}
    assert convert(e, source="ngsi-ld", target="ngsi-ld", strict=True).output == e


def test_two_default_instances_under_two_names_is_an_error_naming_both():
    e = {"id": "urn:ngsi-ld:V:1", "type": "V", "a1": {"type": "Property", "value": 1},
         "a2": {"type": "Property", "value": 2}, "@context": [{"a1": "http://ex.org/a", "a2": "http://ex.org/a"}]}
    with pytest.raises(ParseError) as err:
        convert(e, source="ngsi-ld", target="ngsi-ld")
    assert err.value.pointer == "/a2" and "'a1'" in str(err.value) and "/a1" in str(err.value)


@pytest.mark.parametrize("member", [("type", "@type"), ("id", "@id")])
def test_colliding_keywords_are_an_error(member):
    e = {"id": "urn:ngsi-ld:V:1", "type": "V", member[1]: "urn:ngsi-ld:W:1" if member[0] == "id" else "W"}
    with pytest.raises(ParseError) as err:
        convert(e, source="ngsi-ld", target="ngsi-ld")
    assert err.value.pointer == f"/{member[1]}"


def test_sensorthings_member_colliding_with_a_collection_member_is_an_error():
    with pytest.raises(ParseError) as err:
        convert({"value": [{"@iot.id": 1, "name": "t", "description": "d"}], "members": "x"}, source="sta",
                target="sta")
    assert err.value.pointer == "/members"


def test_sensorthings_member_colliding_with_a_navigation_member_is_an_error():
    doc = {"@iot.id": 1, "name": "t", "description": "d", "datastreams": "x", "Datastreams": []}
    with pytest.raises(ParseError):
        convert(doc, source="sta", target="sta")


@pytest.mark.parametrize(("member", "value"), [("Locations", "x"), ("name", 3), ("properties", [1])])
def test_sensorthings_members_of_the_wrong_json_type_are_an_error(member, value):
    with pytest.raises(ParseError) as err:
        convert({"@iot.id": 1, "name": "t", "description": "d", member: value}, source="sta", target="sta")
    assert err.value.pointer == f"/{member}"


# -- 2. what a target cannot hold is reported ---------------------------------------------------------------
ENTITY = {"id": "urn:ngsi-ld:T:1", "type": "T", "scope": "/a", "createdAt": "2024-01-01T00:00:00Z",
          "a": {"type": "Property", "value": 1, "previousValue": 0, "unitCode": "CEL",
                "observedAt": "2024-01-01T00:00:00Z", "sub": {"type": "Property", "value": 2}}}


@pytest.mark.parametrize(("target", "options"), [
    ("ngsi-ld-keyvalues", {}), ("geojson", {}), ("ngsi-ld-geojson", {"simplified": True}),
    ("ngsi-ld-temporal", {"temporal_values": True}), ("turtle", {"profile": "sosa"}),
    ("sta", {"mapping": "observations"})])
def test_entity_members_and_previous_value_are_reported(target, options):
    r = convert(ENTITY, source="ngsi-ld", target=target, **options)
    paths = {p for e in r.report.events for p in e.paths}
    assert "/scope" in paths and "/createdAt" in paths, r.report.summary()
    if target != "sta":  # (RDF names the attribute by its IRI)
        assert any(p.startswith("/") and p.endswith("a/previousValue") for p in paths), r.report.summary()
    with pytest.raises(LossyConversionError):
        convert(ENTITY, source="ngsi-ld", target=target, strict=True, **options)


def test_meta_keys_are_a_documented_table():
    assert META_KEYS["ngsi-ld:single"].level == "graph" and not META_KEYS["ngsi-ld:single"].data
    assert META_KEYS["previousValue"].data
    design = (mimbridge.__file__.rsplit("/", 2)[0] + "/docs/design.md")
    text = open(design, encoding="utf-8").read()
    assert all(f"`{k}`" in text for k in META_KEYS), "docs/design.md lists every meta key"


# -- 3. names come back -----------------------------------------------------------------------------
def test_core_terms_with_a_coercion_come_back_as_themselves():
    e = {"id": "urn:ngsi-ld:T:1", "type": "T", "max": {"type": "Property", "value": 1},
         "startAt": {"type": "Property", "value": "2024-01-01T00:00:00Z"},
         "coordinates": {"type": "Property", "value": [1, 2]}, "@context": [CORE]}
    assert convert(e, source="ngsi-ld", target="ngsi-ld").output == e


def test_user_terms_typed_boolean_come_back_as_themselves():
    e = {"id": "urn:ngsi-ld:T:1", "type": "T", "movementDetected": {"type": "Property", "value": True},
         "@context": [{"movementDetected": {"@id": "https://ex.org/md",
                                            "@type": "http://www.w3.org/2001/XMLSchema#boolean"}}, CORE]}
    assert convert(e, source="ngsi-ld", target="ngsi-ld").output == e


def test_a_name_rdf_cannot_hold_is_reported_not_silently_renamed():
    e = {"id": "urn:ngsi-ld:T:1", "type": "T", "a b": {"type": "Property", "value": 1}}
    r = convert(e, source="ngsi-ld", target="turtle")
    kinds = [ev.kind for ev in r.report.events]
    assert kinds and set(kinds) == {"Coerced"}
    assert all("percent-encoded" in ev.message for ev in r.report.events)


# -- 4. values the standards forbid -------------------------------------------------------------------
@pytest.mark.parametrize(("source", "doc", "path"), [
    ("ngsi-ld", {"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": 1,
                                                              "observedAt": "yesterday"}}, "/a/observedAt"),
    ("ngsi-ld", {"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "GeoProperty", "value": {
        "type": "Point", "coordinates": ["a"]}}}, "/a/value"),
    ("ngsi-ld", {"id": "urn:ngsi-ld:T:1", "type": "T", "createdAt": "then"}, "/createdAt"),
    ("sta", {"@iot.id": 1, "phenomenonTime": "not-a-time", "result": 1}, "/phenomenonTime"),
    ("ngsi-ld-temporal", {"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "values": [[1, ""]]}},
     "/a/observedAt"),
])
def test_values_the_standard_forbids_are_kept_and_reported_invalid(source, doc, path):
    r = convert(doc, source=source, target="native")
    ev = r.report.of_type(Invalid)
    assert ev and ev[0].path == path, r.report.summary()
    with pytest.raises(LossyConversionError):
        convert(doc, source=source, target="native", strict=True)


def test_ngsi_ld_read_as_sensorthings_fails_naming_ngsi_ld(tmp_path):
    with pytest.raises(ParseError, match="ngsi-ld"):
        convert({"id": "urn:ngsi-ld:T:1", "type": "T"}, source="sta", target="native")
    f = tmp_path / "e.json"
    f.write_text(json.dumps([{"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": 1}}]))
    p = subprocess.run([sys.executable, "-m", "mimbridge", "convert", str(f), "-f", "sta", "-t", "ngsi-ld",
                        "--strict"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "ngsi-ld" in p.stderr


# -- 5. no exception outside the error tree -------------------------------------------------------------
def test_scope_array_to_ntriples_without_roundtrip_annotations():
    r = convert({"id": "urn:ngsi-ld:T:1", "type": "T", "scope": ["/a", "/b"]}, source="ngsi-ld",
                target="ntriples", roundtrip=False)
    assert '"/a"' in r.output and r.report.events[0].path == ""


def test_equal_instances_of_two_attributes_to_sensorthings_observations():
    e = {"id": "urn:ngsi-ld:B:1", "type": "B",
         "a": {"type": "Property", "value": 1, "observedAt": "2020-01-01T00:00:00Z"},
         "b": {"type": "Property", "value": 1, "observedAt": "2020-01-01T00:00:00Z"}}
    out = convert(e, source="ngsi-ld", target="sta", mapping="observations").output
    assert [len(d["Observations"]) for d in out["Datastreams"]] == [1, 1]


def test_observation_of_a_multidatastream_the_document_lacks():
    o = {"@iot.id": 1, "phenomenonTime": "2020-01-01T00:00:00Z", "result": [1, 2], "MultiDatastream": {"@iot.id": 7}}
    r = convert(o, source="sta", target="ngsi-ld", mapping="observations")
    assert any(e.kind == "Unresolved" for e in r.report.events)


@pytest.mark.parametrize("target", ["turtle", "nquads", "ntriples", "rdf-jsonld", "rdfxml"])
def test_lone_surrogate_written_as_rdf(target):
    r = convert({"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": "x\ud800"}},
                source="ngsi-ld", target=target)
    assert "\ud800" not in r.output and r.output.encode("utf-8")
    assert [(e.kind, e.path) for e in r.report.events] == [("Coerced", "/https:~1~1uri.etsi.org~1ngsi-ld~1"
                                                                      "default-context~1a")]


# -- capabilities per option ----------------------------------------------------------------------------
def test_capabilities_depend_on_options():
    sta = registry.get("sta")
    assert sta.capabilities_for({}).full
    obs = sta.capabilities_for({"mapping": "observations"})
    assert not obs.full and "created_at" not in obs.meta
    assert {"mapping": "observations"} in sta.variants()
    assert not registry.get("turtle").capabilities_for({"profile": "sosa"}).full


def test_formats_command_prints_capabilities_per_option():
    p = subprocess.run([sys.executable, "-m", "mimbridge", "formats", "--json"], capture_output=True, text=True,
                       timeout=60)
    rows = {r["name"]: r for r in json.loads(p.stdout)}
    variants = {json.dumps(v["options"], sort_keys=True): v["capabilities"] for v in rows["sta"]["variants"]}
    assert variants['{}']["full"] and not variants['{"mapping": "observations"}']["full"]
    text = subprocess.run([sys.executable, "-m", "mimbridge", "formats"], capture_output=True, text=True,
                          timeout=60).stdout
    assert "mapping=observations" in text and "profile=sosa" in text
