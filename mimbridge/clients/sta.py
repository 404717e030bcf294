"""SensorThings API 1.1 connector: a paging source and a deep-insert sink (:mod:`.sta_write`).

:class:`StaSource` (``sta+http://host/v1.1/Things?$expand=Datastreams/Observations``)
GETs the collection URL with its query (``$expand``, ``$filter``, ``$top``,
``$select``, ``$orderby``) passed through untouched and follows
``@iot.nextLink`` exactly as given (resolved against the URL of the page that
carried it when relative). Expanded collections carry their own nested
``X@iot.nextLink``: the source follows them too and merges the extra members
into the page, so every :class:`~mimbridge.clients.base.Page` holds complete
expanded collections (the nested next links are then removed from the
payload). A nested next link may answer in either of two shapes, both handled:

* the standard one, the nested collection itself
  (``Datastreams(1)/Observations?$skip=100``: ``value`` holds Observations);
* the parent query again with the nested ``$skip`` advanced (what
  django-ogc-sensorthings sends: ``Things?$top=2&$expand=Datastreams/Observations($top=100;$skip=100)``):
  the parent is found again by its ``@iot.id`` and its nested members taken.
  One request then serves every parent of the page, so equal links are fetched once.

A nested collection ends at a page without a next link or at an empty page
(a server may send a next link after the last page). ``Page.total`` is
``@iot.count``; ``Page.count`` the number of top-level entities (rows of a
dataArray page). A ``$resultFormat=dataArray`` URL (or ``result_format="dataArray"``)
makes the source's ``format`` ``sta-dataarray``.

Server quirks met with django-ogc-sensorthings 1.2.0 (the test server):

* numeric results only; an interval ``phenomenonTime`` gives HTTP 500; no
  MultiDatastream, no MQTT; ``POST /Datastreams(id)/Observations`` is 405
  (the sink posts ``/Observations`` or ``/CreateObservations``);
* ids are UUIDv7 written unquoted in paths (``Things(01a2...)``), so the
  service needs ``SENSORTHINGS_V1_1_ID_TYPE = uuid.UUID``;
* the service root answers only with a trailing slash (``.../v1.1/``);
* ``$expand`` options do not nest parentheses: ``Datastreams($expand=Sensor,Observations($top=2))``
  is 404; use ``Datastreams/Observations($top=2)``; two paths through the
  same first segment (``Datastreams/Sensor,Datastreams/Observations``) expand
  only the last;
* a nested next link repeats the parent query (see above), and a page that
  is exactly full is followed by an empty page with no next link;
* ``$skip`` inside an expansion, and on a navigation path
  (``Datastreams(id)/Observations?$skip=100``), starts one member early: each
  later page repeats the last member of the page before it (and one more page
  holds the last member). The source therefore drops a member whose
  ``@iot.id`` it has already read in the same collection (counted in
  :attr:`StaSource.duplicates`): an entity cannot be twice in one collection;
* ``$orderby`` inside an expansion gives HTTP 500.

>>> import httpx
>>> def server(request):
...     if "$skip" in str(request.url):
...         return httpx.Response(200, json={"value": [{"@iot.id": 3}]})
...     return httpx.Response(200, json={"@iot.count": 3, "value": [{"@iot.id": 1}, {"@iot.id": 2}],
...                                      "@iot.nextLink": "Observations?$top=2&$skip=2"})
>>> src = StaSource("http://sta.test/v1.1/Observations?$top=2", http=HttpClient(transport=httpx.MockTransport(server)))
>>> [(p.count, p.total, p.next_link) for p in src.pages()]
[(2, 3, 'http://sta.test/v1.1/Observations?$top=2&$skip=2'), (1, None, None)]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from ..errors import ConnectorError, OptionError, ParseError
from ..options import check_options
from .base import Page
from .http import HttpClient
from .sta_write import StaSink

__all__ = ["StaSink", "StaSource", "open_sink", "open_source"]

_NEXT = "@iot.nextLink"
_COUNT = "@iot.count"


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no", "off")
    return bool(value)


def _with_param(url: str, name: str, value: str) -> str:
    """Append ``name=value`` to ``url`` unless the query already has ``name`` (the query is not re-encoded)."""
    query = url.partition("?")[2]
    if any(part.partition("=")[0] == name for part in query.split("&")):
        return url
    return f"{url}{'&' if '?' in url else '?'}{name}={value}"


def _is_data_array(payload: Any) -> bool:
    value = payload.get("value") if isinstance(payload, dict) else None
    return isinstance(value, list) and bool(value) and all(
        isinstance(g, dict) and "dataArray" in g for g in value)


def _id_key(ident: Any) -> Any:
    """A hashable form of an ``@iot.id`` (any JSON value), ``None`` when absent."""
    if ident is None or isinstance(ident, (str, int, float, bool)):
        return ident
    return repr(ident)


def _record_count(payload: Any) -> int:
    if isinstance(payload, dict) and isinstance(payload.get("value"), list):
        if _is_data_array(payload):
            return sum(len(g.get("dataArray") or []) for g in payload["value"])
        return len(payload["value"])
    if isinstance(payload, list):
        return len(payload)
    return 1 if isinstance(payload, dict) and payload else 0


class StaSource:
    """Pages of a SensorThings collection, nested next links followed and merged.

    ``url`` is a collection URL with any query; ``result_format="dataArray"``
    adds ``$resultFormat=dataArray``; ``top`` adds ``$top`` when the URL has
    none; ``follow_nested=False`` leaves nested next links in the payload;
    ``max_nested`` bounds the extra requests per page (a guard against a
    server whose nested links never end).
    """

    def __init__(self, url: str, *, http: HttpClient, result_format: str | None = None, top: int | None = None,
                 follow_nested: bool = True, max_nested: int = 10_000) -> None:
        if result_format is not None:
            if result_format != "dataArray":
                raise OptionError(f"result_format {result_format!r} is not supported; use 'dataArray'",
                                  name="result_format")
            url = _with_param(url, "$resultFormat", "dataArray")
        if top is not None:
            url = _with_param(url, "$top", str(int(top)))
        self.url = url
        self.http = http
        self.follow_nested = follow_nested
        self.max_nested = max_nested
        self.format = "sta-dataarray" if "$resultFormat=dataArray" in url else "sta"
        #: extra requests made to follow nested next links (all pages so far)
        self.nested_requests = 0
        #: members dropped because the same ``@iot.id`` was already read in that collection (a paging bug)
        self.duplicates = 0

    def pages(self, *, start: str | None = None) -> Iterator[Page]:
        """Yield one :class:`Page` per collection page, from ``start`` (a next link) when given."""
        url: str | None = start or self.url
        seen: set[str] = set()
        ids: set[Any] = set()
        while url is not None:
            if url in seen:
                raise ConnectorError("the server's @iot.nextLink points back to a page already read", url=url)
            seen.add(url)
            payload = self.http.get_json(url)
            if not isinstance(payload, dict) or not isinstance(payload.get("value"), list):
                raise ParseError("a SensorThings collection page is a JSON object with a 'value' array",
                                 pointer="/value" if isinstance(payload, dict) else "",
                                 expected=f"a collection page from {url}")
            if not _is_data_array(payload):
                payload["value"] = self._unique(payload.get("value") or [], ids)
                if self.follow_nested:
                    self._merge_nested(payload, url)
            link = payload.get(_NEXT)
            if link is not None and not isinstance(link, str):
                raise ParseError("@iot.nextLink is not a string", pointer="/@iot.nextLink", expected="a URL")
            next_url = urljoin(url, link) if link else None
            total = payload.get(_COUNT)
            yield Page(payload, url=url, next_link=next_url, count=_record_count(payload),
                       total=total if isinstance(total, int) else None)
            url = next_url

    def _unique(self, members: list[Any], ids: set[Any]) -> list[Any]:
        """``members`` whose ``@iot.id`` is not in ``ids`` (which is updated); counts the others."""
        out = []
        for m in members:
            ident = m.get("@iot.id") if isinstance(m, dict) else None
            key = _id_key(ident)
            if key is not None and key in ids:
                self.duplicates += 1
                continue
            if key is not None:
                ids.add(key)
            out.append(m)
        return out

    # -- nested next links --------------------------------------------------------------------------------

    def _merge_nested(self, payload: dict[str, Any], url: str) -> None:
        """Fetch every nested ``X@iot.nextLink`` of ``payload`` and append the members in place."""
        cache: dict[str, Any] = {}
        budget = [self.max_nested]
        for i, item in enumerate(payload.get("value") or []):
            if isinstance(item, dict):
                self._merge_entity(item, [("value", item.get("@iot.id"))], url, cache, budget, f"/value/{i}")

    def _merge_entity(self, entity: dict[str, Any], path: list[tuple[str, Any]], base: str,
                      cache: dict[str, Any], budget: list[int], pointer: str) -> None:
        for key in [k for k in entity if k.endswith(_NEXT) and k != _NEXT]:
            nav = key[: -len(_NEXT)]
            if isinstance(entity.get(nav), list):
                self._complete(entity, nav, path, base, cache, budget, f"{pointer}/{nav}")
        for nav, value in list(entity.items()):
            if not nav[:1].isupper() or "@" in nav:
                continue
            children = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
            for j, child in enumerate(children):
                if isinstance(child, dict):
                    where = f"{pointer}/{nav}/{j}" if isinstance(value, list) else f"{pointer}/{nav}"
                    self._merge_entity(child, [*path, (nav, child.get("@iot.id"))], base, cache, budget, where)

    def _complete(self, entity: dict[str, Any], nav: str, path: list[tuple[str, Any]], base: str,
                  cache: dict[str, Any], budget: list[int], pointer: str) -> None:
        link: Any = entity.pop(nav + _NEXT)
        seen: set[str] = set()
        ids: set[Any] = set()
        members = entity[nav] = self._unique(entity[nav], ids)
        while link:
            if not isinstance(link, str):
                raise ParseError(f"{nav}@iot.nextLink is not a string", pointer=pointer + _NEXT, expected="a URL")
            link = urljoin(base, link)
            if link in seen:
                raise ConnectorError(f"nested {nav}@iot.nextLink points back to a page already read", url=link)
            seen.add(link)
            if link not in cache:
                if budget[0] <= 0:
                    raise ConnectorError(f"more than {self.max_nested} nested requests for one page "
                                         f"(raise max_nested)", url=link)
                budget[0] -= 1
                self.nested_requests += 1
                cache[link] = self.http.get_json(link)
            extra, link, link_base = self._nested_members(cache[link], nav, path, link, pointer)
            if not extra:
                break
            members.extend(self._unique(extra, ids))
            base = link_base
        if nav + _COUNT in entity and isinstance(entity[nav + _COUNT], int) and entity[nav + _COUNT] != len(members):
            raise ConnectorError(f"{pointer}: {len(members)} members read but {nav}@iot.count says "
                                 f"{entity[nav + _COUNT]}", url=base)

    @staticmethod
    def _nested_members(doc: Any, nav: str, path: list[tuple[str, Any]], url: str,
                        pointer: str) -> tuple[list[Any], str | None, str]:
        """Members and next link of a nested page, in either shape (see the module docstring)."""
        if not isinstance(doc, dict) or not isinstance(doc.get("value"), list):
            raise ParseError("the page of a nested next link is not a collection", pointer=pointer,
                             expected=f"a JSON object with a 'value' array from {url}")
        node: Any = doc
        found = True
        for depth, (key, ident) in enumerate(path):
            step = path[depth + 1][0] if depth + 1 < len(path) else nav
            candidates = node.get(key) if isinstance(node, dict) else None
            if isinstance(candidates, dict):
                candidates = [candidates]
            match = None
            if ident is not None and isinstance(candidates, list):
                match = next((c for c in candidates if isinstance(c, dict) and c.get("@iot.id") == ident
                              and step in c), None)
            if match is None:
                found = False
                break
            node = match
        if found and isinstance(node.get(nav), list):  # the parent query again (django-ogc-sensorthings)
            nxt = node.get(nav + _NEXT)
            return node[nav], nxt if isinstance(nxt, str) else None, url
        nxt = doc.get(_NEXT)  # the nested collection itself (the standard shape)
        return doc["value"], nxt if isinstance(nxt, str) else None, url


def open_source(url: str, *, http: HttpClient, kind: str = "sta", **options: Any) -> StaSource:
    """Open a SensorThings collection as a source (options: ``result_format``, ``top``, ``follow_nested``).

    >>> open_source("http://h.test/v1.1/Observations", http=HttpClient(), result_format="dataArray").format
    'sta-dataarray'
    """
    if "follow_nested" in options:
        options["follow_nested"] = _truthy(options["follow_nested"])
    options = check_options(StaSource, options, where="sta source ")
    for name in ("top", "max_nested"):
        if options.get(name) is not None and options[name] < 1:
            raise OptionError(f"{name} must be >= 1, got {options[name]}", name=name)
    return StaSource(url, http=http, **options)


def open_sink(url: str, *, http: HttpClient, kind: str = "sta", **options: Any) -> StaSink:
    """Open a SensorThings collection (``.../Things``, ``.../Datastreams(id)/Observations``) as a sink.

    >>> open_sink("http://h.test/v1.1/Things", http=HttpClient()).root
    'http://h.test/v1.1'
    """
    if "share" in options:
        options["share"] = _truthy(options["share"])
    return StaSink(url, http=http, **check_options(StaSink, options, where="sta target "))
