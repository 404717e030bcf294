"""Bounded samples of live endpoints for :func:`mimbridge.describe.describe_endpoint`.

Each API kind is sampled with the probe's requests (the connectors' HTTP
layer, redirects kept on the host): entities or features are read with
mimbridge's readers where a format exists, else the few values DCAT needs
(geometries, times, types) are asked for directly.
"""

from __future__ import annotations

from typing import Any

from .clients.http import HttpClient
from .describe_summary import Summary, summarize
from .errors import ConnectorError
from .probe.base import HostGuard
from .probe.geo import geometry_of

__all__ = ["sample_endpoint"]


def sample_endpoint(url: str, *, api: str | None = None, type: str | None = None, limit: int = 500,
                    http: HttpClient | None = None, timeout: float = 15.0,
                    **options: Any) -> tuple[str, Summary, str | None, str]:
    """``(api, summary, media type, access URL)`` of a live endpoint."""
    from .probe import detect

    own = http is None
    if http is None:
        http = HttpClient(timeout=timeout, retries=1, transport=HostGuard(url), max_backoff=2.0)
    try:
        if api is None:
            api, _ = detect(url, http=http)
            if api is None:
                raise ConnectorError("the endpoint answers as none of NGSI-LD, SensorThings, OGC API, WFS, SPARQL",
                                     url=url)
        fn = {"ngsi-ld": _ngsild, "ogcapi": _ogcapi, "wfs": _wfs, "sta": _sta, "sparql": _sparql}[api]
        summary, media, access = fn(url, http=http, type=type, limit=limit)
        return api, summary, media, access
    finally:
        if own:
            http.close()


def _ngsild(url: str, *, http: HttpClient, type: str | None, limit: int) -> tuple[Summary, str | None, str]:
    from .convert import read
    from .probe.ngsild import NgsiLdProber

    p = NgsiLdProber(url, http=http, type=type)
    _, entities = p.sample()
    summary = summarize(read(entities, source="ngsi-ld")) if entities else Summary()
    if p.type:
        temporal = p.get(f"{p.root}/temporal/entities", params={"type": p.type, "timerel": "after",
                                                               "timeAt": "1970-01-01T00:00:00Z", "limit": 100},
                         headers={"Accept": "application/json"})
        if temporal.ok and isinstance(temporal.json(), list):
            summarize(read(temporal.json(), source="ngsi-ld-temporal"), summary)
    return summary, "application/ld+json", p.root


def _ogcapi(url: str, *, http: HttpClient, type: str | None, limit: int) -> tuple[Summary, str | None, str]:
    from .convert import read
    from .probe.ogcapi import OgcApiProber

    p = OgcApiProber(url, http=http, type=type)
    _, cols = p.collections()
    summary = Summary()
    for col in cols:
        if type and col.get("id") != type:
            continue
        answer = p.doc(f"/collections/{col.get('id')}/items", limit=min(limit, 1000))
        body = answer.json()
        if answer.ok and isinstance(body, dict):
            fmt = "ogc-records" if col.get("itemType") == "record" else "geojson"
            summarize(read(body, source=fmt), summary)
    return summary, "application/geo+json", p.url


def _wfs(url: str, *, http: HttpClient, type: str | None, limit: int) -> tuple[Summary, str | None, str]:
    from .convert import read
    from .probe.wfs import WfsProber

    p = WfsProber(url, http=http, type=type)
    _, wfs = p.caps()
    names = [type] if type else list(getattr(wfs, "contents", {}) or {})
    summary = Summary()
    for name in names:
        answer = p.kvp("GetFeature", TYPENAMES=name, COUNT=limit)
        if answer.ok and answer.response is not None:
            summarize(read(answer.response.content, source="wfs-gml"), summary)
    return summary, "application/gml+xml", url


def _sta(url: str, *, http: HttpClient, type: str | None, limit: int) -> tuple[Summary, str | None, str]:
    from .probe.sta import StaProber

    p = StaProber(url, http=http, type=type)
    summary = Summary()
    locs = p.get(f"{p.url}/Locations", params={"$top": min(limit, 1000)})
    for v in (locs.json() or {}).get("value", []):
        summary.add_geometry(geometry_of(v.get("location")))
    obs = p.get(f"{p.url}/Observations", params={"$top": min(limit, 1000), "$select": "phenomenonTime"})
    for v in (obs.json() or {}).get("value", []):
        summary.count += 1
        summary.add_time(v.get("phenomenonTime"))
    props = p.get(f"{p.url}/ObservedProperties", params={"$top": 100})
    for v in (props.json() or {}).get("value", []):
        if isinstance(v.get("definition"), str) and ":" in v["definition"]:
            summary.attributes.add(v["definition"])
    summary.types.add("http://www.w3.org/ns/sosa/Observation")
    return summary, "application/json", p.url


def _sparql(url: str, *, http: HttpClient, type: str | None, limit: int) -> tuple[Summary, str | None, str]:
    from shapely import wkt
    from shapely.errors import ShapelyError

    from .probe.sparql import SparqlProber

    p = SparqlProber(url, http=http, type=type)
    summary = Summary()
    _, rows = p.rows("SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 50")
    for r in rows or []:
        summary.types.add(r["c"])
        summary.count += int(r.get("n") or 0)
    _, rows = p.rows("SELECT (MIN(?o) AS ?a) (MAX(?o) AS ?b) WHERE { ?s ?p ?o FILTER(datatype(?o) = xsd:dateTime) }")
    for r in rows or []:
        summary.add_time(r.get("a"))
        summary.add_time(r.get("b"))
    _, rows = p.rows(f"SELECT ?w WHERE {{ ?g geo:asWKT ?w }} LIMIT {int(limit)}")
    for r in rows or []:
        text = str(r.get("w", ""))
        try:
            summary.add_geometry(wkt.loads(text.split(">", 1)[1] if text.startswith("<") else text))
        except (ShapelyError, ValueError):
            continue  # not WKT: the value adds nothing to the box
    return summary, "application/sparql-results+json", p.endpoint or url
