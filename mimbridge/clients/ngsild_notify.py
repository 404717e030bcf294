"""Receive NGSI-LD notifications over HTTP and hand them on as a :class:`~mimbridge.clients.base.Source`.

:class:`NotificationReceiver` is a small Starlette app, served by uvicorn in a
background thread (bound to 127.0.0.1 unless told otherwise). It accepts
``POST`` notifications (clause 5.3.1), checks their shape, answers 200, and
queues them; :meth:`NotificationReceiver.pages` yields one page per
notification (format ``ngsi-ld``: the entities of ``data``, each given the
notification's ``@context`` or Link-header context), so
:func:`mimbridge.clients.sync.sync` can bridge a subscription onward.
A malformed notification gets a 400 ProblemDetails and is counted in
``rejected``. Needs ``starlette`` and ``uvicorn``.

>>> from mimbridge.clients.http import HttpClient
>>> note = {"id": "urn:n:1", "type": "Notification", "subscriptionId": "urn:s:1",
...         "notifiedAt": "2024-01-01T00:00:00Z", "data": [{"id": "urn:ngsi-ld:Room:1", "type": "Room"}]}
>>> with NotificationReceiver(idle_timeout=0) as receiver, HttpClient() as http:
...     http.post_json(receiver.url, note).status_code
200
>>> [p.payload[0]["id"] for p in receiver.pages()]
['urn:ngsi-ld:Room:1']
"""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from ..errors import CapabilityError
from .base import Page

__all__ = ["NotificationReceiver"]

_CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
_ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
_STOP = object()


def _check(note: Any) -> str | None:
    """Why ``note`` is not an NGSI-LD notification, or ``None``."""
    if not isinstance(note, dict):
        return "a notification is a JSON object"
    if note.get("type") != "Notification":
        return "'type' must be 'Notification'"
    for key in ("id", "notifiedAt"):
        if not isinstance(note.get(key), str):
            return f"'{key}' must be a string"
    data = note.get("data")
    if not isinstance(data, list):
        return "'data' must be an array of entities"
    for n, e in enumerate(data):
        if not isinstance(e, dict) or not isinstance(e.get("id"), str) or "type" not in e:
            return f"data[{n}] is not an entity (needs 'id' and 'type')"
    return None


class NotificationReceiver:
    """An HTTP endpoint for NGSI-LD notifications that is also a paged source.

    ``path`` is the endpoint path (``url`` gives the full URL once started);
    ``port=0`` picks a free port. :meth:`pages` ends after ``idle_timeout``
    seconds without a notification (``None``: never), after
    ``max_notifications``, or when the receiver is stopped. ``context`` is
    given to entities of notifications that carry none.
    """

    format = "ngsi-ld"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, path: str = "/notify",
                 idle_timeout: float | None = None, max_notifications: int | None = None,
                 context: Any = None, max_queue: int = 10_000) -> None:
        self.host = host
        self.port = port
        self.path = "/" + path.lstrip("/")
        self.idle_timeout = idle_timeout
        self.max_notifications = max_notifications
        self.context = context
        self.received = 0
        self.rejected = 0
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max_queue)
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.app = self._build()

    @property
    def url(self) -> str:
        """The notification endpoint (``http://127.0.0.1:<port>/notify``)."""
        return f"http://{self.host}:{self.port}{self.path}"

    def _build(self) -> Any:
        try:
            from starlette.applications import Starlette
            from starlette.requests import Request
            from starlette.responses import JSONResponse, Response
            from starlette.routing import Route
        except ImportError as exc:  # pragma: no cover - depends on the environment
            from ..extras import install_hint

            raise CapabilityError("the notification receiver needs starlette and uvicorn, which are not installed: "
                                  f"{install_hint('starlette', prefer=['connectors'])}") from exc

        def problem(status: int, kind: str, detail: str) -> Response:
            self.rejected += 1
            return JSONResponse({"type": _ERRORS + kind, "title": kind, "status": status, "detail": detail},
                                status_code=status)

        async def receive(request: Request) -> Response:
            ctype = request.headers.get("content-type", "").split(";")[0].strip()
            if ctype not in ("application/json", "application/ld+json"):
                return problem(415, "UnsupportedMediaType", f"Content-Type {ctype!r} is not JSON or JSON-LD")
            try:
                note = json.loads(await request.body())
            except ValueError as exc:
                return problem(400, "InvalidRequest", f"body is not JSON: {exc}")
            why = _check(note)
            if why:
                return problem(400, "BadRequestData", why)
            ctx = note.get("@context")
            if ctx is None:
                from .http import CONTEXT_REL, parse_links
                ctx = parse_links(request.headers.get("link")).get(CONTEXT_REL) or self.context
            data = [e if ctx is None or "@context" in e else {**e, "@context": ctx} for e in note["data"]]
            try:
                self._queue.put_nowait(Page(data, url=f"{self.url}#{note['id']}", count=len(data)))
            except queue.Full:
                return problem(503, "ServiceUnavailable", "the receiver's queue is full")
            self.received += 1
            return Response(status_code=200)

        return Starlette(routes=[Route(self.path, receive, methods=["POST"])])

    def start(self, *, timeout: float = 10.0) -> NotificationReceiver:
        """Serve in a background thread; return once it accepts connections (at most ``timeout`` s)."""
        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True,
                                        name="ngsi-ld-notifications")
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"notification receiver did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop serving (idempotent); :meth:`pages` then ends after the queued notifications."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None
        self._queue.put(_STOP)

    def __enter__(self) -> NotificationReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def pages(self, *, start: str | None = None) -> Iterator[Page]:
        """Yield one page per notification; ``start`` is ignored (a stream cannot be rewound)."""
        n = 0
        while self.max_notifications is None or n < self.max_notifications:
            try:
                item = self._queue.get(timeout=self.idle_timeout) if self.idle_timeout else (
                    self._queue.get() if self.idle_timeout is None else self._queue.get_nowait())
            except queue.Empty:
                return
            if item is _STOP:
                return
            n += 1
            yield item
