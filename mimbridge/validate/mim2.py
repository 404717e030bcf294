"""MIM2 report: how far a data set uses the shared Smart Data Models catalogue.

For an NGSI-LD document (keyValues, normalized or concise; one entity, an
array or a notification) :func:`mim2_report` gives

* the share of entity types that name one catalogue model (and of entities
  whose type does), the ambiguous and the unknown types;
* the share of the (type, attribute) pairs the model lists, the attributes
  the catalogue knows only under another model, the unknown ones;
* attributes whose NGSI-LD kind disagrees with the catalogue (normalized: the
  attribute's ``type``; keyValues: a Relationship whose value is no URI, a
  GeoProperty whose value is no GeoJSON geometry);
* attributes whose ``unitCode`` disagrees with the units the catalogue states
  (read as UN/CEFACT codes by :func:`mimbridge.sdm.units.unit_code`).

>>> from mimbridge.sdm.catalogue import AttributeSpec, Catalogue
>>> cat = Catalogue([{"dataModel": "Bin", "repoName": "dataModel.Waste", "property": "fill",
...                   "context": "https://ex.org/fill", "type": "number", "typeNGSI": "Property"}])
>>> r = mim2_report([{"id": "urn:x:1", "type": "Bin", "fill": 3, "colour": "red"}], catalogue=cat)
>>> r.type_share, r.attribute_share, r.unknown_attributes
(1.0, 0.5, ['Bin.colour'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .jsonschema import ENTITY_MEMBERS, VALUE_MEMBER
from .sdm import entities_of

__all__ = ["Mim2Report", "mim2_report"]

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_GEOMETRIES = frozenset({"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
                         "GeometryCollection"})


@dataclass(slots=True)
class Mim2Report:
    """Catalogue coverage of a data set (see the module documentation)."""

    catalogue: str = ""
    entities: int = 0
    entities_found: int = 0
    types: dict[str, str] = field(default_factory=dict)  # type -> model (subject/name), "ambiguous: ...", "unknown"
    attributes: int = 0
    attributes_found: int = 0
    elsewhere: dict[str, list[str]] = field(default_factory=dict)  # Type.attr -> models listing attr
    unknown_attributes: list[str] = field(default_factory=list)
    kind_disagreements: list[dict[str, str]] = field(default_factory=list)
    unit_disagreements: list[dict[str, str]] = field(default_factory=list)

    @property
    def type_share(self) -> float:
        """Share of the entity types that name one catalogue model."""
        found = sum(1 for v in self.types.values() if "/" in v and not v.startswith("ambiguous"))
        return found / len(self.types) if self.types else 0.0

    @property
    def entity_share(self) -> float:
        """Share of the entities whose type names one catalogue model."""
        return self.entities_found / self.entities if self.entities else 0.0

    @property
    def attribute_share(self) -> float:
        """Share of the (type, attribute) pairs that the type's model lists."""
        return self.attributes_found / self.attributes if self.attributes else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"catalogue": self.catalogue, "entities": self.entities, "entity_share": round(self.entity_share, 4),
                "types": self.types, "type_share": round(self.type_share, 4), "attributes": self.attributes,
                "attribute_share": round(self.attribute_share, 4), "elsewhere": self.elsewhere,
                "unknown_attributes": self.unknown_attributes, "kind_disagreements": self.kind_disagreements,
                "unit_disagreements": self.unit_disagreements}

    def summary(self) -> str:
        """Text form for people."""
        lines = [f"Smart Data Models catalogue {self.catalogue}: {self.entities} entities, {len(self.types)} types",
                 f"types in the catalogue: {self.type_share:.0%}; entities: {self.entity_share:.0%}; "
                 f"attributes listed by their model: {self.attribute_share:.0%} of {self.attributes}"]
        lines += [f"  type {t}: {m}" for t, m in sorted(self.types.items())]
        lines += [f"  known under other models: {a} ({', '.join(ms[:3])}{' ...' if len(ms) > 3 else ''})"
                  for a, ms in sorted(self.elsewhere.items())]
        if self.unknown_attributes:
            lines.append(f"  unknown attributes: {', '.join(self.unknown_attributes)}")
        lines += [f"  kind {d['pointer']}: {d['found']}, the catalogue says {d['catalogue']}"
                  for d in self.kind_disagreements]
        lines += [f"  units {d['pointer']}: {d['found']}, the catalogue says {d['catalogue']!r} ({d['code']})"
                  for d in self.unit_disagreements]
        return "\n".join(lines) + "\n"


def _short(key: str, known: Any) -> str:
    if "://" in key and key not in known:
        return re.split(r"[/#]", key)[-1]
    return key


def _kind_of(value: Any, kv: bool) -> tuple[str | None, Any]:
    """(NGSI-LD kind the data gives or None, the value) of one attribute."""
    first = value[0] if isinstance(value, list) and value and isinstance(value[0], dict) and not kv else value
    if not kv and isinstance(first, dict) and first.get("type") in VALUE_MEMBER:
        return str(first["type"]), first
    return None, first


def _is_geometry(v: Any) -> bool:
    return isinstance(v, dict) and v.get("type") in _GEOMETRIES


def mim2_report(data: Any, *, catalogue: Any = None) -> Mim2Report:
    """Catalogue coverage of the entities of ``data`` (see the module documentation)."""
    if catalogue is None:
        from ..sdm.catalogue import load_catalogue

        catalogue = load_catalogue()
    from ..sdm.units import unit_code

    report = Mim2Report(catalogue=catalogue.version)
    by_name: dict[str, list[str]] = {}
    for m in catalogue:
        for a in m.attributes:
            by_name.setdefault(a, []).append(m.qualified)
    seen: set[tuple[str, str]] = set()
    for ptr, entity in entities_of(data):
        if not isinstance(entity, dict):
            continue
        report.entities += 1
        t = entity.get("type", entity.get("@type"))
        tname = t if isinstance(t, str) else ",".join(x for x in t if isinstance(x, str)) if isinstance(t, list) \
            else ""
        found = catalogue.candidates(tname, context=entity.get("@context")) if tname and "," not in tname else []
        model = found[0] if len(found) == 1 else None
        report.types[tname] = model.qualified if model else (
            "ambiguous: " + ", ".join(m.qualified for m in found) if found else "unknown")
        report.entities_found += model is not None
        kv = not any((isinstance(v, dict) and v.get("type") in VALUE_MEMBER)
                     or (isinstance(v, list) and v and isinstance(v[0], dict) and v[0].get("type") in VALUE_MEMBER)
                     for k, v in entity.items() if k not in ENTITY_MEMBERS)
        attrs = model.attributes if model else {}
        for key, value in entity.items():
            if key in ENTITY_MEMBERS:
                continue
            name = _short(key, attrs)
            label = f"{tname}.{name}"
            if (tname, name) not in seen:
                seen.add((tname, name))
                report.attributes += 1
                if name in attrs:
                    report.attributes_found += 1
                elif name in by_name:
                    report.elsewhere[label] = by_name[name]
                else:
                    report.unknown_attributes.append(label)
            spec = attrs.get(name)
            if spec is None:
                continue
            apath = f"{ptr}/{key.replace('~', '~0').replace('/', '~1')}"
            kind, inst = _kind_of(value, kv)
            if kind is None and kv and spec.kind_stated:
                vals = inst if isinstance(inst, list) else [inst]
                if spec.kind == "Relationship" and not all(isinstance(v, str) and _URI.match(v) for v in vals):
                    kind = "a value that is no URI"
                elif spec.kind == "GeoProperty" and not _is_geometry(inst):
                    kind = "a value that is no GeoJSON geometry"
            if kind is not None and spec.kind_stated and kind != spec.kind:
                report.kind_disagreements.append({"pointer": apath, "found": kind, "catalogue": spec.kind})
            unit = inst.get("unitCode") if isinstance(inst, dict) and not kv else None
            code = unit_code(spec.units) if spec.units else None
            if isinstance(unit, str) and code is not None and unit.strip().upper() != code:
                report.unit_disagreements.append({"pointer": f"{apath}/unitCode", "found": unit,
                                                  "catalogue": spec.units or "", "code": code})
    report.unknown_attributes.sort()
    return report
