"""Running the resolver: uvicorn (httptools + uvloop) with one worker process per core, bounded requests.

:class:`BoundedProtocol` is uvicorn's httptools protocol with the bounds of the app's
:class:`~mimbridge.resolve.asgi.Limits`, enforced while the request head is parsed:
request target past ``max_target`` -> ``414``, headers past ``max_header_bytes`` or
``max_headers`` -> ``431``, and every connection past ``max_connections`` (per worker
process) gets ``503 Service Unavailable`` with ``Retry-After``; each of these closes the
connection. It also sends each response's head and body in one write (uvicorn writes
them apart: two packets and two wake-ups of the client per response). The access log goes
to stderr in the Common Log Format.

>>> default_workers() >= 1
True
"""

from __future__ import annotations

import logging
import os
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .asgi import ACCESS_LOG, Limits, ResolverApp, create_app
from .minting import Rules
from .snapshots import ServingStore

__all__ = ["BoundedProtocol", "app_from_env", "default_workers", "log_config", "serve"]

_REASONS = {414: b"URI Too Long", 431: b"Request Header Fields Too Large", 503: b"Service Unavailable"}


def default_workers() -> int:
    """Worker processes by default: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class _Coalescing:
    """The transport of one response: writes gathered, sent in one piece when the response is complete
    (or when ``limit`` bytes are waiting, so long answers still stream)."""

    __slots__ = ("limit", "parts", "size", "transport")

    def __init__(self, transport: Any, limit: int = 1 << 16) -> None:
        self.transport = transport
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)
        if self.size >= self.limit:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            data = self.parts[0] if len(self.parts) == 1 else b"".join(self.parts)
            self.parts.clear()
            self.size = 0
            self.transport.write(data)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def is_closing(self) -> bool:
        return bool(self.transport.is_closing())


class BoundedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with request-size and connection bounds (see the module doc)."""

    _refused = False
    _over_limit = False

    def _limits(self) -> Limits:
        app = self.app
        while app is not None and not isinstance(app, ResolverApp):
            app = getattr(app, "app", None)
        return app.limits if app is not None else Limits()

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self.out = _Coalescing(transport)
        self.bounds = self._limits()
        self._over_limit = len(self.connections) > self.bounds.max_connections

    def _refuse(self, status: int, message: str, extra: bytes = b"") -> None:
        if self._refused:
            return
        self._refused = True
        body = message.encode("ascii") + b"\n"
        head = (b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n"
                b"connection: close\r\n" % (status, _REASONS[status], len(body)))
        if not self.transport.is_closing():
            self.transport.write(head + extra + b"\r\n" + body)
            self.transport.close()
        if ACCESS_LOG.isEnabledFor(logging.WARNING):
            ACCESS_LOG.warning("%s %d %s", self.client[0] if self.client else "-", status, message)

    def data_received(self, data: bytes) -> None:
        if not self._refused:
            super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0

    def on_url(self, url: bytes) -> None:
        if self._refused:
            return
        super().on_url(url)
        if len(self.url) > self.bounds.max_target:
            self._refuse(414, f"request target longer than {self.bounds.max_target} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._refused:
            return
        self._header_bytes += len(name) + len(value) + 4
        if self._header_bytes > self.bounds.max_header_bytes or len(self.headers) >= self.bounds.max_headers:
            self._refuse(431, f"request headers over {self.bounds.max_header_bytes} bytes or "
                              f"{self.bounds.max_headers} fields")
            return
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        if self._over_limit:
            self._refuse(503, "too many connections; retry later",
                         b"retry-after: %d\r\n" % self.bounds.retry_after)
            return
        super().on_headers_complete()
        if self.cycle is not None:
            self.cycle.transport = self.out  # type: ignore[assignment]

    def on_response_complete(self) -> None:
        self.out.flush()
        super().on_response_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._refused:
            super().on_message_complete()


def log_config(*, access_log: bool, level: str = "warning") -> dict[str, Any]:
    """uvicorn's logging configuration plus the access log (Common Log Format lines on stderr)."""
    from uvicorn.config import LOGGING_CONFIG

    conf: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in LOGGING_CONFIG.items()}
    conf["formatters"] = {**conf["formatters"], "clf": {"format": "%(message)s"}}
    conf["handlers"] = {**conf["handlers"], "clf": {"class": "logging.StreamHandler", "formatter": "clf",
                                                    "stream": "ext://sys.stderr"}}
    conf["loggers"] = {**conf["loggers"], ACCESS_LOG.name: {
        "handlers": ["clf"], "propagate": False,
        "level": "INFO" if access_log else max(logging.WARNING, logging.getLevelName(level.upper()))}}
    return conf


_ENV = "MIMBRIDGE_RESOLVER_"


def _rules(rules: Rules | str | os.PathLike[str] | None, base: str | None) -> Rules:
    if isinstance(rules, Rules):
        return rules if base is None else Rules(rules.data, base=base)
    if rules is None:
        return Rules.default(base=base)
    return Rules.from_file(os.fspath(rules), base=base)


def _make_app(store: str, rules: Rules, options: dict[str, Any]) -> ResolverApp:
    source = ServingStore(store, genid_base=rules.base + ".well-known/genid/")
    app = create_app(source.store, rules, source=source, **options)
    return app


def app_from_env() -> ResolverApp:
    """App factory for ``uvicorn --factory`` and multi-worker serving (``MIMBRIDGE_RESOLVER_*`` variables)."""
    import json

    env = os.environ
    rules = _rules(env.get(_ENV + "RULES") or None, env.get(_ENV + "BASE") or None)
    options = json.loads(env.get(_ENV + "OPTIONS") or "{}")
    if "limits" in options:
        options["limits"] = Limits(**options["limits"])
    return _make_app(env[_ENV + "STORE"], rules, options)


def serve(store: str | os.PathLike[str], *, base: str | None = None, rules: Rules | str | None = None,
          host: str = "127.0.0.1", port: int = 8080, workers: int | None = None, log_level: str = "warning",
          access_log: bool = True, cache_control: str | None = None, cache_mb: int = 64,
          limits: Limits | None = None, backlog: int = 2048) -> None:
    """Run the resolver with uvicorn until interrupted (the store is read, never written).

    ``store``: a folder made by ``mimbridge load`` (its published snapshot is served and
    followed), or a SPARQL query URL. ``workers`` defaults to one per core.
    """
    import dataclasses
    import json
    import shutil
    import tempfile

    import uvicorn

    r = _rules(rules, base)
    workers = workers or default_workers()
    limits = limits or Limits()
    options: dict[str, Any] = {"cache_bytes": cache_mb << 20, "cache_control": cache_control,
                               "access_log": access_log, "limits": dataclasses.asdict(limits)}
    common: dict[str, Any] = {"host": host, "port": port, "log_level": log_level, "access_log": False,
                              "http": f"{__name__}:BoundedProtocol", "loop": "auto", "proxy_headers": False,
                              "server_header": False, "backlog": backlog, "lifespan": "on",
                              "log_config": log_config(access_log=access_log, level=log_level)}
    if workers > 1:
        shared = tempfile.mkdtemp(prefix="mimbridge-resolver-")  # the cache the workers share
        options["shared_dir"] = shared
        os.environ[_ENV + "STORE"] = str(store)
        os.environ[_ENV + "BASE"] = r.base
        os.environ[_ENV + "OPTIONS"] = json.dumps(options)
        if rules is not None and not isinstance(rules, Rules):
            os.environ[_ENV + "RULES"] = str(rules)
        try:
            uvicorn.run(f"{__name__}:app_from_env", factory=True, workers=workers, **common)
        finally:
            shutil.rmtree(shared, ignore_errors=True)
        return
    options["limits"] = limits
    uvicorn.run(_make_app(str(store), r, options), **common)
