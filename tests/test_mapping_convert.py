"""``convert(..., terms=TABLE)`` and ``mimbridge mapping check``: the table route a user takes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import mimbridge
from mimbridge.mapping.sssom import MappingSet, read_sssom
from mimbridge.report import Approximated

from .conftest import ROOT, need

TABLE = ROOT / "mappings" / "sdm-environment-quantitykinds.sssom.tsv"
ENV = "ngsi-ld/dataModel.Environment"
ENV_CONTEXT_URL = "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld"
QK = "http://qudt.org/vocab/quantitykind/"


def _sample(corpus):
    sample = corpus / ENV / "AirQualityObserved/examples/example-normalized.jsonld"
    context = corpus / ENV / "context.jsonld"
    need(sample.is_file() and context.is_file(), "AirQualityObserved example or Environment context missing")
    return sample, {ENV_CONTEXT_URL: context}


def _exact_rows():
    """(sdm attribute IRI, quantity kind IRI) of the table's exact rows, read from the file itself."""
    rows, prefixes = [], {}
    for line in TABLE.read_text().splitlines():
        if line.startswith("#   ") and ": " in line and line.strip().split(": ")[1].startswith("http"):
            k, v = line[4:].split(": ", 1)
            prefixes[k.strip()] = v.strip()
    for line in TABLE.read_text().splitlines():
        cols = line.split("\t")
        if line.startswith("#") or cols[0] == "subject_id":
            continue
        if cols[2] == "skos:exactMatch":
            s, o = cols[0].split(":", 1), cols[3].split(":", 1)
            rows.append((prefixes[s[0]] + s[1], prefixes[o[0]] + o[1]))
    return rows


def test_convert_with_a_table_renames_attributes_and_inverts_back(corpus):
    sample, contexts = _sample(corpus)
    source_doc = json.loads(sample.read_text())
    forward = mimbridge.convert(sample, source="ngsi-ld", target="native", contexts=contexts, terms=TABLE)
    names = {n for node in forward.output["nodes"] for n in node["attrs"]}
    exact = dict(_exact_rows())
    present = {s for s in exact if s.rsplit("/", 1)[-1] in source_doc}
    assert present, "the sample has attributes of the table"
    for s in present:
        assert exact[s] in names and s not in names
    # broad rows apply one way only, and say so
    assert forward.report.of_type(Approximated)
    # the exact rows alone, forward then backwards, restore the original exactly
    full = read_sssom(TABLE)
    only_exact = MappingSet([m for m in full.mappings if m.predicate_id == "skos:exactMatch"],
                            curie_map=full.curie_map, metadata=full.metadata, columns=full.columns)
    there = mimbridge.convert(sample, source="ngsi-ld", target="native", contexts=contexts, terms=only_exact)
    assert there.report.lossless
    back = mimbridge.convert(there.output, source="native", target="ngsi-ld", contexts=contexts,
                             terms=only_exact, terms_direction="inverse")
    plain = mimbridge.convert(sample, source="ngsi-ld", target="ngsi-ld", contexts=contexts)
    assert back.output == plain.output and back.report.lossless


def test_close_matches_only_on_request_and_always_reported(corpus):
    sample, contexts = _sample(corpus)
    doc = json.loads(sample.read_text())
    need("pressure" in doc, "the AirQualityObserved example has no 'pressure'")
    r = mimbridge.convert(sample, source="ngsi-ld", target="native", contexts=contexts,
                          terms="sdm-environment-quantitykinds")
    assert not any(QK + "AtmosphericPressure" in n["attrs"] for n in r.output["nodes"])
    r = mimbridge.convert(sample, source="ngsi-ld", target="native", contexts=contexts,
                          terms="sdm-environment-quantitykinds", allow_close=True)
    assert any(QK + "AtmosphericPressure" in n["attrs"] for n in r.output["nodes"])
    assert any("pressure" in e.path for e in r.report.of_type(Approximated))


def test_adapter_mapping_names_still_reach_the_adapter():
    thing = {"@iot.id": 1, "name": "t", "description": "d"}
    r = mimbridge.convert(thing, source="sta", target="ngsi-ld", mapping="structural")
    assert r.output


def test_mapping_check_cli(tmp_path):
    exe = [sys.executable, "-m", "mimbridge.cli"]
    ok = subprocess.run([*exe, "mapping", "check", str(TABLE)], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.strip().splitlines()[-1].endswith("OK")
    bad = ROOT / "tests" / "data" / "mappings" / "conflict.sssom.tsv"
    p = subprocess.run([*exe, "mapping", "check", str(bad), "--json"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 1
    out = json.loads(p.stdout)
    assert out["ok"] is False
    assert [(p["line"], p["row"]) for p in out["problems"]] == [(11, 3)]
    assert bad.read_text().splitlines()[10].startswith("sdm:temperature")


def test_old_mapping_spelling_for_a_table_still_works_with_a_deprecation_warning():
    doc = {"id": "urn:ngsi-ld:T:1", "type": "T", "temperature": {"type": "Property", "value": 1},
           "@context": ["https://smartdatamodels.org/context.jsonld"]}
    with pytest.warns(DeprecationWarning, match="use terms=TABLE"):
        old = mimbridge.convert(doc, source="ngsi-ld", target="native", mapping="sdm-environment-quantitykinds")
    new = mimbridge.convert(doc, source="ngsi-ld", target="native", terms="sdm-environment-quantitykinds")
    assert old.output == new.output and old.report.to_dict() == new.report.to_dict()


def test_scoped_options_reach_one_side_only():
    doc = {"id": "urn:ngsi-ld:T:1", "type": "T", "p": {"type": "Property", "value": 1}}
    # profile= read by the RDF reader only would fail on NGSI-LD input: scoped to the writer it is fine
    nt = mimbridge.convert(doc, source="ngsi-ld", target="turtle", write_options={"profile": "sosa"}).output
    assert "sosa" in nt or "ngsi-ld" not in nt
    with pytest.raises(TypeError, match="for reader ngsi-ld: profile"):
        mimbridge.convert(doc, source="ngsi-ld", target="turtle", read_options={"profile": "sosa"})
    flat = mimbridge.convert(doc, source="ngsi-ld", target="turtle", blank_nodes=True).output
    scoped = mimbridge.convert(doc, source="ngsi-ld", target="turtle", write_options={"blank_nodes": True}).output
    assert flat == scoped and "_:" in scoped
