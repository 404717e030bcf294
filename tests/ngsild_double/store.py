"""The double's in-memory entity store: upsert, query (type, q subset, geo-query), temporal evolution.

Names are compared as the client wrote them (compact terms): the double does
not expand JSON-LD, so a test must read with the context it wrote with, as
any client of a real broker does.
"""

from __future__ import annotations

import copy
import math
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shapely.geometry import Point, shape
from shapely.ops import nearest_points

SYSTEM = frozenset({"id", "type", "@context", "scope", "createdAt", "modifiedAt", "deletedAt"})
EARTH_RADIUS_M = 6_371_008.8


class QueryError(ValueError):
    """A query the double cannot evaluate (answered with 400 BadRequestData)."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def types_of(entity: dict[str, Any]) -> list[str]:
    t = entity.get("type")
    return list(t) if isinstance(t, list) else [t]


def instances(value: Any) -> list[dict[str, Any]]:
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, dict)]


@dataclass
class Record:
    entity: dict[str, Any]
    context: Any
    created: str
    modified: str


@dataclass
class Store:
    """Entities by id (insertion order kept for stable paging), their history, and subscriptions."""

    entities: dict[str, Record] = field(default_factory=dict)
    history: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)

    def upsert(self, entity: dict[str, Any], *, update: bool = False) -> tuple[bool, list[str]]:
        """Create or replace (``update``: merge) one entity; return (created, changed attribute names)."""
        body = {k: v for k, v in entity.items() if k != "@context"}
        stamp = now()
        old = self.entities.get(body["id"])
        if old is not None and update:
            merged = dict(old.entity)
            merged.update(body)
            body = merged
        self.entities[body["id"]] = Record(body, entity.get("@context"), old.created if old else stamp, stamp)
        changed = [k for k in body if k not in SYSTEM and (old is None or old.entity.get(k) != body[k])]
        self.record_history(entity, stamp)
        return old is None, changed

    def record_history(self, entity: dict[str, Any], stamp: str) -> None:
        """Append every attribute instance (observedAt or, lacking it, the write time) to the history."""
        hist = self.history.setdefault(entity["id"], {"type": entity["type"], "context": entity.get("@context"),
                                                      "attrs": {}})
        for name, value in entity.items():
            if name in SYSTEM:
                continue
            for inst in instances(value):
                item = copy.deepcopy(inst)
                item.setdefault("instanceId", f"urn:ngsi-ld:Instance:{uuid.uuid4()}")
                item["modifiedAt"] = stamp
                hist["attrs"].setdefault(name, []).append(item)

    def query(self, *, types: list[str] | None, ids: list[str] | None, q: str | None,
              geo: dict[str, Any] | None, attrs: list[str] | None) -> list[Record]:
        out = []
        for rec in self.entities.values():
            e = rec.entity
            if types and not set(types_of(e)) & set(types):
                continue
            if ids and e["id"] not in ids:
                continue
            if q and not match_q(e, q):
                continue
            if geo and not match_geo(e, geo):
                continue
            if attrs and not any(a in e for a in attrs):
                continue
            out.append(rec)
        return out

    def temporal(self, *, types: list[str] | None, timerel: str, time_at: str, end_time_at: str | None,
                 timeproperty: str, attrs: list[str] | None) -> list[dict[str, Any]]:
        start, end = _instant(time_at), _instant(end_time_at) if end_time_at else None
        out = []
        for eid, hist in self.history.items():
            if types and not set(hist["type"] if isinstance(hist["type"], list) else [hist["type"]]) & set(types):
                continue
            entity: dict[str, Any] = {"id": eid, "type": hist["type"]}
            for name, items in hist["attrs"].items():
                if attrs and name not in attrs:
                    continue
                keep = [i for i in items if _in_time(i.get(timeproperty), timerel, start, end)]
                if keep:
                    entity[name] = [{k: v for k, v in i.items() if k != "modifiedAt"} for i in keep]
            if len(entity) > 2:
                out.append({"entity": entity, "context": hist["context"]})
        return out


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise QueryError(f"not a DateTime: {text!r}") from exc


def _in_time(stamp: str | None, timerel: str, start: datetime, end: datetime | None) -> bool:
    if stamp is None:
        return False
    t = _instant(stamp)
    if timerel == "before":
        return t < start
    if timerel == "after":
        return t >= start
    if end is None:
        raise QueryError("timerel=between needs endTimeAt")
    return start <= t < end


# --- q: a subset of clause 4.9 (terms joined by ';' (and) or '|' (or), no parentheses) ---

_TERM = re.compile(r"^\s*([A-Za-z0-9_:#.\[\]]+)\s*(==|!=|>=|<=|>|<)\s*(.+?)\s*$")


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError as exc:
        raise QueryError(f"q value {text!r} is not a number, boolean or quoted string") from exc


def _attr_values(entity: dict[str, Any], path: str) -> list[Any]:
    name, _, sub = path.partition(".")
    out = []
    for inst in instances(entity.get(name)):
        if sub:
            for s in instances(inst.get(sub)):
                out.append(s.get("value", s.get("object")))
        else:
            out.append(inst.get("value", inst.get("object")))
    return out


def _compare(a: Any, op: str, b: Any) -> bool:
    if op == "==":
        return a in b if isinstance(b, list) else a == b
    if op == "!=":
        return a != b
    if isinstance(a, bool) or isinstance(b, bool) or (type(a) is not type(b) and not (
            isinstance(a, (int, float)) and isinstance(b, (int, float)))):
        return False
    return {">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[op]


def match_q(entity: dict[str, Any], q: str) -> bool:
    """Evaluate ``q`` (``attr op value`` terms, ``;`` and, ``|`` or; ranges ``a..b`` and lists ``a,b``)."""
    if "(" in q:
        raise QueryError("the double does not evaluate parenthesised q expressions")
    return any(all(_term(entity, t) for t in alt.split(";")) for alt in q.split("|"))


def _term(entity: dict[str, Any], term: str) -> bool:
    m = _TERM.match(term)
    if not m:
        if re.fullmatch(r"\s*[A-Za-z0-9_:#.]+\s*", term):
            return bool(_attr_values(entity, term.strip()))  # existence
        raise QueryError(f"q term {term!r} is not supported by the double")
    path, op, raw = m.groups()
    values = _attr_values(entity, path)
    if ".." in raw and op in ("==", "!="):
        lo, hi = (_literal(x) for x in raw.split("..", 1))
        hit = any(_compare(v, ">=", lo) and _compare(v, "<=", hi) for v in values)
        return hit if op == "==" else not hit
    target: Any = [_literal(x) for x in raw.split(",")] if "," in raw and not raw.startswith('"') else _literal(raw)
    if op == "!=":
        return all(_compare(v, "!=", target) for v in values) and bool(values)
    return any(_compare(v, op, target) for v in values)


# --- geo-query (clause 4.10), with shapely; distances on a sphere ---


def haversine(a: Point, b: Point) -> float:
    """Great-circle distance in metres between two lon/lat points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a.x, a.y, b.x, b.y))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def match_geo(entity: dict[str, Any], geo: dict[str, Any]) -> bool:
    ref = shape({"type": geo["geometry"], "coordinates": geo["coordinates"]})
    georel: str = geo["georel"]
    for inst in instances(entity.get(geo.get("geoproperty") or "location")):
        value = inst.get("value")
        if inst.get("type") != "GeoProperty" or not isinstance(value, dict):
            continue
        try:
            g = shape(value)
        except (ValueError, AttributeError, TypeError, KeyError):
            continue
        if georel.startswith("near;"):
            if geo["geometry"] != "Point":
                raise QueryError("near needs a Point reference geometry")
            kind, _, limit = georel[5:].partition("==")
            near, _ = nearest_points(g, ref)
            d = haversine(near, ref)
            if (d <= float(limit)) if kind == "maxDistance" else (d >= float(limit)):
                return True
            continue
        if georel not in ("equals", "disjoint", "intersects", "within", "contains", "overlaps"):
            raise QueryError(f"georel {georel!r} is not supported")
        if getattr(g, georel)(ref):
            return True
    return False


def project(entity: dict[str, Any], attrs: Iterable[str] | None) -> dict[str, Any]:
    if not attrs:
        return dict(entity)
    keep = set(attrs)
    return {k: v for k, v in entity.items() if k in SYSTEM or k in keep}
