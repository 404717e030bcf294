"""The connectors' end-to-end path: SensorThings server -> NGSI-LD temporal -> SPARQL store -> query back.

Real servers on 127.0.0.1: django-ogc-sensorthings (deep insert of 1,000 numeric
Observations, pulled back through nextLink pages smaller than the data) and
``oxigraph serve`` (written through the SPARQL connector, read with SPARQL).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import mimbridge
from mimbridge.clients import HttpClient
from mimbridge.clients.sparql import SparqlSink, select

from .test_e2e_sta import STATIONS, _expected_by_thing, _mine, load_stations, pull_to_ngsild

NGSI = "https://uri.etsi.org/ngsi-ld/"
SOSA = "http://www.w3.org/ns/sosa/"


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _pulled(sta_server):
    http = HttpClient(timeout=60)
    things = load_stations(sta_server.url, http)
    ids = {str(v) for v in things.values()}
    entities = [e for e in _mine(pull_to_ngsild(sta_server.url, http)) if e["id"].split(":")[-1].strip("'") in ids]
    assert len(entities) == len(STATIONS)
    return http, entities


def test_sta_to_ngsild_to_oxigraph_same_observations(sta_server, oxigraph_server):
    http, entities = _pulled(sta_server)
    nt = mimbridge.convert(entities, source="ngsi-ld-temporal", target="ntriples")
    assert nt.report.lossless, nt.report.summary()
    graph = "urn:mimbridge:test:sta-e2e"
    sink = SparqlSink(f"{oxigraph_server.url}/query", http=http, graph=graph)
    written = sink.write(nt.output)
    assert sorted(written.written) == sorted(e["id"] for e in entities) and not written.failed
    rows = select(f"{oxigraph_server.url}/query", f"""
        SELECT ?e ?t ?v WHERE {{ GRAPH <{graph}> {{
            ?e ?attr ?a . ?a a <{NGSI}Property> ; <{NGSI}observedAt> ?t ; <{NGSI}hasValue> ?v .
        }} }}""", http=http)
    assert len(rows) == 1000
    names = {e["id"]: e["name"][0]["value"] for e in entities}
    got: Counter = Counter()
    for r in rows:
        got[(names[r["e"].value], _instant(r["t"].value), float(r["v"].value))] += 1
    want: Counter = Counter()
    for (thing, _), series in _expected_by_thing().items():
        for (t, v), n in series.items():
            want[(thing, t, float(v))] += n
    assert got == want


def test_sta_to_sosa_in_oxigraph_one_observation_each(sta_server, oxigraph_server):
    http, entities = _pulled(sta_server)
    nt = mimbridge.convert(entities, source="ngsi-ld-temporal", target="ntriples", profile="sosa")
    graph = "urn:mimbridge:test:sta-e2e-sosa"
    SparqlSink(f"{oxigraph_server.url}/query", http=http, graph=graph, method="gsp").write(nt.output)
    rows = select(f"{oxigraph_server.url}/query", f"""
        SELECT (COUNT(DISTINCT ?o) AS ?n) (SUM(?v) AS ?sum) WHERE {{ GRAPH <{graph}> {{
            ?o a <{SOSA}Observation> ; <{SOSA}hasSimpleResult> ?v . }} }}""", http=http)
    want = [v for series in _expected_by_thing().values() for (_, v), n in series.items() for _ in range(n)]
    assert int(rows[0]["n"].value) == len(want) == 1000
    assert abs(float(rows[0]["sum"].value) - sum(want)) < 1e-6
