"""The ``sosa`` RDF profile: SOSA/SSN observations, GeoSPARQL 1.1 geometries, OWL-Time instants.

mimbridge's mapping (``docs/rdf.md`` has the table):

* an entity is a ``sosa:FeatureOfInterest`` (its own types kept);
* every attribute instance with ``observedAt`` is one ``sosa:Observation`` (the
  result: ``hasSimpleResult`` for Property, JsonProperty and LanguageProperty values,
  ``hasResult`` the related IRI for a Relationship / VocabProperty, an RDF list for
  ListProperty / ListRelationship, a geometry for a GeoProperty)
  (``hasFeatureOfInterest`` the entity, ``observedProperty`` the attribute IRI, a
  ``sosa:ObservableProperty``; ``hasSimpleResult``; ``resultTime``;
  ``phenomenonTime`` a ``time:Instant``); a ``unitCode`` gives a ``sosa:hasResult``
  ``qudt:QuantityValue`` whose ``qudt:unit`` is the QUDT unit of the code in the unit
  table (:func:`unit_iri`), or, for a code the table lacks, a blank unit with the
  code as ``qudt:uneceCommonCode`` (reported);
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
from ...mapping.units import to_qudt
from ...model import Attr, Graph, Kind, Node
from ...report import Approximated, Coerced, ConversionReport, Dropped, Unresolved
from .emit import Emitter
from .terms import (
    NT_TYPE,
    SKOLEM_BASE,
    XSD,
    Fallback,
    esc_lit,
    json_literal,
    nt_iri,
    nt_literal,
)

__all__ = ["GEO", "LOCATION", "OBSERVED_BY", "QUDT", "SF", "SOSA", "SOSA_PREFIXES", "SSN", "TIME", "SosaWriter",
           "unit_iri"]

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
    """The QUDT unit IRI of a UN/CEFACT common code (the unit table, :mod:`mimbridge.mapping.units`), or None.

    >>> unit_iri("CEL"), unit_iri("no such code")
    ('http://qudt.org/vocab/unit/DEG_C', None)
    """
    return to_qudt(code)


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
#: observation results that read back as another kind (a JSON result is an rdf:JSON simple result, as a
#: Property with a JSON value is)
_RESULT_READ_BACK_AS = {**_READ_BACK_AS, Kind.JSON: "a Property with that JSON value"}


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
        if _SOSA_CLASSES.isdisjoint(node.types):
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
                if a.observed_at is not None:
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
        elif _node_object(v):
            try:  # a JSON-LD node object (as RDF reading gives for blank-node structures): its triples again
                self.em.value(s, p, v, {}, c, lower=False)
            except Fallback:
                out.append(f"{s} {p} {json_literal(v)} .\n")
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
        if SOSA + "phenomenonTime" in a.attrs:
            pass  # the observation's own phenomenonTime (an interval...) is written with the sub-attributes
        elif _has_tz(stamp):
            out.append(f'{o} {_PHENOMENON_TIME} {t} .\n{t} {_A} {_INSTANT} .\n'
                       f'{t} {_STAMP} "{esc_lit(stamp)}"^^<{XSD}dateTimeStamp> .\n')
        else:
            out.append(f'{o} {_PHENOMENON_TIME} {t} .\n{t} {_A} {_INSTANT} .\n'
                       f'{t} {_XSD_DT} "{esc_lit(stamp)}"^^<{XSD}dateTime> .\n')
        v = a.value
        kind = a.kind
        if kind in _RESULT_READ_BACK_AS:
            self.report.add(Coerced, path, f"the result of an observation from a {kind.value} reads back as "
                            f"{_RESULT_READ_BACK_AS[kind]}", remedy="use the ngsi-ld profile (the default) to keep it")
        if kind is Kind.GEO and isinstance(v, dict):
            g = self.geometry(v, self._id(key, f"{label}-geom"), path)
            if g:
                out.append(f"{o} {_HAS_RESULT} {g} .\n")
        elif kind in (Kind.RELATIONSHIP, Kind.VOCAB):  # the result is the related resource
            for x in (v if isinstance(v, list) else [v]):
                out.append(f"{o} {_HAS_RESULT} {nt_iri(x)} .\n")
        elif kind is Kind.LANGUAGE:
            self.em.value(o, _SIMPLE, v, {"@container": ["@language"]}, c, lower=False)
        elif kind in (Kind.LIST, Kind.LIST_RELATIONSHIP):
            items = [{"@id": x["object"] if isinstance(x, dict) else x} for x in v] \
                if kind is Kind.LIST_RELATIONSHIP else v
            out.append(f"{o} {_HAS_RESULT} {self.em.rdf_list(items, {}, c, False)} .\n")
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
                    self.report.add(Unresolved, f"{path}/unitCode", f"unit code {a.unit_code!r} has no QUDT unit "
                                    "in the unit table: written as a blank unit with qudt:uneceCommonCode",
                                    remedy="add the unit to the unit table (mimbridge/mapping/units.tsv)")
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


def _node_object(v: Any) -> bool:
    """True for a JSON-LD node object whose keys are all absolute IRIs or keywords (nested likewise)."""
    if isinstance(v, list):
        return bool(v) and all(_node_object(x) or not isinstance(x, (dict, list)) for x in v)
    if not isinstance(v, dict) or not v or "@value" in v:
        return False
    return all(k in ("@id", "@type") or ("://" in k and (_node_object(x) or not isinstance(x, (dict, list))
                                                          or (isinstance(x, dict) and "@value" in x)))
               for k, x in v.items())


#: SOSA classes that make an entity what it is: it is not also typed sosa:FeatureOfInterest when written
_SOSA_CLASSES = frozenset(SOSA + c for c in ("Sensor", "Platform", "Observation", "Actuation", "Actuator",
                                             "Sampler", "Sampling", "Sample", "ObservableProperty",
                                             "ActuatableProperty", "FeatureOfInterest", "ObservationCollection"))
