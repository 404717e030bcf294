"""One identifier normaliser: what readers write for an identifier is what ``mimbridge resolve`` answers."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

import mimbridge
from mimbridge import identifiers
from mimbridge.report import Unresolved
from mimbridge.resolve import identifiers as resolver_identifiers

SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"


def resolve_cli(*ids: str) -> list[str]:
    """``mimbridge resolve`` as a user runs it (its own process)."""
    r = subprocess.run([sys.executable, "-m", "mimbridge", "resolve", "--json", *ids], capture_output=True,
                       text=True, timeout=120, check=True)
    return [json.loads(line)["uri"] for line in r.stdout.splitlines() if line.strip()]


def record(*values: str) -> dict:
    return {"type": "Feature", "id": "rec-1", "geometry": None,
            "properties": {"title": "t", "externalIds": [{"scheme": "doi", "value": v} for v in values]}}


def test_records_doi_and_resolve_give_the_same_uri():
    values = ["10.5281/ZENODO.123", "doi:10.5281/Zenodo.124", "https://doi.org/10.5281/ZENODO.125"]
    e = mimbridge.convert(record(*values), source="ogc-records", target="ngsi-ld").output
    assert e[SAME_AS]["object"] == resolve_cli(*values) == [
        "https://doi.org/10.5281/zenodo.123", "https://doi.org/10.5281/zenodo.124", "https://doi.org/10.5281/zenodo.125"]
    # in RDF the two meet on one IRI
    nt = mimbridge.convert(record(values[0]), source="ogc-records", target="ntriples").output
    assert "<https://doi.org/10.5281/zenodo.123>" in nt and "ZENODO" not in nt.split("externalIds")[0]


def test_records_of_a_catalogue_server_join_the_resolver(pygeoapi_server):
    """The DOIs of pygeoapi's records collection, read as a user pulls them, are the URIs the resolver gives."""
    page = httpx.get(f"{pygeoapi_server.url}/collections/datasets/items", params={"f": "json", "limit": 100},
                     timeout=30).json()
    values = [x["value"] for f in page["features"] for x in f["properties"].get("externalIds", [])
              if x.get("scheme") == "doi"]
    assert len(values) >= 5
    got = [e[SAME_AS]["object"] for e in mimbridge.convert(page, source="ogc-records", target="ngsi-ld").output]
    assert got == resolve_cli(*values)


def test_an_invalid_doi_is_reported():
    r = mimbridge.convert(record("10.5555/a b"), source="ogc-records", target="ngsi-ld")
    assert SAME_AS not in r.output
    (ev,) = r.report.of_type(Unresolved)
    assert ev.path == "/properties/externalIds/0/value" and "not a valid DOI" in ev.message


def test_one_normaliser():
    assert resolver_identifiers.parse is identifiers.parse and resolver_identifiers.to_uri is identifiers.to_uri
    from mimbridge.adapters.features import records

    assert records.doi_uri is identifiers.doi_uri


@pytest.mark.parametrize("doc", [
    {"@iot.id": 7, "name": "T", "Datastreams": [{"@iot.id": "ds 1", "name": "d"}]},
    {"name": "anonymous", "Locations": [{"name": "l", "location": {"type": "Point", "coordinates": [1, 2]}}]},
])
def test_minted_sensorthings_ids_are_in_normal_form(doc):
    for e in mimbridge.convert(doc, source="sta", target="ngsi-ld").output:
        ident = identifiers.parse(e["id"])
        assert ident.scheme == "ngsi-ld" and ident.value == e["id"]


def test_ngsild_corpus_ids_are_in_normal_form(corpus):
    ids = set()
    for path in sorted((corpus / "ngsi-ld" / "dataModel.Environment").rglob("example-normalized.jsonld")):
        data = json.loads(path.read_text("utf-8"))
        ids.update(e["id"] for e in (data if isinstance(data, list) else [data]))
    assert ids
    for i in ids:
        assert identifiers.to_uri(identifiers.parse(i)) == i
