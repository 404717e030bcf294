"""Resolver stores: embedded pyoxigraph and a SPARQL endpoint, behind one interface.

The SPARQL endpoint is a small SPARQL 1.1 Protocol server on 127.0.0.1 (in this
file) that hands every query and update to an Oxigraph store, so the query text
the client writes is parsed and run by a real SPARQL engine; it records what it
received.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

import mimbridge
from mimbridge import registry
from mimbridge.errors import ResolutionError
from mimbridge.resolve import store as store_mod
from mimbridge.resolve.store import GENID, OxigraphStore, SparqlStore, checked_iri, load, open_store

from .test_resolver_service import (
    BUILDING,
    CONTEXT_FILES,
    CORE_18,
    LOCAL_ENTITIES,
    SENSOR,
    SUITE,
    entity_files,
    start_server,
    stop_server,
)

ROOM = {"id": "urn:ngsi-ld:Room:1", "type": "Room",
        "temperature": {"type": "Property", "value": 21.5, "unitCode": "CEL", "observedAt": "2024-01-01T00:00:00Z"},
        "inBuilding": {"type": "Relationship", "object": "urn:ngsi-ld:Building:b1"},
        "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [13.4, 52.5]}}}
BUILDING_B1 = {"id": "urn:ngsi-ld:Building:b1", "type": "Building",
               "name": {"type": "Property", "value": "Town hall"}}


class _Endpoint(BaseHTTPRequestHandler):
    store: ox.Store
    received: list[tuple[str, str]]

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode("utf-8"))
        try:
            if "update" in form:
                text = form["update"][0]
                self.received.append(("update", text))
                self.store.update(text)
                return self._send(204, b"", "text/plain")
            text = form["query"][0]
            self.received.append(("query", text))
            result = self.store.query(text)
            if isinstance(result, ox.QueryTriples):
                return self._send(200, ox.serialize(result, format=ox.RdfFormat.N_TRIPLES), "application/n-triples")
            if isinstance(result, ox.QuerySolutions):
                body = result.serialize(format=ox.QueryResultsFormat.JSON)
                return self._send(200, body, "application/sparql-results+json")
            return self._send(200, json.dumps({"boolean": bool(result)}).encode(), "application/sparql-results+json")
        except SyntaxError as exc:
            return self._send(400, str(exc).encode(), "text/plain")

    def _send(self, status, body, ctype):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def endpoint():
    handler = type("Endpoint", (_Endpoint,), {"store": ox.Store(), "received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler, f"http://127.0.0.1:{server.server_address[1]}/query"
    finally:
        server.shutdown()
        server.server_close()


def as_rdflib(triples) -> rdflib.Graph:
    return rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")


def expected(data, corpus) -> rdflib.Graph:
    """pyld's triples of NGSI-LD data, with the broker copy of the 1.8 core context from the corpus."""
    from pyld import jsonld

    core = json.loads((corpus / CORE_18[1]).read_text(encoding="utf-8"))

    def loader(url, options=None):
        assert url == CORE_18[0], url
        return {"contextUrl": None, "documentUrl": url, "document": core}

    docs = data if isinstance(data, list) else [data]
    g = rdflib.Graph()
    for i, d in enumerate(docs):
        d = dict(d, **{"@context": CORE_18[0]})
        nq = jsonld.to_rdf(d, {"format": "application/n-quads", "documentLoader": loader})
        g.parse(data=nq.replace("_:b", f"_:d{i}b"), format="nt")
    return g


# -- the two stores agree -------------------------------------------------------------------------------

@pytest.fixture(params=["oxigraph", "sparql"])
def any_store(request, tmp_path, endpoint):
    if request.param == "oxigraph":
        with OxigraphStore(tmp_path / "store") as s:
            yield s
    else:
        yield SparqlStore(endpoint[1], endpoint[1].replace("/query", "/update"),
                          genid_base="https://id.example.city/.well-known/genid/")


def test_load_and_describe(any_store, corpus):
    res = load(any_store, [ROOM, BUILDING_B1], source="ngsi-ld", graph="urn:example:g1")
    assert res.graph == "urn:example:g1" and res.triples > 10
    room = as_rdflib(any_store.describe(["urn:ngsi-ld:Room:1"]))
    exp = expected(ROOM, corpus)
    assert isomorphic(room, exp)
    # no skolem IRI leaks out of a description
    assert not any(GENID in str(t) for t in room)


def test_reload_replaces_the_graph(any_store):
    load(any_store, ROOM, source="ngsi-ld", graph="urn:example:g1")
    first = len(any_store.describe(["urn:ngsi-ld:Room:1"]))
    load(any_store, ROOM, source="ngsi-ld", graph="urn:example:g1")
    assert len(any_store.describe(["urn:ngsi-ld:Room:1"])) == first
    changed = dict(ROOM, temperature={"type": "Property", "value": 3})
    load(any_store, changed, source="ngsi-ld", graph="urn:example:g1")
    values = {t.object.value for t in any_store.describe(["urn:ngsi-ld:Room:1"])
              if t.predicate.value == "https://uri.etsi.org/ngsi-ld/hasValue" and isinstance(t.object, ox.Literal)}
    assert values == {"3"}


def test_one_named_graph_per_source_and_union_description(any_store):
    load(any_store, ROOM, source="ngsi-ld", graph="urn:example:a")
    other = {"id": "urn:ngsi-ld:Room:1", "type": "Room", "humidity": {"type": "Property", "value": 40}}
    load(any_store, other, source="ngsi-ld", graph="urn:example:b")
    assert any_store.graphs() == ["urn:example:a", "urn:example:b"]
    desc = as_rdflib(any_store.describe(["urn:ngsi-ld:Room:1"]))
    preds = {str(p) for _, p, _ in desc.triples((rdflib.URIRef("urn:ngsi-ld:Room:1"), None, None))}
    assert "https://uri.etsi.org/ngsi-ld/default-context/humidity" in preds
    assert "https://uri.etsi.org/ngsi-ld/default-context/temperature" in preds


def test_first_subject_and_referrers(any_store):
    load(any_store, [ROOM, BUILDING_B1], source="ngsi-ld", graph="urn:example:g1")
    assert any_store.first_subject(["urn:nope:1", "urn:ngsi-ld:Building:b1"]) == "urn:ngsi-ld:Building:b1"
    assert any_store.first_subject(["urn:nope:1"]) is None
    assert any_store.first_subject(["urn:x> ?p ?o } #", "not an iri"]) is None
    assert any_store.referrers("urn:ngsi-ld:Building:b1") == [
        ("urn:ngsi-ld:Room:1", "https://uri.etsi.org/ngsi-ld/default-context/inBuilding")]


@pytest.mark.parametrize("bad", ["urn:a> ?p ?o } #", "urn:a b", 'urn:a" .', "urn:a}", "relative/iri", "urn:a\n"])
def test_unsafe_iris_never_reach_a_query(any_store, endpoint, bad):
    handler, _ = endpoint
    before = len(handler.received)
    with pytest.raises(ResolutionError, match="not an IRI"):
        any_store.describe([bad])
    with pytest.raises(ResolutionError, match="not an IRI"):
        any_store.referrers(bad)
    with pytest.raises(ResolutionError, match="not an IRI"):
        any_store.replace_graph(bad, [])
    assert len(handler.received) == before


def test_literal_escaping_in_queries():
    assert store_mod._literal('a"b\\c\n') == '"a\\"b\\\\c\\n"'
    assert str(checked_iri("urn:ngsi-ld:Ciudad:París")) == "<urn:ngsi-ld:Ciudad:París>"


# -- SPARQL specifics -----------------------------------------------------------------------------------

def test_sparql_store_skolemises_blank_nodes(endpoint):
    handler, url = endpoint
    s = SparqlStore(url, url.replace("/query", "/update"), genid_base="https://id.example.city/.well-known/genid/")
    load(s, ROOM, source="ngsi-ld", graph="urn:example:g1")
    stored = list(handler.store)
    assert stored and not any(isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
                              for q in stored)
    assert any(q.subject.value.startswith("https://id.example.city/.well-known/genid/") for q in stored)
    kinds = [k for k, _ in handler.received]
    assert kinds[0] == "update" and set(kinds) == {"update"}


def test_sparql_store_without_update_url_is_read_only(endpoint):
    _, url = endpoint
    with pytest.raises(ResolutionError, match="read-only"):
        load(SparqlStore(url), ROOM, source="ngsi-ld", graph="urn:example:g1")


def test_sparql_endpoint_errors_are_resolution_errors(tmp_path):
    s = SparqlStore("http://127.0.0.1:9/query")  # discard port: nothing listens
    with pytest.raises(ResolutionError, match="unreachable"):
        s.describe(["urn:a"])
    with pytest.raises(ResolutionError, match="http"):
        SparqlStore("file:///etc/passwd")
    with pytest.raises(ResolutionError, match="genid"):
        SparqlStore("http://127.0.0.1:9/query", genid_base="https://id.example.city/skolem/")


def test_open_store(tmp_path):
    assert isinstance(open_store(tmp_path / "s"), OxigraphStore)
    s = open_store("http://127.0.0.1:9/sparql/query")
    assert isinstance(s, SparqlStore) and s.update_url == "http://127.0.0.1:9/sparql/update"
    assert open_store("http://127.0.0.1:9/query", read_only=True).update_url is None
    with pytest.raises(ResolutionError, match="no store"):
        open_store(tmp_path / "missing", read_only=True)


# -- embedded store specifics ---------------------------------------------------------------------------

def test_embedded_store_persists_and_opens_read_only(tmp_path, corpus):
    contexts = {url: str(corpus / rel) for url, rel in CONTEXT_FILES.items()}
    files = entity_files(corpus)
    with OxigraphStore(tmp_path / "s") as s:
        for f in files:
            res = load(s, f, source="ngsi-ld", contexts=contexts)
            assert res.graph == f.resolve().as_uri()
    with OxigraphStore(tmp_path / "s", read_only=True) as ro:
        assert ro.graphs() == sorted(f.resolve().as_uri() for f in files)
        assert ro.first_subject([BUILDING]) == BUILDING


def test_load_needs_a_graph_name_for_in_memory_data():
    with pytest.raises(ResolutionError, match="graph="):
        load(OxigraphStore(), ROOM, source="ngsi-ld")


def test_load_rdf_text_directly():
    s = OxigraphStore()
    nt = '<urn:a> <urn:p> "x" .\n<urn:a> <urn:q> _:b .\n_:b <urn:r> "y" .\n'
    assert load(s, nt, source="ntriples", graph="urn:g").triples == 3
    assert len(s.describe(["urn:a"])) == 3


def test_fallback_conversion_without_an_rdf_writer_gives_the_same_triples(monkeypatch, corpus):
    with_writer = mimbridge.convert(ROOM, source="ngsi-ld", target="ntriples", blank_nodes=True,
                                    roundtrip=False).output
    monkeypatch.setattr(registry, "available", lambda: ["ngsi-ld"])
    nt, _ = store_mod.to_ntriples(ROOM, source="ngsi-ld")
    a = rdflib.Graph().parse(data=with_writer, format="nt")
    b = rdflib.Graph().parse(data=nt, format="nt")
    assert isomorphic(a, b)
    assert isomorphic(b, expected(ROOM, corpus))


# -- the service over a SPARQL endpoint -----------------------------------------------------------------

def test_service_over_sparql_endpoint(endpoint, corpus, tmp_path):
    handler, url = endpoint
    s = SparqlStore(url, url.replace("/query", "/update"), genid_base="https://id.example.city/.well-known/genid/")
    contexts = {u: str(corpus / rel) for u, rel in CONTEXT_FILES.items()}
    load(s, corpus / SUITE / "data/entities/building-relationship-of-property.jsonld", source="ngsi-ld",
         contexts=contexts)
    load(s, LOCAL_ENTITIES, source="ngsi-ld", graph="urn:mimbridge-test:local")
    server = start_server(url, tmp_path / "server.log")
    try:
        status, headers, _ = server.request("/Building/randomUUID")
        assert (status, headers["location"]) == (303, "/doc/Building/randomUUID")
        status, _, body = server.request("/doc/Building/randomUUID", accept="application/n-triples")
        assert status == 200
        g = rdflib.Graph().parse(data=body.decode(), format="nt")
        building_type = rdflib.URIRef("https://ngsi-ld-test-suite/context#Building")
        assert (rdflib.URIRef(BUILDING), rdflib.RDF.type, building_type) in g
        assert not any(GENID in str(t) for t in g)
        status, _, body = server.request("/doc/Sensor/43a1af27-4aa7-44fe-bee9-fe76d56978a4")
        assert status == 200 and b"/Building/randomUUID" in body  # referrers through the endpoint
        n = len(handler.received)
        for path in ("/doc/Building/randomUUID%3E%20%3Fp%20%3Fo%20%7D%20%23", "/doc/Building/x%22%20%7D"):
            status, _, _ = server.request(path, accept="text/turtle")
            assert status == 404
        # only read queries were sent, and none carries the decoded payload (the percent-encoded request
        # URI may appear as an IRI: it is a valid, inert IRI)
        sent = handler.received[n:]
        assert sent and {kind for kind, _ in sent} == {"query"}
        for _, text in sent:
            assert "randomUUID>" not in text and 'x" }' not in text and "?p ?o } #" not in text
    finally:
        stop_server(server)
    assert SENSOR in {q.subject.value for q in handler.store}
