"""The resolve / load subcommands as a user runs them (``python -m mimbridge.resolve ...``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT
from .test_resolver_service import CONTEXT_FILES, SUITE


def run(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "mimbridge.resolve", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


def test_resolve_prints_the_uri():
    r = run("resolve", "--base", "https://id.example.city/", "doi:10.5281/ZENODO.123", "urn:ngsi-ld:Building:b1",
            "sensor:42", "Things(7)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "https://doi.org/10.5281/zenodo.123",
        "https://id.example.city/Building/b1",
        "https://id.example.city/sensor/42",
        "https://id.example.city/sta/Things/7",
    ]


def test_without_a_base_nothing_is_minted_on_the_placeholder_host():
    r = run("resolve", "doi:10.5281/ZENODO.123", "urn:ngsi-ld:Building:b1", "Things(7)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "https://doi.org/10.5281/zenodo.123",
        "urn:ngsi-ld:Building:b1",
        "https://sta.example.city/v1.1/Things(7)",
    ]
    assert "id.example.city" not in r.stdout
    assert "--base" in r.stderr and "--rules" in r.stderr
    r = run("resolve", "--json", "urn:ngsi-ld:Building:b1")
    info = json.loads(r.stdout)
    assert info["uri"] == "urn:ngsi-ld:Building:b1" and "minted" not in info and "--base" in info["hint"]
    r = run("resolve", "sensor:42")  # a local code has no URI of its own
    assert r.returncode == 1 and "--base" in r.stderr and r.stdout == ""
    r = run("serve", "--store", "nowhere")
    assert r.returncode == 2 and "--base" in r.stderr


def test_resolve_a_minted_uri_prints_what_it_knows():
    r = run("resolve", "--base", "https://id.example.city/", "https://id.example.city/sensor/42")
    assert r.returncode == 0, r.stderr
    fields = dict(line.split(None, 1) for line in r.stdout.splitlines() if line.strip())
    assert fields["identifier"] == "sensor:42"
    assert fields["scheme"] == "local"
    assert fields["document"] == "https://id.example.city/doc/sensor/42"


def test_resolve_json_and_base_override():
    r = run("resolve", "--json", "--base", "https://data.example.org/id/", "10.5281/zenodo.123")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["scheme"] == "doi"
    assert info["also_matches"] == ["handle"]
    assert info["minted"] == "https://data.example.org/id/doi/10.5281/zenodo.123"


def test_resolve_errors_exit_1_and_go_on():
    r = run("resolve", "--base", "https://id.example.city/", "doi:10.1234", "sensor:1")
    assert r.returncode == 1
    assert "doi:10.1234: not a DOI" in r.stderr
    assert r.stdout.strip() == "https://id.example.city/sensor/1"


def test_usage_error_exits_2():
    assert run("resolve").returncode == 2
    assert run("load", "x.jsonld").returncode == 2  # --store is required


def test_load_then_resolve_with_store(corpus, tmp_path):
    ctx = {url: str(corpus / rel) for url, rel in CONTEXT_FILES.items()}
    src = corpus / SUITE / "data/entities/vehicle-two-datasetid-attributes.jsonld"
    store = tmp_path / "store"
    r = run("load", str(src), "--store", str(store), "-f", "ngsi-ld", "-O", "contexts=" + json.dumps(ctx))
    assert r.returncode == 0, r.stderr
    graph, count = r.stdout.strip().split("\t")
    assert graph == src.resolve().as_uri() and count.endswith(" triples") and int(count.split()[0]) > 10
    r = run("resolve", "--store", str(store), "--base", "https://id.example.city/", "--json",
            "urn:ngsi-ld:Vehicle:randomUUID",
            "https://id.example.city/Person/Bob")
    assert r.returncode == 0, r.stderr
    vehicle, bob = (json.loads(line) for line in r.stdout.splitlines())
    assert vehicle["in_store"] == "urn:ngsi-ld:Vehicle:randomUUID"
    assert vehicle["types"] == ["https://ngsi-ld-test-suite/context#Vehicle"]
    assert bob["in_store"] is None


@pytest.mark.parametrize("args", [["load", "missing.jsonld", "--store", "{tmp}/s", "-f", "ngsi-ld"],
                                  ["load", "{src}", "--store", "{tmp}/s", "-f", "nosuchformat"]])
def test_load_errors_exit_1(args, tmp_path, corpus):
    src = corpus / SUITE / "data/entities/building-simple-attributes.jsonld"
    r = run(*[a.format(tmp=tmp_path, src=src) for a in args])
    assert r.returncode == 1
    assert "mimbridge: error:" in r.stderr


def test_the_old_module_entry_point_still_runs_with_a_deprecation_warning():
    args = ["resolve", "--json", "--base", "https://id.city.test/", "doi:10.5281/ZENODO.123"]
    old = subprocess.run([sys.executable, "-m", "mimbridge.resolve", *args], capture_output=True, text=True,
                         timeout=120)
    new = subprocess.run([sys.executable, "-m", "mimbridge", *args], capture_output=True, text=True, timeout=120)
    assert old.returncode == new.returncode == 0, old.stderr
    assert json.loads(old.stdout) == json.loads(new.stdout)
    assert json.loads(new.stdout)["uri"] == "https://doi.org/10.5281/zenodo.123"
    assert "DeprecationWarning" in old.stderr and "python -m mimbridge" in old.stderr
