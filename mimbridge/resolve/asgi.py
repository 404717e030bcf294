"""The resolver's HTTP side: a plain ASGI app over :class:`~mimbridge.resolve.service.Resolver`.

* **Cached representations**: each answer is kept, keyed by (path, query, negotiated
  format), in a bounded LRU cache (bytes) and, with ``shared_dir``, in a file that the
  worker processes share (:class:`~mimbridge.resolve.sharedcache.SharedCache`); both are
  dropped whenever a load publishes a new store snapshot
  (:class:`~mimbridge.resolve.snapshots.ServingStore`, checked at most every
  ``reload_interval`` seconds), so only the first request of a resource reads the store.
* **HTTP caching**: ``ETag`` (a hash of the body) and ``Last-Modified`` (when the snapshot
  was published) on every representation, ``304 Not Modified`` on a matching
  ``If-None-Match`` (or, without it, ``If-Modified-Since``), ``Cache-Control`` from the
  store's configuration, ``Vary: Accept`` on negotiated answers, ``HEAD`` without a body.
* **Bounds**: GET and HEAD only (``405``), request target at most ``max_target`` bytes
  (``414``), no request body (``413``); header size and connection limits are enforced
  by the server protocol (:mod:`mimbridge.resolve.server`) from :attr:`ResolverApp.limits`.
* **Access log** in the Common Log Format (:class:`AccessLog`: lines gathered and written
  to stderr at most ``interval`` seconds later, since a write per request would cost more
  than serving the request from the cache).

>>> from mimbridge.resolve.store import OxigraphStore
>>> from mimbridge.resolve.minting import Rules
>>> from mimbridge.resolve.service import Resolver
>>> app = ResolverApp(Resolver(OxigraphStore(), Rules.default(base="https://id.example.org/")))
>>> app.limits.max_connections, app.cache_control
(1024, 'public, max-age=300')
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any

from .service import Representation, Resolver, format_of
from .sharedcache import SharedCache
from .snapshots import ServingStore

__all__ = ["ACCESS_LOG", "AccessLog", "Limits", "ResolverApp", "clf_line", "create_app", "etag_matches"]

ACCESS_LOG = logging.getLogger("mimbridge.resolve.access")
DEFAULT_CACHE_CONTROL = "public, max-age=300"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
Scope = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Limits:
    """Request bounds: target (path + query) bytes, header bytes and count, connections per worker process,
    and the ``Retry-After`` seconds of the ``503`` past the connection limit."""

    max_target: int = 4096
    max_header_bytes: int = 16384
    max_headers: int = 100
    max_connections: int = 1024
    retry_after: int = 1


def etag_matches(header: bytes, etag: bytes) -> bool:
    """True when an ``If-None-Match`` value matches ``etag`` (weak comparison, ``*`` matches any).

    >>> etag_matches(b'W/"a", "b"', b'"a"'), etag_matches(b'"c"', b'"a"'), etag_matches(b"*", b'"a"')
    (True, False, True)
    """
    for tag in header.split(b","):
        tag = tag.strip()
        if tag == b"*" or tag.removeprefix(b"W/") == etag:
            return True
    return False


def _not_modified_since(header: bytes, modified: float) -> bool:
    try:
        when = parsedate_to_datetime(header.decode("latin-1")).timestamp()
    except (TypeError, ValueError, IndexError):
        return False
    return int(modified) <= when


def clf_line(client: Any, method: str, target: bytes, version: str, status: int, size: int, now: float) -> str:
    """One Common Log Format line (``host ident authuser [date] "request" status bytes``).

    >>> clf_line(("127.0.0.1", 5000), "GET", b"/doc/x?format=ttl", "1.1", 200, 512, 0.0)
    '127.0.0.1 - - [01/Jan/1970:00:00:00 +0000] "GET /doc/x?format=ttl HTTP/1.1" 200 512'
    """
    t = time.gmtime(now)
    stamp = f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon - 1]}/{t.tm_year}:{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} +0000"
    host = client[0] if client else "-"
    return (f'{host} - - [{stamp}] "{method} {target.decode("latin-1")} HTTP/{version}" {status} '
            f'{size if size else "-"}')


class AccessLog:
    """Common Log Format lines, written to ``stream`` (stderr) in batches: at most ``interval`` s late.

    >>> import io
    >>> log = AccessLog(io.StringIO())
    >>> log.add(("10.0.0.1", 1), "HEAD", b"/", "1.1", 200, 0, 86400.0); log.flush(); log.stream.getvalue()
    '10.0.0.1 - - [02/Jan/1970:00:00:00 +0000] "HEAD / HTTP/1.1" 200 -\\n'
    """

    def __init__(self, stream: Any = None, *, interval: float = 0.5, max_lines: int = 1000) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.max_lines = max_lines
        self.lines: list[str] = []
        self._second = -1
        self._stamp = ""

    def add(self, client: Any, method: str, target: bytes, version: str, status: int, size: int,
            now: float) -> None:
        """Queue one request's line (``now``: seconds since the epoch)."""
        second = int(now)
        if second != self._second:
            self._second = second
            self._stamp = clf_line(None, "", b"", "", 0, 0, second).split("[", 1)[1].split("]", 1)[0]
        host = client[0] if client else "-"
        self.lines.append(f'{host} - - [{self._stamp}] "{method} {target.decode("latin-1")} HTTP/{version}" '
                          f'{status} {size if size else "-"}\n')
        if len(self.lines) >= self.max_lines:
            self.flush()
        elif len(self.lines) == 1:
            try:
                asyncio.get_running_loop().call_later(self.interval, self.flush)
            except RuntimeError:  # no event loop: write now
                self.flush()

    def flush(self) -> None:
        """Write the queued lines."""
        if self.lines:
            text, self.lines = "".join(self.lines), []
            try:
                self.stream.write(text)
                self.stream.flush()
            except (OSError, ValueError):
                pass


class ResolverApp:
    """ASGI app: cached representations of ``resolver`` with HTTP caching, bounds and an access log.

    ``source`` reopens the store when a load publishes a new snapshot; ``cache_bytes`` bounds the
    cache (bodies over ``cache_bytes // 64`` are not kept); ``shared_dir`` (a folder of the running
    server) holds the cache shared by worker processes, at most ``shared_bytes``; ``cache_control``
    applies unless the store's configuration sets one; bodies over ``chunk`` bytes go out in pieces.
    """

    def __init__(self, resolver: Resolver, *, source: ServingStore | None = None, cache_bytes: int = 64 << 20,
                 cache_control: str | None = None, limits: Limits | None = None, access_log: bool = False,
                 reload_interval: float = 1.0, chunk: int = 1 << 16, shared_dir: str | None = None,
                 shared_bytes: int = 1 << 30) -> None:
        self.resolver = resolver
        self.source = source
        self.limits = limits or Limits()
        self.access_log = AccessLog() if access_log else None
        self.reload_interval = reload_interval
        self.chunk = chunk
        self.cache_bytes = cache_bytes
        self._default_cache_control = cache_control or DEFAULT_CACHE_CONTROL
        self._cache: OrderedDict[tuple[str, str, str | None], Representation] = OrderedDict()
        self._cached_bytes = 0
        self._next_check = 0.0
        self.shared_dir = None if shared_dir is None else Path(shared_dir)
        self.shared_bytes = shared_bytes
        self.shared: SharedCache | None = None
        self._set_version()

    @property
    def cache_control(self) -> str:
        """The ``Cache-Control`` of representations (the store's configuration wins over the default)."""
        return self._cache_control.decode("latin-1")

    def _set_version(self) -> None:
        conf = self.source.cache_control if self.source is not None else None
        self._cache_control = (conf or self._default_cache_control).encode("latin-1")
        modified = self.source.modified if self.source is not None else time.time()
        self.modified = modified
        self._last_modified = formatdate(modified, usegmt=True).encode("ascii")
        if self.shared_dir is not None:
            old = self.shared
            version = (self.source.version if self.source is not None else "") or "store"
            self.shared = SharedCache(self.shared_dir / f"{version}.sqlite", max_bytes=self.shared_bytes)
            if old is not None and old.path != self.shared.path:
                old.close()
                for suffix in ("", "-wal", "-shm"):
                    Path(str(old.path) + suffix).unlink(missing_ok=True)

    def _maybe_reload(self) -> None:
        now = time.monotonic()
        if now < self._next_check or self.source is None:
            return
        self._next_check = now + self.reload_interval
        if self.source.check():
            self.resolver.store = self.source.store
            self.clear_cache()
            self._set_version()

    def clear_cache(self) -> None:
        """Forget every cached representation."""
        self._cache.clear()
        self._cached_bytes = 0

    async def _representation(self, path: str, query: str, fmt: str | None) -> Representation:
        key = (path, query, fmt)
        rep = self._cache.get(key)
        if rep is not None:
            self._cache.move_to_end(key)
            return rep
        shared = self.shared
        rep = shared.get(key) if shared is not None else None
        if rep is None:
            if self.resolver.store.remote:
                rep = await asyncio.get_running_loop().run_in_executor(None, self.resolver.represent, path, query,
                                                                       fmt)
            else:
                rep = self.resolver.represent(path, query, fmt)
            if shared is not None:
                shared.put(key, rep)
        size = len(rep.body) + len(path) + len(query) + 200
        if size <= self.cache_bytes // 64:
            self._cache[key] = rep
            self._cached_bytes += size
            while self._cached_bytes > self.cache_bytes and self._cache:
                (k, old) = self._cache.popitem(last=False)
                self._cached_bytes -= len(old.body) + len(k[0]) + len(k[1]) + 200
        return rep

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if self.access_log is not None:
                        self.access_log.flush()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if kind != "http":
            return
        if scope["path"] == "/catalog":  # the DCAT description of the store (MIM1 R7)
            status, size = await self._catalog(scope, receive, send)
        else:
            status, size = await self._handle(scope, send)
        if self.access_log is not None:
            raw = scope.get("raw_path") or scope["path"].encode("utf-8")
            qs = scope.get("query_string") or b""
            self.access_log.add(scope.get("client"), scope["method"], raw + (b"?" + qs if qs else b""),
                                scope.get("http_version", "1.1"), status, size, time.time())

    async def _catalog(self, scope: Scope, receive: Any, send: Any) -> tuple[int, int]:
        if getattr(self, "_catalog_app", None) is None:
            from starlette.applications import Starlette
            from starlette.routing import Route

            from .catalog import catalog_response

            app = Starlette(routes=[Route("/catalog", catalog_response, methods=["GET", "HEAD"])])
            app.state.resolver = self.resolver
            self._catalog_app = app
        seen = {"status": 200, "size": 0}

        async def sending(message: Any) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body":
                seen["size"] += len(message.get("body", b""))
            await send(message)

        await self._catalog_app(scope, receive, sending)
        return seen["status"], seen["size"]

    async def _handle(self, scope: Scope, send: Any) -> tuple[int, int]:
        method = scope["method"]
        raw = scope.get("raw_path") or scope["path"].encode("utf-8")
        qs: bytes = scope.get("query_string") or b""
        accept = inm = ims = None
        has_body = False
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value
            elif name == b"if-none-match":
                inm = value
            elif name == b"if-modified-since":
                ims = value
            elif (name == b"content-length" and value.strip() not in (b"0", b"")) or name == b"transfer-encoding":
                has_body = True
        if method not in ("GET", "HEAD"):
            rep = Representation.text(405, "only GET and HEAD", headers={"Allow": "GET, HEAD"})
        elif len(raw) + len(qs) > self.limits.max_target:
            rep = Representation.text(414, f"request target longer than {self.limits.max_target} bytes")
        elif has_body:
            rep = Representation.text(413, "a GET or HEAD request has no body")
        else:
            try:
                path = raw.decode("ascii")
                query = qs.decode("ascii")
            except UnicodeDecodeError:
                path = query = ""
            if not path:
                rep = Representation.text(400, "request target is not percent-encoded ASCII")
            else:
                self._maybe_reload()
                fmt = None
                if self.resolver.is_document(path):
                    fmt = format_of(query, accept.decode("latin-1") if accept is not None else None)
                rep = await self._representation(path, query, fmt)
        return await self._send(rep, method, send, inm, ims)

    async def _send(self, rep: Representation, method: str, send: Any, inm: bytes | None,
                    ims: bytes | None) -> tuple[int, int]:
        status = rep.status
        headers = list(rep.headers)
        if status < 400:
            headers.append((b"cache-control", self._cache_control))
        else:
            headers.append((b"cache-control", b"no-cache"))
        if rep.etag is not None:
            headers.append((b"etag", rep.etag))
            headers.append((b"last-modified", self._last_modified))
            if method in ("GET", "HEAD") and (
                    etag_matches(inm, rep.etag) if inm is not None
                    else ims is not None and _not_modified_since(ims, self.modified)):
                keep = [(k, v) for k, v in headers if k != b"content-type"]
                await send({"type": "http.response.start", "status": 304, "headers": keep})
                await send({"type": "http.response.body", "body": b""})
                return 304, 0
        body = rep.body
        headers.append((b"content-length", str(len(body)).encode("ascii")))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if method == "HEAD" or not body:
            await send({"type": "http.response.body", "body": b""})
            return status, 0
        step = self.chunk
        if len(body) <= step:
            await send({"type": "http.response.body", "body": body})
        else:
            view = memoryview(body)
            for i in range(0, len(body), step):
                await send({"type": "http.response.body", "body": bytes(view[i:i + step]),
                            "more_body": i + step < len(body)})
        return status, len(body)


def create_app(store: Any, rules: Any, **options: Any) -> ResolverApp:
    """The ASGI application serving ``store`` under ``rules.base`` (``options``: see
    :class:`~mimbridge.resolve.asgi.ResolverApp`).

    >>> from mimbridge.resolve.minting import Rules
    >>> from mimbridge.resolve.store import OxigraphStore
    >>> app = create_app(OxigraphStore(), Rules.default(base="https://id.example.org/"))
    >>> app.resolver.rules.base
    'https://id.example.org/'
    """
    return ResolverApp(Resolver(store, rules), **options)
