"""The HTML page of a described thing: attributes, relationships as resolver links, geometry as WKT.

Everything that comes from the data is escaped; links are made only to
resolver pages (IRIs a minting rule takes) and to ``http(s)`` IRIs, never
from other schemes. The page has no script.

>>> import pyoxigraph as ox
>>> from mimbridge.resolve.minting import Rules
>>> s = ox.NamedNode("urn:ngsi-ld:Room:1")
>>> t = [ox.Triple(s, ox.NamedNode("https://schema.org/name"), ox.Literal("<b>Hall</b>"))]
>>> html = render(Rules.default(), thing="https://id.example.city/Room/1", subjects=[s.value], triples=t)
>>> "&lt;b&gt;Hall&lt;/b&gt;" in html and "<b>Hall" not in html
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox

from ..errors import ResolutionError
from .minting import Rules

__all__ = ["Compactor", "list_items", "render", "wkt"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"
RDF_FIRST, RDF_REST, RDF_NIL = RDF + "first", RDF + "rest", RDF + "nil"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
GEOJSON = "https://purl.org/geojson/vocab#"
NGSI_LD_HAS_VALUE = "https://uri.etsi.org/ngsi-ld/hasValue"
NGSI_LD_DATASET_ID = "https://uri.etsi.org/ngsi-ld/datasetId"
GEOJSON_COORDS = GEOJSON + "coordinates"
GEOMETRY_TYPES = frozenset({"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"})
LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "https://schema.org/name", "http://schema.org/name",
          "http://purl.org/dc/terms/title")
MAX_DEPTH = 12

STYLE = """body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#222}
h1{font-size:1.4rem;word-break:break-all}table{border-collapse:collapse;width:100%}
th,td{border-top:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}th{width:28%;font-weight:600}
dl{margin:0}dt{font-weight:600;font-size:.9em;color:#555}dd{margin:0 0 .3rem 1rem}code{word-break:break-all}
.kind{font-size:.8em;color:#666;border:1px solid #ccc;border-radius:3px;padding:0 .3rem}
.dt{font-size:.8em;color:#777}nav a{margin-right:1rem}"""


def wkt(geometry_type: str, coordinates: Any) -> str:
    """Well-Known Text of a GeoJSON geometry (type name and coordinates).

    >>> wkt("Point", [13.4, 52.5])
    'POINT (13.4 52.5)'
    """
    from shapely.geometry import shape

    return shape({"type": geometry_type, "coordinates": coordinates}).wkt


def list_items(index: dict[Any, list[tuple[Any, Any]]], head: Any) -> list[Any] | None:
    """The members of the RDF list starting at ``head``, or None if ``head`` is not a well-formed list."""
    items: list[Any] = []
    seen: set[Any] = set()
    node = head
    while not (isinstance(node, ox.NamedNode) and node.value == RDF_NIL):
        if node in seen or node not in index:
            return None
        seen.add(node)
        po = dict((p.value, o) for p, o in index[node])
        if RDF_FIRST not in po or RDF_REST not in po:
            return None
        items.append(po[RDF_FIRST])
        node = po[RDF_REST]
    return items


class Compactor:
    """IRI -> ``prefix:local`` with a rule table's prefixes (longest namespace first), memoised.

    >>> Compactor({"sosa": "http://www.w3.org/ns/sosa/"})("http://www.w3.org/ns/sosa/Sensor")
    'sosa:Sensor'
    """

    MAX_CACHE = 50_000

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.cache: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        hit = self.cache.get(iri)
        if hit is not None:
            return hit
        out = iri
        for p, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                out = f"{p}:{iri[len(ns):]}"
                break
        if len(self.cache) >= self.MAX_CACHE:
            self.cache.clear()
        self.cache[iri] = out
        return out


class _Page:
    def __init__(self, rules: Rules, triples: Iterable[ox.Triple], compact: Compactor | None = None) -> None:
        self.rules = rules
        self.index: dict[Any, list[tuple[Any, Any]]] = {}
        for t in triples:
            self.index.setdefault(t.subject, []).append((t.predicate, t.object))
        self.compact = compact or Compactor(rules.prefixes)

    def href(self, iri: str) -> str | None:
        """Where a link to ``iri`` goes: its resolver page (a path), an http(s) URL, or nowhere."""
        try:
            ident = self.rules.identify(iri)
            if self.rules.namespace_for(ident) is not None:
                return urlsplit(self.rules.mint(ident)).path
        except ResolutionError:
            pass
        if iri.startswith(self.rules.base):
            return urlsplit(iri).path
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def iri(self, iri: str, *, text: str | None = None) -> str:
        label = escape(text if text is not None else iri)
        href = self.href(iri)
        if href is None:
            return f"<code>{label}</code>"
        local = not href.startswith(("http://", "https://"))
        rel = "" if local else ' rel="nofollow noopener"'
        cls = "rel" if local else "ext"
        return f'<a class="{cls}" href="{escape(href, quote=True)}"{rel}>{label}</a>'

    def literal(self, lit: ox.Literal) -> str:
        out = escape(lit.value)
        if lit.language:
            return f'{out} <span class="dt">@{escape(lit.language)}</span>'
        dt = lit.datatype.value if lit.datatype else XSD_STRING
        if dt != XSD_STRING:
            out += f' <span class="dt">{escape(self.compact(dt))}</span>'
        return out

    def geometry(self, node: Any) -> str | None:
        po = self.index.get(node, [])
        kinds = [o.value[len(GEOJSON):] for p, o in po if p.value == RDF_TYPE and isinstance(o, ox.NamedNode)
                 and o.value.startswith(GEOJSON)]
        coords = next((o for p, o in po if p.value == GEOJSON_COORDS), None)
        if not kinds or kinds[0] not in GEOMETRY_TYPES or coords is None:
            return None
        value = self.plain(coords, 0)
        try:
            return wkt(kinds[0], value)
        except Exception:  # malformed coordinates: show them as they are
            return f"{kinds[0]} {json.dumps(value)}"

    def plain(self, term: Any, depth: int) -> Any:
        """A list/number/string view of a term (for coordinates)."""
        if depth > MAX_DEPTH * 4:
            return None
        if isinstance(term, ox.Literal):
            try:
                return float(term.value)
            except ValueError:
                return term.value
        items = list_items(self.index, term)
        if items is not None:
            return [self.plain(i, depth + 1) for i in items]
        return str(term)

    def value(self, term: Any, depth: int) -> str:
        if isinstance(term, ox.Literal):
            return self.literal(term)
        if isinstance(term, ox.NamedNode):
            if term.value == RDF_NIL:
                return "[]"
            return self.iri(term.value)
        if depth > MAX_DEPTH:
            return "…"
        geom = self.geometry(term)
        if geom is not None:
            return f'<code class="wkt">{escape(geom)}</code>'
        items = list_items(self.index, term)
        if items is not None:
            return "[" + ", ".join(self.value(i, depth + 1) for i in items) + "]"
        return self.node(term, depth + 1)

    def node(self, term: Any, depth: int) -> str:
        po = self.index.get(term, [])
        kinds = [self.compact(o.value) for p, o in po if p.value == RDF_TYPE and isinstance(o, ox.NamedNode)]
        rows = []
        for p, o in sorted(po, key=lambda x: (self.compact(x[0].value), str(x[1]))):
            if p.value == RDF_TYPE:
                continue
            rows.append(f'<dt title="{escape(p.value, quote=True)}">{escape(self.compact(p.value))}</dt>'
                        f"<dd>{self.value(o, depth)}</dd>")
        badge = "".join(f'<span class="kind">{escape(k)}</span> ' for k in kinds)
        return f"{badge}<dl>{''.join(rows)}</dl>"

    def label(self, subjects: Sequence[ox.NamedNode]) -> str | None:
        """rdfs:label / schema:name / dct:title, else the value of an NGSI-LD ``name`` Property
        (its default instance; among several, the first in sort order, so the title is stable)."""
        for s in subjects:
            for p, o in self.index.get(s, []):
                if p.value in LABELS and isinstance(o, ox.Literal):
                    return o.value
        found: list[tuple[bool, str]] = []  # (has a datasetId, value): the default instance first, then by value
        for s in subjects:
            for p, o in self.index.get(s, []):
                if re.search(r"[/#]name$", p.value) and not isinstance(o, ox.Literal):
                    po = self.index.get(o, [])
                    has_dataset = any(p2.value == NGSI_LD_DATASET_ID for p2, _ in po)
                    found += [(has_dataset, v.value) for p2, v in po
                              if p2.value == NGSI_LD_HAS_VALUE and isinstance(v, ox.Literal)]
        return min(found)[1] if found else None


def render(rules: Rules, *, thing: str, subjects: Sequence[str], triples: Iterable[ox.Triple],
           referrers: Sequence[tuple[str, str]] = (), alternates: Sequence[tuple[str, str, str]] = (),
           compact: Compactor | None = None) -> str:
    """The HTML page describing ``thing`` (whose data sits under the store IRIs ``subjects``).

    ``referrers``: ``(subject, predicate)`` pointing here; ``alternates``: ``(label, href, media type)``;
    ``compact``: a shared :class:`Compactor` (saves work across pages).
    """
    page = _Page(rules, triples, compact)
    nodes = [ox.NamedNode(s) for s in subjects]
    title = page.label(nodes) or (subjects[0] if subjects else thing)
    types: list[str] = []
    rows: list[str] = []
    for s in nodes:
        for p, o in sorted(page.index.get(s, []), key=lambda x: (page.compact(x[0].value), str(x[1]))):
            if p.value == RDF_TYPE and isinstance(o, ox.NamedNode):
                types.append(f'<span class="kind" title="{escape(o.value, quote=True)}">'
                             f"{escape(page.compact(o.value))}</span>")
                continue
            rows.append(f'<tr><th title="{escape(p.value, quote=True)}">{escape(page.compact(p.value))}</th>'
                        f"<td>{page.value(o, 0)}</td></tr>")
    same = "".join(f"<li>same as <code>{escape(s)}</code></li>" for s in subjects if s != thing)
    refs = "".join(f"<li>{page.iri(s)} <span class=\"dt\">{escape(page.compact(p))}</span></li>"
                   for s, p in referrers)
    alt = "".join(f'<a href="{escape(h, quote=True)}" type="{escape(m, quote=True)}">{escape(label)}</a>'
                  for label, h, m in alternates)
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f'<h1 id="title">{escape(title)}</h1>',
        f'<p>{" ".join(types)}</p>' if types else "",
        f'<ul class="ids"><li>URI <code id="thing">{escape(thing)}</code></li>{same}</ul>',
        f'<nav id="formats">{alt}</nav>' if alt else "",
        '<table id="attributes"><tbody>' + "".join(rows) + "</tbody></table>" if rows else "<p>No attributes.</p>",
        f'<h2>Referenced by</h2><ul id="referrers">{refs}</ul>' if refs else "",
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"
