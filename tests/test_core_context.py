"""The offline NGSI-LD core @context (mimbridge.contexts.core) against the real ETSI files.

Both the corpus copy of a core context and ``core_context_document(v)`` are run
through pyld's context processing, offline, and compared term by term: the
expanded ``@id``, the ``@type`` coercion, the ``@container`` and the
``@protected`` flag. Deliberate differences are declared and asserted in their
own named tests.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from mimbridge.contexts.core import (
    CORE_VERSIONS,
    DEFAULT_CORE_VERSION,
    DEFAULT_VOCAB,
    NGSI_LD,
    core_context_document,
    core_context_url,
    core_terms,
    core_version_of,
)

V13 = "ngsi-ld/semantic-data-aggregator/ngsi-ld/etsi/coreContext/ngsi-ld-core-context-v1.3.jsonld"
SCORPIO_18 = (
    "ngsi-ld/ScorpioBroker/AllInOneRunner/src/main/resources/db/migration/"
    "V20240730.1__mergejsonupdate.core-context.extracted.jsonld"
)
STELLIO_19 = (
    "ngsi-ld/stellio-context-broker/shared/src/testFixtures/resources/wiremock/__files/"
    "jsonld-contexts/ngsi-ld-core-context-v1.9.jsonld"
)
LEGACY = "ngsi-ld/ScorpioBroker/AllInOneRunner/src/main/resources/ngsi-ld-core-context.jsonld"

DATA_INTEGRITY = "https://w3id.org/security/data-integrity/v2"
GEOJSON = "https://purl.org/geojson/vocab#"

# Terms on which a corpus copy and our table deliberately differ (asserted in named tests).
DECLARED = {
    V13: set(),
    SCORPIO_18: {"objectsLists", "objectLists"},
    STELLIO_19: set(),
}
CASES = [("1.3", V13), ("1.8", SCORPIO_18), ("1.9", STELLIO_19)]


def _process(doc: dict[str, Any]) -> Any:
    """pyld's active context for ``doc``; only ``doc`` and an empty data-integrity context are served."""
    url = "https://mimbridge.invalid/core-context-under-test.jsonld"
    served = {url: doc, DATA_INTEGRITY: {"@context": {}}}

    def loader(requested: str, options: Any = None) -> dict[str, Any]:
        if requested not in served:
            raise jsonld.JsonLdError(
                f"offline test: {requested} is not served",
                "jsonld.LoadDocumentError",
                code="loading document failed",
            )
        return {"contextUrl": None, "documentUrl": requested, "document": copy.deepcopy(served[requested])}

    proc = jsonld.JsonLdProcessor()
    options = {"documentLoader": loader, "contextResolver": ContextResolver({}, loader)}
    return proc.process_context(proc.process_context(None, None, options), url, options)


def _signatures(active: Any) -> dict[str, tuple]:
    return {
        term: (d.get("@id"), d.get("@type"), tuple(d.get("@container", ())), bool(d.get("protected")))
        for term, d in active["mappings"].items()
    }


def _real(corpus: Path, rel: str) -> dict[str, Any]:
    path = corpus / rel
    if not path.is_file():
        pytest.fail(f"corpus file missing: {rel}")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def processed(corpus: Path) -> dict[str, tuple[Any, Any]]:
    """rel path -> (active context of the real file, active context of ours for its version)."""
    out = {}
    for version, rel in CASES:
        out[rel] = (_process(_real(corpus, rel)), _process(core_context_document(version)))
    return out


@pytest.mark.parametrize(("version", "rel"), CASES, ids=[v for v, _ in CASES])
def test_every_term_of_the_real_file_agrees(processed, version, rel):
    real, ours = (_signatures(a) for a in processed[rel])
    mismatches = {
        term: {"real": sig, "ours": ours.get(term)}
        for term, sig in real.items()
        if term not in DECLARED[rel] and ours.get(term) != sig
    }
    assert mismatches == {}
    extra = set(ours) - set(real) - DECLARED[rel]
    assert extra == set(), f"terms only in our {version}: {sorted(extra)}"


@pytest.mark.parametrize(("version", "rel"), CASES, ids=[v for v, _ in CASES])
def test_vocab_and_processing_mode_agree(processed, version, rel):
    real, ours = processed[rel]
    assert ours["@vocab"] == real["@vocab"] == DEFAULT_VOCAB
    assert ours["processingMode"] == real["processingMode"]


def test_scorpio_1_8_copy_misspells_objectLists(processed):
    """The hosted 1.8 file (copied by Scorpio) has objectsLists -> hasObjectsLists.

    The name breaks the valueLists/languageMaps/vocabs pattern and the 1.9 file
    corrects it to objectLists -> hasObjectLists; we take the corrected spelling
    as the 1.8 standard, so the two differ on exactly these two terms.
    """
    real, ours = (_signatures(a) for a in processed[SCORPIO_18])
    assert real["objectsLists"] == (NGSI_LD + "hasObjectsLists", None, ("@list",), True)
    assert "objectLists" not in real
    assert ours["objectLists"] == (NGSI_LD + "hasObjectLists", None, ("@list",), True)
    assert "objectsLists" not in ours
    assert set(real) ^ set(ours) == DECLARED[SCORPIO_18]


def test_ngsildproof_keeps_id_only(processed):
    real, ours = processed[STELLIO_19]
    assert "@context" in real["mappings"]["ngsildproof"]  # scoped context importing data-integrity/v2
    assert "@context" not in ours["mappings"]["ngsildproof"]
    assert core_context_document("1.9")["@context"]["ngsildproof"] == "ngsi-ld:ngsildproof"


def test_legacy_unversioned_copy_differs_from_1_3_only_in_known_terms(corpus):
    """core_version_of maps the unversioned URL to 1.3; a 1.0-era cached copy differs as follows."""
    legacy = _signatures(_process(_real(corpus, LEGACY)))
    ours = _signatures(_process(core_context_document("1.3")))
    assert set(legacy) - set(ours) == {"end", "endTime", "expires", "name", "relationships", "start", "time"}
    changed = {term for term in set(legacy) & set(ours) if legacy[term] != ours[term]}
    assert changed == {"attributeName", "coordinates", "description", "geometry", "properties", "title"}


@pytest.mark.parametrize("version", CORE_VERSIONS)
def test_core_terms_match_a_json_ld_processor(version):
    active = _process(core_context_document(version))
    expanded = {term: d["@id"] for term, d in active["mappings"].items()}
    assert core_terms(version) == expanded


@pytest.mark.parametrize("version", CORE_VERSIONS)
def test_entity_expands_offline(version):
    entity = {
        "@context": core_context_url(version),
        "id": "urn:ngsi-ld:Building:1",
        "type": "Building",
        "name": {"type": "Property", "value": "Tower", "observedAt": "2024-01-01T00:00:00Z"},
        "owner": {"type": "Relationship", "object": "urn:ngsi-ld:Person:2"},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1.5, 2.5]}},
    }

    def loader(url: str, options: Any = None) -> dict[str, Any]:
        assert core_version_of(url) == version
        return {"contextUrl": None, "documentUrl": url, "document": core_context_document(version)}

    [node] = jsonld.expand(entity, {"documentLoader": loader, "contextResolver": ContextResolver({}, loader)})
    assert node["@type"] == [DEFAULT_VOCAB + "Building"]
    name = node[DEFAULT_VOCAB + "name"][0]
    assert name["@type"] == [NGSI_LD + "Property"]
    assert name[NGSI_LD + "observedAt"] == [{"@type": NGSI_LD + "DateTime", "@value": "2024-01-01T00:00:00Z"}]
    assert node[DEFAULT_VOCAB + "owner"][0][NGSI_LD + "hasObject"] == [{"@id": "urn:ngsi-ld:Person:2"}]
    geometry = node[NGSI_LD + "location"][0][NGSI_LD + "hasValue"][0]
    assert geometry["@type"] == [GEOJSON + "Point"]
    assert geometry[GEOJSON + "coordinates"] == [{"@list": [{"@value": 1.5}, {"@value": 2.5}]}]


# -- spot checks written from GS CIM 009, not from the table ---------------------------------------------


@pytest.mark.parametrize(
    ("version", "term", "iri"),
    [
        ("1.9", "observedAt", "https://uri.etsi.org/ngsi-ld/observedAt"),
        ("1.3", "value", "https://uri.etsi.org/ngsi-ld/hasValue"),
        ("1.6", "object", "https://uri.etsi.org/ngsi-ld/hasObject"),
        ("1.7", "Property", "https://uri.etsi.org/ngsi-ld/Property"),
        ("1.8", "location", "https://uri.etsi.org/ngsi-ld/location"),
        ("1.8", "Point", "https://purl.org/geojson/vocab#Point"),
        ("1.3", "description", "http://purl.org/dc/terms/description"),
        ("1.6", "languageMap", "https://uri.etsi.org/ngsi-ld/hasLanguageMap"),
        ("1.7", "VocabularyProperty", "https://uri.etsi.org/ngsi-ld/VocabularyProperty"),
        ("1.8", "VocabProperty", "https://uri.etsi.org/ngsi-ld/VocabProperty"),
        ("1.8", "objectLists", "https://uri.etsi.org/ngsi-ld/hasObjectLists"),
        ("1.8", "json", "https://uri.etsi.org/ngsi-ld/hasJSON"),
        ("1.9", "ngsildproof", "https://uri.etsi.org/ngsi-ld/ngsildproof"),
        ("1.3", "attributeCount", "https://uri.etsi.org/ngsi-ld/default-context/attributeCount"),
        ("1.9", "id", "@id"),
        ("1.9", "ngsi-ld", "https://uri.etsi.org/ngsi-ld/"),
    ],
)
def test_spot_check(version, term, iri):
    assert core_terms(version)[term] == iri


@pytest.mark.parametrize(
    ("term", "present_in"),
    [
        ("Property", {"1.3", "1.6", "1.7", "1.8", "1.9"}),
        ("LanguageProperty", {"1.6", "1.7", "1.8", "1.9"}),
        ("VocabularyProperty", {"1.7"}),
        ("VocabProperty", {"1.8", "1.9"}),
        ("JsonProperty", {"1.8", "1.9"}),
        ("ListRelationship", {"1.8", "1.9"}),
        ("objectsLists", set()),
        ("Snapshot", {"1.9"}),
        ("name", set()),
    ],
)
def test_term_history(term, present_in):
    assert {v for v in CORE_VERSIONS if term in core_terms(v)} == present_in


def test_document_keywords():
    docs = {v: core_context_document(v)["@context"] for v in CORE_VERSIONS}
    assert all(ctx["@vocab"] == DEFAULT_VOCAB for ctx in docs.values())
    assert "@version" not in docs["1.3"] and "@protected" not in docs["1.3"]
    assert docs["1.8"]["@version"] == 1.1 and docs["1.9"]["@protected"] is True
    assert docs["1.9"]["createdAt"] == {"@id": "ngsi-ld:createdAt", "@type": "ngsi-ld:DateTime"}
    assert docs["1.9"]["languageMap"] == {"@id": "ngsi-ld:hasLanguageMap", "@container": "@language"}
    assert docs["1.3"]["objects"] == {"@id": "ngsi-ld:hasObjects", "@type": "@id", "@container": "@list"}
    assert docs["1.6"]["objects"] == {"@id": "ngsi-ld:hasObjects", "@container": "@list"}


# -- URLs ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "version"),
    [
        *[(f"https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v{v}.jsonld", v) for v in CORE_VERSIONS],
        *[(f"http://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v{v}.jsonld", v) for v in CORE_VERSIONS],
        *[(f"https://uri.etsi.org/ngsi-ld/ngsi-ld-core-context-v{v}.jsonld", v) for v in CORE_VERSIONS],
        ("http://uri.etsi.org/ngsi-ld/ngsi-ld-core-context-v1.9.jsonld", "1.9"),
        ("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld", "1.3"),
        ("http://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld", "1.3"),
        ("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.4.jsonld", None),
        ("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.10.jsonld", None),
        ("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.1.jsonld", None),
        ("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld?x=1", None),
        ("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.json", None),
        ("https://example.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld", None),
        ("https://uri.etsi.org/ngsi-ld/default-context/", None),
        ("https://smartdatamodels.org/context.jsonld", None),
        (" https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld", None),
        ("", None),
    ],
)
def test_core_version_of(url, version):
    assert core_version_of(url) == version


@pytest.mark.parametrize("version", CORE_VERSIONS)
def test_core_context_url_round_trip(version):
    assert core_version_of(core_context_url(version)) == version


def test_default_url():
    assert DEFAULT_CORE_VERSION == "1.8"
    assert core_context_url() == "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"


@pytest.mark.parametrize("bad", ["1.4", "1.5", "2.0", "", "v1.8", "1.8.1", "1.10"])
@pytest.mark.parametrize("func", [core_context_url, core_context_document, core_terms])
def test_unknown_version_raises(func, bad):
    with pytest.raises(ValueError, match=r"known versions: 1\.3, 1\.6, 1\.7, 1\.8, 1\.9"):
        func(bad)


# -- cache safety ----------------------------------------------------------------------------------------


def test_mutating_a_returned_document_does_not_leak():
    pristine = json.dumps(core_context_document("1.9"), sort_keys=True)
    doc = core_context_document("1.9")
    ctx = doc["@context"]
    ctx["observedAt"] = "https://evil.example/observedAt"
    ctx["createdAt"]["@type"] = "@id"
    ctx["languageMap"].pop("@container")
    del ctx["@vocab"]
    doc["extra"] = True
    assert json.dumps(core_context_document("1.9"), sort_keys=True) == pristine


def test_mutating_returned_terms_does_not_leak():
    terms = core_terms("1.8")
    terms["observedAt"] = "x"
    terms.clear()
    assert core_terms("1.8")["observedAt"] == NGSI_LD + "observedAt"
