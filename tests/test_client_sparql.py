"""The SPARQL connector: safe bindings (offline), and source / sink against a real ``oxigraph serve``."""

from __future__ import annotations

import copy
import json

import httpx
import pyoxigraph as ox
import pytest

import mimbridge
from mimbridge.clients import open_sink, open_source
from mimbridge.clients.http import HttpClient
from mimbridge.clients.sparql import SparqlSink, SparqlSource, bind, construct, iri, select, term
from mimbridge.errors import ConnectorError, ParseError

INJECTIONS = [
    '"> } ; DROP ALL #',
    "x\" } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> <urn:c> } #",
    "line\nbreak\r\n} ; CLEAR DEFAULT",
    "back\\slash \\\" quote",
    "'single' and \"\"\"triple\"\"\"",
    "<urn:x> } ; DROP ALL",
    "unicode é ∑ \u2028 tab\t",
]
BAD_IRIS = ["urn:x> } ; DROP ALL #", "http://a b", 'http://x/"q', "relative/path", "http://x/\n", "urn:a{b}", ""]


def corpus_entities(corpus, *, copies: int = 1) -> list[dict]:
    """NGSI-LD normalized entities from the corpus (ETSI test suite, Smart Data Models), ids made unique."""
    base = []
    suite, models = corpus / "ngsi-ld" / "ngsi-ld-test-suite" / "data" / "entities", corpus / "ngsi-ld"
    files = sorted(suite.glob("*.jsonld")) + sorted(models.glob("dataModel.*/*/examples/example-normalized.jsonld"))
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        for e in data if isinstance(data, list) else [data]:
            if not (isinstance(e, dict) and str(e.get("id", "")).startswith("urn:")):
                continue
            try:
                nt = mimbridge.convert(e, source="ngsi-ld", target="ntriples").output
                back = mimbridge.convert(nt, source="ntriples", target="ngsi-ld").output
            except mimbridge.MimbridgeError:
                continue  # deliberately invalid corpus files
            if back == e:  # only entities the RDF adapters carry exactly
                base.append(e)
    assert len(base) >= 5, f"too few usable corpus entities: {len(base)}"
    out = []
    for n in range(copies):
        for i, e in enumerate(base):
            e = copy.deepcopy(e)
            e["id"] = f"{e['id']}:copy-{n}-{i}"
            out.append(e)
    return out


def to_nt(entities: list[dict]) -> str:
    return mimbridge.convert(entities, source="ngsi-ld", target="ntriples").output


def graph_text(http: HttpClient, base: str, graph: str) -> str:
    return http.get(f"{base}/store", params={"graph": graph}, headers={"Accept": "application/n-triples"}).text


def graph_count(http: HttpClient, base: str, graph: str) -> int:
    rows = select(f"{base}/query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", http=http,
                  bindings={"g": iri(graph)})
    return int(rows[0]["n"].value)


def by_id(entities) -> dict[str, dict]:
    return {e["id"]: e for e in entities}


# -- offline: terms and bindings -------------------------------------------------

@pytest.mark.parametrize("bad", BAD_IRIS)
def test_iri_rejects_what_could_break_out(bad):
    with pytest.raises(ValueError, match="not an absolute IRI"):
        iri(bad)


@pytest.mark.parametrize("bad", BAD_IRIS[:3])
def test_rdflib_uriref_is_validated_too(bad):
    rdflib = pytest.importorskip("rdflib")
    with pytest.raises(ValueError):
        term(rdflib.URIRef(bad))


@pytest.mark.parametrize("text", INJECTIONS)
def test_literal_binding_is_one_term_with_the_same_value(text):
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:keep"), ox.NamedNode("urn:p"), ox.Literal("kept")))
    query = bind("SELECT ?v (STRLEN(?v) AS ?n) WHERE { }", {"v": text})
    rows = list(store.query(query))
    assert len(rows) == 1
    assert rows[0]["v"].value == text
    assert int(rows[0]["n"].value) == len(text)
    assert len(store) == 1


def test_typed_values_and_rows():
    query = bind("SELECT * WHERE { }", [{"a": 1, "b": True}, {"a": 2.5, "c": iri("urn:x")}, {"b": None}])
    rows = list(ox.Store().query(query))
    assert [r["a"].value if r["a"] else None for r in rows] == ["1", "2.5", None]
    assert rows[1]["c"] == ox.NamedNode("urn:x")
    assert rows[0]["b"].datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")


@pytest.mark.parametrize("name", ["v) } ; DROP ALL #", "1x", "a b", "", "?v"])
def test_variable_names_are_checked(name):
    with pytest.raises(ValueError, match="not a SPARQL variable name"):
        bind("SELECT * WHERE { }", {name: 1})


def test_unbindable_values_are_refused():
    with pytest.raises(ValueError):
        term(ox.BlankNode())
    with pytest.raises(ValueError):
        term(object())


def test_source_refuses_a_foreign_resume_link():
    src = SparqlSource("http://rdf.test/query", http=HttpClient(transport=httpx.MockTransport(
        lambda r: httpx.Response(500))))
    with pytest.raises(ParseError, match="not a page link"):
        next(src.pages(start="http://elsewhere.test/query?query=SELECT"))


def test_sink_refuses_bad_payload_with_location():
    sink = SparqlSink("http://rdf.test/store", http=HttpClient(transport=httpx.MockTransport(
        lambda r: httpx.Response(204))))
    with pytest.raises(ParseError, match="line"):
        sink.write('<urn:a> <urn:p> "x" .\n<urn:a> <urn:p> oops .\n')
    with pytest.raises(ParseError):
        sink.write({"id": "urn:a"})


def _flaky_post(calls):
    def handler(request):
        calls.append(request.content)
        if len(calls) == 1:
            raise httpx.ReadError("connection reset after the request was sent", request=request)
        return httpx.Response(204)
    return handler


def test_gsp_post_with_blank_nodes_is_not_retried_after_a_read_error():
    calls: list[bytes] = []
    http = HttpClient(transport=httpx.MockTransport(_flaky_post(calls)), sleep=lambda s: None)
    sink = SparqlSink("http://rdf.test/store", http=http, method="gsp", graph="urn:g")
    result = sink.write('<urn:a> <urn:p> _:b .\n_:b <urn:q> "v" .\n')
    assert len(calls) == 1  # a second POST could duplicate the blank node
    assert result.written == [] and result.failed[0][0] == "urn:a"


def test_gsp_post_without_blank_nodes_and_updates_are_retried():
    for method in ("gsp", "update"):
        calls: list[bytes] = []
        http = HttpClient(transport=httpx.MockTransport(_flaky_post(calls)), sleep=lambda s: None)
        sink = SparqlSink("http://rdf.test/query", http=http, method=method, graph="urn:g")
        body = '<urn:a> <urn:p> _:b .\n_:b <urn:q> "v" .\n' if method == "update" else '<urn:a> <urn:p> "v" .\n'
        assert sink.write(body).written == ["urn:a"]
        assert len(calls) == 2 and calls[0] == calls[1]


def test_update_request_serialises_terms_itself():
    sent: list[str] = []

    def handler(request):
        sent.append(request.content.decode())
        return httpx.Response(204)

    sink = SparqlSink("http://rdf.test/update", http=HttpClient(transport=httpx.MockTransport(handler)))
    evil = '"> } ; DROP ALL #'
    sink.write(f'<urn:a> <urn:p> "{evil.replace(chr(34), chr(92) + chr(34))}" .\n')
    store = ox.Store()
    store.update(sent[0])  # the request is valid SPARQL Update and inserts exactly one literal
    assert [q.object.value for q in store] == [evil]


# -- real server --------------------------------------------------------------------

@pytest.fixture
def entities(corpus):
    return corpus_entities(corpus, copies=2)


def test_write_then_read_back_pages(oxigraph_server, entities):
    base = oxigraph_server.url
    http = HttpClient()
    nt = to_nt(entities)
    sink = SparqlSink(f"{base}/query", http=http, graph="urn:test:roundtrip", batch=7)
    result = sink.write(nt)
    assert sorted(result.written) == sorted(e["id"] for e in entities) and result.failed == []
    assert graph_count(http, base, "urn:test:roundtrip") == len(set(nt.splitlines()))

    src = SparqlSource(f"{base}/query", http=http, graph="urn:test:roundtrip", page_size=4)
    pages = list(src.pages())
    assert [p.count for p in pages] == [4] * (len(entities) // 4) + ([len(entities) % 4] if len(entities) % 4 else [])
    assert pages[-1].next_link is None and all(p.next_link for p in pages[:-1])
    got = []
    for p in pages:
        got.extend(mimbridge.convert(p.payload, source="ntriples", target="ngsi-ld").output)
    assert len(got) == len(entities)
    assert by_id(got) == by_id(entities)

    # resuming from a saved next link gives exactly the remaining pages
    rest = list(src.pages(start=pages[2].next_link))
    assert [p.url for p in rest] == [p.url for p in pages[3:]]


def test_update_is_an_upsert_and_skip_leaves_entities_out(oxigraph_server, entities):
    base = oxigraph_server.url
    http = HttpClient()
    nt = to_nt(entities)
    sink = SparqlSink(f"{base}/update", http=http, graph="urn:test:upsert")
    sink.write(nt)
    first = graph_count(http, base, "urn:test:upsert")
    sink.write(nt)  # blank-node values are replaced, not duplicated
    assert graph_count(http, base, "urn:test:upsert") == first == len(set(nt.splitlines()))

    skipped = entities[0]["id"]
    other = SparqlSink(f"{base}/query", http=http, graph="urn:test:skip")
    result = other.write(nt, skip=frozenset({skipped}))
    assert skipped not in result.written and len(result.written) == len(entities) - 1
    ask = "ASK { GRAPH ?g { ?e ?p ?o } }"
    resp = http.request("POST", f"{base}/query", content=bind(ask, {"g": iri("urn:test:skip"), "e": iri(skipped)}),
                        headers={"Content-Type": "application/sparql-query",
                                 "Accept": "application/sparql-results+json"}, idempotent=True)
    assert resp.json()["boolean"] is False
    assert graph_count(http, base, "urn:test:skip") == len(set(to_nt(entities[1:]).splitlines()))


def test_graph_store_protocol_sink(oxigraph_server, entities):
    base = oxigraph_server.url
    http = HttpClient()
    nt = to_nt(entities)
    sink = open_sink(f"sparql+{base}/store", http=http, graph="urn:test:gsp", method="gsp", batch=5)
    assert sink.write(nt).failed == []
    text = graph_text(http, base, "urn:test:gsp")
    assert len(set(text.splitlines())) == len(set(nt.splitlines()))
    src = open_source(f"sparql+{base}/query", http=http, graph="urn:test:gsp", page_size=50)
    payload = "".join(p.payload for p in src.pages())
    assert by_id(mimbridge.convert(payload, source="ntriples", target="ngsi-ld").output) == by_id(entities)


def test_select_and_construct_bind_safely_against_the_server(oxigraph_server):
    base = oxigraph_server.url
    http = HttpClient()
    sink = SparqlSink(f"{base}/update", http=http, graph="urn:test:bind")
    lines = "".join(f"<urn:item:{i}> <urn:p> {term(text)} .\n" for i, text in enumerate(INJECTIONS))
    sink.write(lines)
    before = graph_count(http, base, "urn:test:bind")
    for i, text in enumerate(INJECTIONS):
        rows = select(f"{base}/query", "SELECT ?s WHERE { GRAPH <urn:test:bind> { ?s <urn:p> ?v } }",
                      http=http, bindings={"v": text})
        assert [r["s"].value for r in rows] == [f"urn:item:{i}"]
    nt = construct(f"{base}/query", "CONSTRUCT { ?s <urn:p> ?v } WHERE { GRAPH <urn:test:bind> { ?s <urn:p> ?v } }",
                   http=http, bindings={"s": iri("urn:item:0")})
    assert [q.object.value for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)] == [INJECTIONS[0]]
    assert graph_count(http, base, "urn:test:bind") == before == len(INJECTIONS)
    with pytest.raises(ConnectorError) as err:
        select(f"{base}/query", "SELECT nonsense", http=http)
    assert err.value.status == 400


def test_construct_query_source_pages(oxigraph_server):
    base = oxigraph_server.url
    http = HttpClient()
    SparqlSink(f"{base}/update", http=http, graph="urn:test:q").write(
        "".join(f'<urn:n:{i:03d}> <urn:p> "{i}" .\n' for i in range(25)))
    query = "CONSTRUCT { ?s <urn:p> ?o } WHERE { GRAPH <urn:test:q> { ?s <urn:p> ?o } } ORDER BY ?s"
    src = SparqlSource(f"{base}/query", http=http, query=query, page_size=10)
    pages = list(src.pages())
    assert [p.count for p in pages] == [10, 10, 5]
    subjects = [q.subject.value for p in pages for q in ox.parse(p.payload, format=ox.RdfFormat.N_TRIPLES)]
    assert subjects == [f"urn:n:{i:03d}" for i in range(25)]
