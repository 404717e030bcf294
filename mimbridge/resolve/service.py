"""The resolver service: what each minted URI answers, as ready-to-send representations.

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
:class:`Resolver` turns (path, query, format) into a :class:`Representation` (status,
headers, body, ETag); :mod:`mimbridge.resolve.asgi` caches those and speaks HTTP
(conditional requests, HEAD, limits, access log), :mod:`mimbridge.resolve.server` runs it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from ..errors import ResolutionError
from .identifiers import EXTERNAL_RESOLVERS, Identifier, to_uri
from .minting import Rules
from .page import Compactor, render
from .store import TripleStore

__all__ = ["FORMATS", "Representation", "Resolver", "negotiate"]

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


@lru_cache(maxsize=512)
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


@dataclass(slots=True)
class Representation:
    """A ready response: ``status``, ``headers`` (lower-case byte pairs, no length), ``body`` and its ``etag``.

    >>> r = Representation.text(404, "nothing here")
    >>> r.status, r.body, r.etag is None
    (404, b'nothing here\\n', True)
    """

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None = None

    @classmethod
    def make(cls, status: int, body: bytes, headers: dict[str, str]) -> Representation:
        """A representation with an ETag (strong: a hash of the body) when the status is 200."""
        etag = None
        if status == 200:
            etag = b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode("ascii") + b'"'
        pairs = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        return cls(status, pairs, body, etag)

    @classmethod
    def text(cls, status: int, message: str, *, headers: dict[str, str] | None = None,
             vary: bool = False) -> Representation:
        """A plain-text answer (errors, the root page)."""
        h = {"Content-Type": "text/plain; charset=utf-8", **SECURITY_HEADERS, **(headers or {})}
        if vary:
            h.setdefault("Vary", "Accept")
        return cls.make(status, (message + ("" if message.endswith("\n") else "\n")).encode("utf-8"), h)

    @classmethod
    def redirect(cls, target: str, query: str, status: int) -> Representation:
        """A redirect to a path of this resolver (``query`` kept)."""
        url = target + (f"?{query}" if query else "")
        return cls.make(status, b"", {"Location": url, "Vary": "Accept", **SECURITY_HEADERS})


class Resolver:
    """The request handling, independent of HTTP: (path, query, format) -> :class:`Representation`."""

    def __init__(self, store: TripleStore, rules: Rules) -> None:
        if rules.placeholder:
            from .minting import NO_BASE_HINT

            raise ResolutionError(f"the resolver needs a base: {NO_BASE_HINT}")
        self.store = store
        self.rules = rules
        self.base_path = rules.base_path
        self.doc_prefix = rules.document_path
        self.compact = Compactor(rules.prefixes)

    def _path(self, uri: str) -> str:
        return urlsplit(uri).path

    def is_document(self, path: str) -> bool:
        """True when ``path`` names a document (its answer depends on the format asked for)."""
        return path.startswith(self.base_path + self.doc_prefix)

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

    def represent(self, path: str, query: str, fmt: str | None) -> Representation:
        """The answer to a GET of ``path`` (percent-encoded, ASCII) with ``query``; ``fmt`` is the negotiated
        format of a document (None: nothing acceptable). Blocks on the store."""
        if not path.startswith(self.base_path):
            return Representation.text(404, "not under the resolver base")
        rel = path[len(self.base_path):]
        if rel == "":
            return Representation.text(200, f"mimbridge resolver for {self.rules.base}\n")
        is_doc = rel.startswith(self.doc_prefix)
        thing = self.rules.base + (rel[len(self.doc_prefix):] if is_doc else rel)
        ident, canonical, cands = self._locate(thing)
        if canonical != thing:
            target = self._path(self.rules.document_uri(canonical) if is_doc else canonical)
            return Representation.redirect(target, query, 301)
        present = [c for c in cands if self.store.first_subject([c]) is not None]
        if not present:
            if ident is not None and ident.scheme in EXTERNAL_RESOLVERS:
                return Representation.make(303, b"", {"Location": to_uri(ident), "Vary": "Accept",
                                                      **SECURITY_HEADERS})
            return Representation.text(404, "nothing is known about this URI", vary=is_doc)
        if not is_doc:
            return Representation.redirect(self._path(self.rules.document_uri(thing)), query, 303)
        return self.document(thing, present, fmt)

    def document(self, thing: str, present: list[str], fmt: str | None) -> Representation:
        doc = self.rules.document_uri(thing)
        doc_path = self._path(doc)
        links = ", ".join(f'<{doc_path}?format={SHORT[n]}>; rel="alternate"; type="{FORMATS[n][0]}"'
                          for n in FORMATS)
        headers = {"Vary": "Accept", "Link": links, **SECURITY_HEADERS}
        if fmt is None:
            offered = ", ".join(m for m, _, _ in FORMATS.values())
            return Representation.text(406, f"not acceptable; this resolver offers {offered} "
                                       "(or ?format=ttl|jsonld|nt|rdf|html)", headers=headers)
        triples = self.store.describe(present)
        if fmt == "html":
            referrers: list[tuple[str, str]] = []
            for c in present:
                referrers += self.store.referrers(c, limit=50)
            alternates = [(LABEL[n], f"{doc_path}?format={SHORT[n]}", FORMATS[n][0]) for n in FORMATS if n != "html"]
            body = render(self.rules, thing=thing, subjects=present, triples=triples,
                          referrers=sorted(set(referrers)), alternates=alternates, compact=self.compact)
            headers["Content-Security-Policy"] = HTML_CSP
            headers["Content-Type"] = FORMATS["html"][1]
            return Representation.make(200, body.encode("utf-8"), headers)
        extra = [ox.Triple(ox.NamedNode(doc), ox.NamedNode(FOAF_PRIMARY_TOPIC), ox.NamedNode(thing))]
        extra += [ox.Triple(ox.NamedNode(thing), ox.NamedNode(OWL_SAME_AS), ox.NamedNode(c)) for c in present
                  if c != thing]
        out = extra + triples
        if fmt == "rdfxml" and not _rdfxml_ok(out):
            return Representation.text(406, "this description has a predicate IRI without an XML local name and "
                                       "cannot be written as RDF/XML; ask for Turtle, JSON-LD or N-Triples",
                                       headers=headers)
        data = ox.serialize(out, format=FORMATS[fmt][2], prefixes=self._prefixes(out)) or b""
        headers["Content-Type"] = FORMATS[fmt][1]
        return Representation.make(200, data, headers)

    def _prefixes(self, triples: Sequence[ox.Triple]) -> dict[str, str]:
        """The rule table's prefixes that the triples use (namespaces ending with '/' or '#')."""
        spaces: set[str] = set()
        for t in triples:
            for term in (t.predicate, t.object):
                if isinstance(term, ox.NamedNode):
                    v = term.value
                    spaces.add(v[: max(v.rfind("/"), v.rfind("#")) + 1])
        return {p: ns for p, ns in sorted(self.rules.prefixes.items()) if ns in spaces}


def format_of(query: str, accept: str | None) -> str | None:
    """The format asked for: ``?format=`` when given, else negotiated from ``Accept``.

    >>> format_of("format=ttl", "text/html"), format_of("", "application/n-triples"), format_of("format=png", None)
    ('turtle', 'ntriples', None)
    """
    if query and "format=" in query:
        values = parse_qs(query, keep_blank_values=True).get("format")
        if values:
            return FORMAT_PARAM.get(values[0].lower())
    return negotiate(accept)
