"""The dataArray form of SensorThings Observations (``$resultFormat=dataArray``, ``CreateObservations``).

Reading expands the rows into plain Observations (:func:`.sta_read.expand_data_array`);
writing (:func:`to_data_array`) groups plain Observations by their Datastream
(or MultiDatastream) and by the members they have, so that every member is a
component and nothing is lost: ``sta -> sta-dataarray -> sta`` gives the same
document. A group's Datastream is a ``Datastream@iot.navigationLink`` when only
its link is known (a response), else the entity object (a ``CreateObservations``
body). Members the standard has no component for (``@iot.selfLink``, navigation
links, an expanded ``FeatureOfInterest``) become components under their own name.

>>> group = to_data_array({"value": [{"@iot.id": 1, "phenomenonTime": "2024-01-01T00:00:00Z", "result": 3,
...                         "Datastream": {"@iot.id": 7}}]}, None)["value"][0]
>>> group["Datastream"], group["components"], group["dataArray"]
({'@iot.id': 7}, ['id', 'phenomenonTime', 'result'], [[1, '2024-01-01T00:00:00Z', 3]])
"""

from __future__ import annotations

import json
from typing import Any

from .vocab import entity_set_key

__all__ = ["COMPONENT_ORDER", "to_data_array"]

#: Order of the standard components (others follow, by name).
COMPONENT_ORDER = ("id", "phenomenonTime", "result", "resultTime", "resultQuality", "validTime", "parameters",
                   "FeatureOfInterest/id")
_RANK = {c: i for i, c in enumerate(COMPONENT_ORDER)}
_NAVS = ("Datastream", "MultiDatastream")


def _header(obs: dict[str, Any], create: bool) -> tuple[str, dict[str, Any]]:
    """(navigation member taken into the group header, the header)."""
    for nav in _NAVS:
        ds = obs.get(nav)
        if isinstance(ds, dict):
            link = ds.get("@iot.selfLink")
            if not create and isinstance(link, str) and set(ds) <= {"@iot.id", "@iot.selfLink"}:
                key = entity_set_key(link)
                if "@iot.id" not in ds or (key is not None and key[1] == ds["@iot.id"]
                                           and type(key[1]) is type(ds["@iot.id"])):
                    return nav, {f"{nav}@iot.navigationLink": link}
            return nav, {nav: ds}
    return "", {}


def _cells(obs: dict[str, Any], nav: str) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for k, v in obs.items():
        if k == nav:
            continue
        if k == "@iot.id":
            cells["id"] = v
        elif k == "FeatureOfInterest" and isinstance(v, dict) and set(v) == {"@iot.id"}:
            cells["FeatureOfInterest/id"] = v["@iot.id"]
        else:
            cells[k] = v
    return cells


def _from_layout(items: list[Any], layout: dict[str, Any], create: bool) -> list[dict[str, Any]] | None:
    groups: list[dict[str, Any]] = []
    pos = 0
    for g in layout.get("groups", []):
        chunk = items[pos: pos + g["size"]]
        pos += g["size"]
        if len(chunk) != g["size"]:
            return None
        comps = g["components"]
        rows = []
        for obs in chunk:
            if not isinstance(obs, dict):
                return None
            nav, header = _header(obs, create)
            if any(g["extra"].get(k) != v for k, v in header.items()):
                return None
            cells = _cells(obs, nav)
            if set(cells) != set(comps):
                return None
            rows.append([cells[c] for c in comps])
        groups.append({**g["extra"], "components": list(comps), "dataArray": rows})
    return groups if pos == len(items) else None


def to_data_array(doc: Any, layout: dict[str, Any] | None) -> Any:
    """Turn a SensorThings document of Observations into its dataArray form.

    ``layout`` (what the reader recorded for a dataArray input) restores the original
    groups and component order when the Observations still fit them.

    >>> to_data_array([{"phenomenonTime": "2024-01-01T00:00:00Z", "result": 1, "Datastream": {"@iot.id": 2}}],
    ...               None)  # doctest: +NORMALIZE_WHITESPACE
    [{'Datastream': {'@iot.id': 2}, 'components': ['phenomenonTime', 'result'],
      'dataArray': [['2024-01-01T00:00:00Z', 1]]}]
    """
    if isinstance(doc, list):
        items, rest, create = doc, None, True
    elif isinstance(doc, dict) and isinstance(doc.get("value"), list):
        items, rest, create = doc["value"], {k: v for k, v in doc.items() if k != "value"}, False
    else:
        items, rest, create = [doc], {}, False
    if layout is not None:
        create = layout.get("form") == "create"
        rest = None if create else (rest or {})
    groups = _from_layout(items, layout, create) if layout is not None else None
    if groups is None:
        by_key: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
        for obs in items:
            nav, header = _header(obs, create) if isinstance(obs, dict) else ("", {})
            cells = _cells(obs, nav) if isinstance(obs, dict) else {"value": obs}
            comps = tuple(sorted(cells, key=lambda c: (_RANK.get(c, len(_RANK)), c)))
            key = (json.dumps(header, sort_keys=True), comps)
            g = by_key.get(key)
            if g is None:
                g = by_key[key] = {**header, "components": list(comps), "dataArray": []}
            g["dataArray"].append([cells[c] for c in comps])
        groups = list(by_key.values())
    if create:
        return groups
    return {**(rest or {}), "value": groups}
