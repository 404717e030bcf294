"""Live connectors: pull from and push to SensorThings, OGC API / WFS, SPARQL, MQTT and NGSI-LD endpoints.

Endpoints are named by URL with a kind prefix, looked up in :data:`KINDS`
(a data table, like the format registry)::

    sta+http://host/v1.1/Things?$expand=Datastreams    SensorThings API 1.1
    ogcapi+http://host/collections/lakes/items           OGC API Features / Records
    wfs+http://host/cgi-bin/mapserv?map=...&typeNames=x  WFS 2.0 GetFeature
    sparql+http://host/query                             SPARQL 1.1 (+ Graph Store for writes)
    ngsi-ld+http://broker                                NGSI-LD API
    mqtt://host:1883/v1.1/Datastreams(1)/Observations    STA MQTT topics (streaming)
    file:out.jsonl                                       files (JSON lines appended, N-Triples, Turtle)

>>> split_endpoint("sta+http://127.0.0.1:8000/sensorthings/v1.1/Things")
('sta', 'http://127.0.0.1:8000/sensorthings/v1.1/Things')
>>> split_endpoint("mqtt://127.0.0.1:1883/v1.1/Datastreams(1)/Observations")[0]
'mqtt'
"""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import AdapterNotFoundError
from .base import Checkpoint, Page, Sink, Source, WriteResult
from .http import HttpClient
from .sync import Progress, SyncSummary, sync

__all__ = [
    "KINDS",
    "Checkpoint",
    "HttpClient",
    "Page",
    "Progress",
    "Sink",
    "Source",
    "SyncSummary",
    "WriteResult",
    "open_sink",
    "open_source",
    "split_endpoint",
    "sync",
]

#: endpoint kind -> (module, summary). Each module defines ``open_source(url, *, http, **options)``
#: and ``open_sink(url, *, http, **options)`` (raising CapabilityError when a direction is unsupported).
KINDS: dict[str, tuple[str, str]] = {
    "file": ("mimbridge.clients.files", "files: JSON, JSON lines (appending sink), N-Triples, Turtle"),
    "mqtt": ("mimbridge.clients.mqtt", "SensorThings MQTT topics (paho-mqtt), streaming"),
    "ngsi-ld": ("mimbridge.clients.ngsild", "NGSI-LD API: entities, temporal, batch upsert, subscriptions"),
    "ogcapi": ("mimbridge.clients.ogc", "OGC API Features / Records items (owslib), next-link paging"),
    "sparql": ("mimbridge.clients.sparql", "SPARQL 1.1 Query/Update and Graph Store protocol"),
    "sta": ("mimbridge.clients.sta", "SensorThings API 1.1: nextLink paging, deep insert, CreateObservations"),
    "wfs": ("mimbridge.clients.ogc", "WFS 2.0 / 1.1 GetFeature (owslib), GML"),
}


def split_endpoint(url: str) -> tuple[str, str]:
    """Split ``kind+http://...`` into ``(kind, http-url)``; ``mqtt://`` keeps its URL."""
    if url.startswith("file:"):
        return "file", url
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise AdapterNotFoundError(url, sorted(KINDS), "endpoints look like sta+http://host/v1.1/Things")
    if scheme in ("mqtt", "mqtts"):
        return "mqtt", url
    kind, plus, transport = scheme.partition("+")
    if not plus or kind not in KINDS or transport not in ("http", "https"):
        raise AdapterNotFoundError(kind or scheme, sorted(KINDS),
                                   "prefix the URL with the endpoint kind, e.g. sta+http://...")
    return kind, f"{transport}://{rest}"


def _module(kind: str) -> Any:
    return importlib.import_module(KINDS[kind][0])


def open_source(url: str, *, http: HttpClient | None = None, **options: Any) -> Source:
    """Open a source endpoint by prefixed URL, e.g. ``open_source("sta+http://host/v1.1/Things")``."""
    kind, real = split_endpoint(url)
    return _module(kind).open_source(real, http=http or HttpClient(), kind=kind, **options)


def open_sink(url: str, *, http: HttpClient | None = None, **options: Any) -> Sink:
    """Open a sink endpoint by prefixed URL, e.g. ``open_sink("ngsi-ld+http://broker")``."""
    kind, real = split_endpoint(url)
    return _module(kind).open_sink(real, http=http or HttpClient(), kind=kind, **options)
