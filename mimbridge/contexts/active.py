"""Active JSON-LD contexts for NGSI-LD term expansion and compaction.

The JSON-LD context processing itself (protected terms, scoped contexts,
prefixes, ``@vocab``) is pyld's; this module runs it once per distinct
``@context`` value, with the offline :class:`~mimbridge.contexts.loader.ContextLoader`,
and then memoises term <-> IRI lookups so that converting a million entities
costs one context processing and dictionary hits.

NGSI-LD always appends its core context last (clause 5.5.7 of GS CIM 009):
``ActiveContext`` does so unless the given context already names a core
context URL.

>>> from mimbridge.contexts.loader import ContextLoader
>>> ctx = ActiveContext.get({"brandName": "https://ex.org/brandName"}, loader=ContextLoader())
>>> ctx.expand("brandName"), ctx.expand("observedAt"), ctx.expand("speed")
('https://ex.org/brandName', 'https://uri.etsi.org/ngsi-ld/observedAt', 'https://uri.etsi.org/ngsi-ld/default-context/speed')
>>> ctx.compact("https://uri.etsi.org/ngsi-ld/default-context/speed")
'speed'
"""

from __future__ import annotations

import json
from typing import Any

from pyld import jsonld
from pyld.context_resolver import ContextResolver

from ..errors import ResolutionError
from .core import DEFAULT_CORE_VERSION, core_context_url, core_version_of
from .loader import ContextLoader, loader_error

__all__ = ["ActiveContext", "context_urls"]

_CACHE: dict[tuple, ActiveContext] = {}
_CACHE_MAX = 256


def context_urls(ctx: Any) -> list[str]:
    """The URLs named at the top level of an ``@context`` value."""
    if isinstance(ctx, str):
        return [ctx]
    if isinstance(ctx, list):
        return [c for c in ctx if isinstance(c, str)]
    return []


def _key(ctx: Any) -> Any:
    if ctx is None or isinstance(ctx, str):
        return ctx
    if isinstance(ctx, list) and all(isinstance(c, str) for c in ctx):
        return tuple(ctx)
    return json.dumps(ctx, sort_keys=True)


class ActiveContext:
    """A processed ``@context`` with memoised ``expand``/``compact`` of terms."""

    __slots__ = ("_compact", "_expand", "_proc", "_terms", "active", "core_version", "source", "unresolved")

    def __init__(self, ctx: Any, *, loader: ContextLoader, core_version: str = DEFAULT_CORE_VERSION) -> None:
        self.source = ctx
        self._proc = jsonld.JsonLdProcessor()
        urls = context_urls(ctx)
        versions = [v for v in (core_version_of(u) for u in urls) if v]
        self.core_version = versions[-1] if versions else core_version
        local: list[Any] = [] if ctx is None else (list(ctx) if isinstance(ctx, list) else [ctx])
        if not versions:
            local.append(core_context_url(core_version))
        before = len(loader.unresolved)
        self.active = self._process(local, loader)
        self.unresolved = loader.unresolved[before:]
        self._expand: dict[str, str] = {}
        self._compact: dict[str, str] = {}
        self._terms: dict[str, str] | None = None

    def _process(self, local: list[Any], loader: ContextLoader) -> dict:
        options = {
            "documentLoader": loader,
            "base": "",
            "processingMode": "json-ld-1.1",
            "contextResolver": ContextResolver({}, loader),
        }
        try:
            return self._proc.process_context(self._proc._get_initial_context(options), local, options)
        except jsonld.JsonLdError as exc:
            cause = loader_error(exc)
            if cause is not None:  # the loader's own reason, not pyld's generic "loading remote context failed"
                raise ResolutionError(str(cause)) from exc
            raise ResolutionError(f"invalid @context: {exc}") from exc

    @classmethod
    def get(cls, ctx: Any, *, loader: ContextLoader, core_version: str = DEFAULT_CORE_VERSION) -> ActiveContext:
        """A cached ActiveContext for ``ctx`` (same value + same loader config = same object)."""
        key = (_key(ctx), loader.key, core_version)
        hit = _CACHE.get(key)
        if hit is not None:
            if hit.unresolved:
                for u in hit.unresolved:
                    if u not in loader.unresolved:
                        loader.unresolved.append(u)
            return hit
        made = cls(ctx, loader=loader, core_version=core_version)
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = made
        return made

    def expand(self, term: str) -> str:
        """Expand a term, compact IRI or IRI (vocabulary-relative, as JSON-LD does for keys and types)."""
        iri = self._expand.get(term)
        if iri is None:
            try:
                iri = self._proc._expand_iri(self.active, term, vocab=True)
            except ValueError:  # pyld refuses a term it would resolve as a relative IRI: kept as it is
                iri = None
            if iri is None:
                iri = term
            self._expand[term] = iri
        return iri

    def compact(self, iri: str) -> str:
        """Compact an IRI to the term (or compact IRI) this context gives it."""
        term = self._compact.get(iri)
        if term is None:
            term = self._proc._compact_iri(self.active, iri, vocab=True)
            d = self.active["mappings"].get(term)
            if not (isinstance(d, dict) and d.get("@id") == iri):
                # JSON-LD term selection skips terms with a @type or @container coercion when no value is
                # given; an NGSI-LD attribute or type name is such a term all the same (``max``, ``startAt``)
                term = self._plain_terms().get(iri, term)
            if term != iri and self.expand(term) != iri:
                # a vocabulary-relative name that reads as an IRI of its own (``urn:x:a`` under @vocab,
                # JSON-LD compaction does not check): the full IRI, which expands to itself
                term = iri
            self._compact[iri] = term
        return term

    def _plain_terms(self) -> dict[str, str]:
        """IRI -> the shortest (then least) term defining it, whatever its coercion (built once)."""
        by_iri = self._terms
        if by_iri is None:
            by_iri = {}
            for t, d in self.active["mappings"].items():
                if isinstance(d, dict) and isinstance(d.get("@id"), str) and not d.get("reverse") and ":" not in t:
                    old = by_iri.get(d["@id"])
                    if old is None or (len(t), t) < (len(old), old):
                        by_iri[d["@id"]] = t
            self._terms = by_iri
        return by_iri

    def term_definition(self, term: str) -> dict[str, Any] | None:
        """pyld's definition of ``term`` (``@id``, ``@type``, ``@container``...), or None."""
        return self.active["mappings"].get(term)
