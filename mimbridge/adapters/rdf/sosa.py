"""The ``sosa`` RDF profile: SOSA/SSN observations, GeoSPARQL 1.1 geometries, OWL-Time instants.

mimbridge's mapping (``docs/rdf.md`` has the table):

* an entity is a ``sosa:FeatureOfInterest`` (its own types kept);
* every instance of a Property with ``observedAt`` is one ``sosa:Observation``
  (``hasFeatureOfInterest`` the entity, ``observedProperty`` the attribute IRI, a
  ``sosa:ObservableProperty``; ``hasSimpleResult``; ``resultTime``;
  ``phenomenonTime`` a ``time:Instant``); a ``unitCode`` gives a ``sosa:hasResult``
  ``qudt:QuantityValue`` whose ``qudt:unit`` is :func:`unit_iri` of the code, or,
  while no unit table is wired in, a blank unit with the code as ``qudt:uneceCommonCode``;
  ``datasetId`` is a ``sosa:ObservationCollection`` that ``hasMember`` the
  observation; ``instanceId`` names the observation; a nested ``observedBy``
  Relationship (else the entity's ``refDevice``) is ``sosa:madeBySensor``;
* a GeoProperty value is a ``geo:Geometry`` with ``geo:asWKT`` (shapely, full
  precision, CRS84) and ``geo:asGeoJSON``, linked by ``geo:hasGeometry`` (and
  ``geo:hasDefaultGeometry`` for ``location``; other names also by the attribute
  IRI); with ``observedAt`` it is the result of an observation instead;
* everything else is a plain triple ``entity attribute value`` (as generic RDF).

>>> import mimbridge
>>> e = {"id": "urn:ngsi-ld:Room:1", "type": "Room",
...      "t": {"type": "Property", "value": 21.5, "observedAt": "2024-01-01T00:00:00Z"}}
>>> ttl = mimbridge.convert(e, source="ngsi-ld", target="turtle", profile="sosa").output
>>> "sosa:Observation" in ttl and "sosa:hasSimpleResult 2.15E1" in ttl
True
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ...contexts.core import DEFAULT_VOCAB, NGSI_LD
from ...contexts.loader import ContextLoader
from ...model import Attr, Graph, Kind, Node
from ...report import Approximated, Coerced, ConversionReport, Dropped
from .emit import Emitter
from .terms import (
    NT_TYPE,
    RDF_TYPE,
    SKOLEM_BASE,
    XSD,
    Fallback,
    esc_lit,
    json_literal,
    nt_iri,
    nt_literal,
)

__all__ = ["SOSA_PREFIXES", "SosaReader", "SosaWriter", "unit_iri"]

SOSA = "http://www.w3.org/ns/sosa/"
SSN = "http://www.w3.org/ns/ssn/"
GEO = "http://www.opengis.net/ont/geosparql#"
SF = "http://www.opengis.net/ont/sf#"
TIME = "http://www.w3.org/2006/time#"
QUDT = "http://qudt.org/schema/qudt/"

SOSA_PREFIXES = {"geo": GEO, "qudt": QUDT, "sf": SF, "sosa": SOSA, "ssn": SSN, "time": TIME}

LOCATION = NGSI_LD + "location"
OBSERVED_BY = DEFAULT_VOCAB + "observedBy"
GEO_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
             "GeometryCollection")


def unit_iri(code: str) -> str | None:
    """The IRI of the unit with this UN/CEFACT common code (a QUDT unit), or None when unknown.

    The hook for the unit table; until it is wired in every code is unknown and
    units are written as the code literal (``qudt:uneceCommonCode``).

    >>> unit_iri("CEL") is None
    True
    """
    return None


def _n(iri: str) -> str:
    return f"<{iri}>"


_A = NT_TYPE
_OBSERVATION = _n(SOSA + "Observation")
_FOI = _n(SOSA + "FeatureOfInterest")
_HAS_FOI = _n(SOSA + "hasFeatureOfInterest")
_OBSERVED_PROPERTY = _n(SOSA + "observedProperty")
_OBSERVABLE = _n(SOSA + "ObservableProperty")
_SIMPLE = _n(SOSA + "hasSimpleResult")
_HAS_RESULT = _n(SOSA + "hasResult")
_RESULT = _n(SOSA + "Result")
_RESULT_TIME = _n(SOSA + "resultTime")
_PHENOMENON_TIME = _n(SOSA + "phenomenonTime")
_SENSOR = _n(SOSA + "Sensor")
_MADE_BY = _n(SOSA + "madeBySensor")
_COLLECTION = _n(SOSA + "ObservationCollection")
_HAS_MEMBER = _n(SOSA + "hasMember")
_INSTANT = _n(TIME + "Instant")
_STAMP = _n(TIME + "inXSDDateTimeStamp")
_XSD_DT = _n(TIME + "inXSDDateTime")
_GEO_FEATURE = _n(GEO + "Feature")
_GEOMETRY = _n(GEO + "Geometry")
_HAS_GEOMETRY = _n(GEO + "hasGeometry")
_HAS_DEFAULT = _n(GEO + "hasDefaultGeometry")
_AS_WKT = _n(GEO + "asWKT")
_AS_GEOJSON = _n(GEO + "asGeoJSON")
_WKT = _n(GEO + "wktLiteral")
_GEOJSON_LIT = _n(GEO + "geoJSONLiteral")
_QV = _n(QUDT + "QuantityValue")
_NUMERIC = _n(QUDT + "numericValue")
_UNIT = _n(QUDT + "unit")
_UNECE = _n(QUDT + "uneceCommonCode")


#: kinds the plain-triple form gives back as another kind
_READ_BACK_AS = {Kind.VOCAB: "a Relationship", Kind.LIST_RELATIONSHIP: "a ListProperty of IRIs"}


def _has_tz(stamp: str) -> bool:
    t = stamp.partition("T")[2]
    return t.endswith("Z") or "+" in t or "-" in t


def _local(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def wkt(geometry: dict[str, Any]) -> str:
    """WKT of a GeoJSON geometry at full precision (shapely).

    >>> wkt({"type": "Point", "coordinates": [-8.61, 41.15]})
    'POINT (-8.61 41.15)'
    """
    import shapely
    from shapely.geometry import shape

    return shapely.to_wkt(shape(geometry), rounding_precision=-1, trim=True)


class SosaWriter:
    """Model -> N-Triples in the ``sosa`` profile; what SOSA cannot hold is reported."""

    prefixes = SOSA_PREFIXES

    def __init__(self, report: ConversionReport, *, blank_nodes: bool = False, skolem_base: str = SKOLEM_BASE,
                 contexts: Any = None, allow_remote: Any = (), loader: Any = None,
                 core_version: str = "1.8", **_: Any) -> None:
        self.report = report
        self.blank = blank_nodes
        self.skolem_base = skolem_base
        self.em = Emitter(loader or ContextLoader(documents=contexts, allow=allow_remote), core_version)
        self.lines = self.em.lines
        self._once: set[str] = set()
        self._ptr = ""

    def once(self, line: str) -> None:
        if line not in self._once:
            self._once.add(line)
            self.lines.append(line)

    def document(self, graph: Graph) -> str:
        """The N-Triples text of the whole graph."""
        single = bool(graph.meta.get("ngsi-ld:single")) and len(graph.nodes) == 1
        from .write import Writer

        helper = Writer(ConversionReport(), loader=self.em.loader)
        for i, node in enumerate(graph.nodes):
            self._ptr = "" if single else f"/{i}"
            self.report.add(Approximated, self._ptr, "the sosa profile maps the entity onto SOSA/SSN, GeoSPARQL "
                            "and OWL-Time: its types, attribute names, kinds and instances read back from it are a "
                            "reconstruction", remedy="use the ngsi-ld profile (the default) for a lossless "
                            "round trip")
            self.entity(node, helper.em.ctx(helper.actx(node, graph)))
        self.report.records_out += len(graph.nodes)
        return "".join(self.lines)

    def _id(self, key: str, suffix: str) -> str:
        if self.blank:
            return self.em.bnode()
        return nt_iri(f"{key}-{suffix}")

    def drop(self, path: str, what: str) -> None:
        self.report.add(Dropped, path, f"{what} is not carried by the sosa profile",
                        remedy="use the ngsi-ld profile (the default) to keep it")

    def entity(self, node: Node, c: Any) -> None:
        """An entity: a feature of interest, its observations, geometries and plain triples."""
        out = self.lines
        if "@context" in node.meta:
            self.drop(self._ptr + "/@context", "the entity's @context (names stay expanded IRIs)")
        s = nt_iri(node.id)
        for t in node.types:
            out.append(f"{s} {_A} {nt_iri(t)} .\n")
        out.append(f"{s} {_A} {_FOI} .\n")
        key = self.skolem_base + hashlib.blake2b(node.id.encode(), digest_size=9).hexdigest()
        sensor = None
        for name, instances in node.attrs.items():
            if _local(name) == "refDevice" and instances[0].kind is Kind.RELATIONSHIP \
                    and isinstance(instances[0].value, str):
                sensor = instances[0].value
        for name, instances in node.attrs.items():
            esc = name.replace("~", "~0").replace("/", "~1")
            h = hashlib.blake2b(name.encode(), digest_size=4).hexdigest()
            for i, a in enumerate(instances):
                path = f"{self._ptr}/{esc}" + (f"/{i}" if len(instances) > 1 else "")
                if a.observed_at is not None and a.kind in (Kind.PROPERTY, Kind.GEO):
                    o = self._id(key, f"{h}-{i}-obs") if a.instance_id is None else nt_iri(a.instance_id)
                    self.observation(s, name, a, o, (key, f"{h}-{i}"), sensor, path, c)
                elif a.kind is Kind.GEO and isinstance(a.value, dict):
                    g = self.geometry(a.value, self._id(key, f"{h}-{i}-geom"), path)
                    if g:
                        self.once(f"{s} {_A} {_GEO_FEATURE} .\n")
                        out.append(f"{s} {_HAS_GEOMETRY} {g} .\n")
                        out.append(f"{s} {_HAS_DEFAULT if name == LOCATION else nt_iri(name)} {g} .\n")
                    self._unkept(a, path, keep=())
                else:
                    self.plain(s, nt_iri(name), a, c, path)
                    self._unkept(a, path, keep=())

    def _unkept(self, a: Attr, path: str, keep: tuple[str, ...]) -> None:
        for field, member in (("dataset_id", "datasetId"), ("unit_code", "unitCode"),
                              ("created_at", "createdAt"),
                              ("modified_at", "modifiedAt"), ("deleted_at", "deletedAt"),
                              ("instance_id", "instanceId"), ("expires_at", "expiresAt"), ("scope", "scope")):
            if field not in keep and getattr(a, field) is not None:
                self.drop(f"{path}/{member}", member)
        if a.attrs and "attrs" not in keep:
            self.drop(path, "attributes of attributes outside an observation")

    def plain(self, s: str, p: str, a: Attr, c: Any, path: str = "") -> None:
        """An attribute as plain triples ``s p value``."""
        kind, v = a.kind, a.value
        out = self.lines
        if kind in _READ_BACK_AS:
            self.report.add(Coerced, path, f"{kind.value} is written as a plain triple and reads back as "
                            f"{_READ_BACK_AS[kind]}",
                            remedy="use the ngsi-ld profile (the default) to keep it")
        if kind in (Kind.RELATIONSHIP, Kind.VOCAB):
            for o in (v if isinstance(v, list) else [v]):
                out.append(f"{s} {p} {nt_iri(o)} .\n")
        elif kind is Kind.LANGUAGE:
            self.em.value(s, p, v, {"@container": ["@language"]}, c, lower=False)
        elif kind is Kind.JSON:
            out.append(f"{s} {p} {json_literal(v)} .\n")
        elif kind is Kind.LIST:
            out.append(f"{s} {p} {self.em.rdf_list(v, {}, c, False)} .\n")
        elif kind is Kind.LIST_RELATIONSHIP:
            iris = [x["object"] if isinstance(x, dict) else x for x in v]
            out.append(f"{s} {p} {self.em.rdf_list([{'@id': x} for x in iris], {}, c, False)} .\n")
        elif isinstance(v, (dict, list)) and not (isinstance(v, dict) and "@value" in v):
            out.append(f"{s} {p} {json_literal(v)} .\n")
        elif v is not None:
            lit = self.literal(v, c)
            if lit:
                out.append(f"{s} {p} {lit} .\n")

    def literal(self, v: Any, c: Any) -> str | None:
        """A JSON scalar or JSON-LD value object as a literal (``@type`` expanded by the entity's context)."""
        if isinstance(v, dict):
            try:
                return self.em.object(v, {}, c, lower=False)
            except Fallback:
                return json_literal(v)
        return self.em.scalar(v) if not isinstance(v, str) else f'"{esc_lit(v)}"'

    def observation(self, s: str, name: str, a: Attr, o: str, tag: tuple[str, str], sensor: str | None,
                    path: str, c: Any) -> None:
        """One ``sosa:Observation`` (``o``) for an attribute instance with ``observedAt``."""
        key, label = tag
        out = self.lines
        p = nt_iri(name)
        out.append(f"{o} {_A} {_OBSERVATION} .\n{o} {_HAS_FOI} {s} .\n{o} {_OBSERVED_PROPERTY} {p} .\n")
        self.once(f"{p} {_A} {_OBSERVABLE} .\n")
        stamp = a.observed_at or ""
        out.append(f'{o} {_RESULT_TIME} "{esc_lit(stamp)}"^^<{XSD}dateTime> .\n')
        t = self._id(key, f"{label}-time")
        if _has_tz(stamp):
            out.append(f'{o} {_PHENOMENON_TIME} {t} .\n{t} {_A} {_INSTANT} .\n'
                       f'{t} {_STAMP} "{esc_lit(stamp)}"^^<{XSD}dateTimeStamp> .\n')
        else:
            out.append(f'{o} {_PHENOMENON_TIME} {t} .\n{t} {_A} {_INSTANT} .\n'
                       f'{t} {_XSD_DT} "{esc_lit(stamp)}"^^<{XSD}dateTime> .\n')
        v = a.value
        if a.kind is Kind.GEO and isinstance(v, dict):
            g = self.geometry(v, self._id(key, f"{label}-geom"), path)
            if g:
                out.append(f"{o} {_HAS_RESULT} {g} .\n")
        elif isinstance(v, (dict, list)) and not (isinstance(v, dict) and "@value" in v):
            out.append(f"{o} {_SIMPLE} {json_literal(v)} .\n")
        elif v is not None and (lit := self.literal(v, c)):
            out.append(f"{o} {_SIMPLE} {lit} .\n")
            if a.unit_code is not None:
                r = self._id(key, f"{label}-result")
                out.append(f"{o} {_HAS_RESULT} {r} .\n{r} {_A} {_RESULT} .\n{r} {_A} {_QV} .\n"
                           f"{r} {_NUMERIC} {lit} .\n")
                iri = unit_iri(a.unit_code)
                if iri:
                    out.append(f"{r} {_UNIT} {nt_iri(iri)} .\n")
                else:
                    u = self.em.bnode()
                    out.append(f'{r} {_UNIT} {u} .\n{u} {_UNECE} "{esc_lit(a.unit_code)}" .\n')
        made = sensor
        for sub_name, subs in a.attrs.items():
            if _local(sub_name) == "observedBy" and subs[0].kind is Kind.RELATIONSHIP:
                made = subs[0].value
                continue
            for sub in subs:
                self.plain(o, nt_iri(sub_name), sub, c)
        if isinstance(made, str):
            out.append(f"{o} {_MADE_BY} {nt_iri(made)} .\n")
            self.once(f"{nt_iri(made)} {_A} {_SENSOR} .\n")
        if a.dataset_id is not None:
            ds = nt_iri(a.dataset_id)
            self.once(f"{ds} {_A} {_COLLECTION} .\n")
            out.append(f"{ds} {_HAS_MEMBER} {o} .\n")
        self._unkept(a, path, keep=("dataset_id", "unit_code", "instance_id", "attrs"))

    def geometry(self, v: dict[str, Any], g: str, path: str) -> str | None:
        """A GeoSPARQL geometry node for a GeoJSON geometry (None if shapely cannot read it)."""
        try:
            text = wkt(v)
        except Exception as exc:  # shapely raises several types for bad GeoJSON
            self.report.add(Dropped, path, f"geometry not readable by shapely: {exc}")
            return None
        gtype = v.get("type")
        out = self.lines
        out.append(f"{g} {_A} {_GEOMETRY} .\n")
        if gtype in GEO_TYPES:
            out.append(f"{g} {_A} {_n(SF + gtype)} .\n")
        out.append(f"{g} {_AS_WKT} {nt_literal(text, GEO + 'wktLiteral')} .\n")
        out.append(f"{g} {_AS_GEOJSON} "
                   f"{nt_literal(json.dumps(v, separators=(',', ':')), GEO + 'geoJSONLiteral')} .\n")
        return g


#: classes of the nodes this profile generates besides entities (not read as entities)
_GENERATED = frozenset({SOSA + "ObservableProperty", SOSA + "Sensor", SOSA + "ObservationCollection",
                        SOSA + "Result", QUDT + "QuantityValue", TIME + "Instant", GEO + "Geometry"})


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
            if not isinstance(foi, str) or not isinstance(prop, str):
                self.report.add(Dropped, "", "an observation without feature of interest or property")
                continue
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
            if types and (set(types) <= _GENERATED or GEO + "Geometry" in types):
                continue
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
        for foi in per_entity:
            self.report.add(Dropped, "", f"observations of {foi} (not described in the data) are skipped")
        self.report.records_in += len(graph.nodes)
        if len(graph.nodes) == 1:
            graph.meta["ngsi-ld:single"] = True
        return graph

    def observation(self, o: str, used: set[str], sensors: set[str], lit: Any) -> Attr:
        a = Attr(Kind.PROPERTY, None)
        result = self.one(o, SOSA + "hasResult")
        simple = self.one(o, SOSA + "hasSimpleResult")
        if isinstance(simple, tuple):
            v = lit(simple)
            a.value = v["@value"] if isinstance(v, dict) and v.get("@type") == "@json" else v
        if isinstance(result, str):
            geo = self.geometry_value(result)
            if geo is not None:
                a.kind, a.value = Kind.GEO, geo
            else:
                num = self.one(result, QUDT + "numericValue")
                if a.value is None and isinstance(num, tuple):
                    a.value = lit(num)
                unit = self.one(result, QUDT + "unit")
                code = self.one(unit, QUDT + "uneceCommonCode") if isinstance(unit, str) else None
                if isinstance(code, tuple):
                    a.unit_code = code[0]
                elif isinstance(unit, str):
                    a.unit_code = _local(unit)
                    self.report.add(Approximated, "", "unit IRI read as a unit code from its local name",
                                    remedy="a unit table maps unit IRIs to UN/CEFACT codes")
        rt = self.one(o, SOSA + "resultTime")
        if isinstance(rt, tuple):
            a.observed_at = rt[0]
        else:
            t = self.one(o, SOSA + "phenomenonTime")
            stamp = (self.one(t, TIME + "inXSDDateTimeStamp") or self.one(t, TIME + "inXSDDateTime")) \
                if isinstance(t, str) else None
            if isinstance(stamp, tuple):
                a.observed_at = stamp[0]
        if not o.startswith(("_:", self.skolem_base)):
            a.instance_id = o
        sensor = self.one(o, SOSA + "madeBySensor")
        if isinstance(sensor, str):
            sensors.add(sensor)
            a.add(OBSERVED_BY, Attr(Kind.RELATIONSHIP, sensor))
        known = {RDF_TYPE, SOSA + "hasFeatureOfInterest", SOSA + "observedProperty", SOSA + "hasResult",
                 SOSA + "hasSimpleResult", SOSA + "resultTime", SOSA + "phenomenonTime",
                 SOSA + "madeBySensor"}
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
