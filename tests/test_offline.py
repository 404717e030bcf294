"""Safe by default: no socket is opened during any conversion unless an allow-list is given."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

import mimbridge
from mimbridge.contexts.active import ActiveContext
from mimbridge.contexts.loader import ContextLoader


class _Canary(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        type(self).hits.append(self.path)
        body = b'{"@context": {"speed": "https://canary.example/speed"}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def canary():
    _Canary.hits = []
    server = HTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def no_sockets(monkeypatch):
    opened = []

    class Guard(socket.socket):
        def __init__(self, *a, **k):
            opened.append(a)
            raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", Guard)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: Guard())
    return opened


def entity(ctx):
    return {"id": "urn:ngsi-ld:Car:1", "type": "Car", "speed": {"type": "Property", "value": 3}, "@context": ctx}


@pytest.mark.parametrize("target", ["ngsi-ld", "ngsi-ld-concise", "ngsi-ld-keyvalues", "ngsi-ld-temporal",
                                    "ngsi-ld-geojson", "native"])
def test_no_socket_during_conversion(no_sockets, target):
    ctx = ["https://example.org/remote-context.jsonld",
           "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld"]
    r = mimbridge.convert(entity(ctx), source="ngsi-ld", target=target)
    assert not no_sockets
    [ev] = r.report.of_type(mimbridge.Unresolved)
    assert "https://example.org/remote-context.jsonld" in ev.message
    # the unresolved term expanded through the default vocabulary, and compacts back
    g = mimbridge.read(entity(ctx), source="ngsi-ld")
    assert "https://uri.etsi.org/ngsi-ld/default-context/speed" in g.nodes[0].attrs


def test_unresolved_context_strict_is_an_error(no_sockets):
    with pytest.raises(mimbridge.LossyConversionError):
        mimbridge.convert(entity("https://example.org/c.jsonld"), source="ngsi-ld", target="ngsi-ld", strict=True)


def test_remote_context_not_fetched_without_allow_list(canary):
    r = mimbridge.convert(entity(f"{canary}/ctx.jsonld"), source="ngsi-ld", target="ngsi-ld")
    assert _Canary.hits == []
    assert r.report.of_type(mimbridge.Unresolved)


def test_remote_context_fetched_with_allow_list(canary):
    url = f"{canary}/ctx-allowed.jsonld"
    g = mimbridge.read(entity(url), source="ngsi-ld", allow_remote=[canary + "/"], timeout=5)
    assert _Canary.hits == ["/ctx-allowed.jsonld"]
    assert "https://canary.example/speed" in g.nodes[0].attrs


def test_allow_list_is_a_prefix_match(canary):
    loader = ContextLoader(allow=["https://trusted.example/"])
    assert loader.allowed("https://trusted.example/ctx.jsonld")
    assert not loader.allowed("https://trusted.example.evil/ctx.jsonld")
    assert not loader.allowed("file:///etc/passwd")
    assert not ContextLoader(allow=["file:///"]).allowed("file:///etc/passwd")


def test_local_copy_of_context(tmp_path, no_sockets):
    ctx_file = tmp_path / "ctx.jsonld"
    ctx_file.write_text('{"@context": {"speed": "https://local.example/speed"}}')
    url = "https://example.org/ctx.jsonld"
    g = mimbridge.read(entity(url), source="ngsi-ld", contexts={url: str(ctx_file)})
    assert "https://local.example/speed" in g.nodes[0].attrs
    out = mimbridge.convert(entity(url), source="ngsi-ld", target="ngsi-ld", contexts={url: str(ctx_file)})
    assert out.output == entity(url) and out.report.lossless


def test_active_context_is_cached_per_value():
    loader = ContextLoader()
    a = ActiveContext.get(["https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"], loader=loader)
    b = ActiveContext.get(["https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"], loader=loader)
    assert a is b
    assert a.expand("observedAt") == "https://uri.etsi.org/ngsi-ld/observedAt"


def test_same_url_different_local_copies_do_not_share_cache(tmp_path):
    url = "https://example.org/ctx.jsonld"
    a, b = tmp_path / "a.jsonld", tmp_path / "b.jsonld"
    a.write_text('{"@context": {"speed": "https://a.example/speed"}}')
    b.write_text('{"@context": {"speed": "https://b.example/speed"}}')
    ga = mimbridge.read(entity(url), source="ngsi-ld", contexts={url: str(a)})
    gb = mimbridge.read(entity(url), source="ngsi-ld", contexts={url: str(b)})
    assert "https://a.example/speed" in ga.nodes[0].attrs and "https://b.example/speed" in gb.nodes[0].attrs
