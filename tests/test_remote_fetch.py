"""``allow_remote`` cannot be escaped: redirects, slow servers, prefix look-alikes, oversized contexts.

Every case runs against real HTTP servers on 127.0.0.1 (threads of this
process): an *allowed* one, and an *outside* one whose request log must stay
empty when the allow-list does not name it.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

import mimbridge
from mimbridge.contexts.loader import MAX_CONTEXT_BYTES, ContextLoader
from mimbridge.contexts.remote import AllowList, fetch
from mimbridge.errors import ResolutionError

TERM = "https://allowed.example/speed"
BODY = b'{"@context": {"speed": "https://allowed.example/speed"}}'


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Content-Length" not in (headers or {}) and "Transfer-Encoding" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self):
        self.server.hits.append(self.path)
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        route = parts.path
        if route == "/redirect":
            self._send(302, headers={"Location": query["to"]})
        elif route == "/drip":  # a body of 200 bytes, one every 0.1 s
            self.send_response(200)
            self.send_header("Content-Length", "200")
            self.end_headers()
            for _ in range(200):
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.1)
        elif route == "/big-announced":
            self._send(200, b"{}", headers={"Content-Length": str(MAX_CONTEXT_BYTES + 10)})
        elif route == "/big":  # no length announced: the body just goes on
            self.send_response(200)
            self.end_headers()
            chunk = b" " * 65536
            try:
                for _ in range(MAX_CONTEXT_BYTES // len(chunk) + 4):
                    self.wfile.write(chunk)
            except OSError:
                return
        elif route.endswith(".jsonld"):
            self._send(200, BODY, headers={"Content-Type": "application/ld+json"})
        else:
            self._send(404)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture()
def servers():
    started = [_Server(), _Server()]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in started]
    for t in threads:
        t.start()
    try:
        yield started
    finally:
        for s in started:
            s.shutdown()
            s.server_close()


def entity(ctx):
    return {"id": "urn:ngsi-ld:Car:1", "type": "Car", "speed": {"type": "Property", "value": 3}, "@context": ctx}


def test_allowed_context_is_fetched(servers):
    allowed, _ = servers
    g = mimbridge.read(entity(f"{allowed.url}/ok/ctx.jsonld"), source="ngsi-ld",
                       allow_remote=[f"{allowed.url}/ok/"], timeout=5)
    assert TERM in g.nodes[0].attrs and allowed.hits == ["/ok/ctx.jsonld"]


def test_redirect_to_another_port_is_not_followed(servers):
    allowed, outside = servers
    url = f"{allowed.url}/redirect?to={outside.url}/ctx.jsonld"
    with pytest.raises(ResolutionError, match=r"redirects to .* which the allow-list does not allow"):
        mimbridge.read(entity(url), source="ngsi-ld", allow_remote=[allowed.url], timeout=5)
    assert allowed.hits == [urlsplit(url).path + "?" + urlsplit(url).query]
    assert outside.hits == []  # the disallowed server was never contacted
    # the same through pyld (JSON-LD as RDF): the reason, not pyld's "loading remote context failed"
    doc = json.dumps({"@context": url, "@id": "urn:x:1", "speed": "3"})
    with pytest.raises(ResolutionError, match=r"redirects to .* which the allow-list does not allow"):
        mimbridge.convert(doc, source="rdf-jsonld", target="ntriples", allow_remote=[allowed.url])
    assert outside.hits == []


def test_redirect_to_another_host_and_path_is_not_followed(servers):
    allowed, _ = servers
    for target in ("http://localhost:1/ctx.jsonld", f"{allowed.url}/secret/ctx.jsonld"):
        allowed.hits.clear()
        loader = ContextLoader(allow=[f"{allowed.url}/redirect", f"{allowed.url}/ok/"], timeout=5)
        with pytest.raises(ResolutionError, match="not allow"):
            loader.resolve(f"{allowed.url}/redirect?to={target}")
        assert len(allowed.hits) == 1, allowed.hits  # only the redirect itself


def test_redirect_within_the_allow_list_is_followed(servers):
    allowed, outside = servers
    loader = ContextLoader(allow=[f"{allowed.url}/redirect", f"{outside.url}/ok/"], timeout=5)
    doc = loader.resolve(f"{allowed.url}/redirect?to={outside.url}/ok/ctx.jsonld")
    assert doc["@context"]["speed"] == TERM and outside.hits == ["/ok/ctx.jsonld"]


def test_slow_drip_is_cut_at_the_total_deadline(servers):
    allowed, _ = servers
    loader = ContextLoader(allow=[allowed.url], timeout=1.5)
    t0 = time.monotonic()
    with pytest.raises(ResolutionError, match=r"within 1.5 s \(the deadline of the whole fetch\)"):
        loader.resolve(f"{allowed.url}/drip")
    took = time.monotonic() - t0
    assert 1.4 < took < 3.0, took  # the body would take 20 s; each byte came well within any per-read timeout


def test_prefix_compares_ports_not_strings(servers):
    allowed, _ = servers
    port = str(allowed.server_address[1])
    shorter = f"http://127.0.0.1:{port[:-1]}"  # a string prefix of the real URL, another port
    r = mimbridge.convert(entity(f"{allowed.url}/ctx.jsonld"), source="ngsi-ld", target="ngsi-ld",
                          allow_remote=[shorter], timeout=5)
    assert allowed.hits == [] and r.report.of_type(mimbridge.Unresolved)


def test_prefix_compares_path_segments_not_strings(servers):
    allowed, _ = servers
    for url in (f"{allowed.url}/okay-evil/ctx.jsonld", f"{allowed.url}/ok/../secret/ctx.jsonld",
                f"{allowed.url}/ok/%2e%2e/secret/ctx.jsonld", f"{allowed.url}/ok%2f..%2fsecret/ctx.jsonld"):
        r = mimbridge.convert(entity(url), source="ngsi-ld", target="ngsi-ld", allow_remote=[f"{allowed.url}/ok"],
                              timeout=5)
        assert r.report.of_type(mimbridge.Unresolved), url
    assert allowed.hits == []
    mimbridge.read(entity(f"{allowed.url}/ok/ctx.jsonld"), source="ngsi-ld", allow_remote=[f"{allowed.url}/ok"])
    assert allowed.hits == ["/ok/ctx.jsonld"]


@pytest.mark.parametrize(("prefix", "url", "allowed"), [
    ("https://h.example/ok", "https://h.example/ok", True),
    ("https://h.example/ok", "https://h.example/ok/a.jsonld", True),
    ("https://h.example/ok", "https://h.example/okay-evil/a.jsonld", False),
    ("https://h.example/ok/", "https://h.example/ok/a.jsonld", True),
    ("https://h.example", "https://h.example.evil/a.jsonld", False),
    ("https://h.example", "https://h.example@evil.example/a.jsonld", False),
    ("https://h.example", "https://evil.example\\@h.example/a.jsonld", False),
    ("https://h.example", "http://h.example/a.jsonld", False),
    ("https://h.example", "https://H.EXAMPLE:443/a.jsonld", True),
    ("https://h.example", "https://h.example:8443/a.jsonld", False),
    ("http://127.0.0.1:1876", "http://127.0.0.1:18765/a.jsonld", False),
    ("http://127.0.0.1:1876", "http://127.0.0.1:1876/a.jsonld", True),
    ("https://h.example/a.jsonld", "https://h.example/a.jsonld", True),
    ("https://h.example/a.jsonld", "https://h.example/a.jsonld.evil", False),
    ("https://h.example/c?v=1", "https://h.example/c?v=2", False),
    ("file:///", "file:///etc/passwd", False),
])
def test_allow_list_boundaries(prefix, url, allowed):
    assert AllowList([prefix]).allows(url) is allowed


def test_size_cap_says_so(servers):
    allowed, _ = servers
    loader = ContextLoader(allow=[allowed.url], timeout=10)
    with pytest.raises(ResolutionError, match=f"announces {MAX_CONTEXT_BYTES + 10} bytes, more than the "
                                              f"{MAX_CONTEXT_BYTES} a context may have"):
        loader.resolve(f"{allowed.url}/big-announced")
    with pytest.raises(ResolutionError, match=f"sent more than the {MAX_CONTEXT_BYTES} bytes a context may have"):
        mimbridge.read(entity(f"{allowed.url}/big"), source="ngsi-ld", allow_remote=[allowed.url], timeout=10)


def test_fetch_refuses_a_url_outside_the_list(servers):
    allowed, outside = servers
    with pytest.raises(ResolutionError, match="not under an allowed prefix"):
        fetch(f"{outside.url}/ctx.jsonld", allow=AllowList([allowed.url]))
    assert outside.hits == []
