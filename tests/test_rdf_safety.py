"""No RDF parse fetches anything: a loopback canary server counts requests, a local file counts reads.

The canary serves a JSON-LD context from 127.0.0.1 on a free port and records
every request; inputs in every RDF syntax reference it (as ``@context``, prefix,
base, IRI, XML external entity, and as the @context kept for the way back to
NGSI-LD). After parsing, converting and validating, the canary must have no hits.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

import mimbridge
from mimbridge.validate.shacl import validate

CANARY_TERM = "https://canary.example/was-fetched"


@pytest.fixture
def canary():
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = json.dumps({"@context": {"a": CANARY_TERM, "@vocab": CANARY_TERM + "/"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/context.jsonld", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_canary_is_live(canary):
    import urllib.request

    url, hits = canary
    with urllib.request.urlopen(url, timeout=5) as resp:
        assert b"@context" in resp.read()
    assert hits == ["/context.jsonld"]


def _inputs(url: str, file_ctx: Path) -> list[tuple[str, str]]:
    mb_meta = json.dumps({"meta": {"@context": [url]}}).replace('"', '\\"')
    return [
        ("rdf-jsonld", json.dumps({"@context": url, "@id": "urn:x:1", "@type": "T", "a": "x"})),
        ("rdf-jsonld", json.dumps([{"@context": [url, {"b": "urn:b"}], "@id": "urn:x:1",
                                    "b": {"@id": url}}])),
        ("rdf-jsonld", json.dumps({"@context": file_ctx.as_uri(), "@id": "urn:x:1", "a": "x"})),
        ("turtle", f"@base <{url}> .\n@prefix c: <{url}#> .\n<urn:x:1> a c:T ; c:p <{url}> ; c:q <> ."),
        ("ntriples", f'<urn:x:1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{url}> .\n'
                     f'<urn:x:1> <https://w3id.org/mimbridge/ns#json> "{mb_meta}"'
                     f'^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON> .\n'),
        ("nquads", f"<urn:x:1> <urn:p> <{url}> <{url}> .\n"),
        ("rdfxml", f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY ext SYSTEM "{url}"> <!ENTITY loc SYSTEM "{file_ctx.as_uri()}">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="urn:ex:">
  <rdf:Description rdf:about="urn:x:1"><ex:p>&ext;&loc;</ex:p><ex:q rdf:resource="{url}"/></rdf:Description>
</rdf:RDF>"""),
    ]


def test_no_fetch_during_rdf_parse(canary, tmp_path):
    url, hits = canary
    file_ctx = tmp_path / "context.jsonld"
    file_ctx.write_text(json.dumps({"@context": {"a": CANARY_TERM, "@vocab": CANARY_TERM + "/"}}))
    seen = []
    for fmt, text in _inputs(url, file_ctx):
        for profile in ("ngsi-ld", "sosa"):
            try:
                r = mimbridge.convert(text, source=fmt, target="ngsi-ld", profile=profile)
            except (mimbridge.ParseError, mimbridge.ResolutionError):  # refused, or the context is not resolved
                seen.append((fmt, "refused"))
                continue
            assert CANARY_TERM not in json.dumps(r.output), (fmt, r.output)
            seen.append((fmt, "read"))
        try:
            result = validate(text, shapes="ngsi-ld", fmt=fmt)
            assert CANARY_TERM not in result.text
        except (mimbridge.ParseError, mimbridge.ResolutionError):
            pass
    assert hits == [], hits
    assert {f for f, how in seen if how == "read"} >= {"rdf-jsonld", "turtle", "ntriples", "nquads"}


def test_the_kept_context_is_not_fetched_on_the_way_back(canary):
    url, hits = canary
    e = {"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": 1}, "@context": [url]}
    nt = mimbridge.convert(e, source="ngsi-ld", target="ntriples").output
    back = mimbridge.convert(nt, source="ntriples", target="ngsi-ld")
    assert back.output == e
    assert hits == []


def test_allowed_remote_context_is_the_opt_in(canary):
    # the one way a context is fetched: allow_remote names its prefix
    url, hits = canary
    doc = json.dumps({"@context": url, "@id": "urn:x:1", "a": "x"})
    r = mimbridge.convert(doc, source="rdf-jsonld", target="ntriples", allow_remote=[url])
    assert CANARY_TERM in r.output
    assert hits == ["/context.jsonld"]
