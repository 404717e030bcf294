"""The model's ``meta`` fields: a documented table, not hidden conventions.

``Graph.meta``, ``Node.meta`` and ``Attr.meta`` hold what a format has and the
model has no field for. Every key in use is a row of :data:`META_KEYS`:
where it lives (``graph``, ``node`` or ``attr``), whether it is *data* (the
user's information: a notification envelope, ``previousValue``, foreign
GeoJSON members) or *form* (how the document was written: one entity or an
array, ``@id`` for ``id``), and what it means. Keys are namespaced by the
format family that sets them (``ngsi-ld:``, ``geojson:``, ``rdf:``,
``sta:``, ``gml:``, ``wfs:``); two exceptions keep their standard names:
``@context`` (the JSON-LD context an entity came with) and the NGSI-LD
attribute members kept verbatim (``previousValue``, ``objectType``, ...).

A writer writes each data key it meets or the capability check reports it
(:func:`mimbridge.adapters.base.check_capabilities`, from
``Capabilities.extras``). ``docs/design.md`` renders this table.

>>> META_KEYS["ngsi-ld:single"].level
'graph'
>>> meta_key("previousValue").data
True
>>> meta_key("x-unknown") is None
True
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DATA_KEYS", "MEMBER_NAME", "META_KEYS", "MetaKey", "meta_key"]

#: ``Attr.meta`` key: the member name an instance came with when several names expand to its attribute IRI
MEMBER_NAME = "ngsi-ld:name"


@dataclass(frozen=True, slots=True)
class MetaKey:
    """One ``meta`` key: where it lives, whether it is the user's data, what it means."""

    key: str
    level: str
    data: bool
    meaning: str


_ROWS: tuple[tuple[str, str, bool, str], ...] = (
    # -- shared ---------------------------------------------------------------------------
    ("ngsi-ld:single", "graph", False, "the document was one entity / feature, not an array or collection "
                                        "(every writer honours it)"),
    ("@context", "node", True, "the JSON-LD @context the entity came with (compacts names on output)"),
    # -- NGSI-LD ------------------------------------------------------------------------------
    ("ngsi-ld:notification", "graph", True, "the members of a notification envelope other than data"),
    ("ngsi-ld:typeArray", "node", False, "type was an array even with one type"),
    ("ngsi-ld:jsonld-keywords", "node", False, "the entity used @id / @type instead of id / type"),
    ("ngsi-ld:array", "attr", False, "a single instance was given as a one-element array"),
    ("ngsi-ld:name", "attr", True, "the member name an instance came with, when several member names expand "
                                   "to its attribute IRI"),
    ("ngsi-ld:aggregation", "attr", True, "aggregated temporal value: method, period start and end"),
    *((m, "attr", True, "NGSI-LD attribute member kept verbatim") for m in (
        "previousValue", "previousObject", "previousLanguageMap", "previousVocab", "previousJson",
        "previousValueList", "previousObjectList", "objectType", "lang", "entity", "entityList")),
    # -- GeoJSON / OGC API Features / WFS -----------------------------------------------------------
    ("geojson:collection", "graph", True, "FeatureCollection members other than features (links, numberMatched, ...)"),
    ("geojson:bare", "graph", False, "the document was a bare geometry, not a Feature"),
    ("geojson:feature", "node", False, "the node was read from a GeoJSON Feature"),
    ("geojson:id", "node", True, "the Feature id as given (number or string; geojson:absent when it had none)"),
    ("geojson:members", "node", True, "foreign members of the Feature (bbox, links, ...)"),
    ("geojson:noGeometry", "node", False, "the Feature had a null geometry"),
    ("geojson:noProperties", "node", False, "the Feature had no properties member"),
    ("geojson:nullProperties", "node", False, "the Feature had properties: null"),
    ("geojson:geometryMembers", "node", False, "properties that were GeoJSON geometries"),
    ("wfs:collection", "graph", False, "WFS FeatureCollection attributes as given (their values also go to "
                                        "geojson:collection)"),
    ("gml:id", "node", False, "the gml:id of the feature (also geojson:id)"),
    ("gml:identifierCodeSpace", "node", True, "codeSpace of gml:identifier"),
    ("gml:geometryProperty", "node", False, "name of the GML geometry property (GeoJSON has one geometry member)"),
    # -- RDF --------------------------------------------------------------------------------------
    ("rdf:blank", "node", False, "the subject was a blank node"),
    ("rdf:plain", "node", False, "generic RDF: no NGSI-LD round-trip annotations"),
    ("rdf:untyped", "node", False, "the subject had no rdf:type"),
    ("rdf:index", "attr", False, "position of the instance among its attribute's instances (read only)"),
    ("rdf:direct", "attr", False, "a plain triple, not an NGSI-LD attribute node (read only)"),
    # -- SensorThings -----------------------------------------------------------------------------
    ("sta:version", "graph", False, "SensorThings dialect read (1.0, 1.1, 2.0)"),
)

#: key -> row; ``docs/design.md`` lists it
META_KEYS: dict[str, MetaKey] = {k: MetaKey(k, level, data, meaning) for k, level, data, meaning in _ROWS}
#: the keys that hold the user's information (reported when a target cannot hold them)
DATA_KEYS = frozenset(k for k, m in META_KEYS.items() if m.data)


def meta_key(key: str) -> MetaKey | None:
    """The row of a ``meta`` key, or None for a key no format documents."""
    return META_KEYS.get(key)
