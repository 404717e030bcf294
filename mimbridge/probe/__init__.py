"""MIM1 compliance probe: check a live endpoint against requirements R1-R8 and give each a verdict.

:func:`probe` detects the API kind (NGSI-LD, SensorThings, OGC API
Features/Records, WFS, SPARQL) unless ``api`` names it, runs a bounded set
of read-only requests per requirement (writes only with ``allow_write``)
and returns a :class:`~.verdict.ProbeReport`: pass, fail, not offered by
the standard, or could not tell, each with its evidence. One module per
API kind holds the checks; :mod:`.earl` writes the report as W3C EARL.

>>> sorted(PROBERS)
['ngsi-ld', 'ogcapi', 'sparql', 'sta', 'wfs']
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .verdict import REQUIREMENTS, Evidence, ProbeReport, Result, Verdict

if TYPE_CHECKING:  # pragma: no cover
    from ..clients.http import HttpClient
    from .base import Prober

__all__ = ["PROBERS", "REQUIREMENTS", "Evidence", "ProbeReport", "Result", "Verdict", "detect", "probe"]

#: API kind -> "module:Class" of its prober
PROBERS: dict[str, str] = {
    "ngsi-ld": "ngsild:NgsiLdProber",
    "ogcapi": "ogcapi:OgcApiProber",
    "sparql": "sparql:SparqlProber",
    "sta": "sta:StaProber",
    "wfs": "wfs:WfsProber",
}
_ALIASES = {"ngsild": "ngsi-ld", "sensorthings": "sta", "features": "ogcapi", "records": "ogcapi",
            "ogc": "ogcapi", "ogcapi-features": "ogcapi", "ogcapi-records": "ogcapi"}


def _prober_class(api: str) -> type[Prober]:
    mod, cls = PROBERS[api].split(":")
    return getattr(importlib.import_module(f"{__name__}.{mod}"), cls)  # type: ignore[no-any-return]


def detect(url: str, *, http: HttpClient) -> tuple[str | None, list[Evidence]]:
    """Find the API kind of ``url`` with a few GET requests; ``(None, evidence)`` when nothing answers as one.

    Order: NGSI-LD when the path names ``/ngsi-ld/``, the landing document
    (SensorThings service root, OGC API landing page), WFS GetCapabilities,
    a SPARQL ``ASK {}`` (at the URL, then at ``/query`` below it), and
    NGSI-LD Query Entities.
    """
    from .base import Prober

    p = Prober(url, http=http)
    path = urlsplit(url).path
    if "/ngsi-ld/" in path + "/":
        return "ngsi-ld", []
    landing = p.get(url, headers={"Accept": "application/json"})
    if not landing.ok and not url.endswith("/"):
        landing = p.get(url + "/", headers={"Accept": "application/json"})
    body = landing.json()
    if isinstance(body, dict):
        names = {v.get("name") for v in body.get("value", []) if isinstance(v, dict)}
        if {"Things", "Datastreams", "Observations"} <= names:
            return "sta", p.log
        rels = {ln.get("rel") for ln in body.get("links", []) if isinstance(ln, dict)}
        if rels & {"conformance", "data", "http://www.opengis.net/def/rel/ogc/1.0/conformance",
                   "http://www.opengis.net/def/rel/ogc/1.0/data"}:
            return "ogcapi", p.log
    caps = p.get(url, params={"SERVICE": "WFS", "REQUEST": "GetCapabilities"})
    if caps.response is not None and b"WFS_Capabilities" in caps.response.content[:2000]:
        return "wfs", p.log
    for candidate in (url, url.rstrip("/") + "/query"):
        ask = p.get(candidate, params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"})
        if isinstance(ask.json(), dict) and "boolean" in ask.json():
            return "sparql", p.log
    from ..clients.ngsild import api_root

    ngsi = p.get(f"{api_root(url)}/entities", params={"type": "MimbridgeProbe", "limit": 1},
                 headers={"Accept": "application/json"})
    if ngsi.ok and isinstance(ngsi.json(), list):
        return "ngsi-ld", p.log
    return None, p.log


def probe(url: str | os.PathLike[str], *, api: str | None = None, allow_write: bool = False,
          allow_redirects: bool = False, type: str | None = None, timeout: float = 15.0, retries: int = 1,
          wait: float = 10.0, http: HttpClient | None = None, options: Mapping[str, Any] | None = None,
          fmt: str | None = None, contexts: Mapping[str, Any] | None = None, schema: Any = None,
          shapes: Any = None) -> ProbeReport:
    """Check the endpoint ``url`` against MIM1 R1-R8; return the report (``report.ok``: all applicable pass).

    ``api`` forces the kind (``ngsi-ld``, ``sta``, ``ogcapi``, ``wfs``, ``sparql``);
    ``type`` names what to query (NGSI-LD entity type, OGC collection, WFS
    feature type, RDF class; found on the endpoint when omitted);
    ``allow_write`` permits the write tests (a subscription, an
    Observation); ``wait`` bounds waiting for a notification or an MQTT
    message; ``options``: ``notify_host`` (NGSI-LD notifications), ``mqtt``
    (SensorThings MQTT broker URL when the server does not advertise one).
    Nothing is sent anywhere but ``url`` and the hosts it names, and
    redirects stay on its host unless ``allow_redirects``.

    A local file instead of a URL gets the MIM2 data checks
    (:func:`~.data.probe_data`: ``fmt``, ``contexts`` = local copies of
    its ``@context`` URLs, ``schema`` JSON Schema, ``shapes`` SHACL).

    >>> report = probe("http://127.0.0.1:9/", api="sparql", timeout=1, retries=0)
    >>> report.verdicts()["R1"], report.verdicts()["R6"]
    ('fail', 'not offered')
    """
    if not str(url).startswith(("http://", "https://")):
        from .data import probe_data

        return probe_data(url, fmt=fmt, contexts=contexts, schema=schema, shapes=shapes)
    url = str(url)
    if api is not None:
        api = _ALIASES.get(api, api)
        if api not in PROBERS:
            raise ValueError(f"unknown api {api!r}; one of {', '.join(sorted(PROBERS))}")
    from ..clients.http import HttpClient
    from .base import HostGuard

    own = http is None
    if http is None:
        transport = None if allow_redirects else HostGuard(url)
        http = HttpClient(timeout=timeout, retries=retries, transport=transport, max_backoff=2.0)
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        evidence: list[Evidence] = []
        if api is None:
            api, evidence = detect(url, http=http)
        if api is None:
            results = [Result("R1", Verdict.FAIL, "the endpoint answers as none of NGSI-LD, SensorThings, OGC API, "
                              "WFS, SPARQL", evidence)]
            results += [Result(f"R{i}", Verdict.UNKNOWN, "no API detected") for i in range(2, 9)]
            return ProbeReport(url=url, api="unknown", results=results, started=started, requests=http.requests)
        prober = _prober_class(api)(url, http=http, allow_write=allow_write, type=type, wait=wait, options=options)
        results = prober.run()
        return ProbeReport(url=url, api=api, results=results, started=started, requests=http.requests)
    finally:
        if own:
            http.close()
