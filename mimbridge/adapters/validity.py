"""Rules the standards set on typed members, shared by the readers.

A reader that meets a value the standard does not allow keeps it as given and
reports it as an :class:`~mimbridge.report.Invalid` event naming the rule
(``strict=True`` turns it into an error). The checks here are pure functions
returning the broken rule, or ``None`` when the value is fine.

>>> datetime_problem("2024-01-01T00:00:00Z") is None
True
>>> datetime_problem("yesterday")
'an ISO 8601 date-time (NGSI-LD DateTime, e.g. 2024-01-01T00:00:00Z)'
>>> geometry_problem({"type": "Point", "coordinates": ["a"]})
'GeoJSON Point coordinates: a position of 2 or 3 numbers (RFC 7946 3.1.1)'
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

__all__ = ["DATETIME_RULE", "datetime_problem", "geometry_problem", "time_problem"]

DATETIME_RULE = "an ISO 8601 date-time (NGSI-LD DateTime, e.g. 2024-01-01T00:00:00Z)"
TIME_RULE = "an ISO 8601 instant or interval start/end (SensorThings TM_Object)"

#: GeoJSON geometry type -> depth of nesting of positions in its coordinates
_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


def _instant(s: str) -> bool:
    if len(s) < 10 or not s[:4].isdigit():
        return False
    try:
        datetime.fromisoformat(s)
    except ValueError:
        return False
    return True


def datetime_problem(value: Any) -> str | None:
    """The DateTime rule ``value`` breaks, or None (an ISO 8601 date-time string)."""
    if isinstance(value, str) and "T" in value and _instant(value):
        return None
    return DATETIME_RULE


def time_problem(value: Any) -> str | None:
    """The SensorThings time rule ``value`` breaks (instant, or interval ``start/end``), or None."""
    if isinstance(value, str):
        parts = value.split("/")
        if len(parts) <= 2 and all(_instant(p) for p in parts):
            return None
    return TIME_RULE


def _position(p: Any) -> bool:
    return (isinstance(p, list) and 2 <= len(p) <= 4 and all(
        isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) for x in p))


def _positions(c: Any, depth: int) -> bool:
    if depth == 0:
        return _position(c)
    return isinstance(c, list) and all(_positions(x, depth - 1) for x in c)


def geometry_problem(g: Any) -> str | None:
    """The RFC 7946 rule a GeoJSON geometry object breaks, or None (type known, positions of numbers)."""
    if not isinstance(g, dict):
        return "a GeoJSON geometry object (RFC 7946 3.1)"
    t = g.get("type")
    if t == "GeometryCollection":
        parts = g.get("geometries")
        if not isinstance(parts, list):
            return "GeoJSON GeometryCollection: a 'geometries' array (RFC 7946 3.1.8)"
        return next((p for p in map(geometry_problem, parts) if p is not None), None)
    depth = _DEPTH.get(t) if isinstance(t, str) else None
    if depth is None:
        return "a GeoJSON geometry type: Point, MultiPoint, LineString, ... (RFC 7946 1.4)"
    if not _positions(g.get("coordinates"), depth):
        what = "a position of 2 or 3 numbers" if depth == 0 else "an array of positions of numbers"
        return f"GeoJSON {t} coordinates: {what} (RFC 7946 3.1.1)"
    return None
