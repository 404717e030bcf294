"""The resolver's HTTP behaviour, run for real: `mimbridge load` into a store, `mimbridge serve` on 127.0.0.1.

Conditional requests (ETag / Last-Modified -> 304), HEAD, Vary, Cache-Control from the
store's configuration, request bounds, the connection limit (503 + Retry-After), the
Common Log Format access log, idempotent re-loads and loads while serving.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic

from .conftest import ROOT

BASE = "https://id.example.city/"
NGSI = "https://uri.etsi.org/ngsi-ld/"
CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
DOC = "/doc/Sensor/s0001"
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
           "text/html": None}


def sensors(n: int, level: str) -> list[dict]:
    return [{"id": f"urn:ngsi-ld:Sensor:s{i:04d}", "type": "Sensor",
             "name": {"type": "Property", "value": f"Sensor {i}"},
             "level": {"type": "Property", "value": level, "unitCode": "MTR",
                       "accuracy": {"type": "Property", "value": 0.5}},
             "@context": CORE} for i in range(n)]


def cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "mimbridge", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=timeout)


def load(store: Path, data: Path, *extra: str) -> subprocess.CompletedProcess:
    r = cli("load", str(data), "--store", str(store), "-f", "ngsi-ld", *extra)
    assert r.returncode == 0, r.stderr
    return r


@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    log: Path

    def request(self, path: str, *, method: str = "GET", headers: dict[str, str] | None = None,
                body: bytes | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(store: Path, log: Path, *extra: str) -> Server:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    port = _free_port()
    with open(log, "ab") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "mimbridge", "serve", "--store", str(store), "--base", BASE,
                                 "--port", str(port), *extra], cwd=ROOT, env=env, stdout=fh,
                                stderr=subprocess.STDOUT)
    server = Server(proc, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if server.request("/")[0] == 200:
                return server
        except OSError:
            time.sleep(0.1)
    stop(server)
    raise RuntimeError(f"resolver did not start:\n{log.read_text(errors='replace')[-3000:]}")


def stop(server: Server) -> None:
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(timeout=15)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("http")
    data = tmp / "sensors.json"
    big = {"id": "urn:ngsi-ld:Sensor:big", "type": "Sensor", "@context": CORE,
           **{f"reading{i}": {"type": "Property", "value": f"value number {i} " + "x" * 40} for i in range(1500)}}
    data.write_text(json.dumps([*sensors(20, "low"), big]), encoding="utf-8")
    load(tmp / "store", data, "--cache-control", "public, max-age=3600")
    server = start(tmp / "store", tmp / "server.log", "--workers", "2")
    try:
        yield server
    finally:
        stop(server)


@pytest.mark.parametrize("media", list(FORMATS))
def test_representations_carry_validators_and_cache_control(served, media):
    status, h, body = served.request(DOC, headers={"Accept": media})
    assert status == 200 and h["content-type"].startswith(media)
    assert re.fullmatch(r'"[0-9a-f]{24}"', h["etag"])
    assert email.utils.parsedate_to_datetime(h["last-modified"]).timestamp() <= time.time() + 1
    assert h["cache-control"] == "public, max-age=3600"  # from `load --cache-control`
    assert h["vary"] == "Accept" and int(h["content-length"]) == len(body) > 0
    # another worker or a cache refill answers with the same validator
    for _ in range(4):
        assert served.request(DOC, headers={"Accept": media})[1]["etag"] == h["etag"]


@pytest.mark.parametrize("media", list(FORMATS))
def test_if_none_match_gives_304(served, media):
    _, h, _ = served.request(DOC, headers={"Accept": media})
    etag = h["etag"]
    for value in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        status, h2, body = served.request(DOC, headers={"Accept": media, "If-None-Match": value})
        assert status == 304 and body == b"", value
        assert h2["etag"] == etag and h2["vary"] == "Accept" and h2["cache-control"] == "public, max-age=3600"
    status, _, body = served.request(DOC, headers={"Accept": media, "If-None-Match": '"other"'})
    assert status == 200 and body


def test_if_modified_since(served):
    _, h, _ = served.request(DOC, headers={"Accept": "text/turtle"})
    lm = h["last-modified"]
    assert served.request(DOC, headers={"Accept": "text/turtle", "If-Modified-Since": lm})[0] == 304
    later = email.utils.formatdate(time.time() + 3600, usegmt=True)
    assert served.request(DOC, headers={"Accept": "text/turtle", "If-Modified-Since": later})[0] == 304
    earlier = email.utils.formatdate(email.utils.parsedate_to_datetime(lm).timestamp() - 60, usegmt=True)
    status, _, body = served.request(DOC, headers={"Accept": "text/turtle", "If-Modified-Since": earlier})
    assert status == 200 and body
    assert served.request(DOC, headers={"Accept": "text/turtle", "If-Modified-Since": "yesterday"})[0] == 200
    # If-None-Match wins over If-Modified-Since
    status, _, _ = served.request(DOC, headers={"Accept": "text/turtle", "If-None-Match": '"other"',
                                                "If-Modified-Since": lm})
    assert status == 200


def test_negotiated_representations_differ_and_vary(served):
    tags = {served.request(DOC, headers={"Accept": m})[1]["etag"] for m in FORMATS}
    assert len(tags) == len(FORMATS)
    status, h, _ = served.request("/Sensor/s0001", headers={"Accept": "text/turtle"})
    assert status == 303 and h["location"] == DOC and h["vary"] == "Accept"


@pytest.mark.parametrize(("path", "media"), [(DOC, m) for m in FORMATS] + [("/Sensor/s0001", "text/html"),
                                                                          ("/doc/Sensor/none", "text/turtle")])
def test_head_has_the_headers_of_get_and_no_body(served, path, media):
    gs, gh, gb = served.request(path, headers={"Accept": media})
    hs, hh, hb = served.request(path, method="HEAD", headers={"Accept": media})
    assert hs == gs and hb == b""
    assert hh.get("content-length") == gh.get("content-length") == str(len(gb))
    for k in ("content-type", "etag", "vary", "location", "cache-control"):
        assert hh.get(k) == gh.get(k), k


def test_representations_hold_the_data(served):
    _, _, body = served.request(DOC, headers={"Accept": "application/n-triples"})
    g = rdflib.Graph().parse(data=body.decode(), format="nt")
    subject = rdflib.URIRef("urn:ngsi-ld:Sensor:s0001")
    assert (subject, rdflib.RDF.type, rdflib.URIRef(NGSI + "default-context/Sensor")) in g
    assert rdflib.Literal("low") in set(g.objects())


@pytest.mark.parametrize("media", ["application/n-triples", "text/html"])
def test_large_documents_arrive_whole(served, media):
    status, h, body = served.request("/doc/Sensor/big", headers={"Accept": media})
    assert status == 200 and int(h["content-length"]) == len(body) > 200_000
    text = body.decode("utf-8")
    assert all(f"value number {i} " in text for i in (0, 749, 1499))
    if media == "application/n-triples":
        # rdf:type, 3 triples per attribute, foaf:primaryTopic and owl:sameAs of the document
        assert len(rdflib.Graph().parse(data=text, format="nt")) == 1 + 1500 * 3 + 2


def test_bounds(served):
    assert served.request("/doc/Sensor/" + "x" * 9000)[0] == 414
    assert served.request(DOC, headers={f"X-Pad-{i}": "y" * 400 for i in range(60)})[0] == 431
    status, h, _ = served.request(DOC, method="POST", body=b"{}")
    assert status == 405 and h["allow"] == "GET, HEAD"
    assert served.request(DOC, method="GET", body=b"x" * 100)[0] == 413
    assert served.request(DOC, method="DELETE")[0] == 405
    assert served.request(DOC)[0] == 200  # still serving


def test_access_log_is_common_log_format(served):
    served.request(DOC + "?format=ttl")
    line = re.compile(r'^127\.0\.0\.1 - - \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000\] '
                      r'"GET /doc/Sensor/s0001\?format=ttl HTTP/1\.1" 200 \d+$', re.M)
    deadline = time.monotonic() + 10
    while not line.search(served.log.read_text(errors="replace")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert line.search(served.log.read_text(errors="replace"))


def test_connections_past_the_limit_get_503_with_retry_after(tmp_path):
    data = tmp_path / "s.json"
    data.write_text(json.dumps(sensors(3, "low")), encoding="utf-8")
    load(tmp_path / "store", data)
    server = start(tmp_path / "store", tmp_path / "log", "--workers", "1", "--max-connections", "3",
                   "--retry-after", "7")
    held = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=10) for _ in range(3)]
    try:
        for c in held:  # keep-alive connections, each answered once
            c.request("GET", DOC)
            r = c.getresponse()
            assert r.status == 200 and r.read()
        status, h, body = server.request(DOC)
        assert status == 503 and h["retry-after"] == "7" and b"retry" in body
        held.pop().close()
        deadline = time.monotonic() + 10
        while server.request(DOC)[0] == 503 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert server.request(DOC)[0] == 200
        held[0].request("GET", DOC)  # the held connections still work
        assert held[0].getresponse().status == 200
    finally:
        for c in held:
            c.close()
        stop(server)


def _ntriples(server: Server, path: str) -> rdflib.Graph:
    status, _, body = server.request(path, headers={"Accept": "application/n-triples"})
    assert status == 200
    return rdflib.Graph().parse(data=body.decode(), format="nt")


def test_reload_is_idempotent(tmp_path):
    data = tmp_path / "s.json"
    data.write_text(json.dumps(sensors(50, "low")), encoding="utf-8")
    store = tmp_path / "store"
    first = load(store, data).stdout
    assert first.endswith("triples\n") and "unchanged" not in first
    server = start(store, tmp_path / "log", "--workers", "1")
    try:
        before = _ntriples(server, DOC)
        again = load(store, data).stdout
        assert "unchanged, not loaded again" in again
        assert again.split("\t")[1].split()[0] == first.split("\t")[1].split()[0]
        forced = load(store, data, "--force").stdout
        assert forced == first
        time.sleep(1.5)  # the server follows the new snapshot
        assert isomorphic(_ntriples(server, DOC), before)
    finally:
        stop(server)


def test_load_while_serving_never_shows_a_half_written_resource(tmp_path):
    n = 3000
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(sensors(n, "low")), encoding="utf-8")
    new.write_text(json.dumps(sensors(n, "high")), encoding="utf-8")
    store = tmp_path / "store"
    load(store, old, "--graph", "urn:example:sensors")
    server = start(store, tmp_path / "log", "--workers", "2")
    size = len(_ntriples(server, DOC))
    seen: list[str] = []
    problems: list[str] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for path in (DOC, f"/doc/Sensor/s{n - 1:04d}"):
                try:
                    g = _ntriples(server, path)
                except (OSError, AssertionError) as exc:
                    problems.append(f"{path}: {exc!r}")
                    continue
                levels = {str(o) for o in g.objects() if str(o) in ("low", "high")}
                if len(g) != size or len(levels) != 1:
                    problems.append(f"{path}: {len(g)} triples, levels {levels}")
                seen.append(levels.pop() if levels else "?")

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    try:
        load(store, new, "--graph", "urn:example:sensors")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and (not seen or seen[-1] != "high"):
            time.sleep(0.2)
    finally:
        done.set()
        t.join(timeout=30)
        stop(server)
    assert not problems, problems[:5]
    assert seen[0] == "low" and seen[-1] == "high"
