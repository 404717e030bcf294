"""NGSI-LD adapter against the third-party corpus (ETSI test suite, Smart Data Models, brokers).

Tests as data: every NGSI-LD entity document found in the corpus must either
round-trip JSON-equal or be listed in KNOWN_INVALID with the reason and the
pointer of the defect; expectations of the ETSI test suite are reproduced
where their source entity is in the corpus, and the ones without a source
are listed in NO_SOURCE with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mimbridge
from mimbridge.errors import ParseError

from .conftest import _corpus_path, load_json

SUITE = "ngsi-ld/ngsi-ld-test-suite"
FORGE = "https://forge.etsi.org/rep/cim/ngsi-ld-test-suite/-/raw/develop/resources/jsonld-contexts/"

# Local copies of the user contexts the corpus documents name (offline resolution).
CONTEXT_FILES = {
    FORGE + "ngsi-ld-test-suite-compound.jsonld":
        f"{SUITE}/resources/jsonld-contexts/ngsi-ld-test-suite-compound.jsonld",
    FORGE + "ngsi-ld-test-suite.jsonld": f"{SUITE}/resources/jsonld-contexts/ngsi-ld-test-suite.jsonld",
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld":
        "ngsi-ld/dataModel.Environment/context.jsonld",
    "http://localhost:8093/jsonld-contexts/apic-compound.jsonld":
        "ngsi-ld/stellio-context-broker/shared/src/testFixtures/resources/wiremock/__files/jsonld-contexts/"
        "apic-compound.jsonld",
}

# Corpus documents that are not valid NGSI-LD: path -> (pointer of the defect, reason).
KNOWN_INVALID = {
    f"{SUITE}/data/entities/temporal-observedat-reified.jsonld":
        ("/name/observedAt", "observedAt given as a reified Property (negative test input)"),
    f"{SUITE}/data/entities/building-simple-attributes.json":
        ("/id", "id is the placeholder 'RandomUuidToBeReplaced', not a URI (test-suite template)"),
    "ngsi-ld/dataModel.Environment/AirQualityObserved/examples/example-normalized.json":
        ("/dateObserved/type", "NGSI v2 normalized payload (attribute type 'DateTime'), not NGSI-LD"),
}

# Documents in NGSI-LD syntax that are not entities in a representation this adapter reads.
NOT_ENTITIES = {
    "ngsi-ld/dataModel.Parking/OffStreetParking/examples/example.json":
        "NGSI v2 keyValues: id 'porto-ParkingLot-23889' is not a URI",
    "ngsi-ld/dataModel.Environment/AirQualityObserved/examples/example-geojsonfeature.json":
        "GeoJSON feature whose geometry holds a GeoProperty wrapper (non-conformant, see SOURCES.md)",
}


ATTR_TYPES = {"Property", "GeoProperty", "LanguageProperty", "VocabProperty", "JsonProperty", "ListProperty",
              "Relationship", "ListRelationship"}
ENTITY_KEYS = {"id", "type", "@context", "scope", "createdAt", "modifiedAt", "deletedAt"}


def representation(doc) -> str:
    """Classify a corpus entity document: normalized, temporal or keyvalues (independently of mimbridge)."""
    kinds = set()
    for e in doc if isinstance(doc, list) else [doc]:
        for k, v in e.items():
            if k in ENTITY_KEYS:
                continue
            insts = v if isinstance(v, list) and v and all(isinstance(x, dict) for x in v) else [v]
            if not all(isinstance(x, dict) and x.get("type") in ATTR_TYPES for x in insts):
                kinds.add("keyvalues")
            elif sum(1 for x in insts if "datasetId" not in x) > 1:
                kinds.add("temporal")
            else:
                kinds.add("normalized")
    for k in ("keyvalues", "temporal"):
        if k in kinds:
            return k
    return "normalized"


def corpus_entity_documents(kind: str = "normalized") -> list[str]:
    """Relative paths of every corpus JSON file that holds NGSI-LD entities of one representation."""
    root = _corpus_path()
    if not root.is_dir():
        return []
    out = []
    for path in sorted((root / "ngsi-ld").rglob("*.json*")):
        try:
            doc = load_json(path)
        except ValueError:
            continue
        items = doc if isinstance(doc, list) else [doc]
        if not items or not all(isinstance(e, dict) and "id" in e and "type" in e for e in items):
            continue
        if any(e.get("type") in ("Feature", "FeatureCollection", "Notification") for e in items):
            continue
        rel = path.relative_to(root).as_posix()
        if "/temporalEntities/expectations/" in rel or rel in NOT_ENTITIES:
            continue  # temporal representations: tested below
        invalid = rel in KNOWN_INVALID
        if (invalid and kind == "normalized") or (not invalid and representation(doc) == kind):
            out.append(rel)
    return out


DOCS = corpus_entity_documents()
KV_DOCS = corpus_entity_documents("keyvalues")
TEMPORAL_DOCS = corpus_entity_documents("temporal")


@pytest.fixture(scope="module")
def contexts(corpus: Path) -> dict[str, str]:
    return {url: str(corpus / rel) for url, rel in CONTEXT_FILES.items()}


def test_corpus_has_entity_documents(corpus):
    # guards the discovery itself: the corpus holds far more than a handful of entity files
    assert len(DOCS) >= 20, DOCS


@pytest.mark.parametrize("rel", [d for d in DOCS if d not in KNOWN_INVALID])
def test_normalized_round_trip(corpus, contexts, rel):
    doc = load_json(corpus / rel)
    r = mimbridge.convert(doc, source="ngsi-ld", target="ngsi-ld", contexts=contexts)
    assert r.output == doc
    assert not r.report.rejected


@pytest.mark.parametrize("rel", [d for d in DOCS if d not in KNOWN_INVALID])
def test_concise_round_trip(corpus, contexts, rel):
    doc = load_json(corpus / rel)
    concise = mimbridge.convert(doc, source="ngsi-ld", target="ngsi-ld-concise", contexts=contexts).output
    back = mimbridge.convert(concise, source="ngsi-ld-concise", target="ngsi-ld", contexts=contexts)
    assert back.output == doc
    # concise is never bigger than normalized
    assert len(json.dumps(concise)) <= len(json.dumps(doc))


def test_corpus_has_other_representations(corpus):
    assert len(KV_DOCS) >= 4 and len(TEMPORAL_DOCS) >= 2, (KV_DOCS, TEMPORAL_DOCS)


@pytest.mark.parametrize("rel", [d for d in KV_DOCS if d not in KNOWN_INVALID])
def test_keyvalues_round_trip(corpus, contexts, rel):
    doc = load_json(corpus / rel)
    r = mimbridge.convert(doc, source="ngsi-ld-keyvalues", target="ngsi-ld-keyvalues", contexts=contexts)
    assert r.output == doc
    # without a schema every attribute kind is a guess, and each guess is reported
    guesses = r.report.of_type(mimbridge.Approximated)
    n_attrs = sum(len([k for k in e if k not in ENTITY_KEYS]) for e in (doc if isinstance(doc, list) else [doc]))
    assert sum(g.count for g in guesses) == n_attrs


@pytest.mark.parametrize("rel", TEMPORAL_DOCS)
def test_temporal_round_trip(corpus, contexts, rel):
    doc = load_json(corpus / rel)
    r = mimbridge.convert(doc, source="ngsi-ld-temporal", target="ngsi-ld", contexts=contexts)
    assert r.output == doc
    r = mimbridge.convert(doc, source="ngsi-ld-temporal", target="ngsi-ld-concise", contexts=contexts)
    back = mimbridge.convert(r.output, source="ngsi-ld-temporal", target="ngsi-ld", contexts=contexts)
    assert back.output == doc


@pytest.mark.parametrize("rel", sorted(KNOWN_INVALID))
def test_known_invalid_documents_raise_with_pointer(corpus, contexts, rel):
    pointer, _reason = KNOWN_INVALID[rel]
    with pytest.raises(ParseError) as info:
        mimbridge.convert(load_json(corpus / rel), source="ngsi-ld", target="ngsi-ld", contexts=contexts)
    assert info.value.pointer == pointer


def test_known_invalid_in_a_batch_keeps_the_good_ones(corpus, contexts):
    good = load_json(corpus / SUITE / "data/entities/building-location-polygon.jsonld")
    bad = load_json(corpus / SUITE / "data/entities/temporal-observedat-reified.jsonld")
    r = mimbridge.convert([good, bad, good], source="ngsi-ld", target="ngsi-ld", contexts=contexts)
    assert r.output == [good, good]
    [ev] = r.report.rejected
    assert ev.path == "/1/name/observedAt"
    assert r.report.records_in == 3 and r.report.records_out == 2


# -- ETSI test-suite expectations -----------------------------------------
def test_expectation_expanded_terms(corpus, contexts):
    src = load_json(corpus / SUITE / "data/entities/building-simple-attributes.jsonld")
    want = load_json(corpus / SUITE / "data/entities/expectations/building-simple-attributes-expanded.json")
    # the broker answers with the core context only (no Link header): user terms stay full IRIs
    r = mimbridge.convert(src, source="ngsi-ld", target="ngsi-ld", contexts=contexts, out_context=[])
    assert r.output == want
    assert r.report.lossless


def test_expectation_simplified(corpus, contexts):
    src = load_json(corpus / SUITE / "data/entities/building-simple-attributes.jsonld")
    want = load_json(corpus / SUITE / "data/entities/expectations/building-simple-attributes-simplified.json")
    r = mimbridge.convert(src, source="ngsi-ld", target="ngsi-ld-keyvalues", contexts=contexts, out_context=[])
    assert r.output == want
    dropped = {e.message for e in r.report.of_type(mimbridge.Dropped)}
    assert "unitCode is not carried by ngsi-ld-keyvalues" in dropped
    assert "observedAt is not carried by ngsi-ld-keyvalues" in dropped


def test_expectation_language_filter_simplified(corpus, contexts):
    src = load_json(corpus / SUITE / "data/entities/building-language-property.jsonld")
    expect = "data/entities/expectations/building-language-property-fr-filter-simplified.jsonld"
    want = load_json(corpus / SUITE / expect)
    r = mimbridge.convert(src, source="ngsi-ld", target="ngsi-ld-keyvalues", contexts=contexts, lang="fr")
    assert r.output == want
    assert any("languages other than 'fr'" in e.message for e in r.report.events)


def test_expectation_geojson_reads_and_writes_back(corpus, contexts):
    # its source entities (Vehicle / OffStreetParking 019-02-05) are not in the corpus:
    # read the expected FeatureCollection and write it back
    want = load_json(corpus / SUITE / "data/entities/expectations/vehicle-parking-simple.geojson")
    g = mimbridge.read(want, source="ngsi-ld-geojson", contexts=contexts)
    assert [n.id for n in g] == ["urn:ngsi-ld:Vehicle:019-02-05", "urn:ngsi-ld:OffStreetParking:019-02-05"]
    out = mimbridge.write(g, target="ngsi-ld-geojson", contexts=contexts)
    assert out == want


def test_geojson_from_normalized(corpus, contexts):
    src = load_json(corpus / SUITE / "data/entities/interoperability/offstreet-parking1-full.jsonld")
    out = mimbridge.convert(src, source="ngsi-ld", target="ngsi-ld-geojson").output
    assert out["type"] == "Feature" and out["id"] == src["id"]
    assert out["geometry"] == src["location"]["value"]
    assert out["properties"]["availableSpotsNumber"] == src["availableSpotsNumber"]
    # the ETSI OpenAPI Feature schema has @context on the Feature, not in properties
    assert out["@context"] == src["@context"] and "@context" not in out["properties"]
    other = mimbridge.convert(src, source="ngsi-ld", target="ngsi-ld-geojson", context_in="properties").output
    assert other["properties"]["@context"] == src["@context"] and "@context" not in other
    simple = mimbridge.convert(src, source="ngsi-ld", target="ngsi-ld-geojson", simplified=True).output
    assert simple["properties"]["availableSpotsNumber"] == 121


def test_notification_with_previous_value_round_trips(corpus, contexts):
    doc = load_json(corpus / SUITE / "data/subscriptions/expectations/"
                    "entity-different-attributes-types-previous-property.json")
    note = {"id": "urn:ngsi-ld:Notification:1", "type": "Notification", "subscriptionId": "urn:ngsi-ld:Subscription:1",
            "notifiedAt": "2024-01-01T00:00:00Z", "data": doc}
    r = mimbridge.convert(note, source="ngsi-ld", target="ngsi-ld")
    assert r.output == note
    g = mimbridge.read(note, source="ngsi-ld")
    name = g.nodes[0].attrs["https://uri.etsi.org/ngsi-ld/default-context/name"][0]
    assert name.meta["previousValue"] == "Eiffel Tower"


NO_SOURCE = {
    "2020-08-vehicle-temporal-representation-temporal-values.json":
        "dates (2020-08) and a third speed value differ from the corpus source (2020-09)",
    "vehicle-json-property-simplified-temporal-representation.json": "no JsonProperty vehicle source in the corpus",
    "vehicle-vocab-property-temporal-representation.json": "no VocabProperty vehicle temporal source in the corpus",
    "vehicle-temporal-representation-aggregated-avg-max-PT1H.json": "aggregation is computed by a broker",
}


@pytest.mark.parametrize("name", sorted(NO_SOURCE))
def test_temporal_expectations_without_source_read_and_write_back(corpus, name):
    doc = load_json(corpus / SUITE / "data/temporalEntities/expectations" / name)
    g = mimbridge.read(doc, source="ngsi-ld-temporal")
    speed = g.nodes[0].attrs.get("https://uri.etsi.org/ngsi-ld/default-context/speed")
    vocab = g.nodes[0].attrs.get("https://uri.etsi.org/ngsi-ld/default-context/vocabProperty")
    assert (speed or vocab), "temporal attribute missing"
    instances = speed or vocab
    assert all(a.observed_at for a in instances)
    if "aggregated" in name:
        assert len(instances) == 2  # one avg and one max triple
        assert {a.meta["ngsi-ld:aggregation"]["method"] for a in instances} == {"avg", "max"}
        return
    assert len(instances) == 3
    tv = "temporal-values" in name or "simplified" in name
    again = mimbridge.write(g, target="ngsi-ld-temporal", temporal_values=tv)
    assert again == doc


def test_temporal_values_from_corpus_source(corpus, contexts):
    src = load_json(corpus / SUITE / "data/temporalEntities/vehicle-temporal-representation.jsonld")
    r = mimbridge.convert(src, source="ngsi-ld-temporal", target="ngsi-ld-temporal", contexts=contexts,
                          temporal_values=True)
    out = r.output
    assert out["speed"] == {"type": "Property", "values": [[120, "2020-09-01T12:03:00Z"], [80, "2020-09-01T12:05:00Z"]]}
    assert out["fuelLevel"] == [
        {"type": "Property", "values": [[67, "2020-09-01T12:03:00Z"], [53, "2020-09-01T13:05:00Z"]]},
        {"type": "Property", "values": [[40, "2020-09-01T14:07:00Z"]], "datasetId": "urn:ngsi-ld:Vehicle:12345-fuel"},
    ]
    back = mimbridge.convert(out, source="ngsi-ld-temporal", target="ngsi-ld-temporal", contexts=contexts)
    assert back.output == src
    # a temporal entity has several default instances: invalid as a plain entity
    with pytest.raises(ParseError, match="two default instances"):
        mimbridge.convert(src, source="ngsi-ld", target="ngsi-ld", contexts=contexts)


# -- Smart Data Models pairs ------------------------------------------------
SDM = "ngsi-ld/dataModel.Environment/AirQualityObserved/examples"


# Where the published AirQualityObserved pair disagrees with itself (not with the spec).
SDM_AQ_DISAGREE = {
    "windDirection": "186 in example-normalized.jsonld, 180 in example.jsonld",
    "charge": "only in example-normalized.jsonld",
    "pm4": "only in example-normalized.jsonld",
    "pressure": "only in example-normalized.jsonld",
    "tpc": "only in example-normalized.jsonld",
    "tsp": "only in example-normalized.jsonld",
}


def test_sdm_airquality_normalized_to_keyvalues(corpus):
    src = load_json(corpus / SDM / "example-normalized.jsonld")
    want = load_json(corpus / SDM / "example.jsonld")
    r = mimbridge.convert(src, source="ngsi-ld", target="ngsi-ld-keyvalues")
    out = r.output
    differing = {k for k in set(out) | set(want) if out.get(k) != want.get(k)}
    assert differing == set(SDM_AQ_DISAGREE)
    # and on those keys our output is exactly the normalized example's values
    for k in SDM_AQ_DISAGREE:
        assert out[k] == src[k]["value"]
    # the unitCodes (GP, GQ) of the normalized example are what keyValues cannot carry
    units = [e for e in r.report.events if e.message == "unitCode is not carried by ngsi-ld-keyvalues"]
    assert units and units[0].count == sum(1 for v in src.values() if isinstance(v, dict) and "unitCode" in v)


def test_sdm_offstreetparking_pair_disagrees_with_itself(corpus):
    """The published pair is not a normalized/keyValues pair of one entity: documented, not bent."""
    base = corpus / "ngsi-ld/dataModel.Parking/OffStreetParking/examples"
    src = load_json(base / "example-normalized.jsonld")
    kv_published = load_json(base / "example.json")
    ours = mimbridge.convert(src, source="ngsi-ld", target="ngsi-ld-keyvalues").output
    differing = sorted(k for k in set(ours) | set(kv_published)
                       if k != "@context" and ours.get(k) != kv_published.get(k))
    assert differing, "the pair became consistent: turn this into an equality test"


def test_sdm_keyvalues_to_normalized_with_schema(corpus):
    """keyValues -> normalized with the SDM schema: kinds from the schema, reported guesses for the rest."""
    base = corpus / "ngsi-ld/dataModel.Environment/AirQualityObserved"
    kv = load_json(base / "examples/example.jsonld")
    want = load_json(base / "examples/example-normalized.jsonld")
    r = mimbridge.convert(kv, source="ngsi-ld-keyvalues", target="ngsi-ld", schema=base / "schema.json")
    out = r.output
    assert out["refPointOfInterest"] == {"type": "Relationship",
                                         "object": "urn:ngsi-ld:PointOfInterest:28079004-Pza.deEspanya"}
    assert out["location"]["type"] == "GeoProperty"
    # equal to the published normalized example except the unit codes keyValues cannot carry
    # and the documented disagreements of the published pair
    for key, attr in want.items():
        if key in SDM_AQ_DISAGREE or key in ("id", "type", "@context"):
            continue
        expected = {k: v for k, v in attr.items() if k != "unitCode"}
        assert out[key] == expected, key
    # only attributes the schema leaves to remote $refs (location, address) or does not list are guesses
    guessed = {p.rsplit("/", 1)[-1] for e in r.report.of_type(mimbridge.Approximated) for p in e.paths}
    assert "refPointOfInterest" not in guessed and "no2" not in guessed
    assert {"location", "address"} <= guessed
