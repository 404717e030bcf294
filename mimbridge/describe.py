"""DCAT 3 descriptions of data files and live endpoints (MIM1 R7: discovery of sources by location and time).

:func:`describe` gives an ``rdflib.Graph`` with a ``dcat:Catalog``, one
``dcat:Dataset`` (entity types as ``dct:subject``... see below), a
``dcat:Distribution`` (media type, download or access URL) and, for an
endpoint, a ``dcat:DataService`` (``dcat:endpointURL``, ``dct:conformsTo``
the API standard). The dataset carries what the data shows:

* ``dct:spatial`` a ``dct:Location`` with ``dcat:bbox`` (GeoSPARQL WKT, CRS84);
* ``dct:temporal`` a ``dct:PeriodOfTime`` with ``dcat:startDate``/``dcat:endDate``
  (first and last ``observedAt`` or other time values);
* ``dct:conformsTo`` the standard and the data models (entity type IRIs);
* ``dcat:keyword`` the entity types and attribute names (compact), and the
  type and attribute IRIs as ``dct:subject`` / ``dcat:theme``-free ``rdfs:seeAlso``.

Files are read with mimbridge's own readers into the internal model; an
endpoint is sampled (at most ``sample`` entities) through the probe's
bounded requests. ``mimbridge validate --shapes dcat-ap`` checks the output
against the shipped DCAT-AP 3 mandatory-property shapes.

>>> g = describe({"id": "urn:ngsi-ld:Room:1", "type": "Room", "temperature": {"type": "Property", "value": 21,
...     "observedAt": "2024-03-01T10:00:00Z"}, "location": {"type": "GeoProperty",
...     "value": {"type": "Point", "coordinates": [4.9, 52.37]}}}, fmt="ngsi-ld", title="Rooms")
>>> sorted(str(o) for o in g.objects(None, rns.DCAT.bbox))
['POLYGON((4.9 52.37, 4.9 52.37, 4.9 52.37, 4.9 52.37, 4.9 52.37))']
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import rdflib.namespace as rns
from rdflib import BNode, Graph, Literal, Namespace, URIRef

from .probe.geo import geometry_of, wkt_polygon

__all__ = ["STANDARDS", "Summary", "describe", "describe_endpoint", "summarize"]

GEO = Namespace("http://www.opengis.net/ont/geosparql#")
BASE = "https://w3id.org/mimbridge/catalog/"
#: API kind -> (standard IRI, title)
STANDARDS = {
    "ngsi-ld": ("https://www.etsi.org/deliver/etsi_gs/CIM/001_099/009/", "ETSI GS CIM 009 NGSI-LD API"),
    "sta": ("http://www.opengis.net/doc/is/sensorthings/1.1", "OGC SensorThings API 1.1"),
    "ogcapi": ("http://www.opengis.net/doc/IS/ogcapi-features-1/1.0", "OGC API - Features - Part 1: Core"),
    "wfs": ("http://www.opengis.net/doc/IS/wfs/2.0", "OGC Web Feature Service 2.0"),
    "sparql": ("https://www.w3.org/TR/sparql11-protocol/", "SPARQL 1.1 Protocol"),
}
MEDIA = {"ngsi-ld": "application/ld+json", "ngsi-ld-concise": "application/ld+json",
         "ngsi-ld-keyvalues": "application/json", "ngsi-ld-temporal": "application/ld+json",
         "ngsi-ld-geojson": "application/geo+json", "geojson": "application/geo+json",
         "ogc-records": "application/geo+json", "wfs-gml": "application/gml+xml", "sta": "application/json",
         "turtle": "text/turtle", "ntriples": "application/n-triples", "nquads": "application/n-quads",
         "rdfxml": "application/rdf+xml", "rdf-jsonld": "application/ld+json", "native": "application/json"}
IANA = "https://www.iana.org/assignments/media-types/"


class Summary:
    """What a sample of data shows: types, attributes, bounding box, first and last time."""

    def __init__(self) -> None:
        self.types: set[str] = set()
        self.attributes: set[str] = set()
        self.bounds: list[float] | None = None
        self.first: str | None = None
        self.last: str | None = None
        self.count = 0

    def add_geometry(self, geom: Any) -> None:
        if geom is None or geom.is_empty:
            return
        x0, y0, x1, y1 = geom.bounds
        b = self.bounds
        self.bounds = [x0, y0, x1, y1] if b is None else [min(b[0], x0), min(b[1], y0), max(b[2], x1),
                                                          max(b[3], y1)]

    def add_time(self, value: Any) -> None:
        from .probe.base import iso, parse_time

        for part in str(value).split("/") if isinstance(value, str) else []:
            t = parse_time(part)
            if t is None:
                continue
            text = iso(t)
            if self.first is None or parse_time(text) < parse_time(self.first):  # type: ignore[operator]
                self.first = text
            if self.last is None or parse_time(text) > parse_time(self.last):  # type: ignore[operator]
                self.last = text


def summarize(graph: Any, summary: Summary | None = None) -> Summary:
    """Fold a :class:`~mimbridge.model.Graph` into a :class:`Summary`."""
    from .model import Kind, walk

    s = summary or Summary()
    for node in graph:
        s.count += 1
        s.types.update(node.types)
        for name in node.attrs:
            s.attributes.add(name)
        for _path, _name, attr in walk(node.attrs):
            if attr.kind == Kind.GEO:
                s.add_geometry(geometry_of(attr.value))
            elif attr.kind == Kind.PROPERTY and isinstance(attr.value, str) and "T" in attr.value[10:11]:
                s.add_time(attr.value)
            if attr.observed_at:
                s.add_time(attr.observed_at)
    return s


def _id(seed: str, kind: str) -> URIRef:
    return URIRef(f"{BASE}{kind}/{hashlib.sha256(seed.encode()).hexdigest()[:16]}")


def _compact(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def build(summary: Summary, *, title: str, seed: str, media: str | None, download: str | None = None,
          endpoint: str | None = None, api: str | None = None, publisher: str | None = None,
          description: str | None = None) -> Graph:
    """The DCAT graph for one summary (the shared writer of files and endpoints)."""
    g = Graph()
    for prefix, ns in (("dcat", rns.DCAT), ("dct", rns.DCTERMS), ("foaf", rns.FOAF), ("geo", GEO), ("xsd", rns.XSD)):
        g.bind(prefix, ns)
    catalog, dataset, dist = _id(seed, "catalog"), _id(seed, "dataset"), _id(seed, "distribution")
    agent = _id(publisher or seed, "agent")
    g.add((agent, rns.RDF.type, rns.FOAF.Agent))
    g.add((agent, rns.FOAF.name, Literal(publisher or "unknown publisher")))
    g.add((catalog, rns.RDF.type, rns.DCAT.Catalog))
    g.add((catalog, rns.DCTERMS.title, Literal(f"Catalogue of {title}", lang="en")))
    g.add((catalog, rns.DCTERMS.description, Literal(f"DCAT description of {title}, generated by mimbridge describe",
                                                 lang="en")))
    g.add((catalog, rns.DCTERMS.publisher, agent))
    g.add((catalog, rns.DCAT.dataset, dataset))
    g.add((dataset, rns.RDF.type, rns.DCAT.Dataset))
    g.add((dataset, rns.DCTERMS.title, Literal(title, lang="en")))
    types = sorted(summary.types)
    g.add((dataset, rns.DCTERMS.description, Literal(description or (
        f"{summary.count} entities of type(s) {', '.join(map(_compact, types)) or 'unknown'}"), lang="en")))
    g.add((dataset, rns.DCTERMS.publisher, agent))
    for t in types:
        g.add((dataset, rns.DCTERMS.conformsTo, URIRef(t)))
        g.add((dataset, rns.DCAT.keyword, Literal(_compact(t))))
    for a in sorted(summary.attributes):
        g.add((dataset, rns.RDFS.seeAlso, URIRef(a)))
        g.add((dataset, rns.DCAT.keyword, Literal(_compact(a))))
    if api in STANDARDS:
        std = URIRef(STANDARDS[api][0])
        g.add((dataset, rns.DCTERMS.conformsTo, std))
        g.add((std, rns.RDF.type, rns.DCTERMS.Standard))
        g.add((std, rns.DCTERMS.title, Literal(STANDARDS[api][1])))
    if summary.bounds is not None:
        loc = BNode()
        g.add((dataset, rns.DCTERMS.spatial, loc))
        g.add((loc, rns.RDF.type, rns.DCTERMS.Location))
        g.add((loc, rns.DCAT.bbox, Literal(wkt_polygon(summary.bounds), datatype=GEO.wktLiteral)))
    if summary.first is not None:
        period = BNode()
        g.add((dataset, rns.DCTERMS.temporal, period))
        g.add((period, rns.RDF.type, rns.DCTERMS.PeriodOfTime))
        g.add((period, rns.DCAT.startDate, Literal(summary.first, datatype=rns.XSD.dateTime)))
        g.add((period, rns.DCAT.endDate, Literal(summary.last, datatype=rns.XSD.dateTime)))
    g.add((dataset, rns.DCAT.distribution, dist))
    g.add((dist, rns.RDF.type, rns.DCAT.Distribution))
    g.add((dist, rns.DCTERMS.title, Literal(f"{title} ({media or 'data'})", lang="en")))
    if media:
        g.add((dist, rns.DCAT.mediaType, URIRef(IANA + media)))
    access = endpoint or download
    if access:
        g.add((dist, rns.DCAT.accessURL, URIRef(access)))
    if download:
        g.add((dist, rns.DCAT.downloadURL, URIRef(download)))
    if endpoint:
        service = _id(seed, "service")
        g.add((catalog, rns.DCAT.service, service))
        g.add((service, rns.RDF.type, rns.DCAT.DataService))
        name = STANDARDS.get(api or "", ("", api))[1]
        g.add((service, rns.DCTERMS.title, Literal(f"{name} at {endpoint}", lang="en")))
        g.add((service, rns.DCAT.endpointURL, URIRef(endpoint)))
        g.add((service, rns.DCAT.servesDataset, dataset))
        if api in STANDARDS:
            g.add((service, rns.DCTERMS.conformsTo, URIRef(STANDARDS[api][0])))
        g.add((dist, rns.DCAT.accessService, service))
    return g


def _file_uri(path: Path) -> str:
    return path.resolve().as_uri()


def describe(source: Any, *, fmt: str | None = None, title: str | None = None, publisher: str | None = None,
             api: str | None = None, type: str | None = None, sample: int = 500, **options: Any) -> Graph:
    """A DCAT graph for a data file (path), parsed data (with ``fmt``), or an endpoint URL (``http(s)://``).

    ``fmt`` is the data's format (default: from the file suffix); ``api`` and
    ``type`` go to the endpoint sampling as in :func:`mimbridge.probe.probe`.
    """
    from . import registry
    from .convert import read

    if isinstance(source, str) and source.startswith(("http://", "https://")):
        return describe_endpoint(source, api=api, type=type, title=title, publisher=publisher, sample=sample,
                                 **options)
    download = None
    if isinstance(source, (str, os.PathLike)) and Path(source).is_file():
        path = Path(source)
        name = fmt or "".join(path.suffixes[-2:]) if path.name.endswith(".mimbridge.json") else (fmt or path.suffix)
        fmt = registry.resolve_name(name)
        title = title or path.name
        download = _file_uri(path)
        data: Any = path.read_bytes()
        seed = download
    else:
        if fmt is None:
            raise ValueError("fmt is required when source is data, not a file")
        fmt = registry.resolve_name(fmt)
        data = source
        seed = repr(source)[:2000]
    graph = read(data, source=fmt, **options)
    return build(summarize(graph), title=title or "data", seed=seed, media=MEDIA.get(fmt), download=download,
                 publisher=publisher)


def describe_endpoint(url: str, *, api: str | None = None, type: str | None = None, title: str | None = None,
                      publisher: str | None = None, sample: int = 500, http: Any = None,
                      **options: Any) -> Graph:
    """A DCAT graph for a live endpoint, from a bounded sample of its data (bounded requests, as the probe sends)."""
    from .describe_sample import sample_endpoint

    api, summary, media, access = sample_endpoint(url, api=api, type=type, limit=sample, http=http, **options)
    return build(summary, title=title or f"{STANDARDS.get(api, ('', api))[1]} at {url}", seed=url, media=media,
                 endpoint=access, api=api, publisher=publisher)

