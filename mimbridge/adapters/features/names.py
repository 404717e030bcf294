"""Names and identifiers of the features family: term <-> IRI (``Names``), minted ids, collection names.

>>> mint_id("Lake", "Baikal")
'urn:ngsi-ld:Lake:Baikal'
"""


from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import quote

from ...contexts.active import ActiveContext
from ...contexts.core import DEFAULT_CORE_VERSION
from ...contexts.loader import ContextLoader, context_option
from ...errors import MappingError
from ...model import Kind
from ...report import ConversionReport, Unresolved

__all__ = ["DEFAULT_VOCAB", "FEATURE_MEMBERS", "RESERVED", "SCALARS", "URI_RE", "Names", "collection_name",
           "content_hash", "mint_id", "names_for_options"]

DEFAULT_VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"
URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S*$")
_IRI_LIKE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*://|urn:)", re.IGNORECASE)
_UNSAFE = re.compile(r'[\s<>"{}|\\^`%\x00-\x1f]')
#: NGSI-LD entity members and JSON-LD keywords: never attribute names
RESERVED = frozenset({"id", "type", "scope", "createdAt", "modifiedAt", "deletedAt", "expiresAt", "@context",
                      "@id", "@type", "observedAt", "unitCode", "datasetId", "instanceId"})
SCALARS = frozenset({str, int, float, bool})
FEATURE_MEMBERS = frozenset({"type", "id", "geometry", "properties"})
_COLLECTION_PATH = re.compile(r"/collections/([^/?#]+)")
PROPERTY, GEO, JSON_KIND = Kind.PROPERTY, Kind.GEO, Kind.JSON


def mint_id(type_name: str, local: Any) -> str:
    """The minted entity id ``urn:ngsi-ld:<type>:<id>`` for a feature id that is not a URI.

    ``<type>`` is the type's term (or the last segment of a type IRI); both
    parts are percent-encoded except ``A-Z a-z 0-9 - . _ ~ : ! $ & ( ) * + , ; = @``.

    >>> mint_id("Lake", 0), mint_id("sta_things", "'01a2'"), mint_id("https://schema.org/Place", "a b")
    ('urn:ngsi-ld:Lake:0', 'urn:ngsi-ld:sta_things:%2701a2%27', 'urn:ngsi-ld:Place:a%20b')
    """
    t = type_name.rstrip("/#")
    if _IRI_LIKE.match(t):
        t = re.split(r"[/#:]", t)[-1] or "Feature"
    return f"urn:ngsi-ld:{_enc(t)}:{enc_fast(str(local))}"


def _enc(s: str) -> str:
    return quote(s, safe="-._~:!$&()*+,;=@")


_SAFE_ID = re.compile(r"[A-Za-z0-9\-._~:!$&()*+,;=@]*\Z")


def enc_fast(s: str) -> str:
    return s if _SAFE_ID.match(s) else _enc(s)


def point_ok(c: Any) -> bool:
    """A valid 2D/3D GeoJSON position (the fast path of geometry validation)."""
    if c.__class__ is not list or not 2 <= len(c) <= 3:
        return False
    for x in c:
        k = x.__class__
        if k is float:
            if x - x != 0.0:  # inf or nan
                return False
        elif k is not int:
            return False
    return True


def collection_name(doc: Any) -> str | None:
    """The collection a GeoJSON document comes from: ``name`` member or OGC API ``/collections/{name}`` link.

    >>> collection_name({"links": [{"rel": "self", "href": "https://x.org/collections/lakes/items?f=json"}]})
    'lakes'
    """
    if not isinstance(doc, dict):
        return None
    name = doc.get("name")
    if isinstance(name, str) and name and "/" not in name:
        return name
    links = doc.get("links")
    if isinstance(links, list):
        for rel in ("self", "collection", "alternate", "next", "prev", "previous"):
            for link in links:
                if isinstance(link, dict) and link.get("rel") == rel and isinstance(link.get("href"), str):
                    m = _COLLECTION_PATH.search(link["href"])
                    if m:
                        return m.group(1)
    return None


class Names:
    """Property names <-> attribute IRIs for one ``@context`` (or one ``vocab`` base IRI).

    >>> n = Names(None, None)
    >>> n.iri("name"), n.iri("location")
    ('https://uri.etsi.org/ngsi-ld/default-context/name', 'https://uri.etsi.org/ngsi-ld/location')
    >>> n.iri("type")
    'https://uri.etsi.org/ngsi-ld/default-context/type'
    >>> n.term("https://uri.etsi.org/ngsi-ld/default-context/type")
    'type'
    """

    __slots__ = ("_iri", "_term", "ctx", "vocab")

    def __init__(self, ctx: ActiveContext | None, vocab: str | None, *, loader: ContextLoader | None = None,
                 core_version: str = DEFAULT_CORE_VERSION) -> None:
        self.vocab = vocab
        self.ctx = ctx if ctx is not None or vocab else ActiveContext.get(
            None, loader=loader or ContextLoader(), core_version=core_version)
        self._iri: dict[str, str] = {}
        self._term: dict[str, str] = {}

    def iri(self, name: str, avoid: str | None = None) -> str:
        """The attribute IRI of a property name (``avoid``: an IRI the name must not take)."""
        hit = self._iri.get(name)
        if hit is not None and hit != avoid:
            return hit
        base = self.vocab or DEFAULT_VOCAB
        if _IRI_LIKE.match(name) and not _UNSAFE.search(name):
            iri = name
        elif self.vocab or _UNSAFE.search(name) or name in RESERVED or self.ctx is None:
            iri = base + _escape(name)
        else:
            iri = self.ctx.expand(name)
            if iri.startswith("@") or ":" not in iri or self.ctx.compact(iri) != name:
                iri = base + _escape(name)
        if iri == avoid:
            iri = base + _escape(name)
        else:
            self._iri[name] = iri
        return iri

    def type_iri(self, term: str) -> str:
        """The type IRI of a type term (keywords and unsafe names go to the vocabulary)."""
        if _IRI_LIKE.match(term) and not _UNSAFE.search(term):
            return term
        if self.vocab or self.ctx is None or _UNSAFE.search(term):
            return (self.vocab or DEFAULT_VOCAB) + _escape(term)
        iri = self.ctx.expand(term)
        return iri if not iri.startswith("@") and ":" in iri else DEFAULT_VOCAB + _escape(term)

    def term(self, iri: str) -> str:
        """The property name of an attribute IRI (inverse of :meth:`iri`)."""
        hit = self._term.get(iri)
        if hit is not None:
            return hit
        base = self.vocab or DEFAULT_VOCAB
        if iri.startswith(base) and len(iri) > len(base):
            term = _unescape(iri[len(base):])
        elif self.ctx is not None:
            term = self.ctx.compact(iri)
        else:
            term = iri
        self._term[iri] = term
        return term


def _escape(name: str) -> str:
    return _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode()), name)


def _unescape(s: str) -> str:
    if "%" not in s:
        return s
    from urllib.parse import unquote

    return unquote(s)


def names_for_options(options: dict[str, Any], loader: ContextLoader, report: ConversionReport | None = None) -> Names:
    vocab = options.get("vocab")
    if vocab is not None and (not isinstance(vocab, str) or not URI_RE.match(vocab)):
        raise MappingError(f"vocab {vocab!r} is not an absolute IRI")
    ctx_value = context_option(options.get("context"))
    core = options.get("core_version", DEFAULT_CORE_VERSION)
    ctx = None if vocab else ActiveContext.get(ctx_value, loader=loader, core_version=core)
    if ctx is not None and report is not None:
        for url in ctx.unresolved:
            report.add(Unresolved, "/@context", f"context {url} was not resolved offline; "
                       "its terms expand through the NGSI-LD default vocabulary",
                       remedy="pass contexts={url: local file} or allow_remote=[url prefix]")
    return Names(ctx, vocab, loader=loader, core_version=core)


def loader_for_options(options: dict[str, Any]) -> ContextLoader:
    return options.get("loader") or ContextLoader(documents=options.get("contexts"),
                                                  allow=options.get("allow_remote", ()),
                                                  timeout=options.get("timeout", 10.0), fetch=options.get("fetch"))


def content_hash(feature: dict) -> str:
    """A stable hash of a feature's geometry and properties (ids of features without one)."""
    body = json.dumps([feature.get("geometry"), feature.get("properties")], sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()[:24]


# -- reading -------------------------------------------------------------------------
