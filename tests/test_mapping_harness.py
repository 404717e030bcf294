"""check_table, the mapping-table harness: shipped tables pass, broken tables fail naming the row,
coverage and round trips on corpus samples, and validation of the translated samples."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mimbridge.mapping import sssom as S
from mimbridge.mapping.apply import load_table, shipped_tables
from mimbridge.validate.mapping_check import check_table

from .conftest import need

ROOT = Path(__file__).resolve().parent.parent
BROKEN_DIR = Path(__file__).resolve().parent / "data" / "mappings"
ENV = "ngsi-ld/dataModel.Environment"
AQO = f"{ENV}/AirQualityObserved"
ENV_CONTEXT_URL = "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld"
STA_SAMPLE = "ogc/_captured/django-ogc-sensorthings-1.2.0/inputs/thing2.json"

# file -> (text of the offending row, what the message says)
BROKEN = {
    "undeclared-prefix": ("qudtx:MassConcentration", "undeclared prefix 'qudtx'"),
    "missing-justification": ("sdm:windSpeed\tskos:broadMatch", "missing mapping_justification"),
    "conflict": ("quantitykind:ThermodynamicTemperature", "conflict: subject sdm:temperature"),
    "cycle": ("ex:p", "cycle of broader/narrower mappings"),
    "bad-predicate": ("skos:sortOfMatch", "unknown predicate 'skos:sortOfMatch'"),
}


def lines_with(path: Path, needle: str) -> set[int]:
    return {i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line}


def first_data_line(path: Path) -> int:
    return min(lines_with(path, "\tskos:")) - 1  # the header row precedes the first mapping


@pytest.fixture
def aqo_env(corpus):
    context = corpus / ENV / "context.jsonld"
    files = [corpus / AQO / "schema.json", corpus / AQO / "examples/example.jsonld",
             corpus / AQO / "examples/example-normalized.jsonld", context]
    need(all(f.is_file() for f in files), "AirQualityObserved schema, examples or Environment context missing")
    return {"schema": files[0], "kv": files[1], "normalized": files[2],
            "contexts": {ENV_CONTEXT_URL: context}}


def exact_table(path_or_name, tmp_path: Path) -> Path:
    ms = load_table(path_or_name)
    keep = [m for m in ms.mappings if ms.expand(m.predicate_id) == S.BUILTIN_PREFIXES["skos"] + "exactMatch"]
    out = tmp_path / "exact.sssom.tsv"
    S.write_sssom(S.MappingSet(keep, curie_map=ms.curie_map, metadata=ms.metadata, columns=ms.columns), out)
    return out


# --- well-formedness --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", shipped_tables())
def test_every_shipped_table_passes(name):
    result = check_table(name)
    assert result.ok and result.problems == [], result.summary()
    assert result.mappings == len(load_table(name)) > 0
    assert result.summary().splitlines()[-1] == "OK"


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_tables_fail_naming_the_row(name):
    path = BROKEN_DIR / f"{name}.sssom.tsv"
    needle, message = BROKEN[name]
    result = check_table(path)
    assert not result.ok
    [error] = result.errors
    assert message in error.message
    assert error.line in lines_with(path, needle)
    assert error.row == error.line - first_data_line(path)
    summary = result.summary()
    assert f"line {error.line} (row {error.row})" in summary and message in summary
    assert summary.splitlines()[-1] == "FAILED"
    assert json.loads(json.dumps(result.to_dict()))["problems"][0]["line"] == error.line


def test_broken_table_stops_before_samples(corpus):
    sample = corpus / STA_SAMPLE
    need(sample.is_file(), f"{STA_SAMPLE} missing")
    result = check_table(BROKEN_DIR / "conflict.sssom.tsv", samples=sample, source="sta")
    assert not result.ok and result.covered == {} and result.roundtrip_lossless is None
    assert any("not computed" in n for n in result.notes)


def test_a_table_that_is_not_sssom_fails_clearly():
    result = check_table(ROOT / "mappings" / "sta-ngsi-ld.tsv")
    assert not result.ok
    assert any("required column 'subject_id' is missing" in p.message for p in result.errors)


# --- coverage and round trip on corpus samples --------------------------------------------------------

def test_coverage_of_the_environment_table_on_the_air_quality_sample(aqo_env):
    ms = load_table("sdm-environment-quantitykinds")
    kv = json.loads(aqo_env["kv"].read_text(encoding="utf-8"))
    result = check_table("sdm-environment-quantitykinds", samples=aqo_env["kv"], source="ngsi-ld-keyvalues",
                         options={"schema": aqo_env["schema"], "contexts": aqo_env["contexts"]})
    assert result.ok and result.entities == 1 and result.samples == [str(aqo_env["kv"])]
    # computed from the rows: attributes of the sample that are the subject of a usable forward row
    forward = {}
    for m in ms.mappings:
        kind = ms.expand(m.predicate_id).rsplit("#", 1)[1]
        if kind in ("exactMatch", "broadMatch"):
            forward[m.subject_id] = (ms.compress(ms.expand(m.object_id)), kind[: -len("Match")])
    attrs = [k for k in kv if k not in ("id", "type", "@context")]
    expected = {f"sdm:{a}": forward[f"sdm:{a}"] for a in attrs if f"sdm:{a}" in forward}
    assert {t: (tg, k) for t, (_, tg, k) in result.covered.items()} == expected
    assert all(count == 1 for count, _, _ in result.covered.values())
    assert "sdm:AirQualityObserved" in result.missed  # the entity type is not in a quantity-kind table
    assert set(result.unused) == {m.subject_id for m in ms.mappings} - set(expected)
    # round trip: the exact ones come back, the broad ones do not and are listed with their events
    assert result.roundtrip_lossless is False
    for term, (_, _, kind) in result.covered.items():
        assert (term in result.roundtrip_lost) == (kind == "broad" and any(
            term in e.message and e.kind == "Approximated" for e in result.roundtrip_events)), term
    lost_broad = [t for t in result.roundtrip_lost if result.covered[t][2] == "broad"]
    assert lost_broad and all("no inverse mapping" in result.roundtrip_lost[t] for t in lost_broad)
    summary = result.summary()
    assert "coverage:" in summary and "round trip" in summary and summary.endswith("OK")


def test_exact_table_round_trip_is_lossless(aqo_env, tmp_path):
    table = exact_table("sdm-environment-quantitykinds", tmp_path)
    result = check_table(table, samples=[aqo_env["kv"], aqo_env["normalized"]], source="ngsi-ld-keyvalues",
                         options={"schema": aqo_env["schema"], "contexts": aqo_env["contexts"]})
    assert [f for f, _ in result.sample_errors] == [str(aqo_env["normalized"])]
    assert not result.ok  # the normalized file is not keyValues: named explicitly, so it is an error
    result = check_table(table, samples=aqo_env["kv"], source="ngsi-ld-keyvalues",
                         options={"schema": aqo_env["schema"], "contexts": aqo_env["contexts"]})
    assert result.ok and result.covered and result.roundtrip_lossless is True
    assert result.roundtrip_lost == {} and result.roundtrip_events == []
    assert "round trip (forward, then inverse): lossless" in result.summary()


def test_broad_and_close_table_lists_each_approximated_term(corpus, tmp_path):
    sample = corpus / STA_SAMPLE
    need(sample.is_file(), f"{STA_SAMPLE} missing")
    ms = load_table("sta-sosa")
    rows = {m.subject_id: ms.expand(m.predicate_id).rsplit("#", 1)[1] for m in ms.mappings}
    result = check_table("sta-sosa", samples=sample, source="sta", allow_close=True)
    approximated = {e.message.split(" ")[0] for e in result.roundtrip_events if e.kind == "Approximated"}
    non_exact = {t for t in result.covered if rows.get(t) in ("broadMatch", "closeMatch")}
    assert non_exact and non_exact <= approximated
    # broad rows do not come back; the close row applies both ways (reported both ways)
    assert set(result.roundtrip_lost) == {t for t in non_exact if rows[t] == "broadMatch"}
    assert any(e.message.startswith("sosa:Platform") for e in result.roundtrip_events)
    without = check_table("sta-sosa", samples=sample, source="sta")
    assert "sta:Thing" in without.missed and "sta:Thing" in result.covered
    assert any(n.startswith("sta:Thing has only a close") for n in without.notes)
    # a folder of samples: files that are not SensorThings are skipped with a note, not failed
    folder = tmp_path / "samples"
    folder.mkdir()
    shutil.copy(sample, folder / "thing.json")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    scanned = check_table("sta-sosa", samples=folder, source="sta", allow_close=True)
    assert scanned.ok and scanned.covered == result.covered
    assert [Path(f).name for f, _ in scanned.skipped] == ["broken.json"] and scanned.sample_errors == []


# --- validation of the translated samples -------------------------------------------------------------

def test_translated_samples_are_validated_against_a_schema(aqo_env, tmp_path):
    table = exact_table("sdm-environment-quantitykinds", tmp_path)
    result = check_table(table, samples=aqo_env["normalized"], source="ngsi-ld", schema=aqo_env["schema"],
                         options={"contexts": aqo_env["contexts"]})
    normalized = json.loads(aqo_env["normalized"].read_text(encoding="utf-8"))
    schema = json.loads(aqo_env["schema"].read_text(encoding="utf-8"))
    props = {k: v for part in schema["allOf"] for k, v in part.get("properties", {}).items()}
    # the example's own defects (see test_sdm_schema) show up, pointing into the translated sample
    assert props["tsp"]["type"] == "integer" and normalized["tsp"]["value"] != int(normalized["tsp"]["value"])
    assert result.validated == 1 and not result.ok
    assert ("example-normalized.jsonld#/tsp/value", "73.3 is not of type 'integer'") in result.violations
    assert any("not resolved offline" in n for n in result.notes)
    assert "validation against" in result.summary() and result.to_dict()["validation"]["entities"] == 1


def test_translated_samples_are_validated_against_shapes(corpus):
    sample = corpus / STA_SAMPLE
    need(sample.is_file(), f"{STA_SAMPLE} missing")
    result = check_table("sta-sosa", samples=sample, source="sta", shapes="ngsi-ld")
    assert result.ok and result.validation == "SHACL ngsi-ld" and result.target == "turtle"
    assert result.validated == result.entities > 0
    bad = "@prefix sh: <http://www.w3.org/ns/shacl#> .\n[] a sh:NodeShape ; sh:targetClass " \
          "<http://www.w3.org/ns/sosa/Observation> ; sh:property [ sh:path <urn:x:never> ; sh:minCount 1 ] ."
    result = check_table("sta-sosa", samples=sample, source="sta", shapes=bad)
    assert not result.ok and all("urn:x:never" in w for w, _ in result.violations)
