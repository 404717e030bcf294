"""Fetching an allowed remote document: an allow-list on URL parts, every redirect checked, one deadline.

:class:`AllowList` compares URLs with its prefixes part by part, as the
HTTP client parses them (httpx): same scheme, same host, same port (the
scheme's default when none is written), and the prefix's path segments
leading the URL's path (dot segments resolved, ``%2f`` is not a ``/``). So
``http://127.0.0.1:1876`` does not allow port 18765, ``https://h.example/ok``
allows ``/ok`` and ``/ok/ctx.jsonld`` but not ``/okay-evil/``, and
``https://trusted.example`` not ``https://trusted.example.evil``. A prefix
with a query allows that query only. Only ``http`` and ``https`` prefixes allow anything.

:func:`fetch` follows at most ``max_redirects`` redirects itself, checking
each target against the allow-list before connecting to it; the whole fetch
(every hop, connecting, reading the body) has one deadline of ``timeout``
seconds, and a body larger than ``max_bytes`` is refused as soon as it says
so (``Content-Length``) or grows past it. Every failure is a
:class:`~mimbridge.errors.ResolutionError` that says what happened.

>>> allow = AllowList(["https://h.example/ok", "http://127.0.0.1:1876/"])
>>> [allow.allows(u) for u in ("https://h.example/ok/ctx.jsonld", "https://h.example/okay-evil/x",
...                            "https://H.EXAMPLE:443/ok", "http://127.0.0.1:18765/", "http://127.0.0.1:1876/a")]
[True, False, True, False, True]
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable
from typing import Any

import httpx

from ..errors import ResolutionError

__all__ = ["AllowList", "fetch"]

_DEFAULT_PORT = {"http": 80, "https": 443}
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_ACCEPT = "application/ld+json, application/json;q=0.9"


def _segment(raw: str) -> str:
    """A path segment in one spelling: escapes of unreserved characters decoded, other escapes upper-cased."""
    def fix(m: re.Match[str]) -> str:
        ch = chr(int(m.group(1), 16))
        return ch if ch in _UNRESERVED else "%" + m.group(1).upper()

    return _ESCAPE.sub(fix, raw)


def _parts(url: str) -> tuple[str, str, int, tuple[str, ...], str] | None:
    """(scheme, host, port, path segments, query) of an http(s) URL as httpx parses it; None otherwise."""
    if any(c in url for c in "\\\t\r\n ") or any(ord(c) < 0x20 for c in url):
        return None
    try:
        u = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return None
    if u.scheme not in _DEFAULT_PORT or not u.host:
        return None
    path, _, query = u.raw_path.decode("ascii").partition("?")
    segments = [_segment(s) for s in path.split("/")[1:]]
    resolved: list[str] = []
    for s in segments:  # httpx resolves plain dot segments; escaped ones (%2e%2e) are resolved here
        if s == "..":
            if resolved:
                resolved.pop()
        elif s != ".":
            resolved.append(s)
    return u.scheme, u.host.lower(), u.port or _DEFAULT_PORT[u.scheme], tuple(resolved), query


class AllowList:
    """URL prefixes that may be fetched, compared on parsed URL parts (see the module docstring).

    >>> AllowList(["https://trusted.example/"]).allows("https://trusted.example.evil/ctx.jsonld")
    False
    """

    def __init__(self, prefixes: Iterable[str]) -> None:
        self.prefixes = tuple(prefixes)
        self._rules: list[tuple[str, str, int, tuple[str, ...], str]] = []
        for prefix in self.prefixes:
            parts = _parts(prefix)
            if parts is None:
                continue  # a file: or malformed prefix allows nothing
            scheme, host, port, segments, query = parts
            if segments and segments[-1] == "":  # "/ok/" names the directory "ok"
                segments = segments[:-1]
            self._rules.append((scheme, host, port, segments, query))

    def __bool__(self) -> bool:
        return bool(self._rules)

    def allows(self, url: str) -> bool:
        """True when ``url`` lies under one of the prefixes."""
        parts = _parts(url)
        if parts is None:
            return False
        scheme, host, port, segments, query = parts
        for r_scheme, r_host, r_port, r_segments, r_query in self._rules:
            if (scheme, host, port) != (r_scheme, r_host, r_port):
                continue
            if segments[: len(r_segments)] != r_segments:
                continue
            if r_query and query != r_query:
                continue
            return True
        return False


def _get(client: httpx.Client, url: str, allow: AllowList, deadline: float, max_bytes: int,
         max_redirects: int, state: dict[str, Any]) -> bytes:
    hops: list[str] = [url]
    while True:
        state["url"] = url
        with client.stream("GET", url, headers={"Accept": _ACCEPT}) as response:
            if response.is_redirect:
                target = str(response.url.join(response.headers.get("Location", "")))
                if len(hops) > max_redirects:
                    raise ResolutionError(f"context {hops[0]}: more than {max_redirects} redirects")
                if not allow.allows(target):
                    raise ResolutionError(f"context {hops[0]}: {url} redirects to {target}, which the "
                                          "allow-list does not allow (not fetched)")
                hops.append(target)
                url = target
                continue
            if response.status_code != 200:
                raise ResolutionError(f"context {hops[0]}: HTTP {response.status_code} from {url}")
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise ResolutionError(f"context {hops[0]}: {url} announces {int(length)} bytes, more than the "
                                      f"{max_bytes} a context may have (not read)")
            data = bytearray()
            for chunk in response.iter_raw():
                data += chunk
                if len(data) > max_bytes:
                    raise ResolutionError(f"context {hops[0]}: {url} sent more than the {max_bytes} bytes a "
                                          "context may have (stopped reading)")
                if time.monotonic() > deadline:
                    raise TimeoutError
            return bytes(data)


def fetch(url: str, *, allow: AllowList, timeout: float = 10.0, max_bytes: int = 2 * 1024 * 1024,
          max_redirects: int = 5, transport: httpx.BaseTransport | None = None) -> bytes:
    """GET ``url`` (which ``allow`` must allow) within ``timeout`` seconds in all; the body's bytes.

    Redirects are followed only to URLs ``allow`` allows; bodies over
    ``max_bytes`` are refused; content encodings (gzip) are not decoded (the
    size cap counts what travels). Raises :class:`ResolutionError`.

    >>> fetch("http://elsewhere.example/c.jsonld", allow=AllowList(["https://h.example/"]))
    Traceback (most recent call last):
    ...
    mimbridge.errors.ResolutionError: context http://elsewhere.example/c.jsonld is not under an allowed prefix
    """
    if not allow.allows(url):
        raise ResolutionError(f"context {url} is not under an allowed prefix")
    deadline = time.monotonic() + timeout
    state: dict[str, Any] = {"url": url}
    box: dict[str, Any] = {}
    client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False, transport=transport,
                          headers={"Accept-Encoding": "identity"})

    def work() -> None:
        try:
            box["data"] = _get(client, url, allow, deadline, max_bytes, max_redirects, state)
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=work, name="mimbridge-context-fetch", daemon=True)
    worker.start()
    worker.join(max(deadline - time.monotonic(), 0.0))
    if worker.is_alive():
        client.close()  # the worker's pending read fails and it ends
        raise ResolutionError(f"context {url}: no complete answer from {state['url']} within {timeout:g} s "
                              "(the deadline of the whole fetch)")
    client.close()
    error = box.get("error")
    if isinstance(error, TimeoutError | httpx.TimeoutException):
        raise ResolutionError(f"context {url}: no complete answer from {state['url']} within {timeout:g} s "
                              "(the deadline of the whole fetch)") from error
    if isinstance(error, ResolutionError):
        raise error
    if isinstance(error, httpx.HTTPError):
        raise ResolutionError(f"context {url}: {type(error).__name__} from {state['url']}: {error}") from error
    if error is not None:
        raise error
    return bytes(box["data"])
