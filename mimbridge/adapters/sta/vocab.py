"""SensorThings vocabulary: entity types, navigation names, identifiers, times, geometries.

Shared by the SensorThings reader, writers and the observations mapping.

* Types and attributes live in the namespace :data:`STA` (``urn:mimbridge:sta:``,
  the one ``mappings/sta-sosa.sssom.tsv`` uses); three fields take standard IRIs
  (``description`` -> Dublin Core, ``location`` -> ``ngsi-ld:location``,
  ``properties`` -> ``geojson:properties``), as the NGSI-LD core context does.
* Entity ids are minted by :func:`mint`: ``urn:ngsi-ld:sta:<Type>:<key>`` where
  ``<key>`` keeps the JSON type of the SensorThings id (integers bare, strings
  in OData quotes, anything else as JSON), percent-encoded.

>>> mint("Thing", 1), mint("Observation", "a b")
('urn:ngsi-ld:sta:Thing:1', "urn:ngsi-ld:sta:Observation:'a%20b'")
>>> parse_minted("urn:ngsi-ld:sta:Observation:'a%20b'")
('Observation', True, 'a b')
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

from ...model import NGSI_LD

__all__ = [
    "CONTEXT_URL",
    "ENTITY_SETS",
    "NAV_PROPERTIES",
    "NAV_TYPE",
    "STA",
    "TYPES",
    "entity_set_key",
    "geometry_problem",
    "interval_end",
    "lower_first",
    "mint",
    "mint_anonymous",
    "odata_literal",
    "parse_minted",
    "upper_first",
    "utc_instant",
]

#: Namespace of SensorThings types and attributes in the model.
STA = "urn:mimbridge:sta:"
#: URL of the JSON-LD context that names them (shipped as ``mimbridge/contexts/sta.jsonld``).
CONTEXT_URL = "https://w3id.org/mimbridge/contexts/sta.jsonld"
#: Prefix of minted entity ids.
ID_PREFIX = "urn:ngsi-ld:sta:"

DCT_DESCRIPTION = "http://purl.org/dc/terms/description"
GEOJSON_PROPERTIES = "https://purl.org/geojson/vocab#properties"
NGSI_LOCATION = NGSI_LD + "location"

#: STA 1.1 entity types, then the STA 2.0 draft ones.
TYPES = ("Thing", "Location", "HistoricalLocation", "Datastream", "MultiDatastream", "Sensor",
         "ObservedProperty", "Observation", "FeatureOfInterest", "Feature", "FeatureType")
#: Entity set (collection) name -> entity type.
ENTITY_SETS: dict[str, str] = {
    "Things": "Thing", "Locations": "Location", "HistoricalLocations": "HistoricalLocation",
    "Datastreams": "Datastream", "MultiDatastreams": "MultiDatastream", "Sensors": "Sensor",
    "ObservedProperties": "ObservedProperty", "Observations": "Observation",
    "FeaturesOfInterest": "FeatureOfInterest", "Features": "Feature", "FeatureTypes": "FeatureType",
    "FeatureType": "FeatureType",
}
#: Navigation property -> entity type of its target(s).
NAV_TYPE: dict[str, str] = {
    **{t: t for t in TYPES},
    **ENTITY_SETS,
    "ProximateFeatureOfInterest": "Feature", "UltimateFeatureOfInterest": "Feature",
}
#: Navigation properties of STA 1.1 and the STA 2.0 draft (``Thing``, ``Datastreams``, ...).
NAV_PROPERTIES = ("Thing", "Things", "Locations", "HistoricalLocations", "Datastream", "Datastreams",
                  "MultiDatastream", "MultiDatastreams", "Sensor", "ObservedProperty", "ObservedProperties",
                  "Observations", "FeatureOfInterest", "Features", "FeatureType", "ProximateFeatureOfInterest",
                  "UltimateFeatureOfInterest")
#: Navigation properties of each entity type (used to recognise untyped entities).
TYPE_NAVS: dict[str, frozenset[str]] = {
    "Thing": frozenset({"Locations", "HistoricalLocations", "Datastreams", "MultiDatastreams"}),
    "Location": frozenset({"Things", "HistoricalLocations"}),
    "HistoricalLocation": frozenset({"Thing", "Locations"}),
    "Datastream": frozenset({"Thing", "Sensor", "ObservedProperty", "Observations"}),
    "MultiDatastream": frozenset({"Thing", "Sensor", "ObservedProperties", "Observations"}),
    "Sensor": frozenset({"Datastreams", "MultiDatastreams"}),
    "ObservedProperty": frozenset({"Datastreams", "MultiDatastreams"}),
    "Observation": frozenset({"Datastream", "MultiDatastream", "FeatureOfInterest"}),
    "FeatureOfInterest": frozenset({"Observations"}),
}
#: Fields whose value is a geometry (GeoJSON geometry or Feature, or another encoding).
GEO_FIELDS = frozenset({"location", "feature", "observedArea"})
#: Fields holding an ISO 8601 instant or interval (STA 2.0 writes intervals as {start, end}).
TIME_FIELDS = frozenset({"phenomenonTime", "resultTime", "validTime", "time"})
#: Fields whose model IRI is a standard one rather than ``STA + name``.
FIELD_IRI: dict[str, str] = {"description": DCT_DESCRIPTION, "location": NGSI_LOCATION,
                             "properties": GEOJSON_PROPERTIES}
FIELD_BY_IRI: dict[str, str] = {v: k for k, v in FIELD_IRI.items()}
#: Misspellings found in published examples -> the member meant (read as such and reported).
TYPOS: dict[str, str] = {"phenonmenonTime": "phenomenonTime", "phenomenomTime": "phenomenonTime",
                         "resulttime": "resultTime", "unitOfMeasurment": "unitOfMeasurement"}

# attribute IRIs used by readers and writers
SELF_LINK = STA + "selfLink"
ODATA_CONTEXT = STA + "odataContext"
NAVIGATION_LINK = STA + "navigationLink"
COUNT = STA + "count"
NEXT_LINK = STA + "nextLink"
MEMBERS = STA + "members"
FORM = STA + "form"
FEATURE_WRAPPER = STA + "geojsonFeature"
ORIGINAL = STA + "originalValue"
ENTITY_SETS_IRI = STA + "entitySets"
DATA_ARRAY = STA + "dataArrayLayout"
COLLECTION = STA + "Collection"
SERVICE_ROOT = STA + "ServiceRoot"

_SAFE = "!$&'()*+,=:@"
_JSON_SAFE = "!$&()*+,=:@"
_OCCURRENCE = re.compile(r";(\d+)$")
_GEO_DEPTH = {"Point": 1, "MultiPoint": 2, "LineString": 2, "MultiLineString": 3, "Polygon": 3,
              "MultiPolygon": 4}
#: linear: a match starts only at the start of a word, and possessive runs never backtrack
_LINK_KEY = re.compile(r"(?<![A-Za-z])([A-Za-z]++)\((-?\d++(?:\.\d++)?+|'(?:[^']|'')*+')\)\Z")


def lower_first(name: str) -> str:
    """``Datastreams`` -> ``datastreams`` (the NGSI-LD name of a navigation property).

    >>> lower_first("ObservedProperties")
    'observedProperties'
    """
    return name[:1].lower() + name[1:]


def upper_first(name: str) -> str:
    """``datastreams`` -> ``Datastreams`` (the SensorThings name of a navigation attribute).

    >>> upper_first("featureOfInterest")
    'FeatureOfInterest'
    """
    return name[:1].upper() + name[1:]


def _key(sta_id: Any) -> str:
    if sta_id.__class__ is int:
        return str(sta_id)
    if isinstance(sta_id, str):
        return quote("'" + sta_id.replace("'", "''") + "'", safe=_SAFE)
    return quote(json.dumps(sta_id, separators=(",", ":"), ensure_ascii=False), safe=_JSON_SAFE)


def mint(type_name: str, sta_id: Any) -> str:
    """The NGSI-LD id of the SensorThings entity ``type_name`` with id ``sta_id`` (any JSON).

    >>> mint("Datastream", 1.5), mint("Sensor", True), mint("Thing", "it's")
    ('urn:ngsi-ld:sta:Datastream:1.5', 'urn:ngsi-ld:sta:Sensor:true', "urn:ngsi-ld:sta:Thing:'it''s'")
    """
    return f"{ID_PREFIX}{type_name}:{_key(sta_id)}"


def mint_anonymous(type_name: str, token: str) -> str:
    """The id of an entity without a SensorThings id (``_`` + a deterministic token).

    >>> mint_anonymous("Thing", "3f2a/Datastreams/0")
    'urn:ngsi-ld:sta:Thing:_3f2a/Datastreams/0'
    """
    return f"{ID_PREFIX}{type_name}:_{quote(token, safe='/' + _SAFE)}"


def parse_minted(iri: str) -> tuple[str, bool, Any] | None:
    """``(type, has_id, sta_id)`` of a minted id (occurrence suffix ``;n`` ignored), else None.

    >>> parse_minted("urn:ngsi-ld:sta:Thing:1;2"), parse_minted("urn:ngsi-ld:sta:Thing:_x")
    (('Thing', True, 1), ('Thing', False, None))
    >>> parse_minted("urn:ngsi-ld:Room:1") is None
    True
    """
    if not iri.startswith(ID_PREFIX):
        return None
    type_name, sep, key = iri[len(ID_PREFIX):].partition(":")
    if not sep or not key:
        return None
    if key[0] == "_":
        return type_name, False, None
    if key.isdigit() and (key[0] != "0" or len(key) == 1):
        return type_name, True, int(key)
    m = _OCCURRENCE.search(key)
    if m is not None and not key.endswith("'"):
        key = key[: m.start()]
    text = unquote(key)
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return type_name, True, text[1:-1].replace("''", "'")
    try:
        return type_name, True, json.loads(text)
    except ValueError:
        return None


def odata_literal(sta_id: Any) -> str | None:
    """How an id appears between the parentheses of a SensorThings URL (None if it cannot).

    >>> odata_literal(7), odata_literal("a'b")
    ('7', "'a''b'")
    """
    if sta_id.__class__ is int:
        return str(sta_id)
    if isinstance(sta_id, str):
        return "'" + sta_id.replace("'", "''") + "'"
    return None


def entity_set_key(url: str) -> tuple[str, Any] | None:
    """``(entity set, id)`` from a URL ending in ``Things(1)`` or ``Things('x')``, else None.

    >>> entity_set_key("http://example.org/v1.1/Datastreams('a-1')")
    ('Datastreams', 'a-1')
    """
    m = _LINK_KEY.search(url)
    if m is None:
        return None
    lit = m.group(2)
    if lit.startswith("'"):
        return m.group(1), lit[1:-1].replace("''", "'")
    return m.group(1), json.loads(lit)


def utc_instant(text: Any) -> str | None:
    """The instant as an NGSI-LD ``DateTime`` in UTC (``...Z``), or None if not an instant.

    Already canonical text is returned as is; offsets are converted.

    >>> utc_instant("2014-12-31T11:59:59.00+08:00"), utc_instant("2021-13-14T15:16:00Z")
    ('2014-12-31T03:59:59Z', None)
    """
    if text.__class__ is not str:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    n = len(text)
    if n >= 20 and text[-1] == "Z" and text[10] == "T" and text[4] == "-" and text[13] == ":" and (
            n == 20 or (text[19] == "." and text[20:-1].isdigit())):
        return text
    if dt.tzinfo is None or "T" not in text:
        return None
    out = dt.astimezone(UTC).isoformat(timespec="microseconds" if dt.microsecond else "seconds")
    return out.replace("+00:00", "Z")


def interval_end(text: str) -> str | None:
    """The end of an ISO 8601 ``start/end`` interval (None for an open end).

    >>> interval_end("2024-01-01T00:00:00Z/2024-01-01T01:00:00Z")
    '2024-01-01T01:00:00Z'
    """
    end = text.rpartition("/")[2]
    return None if end in ("", "..") else end


def _positions(c: Any, depth: int) -> bool:
    if depth == 1:
        return isinstance(c, list) and 2 <= len(c) <= 4 and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in c)
    return isinstance(c, list) and all(_positions(x, depth - 1) for x in c)


def geometry_problem(g: Any) -> str | None:
    """Why ``g`` is not a usable GeoJSON geometry, or None when it is.

    >>> geometry_problem({"type": "Point", "coordinates": [1, 2]}) is None
    True
    >>> geometry_problem({"type": "Polygon", "coordinates": [[0, 0], [1, 0], [1, 1], [0, 0]]})
    'Polygon coordinates are not nested 3 levels deep (a ring is not wrapped in an array)'
    """
    if not isinstance(g, dict):
        return "not a JSON object"
    t = g.get("type")
    if t == "GeometryCollection":
        geoms = g.get("geometries")
        if not isinstance(geoms, list):
            return "GeometryCollection has no geometries array"
        for sub in geoms:
            why = geometry_problem(sub)
            if why:
                return why
        return None
    depth = _GEO_DEPTH.get(t) if isinstance(t, str) else None
    if depth is None:
        return f"unknown geometry type {t!r}"
    coords: Any = g.get("coordinates")
    if not _positions(coords, depth):
        if depth == 3 and _positions(coords, 2):
            return f"{t} coordinates are not nested 3 levels deep (a ring is not wrapped in an array)"
        return f"{t} coordinates are not nested {depth} levels deep"
    if t == "Polygon" or t == "MultiPolygon":
        rings = coords if t == "Polygon" else [r for p in coords for r in p]
        for ring in rings:
            if len(ring) < 4 or ring[0] != ring[-1]:
                return f"{t} ring is not closed or has fewer than 4 positions"
    return None


def repair_geometry(g: dict) -> dict | None:
    """A repaired copy of a geometry whose ring lacks one level of nesting, else None.

    >>> repair_geometry({"type": "Polygon", "coordinates": [[0, 0], [1, 0], [1, 1], [0, 0]]})["coordinates"]
    [[[0, 0], [1, 0], [1, 1], [0, 0]]]
    """
    t = g.get("type")
    if t in ("Polygon", "MultiLineString") and _positions(g.get("coordinates"), 2):
        fixed = {**g, "coordinates": [g["coordinates"]]}
        return fixed if geometry_problem(fixed) is None else None
    return None
