"""Regression tests for the classes of defect the all-pairs invariant (tests/test_all_pairs.py) found.

Each test states the class with a small input; the expected values are written out, or checked with a
parser other than the one under test (pyoxigraph for RDF syntaxes, lxml for XML).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from lxml import etree

from mimbridge import convert
from mimbridge.adapters.rdf.rdfxml import predicate_writable
from mimbridge.errors import CapabilityError
from mimbridge.invariant import long_form, prepare, round_trip

DEFAULT = "https://uri.etsi.org/ngsi-ld/default-context/"
SYNTAX = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
          "rdf-jsonld": ox.RdfFormat.JSON_LD}


def _entity(value: object) -> dict:
    return {"id": "urn:ngsi-ld:T:1", "type": "T", "u": {"type": "Property", "value": value}}


# -- a "%" that starts no percent-encoding made invalid IRIs (turtle, rdf-jsonld: an error while writing;
# -- ntriples, nquads: output that other RDF parsers refuse) ---------------------------------------------
@pytest.mark.parametrize("target", sorted(SYNTAX))
def test_lone_percent_sign_in_a_json_key_is_percent_encoded(target):
    r = convert(_entity({"%": 1, "a%zz": 2, "b%41": 3}), source="ngsi-ld", target=target, roundtrip=False)
    predicates = {q.predicate.value for q in ox.parse(r.output, SYNTAX[target])}
    assert {DEFAULT + "%25", DEFAULT + "a%25zz", DEFAULT + "b%41"} <= predicates
    back = convert(r.output, source=target, target="ngsi-ld", roundtrip=False).output
    assert back["u"]["value"] == {DEFAULT + "%25": 1, DEFAULT + "a%25zz": 2, DEFAULT + "b%41": 3}
    # the change is reported at the attribute (the round-trip annotations, the default, keep the keys)
    assert [(e.kind, e.path) for e in r.report.events] == [("Coerced", "/https:~1~1uri.etsi.org~1ngsi-ld~1"
                                                                      "default-context~1u")]
    kept = convert(convert(_entity({"%": 1}), source="ngsi-ld", target=target).output, source=target,
                   target="ngsi-ld").output
    assert kept["u"]["value"] == {"%": 1}


def test_lone_percent_sign_in_an_id_is_reported():
    r = convert({"id": "urn:ngsi-ld:T:1%", "type": "T"}, source="ngsi-ld", target="turtle")
    assert {q.subject.value for q in ox.parse(r.output, ox.RdfFormat.TURTLE)} == {"urn:ngsi-ld:T:1%25"}
    assert [(e.kind, e.path) for e in r.report.events] == [("Coerced", "/0/id")]


# -- "[", "]" outside the host and a second "#" made invalid IRIs the same way ------------------------------
@pytest.mark.parametrize("target", sorted(SYNTAX))
def test_brackets_and_a_second_hash_in_a_json_key_are_percent_encoded(target):
    r = convert(_entity({"a[1]": 1, "x#y#z": 2}), source="ngsi-ld", target=target, roundtrip=False)
    predicates = {q.predicate.value for q in ox.parse(r.output, SYNTAX[target])}
    assert {DEFAULT + "a%5B1%5D", DEFAULT + "x#y%23z"} <= predicates


def test_brackets_in_an_id_and_a_second_hash_in_a_name_are_reported():
    e = {"id": "urn:ngsi-ld:T:[1]", "type": "T", "http://example.org/a#b#c": {"type": "Property", "value": 1}}
    r = convert(e, source="ngsi-ld", target="turtle")
    triples = list(ox.parse(r.output, ox.RdfFormat.TURTLE))
    assert "urn:ngsi-ld:T:%5B1%5D" in {q.subject.value for q in triples}
    assert "http://example.org/a#b%23c" in {q.predicate.value for q in triples}
    assert [(e.kind, e.path) for e in r.report.events] == [("Coerced", "/0/id"),
                                                           ("Coerced", "/0/http:~1~1example.org~1a#b#c")]


# -- RDF/XML wrote predicates it cannot hold as ill-formed XML (an empty local name, a namespace that is
# -- no URI), which no XML reader (ours included) reads back -----------------------------------------------
@pytest.mark.parametrize("key", ["", "-", "x/", "#", "1", "%", "a%2"])
def test_rdfxml_refuses_a_predicate_without_an_xml_name(key):
    with pytest.raises(CapabilityError, match="RDF/XML cannot hold the predicate"):
        convert(_entity({key: 1}), source="ngsi-ld", target="rdfxml")


def test_rdfxml_refuses_a_namespace_that_is_no_uri():
    e = {"id": "urn:ngsi-ld:T:1", "type": "T", "http://example.org/é/speed": {"type": "Property", "value": 1}}
    with pytest.raises(CapabilityError, match="é/speed"):
        convert(e, source="ngsi-ld", target="rdfxml")


@pytest.mark.parametrize("key", ["a", "é", "a b", "x-1", "_", "1a"])
def test_rdfxml_writes_what_it_can_hold_as_well_formed_xml(key):
    out = convert(_entity({key: 1}), source="ngsi-ld", target="rdfxml", roundtrip=False).output
    etree.fromstring(out.encode("utf-8"))  # lxml, not the reader under test
    assert any(predicate_writable(q.predicate.value) for q in ox.parse(out, ox.RdfFormat.RDF_XML))


def test_sosa_reading_then_rdfxml_says_what_it_cannot_hold():
    # the all-pairs example: a JsonProperty with an observation time read back from SOSA as a Property
    # whose JSON object value has the key "" (a predicate ending in "/")
    e = {"id": "urn:ngsi-ld:T:1", "type": "T", "unit": {"type": "JsonProperty", "json": {"": ""},
                                                        "observedAt": "2024-01-01T00:00:00Z"}}
    ttl = convert(e, source="ngsi-ld", target="turtle", write_options={"profile": "sosa"}).output
    with pytest.raises(CapabilityError, match="default-context/>"):
        convert(ttl, source="turtle", target="rdfxml", read_options={"profile": "sosa"})


def test_prepare_is_what_round_trip_compares_against():
    doc = {"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": 1, "observedAt":
                                                       "2024-01-01T00:00:00Z"}}
    p = prepare(doc, "ngsi-ld")
    assert p.view == doc
    rt = round_trip(doc, "ngsi-ld", "ngsi-ld-keyvalues", prepared=p)
    assert rt.output == {"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": 1}}
    assert rt.uncovered == [] and [e.kind for e in rt.events] == ["Dropped", "Dropped", "Approximated"]


# -- concise NGSI-LD writes an instance with nothing but a value as the bare value: an instance that lost
# -- its other members (each reported) changed at the attribute itself, where no event pointed ------------
def test_concise_round_trip_is_compared_member_by_member():
    c = {"id": "urn:ngsi-ld:T:0", "type": "T", "a": {"value": 0, "previousValue": 1,
                                                     "accuracy": {"value": 2, "observedAt": "2024-01-01T00:00:00Z"}}}
    rt = round_trip(c, "ngsi-ld-concise", "geojson")
    assert rt.output["a"] == 0
    assert [(e.kind, e.paths) for e in rt.events] == [("Dropped", ["/a/previousValue"]), ("Dropped", ["/a/accuracy"]),
                                                      ("Coerced", ["/type"])]
    # what is left is GeoJSON's entity type (a row of the known-loss table), not the attribute
    assert rt.uncovered == ["/ngsi-ld:default-context~1type"]
    assert long_form(rt.output)["a"] == {"value": 0}


# -- a target that cannot hold the member name an attribute came with (the IRI has several names in the
# -- context) reported its loss per instance, though the whole member changes name ------------------------
def test_lost_member_name_is_reported_at_the_member():
    e = {"id": "urn:ngsi-ld:T:0", "type": "T",
         "speed": [{"type": "Property", "value": 1, "observedAt": "2024-06-30T12:30:00Z"},
                   {"type": "Property", "value": 2, "datasetId": "urn:ngsi-ld:Dataset:b",
                    "observedAt": "2024-07-01T00:00:00Z"}],
         "@context": [{"alias": "http://example.org/speed", "speed": "http://example.org/speed"}]}
    r = convert(e, source="ngsi-ld", target="ngsi-ld-temporal", write_options={"temporal_values": True})
    assert list(r.output) == ["id", "type", "alias", "@context"]  # the context's first term for the IRI
    assert [(ev.kind, ev.paths) for ev in r.report.events] == [("Dropped", ["/speed"])]
    assert round_trip(e, "ngsi-ld", "ngsi-ld-temporal", via_options={"temporal_values": True}).uncovered == []


# -- attribute names with characters an IRI cannot hold came back under another name with the event only at
# -- the old one (RDF), or with none at all (GeoJSON, which writes them as property names) ------------------
ODD_NAMES = ["50%", "x<y", 'q"', "t{1}", "a|b^c`"]


@pytest.mark.parametrize("via", ["ntriples", "turtle", "rdf-jsonld", "nquads", "geojson"])
@pytest.mark.parametrize("name", ODD_NAMES)
def test_an_attribute_name_that_comes_back_changed_is_reported_at_both_names(name, via):
    from .test_all_pairs import check_invariant

    doc = {"id": "urn:ngsi-ld:T:1", "type": "T", name: {"type": "Property", "value": 1}}
    assert check_invariant(doc, "ngsi-ld", via, {})  # every change covered (accepted losses aside)
    rt = round_trip(doc, "ngsi-ld", via, prepared=prepare(doc, "ngsi-ld"))
    back = rt.output if isinstance(rt.output, dict) else rt.output[0]
    assert name not in back  # it did change: the name it came back as is one of the two reported
    written = convert(doc, source="ngsi-ld", target=via).report
    paths = {p for e in written.events if e.kind == "Coerced" for p in e.paths}
    assert f"/{DEFAULT.replace('/', '~1')}{name}" in paths
    assert len([p for p in paths if p.startswith(f"/{DEFAULT.replace('/', '~1')}")]) == 2


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_names_in_a_list_and_as_sub_attributes_through_rdf(name):
    doc = [{"id": "urn:ngsi-ld:T:1", "type": "T", name: {"type": "Property", "value": 1}},
           {"id": "urn:ngsi-ld:T:2", "type": "T",
            "n": {"type": "Property", "value": 2, name: {"type": "Property", "value": 3}}}]
    for via in ("ntriples", "turtle"):
        rt = round_trip(doc, "ngsi-ld", via, prepared=prepare(doc, "ngsi-ld"))
        assert not rt.uncovered, (via, rt.uncovered, [str(e) for e in rt.events])


# -- a vocabulary-relative name that reads as an IRI of its own was compacted to it (JSON-LD compaction
# -- does not check), so it came back as another attribute --------------------------------------------------
@pytest.mark.parametrize("suffix", ["urn:x:a%20b", "urn:x:a", "http://ex.org/a", "ngsi-ld:foo", "geo:1,2"])
def test_a_name_under_the_vocabulary_that_reads_as_an_iri_is_written_as_the_full_iri(suffix):
    nt = f"<urn:ngsi-ld:T:1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{DEFAULT}T> .\n" \
         f'<urn:ngsi-ld:T:1> <{DEFAULT}{suffix}> _:b .\n_:b <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ' \
         '<https://uri.etsi.org/ngsi-ld/Property> .\n_:b <https://uri.etsi.org/ngsi-ld/hasValue> "1" .\n'
    out = convert(nt, source="ntriples", target="ngsi-ld").output
    assert set(out) - {"@context"} == {"id", "type", DEFAULT + suffix}
    back = convert(out, source="ngsi-ld", target="ntriples").output
    assert f"<{DEFAULT}{suffix}>" in back


def test_a_plain_name_under_the_vocabulary_stays_short():
    nt = f'<urn:ngsi-ld:T:1> <{DEFAULT}speed> "1" .\n'
    out = convert(nt, source="ntriples", target="ngsi-ld").output
    assert "speed" in out


@pytest.mark.parametrize("name", ["a%41", "sta:a%41", "50%", "x<y"])
def test_odd_sub_attribute_and_compact_names_through_plain_geojson(name):
    from .test_all_pairs import check_invariant

    doc = [{"id": "urn:ngsi-ld:T:1", "type": "T", name: {"type": "Property", "value": 1},
            "@context": [{"sta": "urn:mimbridge:sta:"}]},
           {"id": "urn:ngsi-ld:T:2", "type": "T",
            "n": {"type": "Property", "value": 2, name: {"type": "Property", "value": 3}}}]
    assert check_invariant(doc, "ngsi-ld", "geojson", {})
    written = convert(doc, source="ngsi-ld", target="geojson").report
    nested = [e for e in written.events if e.message.startswith("nested attributes")]
    # the dropped sub-attribute is named so that its pointer reads back as the attribute it was
    assert nested and all(p.startswith("/1/n/") for p in nested[0].paths)
