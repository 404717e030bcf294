"""The one HTTP layer every connector uses: timeouts, bounded retries, injectable transport.

It wraps an :class:`httpx.Client`. Requests that fail with a connection error,
a dropped connection (response cut mid-body), a timeout, or HTTP 429/502/503/504
are retried with exponential backoff (``Retry-After`` honoured, capped).
Unsafe methods (POST, PATCH) are retried only when the request cannot have
reached the server (connect errors, 503) unless the caller says the call is
idempotent (an upsert, a Graph Store PUT). Other failures raise
:class:`~mimbridge.errors.ConnectorError` with the URL, status and body start.

Offline tests inject a transport::

    >>> import httpx
    >>> calls = []
    >>> def handler(request):
    ...     calls.append(1)
    ...     if len(calls) < 3:
    ...         return httpx.Response(503)
    ...     return httpx.Response(200, json={"value": []})
    >>> http = HttpClient(transport=httpx.MockTransport(handler), sleep=lambda s: None)
    >>> http.get_json("http://sta.test/v1.1/Things"), len(calls)
    ({'value': []}, 3)
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urljoin

import httpx

from ..errors import ConnectorError, OptionError

__all__ = ["CONTEXT_REL", "parse_links", "RETRY_STATUS", "HttpClient"]

RETRY_STATUS = frozenset({429, 502, 503, 504})
_SAFE = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_USER_AGENT = "mimbridge-connector"


class HttpClient:
    """HTTP with timeouts and bounded retries; one instance per endpoint (keeps connections alive).

    ``transport`` replaces the network (``httpx.MockTransport`` in tests);
    ``sleep`` replaces :func:`time.sleep` between retries; ``on_retry`` is
    called with ``(attempt, reason)`` so a progress display can show it.
    """

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retries: int = 5,
        backoff: float = 0.25,
        max_backoff: float = 8.0,
        headers: Mapping[str, str] | None = None,
        auth: Any = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[int, str], None] | None = None,
    ) -> None:
        if retries < 0:
            raise OptionError(f"retries must be >= 0, got {retries}", name="retries")
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep
        self._on_retry = on_retry
        self.requests = 0
        self.retried = 0
        base_headers = {"User-Agent": _USER_AGENT}
        base_headers.update(headers or {})
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout), headers=base_headers, auth=auth, transport=transport,
            follow_redirects=True,
        )

    def close(self) -> None:
        """Close pooled connections."""
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            after = response.headers.get("Retry-After", "")
            if after.isdigit():
                return min(float(after), self.max_backoff)
        return min(self.backoff * (2 ** attempt), self.max_backoff)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        content: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        ok: Iterable[int] = (200, 201, 204),
        idempotent: bool | None = None,
        read_body: bool = True,
    ) -> httpx.Response:
        """Send one request with retries; return the response whose status is in ``ok``.

        ``json_body`` is serialised with :mod:`json`; ``idempotent`` (default:
        true for GET/HEAD/OPTIONS/PUT/DELETE) allows retrying after the request
        may have reached the server.
        """
        method = method.upper()
        safe = method in _SAFE if idempotent is None else idempotent
        ok = frozenset(ok)
        body: bytes | str | None = content
        hdrs = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            hdrs.setdefault("Content-Type", "application/json")
        attempt = 0
        while True:
            self.requests += 1
            response: httpx.Response | None = None
            try:
                response = self._client.request(method, url, params=params, content=body, headers=hdrs)
                if read_body:
                    response.read()
            except httpx.ConnectError as exc:
                reason, retryable = f"connection failed: {exc}", True
            except httpx.TimeoutException as exc:
                reason, retryable = f"timed out: {exc}", safe
            except httpx.TransportError as exc:  # dropped connection, truncated body
                reason, retryable = f"connection dropped: {exc}", safe
            else:
                if response.status_code in ok:
                    return response
                reason = f"HTTP {response.status_code}"
                retryable = response.status_code in RETRY_STATUS and (safe or response.status_code == 503)
                if not retryable or attempt >= self.retries:
                    raise ConnectorError(
                        f"{method} failed", url=str(response.request.url), status=response.status_code,
                        body=response.text[:500],
                    )
            if not retryable or attempt >= self.retries:
                raise ConnectorError(f"{method} failed after {attempt + 1} attempt(s): {reason}", url=url)
            self.retried += 1
            if self._on_retry is not None:
                self._on_retry(attempt + 1, reason)
            self._sleep(self._delay(attempt, response))
            attempt += 1

    def get(self, url: str, **kw: Any) -> httpx.Response:
        """``request("GET", url, ...)``."""
        return self.request("GET", url, **kw)

    def get_json(self, url: str, *, params: Mapping[str, Any] | None = None,
                 headers: Mapping[str, str] | None = None) -> Any:
        """GET and decode JSON; a body that is not JSON (e.g. cut short) is retried, then raised."""
        attempt = 0
        while True:
            response = self.request("GET", url, params=params, headers=headers)
            try:
                return response.json()
            except ValueError as exc:
                if attempt >= self.retries:
                    raise ConnectorError(f"response is not JSON: {exc}", url=url, status=response.status_code,
                                         body=response.text[:200]) from exc
                self.retried += 1
                self._sleep(self._delay(attempt, None))
                attempt += 1

    def post_json(self, url: str, body: Any, *, idempotent: bool = False, **kw: Any) -> httpx.Response:
        """POST a JSON body."""
        return self.request("POST", url, json_body=body, idempotent=idempotent, **kw)


#: the ``rel`` of a JSON-LD context in a ``Link`` header
CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+)*)")
_PARAM = re.compile(r';\s*([A-Za-z*]+)\s*=\s*"?([^";]*)"?')


def parse_links(header: str | None, *, base: str = "") -> dict[str, str]:
    """``rel -> URL`` of an RFC 8288 ``Link`` header, relative URLs resolved against ``base``.

    >>> parse_links('</ngsi-ld/v1/entities?offset=2>; rel="next", <https://x/c>; rel="%s"' % CONTEXT_REL,
    ...             base="http://b/ngsi-ld/v1/entities?offset=0")["next"]
    'http://b/ngsi-ld/v1/entities?offset=2'
    """
    out: dict[str, str] = {}
    for target, params in _LINK.findall(header or ""):
        for key, value in _PARAM.findall(params):
            if key.lower() == "rel":
                for rel in value.split():
                    out.setdefault(rel, urljoin(base, target) if base else target)
    return out
