"""MIM2 checks of data files: Smart Data Models examples of the corpus, with their own context and schema.

The expected findings are computed here from the corpus files themselves
(the context's term list, the schema's bounds), not from the probe.
"""

from __future__ import annotations

import json

import pytest

from mimbridge import probe
from mimbridge.cli import main
from mimbridge.probe.earl import earl_graph
from mimbridge.validate.shacl import validate

from .conftest import ROOT

ENV = "ngsi-ld/dataModel.Environment"
AQO = f"{ENV}/AirQualityObserved/examples/example-normalized.jsonld"
ENV_CONTEXT_URL = "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld"
CORE_MEMBERS = {"id", "type", "@context"}


@pytest.fixture
def aqo(corpus):
    return corpus / AQO, {ENV_CONTEXT_URL: str(corpus / ENV / "context.jsonld")}


def test_smart_data_models_example_against_its_context_and_schema(aqo, corpus):
    path, contexts = aqo
    report = probe(path, contexts=contexts)
    assert report.api == "data" and report.verdicts() == {"MIM2-1": "fail", "MIM2-2": "pass", "MIM2-3": "fail"}
    # the terms the example uses that the Environment context does not define
    entity = json.loads(path.read_text(encoding="utf-8"))
    defined = set(json.loads((corpus / ENV / "context.jsonld").read_text(encoding="utf-8"))["@context"])
    missing = sorted(set(entity) - CORE_MEMBERS - defined - {"location", "address", "name", "description",
                                                              "dateObserved", "source", "areaServed"})
    assert missing and all(m in report.results[0].evidence[0].found for m in missing), missing
    # the schema's bound the example breaks
    schema = json.loads((corpus / ENV / "AirQualityObserved/schema.json").read_text(encoding="utf-8"))
    def maximum(node):
        if isinstance(node, dict):
            wind = node.get("properties", {}).get("windDirection")
            if isinstance(wind, dict) and "maximum" in wind:
                return wind["maximum"]
            return next((m for v in node.values() if (m := maximum(v)) is not None), None)
        if isinstance(node, list):
            return next((m for v in node if (m := maximum(v)) is not None), None)
        return None

    value = entity["windDirection"]["value"]
    assert value > maximum(schema)
    assert f"/windDirection/value: {value} is greater than the maximum" in report.results[2].evidence[0].found
    assert "schema.json" in report.results[1].evidence[0].found


def test_without_the_local_context_every_term_falls_into_the_default_vocabulary(aqo):
    path, _ = aqo
    r1 = probe(path).results[0]
    assert r1.verdict.value == "fail"
    assert any("was not resolved offline" in e.found for e in r1.evidence)


def test_a_clean_entity_passes_all_three(aqo, tmp_path):
    path, contexts = aqo
    entity = json.loads(path.read_text(encoding="utf-8"))
    entity["windDirection"]["value"] = 175  # the schema allows 0-180
    entity["tsp"]["value"] = 73  # the schema wants an integer
    for term in ("typeOfLocation",):
        entity.pop(term, None)
    clean = tmp_path / "aqo.jsonld"
    clean.write_text(json.dumps(entity), encoding="utf-8")
    schema = path.parent.parent / "schema.json"
    report = probe(clean, contexts=contexts, schema=str(schema))
    assert report.verdicts() == {"MIM2-1": "pass", "MIM2-2": "pass", "MIM2-3": "pass"}, report.table()
    assert report.ok
    args = ["probe", str(clean), "--context", f"{ENV_CONTEXT_URL}={contexts[ENV_CONTEXT_URL]}", "--schema",
            str(schema)]
    assert main(args) == 0


def test_shacl_shapes_as_the_definition(aqo):
    path, contexts = aqo
    report = probe(path, contexts=contexts, shapes="ngsi-ld", schema=None)
    r2 = report.results[1]
    assert r2.verdict.value == "pass" and "SHACL shapes ngsi-ld" in r2.evidence[0].found
    assert any(e.request.startswith("SHACL") for e in report.results[2].evidence)


def test_plain_geojson_has_no_shared_model_nor_definition():
    report = probe(ROOT / "tests" / "pygeoapi" / "cities.geojson")
    assert report.verdicts() == {"MIM2-1": "fail", "MIM2-2": "fail", "MIM2-3": "could not tell"}
    assert "none found" in report.results[1].evidence[0].found


def test_data_report_as_earl_validates(aqo):
    path, contexts = aqo
    g = earl_graph(probe(path, contexts=contexts))
    assert validate(g, "earl").conforms
