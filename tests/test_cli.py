"""The mimbridge console script, run as a user runs it (subprocess, real entry point)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, need

EXAMPLE = ROOT / "docs" / "examples" / "air-quality.jsonld"


@pytest.fixture(scope="module")
def exe() -> str:
    path = shutil.which("mimbridge") or str(Path(sys.executable).parent / "mimbridge")
    need(Path(path).exists(), "the mimbridge console script is not installed (pip install -e .)")
    return path


def run(exe, *args, stdin=None):
    return subprocess.run([exe, *args], input=stdin, capture_output=True, text=True, timeout=120)


def test_readme_quick_start_command(exe):
    """The README's first command, verbatim in spirit: convert the bundled example to keyValues."""
    p = run(exe, "convert", str(EXAMPLE), "-f", "ngsi-ld", "-t", "ngsi-ld-keyvalues")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out[0]["no2"] == 38.5 and out[0]["location"]["type"] == "Point"
    assert out[0]["name"] == {"languageMap": {"pt": "Boavista", "en": "Boavista station"}}
    assert "Dropped" in p.stderr and "unitCode is not carried" in p.stderr


def test_formats_matrix(exe):
    p = run(exe, "formats")
    assert p.returncode == 0
    matrix, _, option_lists = p.stdout.partition("\n\n")
    lines = matrix.splitlines()
    assert lines[0].split()[:3] == ["format", "read", "write"]
    names = [line.split()[0] for line in lines[2:]]
    assert {"ngsi-ld", "ngsi-ld-concise", "ngsi-ld-keyvalues", "ngsi-ld-temporal", "ngsi-ld-geojson",
            "native"} <= set(names)
    p = run(exe, "formats", "--json")
    rows = {r["name"]: r for r in json.loads(p.stdout)}
    assert rows["ngsi-ld-keyvalues"]["typed"] is False and rows["ngsi-ld"]["typed"] is True
    assert "ngsi-ld-simplified" in rows["ngsi-ld-keyvalues"]["aliases"]
    # each format's options, with default, side and meaning, as the adapters declare them
    turtle = option_lists.split("\nturtle\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert turtle[1].split()[:3] == ["profile", "ngsi-ld", "both"] and "sosa" in turtle[1]
    assert any(line.split()[:3] == ["roundtrip", "true", "write"] for line in turtle)
    sta = {o["name"]: o for o in rows["sta"]["options"]}
    assert sta["mapping"]["default"] == "structural" and sta["subject"]["applies_to"] == "read"
    assert {o["applies_to"] for o in rows["wfs-gml"]["options"]} == {"read"}  # a read-only format
    assert [o["name"] for o in rows["ngsi-ld-keyvalues"]["options"]][-4:] == ["schema", "kinds", "model", "lang"]


def test_convert_all_flags(exe, tmp_path):
    out, rep = tmp_path / "out.json", tmp_path / "report.json"
    p = run(exe, "convert", str(EXAMPLE), "-f", "ngsi-ld", "-t", "ngsi-ld-geojson", "-o", str(out),
            "--report", str(rep), "-O", "simplified=true", "-O", "geometry_property=location", "-q")
    assert p.returncode == 0, p.stderr
    assert p.stdout == "" and p.stderr == ""
    fc = json.loads(out.read_text())
    assert fc["type"] == "FeatureCollection" and fc["features"][0]["geometry"]["coordinates"] == [-8.6291, 41.1579]
    report = json.loads(rep.read_text())
    assert report["source"] == "ngsi-ld" and report["target"] == "ngsi-ld-geojson"
    assert report["lossless"] is False and report["records_in"] == 2 and report["records_out"] == 2


def test_convert_from_stdin_and_suffix_guess(exe, tmp_path):
    doc = EXAMPLE.read_text()
    p = run(exe, "convert", "-", "-f", "ngsi-ld", "-t", "ngsi-ld", stdin=doc)
    assert p.returncode == 0 and json.loads(p.stdout) == json.loads(doc)
    p = run(exe, "convert", str(EXAMPLE), "-t", "ngsi-ld-concise")  # .jsonld -> ngsi-ld
    assert p.returncode == 0
    assert json.loads(p.stdout)[0]["dateObserved"] == "2026-03-01T10:00:00Z"


def test_strict_turns_loss_into_exit_1(exe, tmp_path):
    rep = tmp_path / "r.json"
    p = run(exe, "convert", str(EXAMPLE), "-f", "ngsi-ld", "-t", "ngsi-ld-keyvalues", "--strict", "--report", str(rep))
    assert p.returncode == 1
    assert p.stdout == ""
    assert p.stderr.startswith("mimbridge: error: conversion is lossy")
    assert json.loads(rep.read_text())["lossless"] is False
    p = run(exe, "convert", str(EXAMPLE), "-f", "ngsi-ld", "-t", "ngsi-ld-concise", "--strict")
    assert p.returncode == 0


def test_conversion_error_names_location(exe, tmp_path):
    bad = tmp_path / "bad.jsonld"
    bad.write_text('{"id": "urn:ngsi-ld:T:1", "type": "T", "owner": {"type": "Relationship", "object": "Bob"}}')
    p = run(exe, "convert", str(bad), "-f", "ngsi-ld", "-t", "ngsi-ld")
    assert p.returncode == 1
    assert p.stderr.strip().splitlines() == [
        "mimbridge: error: /owner/object: relationship object 'Bob' is not a URI (expected a URI)"]
    bad.write_text('{"id": ')
    p = run(exe, "convert", str(bad), "-f", "ngsi-ld", "-t", "ngsi-ld")
    assert p.returncode == 1 and "line 1 column 8" in p.stderr


@pytest.mark.parametrize("args", [
    ["convert"],
    ["convert", "x.jsonld"],                                  # no -t
    ["bogus"],
    ["convert", "-", "-t", "ngsi-ld"],                        # stdin without -f
    ["convert", "in.jsonld", "-f", "nope", "-t", "ngsi-ld"],  # unknown format
    ["convert", "in.jsonld", "-f", "ngsi-ld", "-t", "ngsi-ld", "-O", "novalue"],
    ["convert", "in.jsonld", "-f", "ngsi-ld", "-t", "ngsi-ld", "-O", "unknown_opt=1"],
])
def test_usage_errors_exit_2(exe, tmp_path, args):
    (tmp_path / "in.jsonld").write_text('{"id": "urn:x:1", "type": "T"}')
    p = subprocess.run([exe, *args], capture_output=True, text=True, cwd=tmp_path, timeout=60, input="")
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stderr


def test_missing_file_exit_1(exe, tmp_path):
    p = run(exe, "convert", str(tmp_path / "nope.jsonld"), "-f", "ngsi-ld", "-t", "ngsi-ld")
    assert p.returncode == 1 and "no such file" in p.stderr


def test_unknown_format_lists_available(exe):
    p = run(exe, "convert", str(EXAMPLE), "-f", "ngsi-ld", "-t", "ngsi-lb")
    assert p.returncode == 2
    assert "available:" in p.stderr and "ngsi-ld-keyvalues" in p.stderr


def test_readme_commands_are_the_tested_ones():
    """The README quick start names exactly the commands the suite runs (README and tests cannot drift)."""
    text = (ROOT / "README.md").read_text()
    blocks = [b.split("```", 1)[0].strip() for b in text.split("```sh\n")[1:]]
    assert blocks[0] == ("pip install . && mimbridge convert docs/examples/air-quality.jsonld "
                         "-f ngsi-ld -t ngsi-ld-keyvalues")
    assert blocks[1] == "pip install -e '.[test]' && python -m pytest"
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python -m pip install --quiet -e '.[test]'" in ci and "\npython -m pytest\n" in ci


BROKEN_TTL = """@prefix ngsi-ld: <https://uri.etsi.org/ngsi-ld/> .
<urn:ngsi-ld:Room:1> <https://ex.org/temperature> [ a ngsi-ld:Property ; ngsi-ld:unitCode 12 ] .
"""


def test_validate_converts_then_checks_the_shipped_shapes(exe):
    for shapes in ("ngsi-ld", "sosa"):
        p = run(exe, "validate", str(EXAMPLE), "-f", "ngsi-ld", "--shapes", shapes)
        assert p.returncode == 0, p.stdout + p.stderr
        assert p.stdout.strip().endswith("conforms")


def test_validate_names_each_violation_and_exits_1(exe, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(BROKEN_TTL)
    p = run(exe, "validate", str(bad), "--shapes", "ngsi-ld", "--json")
    assert p.returncode == 1
    out = json.loads(p.stdout)
    assert out["conforms"] is False
    messages = {v["message"] for v in out["violations"]}
    assert "a Property has a value" in messages
    assert any(v["path"] == "https://uri.etsi.org/ngsi-ld/unitCode" for v in out["violations"])
    p = run(exe, "validate", str(bad))
    assert p.returncode == 1 and p.stdout.strip().endswith("2 violation(s)")
    assert "_:" in p.stdout  # blank nodes are shown as blank nodes


def test_resolver_commands_are_wired(exe, tmp_path):
    p = run(exe, "resolve", "doi:10.5281/ZENODO.123", "https://doi.org/10.1000%2F182")
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["https://doi.org/10.5281/zenodo.123", "https://doi.org/10.1000/182"]
    store = tmp_path / "store"
    p = run(exe, "load", str(EXAMPLE), "-f", "ngsi-ld", "--store", str(store))
    assert p.returncode == 0, p.stderr
    known = json.loads(EXAMPLE.read_text())[0]["id"]
    p = run(exe, "resolve", known, "urn:ngsi-ld:AirQualityObserved:not-loaded", "--store", str(store), "--json")
    assert p.returncode == 0, p.stderr
    first, second = (json.loads(line) for line in p.stdout.splitlines())
    assert first["identifier"] == known and first["in_store"] == known, first
    assert "https://uri.etsi.org/ngsi-ld/default-context/AirQualityObserved" in first["types"]
    assert second["in_store"] is None, second
    p = run(exe, "serve", "--help")
    assert p.returncode == 0 and "--store" in p.stdout
