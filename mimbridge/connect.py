"""Live endpoints from Python: :func:`pull`, :func:`push` and :func:`sync` (what ``mimbridge pull``,
``push`` and ``sync`` run).

Endpoints are ``kind+http://...`` URLs (see :mod:`mimbridge.clients`): ``sta+``,
``ogcapi+``, ``wfs+``, ``ngsi-ld+``, ``sparql+``, ``file:PATH``; for :func:`pull`
a plain ``http(s)://`` URL is enough when ``source`` names the format the
endpoint serves. Options for the endpoints themselves go in
``source_options`` / ``target_options`` (``bbox``, ``page_size``, ``batch`` ...);
the other keyword options are conversion options, as for :func:`mimbridge.convert`.

>>> endpoint_for("http://127.0.0.1:8000/v1.1/Things", "sta")
'sta+http://127.0.0.1:8000/v1.1/Things'
>>> merge_payloads([{"value": [1], "@iot.nextLink": "x"}, {"value": [2]}])
{'value': [1, 2]}
>>> import json, pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "rooms.jsonl").write_text(json.dumps({"id": "urn:ngsi-ld:Room:1", "type": "Room"}) + "\\n")
>>> r = pull(f"file:{folder / 'rooms.jsonl'}", source="ngsi-ld", target="ngsi-ld-keyvalues")
>>> r.output, r.pages, r.records
([{'id': 'urn:ngsi-ld:Room:1', 'type': 'Room'}], 1, 1)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import registry
from .clients import open_sink, open_source
from .clients.base import Checkpoint, Sink, Source
from .clients.http import HttpClient
from .clients.sync import Progress, SyncSummary
from .clients.sync import sync as sync_endpoints
from .convert import ConversionResult, convert
from .errors import AdapterNotFoundError
from .report import ConversionReport

__all__ = ["FORMAT_KINDS", "PullResult", "PushResult", "endpoint_for", "merge_payloads", "pull", "push", "sync"]

#: source format -> endpoint kind, for ``pull(URL, source=FORMAT)`` with a plain http(s) URL
FORMAT_KINDS = {
    "geojson": "ogcapi", "ngsi-ld": "ngsi-ld", "ngsi-ld-temporal": "ngsi-ld", "ntriples": "sparql",
    "ogc-records": "ogcapi", "sta": "sta", "sta-dataarray": "sta", "wfs-gml": "wfs",
}
#: text formats whose documents concatenate into one document
_TEXT_CONCAT = frozenset({"ntriples", "nquads", "turtle"})


@dataclass(slots=True)
class PullResult(ConversionResult):
    """What :func:`pull` returns: a :class:`~mimbridge.ConversionResult` of the whole collection, and how many
    ``pages`` and ``records`` were read from ``url``."""

    pages: int = 0
    records: int = 0
    url: str = ""


@dataclass(slots=True)
class PushResult(ConversionResult):
    """What :func:`push` returns: the :class:`~mimbridge.ConversionResult`, the ids ``written`` to ``endpoint``
    (none when the endpoint took the payload as one document, as a file does), ``count`` of records written
    and the ``failed`` (id, reason) records the endpoint refused."""

    written: list[str] = field(default_factory=list)
    count: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    endpoint: str = ""


def endpoint_for(url: str, fmt: str | None) -> str:
    """The prefixed endpoint URL for a plain URL and a source format (prefixed URLs pass through)."""
    if not url.startswith(("http://", "https://")):
        return url
    name = registry.resolve_name(fmt) if fmt else None
    kind = FORMAT_KINDS.get(name or "")
    if kind is None:
        raise AdapterNotFoundError(fmt or "", sorted(FORMAT_KINDS),
                                   "give the format a live endpoint serves (source=, -f), or a kind+http:// URL")
    return f"{kind}+{url}"


def merge_payloads(payloads: list[Any], fmt: str = "") -> Any:
    """One payload from many pages: STA ``value`` arrays, GeoJSON ``features``, JSON arrays, RDF text.

    Paging members (next links) are dropped: the result is the whole collection.
    Returns ``None`` when the pages cannot be merged as payloads (XML documents such as GML).
    """
    if not payloads:
        return []
    if all(isinstance(p, list) for p in payloads):
        return [x for p in payloads for x in p]
    if all(isinstance(p, (str, bytes)) for p in payloads):
        if fmt not in _TEXT_CONCAT:
            return None
        texts = [p.decode("utf-8") if isinstance(p, bytes) else p for p in payloads]
        return "\n".join(t.rstrip("\n") for t in texts) + "\n"
    if all(isinstance(p, dict) for p in payloads):
        for key in ("value", "features"):
            if all(isinstance(p.get(key), list) for p in payloads):
                merged = {k: v for k, v in payloads[0].items() if "nextLink" not in k and k != "links"}
                merged[key] = [x for p in payloads for x in p[key]]
                if "numberReturned" in merged:
                    merged["numberReturned"] = len(merged[key])
                return merged
    return None


def _http(http: HttpClient | None, timeout: float, retries: int) -> HttpClient:
    return http if http is not None else HttpClient(timeout=timeout, retries=retries)


def pull(url: str, *, target: str, source: str | None = None, max_pages: int | None = None, strict: bool = False,
         source_options: dict[str, Any] | None = None, timeout: float = 30.0, retries: int = 5,
         http: HttpClient | None = None, progress: Progress | None = None, **options: Any) -> PullResult:
    """Fetch every page of the endpoint ``url`` (at most ``max_pages``) and convert the collection to ``target``.

    ``source`` is the format the endpoint serves (default: the endpoint's own);
    ``timeout`` seconds per request and ``retries`` on 5xx / connection errors
    apply when no ``http`` client is given. A failing request raises
    :class:`~mimbridge.ConnectorError` naming the URL and the method. See the
    module docstring for an example.
    """
    src = open_source(endpoint_for(url, source), http=_http(http, timeout, retries), **(source_options or {}))
    fmt = registry.resolve_name(source) if source else src.format
    payloads: list[Any] = []
    pages = records = 0
    for page in src.pages():
        payloads.append(page.payload)
        pages += 1
        records += page.count
        if progress is not None:
            progress.update(pages=pages, records=records, total=page.total)
        if max_pages is not None and pages >= max_pages:
            break
    if progress is not None:
        progress.close()
    merged = merge_payloads(payloads, fmt)
    if merged is not None:
        r = convert(merged, source=fmt, target=target, strict=strict, **options)
        return PullResult(r.output, r.report, r.source, r.target, pages=pages, records=records, url=url)
    # pages that cannot be merged as payloads (GML documents): convert each, merge the outputs
    report = ConversionReport(source=fmt, target=registry.resolve_name(target))
    outs = []
    for payload in payloads:
        r = convert(payload, source=fmt, target=target, strict=strict, **options)
        report.extend(r.report)
        report.records_in += r.report.records_in
        report.records_out += r.report.records_out
        outs.append(r.output)
    output = merge_payloads(outs, report.target)
    return PullResult(outs if output is None else output, report, fmt, report.target, pages=pages,
                      records=records, url=url)


def push(data: Any, endpoint: str | Sink, *, source: str | None = None, strict: bool = False,
         target_options: dict[str, Any] | None = None, timeout: float = 30.0, retries: int = 5,
         http: HttpClient | None = None, **options: Any) -> PushResult:
    """Convert ``data`` (as :func:`mimbridge.convert` takes it; ``source`` default: told from the content)
    into the format ``endpoint`` takes, and write it there.

    >>> import json, pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "rooms.nt"
    >>> r = push({"id": "urn:ngsi-ld:Room:1", "type": "Room"}, f"file:{out}")
    >>> r.count, r.failed, r.target, out.read_text().startswith("<urn:ngsi-ld:Room:1>")
    (1, [], 'ntriples', True)
    """
    sink = endpoint if not isinstance(endpoint, str) else open_sink(
        endpoint, http=_http(http, timeout, retries), **(target_options or {}))
    try:
        r = convert(data, source=source, target=sink.format, strict=strict, **options)
        written = sink.write(r.output)
    finally:
        close = getattr(sink, "close", None)
        if close is not None and isinstance(endpoint, str):
            close()
    count = r.report.records_out if written.whole else len(written.written)
    return PushResult(r.output, r.report, r.source, r.target, written=list(written.written), count=count,
                      failed=list(written.failed), endpoint=endpoint if isinstance(endpoint, str) else "")


def sync(source: str | Source, target: str | Sink, *, checkpoint: str | os.PathLike[str] | Checkpoint | None = None,
         strict: bool = False, max_pages: int | None = None, source_options: dict[str, Any] | None = None,
         target_options: dict[str, Any] | None = None, timeout: float = 30.0, retries: int = 5,
         http: HttpClient | None = None, progress: Progress | None = None,
         on_page: Callable[[int, Any], None] | None = None, **options: Any) -> SyncSummary:
    """Copy every page of ``source`` into ``target`` (endpoint URLs, or opened sources and sinks).

    ``checkpoint`` (a file) makes the run resumable: a rerun continues with the
    first unfinished page and writes no record twice. Returns the
    :class:`~mimbridge.clients.sync.SyncSummary`, whose ``report`` is the merged
    :class:`~mimbridge.ConversionReport`.

    >>> import json, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "in.jsonl").write_text(json.dumps({"id": "urn:ngsi-ld:Room:1", "type": "Room"}) + "\\n")
    >>> s = sync(f"file:{folder / 'in.jsonl'}", f"file:{folder / 'out.nt'}", checkpoint=folder / "cp.json",
    ...          source_options={"format": "ngsi-ld"})
    >>> s.pages, s.records, s.report.lossless
    (1, 1, True)
    """
    client = _http(http, timeout, retries)
    src = open_source(source, http=client, **(source_options or {})) if isinstance(source, str) else source
    sink = open_sink(target, http=client, **(target_options or {})) if isinstance(target, str) else target
    cp = checkpoint if isinstance(checkpoint, Checkpoint) else Checkpoint(
        checkpoint, key=f"{source} -> {target}" if isinstance(source, str) and isinstance(target, str) else "")
    try:
        return sync_endpoints(src, sink, checkpoint=cp, strict=strict, progress=progress, max_pages=max_pages,
                              on_page=on_page, **options)
    finally:
        close = getattr(sink, "close", None)
        if close is not None and isinstance(target, str):
            close()
