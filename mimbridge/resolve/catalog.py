"""``GET /catalog`` of the resolver service: the DCAT 3 description of its store (MIM1 R7).

The store is summarised with three SPARQL queries (classes, first and last
``xsd:dateTime``, GeoSPARQL ``geo:asWKT`` geometries for the bounding box)
and written by :func:`mimbridge.describe.build`; the answer is negotiated
like the documents (Turtle by default, JSON-LD, N-Triples, RDF/XML).

>>> from rdflib import URIRef
>>> from mimbridge.resolve.store import OxigraphStore
>>> store = OxigraphStore()
>>> _ = store.replace_graph_text("urn:g", '<urn:x:1> a <https://ex.org/Room> .', ox.RdfFormat.TURTLE)
>>> g = catalog_graph(store, "https://id.example.city/")
>>> len(list(g.subjects(None, URIRef("http://www.w3.org/ns/dcat#Dataset"))))
1
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..describe import Summary, build
from .store import TripleStore

__all__ = ["catalog_graph", "catalog_response"]

_CLASSES = "SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 50"
_TIMES = ("SELECT (MIN(?o) AS ?a) (MAX(?o) AS ?b) WHERE { ?s ?p ?o "
          "FILTER(datatype(?o) = <http://www.w3.org/2001/XMLSchema#dateTime>) }")
_WKT = "SELECT ?w WHERE { ?g <http://www.opengis.net/ont/geosparql#asWKT> ?w } LIMIT 5000"
_SYNTAX = {"turtle": ("text/turtle", "turtle"), "jsonld": ("application/ld+json", "json-ld"),
           "ntriples": ("application/n-triples", "nt"), "rdfxml": ("application/rdf+xml", "xml")}


def _rows(store: TripleStore, query: str) -> list[dict[str, str]]:
    store = getattr(store, "base", store)  # staged records on top of a snapshot: the snapshot (indexed data)
    inner = getattr(store, "store", None)
    if isinstance(inner, ox.Store):
        result: Any = inner.query(query, use_default_graph_as_union=True)
        return [{v.value: s[v].value for v in result.variables if s[v] is not None} for s in result]
    from ..clients.sparql import select

    url = getattr(store, "query_url", None)
    if url is None:
        return []
    return [{k: v.value for k, v in row.items()} for row in select(url, query)]


def catalog_graph(store: TripleStore, base: str) -> Any:
    """The DCAT graph (``rdflib.Graph``) of ``store``, served at ``{base}catalog``."""
    from shapely import wkt
    from shapely.errors import ShapelyError

    summary = Summary()
    for row in _rows(store, _CLASSES):
        if "c" in row:
            summary.types.add(row["c"])
            summary.count += int(row.get("n", 0))
    for row in _rows(store, _TIMES):
        summary.add_time(row.get("a"))
        summary.add_time(row.get("b"))
    for row in _rows(store, _WKT):
        text = row.get("w", "")
        try:
            summary.add_geometry(wkt.loads(text.split(">", 1)[1] if text.startswith("<") else text))
        except (ShapelyError, ValueError):
            continue  # not WKT: the value adds nothing to the box
    return build(summary, title=f"Resolver store at {base}", seed=base, media="text/turtle",
                 endpoint=base, publisher=None, description=f"{summary.count} typed resources resolved under {base}")


async def catalog_response(request: Request) -> Response:
    """The route function: ``GET /catalog`` (``?format=ttl|jsonld|nt|rdf`` or ``Accept``)."""
    from starlette.concurrency import run_in_threadpool

    from .service import FORMAT_PARAM, negotiate

    resolver = request.app.state.resolver
    name = FORMAT_PARAM.get(request.query_params.get("format", "")) or negotiate(request.headers.get("accept"))
    if name in (None, "html"):
        name = "turtle"
    if name not in _SYNTAX:
        return PlainTextResponse("not acceptable", status_code=406)
    graph = await run_in_threadpool(catalog_graph, resolver.store, resolver.rules.base)
    media, syntax = _SYNTAX[name]
    return Response(graph.serialize(format=syntax), media_type=media, headers={"Vary": "Accept"})

