"""The resolver service: an ASGI app (Starlette) that makes minted URIs answer.

* ``GET {base}<thing path>`` -> ``303 See Other`` to ``{base}{document_path}<thing path>``
  when the store describes the thing; a DOI, Handle, ARK or ORCID the store does
  not hold -> ``303`` to its global resolver (``https://doi.org/...``);
  a non-canonical spelling (``/doi/10.5281/ZENODO.1``) -> ``301`` to the canonical URI;
* ``GET {base}{document_path}<thing path>`` -> the description, negotiated over
  ``text/html`` (the default), ``text/turtle``, ``application/ld+json``,
  ``application/n-triples``, ``application/rdf+xml``, or chosen with
  ``?format=html|ttl|jsonld|nt|rdf``; ``Vary: Accept`` and ``Link`` rel=alternate headers;
* unknown -> ``404``; nothing acceptable -> ``406``;
* ``GET /catalog`` -> the DCAT description of the store (:mod:`.catalog`).

Requests only read the store: no file is opened and no URL fetched per request, and
store look-ups take checked IRIs (:func:`~mimbridge.resolve.store.checked_iri`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import ResolutionError
from .catalog import catalog_response
from .identifiers import EXTERNAL_RESOLVERS, Identifier, to_uri
from .minting import Rules
from .page import Compactor, render
from .store import TripleStore, open_store

__all__ = ["FORMATS", "create_app", "negotiate", "serve"]

FOAF_PRIMARY_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"

#: format name -> (media type, Content-Type, pyoxigraph format or None for HTML); server preference order.
FORMATS: dict[str, tuple[str, str, Any]] = {
    "html": ("text/html", "text/html; charset=utf-8", None),
    "turtle": ("text/turtle", "text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    "ntriples": ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdfxml": ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
}
#: ``?format=`` values
FORMAT_PARAM = {"html": "html", "ttl": "turtle", "turtle": "turtle", "jsonld": "jsonld", "json-ld": "jsonld",
                "json": "jsonld", "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples",
                "rdf": "rdfxml", "xml": "rdfxml", "rdfxml": "rdfxml"}
#: extra media types accepted for a format
MEDIA_ALIASES = {"application/xhtml+xml": "html", "application/json": "jsonld"}
SHORT = {"turtle": "ttl", "jsonld": "jsonld", "ntriples": "nt", "rdfxml": "rdf", "html": "html"}
LABEL = {"html": "HTML", "turtle": "Turtle", "jsonld": "JSON-LD", "ntriples": "N-Triples", "rdfxml": "RDF/XML"}
_NCNAME_TAIL = re.compile(r"[A-Za-z_\u00c0-\ufffd][\w.\-\u00b7]*$")
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff"}
HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _accept_entries(header: str) -> list[tuple[str, float]]:
    out = []
    for part in header.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media or "/" not in media:
            continue
        q = 1.0
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = -1.0
        if 0.0 <= q <= 1.0:
            out.append((media, q))
    return out


def negotiate(accept: str | None) -> str | None:
    """The format for an ``Accept`` header (None: nothing acceptable); HTML when there is no header.

    >>> negotiate("text/turtle;q=0.9, application/ld+json"), negotiate("text/*"), negotiate("image/png")
    ('jsonld', 'html', None)
    """
    if not accept or not accept.strip():
        return "html"
    entries = _accept_entries(accept)
    best, best_q = None, 0.0
    for name, (media, _, _) in FORMATS.items():
        medias = {media, *(m for m, n in MEDIA_ALIASES.items() if n == name)}
        q_of, spec_of = 0.0, -1
        for rng, q in entries:
            if rng in medias:
                spec = 2
            elif rng.endswith("/*") and media.startswith(rng[:-1]):
                spec = 1
            elif rng == "*/*":
                spec = 0
            else:
                continue
            if spec > spec_of:
                q_of, spec_of = q, spec
        if q_of > best_q:
            best, best_q = name, q_of
    return best


def _rdfxml_ok(triples: Sequence[ox.Triple]) -> bool:
    """RDF/XML needs every predicate to end with an XML name."""
    return all(m is not None and m.start() > 0 for m in (_NCNAME_TAIL.search(t.predicate.value) for t in triples))


class Resolver:
    """The request handling, independent of the ASGI plumbing."""

    def __init__(self, store: TripleStore, rules: Rules) -> None:
        self.store = store
        self.rules = rules
        self.base_path = rules.base_path
        self.doc_prefix = rules.document_path
        self.compact = Compactor(rules.prefixes)

    async def _call(self, fn: Any, *args: Any) -> Any:
        if self.store.remote:
            return await run_in_threadpool(fn, *args)
        return fn(*args)

    def _path(self, uri: str) -> str:
        return urlsplit(uri).path

    def _locate(self, thing: str) -> tuple[Identifier | None, str, list[str]]:
        """(identifier, canonical thing URI, store candidates) of a thing URI under the base."""
        try:
            ident = self.rules.identify(thing)
        except ResolutionError:
            return None, thing, [thing]
        canonical = thing
        if self.rules.namespace_for(ident) is not None:
            try:
                canonical = self.rules.mint(ident)
            except ResolutionError:
                canonical = thing
        cands = self.rules.candidates(ident)
        if thing not in cands:
            cands.append(thing)
        return ident, canonical, cands

    async def handle(self, request: Request) -> Response:
        raw = request.scope.get("raw_path") or request.scope["path"].encode("utf-8")
        try:
            path = raw.decode("ascii").split("?", 1)[0]
        except UnicodeDecodeError:
            return _text(400, "request path is not percent-encoded ASCII")
        query = request.url.query
        if not path.startswith(self.base_path):
            return _text(404, "not under the resolver base")
        rel = path[len(self.base_path):]
        if rel == "":
            return _text(200, f"mimbridge resolver for {self.rules.base}\n")
        is_doc = rel.startswith(self.doc_prefix)
        thing = self.rules.base + (rel[len(self.doc_prefix):] if is_doc else rel)
        ident, canonical, cands = self._locate(thing)
        if canonical != thing:
            target = self._path(self.rules.document_uri(canonical) if is_doc else canonical)
            return _redirect(target, query, 301)
        present = await self._call(self._present, cands)
        if not present:
            if ident is not None and ident.scheme in EXTERNAL_RESOLVERS:
                return _redirect(to_uri(ident), "", 303)
            return _text(404, "nothing is known about this URI", vary=is_doc)
        if not is_doc:
            return _redirect(self._path(self.rules.document_uri(thing)), query, 303)
        return await self.document(request, thing, present)

    def _present(self, cands: list[str]) -> list[str]:
        """The candidates the store describes, in order."""
        return [c for c in cands if self.store.first_subject([c]) is not None]

    async def document(self, request: Request, thing: str, present: list[str]) -> Response:
        param = request.query_params.get("format")
        if param is not None:
            fmt = FORMAT_PARAM.get(param.lower())
        else:
            fmt = negotiate(request.headers.get("accept"))
        doc = self.rules.document_uri(thing)
        doc_path = self._path(doc)
        links = ", ".join(f'<{doc_path}?format={SHORT[n]}>; rel="alternate"; type="{FORMATS[n][0]}"'
                          for n in FORMATS)
        headers = {"Vary": "Accept", "Link": links, **SECURITY_HEADERS}
        if fmt is None:
            offered = ", ".join(m for m, _, _ in FORMATS.values())
            return _text(406, f"not acceptable; this resolver offers {offered} (or ?format=ttl|jsonld|nt|rdf|html)",
                         headers=headers)
        triples = await self._call(self.store.describe, present)
        if fmt == "html":
            referrers: list[tuple[str, str]] = []
            for c in present:
                referrers += await self._call(partial(self.store.referrers, c, limit=50))
            alternates = [(LABEL[n], f"{doc_path}?format={SHORT[n]}", FORMATS[n][0]) for n in FORMATS if n != "html"]
            body = render(self.rules, thing=thing, subjects=present, triples=triples,
                          referrers=sorted(set(referrers)), alternates=alternates, compact=self.compact)
            headers["Content-Security-Policy"] = HTML_CSP
            return Response(body, status_code=200, headers=headers, media_type=FORMATS["html"][1])
        extra = [ox.Triple(ox.NamedNode(doc), ox.NamedNode(FOAF_PRIMARY_TOPIC), ox.NamedNode(thing))]
        extra += [ox.Triple(ox.NamedNode(thing), ox.NamedNode(OWL_SAME_AS), ox.NamedNode(c)) for c in present
                  if c != thing]
        out = extra + triples
        if fmt == "rdfxml" and not _rdfxml_ok(out):
            return _text(406, "this description has a predicate IRI without an XML local name and cannot be "
                         "written as RDF/XML; ask for Turtle, JSON-LD or N-Triples", headers=headers)
        body = ox.serialize(out, format=FORMATS[fmt][2], prefixes=self._prefixes(out))
        return Response(body, status_code=200, headers=headers, media_type=FORMATS[fmt][1])

    def _prefixes(self, triples: Sequence[ox.Triple]) -> dict[str, str]:
        """The rule table's prefixes that the triples use (namespaces ending with '/' or '#')."""
        spaces: set[str] = set()
        for t in triples:
            for term in (t.predicate, t.object):
                if isinstance(term, ox.NamedNode):
                    v = term.value
                    spaces.add(v[: max(v.rfind("/"), v.rfind("#")) + 1])
        return {p: ns for p, ns in sorted(self.rules.prefixes.items()) if ns in spaces}


def _text(status: int, message: str, *, headers: dict[str, str] | None = None, vary: bool = False) -> Response:
    h = {**SECURITY_HEADERS, **(headers or {})}
    if vary:
        h.setdefault("Vary", "Accept")
    return PlainTextResponse(message + ("" if message.endswith("\n") else "\n"), status_code=status, headers=h)


def _redirect(target: str, query: str, status: int) -> Response:
    url = target + (f"?{query}" if query else "")
    return RedirectResponse(url, status_code=status, headers={"Vary": "Accept", **SECURITY_HEADERS})


def create_app(store: TripleStore, rules: Rules) -> Starlette:
    """The ASGI application serving ``store`` under ``rules.base``.

    >>> from mimbridge.resolve.store import OxigraphStore
    >>> app = create_app(OxigraphStore(), Rules.default())
    >>> [r.path for r in app.routes]
    ['/catalog', '/{path:path}']
    """
    resolver = Resolver(store, rules)
    app = Starlette(routes=[Route("/catalog", catalog_response, methods=["GET", "HEAD"]),
                            Route("/{path:path}", resolver.handle, methods=["GET", "HEAD"])])
    app.state.resolver = resolver
    return app


def _rules(rules: Rules | str | os.PathLike[str] | None, base: str | None) -> Rules:
    if isinstance(rules, Rules):
        return rules if base is None else Rules(rules.data, base=base)
    if rules is None:
        return Rules.default(base=base)
    return Rules.from_file(rules, base=base)


def app_from_env() -> Starlette:
    """App factory for ``uvicorn --factory`` and multi-worker serving (``MIMBRIDGE_RESOLVER_*`` variables)."""
    env = os.environ
    rules = _rules(env.get("MIMBRIDGE_RESOLVER_RULES") or None, env.get("MIMBRIDGE_RESOLVER_BASE") or None)
    genid = rules.base + ".well-known/genid/"
    store = open_store(env["MIMBRIDGE_RESOLVER_STORE"], read_only=True, genid_base=genid)
    return create_app(store, rules)


def serve(store: str | os.PathLike[str], *, base: str | None = None, rules: Rules | str | None = None,
          host: str = "127.0.0.1", port: int = 8080, workers: int = 1, log_level: str = "warning") -> None:
    """Run the resolver with uvicorn until interrupted (the store is opened read-only).

    ``store``: a folder made by :func:`~mimbridge.resolve.store.load`, or a SPARQL query URL.
    """
    import uvicorn

    r = _rules(rules, base)
    if workers > 1:
        os.environ["MIMBRIDGE_RESOLVER_STORE"] = str(store)
        os.environ["MIMBRIDGE_RESOLVER_BASE"] = r.base
        if rules is not None and not isinstance(rules, Rules):
            os.environ["MIMBRIDGE_RESOLVER_RULES"] = str(rules)
        uvicorn.run("mimbridge.resolve.service:app_from_env", factory=True, host=host, port=port,
                    workers=workers, log_level=log_level, access_log=False)
        return
    app = create_app(open_store(store, read_only=True, genid_base=r.base + ".well-known/genid/"), r)
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
