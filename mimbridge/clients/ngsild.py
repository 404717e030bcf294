"""NGSI-LD API client (ETSI GS CIM 009): query entities and their temporal evolution, batch upsert, subscriptions.

The URL is the broker's base (``http://broker:1026``) or any URL under its
``/ngsi-ld/v1`` root; query parameters in a source URL are sent as given
(``ngsi-ld+http://broker/ngsi-ld/v1/entities?type=Building``).

* :class:`NgsiLdSource` pages ``GET /entities`` (or ``/temporal/entities``)
  by ``limit``/``offset`` with ``count=true``, and follows the broker's
  ``Link: <...>; rel="next"`` header when it sends one.
* :class:`NgsiLdSink` writes batches with ``POST /entityOperations/upsert``
  (``application/ld+json``, every entity carrying its ``@context``, as clause
  6.3.5 asks), so reruns are idempotent; a 207 reports per-entity failures.
  Temporal payloads go entity by entity to ``POST /temporal/entities``.
* :func:`subscribe` / :func:`unsubscribe` manage HTTP subscriptions;
  :class:`~mimbridge.clients.ngsild_notify.NotificationReceiver` receives them.

A user ``@context`` travels in a ``Link`` header on reads (the core context
is never sent: brokers apply it anyway) and in the body on writes.

>>> import httpx
>>> def broker(request):
...     offset = int(request.url.params["offset"])
...     data = [{"id": f"urn:ngsi-ld:Room:{i}", "type": "Room"} for i in range(offset, min(offset + 2, 3))]
...     return httpx.Response(200, json=data, headers={"NGSILD-Results-Count": "3"})
>>> http = HttpClient(transport=httpx.MockTransport(broker))
>>> pages = list(NgsiLdSource("http://broker.test", http=http, type="Room", limit=2).pages())
>>> [p.count for p in pages], pages[0].total, pages[-1].next_link
([2, 1], 3, None)
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import unquote

import httpx

from ..contexts.core import DEFAULT_CORE_VERSION, core_context_url, core_version_of
from ..errors import ConnectorError, OptionError
from ..options import check_options
from .base import Page, WriteResult
from .http import CONTEXT_REL, HttpClient, parse_links
from .ngsild_notify import NotificationReceiver

__all__ = [
    "CONTEXT_REL",
    "NgsiLdSink",
    "NgsiLdSource",
    "NotificationReceiver",
    "api_root",
    "context_link",
    "open_sink",
    "open_source",
    "parse_links",
    "subscribe",
    "unsubscribe",
]

API_PATH = "/ngsi-ld/v1"
JSONLD = "application/ld+json"
#: representation option -> format of the payloads the broker then returns
_REPRESENTATION = {"keyValues": "ngsi-ld-keyvalues", "simplified": "ngsi-ld-keyvalues", "concise": "ngsi-ld-concise"}


def api_root(url: str) -> str:
    """The ``.../ngsi-ld/v1`` root of a broker URL.

    >>> api_root("http://broker:1026"), api_root("http://b/ngsi-ld/v1/entities?type=X")
    ('http://broker:1026/ngsi-ld/v1', 'http://b/ngsi-ld/v1')
    """
    base = url.split("?", 1)[0].rstrip("/")
    head, sep, _ = base.partition(API_PATH)
    return (head if sep else base) + API_PATH


def context_link(url: str) -> str:
    """The ``Link`` header value that carries a JSON-LD ``@context`` (clause 6.3.5).

    >>> context_link("https://example.org/ctx.jsonld")
    '<https://example.org/ctx.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
    """
    return f'<{url}>; rel="{CONTEXT_REL}"; type="{JSONLD}"'


def _user_context(context: Any) -> str | None:
    """The context URL to send in a Link header; ``None`` for no context or a core context."""
    if context is None or context == []:
        return None
    if isinstance(context, list) and len(context) == 1:
        context = context[0]
    if not isinstance(context, str):
        raise ValueError("a Link header carries one context URL; pass the URL of a context document")
    return None if core_version_of(context) else context


def _csv(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        raise TypeError("expected a string or a list of strings")
    return ",".join(str(v) for v in value)


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise OptionError(f"{name} must be an integer, not {value!r}", name=name) from None


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    if isinstance(body, dict):
        return f"HTTP {response.status_code} {body.get('title') or body.get('type', '')}: {body.get('detail', '')}"
    return f"HTTP {response.status_code}"


class NgsiLdSource:
    """Entities from ``GET /ngsi-ld/v1/entities`` (``temporal=True``: ``/temporal/entities``), page by page.

    Filters are the API's query parameters: ``type`` (one or several), ``id``,
    ``q``, ``attrs``, a geo-query (``georel="near;maxDistance==500"``,
    ``geometry="Point"``, ``coordinates=[lon, lat]``, ``geoproperty``) and,
    when temporal, ``timerel``/``time_at``/``end_time_at``/``timeproperty``/
    ``last_n`` (V1.6 brokers require ``timerel`` and ``time_at``). ``limit``
    is the page size; ``count`` asks for ``NGSILD-Results-Count`` (default:
    yes for entities, no for temporal queries, whose V1.6 operation lacks it);
    ``context`` a user ``@context`` URL (sent as a Link header); ``options``
    the representation (``"keyValues"``, ``"concise"``, ``"sysAttrs"`` ...);
    ``params`` any other query parameter, sent verbatim.

    >>> import httpx
    >>> seen = []
    >>> def broker(request):
    ...     seen.append(request)
    ...     return httpx.Response(200, json=[])
    >>> src = NgsiLdSource("http://b.test", http=HttpClient(transport=httpx.MockTransport(broker)),
    ...                    type=["Room", "Hall"], context="https://example.org/ctx.jsonld")
    >>> [p.count for p in src.pages()], seen[0].url.params["type"], seen[0].headers["Accept"]
    ([0], 'Room,Hall', 'application/ld+json')
    """

    def __init__(
        self, url: str, *, http: HttpClient, type: str | Iterable[str] | None = None,
        id: str | Iterable[str] | None = None, q: str | None = None,
        attrs: str | Iterable[str] | None = None, georel: str | None = None, geometry: str | None = None,
        coordinates: Any = None, geoproperty: str | None = None, limit: int = 100, count: bool | None = None,
        temporal: bool = False, timerel: str | None = None, time_at: str | None = None,
        end_time_at: str | None = None, timeproperty: str | None = None, last_n: int | None = None,
        context: Any = None, options: str | Iterable[str] | None = None, tenant: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        self.http = http
        self.root = api_root(url)
        self.temporal = temporal
        self.limit = limit
        self.context = _user_context(context)
        self.tenant = tenant
        opts = _csv(options)
        rep = next((_REPRESENTATION[o] for o in (opts or "").split(",") if o in _REPRESENTATION), None)
        self.format = "ngsi-ld-temporal" if temporal else (rep or "ngsi-ld")
        if isinstance(coordinates, (list, tuple)):
            coordinates = json.dumps(coordinates, separators=(",", ":"))
        count = (not temporal) if count is None else count
        query: dict[str, Any] = {
            "type": _csv(type), "id": _csv(id), "q": q, "attrs": _csv(attrs), "georel": georel,
            "geometry": geometry, "coordinates": coordinates, "geoproperty": geoproperty,
            "timerel": timerel, "timeAt": time_at, "endTimeAt": end_time_at, "timeproperty": timeproperty,
            "lastN": last_n, "options": opts, "limit": limit, "offset": 0, "count": "true" if count else None,
        }
        query.update(params or {})
        self.params = {k: str(v) for k, v in query.items() if v is not None}

    @property
    def url(self) -> str:
        """The first page's URL."""
        path = "/temporal/entities" if self.temporal else "/entities"
        return str(httpx.URL(self.root + path, params=self.params))

    def headers(self) -> dict[str, str]:
        h = {"Accept": JSONLD}
        if self.context:
            h["Link"] = context_link(self.context)
        if self.tenant:
            h["NGSILD-Tenant"] = self.tenant
        return h

    def _computed_next(self, url: str, n: int, total: int | None) -> str | None:
        u = httpx.URL(url)
        if "offset" not in u.params:  # the broker's own (cursor) link: only its next link goes on
            return None
        offset = int(u.params["offset"])
        limit = int(u.params.get("limit", self.limit))
        if n == 0 or (total is not None and offset + n >= total) or (total is None and n < limit):
            return None
        return str(u.copy_set_param("offset", str(offset + n)))

    def pages(self, *, start: str | None = None) -> Iterator[Page]:
        """Yield one :class:`Page` per response, from ``start`` (a next link) or the first page."""
        url: str | None = start or self.url
        headers = self.headers()
        linked = False  # once the broker pages by Link headers, a page without one is the last
        while url:
            response = self.http.request("GET", url, headers=headers, ok=(200,))
            try:
                body = response.json()
            except ValueError as exc:
                raise ConnectorError(f"response is not JSON: {exc}", url=url, status=response.status_code,
                                     body=response.text[:200]) from exc
            if not isinstance(body, list):
                raise ConnectorError("expected a JSON array of entities", url=url, status=response.status_code,
                                     body=response.text[:200])
            links = parse_links(response.headers.get("Link"), base=str(response.url))
            ctx = links.get(CONTEXT_REL) or self.context
            if ctx:
                body = [e if not isinstance(e, dict) or "@context" in e else {**e, "@context": ctx} for e in body]
            count = response.headers.get("NGSILD-Results-Count")
            total = int(count) if count and count.isdigit() else None
            linked = linked or "next" in links
            nxt = links.get("next") or (None if linked else self._computed_next(str(response.url), len(body), total))
            yield Page(body, url=url, next_link=nxt, count=len(body), total=total)
            url = nxt


class NgsiLdSink:
    """Writes NGSI-LD entities to a broker: ``POST /entityOperations/upsert`` in batches of ``batch``.

    The body is ``application/ld+json``; an entity without ``@context`` gets
    ``context`` (default: the core context). A 207 reply puts the entities it
    lists under ``errors`` in :attr:`WriteResult.failed` and the rest in
    ``written``; a 400 for the whole batch is bisected so that a bad entity
    fails alone. ``update=True`` merges attributes into existing entities
    (``options=update``) instead of replacing them. ``temporal=True`` takes
    temporal representations (format ``ngsi-ld-temporal``) and posts each to
    ``/temporal/entities``, which adds instances (not idempotent: it is not
    retried once sent).

    >>> import httpx, json
    >>> def broker(request):
    ...     sent = json.loads(request.content)
    ...     return httpx.Response(207, json={"success": [sent[0]["id"]], "errors": [
    ...         {"entityId": sent[1]["id"], "error": {"type": "x", "title": "BadRequestData", "status": 400,
    ...                                                "detail": "no value"}}]})
    >>> sink = NgsiLdSink("http://b.test", http=HttpClient(transport=httpx.MockTransport(broker)))
    >>> r = sink.write([{"id": "urn:a:1", "type": "T"}, {"id": "urn:a:2", "type": "T"}, {"id": "urn:a:3", "type": "T"}],
    ...                skip=frozenset({"urn:a:3"}))
    >>> r.written, r.failed
    (['urn:a:1'], [('urn:a:2', 'BadRequestData: no value')])
    """

    def __init__(self, url: str, *, http: HttpClient, batch: int = 100, context: Any = None,
                 temporal: bool = False, update: bool = False, tenant: str | None = None) -> None:
        if batch < 1:
            raise OptionError(f"batch must be >= 1, got {batch}", name="batch")
        self.http = http
        self.root = api_root(url)
        self.batch = batch
        self.context = context if context not in (None, []) else core_context_url(DEFAULT_CORE_VERSION)
        self.temporal = temporal
        self.update = update
        self.tenant = tenant
        self.format = "ngsi-ld-temporal" if temporal else "ngsi-ld"

    def _headers(self) -> dict[str, str]:
        h = {"Content-Type": JSONLD, "Accept": "application/json"}
        if self.tenant:
            h["NGSILD-Tenant"] = self.tenant
        return h

    def write(self, payload: Any, *, skip: frozenset[str] = frozenset()) -> WriteResult:
        """Upsert ``payload`` (an entity or a list); ids in ``skip`` are not sent."""
        items = payload if isinstance(payload, list) else [payload]
        result = WriteResult()
        todo: list[dict[str, Any]] = []
        for n, e in enumerate(items):
            if not isinstance(e, dict) or not isinstance(e.get("id"), str):
                result.failed.append((f"#{n}", "not an NGSI-LD entity (no string 'id')"))
            elif e["id"] not in skip:
                todo.append(e if "@context" in e else {**e, "@context": self.context})
        if self.temporal:
            for e in todo:
                self._temporal(e, result)
            return result
        for i in range(0, len(todo), self.batch):
            self._upsert(todo[i:i + self.batch], result)
        return result

    def _upsert(self, batch: list[dict[str, Any]], result: WriteResult) -> None:
        params = {"options": "update"} if self.update else None
        response = self.http.request(
            "POST", f"{self.root}/entityOperations/upsert", params=params, json_body=batch, headers=self._headers(),
            ok=(200, 201, 204, 207, 400, 422), idempotent=True,
        )
        ids = [e["id"] for e in batch]
        if response.status_code in (400, 422):
            if len(batch) > 1:
                half = len(batch) // 2
                self._upsert(batch[:half], result)
                self._upsert(batch[half:], result)
            else:
                result.failed.append((ids[0], _problem(response)))
            return
        if response.status_code != 207:
            result.written.extend(ids)
            return
        try:
            body = response.json()
            errors = {err["entityId"]: err.get("error") or {} for err in body.get("errors", [])}
        except (ValueError, AttributeError, KeyError, TypeError) as exc:
            raise ConnectorError(f"207 body is not a BatchOperationResult: {exc}", url=str(response.url),
                                 status=207, body=response.text[:200]) from exc
        for eid, err in errors.items():
            title = err.get("title") or err.get("type", "error") if isinstance(err, dict) else str(err)
            detail = err.get("detail", "") if isinstance(err, dict) else ""
            result.failed.append((eid, f"{title}: {detail}" if detail else title))
        result.written.extend(i for i in ids if i not in errors)

    def _temporal(self, entity: dict[str, Any], result: WriteResult) -> None:
        response = self.http.request("POST", f"{self.root}/temporal/entities", json_body=entity,
                                     headers=self._headers(), ok=(200, 201, 204, 400, 409, 422))
        if response.status_code >= 400:
            result.failed.append((entity["id"], _problem(response)))
        else:
            result.written.append(entity["id"])


def subscribe(
    url: str, *, http: HttpClient, endpoint: str, type: str | Iterable[str] | None = None,
    id: str | None = None, watched: Iterable[str] | None = None, q: str | None = None,
    attributes: Iterable[str] | None = None, context: Any = None, accept: str = JSONLD,
    name: str | None = None, throttling: float | None = None, subscription_id: str | None = None,
    tenant: str | None = None,
) -> str:
    """Create a subscription notifying ``endpoint`` over HTTP; return its id.

    ``type`` selects entity types (one or several), ``id`` one entity,
    ``watched`` the attributes whose change triggers a notification, ``q`` a
    filter, ``attributes`` what a notification carries; ``accept`` is the
    notification's media type (JSON-LD by default, so it carries its context).

    >>> import httpx, json
    >>> bodies = []
    >>> def broker(request):
    ...     bodies.append(json.loads(request.content))
    ...     return httpx.Response(201, headers={"Location": "/ngsi-ld/v1/subscriptions/urn:s:1"})
    >>> subscribe("http://b.test", http=HttpClient(transport=httpx.MockTransport(broker)),
    ...           endpoint="http://127.0.0.1:9999/notify", type="Room", subscription_id="urn:s:1")
    'urn:s:1'
    >>> bodies[0]["entities"], bodies[0]["notification"]["endpoint"]["uri"]
    ([{'type': 'Room'}], 'http://127.0.0.1:9999/notify')
    """
    types = [type] if isinstance(type, str) else list(type or [])
    watched = list(watched or [])
    if not types and not watched and id is None:
        raise ValueError("a subscription needs entity types, an entity id or watched attributes")
    sid = subscription_id or f"urn:ngsi-ld:Subscription:{uuid.uuid4()}"
    body: dict[str, Any] = {"id": sid, "type": "Subscription"}
    if name:
        body["subscriptionName"] = name
    if types or id:
        body["entities"] = [{"type": t, **({"id": id} if id else {})} for t in types] or [{"id": id}]
    if watched:
        body["watchedAttributes"] = watched
    if q:
        body["q"] = q
    if throttling:
        body["throttling"] = throttling
    notification: dict[str, Any] = {"endpoint": {"uri": endpoint, "accept": accept}, "format": "normalized"}
    if attributes:
        notification["attributes"] = list(attributes)
    body["notification"] = notification
    body["@context"] = context if context not in (None, []) else core_context_url(DEFAULT_CORE_VERSION)
    headers = {"Content-Type": JSONLD}
    if tenant:
        headers["NGSILD-Tenant"] = tenant
    response = http.request("POST", f"{api_root(url)}/subscriptions", json_body=body, headers=headers, ok=(201,))
    location = response.headers.get("Location", "")
    return unquote(location.rstrip("/").rsplit("/", 1)[-1]) if location else sid


def unsubscribe(url: str, subscription_id: str, *, http: HttpClient, tenant: str | None = None) -> None:
    """Delete a subscription.

    >>> import httpx
    >>> calls = []
    >>> http = HttpClient(transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(204)))
    >>> unsubscribe("http://b.test", "urn:s:1", http=http); calls[0].method, calls[0].url.path
    ('DELETE', '/ngsi-ld/v1/subscriptions/urn:s:1')
    """
    headers = {"NGSILD-Tenant": tenant} if tenant else None
    http.request("DELETE", f"{api_root(url)}/subscriptions/{subscription_id}", headers=headers, ok=(200, 204))


#: query parameter (as in a URL or the API's camelCase) -> NgsiLdSource keyword
_SOURCE_PARAMS = {
    "type": "type", "id": "id", "q": "q", "attrs": "attrs", "georel": "georel", "geometry": "geometry",
    "coordinates": "coordinates", "geoproperty": "geoproperty", "limit": "limit", "count": "count",
    "timerel": "timerel", "timeAt": "time_at", "endTimeAt": "end_time_at", "timeproperty": "timeproperty",
    "lastN": "last_n", "options": "options",
}


def open_source(url: str, *, http: HttpClient, kind: str = "ngsi-ld", **options: Any) -> NgsiLdSource:
    """Open a broker URL as a source; URL query parameters and ``options`` become the query.

    >>> src = open_source("http://b.test/ngsi-ld/v1/temporal/entities?type=Vehicle&timerel=after&timeAt=2020-01-01T00:00:00Z",
    ...                   http=HttpClient(), limit="50")
    >>> src.format, src.params["limit"], src.params["timeAt"]
    ('ngsi-ld-temporal', '50', '2020-01-01T00:00:00Z')
    """
    u = httpx.URL(url)
    kw: dict[str, Any] = {"temporal": u.path.rstrip("/").endswith("/temporal/entities")}
    extra: dict[str, Any] = {}
    for key, value in u.params.multi_items():
        if key in _SOURCE_PARAMS:
            kw[_SOURCE_PARAMS[key]] = value
        elif key != "offset":
            extra[key] = value
    for key, value in options.items():
        kw[_SOURCE_PARAMS.get(key, key)] = value
    if extra:
        kw["params"] = {**extra, **kw.get("params", {})}
    for key in ("limit", "last_n"):
        if key in kw and kw[key] is not None:
            kw[key] = _int(kw[key], key)
    for key in ("count", "temporal"):
        if isinstance(kw.get(key), str):
            kw[key] = _bool(kw[key])
    kw = check_options(NgsiLdSource, kw, where="ngsi-ld source ")
    if kw.get("limit") is not None and kw["limit"] < 1:
        raise OptionError(f"limit must be >= 1, got {kw['limit']}", name="limit")
    return NgsiLdSource(str(u.copy_with(query=None)), http=http, **kw)


def open_sink(url: str, *, http: HttpClient, kind: str = "ngsi-ld", **options: Any) -> NgsiLdSink:
    """Open a broker URL as a sink (``batch``, ``context``, ``temporal``, ``update``, ``tenant``).

    >>> open_sink("http://b.test", http=HttpClient(), batch="20", temporal="true").format
    'ngsi-ld-temporal'
    """
    if "batch" in options:
        options["batch"] = _int(options["batch"], "batch")
    for key in ("temporal", "update"):
        if key in options:
            options[key] = _bool(options[key])
    return NgsiLdSink(url, http=http, **check_options(NgsiLdSink, options, where="ngsi-ld target "))
