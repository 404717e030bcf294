"""A fault-injecting HTTP reverse proxy for connector tests.

:class:`FaultProxy` listens on a free 127.0.0.1 port and forwards every
request over TCP to an upstream server. It injects faults by request number
(counted from 1 across all clients): every ``fail_every``-th request gets a
``503`` without reaching the upstream; every ``drop_every``-th request is
forwarded, but its response is cut: the status line and headers (with the
full ``Content-Length``) go out, then half of the body, then the connection is
closed. Responses without a body cannot be cut and are relayed whole.
``counts`` tells how many faults were really injected; ``log`` keeps
``(number, method, path, fault)`` of every request.

    >>> import httpx
    >>> with FaultProxy("http://127.0.0.1:9", fail_every=1) as proxy:
    ...     httpx.get(proxy.url + "/x").status_code, proxy.counts["failed"]
    (503, 1)
"""

from __future__ import annotations

import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

__all__ = ["FaultProxy"]

_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
                  "host", "content-length"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _proxy(self) -> None:
        proxy = self.server.proxy
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        n, fault = proxy._next()
        proxy.log.append((n, self.command, self.path, fault))
        if proxy.delay:
            time.sleep(proxy.delay)
        if fault == "failed":
            payload = b"injected fault: service unavailable\n"
            self.send_response(503)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        conn = http.client.HTTPConnection(proxy.host, proxy.port, timeout=60)
        try:
            conn.request(self.command, self.path, body=body if body or self.command in ("POST", "PUT") else None,
                         headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            status, reason, out_headers = resp.status, resp.reason, resp.getheaders()
        except OSError as exc:
            data = f"upstream failed: {exc}\n".encode()
            status, reason, out_headers = 502, "Bad Gateway", [("Content-Type", "text/plain")]
        finally:
            conn.close()
        cut = fault == "dropped" and len(data) >= 2
        proxy._record(fault if cut else None)
        self.send_response(status, reason)
        for k, v in out_headers:
            if k.lower() not in _HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        if cut:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if cut:
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _proxy


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: FaultProxy


class FaultProxy:
    """Reverse proxy in front of ``upstream`` that injects 503s and cut responses (0 disables a fault).

    ``delay`` seconds are slept before each request is answered. ``url`` is
    the proxy's URL with the upstream's path, so it replaces the upstream URL
    as is.
    """

    def __init__(self, upstream: str, *, fail_every: int = 3, drop_every: int = 5, delay: float = 0.0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be an http:// URL, not {upstream!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.fail_every = fail_every
        self.drop_every = drop_every
        self.delay = delay
        self.counts = {"requests": 0, "failed": 0, "dropped": 0}
        self.log: list[tuple[int, str, str, str | None]] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{port}{parts.path.rstrip('/')}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def _next(self) -> tuple[int, str | None]:
        with self._lock:
            self.counts["requests"] += 1
            n = self.counts["requests"]
            if self.fail_every and n % self.fail_every == 0:
                self.counts["failed"] += 1
                return n, "failed"
            if self.drop_every and n % self.drop_every == 0:
                return n, "dropped"
            return n, None

    def _record(self, fault: str | None) -> None:
        if fault == "dropped":
            with self._lock:
                self.counts["dropped"] += 1

    def close(self) -> None:
        """Stop listening and join the server thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
