"""The resolver service, run for real: a uvicorn subprocess on 127.0.0.1 over a store of corpus conversions.

The store holds the ETSI test-suite entities converted by mimbridge (one named graph
per file) plus a few entities written here (a Sensor the corpus Building points to, a
DOI-identified dataset, a value with markup). Expected triples come from pyld's
``to_rdf`` on the corpus files with the corpus' own context files, not from mimbridge.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
import rdflib
from pyld import jsonld
from rdflib.compare import isomorphic

from mimbridge.resolve.store import OxigraphStore, load

from .conftest import ROOT

SUITE = "ngsi-ld/ngsi-ld-test-suite"
FORGE = "https://forge.etsi.org/rep/cim/ngsi-ld-test-suite/-/raw/develop/resources/jsonld-contexts/"
CONTEXT_FILES = {
    FORGE + name: f"{SUITE}/resources/jsonld-contexts/{name}"
    for name in ("ngsi-ld-test-suite-compound.jsonld", "ngsi-ld-test-suite.jsonld")
}
# the 1.8 core context as a broker ships it (its one misspelt term is not used by these entities)
CORE_18 = ("https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld",
           "ngsi-ld/ScorpioBroker/AllInOneRunner/src/main/resources/db/migration/"
           "V20240730.1__mergejsonupdate.core-context.extracted.jsonld")
SKIPPED = {
    "temporal-observedat-reified.jsonld": "negative test input (observedAt given as a Property)",
    "building-language-property-regional.jsonld": "names a context URL the corpus has no copy of",
}
BASE = "https://id.example.city/"
BUILDING = "urn:ngsi-ld:Building:randomUUID"
SENSOR = "urn:ngsi-ld:Sensor:43a1af27-4aa7-44fe-bee9-fe76d56978a4"
DATASET = "https://doi.org/10.5281/zenodo.1234"
CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
LOCAL_ENTITIES = [
    {"id": SENSOR, "type": "Sensor", "name": {"type": "Property", "value": "Weather sensor 43a1"},
     "description": {"type": "Property", "value": "<script>alert(1)</script> & <b>bold</b>"},
     "@context": CORE},
    {"id": DATASET, "type": "Dataset", "name": {"type": "Property", "value": "Air quality 2024"},
     "@context": CORE},
]
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
FOAF_TOPIC = rdflib.URIRef("http://xmlns.com/foaf/0.1/primaryTopic")
OWL_SAME = rdflib.URIRef("http://www.w3.org/2002/07/owl#sameAs")


def entity_files(corpus: Path) -> list[Path]:
    return [p for p in sorted((corpus / SUITE / "data/entities").glob("*.jsonld")) if p.name not in SKIPPED]


# -- server process --------------------------------------------------------------------------------------

@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    log: Path

    def request(self, path: str, *, accept: str | None = None, method: str = "GET"):
        """(status, headers as a lower-cased dict, body bytes); the path is sent exactly as given."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            headers = {} if accept is None else {"Accept": accept}
            conn.request(method, path, headers=headers)
            resp = conn.getresponse()
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
        finally:
            conn.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: str, log: Path, *, base: str = BASE, timeout: float = 30.0) -> Server:
    """Start ``python -m mimbridge serve`` on a free loopback port and wait until it answers."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for _attempt in range(3):
        port = _free_port()
        with open(log, "ab") as fh:
            proc = subprocess.Popen(
                [sys.executable, "-m", "mimbridge", "serve", "--store", store, "--base", base,
                 "--host", "127.0.0.1", "--port", str(port)],
                cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
        server = Server(proc, port, log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if server.request("/")[0] == 200:
                    return server
            except OSError:
                time.sleep(0.1)
        stop_server(server)
    raise RuntimeError(f"resolver did not start; log:\n{log.read_text(errors='replace')[-3000:]}")


def stop_server(server: Server) -> None:
    """Stop the server process by its PID (terminate, then kill after 10 s)."""
    proc = server.proc
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def build_store(corpus: Path, folder: Path) -> Path:
    """Load the corpus entities and the local ones into an embedded store in ``folder``."""
    contexts = {url: str(corpus / rel) for url, rel in CONTEXT_FILES.items()}
    with OxigraphStore(folder) as store:
        for path in entity_files(corpus):
            load(store, path, source="ngsi-ld", contexts=contexts)
        load(store, LOCAL_ENTITIES, source="ngsi-ld", graph="urn:mimbridge-test:local")
    return folder


@pytest.fixture(scope="module")
def resolver(corpus, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("resolver")
    store = build_store(corpus, tmp / "store")
    server = start_server(str(store), tmp / "server.log")
    try:
        yield server
    finally:
        stop_server(server)


# -- expectations, independent of mimbridge ----------------------------------------------------------------

def expected_graph(corpus: Path, entity_id: str) -> rdflib.Graph:
    """pyld's triples of every corpus file describing ``entity_id`` (blank nodes kept apart per file)."""
    served = {url: corpus / rel for url, rel in CONTEXT_FILES.items()}
    served[CORE_18[0]] = corpus / CORE_18[1]

    def loader(url, options=None):
        if url in served:
            doc = json.loads(served[url].read_text(encoding="utf-8"))
        elif url.startswith("https://w3id.org/security/data-integrity/"):
            doc = {"@context": {}}
        else:
            raise AssertionError(f"unexpected context {url}")
        return {"contextUrl": None, "documentUrl": url, "document": doc}

    g = rdflib.Graph()
    for i, path in enumerate(entity_files(corpus)):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("id") != entity_id:
            continue
        nq = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": loader})
        g.parse(data=re.sub(r"_:(\w+)", rf"_:f{i}x\1", nq), format="nt")
    assert len(g) > 0
    return g


def served_graph(body: bytes, rdflib_format: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body.decode("utf-8"), format=rdflib_format)


MEDIA = [
    ("text/turtle", "ttl", "turtle"),
    ("application/ld+json", "jsonld", "json-ld"),
    ("application/n-triples", "nt", "nt"),
    ("application/rdf+xml", "rdf", "xml"),
]


@pytest.mark.parametrize("entity", [BUILDING, "urn:ngsi-ld:Vehicle:randomUUID", "urn:ngsi-ld:MultiTypes:randomUUID"])
@pytest.mark.parametrize(("media", "param", "fmt"), MEDIA, ids=[m[1] for m in MEDIA])
@pytest.mark.parametrize("how", ["accept", "format-param"])
def test_document_in_every_media_type_has_the_expected_triples(resolver, corpus, entity, media, param, fmt, how):
    etype, local = entity.split(":")[2], entity.split(":", 3)[3]
    thing, doc_path = f"{BASE}{etype}/{local}", f"/doc/{etype}/{local}"
    if how == "accept":
        status, headers, body = resolver.request(doc_path, accept=f"{media};q=0.9, text/plain;q=0.1")
    else:
        status, headers, body = resolver.request(f"{doc_path}?format={param}", accept="text/html")
    assert status == 200, body
    assert headers["content-type"].split(";")[0] == media
    assert "Accept" in headers["vary"]
    links = headers["link"]
    for m, p, _ in MEDIA:
        assert f'<{doc_path}?format={p}>; rel="alternate"; type="{m}"' in links
    g = served_graph(body, fmt)
    # the document says what it is about, and that the minted URI is the entity
    assert (rdflib.URIRef(BASE + "doc" + thing[len(BASE) - 1:]), FOAF_TOPIC, rdflib.URIRef(thing)) in g
    assert (rdflib.URIRef(thing), OWL_SAME, rdflib.URIRef(entity)) in g
    g.remove((None, FOAF_TOPIC, None))
    g.remove((None, OWL_SAME, None))
    assert isomorphic(g, expected_graph(corpus, entity))


def test_thing_uri_is_303_to_its_document(resolver):
    for accept in (None, "text/turtle", BROWSER_ACCEPT):
        status, headers, _ = resolver.request("/Building/randomUUID", accept=accept)
        assert status == 303
        assert headers["location"] == "/doc/Building/randomUUID"
        assert "Accept" in headers["vary"]
    status, headers, _ = resolver.request("/Building/randomUUID?format=ttl")
    assert (status, headers["location"]) == (303, "/doc/Building/randomUUID?format=ttl")


def test_browser_gets_html(resolver):
    for accept in (BROWSER_ACCEPT, None, "*/*"):
        status, headers, body = resolver.request("/doc/Building/randomUUID", accept=accept)
        assert status == 200
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert "Accept" in headers["vary"]
        assert "default-src 'none'" in headers["content-security-policy"]
    page = Page.parse(body)
    assert page.title == "Eiffel Tower"
    assert "POLYGON ((13.2865906 52.5648645, 13.2879639 52.5648645" in page.text
    assert "/Sensor/43a1af27-4aa7-44fe-bee9-fe76d56978a4" in page.links
    assert {"/doc/Building/randomUUID?format=ttl", "/doc/Building/randomUUID?format=jsonld",
            "/doc/Building/randomUUID?format=nt", "/doc/Building/randomUUID?format=rdf"} <= set(page.links)
    assert not page.scripts


def test_html_escapes_data_and_lists_referrers(resolver):
    status, _, body = resolver.request("/doc/Sensor/43a1af27-4aa7-44fe-bee9-fe76d56978a4", accept=BROWSER_ACCEPT)
    assert status == 200
    text = body.decode("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in text
    page = Page.parse(body)
    assert not page.scripts and "<b>bold" not in text
    assert page.title == "Weather sensor 43a1"
    assert "/Building/randomUUID" in page.links  # "Referenced by": the Building's relationship


def test_unknown_is_404(resolver):
    for path in ("/Building/nosuchthing", "/doc/Building/nosuchthing", "/nosuchpath", "/doc/", "/doc/x",
                 "/sensor/404", "/sta/Things/1"):
        status, _, _ = resolver.request(path, accept="text/turtle")
        assert status == 404, path


def test_unacceptable_is_406(resolver):
    for path, accept in (("/doc/Building/randomUUID", "image/png"), ("/doc/Building/randomUUID", "text/csv, */*;q=0"),
                         ("/doc/Building/randomUUID?format=pdf", None),
                         ("/doc/Building/randomUUID?format=../../etc/passwd", None)):
        status, headers, body = resolver.request(path, accept=accept)
        assert status == 406, path
        assert "Accept" in headers["vary"]
        assert b"text/turtle" in body


def test_doi_local_or_redirected_to_doi_org(resolver):
    status, headers, _ = resolver.request("/doi/10.5281/zenodo.1234")
    assert (status, headers["location"]) == (303, "/doc/doi/10.5281/zenodo.1234")
    status, _, body = resolver.request("/doc/doi/10.5281/zenodo.1234?format=nt")
    assert status == 200
    g = served_graph(body, "nt")
    assert (rdflib.URIRef(DATASET), rdflib.URIRef("https://uri.etsi.org/ngsi-ld/default-context/name"), None) in g
    # DOIs are case-insensitive: the canonical spelling is lower case
    status, headers, _ = resolver.request("/doi/10.5281/ZENODO.1234")
    assert (status, headers["location"]) == (301, "/doi/10.5281/zenodo.1234")
    # a DOI the store does not hold goes to its registration agency's resolver
    status, headers, _ = resolver.request("/doi/10.1000/a%3Cb%3E")
    assert (status, headers["location"]) == (303, "https://doi.org/10.1000/a%3Cb%3E")
    status, headers, _ = resolver.request("/orcid/0000-0002-1825-0097")
    assert (status, headers["location"]) == (303, "https://orcid.org/0000-0002-1825-0097")


PASSWD = Path("/etc/passwd")
TRAVERSALS = [
    "/../../../../etc/passwd",
    "/doc/../../../../etc/passwd",
    "/doc/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "/doc/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/doc/Building/..%2F..%2F..%2Fetc%2Fpasswd",
    "/doc/file:%2F%2F%2Fetc%2Fpasswd",
    "/doc/urn/..%2F..%2Fstore",
    "//etc/passwd",
    "/%00/etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_is_refused(resolver, path):
    status, _, body = resolver.request(path, accept="text/turtle")
    assert status in (400, 404), (path, status)
    assert b"root:" not in body
    if PASSWD.is_file():
        assert PASSWD.read_bytes()[:40] not in body


INJECTIONS = [
    "/doc/Building/randomUUID%3E%20%3Fp%20%3Fo%20%7D%20%23",
    "/doc/Building/randomUUID%3E",
    "/Building/x%3E%20%3Fp%20%3Fo",
    "/doc/Building/x%22%20.%20%3Fs%20%3Fp%20%3Fo",
    "/doc/sensor/1%3E%20%7D%20UNION%20%7B%20%3Fs%20%3Fp%20%3Fo",
    "/doc/Building/randomUUID%7D%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D",
]


@pytest.mark.parametrize("path", INJECTIONS)
def test_sparql_injection_is_refused(resolver, path):
    status, _, body = resolver.request(path, accept="application/n-triples")
    assert status == 404, (path, status, body[:200])
    assert b"Eiffel Tower" not in body and b"Weather sensor" not in body


def test_head_and_methods(resolver):
    status, headers, body = resolver.request("/doc/Building/randomUUID", accept="text/turtle", method="HEAD")
    assert status == 200 and body == b"" and headers["content-type"].startswith("text/turtle")
    status, _, _ = resolver.request("/doc/Building/randomUUID", method="POST")
    assert status == 405


def test_server_still_alive(resolver):
    assert resolver.proc.poll() is None


class Page(HTMLParser):
    """Title, visible text, link targets and scripts of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.links: list[str] = []
        self.scripts = 0
        self._in_title = False
        self._text: list[str] = []

    @classmethod
    def parse(cls, body: bytes) -> Page:
        p = cls()
        p.feed(body.decode("utf-8"))
        return p

    @property
    def text(self) -> str:
        return "".join(self._text)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs).get("href", ""))
        elif tag == "script":
            self.scripts += 1
        elif tag == "h1":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_title = False

    def handle_data(self, data):
        self._text.append(data)
        if self._in_title:
            self.title += data
