"""The shared machinery of the per-API probes: bounded requests that record their evidence.

A :class:`Prober` sends every request through the connectors' HTTP layer
(:class:`~mimbridge.clients.http.HttpClient`: timeouts, bounded retries) and
records each as :class:`~.verdict.Evidence`; HTTP errors are answers to
judge, not exceptions. Redirects off the endpoint's host are refused unless
allowed (:class:`HostGuard`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from ..clients.http import RETRY_STATUS, HttpClient
from ..errors import ConnectorError, MimbridgeError
from .verdict import Evidence, Result, Verdict

__all__ = ["Answer", "HostGuard", "Prober", "parse_time", "with_query"]

_ANY = frozenset(range(200, 600)) - RETRY_STATUS
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class HostGuard(httpx.BaseTransport):
    """A transport that refuses a redirect to another host (scheme, host and port must stay the same).

    >>> def server(request):
    ...     return httpx.Response(302, headers={"Location": "http://elsewhere.test/x"})
    >>> http = HttpClient(transport=HostGuard("http://a.test/", httpx.MockTransport(server)), retries=0)
    >>> http.get("http://a.test/x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mimbridge.errors.ConnectorError: http://a.test/x: redirect off the endpoint's host refused (to ...)
    """

    def __init__(self, url: str, inner: httpx.BaseTransport | None = None) -> None:
        parts = urlsplit(url)
        self.origin = (parts.scheme, parts.hostname, parts.port)
        self.inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if response.status_code in _REDIRECTS and "Location" in response.headers:
            target = request.url.join(response.headers["Location"])
            if (target.scheme, target.host, target.port) != self.origin:
                response.close()
                raise ConnectorError(f"redirect off the endpoint's host refused (to {target}; allow "
                                     "redirects to follow it)", url=str(request.url))
        return response

    def close(self) -> None:
        self.inner.close()


def with_query(url: str, params: Mapping[str, Any]) -> str:
    """``url`` with ``params`` appended (None values left out).

    >>> with_query("http://h.test/x?a=1", {"b": "2 3", "c": None})
    'http://h.test/x?a=1&b=2+3'
    """
    pairs = {k: v for k, v in params.items() if v is not None}
    if not pairs:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(pairs)


def parse_time(text: Any) -> datetime | None:
    """An ISO 8601 instant (or the start of an interval, or a date) as an aware datetime; else None.

    >>> parse_time("2024-03-01T00:10:00Z/2024-03-01T00:20:00Z").isoformat()
    '2024-03-01T00:10:00+00:00'
    >>> parse_time("2021-03-01").isoformat(), parse_time("warm")
    ('2021-03-01T00:00:00+00:00', None)
    """
    if not isinstance(text, str) or len(text) < 10 or not text[:4].isdigit() or text[4:5] != "-":
        return None
    text = text.split("/", 1)[0].strip()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def iso(value: datetime) -> str:
    """UTC ISO 8601 with ``Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".") + "Z"


class Answer:
    """A response (or the failure to get one) with the evidence it was recorded as."""

    def __init__(self, evidence: Evidence, response: httpx.Response | None, error: str = "") -> None:
        self.evidence = evidence
        self.response = response
        self.error = error

    @property
    def status(self) -> int | None:
        return self.response.status_code if self.response is not None else None

    @property
    def ok(self) -> bool:
        return self.response is not None and 200 <= self.response.status_code < 300

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        if self.response is None:
            return None
        try:
            return self.response.json()
        except ValueError:
            return None

    def note(self, found: str) -> Answer:
        """Set what the probe found in this answer (shown in the report)."""
        self.evidence.found = found
        return self

    def __repr__(self) -> str:
        return f"<Answer {self.status} {self.evidence.request}>"


class Prober:
    """Base of the per-API probes: ``run()`` returns one :class:`Result` per requirement R1-R8."""

    api = ""

    def __init__(self, url: str, *, http: HttpClient, allow_write: bool = False, type: str | None = None,
                 wait: float = 10.0, options: Mapping[str, Any] | None = None) -> None:
        self.url = url
        self.http = http
        self.allow_write = allow_write
        self.type = type
        self.wait = wait
        self.options = dict(options or {})
        self.log: list[Evidence] = []

    # -- requests ------------------------------------------------------------------------------------------
    def call(self, method: str, url: str, *, params: Mapping[str, Any] | None = None,
             headers: Mapping[str, str] | None = None, json_body: Any = None, content: str | bytes | None = None,
             label: str | None = None) -> Answer:
        """Send one request; any status is an answer; a failure after retries is an answer without response."""
        full = with_query(url, params or {})
        evidence = Evidence(label or f"{method} {full}", None, "")
        self.log.append(evidence)
        try:
            response = self.http.request(method, full, headers=headers, json_body=json_body, content=content,
                                         ok=_ANY, idempotent=method in ("GET", "HEAD", "DELETE"))
        except MimbridgeError as exc:
            status = exc.status if isinstance(exc, ConnectorError) else None
            evidence.status = status
            evidence.found = str(exc)[:300]
            return Answer(evidence, None, str(exc))
        evidence.status = response.status_code
        if response.status_code >= 400:
            evidence.found = _problem(response)
        return Answer(evidence, response)

    def get(self, url: str, **kw: Any) -> Answer:
        return self.call("GET", url, **kw)

    # -- verdicts ------------------------------------------------------------------------------------------
    @staticmethod
    def result(req: str, verdict: Verdict, summary: str, *answers: Answer | Evidence) -> Result:
        evidence = [a.evidence if isinstance(a, Answer) else a for a in answers]
        return Result(req, verdict, summary, [Evidence(e.request, e.status, e.found) for e in evidence])

    def not_offered(self, req: str, why: str) -> Result:
        return Result(req, Verdict.NOT_OFFERED, why)

    def checks(self) -> list[tuple[str, Callable[[], Result]]]:
        return [(f"R{i}", getattr(self, f"r{i}")) for i in range(1, 9)]

    def run(self) -> list[Result]:
        """Run R1-R8 in order; an unexpected failure of one check is a 'could not tell' with the error."""
        out = []
        for req, check in self.checks():
            start = len(self.log)
            try:
                out.append(check())
            except (MimbridgeError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
                out.append(Result(req, Verdict.UNKNOWN, f"the check stopped: {type(exc).__name__}: {exc}",
                                  self.log[start:]))
        return out

    def r1(self) -> Result:
        raise NotImplementedError

    def r2(self) -> Result:
        raise NotImplementedError

    def r3(self) -> Result:
        raise NotImplementedError

    def r4(self) -> Result:
        raise NotImplementedError

    def r5(self) -> Result:
        raise NotImplementedError

    def r6(self) -> Result:
        raise NotImplementedError

    def r7(self) -> Result:
        raise NotImplementedError

    def r8(self) -> Result:
        raise NotImplementedError


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200].replace("\n", " ")
    if isinstance(body, dict):
        for key in ("detail", "title", "description", "message", "error"):
            if isinstance(body.get(key), str):
                return body[key][:200]
    return json.dumps(body)[:200]
