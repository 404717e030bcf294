"""Syncs that survive faults: a fault-injecting proxy, a killed and rerun sync, HttpClient retries offline."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pyoxigraph as ox
import pytest

import mimbridge
from mimbridge.clients import Checkpoint, sync
from mimbridge.clients.http import HttpClient
from mimbridge.clients.sparql import SparqlSink, SparqlSource
from mimbridge.errors import ConnectorError

from .faultproxy import FaultProxy
from .test_client_sparql import corpus_entities, graph_count, graph_text, to_nt

ROOT = Path(__file__).resolve().parent.parent


def fast_http() -> HttpClient:
    return HttpClient(backoff=0.01, max_backoff=0.05, retries=8)


def canonical(text: str) -> set[str]:
    """The graph's triples with blank nodes canonically relabelled and doubles by value (stores rewrite
    ``"5.45E1"`` as ``"54.5"``), comparable across stores."""
    double = ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")

    def norm(q: ox.Quad) -> ox.Quad:
        o = q.object
        if isinstance(o, ox.Literal) and o.datatype == double:
            o = ox.Literal(float(o.value))
        return ox.Quad(q.subject, q.predicate, o)

    ds = ox.Dataset(norm(q) for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    ds.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in ds}


def fill(base: str, graph: str, entities: list[dict]) -> str:
    nt = to_nt(entities)
    assert SparqlSink(f"{base}/update", http=HttpClient(), graph=graph).write(nt).failed == []
    return nt


# -- the proxy itself -------------------------------------------------------------

def test_proxy_forwards_fails_and_cuts(oxigraph_server):
    base = oxigraph_server.url
    fill(base, "urn:test:proxy", [{"id": f"urn:ngsi-ld:T:{i}", "type": "T"} for i in range(40)])
    url = f"/store?graph={'urn:test:proxy'}"
    whole = httpx.get(base + url, headers={"Accept": "application/n-triples"}).content
    with FaultProxy(base, fail_every=2, drop_every=3) as proxy, httpx.Client() as client:
        outcomes = []
        for _ in range(6):
            try:
                r = client.get(proxy.url + url, headers={"Accept": "application/n-triples"})
                outcomes.append(r.status_code if r.content == whole or r.status_code != 200 else "different")
            except httpx.RemoteProtocolError:
                outcomes.append("cut")
        assert outcomes == [200, 503, "cut", 503, 200, 503]
        assert proxy.counts == {"requests": 6, "failed": 3, "dropped": 1}
        assert [n for n, *_ in proxy.log] == [1, 2, 3, 4, 5, 6]


# -- (a) a sync through faults ------------------------------------------------------

def test_sync_through_faults_copies_exactly(oxigraph_server, fault_proxy, corpus):
    base = oxigraph_server.url
    entities = corpus_entities(corpus, copies=4)
    nt = fill(base, "urn:test:src-a", entities)
    proxy = fault_proxy(base, fail_every=3, drop_every=5)
    source = SparqlSource(f"{proxy.url}/query", http=fast_http(), graph="urn:test:src-a", page_size=5)
    sink = SparqlSink(f"{proxy.url}/query", http=fast_http(), graph="urn:test:dst-a", batch=3)
    summary = sync(source, sink)

    assert proxy.counts["failed"] > 0 and proxy.counts["dropped"] > 0, proxy.counts
    assert summary.failed == [] and summary.records == len(entities) == summary.written
    assert summary.pages == -(-len(entities) // 5)
    # same triples (blank nodes compared canonically) and not one more: nothing lost, nothing twice
    src_text = graph_text(HttpClient(), base, "urn:test:src-a")
    dst_text = graph_text(HttpClient(), base, "urn:test:dst-a")
    assert graph_count(HttpClient(), base, "urn:test:dst-a") == len(set(nt.splitlines()))
    assert canonical(dst_text) == canonical(src_text) == canonical(nt)
    reader = SparqlSource(f"{base}/query", http=HttpClient(), graph="urn:test:dst-a", page_size=1000)
    back = mimbridge.convert("".join(p.payload for p in reader.pages()), source="ntriples", target="ngsi-ld").output
    assert sorted(back, key=lambda e: e["id"]) == sorted(entities, key=lambda e: e["id"])


# -- (b) kill -9 and rerun ----------------------------------------------------------------

SYNC_SCRIPT = textwrap.dedent("""
    import json, sys
    from mimbridge.clients import Checkpoint, sync
    from mimbridge.clients.http import HttpClient
    from mimbridge.clients.sparql import SparqlSink, SparqlSource
    src_url, dst_url, cp_path = sys.argv[1:4]
    http = HttpClient(backoff=0.01, max_backoff=0.05, retries=8)
    source = SparqlSource(src_url + "/query", http=http, graph="urn:test:src-b", page_size=2)
    sink = SparqlSink(dst_url + "/query", http=http, graph="urn:test:dst-b", batch=2)
    summary = sync(source, sink, checkpoint=Checkpoint(cp_path, key="src-b->dst-b"))
    print(json.dumps({"pages": summary.pages, "records": summary.records, "written": summary.written,
                      "failed": summary.failed, "resumed_from": summary.resumed_from}))
""")


def run_sync(src: str, dst: str, cp: Path, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SYNC_SCRIPT, src, dst, str(cp)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)


def checkpoint_pages(cp: Path) -> int:
    try:
        return json.loads(cp.read_text())["pages"]
    except (OSError, ValueError, KeyError):
        return 0


def first_page_requests(log: list) -> int:
    """Requests for the entity list of page 1 (``OFFSET 0``) in a proxy log."""
    n = 0
    for _, method, path, _ in log:
        query = parse_qs(urlsplit(path).query).get("query", [""])[0]
        n += method == "GET" and query.rstrip().endswith("OFFSET 0")
    return n


def test_killed_sync_resumes_without_loss_or_duplicates(oxigraph_server, fault_proxy, corpus, tmp_path):
    base = oxigraph_server.url
    entities = corpus_entities(corpus, copies=2)
    nt = fill(base, "urn:test:src-b", entities)
    pages_total = -(-len(entities) // 2)
    proxy = fault_proxy(base, fail_every=4, drop_every=7, delay=0.05)
    cp = tmp_path / "sync.checkpoint.json"

    proc = run_sync(proxy.url, proxy.url, cp)
    try:
        deadline = time.monotonic() + 60
        while checkpoint_pages(cp) < 3:
            assert proc.poll() is None, f"sync ended before it was killed: {proc.communicate()}"
            assert time.monotonic() < deadline, "no progress in the checkpoint"
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    killed_at = Checkpoint(cp)
    assert not killed_at.done and 3 <= killed_at.pages < pages_total
    assert first_page_requests(proxy.log) >= 1
    first_run_log = len(proxy.log)

    proc = run_sync(proxy.url, proxy.url, cp)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["resumed_from"] is not None and summary["failed"] == []
    assert first_page_requests(proxy.log[first_run_log:]) == 0  # the rerun did not start from page 1
    final = Checkpoint(cp)
    assert final.done and final.pages >= pages_total
    assert final.records == final.written == len(entities)  # the replayed page counted once
    assert proxy.counts["failed"] > 0

    dst_text = graph_text(HttpClient(), base, "urn:test:dst-b")
    assert graph_count(HttpClient(), base, "urn:test:dst-b") == len(set(nt.splitlines()))
    assert canonical(dst_text) == canonical(nt)


# -- HttpClient retries, offline -------------------------------------------------------------

def _client(handler, **kw) -> tuple[HttpClient, list[float]]:
    slept: list[float] = []
    return HttpClient(transport=httpx.MockTransport(handler), sleep=slept.append, **kw), slept


def test_503_then_success():
    calls = []

    def handler(request):
        calls.append(request.method)
        return httpx.Response(503) if len(calls) < 3 else httpx.Response(200, text="ok")

    http, slept = _client(handler, backoff=0.5)
    assert http.get("http://x.test/a").text == "ok"
    assert calls == ["GET"] * 3 and slept == [0.5, 1.0] and http.retried == 2


def test_dropped_connection_is_retried_for_get():
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            raise httpx.RemoteProtocolError("peer closed connection without sending complete message body",
                                            request=request)
        return httpx.Response(200, json={"value": [1]})

    http, _ = _client(handler)
    assert http.get_json("http://x.test/a") == {"value": [1]} and len(calls) == 2


def test_post_is_not_retried_after_a_read_error_unless_idempotent():
    calls = []

    def handler(request):
        calls.append(1)
        raise httpx.ReadError("connection reset", request=request)

    http, slept = _client(handler, retries=3)
    with pytest.raises(ConnectorError, match="connection dropped") as err:
        http.request("POST", "http://x.test/a", content=b"x")
    assert len(calls) == 1 and slept == [] and err.value.url == "http://x.test/a"
    calls.clear()
    with pytest.raises(ConnectorError, match="after 4 attempt"):
        http.request("POST", "http://x.test/a", content=b"x", idempotent=True)
    assert len(calls) == 4


def test_post_retried_on_503_and_connect_error():
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        if len(calls) == 2:
            return httpx.Response(503)
        return httpx.Response(201)

    http, _ = _client(handler)
    assert http.request("POST", "http://x.test/a", content=b"x").status_code == 201 and len(calls) == 3


def test_retry_after_is_honoured_and_capped():
    answers = [httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(503, headers={"Retry-After": "120"}),
               httpx.Response(200)]

    http, slept = _client(lambda request: answers.pop(0), max_backoff=10.0)
    assert http.get("http://x.test/a").status_code == 200
    assert slept == [3.0, 10.0]


def test_retries_exhausted_raise_with_status_and_body():
    http, slept = _client(lambda request: httpx.Response(503, text="busy"), retries=2)
    with pytest.raises(ConnectorError) as err:
        http.get("http://x.test/a")
    assert err.value.status == 503 and err.value.body == "busy" and len(slept) == 2


def test_client_error_is_not_retried():
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(404, text="no such thing")

    http, _ = _client(handler)
    with pytest.raises(ConnectorError) as err:
        http.get("http://x.test/a")
    assert err.value.status == 404 and len(calls) == 1
