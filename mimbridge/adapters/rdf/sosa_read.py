"""Reading the ``sosa`` RDF profile (the mapping is in :mod:`mimbridge.adapters.rdf.sosa` and ``docs/rdf.md``).

Every SOSA node becomes an entity, an attribute instance, or is reported with its IRI.

>>> import mimbridge
>>> e = {"id": "urn:ngsi-ld:Room:1", "type": "Room",
...      "t": {"type": "Property", "value": 21.5, "observedAt": "2024-01-01T00:00:00Z"}}
>>> ttl = mimbridge.convert(e, source="ngsi-ld", target="turtle", profile="sosa").output
>>> mimbridge.convert(ttl, source="turtle", target="ngsi-ld", profile="sosa").output["t"]["value"]
21.5
"""

from __future__ import annotations

import json
from typing import Any

from ...mapping.units import from_qudt
from ...model import Attr, Graph, Kind, Node
from ...report import Approximated, ConversionReport, Dropped
from .sosa import GEO, LOCATION, OBSERVED_BY, QUDT, SOSA, TIME
from .terms import RDF_TYPE, SKOLEM_BASE

__all__ = ["SosaReader"]


def _local(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


#: classes of the nodes this profile generates besides entities (not read as entities when they say no more)
_GENERATED = frozenset({SOSA + "ObservableProperty", SOSA + "Sensor", SOSA + "ObservationCollection",
                        SOSA + "Result", QUDT + "QuantityValue", TIME + "Instant", GEO + "Geometry"})
#: the value nodes among them (results, instants, geometries): part of the value that points to them
_VALUE_NODES = frozenset({SOSA + "Result", QUDT + "QuantityValue", TIME + "Instant", GEO + "Geometry"})

class SosaReader:
    """RDF in the ``sosa`` profile -> model, as far as it carries (the rest as generic RDF)."""

    def __init__(self, triples: list[tuple[str, str, Any]] | None, report: ConversionReport, *,
                 grouped: Any = None, **options: Any) -> None:
        from .read import Builder

        self.report = report
        self.skolem_base = options.get("skolem_base") or SKOLEM_BASE
        self.b = Builder(triples, report, skolem_base=self.skolem_base, grouped=grouped)

    def types(self, s: str) -> list[str]:
        return [o for p, o in self.b.by_s.get(s, ()) if p == RDF_TYPE and isinstance(o, str)]

    def one(self, s: str, pred: str) -> Any:
        return next((o for p, o in self.b.by_s.get(s, ()) if p == pred), None)

    def graph(self) -> Graph:
        from .read import lit_value

        by_s = self.b.by_s
        obs = [s for s in by_s if SOSA + "Observation" in self.types(s)]
        members: dict[str, str] = {}
        for s, po in by_s.items():
            for p, o in po:
                if p == SOSA + "hasMember" and isinstance(o, str):
                    members[o] = s
        used: set[str] = set(obs) | set(members.values())
        per_entity: dict[str, dict[str, list[Attr]]] = {}
        sensors: set[str] = set()
        for o in obs:
            foi = self.one(o, SOSA + "hasFeatureOfInterest")
            prop = self.one(o, SOSA + "observedProperty")
            if not isinstance(foi, str) or not isinstance(prop, str) or o.startswith("_:"):
                # no entity to carry it as an attribute instance: the observation is an entity of its own
                used.discard(o)
                self.report.add(Approximated, o, "observation without feature of interest or observed property "
                                "read as an entity of its own (type sosa:Observation)",
                                remedy="give the observation sosa:hasFeatureOfInterest and sosa:observedProperty")
                continue
            if self._bare(prop):
                used.add(prop)
            a = self.observation(o, used, sensors, lit_value)
            if o in members:
                a.dataset_id = members[o]
            per_entity.setdefault(foi, {}).setdefault(prop, []).append(a)
        graph = Graph()
        skip_pred = {GEO + "hasGeometry", GEO + "hasDefaultGeometry"}
        for s, po in by_s.items():
            if s in used or s.startswith("_:") or (s in sensors and len(po) == 1):
                continue
            types = self.types(s)
            if types and ((set(types) <= _GENERATED and (self._bare(s) or set(types) <= _VALUE_NODES))
                          or GEO + "Geometry" in types):
                continue  # what the writer generates around observations, nothing more
            node = Node(s, [t for t in types if t not in (SOSA + "FeatureOfInterest", GEO + "Feature")])
            geoms: dict[str, str] = {}
            for p, o in po:
                if p in skip_pred and isinstance(o, str):
                    geoms.setdefault(o, LOCATION)
            rest: dict[str, list[Any]] = {}
            for p, o in po:
                if p == RDF_TYPE:
                    continue
                if isinstance(o, str) and o in geoms:
                    if p not in skip_pred:
                        geoms[o] = p
                    continue
                rest.setdefault(p, []).append(o)
            for g, name in geoms.items():
                value = self.geometry_value(g)
                if value is not None:
                    node.add(name, Attr(Kind.GEO, value))
            for p, objs in rest.items():
                for a in self.b.direct(objs, s):
                    a.meta.pop("rdf:direct", None)
                    node.add(p, a)
            devices = {a.value for name, insts in node.attrs.items() if _local(name) == "refDevice"
                       for a in insts if a.kind is Kind.RELATIONSHIP}
            for p, instances in per_entity.pop(s, {}).items():
                instances.sort(key=lambda a: a.observed_at or "")
                for a in instances:
                    by = a.attrs.get(OBSERVED_BY)
                    if by and by[0].value in devices:
                        del a.attrs[OBSERVED_BY]  # the entity's refDevice made it (see the writer)
                    node.add(p, a)
            if not node.types:
                node.types = [SOSA + "FeatureOfInterest"]
            graph.nodes.append(node)
        for foi, attrs in per_entity.items():
            node = Node(foi, [SOSA + "FeatureOfInterest"])
            for p, instances in attrs.items():
                for a in sorted(instances, key=lambda a: a.observed_at or ""):
                    node.add(p, a)
            graph.nodes.append(node)
            self.report.add(Approximated, foi, "feature of interest not described in the data: an entity of type "
                            "sosa:FeatureOfInterest made for its observations")
        self.report.records_in += len(graph.nodes)
        if len(graph.nodes) == 1:
            graph.meta["ngsi-ld:single"] = True
        return graph

    def _bare(self, s: str) -> bool:
        """True when ``s`` has no triples but its types (and collection members): nothing to keep as an entity."""
        return all(p == RDF_TYPE or p == SOSA + "hasMember" for p, _ in self.b.by_s.get(s, ()))

    def observation(self, o: str, used: set[str], sensors: set[str], lit: Any) -> Attr:
        a = Attr(Kind.PROPERTY, None)
        po = self.b.by_s.get(o, ())
        results = [x for p, x in po if p == SOSA + "hasResult"]
        simples = [x for p, x in po if p == SOSA + "hasSimpleResult"]
        simple = simples[0] if simples else None
        if simples and all(isinstance(x, tuple) and x[2] for x in simples):  # language-tagged texts
            a.kind, a.value = Kind.LANGUAGE, {}
            for text, _, lang in simples:
                prev = a.value.get(lang)
                a.value[lang] = text if prev is None else [*(prev if isinstance(prev, list) else [prev]), text]
        elif isinstance(simple, tuple):
            v = lit(simple)
            a.value = v["@value"] if isinstance(v, dict) and v.get("@type") == "@json" else v
        result = results[0] if results else None
        if isinstance(result, str):
            geo = self.geometry_value(result)
            num = self.one(result, QUDT + "numericValue")
            unit = self.one(result, QUDT + "unit")
            if geo is not None:
                a.kind, a.value = Kind.GEO, geo
            elif num is not None or unit is not None:
                if a.value is None and isinstance(num, tuple):
                    a.value = lit(num)
                code = self.one(unit, QUDT + "uneceCommonCode") if isinstance(unit, str) else None
                if isinstance(code, tuple):
                    a.unit_code = code[0]
                elif isinstance(unit, str):
                    a.unit_code = from_qudt(unit)
                    if a.unit_code is None:
                        a.unit_code = _local(unit)
                        self.report.add(Approximated, o, f"unit {unit} is not in the unit table: its local name "
                                        "is taken as the unit code", remedy="add the unit to the unit table "
                                        "(mimbridge/mapping/units.tsv)")
            elif a.value is None and result.startswith("_:") and (items := self.b.rdf_list(result)) is not None:
                a.kind, a.value = Kind.LIST, items
            elif a.value is None and not result.startswith("_:") and result not in self.b.by_s:
                iris = [x for x in results if isinstance(x, str)]
                a.kind, a.value = Kind.RELATIONSHIP, iris[0] if len(iris) == 1 else iris
            elif a.value is None:  # a result node of another vocabulary: kept as its JSON-LD node object
                a.value = self.b.json_value(result)
        rt = self.one(o, SOSA + "resultTime")
        t = self.one(o, SOSA + "phenomenonTime")
        stamp = (self.one(t, TIME + "inXSDDateTimeStamp") or self.one(t, TIME + "inXSDDateTime")) \
            if isinstance(t, str) else None
        if isinstance(rt, tuple):
            a.observed_at = rt[0]
        elif isinstance(stamp, tuple):
            a.observed_at = stamp[0]
        # a phenomenonTime that is not the instant observedAt gives (an interval, another time) is kept
        time_kept = t is None or (isinstance(stamp, tuple) and stamp[0] == a.observed_at)
        if not o.startswith(("_:", self.skolem_base)):
            a.instance_id = o
        sensor = self.one(o, SOSA + "madeBySensor")
        if isinstance(sensor, str):
            sensors.add(sensor)
            a.add(OBSERVED_BY, Attr(Kind.RELATIONSHIP, sensor))
        known = {RDF_TYPE, SOSA + "hasFeatureOfInterest", SOSA + "observedProperty", SOSA + "hasResult",
                 SOSA + "hasSimpleResult", SOSA + "resultTime", SOSA + "madeBySensor"}
        if time_kept:
            known.add(SOSA + "phenomenonTime")
        rest: dict[str, list[Any]] = {}
        for p, v in self.b.by_s.get(o, ()):
            if p not in known:
                rest.setdefault(p, []).append(v)
        for p, objs in rest.items():
            for sub in self.b.direct(objs, o):
                sub.meta.pop("rdf:direct", None)
                a.add(p, sub)
        return a

    def geometry_value(self, g: str) -> dict[str, Any] | None:
        """GeoJSON of a GeoSPARQL geometry node (asGeoJSON, else asWKT through shapely)."""
        gj = self.one(g, GEO + "asGeoJSON")
        if isinstance(gj, tuple):
            try:
                return json.loads(gj[0])
            except ValueError:
                pass
        w = self.one(g, GEO + "asWKT")
        if isinstance(w, tuple):
            from shapely import wkt as shp_wkt
            from shapely.geometry import mapping

            text = w[0].strip()
            if text.startswith("<"):  # a CRS IRI in front: only CRS84 is read as is
                crs, _, text = text.partition(">")
                if "CRS84" not in crs:
                    self.report.add(Approximated, "", f"WKT in {crs[1:]} read as CRS84 (lon/lat)")
            try:
                return json.loads(json.dumps(mapping(shp_wkt.loads(text))))
            except Exception:  # shapely's WKT reader raises its own error types
                self.report.add(Dropped, "", "a WKT literal shapely cannot read")
        return None
