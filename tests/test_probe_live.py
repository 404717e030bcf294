"""The MIM1 probe against the real servers the suite starts, each with a capability it lacks.

Expected verdicts are written down here from what each server is known to
do (its documentation and the fixtures' data), never taken from the probe.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import rdflib

from mimbridge import probe
from mimbridge.cli import main
from mimbridge.describe import describe
from mimbridge.validate.shacl import validate

from .conftest import need
from .servers import free_port, http_ready, run_server

pytestmark = pytest.mark.timeout(300)

T0 = datetime(2024, 3, 1, tzinfo=UTC)
NGSI = "/ngsi-ld/v1"


def verdicts(report) -> dict[str, str]:
    return report.verdicts()


def evidence_text(report, req: str) -> str:
    r = next(r for r in report.results if r.requirement == req)
    return " | ".join(f"{e.status} {e.request} -> {e.found}" for e in r.evidence)


# -- NGSI-LD (the schema-validating double) ---------------------------------------------------------------------

def rooms() -> list[dict]:
    """25 rooms on a line of longitudes 0.1 degree apart (more than the default page of 20)."""
    return [{"id": f"urn:ngsi-ld:ProbeRoom:{i}", "type": "ProbeRoom",
             "temperature": {"type": "Property", "value": 20 + i,
                             "observedAt": (T0 + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")},
             "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [4.0 + i / 10, 52.0]}}}
            for i in range(25)]


@pytest.fixture
def rooms_broker(ngsild_broker):
    ngsild_broker.reset()
    body = rooms()
    r = httpx.post(f"{ngsild_broker.url}{NGSI}/entityOperations/upsert", json=body, timeout=10,
                   headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    for e in body[:3]:
        history = {"id": e["id"], "type": e["type"], "temperature": [
            {"type": "Property", "value": k, "observedAt": (T0 + timedelta(hours=k)).strftime("%Y-%m-%dT%H:%M:%SZ")}
            for k in range(4)]}
        r = httpx.post(f"{ngsild_broker.url}{NGSI}/temporal/entities", json=history, timeout=10,
                       headers={"Content-Type": "application/json"})
        assert r.status_code in (201, 204), r.text
    return ngsild_broker


def test_ngsild_double_verdicts(rooms_broker):
    report = probe(rooms_broker.url, type="ProbeRoom", allow_write=True, wait=5)
    assert report.api == "ngsi-ld"
    assert verdicts(report) == {"R1": "pass", "R2": "pass", "R3": "pass", "R4": "pass", "R5": "pass", "R6": "pass",
                                "R7": "fail", "R8": "pass"}, report.table()
    # the double serves no context source registrations: the fail names the request and its answer
    assert "501 GET" in evidence_text(report, "R7") and "csourceRegistrations" in evidence_text(report, "R7")
    # R6 really received the notification (the double's own record agrees)
    notes = rooms_broker.notifications()
    assert len(notes) == 1 and notes[0]["status"] == 200 and "mimbridge-probe" in notes[0]["ids"][0]
    # every request the probe sent is valid NGSI-LD, apart from the operations the double does not serve
    bad = [v for v in rooms_broker.violations() if "not implemented by the double" not in " ".join(v["errors"])]
    assert bad == []
    assert not report.ok


def test_ngsild_read_only_cannot_tell_subscriptions(rooms_broker):
    before = len(rooms_broker.requests())
    report = probe(rooms_broker.url, type="ProbeRoom")
    assert verdicts(report)["R6"] == "could not tell"
    sent = rooms_broker.requests()[before:]
    assert len(sent) >= 8 and {r["method"] for r in sent} == {"GET"}


def test_ngsild_without_next_links_fails_r8(rooms_broker):
    rooms_broker.configure(next_links=False)
    try:
        report = probe(rooms_broker.url, type="ProbeRoom")
    finally:
        rooms_broker.configure(next_links=True)
    assert verdicts(report)["R8"] == "fail"
    assert "no Link rel=\"next\"" in report.results[7].summary and "next link: none" in evidence_text(report, "R8")


# -- SensorThings (django-ogc-sensorthings) ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def sta_stream(sta_server):
    """One Thing with 120 Observations (more than the server's default page of 100) and a far-away Thing."""
    ids = []
    for k, lon in enumerate((4.9, 24.9)):
        body = {"name": f"probe station {k}", "description": "probe test",
                "Locations": [{"name": "site", "description": "roof", "encodingType": "application/geo+json",
                               "location": {"type": "Point", "coordinates": [lon, 52.37]}}],
                "Datastreams": [{"name": f"probe temperature {k}", "description": "t",
                                 "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/"
                                                    "OM_Measurement",
                                 "unitOfMeasurement": {"name": "degree Celsius", "symbol": "Cel",
                                                       "definition": "ucum:Cel"},
                                 "Sensor": {"name": "s", "description": "s", "encodingType": "application/pdf",
                                            "metadata": "https://example.org/s.pdf"},
                                 "ObservedProperty": {"name": "temperature", "description": "air temperature",
                                                      "definition": "http://qudt.org/vocab/quantitykind/Temperature"},
                                 "Observations": [{"phenomenonTime": (T0 + timedelta(minutes=i)).strftime(
                                     "%Y-%m-%dT%H:%M:%SZ"), "result": i / 2} for i in range(120 if k == 0 else 3)]}]}
        r = httpx.post(f"{sta_server.url}/Things", json=body, timeout=30)
        assert r.status_code == 201, r.text
        thing = r.headers["Location"]
        ds = httpx.get(f"{thing}/Datastreams", timeout=10).json()["value"][0]
        ids.append(ds["@iot.id"])
    return sta_server.url, ids[0]


def test_sta_verdicts(sta_stream):
    url, ds = sta_stream
    report = probe(url, type=str(ds))
    assert report.api == "sta"
    assert verdicts(report) == {"R1": "pass", "R2": "pass", "R3": "pass", "R4": "pass", "R5": "fail", "R6": "fail",
                                "R7": "pass", "R8": "pass"}, report.table()
    # django-ogc-sensorthings has no geospatial filter functions and advertises no MQTT endpoint
    assert "400 GET" in evidence_text(report, "R5") and "st_within" in evidence_text(report, "R5")
    assert "no MQTT endpoint" in evidence_text(report, "R6")


def test_sta_mqtt_without_server_messages_fails(sta_stream, mosquitto_broker):
    """A broker is there, but the server does not publish to it: no message after a real write."""
    url, ds = sta_stream
    report = probe(url, type=str(ds), allow_write=True, wait=3, options={"mqtt": mosquitto_broker.url})
    r6 = report.results[5]
    assert r6.verdict.value == "fail" and r6.summary == "no MQTT message after creating an Observation"
    found = [e.found for e in r6.evidence]
    assert found[0] == "subscribed" and found[2] == "0 message(s)"
    assert [e.status for e in r6.evidence if e.request.startswith(("POST", "DELETE"))] == [201, 204]


# -- OGC API Features + Records (pygeoapi) -----------------------------------------------------------------------

def test_pygeoapi_verdicts(pygeoapi_server):
    report = probe(pygeoapi_server.url)
    assert report.api == "ogcapi"
    assert verdicts(report) == {"R1": "pass", "R2": "pass", "R3": "pass", "R4": "pass", "R5": "pass",
                                "R6": "not offered", "R7": "pass", "R8": "pass"}, report.table()
    assert report.ok
    # R5: the box around Amsterdam returned Amsterdam only; R8: pygeoapi's default_items is 10 of 14 cities
    assert "1 items; target in; 0 of 13 known outside returned" in evidence_text(report, "R5")
    assert "10 items without limit; numberMatched 14" in evidence_text(report, "R8")
    assert "datasets" in evidence_text(report, "R7")


def test_features_probe_of_a_server_without_ogc_api_fails(mapserver_server):
    """MapServer here serves WFS only: forced to OGC API, R1 fails with the 404s as evidence."""
    report = probe(mapserver_server.url.split("?")[0], api="ogcapi")
    assert verdicts(report)["R1"] == "fail"
    assert verdicts(report)["R6"] == "not offered"


# -- WFS (MapServer) ---------------------------------------------------------------------------------------------

def test_mapserver_wfs_verdicts(mapserver_server):
    report = probe(mapserver_server.url)
    assert report.api == "wfs"
    assert verdicts(report) == {"R1": "pass", "R2": "pass", "R3": "pass", "R4": "could not tell", "R5": "pass",
                                "R6": "not offered", "R7": "pass", "R8": "pass"}, report.table()
    # the cities have no time-valued property: R4 cannot be told, so the exit status is 1
    assert "time-valued properties: none" in evidence_text(report, "R4") and not report.ok
    assert "CountDefault 1000" in evidence_text(report, "R8")


# -- SPARQL (a private oxigraph, so the store holds only this test's data) -------------------------------------

SOSA_TTL = "\n".join(
    ["@prefix sosa: <http://www.w3.org/ns/sosa/> .", "@prefix geo: <http://www.opengis.net/ont/geosparql#> .",
     "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> ."]
    + [f"<urn:ex:sensor{i}> a sosa:Sensor ; geo:hasGeometry <urn:ex:geom{i}> .\n"
       f"<urn:ex:geom{i}> geo:asWKT \"POINT({4 + i / 2} 52)\"^^geo:wktLiteral .\n"
       f"<urn:ex:obs{i}> a sosa:Observation ; sosa:madeBySensor <urn:ex:sensor{i}> ; "
       f"sosa:resultTime \"2024-03-01T0{i}:00:00Z\"^^xsd:dateTime ; sosa:hasSimpleResult {i} ."
       for i in range(6)])


@pytest.fixture
def oxigraph(tmp_path):
    exe = shutil.which("oxigraph")
    need(exe is not None, "the `oxigraph` server is not installed (pip install oxigraph)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [exe, "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"]
    with run_server(cmd, port=port, url=url, ready=http_ready(f"{url}/query?query=ASK%7B%7D"),
                    log=tmp_path / "server.log") as server:
        r = httpx.post(f"{url}/store?default", content=SOSA_TTL, headers={"Content-Type": "text/turtle"}, timeout=10)
        assert r.status_code in (200, 201, 204)
        yield server


def test_oxigraph_verdicts_and_dcat_discovery(oxigraph):
    report = probe(oxigraph.url)
    assert report.api == "sparql"
    assert verdicts(report) == {"R1": "pass", "R2": "pass", "R3": "pass", "R4": "pass", "R5": "pass",
                                "R6": "not offered", "R7": "fail", "R8": "pass"}, report.table()
    assert "0 DCAT resources" in evidence_text(report, "R7")
    # R4: the window holds the first three of six hourly instants and nothing else
    assert "3 values, 0 outside the window" in evidence_text(report, "R4")
    # publish the store's own DCAT description in it: now R7 passes
    description = describe(oxigraph.url)
    assert validate(description, "dcat-ap").conforms
    bbox = [str(o) for o in description.objects(None, rdflib.URIRef("http://www.w3.org/ns/dcat#bbox"))]
    assert bbox == ["POLYGON((4 52, 6.5 52, 6.5 52, 4 52, 4 52))"]  # the six sensors lie on 52N, 4E to 6.5E
    ttl = description.serialize(format="turtle")
    r = httpx.post(f"{oxigraph.url}/store?default", content=ttl, headers={"Content-Type": "text/turtle"}, timeout=10)
    assert r.status_code in (200, 201, 204)
    again = probe(oxigraph.url)
    assert verdicts(again)["R7"] == "pass" and again.ok


# -- output: EARL, JSON, exit status --------------------------------------------------------------------------

def test_earl_parses_and_validates(pygeoapi_server, tmp_path, capsys):
    out = tmp_path / "report.ttl"
    assert main(["probe", pygeoapi_server.url, "--earl", str(out)]) == 0
    g = rdflib.Graph().parse(out, format="turtle")
    earl = rdflib.Namespace("http://www.w3.org/ns/earl#")
    outcomes = sorted(str(o).rsplit("#", 1)[-1] for o in g.objects(None, earl.outcome))
    assert outcomes == ["inapplicable"] + ["passed"] * 7
    assert len(list(g.subjects(rdflib.RDF.type, earl.Assertion))) == 8
    assert validate(g, "earl").conforms
    assert main(["validate", str(out), "--shapes", "earl"]) == 0
    assert "conforms" in capsys.readouterr().out


def test_cli_json_and_exit_status(mapserver_server, capsys):
    assert main(["probe", mapserver_server.url, "--json"]) == 1  # R4 could not tell
    doc = json.loads(capsys.readouterr().out)
    assert doc["api"] == "wfs" and doc["ok"] is False
    assert [r["requirement"] for r in doc["results"]] == [f"R{i}" for i in range(1, 9)]
    assert all(r["evidence"] for r in doc["results"] if r["verdict"] != "not offered")


def test_nothing_listening_is_a_fail_with_the_connection_error():
    report = probe(f"http://127.0.0.1:{free_port()}/", timeout=2, retries=0)
    assert report.api == "unknown" and verdicts(report)["R1"] == "fail"
    assert "connection failed" in evidence_text(report, "R1")
