"""Offline-first JSON-LD document loading.

:class:`ContextLoader` is a pyld-compatible document loader that never opens
a socket unless told to:

1. NGSI-LD core context URLs (every version) are answered from the package's
   own term table (:mod:`mimbridge.contexts.core`), and the contexts the package
   ships (:mod:`mimbridge.contexts.bundled`) from its resources;
2. ``documents`` maps URLs to local copies (a dict, or a path to a JSON file):
   the way to use a user ``@context`` offline;
3. a URL under one of the ``allow`` prefixes (compared on parsed URL parts:
   scheme, host, port, path segments; see :mod:`mimbridge.contexts.remote`)
   is fetched over HTTP(S) once, then cached: redirects only to allowed URLs,
   one deadline of ``timeout`` seconds for the whole fetch, at most 2 MiB;
4. anything else is *unresolved*: the loader answers an empty context and
   records the URL in :attr:`ContextLoader.unresolved`; terms then expand
   through the core context's default vocabulary, as NGSI-LD prescribes for
   undefined terms, and the conversion report carries an ``Unresolved`` event.

>>> loader = ContextLoader(documents={"https://example.org/ctx.jsonld": {"@context": {"a": "https://ex.org/a"}}})
>>> loader("https://example.org/ctx.jsonld")["document"]["@context"]["a"]
'https://ex.org/a'
>>> loader("https://elsewhere.example/ctx.jsonld")["document"]
{'@context': {}}
>>> loader.unresolved
['https://elsewhere.example/ctx.jsonld']
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ResolutionError
from .bundled import BUNDLED
from .core import core_context_document, core_version_of
from .remote import AllowList, fetch

__all__ = ["ContextLoader", "Fetcher", "context_option", "loader_error"]

#: ``fetch(url, timeout) -> bytes``: how allowed remote documents are fetched.
Fetcher = Callable[[str, float], bytes]

MAX_CONTEXT_BYTES = 2 * 1024 * 1024

#: Contexts imported by the core context itself that the package does not ship;
#: they only scope terms no entity payload uses, so they resolve to an empty
#: context without an ``Unresolved`` event.
QUIET_EMPTY = frozenset({
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/data-integrity/v1",
})


def context_option(value: Any) -> Any:
    """Normalise a user-given ``@context`` option: a local file path is read and its ``@context`` used.

    URLs, inline dicts and lists are returned unchanged (URLs resolve through the loader).

    >>> context_option({"a": "https://ex.org/a"})
    {'a': 'https://ex.org/a'}
    >>> context_option("https://example.org/ctx.jsonld")
    'https://example.org/ctx.jsonld'
    """
    is_path = isinstance(value, os.PathLike) or (
        isinstance(value, str) and "://" not in value and not value.startswith("urn:"))
    if not is_path:
        return value
    try:
        doc = json.loads(Path(value).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ResolutionError(f"cannot read context file {value}: {exc}") from exc
    return doc.get("@context", doc) if isinstance(doc, dict) else doc


def loader_error(exc: BaseException) -> ResolutionError | None:
    """The :class:`ResolutionError` a document loader raised under ``exc`` (pyld wraps it in a generic one).

    pyld reports every failed context load as "Dereferencing a URL did not
    result in a valid JSON-LD object ..."; the loader's own error (a redirect
    off the allow-list, the size cap, the deadline) is in its cause chain.

    >>> try:
    ...     try:
    ...         raise ResolutionError("context x: too large")
    ...     except ResolutionError as inner:
    ...         raise RuntimeError("loading remote context failed") from inner
    ... except RuntimeError as outer:
    ...     str(loader_error(outer))
    'context x: too large'
    """
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, ResolutionError):
            return cur
        cur = cur.__cause__ or cur.__context__
    return None


class ContextLoader:
    """A pyld document loader that resolves contexts offline unless allowed.

    ``documents``: URL -> dict (a JSON-LD document or a bare context) or path.
    ``allow``: URL prefixes that may be fetched (e.g. ``["https://smartdatamodels.org/"]``).
    ``timeout``: seconds for each remote fetch as a whole (redirects, connecting,
    reading). ``fetch``: injectable transport, ``fetch(url, timeout) -> bytes``.
    """

    def __init__(
        self,
        *,
        documents: Mapping[str, Any] | None = None,
        allow: Iterable[str] = (),
        timeout: float = 10.0,
        fetch: Fetcher | None = None,
    ) -> None:
        self.documents = dict(documents or {})
        if isinstance(allow, str):
            allow = [allow]
        self.allow = tuple(allow)
        self.allow_list = AllowList(self.allow)
        self.timeout = timeout
        self.fetch: Fetcher = fetch or self._fetch_allowed
        self.unresolved: list[str] = []
        self._cache: dict[str, Any] = {}
        self._key: tuple | None = None

    @property
    def key(self) -> tuple:
        """Hashable identity of what this loader can resolve (for caches)."""
        if self._key is None:
            docs = tuple(sorted((u, str(v) if isinstance(v, (str, os.PathLike)) else json.dumps(v, sort_keys=True))
                                for u, v in self.documents.items()))
            self._key = (docs, self.allow)
        return self._key

    def allowed(self, url: str) -> bool:
        """True when ``url`` may be fetched over the network (see :class:`~mimbridge.contexts.remote.AllowList`)."""
        return self.allow_list.allows(url)

    def _fetch_allowed(self, url: str, timeout: float) -> bytes:
        return fetch(url, allow=self.allow_list, timeout=timeout, max_bytes=MAX_CONTEXT_BYTES)

    def resolve(self, url: str) -> Any | None:
        """The JSON document for ``url``, or None when it cannot be resolved offline or allowed."""
        if url in self._cache:
            return self._cache[url]
        doc: Any = None
        version = core_version_of(url)
        if version is not None:
            doc = core_context_document(version)
        elif url in self.documents:
            doc = self._local(url, self.documents[url])
        elif url in BUNDLED:
            doc = json.loads(resources.files("mimbridge.contexts").joinpath(BUNDLED[url]).read_text("utf-8"))
        elif url in QUIET_EMPTY:
            doc = {"@context": {}}
        elif self.allowed(url):
            try:
                data = self.fetch(url, self.timeout)
            except ResolutionError:
                raise
            except Exception as exc:  # network errors of an injected transport
                raise ResolutionError(f"cannot fetch allowed context {url}: {type(exc).__name__}: {exc}") from exc
            try:
                doc = json.loads(data)
            except ValueError as exc:
                raise ResolutionError(f"allowed context {url} is not JSON: {exc}") from exc
        if doc is not None:
            if isinstance(doc, dict) and "@context" not in doc:
                doc = {"@context": doc}
            self._cache[url] = doc
        return doc

    @staticmethod
    def _local(url: str, value: Any) -> Any:
        if isinstance(value, (str, os.PathLike)):
            try:
                with open(Path(value), encoding="utf-8") as fh:
                    return json.load(fh)
            except (OSError, ValueError) as exc:
                raise ResolutionError(f"local copy of context {url} unreadable: {exc}") from exc
        return copy.deepcopy(value)

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        doc = self.resolve(url)
        if doc is None:
            if url not in self.unresolved:
                self.unresolved.append(url)
            doc = {"@context": {}}
        return {"contextUrl": None, "documentUrl": url, "document": doc}
