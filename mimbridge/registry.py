"""The adapter registry: a sorted data table, imported lazily.

``FORMATS`` maps a format name to ``"module:Class"`` and an install hint;
``ALIASES`` maps file suffixes, media types and alternative names to format
names. Adapters are imported on first use. Third-party adapters register in
the entry-point group ``mimbridge.adapters`` (name = format name, value =
``"package.module:Class"``); they may not silently replace a built-in or an
already registered format (:func:`register` with ``replace=True`` does, on
purpose).

>>> get("ngsi-ld-simplified").name
'ngsi-ld-keyvalues'
>>> resolve_name(".jsonld")
'ngsi-ld'
"""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from .adapters.base import Adapter
from .errors import AdapterNotFoundError, MimbridgeError
from .suggest import nearest

__all__ = ["ALIASES", "FORMATS", "FormatRow", "available", "get", "register", "resolve_name"]

ENTRY_POINT_GROUP = "mimbridge.adapters"


@dataclass(frozen=True, slots=True)
class FormatRow:
    """One registry row: where the adapter lives and how to install what it needs."""

    target: str
    hint: str = ""
    summary: str = ""


# Keep sorted by name (a test checks it).
FORMATS: dict[str, FormatRow] = {
    "geojson": FormatRow("mimbridge.adapters.features:GeoJSONAdapter", "",
                         "GeoJSON / OGC API Features items (Feature, FeatureCollection with links and paging)"),
    "native": FormatRow("mimbridge.adapters.native:NativeAdapter", "",
                        "mimbridge's canonical JSON dump of its model (golden files)"),
    "ngsi-ld": FormatRow("mimbridge.adapters.ngsild:NormalizedAdapter", "",
                         "NGSI-LD normalized representation (lossless)"),
    "ngsi-ld-concise": FormatRow("mimbridge.adapters.ngsild:ConciseAdapter", "",
                                 "NGSI-LD concise representation (lossless)"),
    "ngsi-ld-geojson": FormatRow("mimbridge.adapters.ngsild:GeoJSONAdapter", "",
                                 "NGSI-LD GeoJSON representation (Feature / FeatureCollection)"),
    "ngsi-ld-keyvalues": FormatRow("mimbridge.adapters.ngsild:KeyValuesAdapter", "",
                                   "NGSI-LD simplified (keyValues) representation (lossy)"),
    "ngsi-ld-temporal": FormatRow("mimbridge.adapters.ngsild:TemporalAdapter", "",
                                  "NGSI-LD temporal representation (normalized, temporalValues, aggregated)"),
    "nquads": FormatRow("mimbridge.adapters.rdf:NQuadsAdapter", "pip install pyoxigraph",
                        "RDF N-Quads (profiles ngsi-ld, sosa)"),
    "ntriples": FormatRow("mimbridge.adapters.rdf:NTriplesAdapter", "pip install pyoxigraph",
                          "RDF N-Triples (profiles ngsi-ld, sosa)"),
    "ogc-records": FormatRow("mimbridge.adapters.features:RecordsAdapter", "",
                             "OGC API Records items (read; externalIds DOIs as resolvable URIs)"),
    "rdf-jsonld": FormatRow("mimbridge.adapters.rdf:RdfJsonLdAdapter", "pip install pyoxigraph",
                            "RDF graph as JSON-LD (profiles ngsi-ld, sosa)"),
    "rdfxml": FormatRow("mimbridge.adapters.rdf:RdfXmlAdapter", "pip install pyoxigraph",
                        "RDF/XML (profiles ngsi-ld, sosa)"),
    "sta": FormatRow("mimbridge.adapters.sta:StaAdapter", "",
                     "OGC SensorThings API 1.1 JSON (entities, collections, $expand trees, deep inserts)"),
    "sta-dataarray": FormatRow("mimbridge.adapters.sta:StaDataArrayAdapter", "",
                               "SensorThings Observations as dataArray (responses, CreateObservations)"),
    "sta2": FormatRow("mimbridge.adapters.sta:Sta2Adapter", "",
                      "OGC SensorThings API 2.0 draft JSON"),
    "turtle": FormatRow("mimbridge.adapters.rdf:TurtleAdapter", "pip install pyoxigraph",
                        "RDF Turtle (profiles ngsi-ld, sosa)"),
    "wfs-gml": FormatRow("mimbridge.adapters.features:WFSAdapter", "",
                         "WFS 2.0 / 1.1 GetFeature responses, GML 3.2 / 3.1.1 (read; safe XML parsing)"),
}

# Keep sorted by alias (a test checks it).
ALIASES: dict[str, str] = {
    ".geojson": "geojson",
    ".gml": "wfs-gml",
    ".json": "ngsi-ld",
    ".jsonld": "ngsi-ld",
    ".mimbridge.json": "native",
    ".nq": "nquads",
    ".nt": "ntriples",
    ".owl": "rdfxml",
    ".rdf": "rdfxml",
    ".ttl": "turtle",
    "application/geo+json": "ngsi-ld-geojson",
    "application/gml+xml": "wfs-gml",
    "application/json": "ngsi-ld",
    "application/ld+json": "ngsi-ld",
    "application/n-quads": "nquads",
    "application/n-triples": "ntriples",
    "application/rdf+xml": "rdfxml",
    "concise": "ngsi-ld-concise",
    "dataarray": "sta-dataarray",
    "geojson": "geojson",
    "gml": "wfs-gml",
    "keyvalues": "ngsi-ld-keyvalues",
    "n-quads": "nquads",
    "n-triples": "ntriples",
    "ngsi-ld-normalized": "ngsi-ld",
    "ngsi-ld-simplified": "ngsi-ld-keyvalues",
    "normalized": "ngsi-ld",
    "ogcapi-features": "geojson",
    "ogcapi-records": "ogc-records",
    "records": "ogc-records",
    "sensorthings": "sta",
    "simplified": "ngsi-ld-keyvalues",
    "sta-1.1": "sta",
    "sta-2.0": "sta2",
    "temporal": "ngsi-ld-temporal",
    "text/turtle": "turtle",
    "ttl": "turtle",
    "wfs": "wfs-gml",
}

_loaded: dict[str, Adapter] = {}
_extra: dict[str, FormatRow] = {}
_entry_points_scanned = False


def _scan_entry_points() -> None:
    global _entry_points_scanned
    if _entry_points_scanned:
        return
    _entry_points_scanned = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in FORMATS or ep.name in _extra or ep.name in ALIASES:
            # a plugin cannot shadow an existing format; say so instead of skipping in silence
            who = ep.dist.name if ep.dist else "a plugin"
            warnings.warn(f"entry point {ep.name!r} of {who} ({ep.value}) is ignored: the name is already a "
                          f"mimbridge format; register it under another name", RuntimeWarning, stacklevel=2)
            continue
        _extra[ep.name] = FormatRow(ep.value, f"provided by {ep.dist.name if ep.dist else 'a plugin'}")


def available() -> list[str]:
    """Sorted names of every registered format (built-in and plugins)."""
    _scan_entry_points()
    return sorted({*FORMATS, *_extra})


def resolve_name(name: str) -> str:
    """Canonical format name for a name, alias, file suffix or media type."""
    _scan_entry_points()
    key = name.strip()
    if key in FORMATS or key in _extra:
        return key
    low = key.lower().split(";")[0].strip()
    if low in ALIASES:
        return ALIASES[low]
    if low in FORMATS or low in _extra:
        return low
    close = nearest(key, [*available(), *(a for a in ALIASES if not a.startswith((".", "application/", "text/")))])
    raise AdapterNotFoundError(name, available(), suggestion=ALIASES.get(close, close) if close else None)


def register(name: str, target: str | type[Adapter], *, hint: str = "", replace: bool = False) -> None:
    """Register an adapter under ``name`` (``"module:Class"`` or the class itself).

    Raises :class:`MimbridgeError` if ``name`` exists, unless ``replace=True``.
    """
    _scan_entry_points()
    if not replace and (name in FORMATS or name in _extra or name in ALIASES):
        raise MimbridgeError(f"format {name!r} is already registered; pass replace=True to override")
    if isinstance(target, type):
        _extra[name] = FormatRow(f"{target.__module__}:{target.__qualname__}", hint)
        inst = target()
        _loaded[name] = inst
    else:
        _extra[name] = FormatRow(target, hint)
        _loaded.pop(name, None)


def _row(name: str) -> FormatRow:
    return _extra.get(name) or FORMATS[name]


def get(name: str) -> Adapter:
    """The adapter instance for ``name`` (any alias), imported on first use."""
    canonical = resolve_name(name)
    hit = _loaded.get(canonical)
    if hit is not None:
        return hit
    row = _row(canonical)
    module, _, cls = row.target.partition(":")
    try:
        obj: Any = importlib.import_module(module)
        for part in cls.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise AdapterNotFoundError(canonical, available(), hint=row.hint or str(exc)) from exc
    inst: Adapter = obj()
    if not inst.name:
        inst.name = canonical  # type: ignore[misc]  # a plugin class that left it empty
    _loaded[canonical] = inst
    return inst
