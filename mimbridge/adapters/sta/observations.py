"""The observations mapping: SensorThings <-> NGSI-LD entities with temporal attributes.

``mapping="observations"`` (``docs/sta-ngsi-ld-mapping.md`` is the reference):

* each Thing (or FeatureOfInterest with ``subject="featureOfInterest"``) is the
  entity that carries the observations; it gets ``location`` (GeoProperty) from
  its first Location (from its feature);
* each Datastream becomes an attribute of that entity, named from its
  ObservedProperty (``property_table``, else a derived name), ``datasetId`` =
  the Datastream's id; a MultiDatastream one attribute per ObservedProperty;
* each Observation becomes one instance: ``value`` = result, ``observedAt`` =
  phenomenonTime (its end for an interval, in UTC), ``instanceId`` = the
  Observation's id (``#i`` for the i-th MultiDatastream component), ``unitCode``
  from the unit; what else it has rides in sub-attributes (``phenomenonTime``
  when observedAt is not the same text, ``resultTime``, ``validTime``,
  ``resultQuality``, ``parameters``, ``featureOfInterest``, ``staMembers``);
* the other entities (Datastream, Sensor, ObservedProperty, Location, ...)
  stay as in the structural mapping, so the reverse rebuilds them exactly.
  A Datastream's ``observationDefaults`` states what its Observations share
  (resultTime equal to phenomenonTime, link templates), so instances stay small.

>>> import mimbridge
>>> thing = {"@iot.id": 1, "name": "Oven", "Datastreams": [{"@iot.id": 5, "name": "t",
...          "unitOfMeasurement": {"name": "degree Celsius", "symbol": "°C", "definition": "ucum:Cel"},
...          "ObservedProperty": {"@iot.id": 2, "name": "Air temperature", "definition": "https://ex.org/T"},
...          "Observations": [{"@iot.id": 9, "phenomenonTime": "2024-01-01T00:00:00Z", "result": 21.5}]}]}
>>> out = mimbridge.convert(thing, source="sta", target="ngsi-ld-temporal", mapping="observations").output
>>> out[0]["airTemperature"]  # doctest: +NORMALIZE_WHITESPACE
[{'type': 'Property', 'value': 21.5, 'datasetId': 'urn:ngsi-ld:sta:Datastream:5',
  'observedAt': '2024-01-01T00:00:00Z', 'unitCode': 'CEL', 'instanceId': 'urn:ngsi-ld:sta:Observation:9'}]
>>> back = mimbridge.convert(out, source="ngsi-ld-temporal", target="sta", mapping="observations").output
>>> back == thing
True
"""

from __future__ import annotations

import operator
from datetime import date, datetime, time
from itertools import repeat
from typing import Any

from ...contexts.core import DEFAULT_CORE_VERSION, core_context_url
from ...model import Attr, Graph, Kind, Node, instance
from ...report import Approximated, Coerced, ConversionReport, Dropped, Unresolved
from .mapping import (
    DATASTREAMS,
    DEFAULT_CONTEXT,
    DEFAULT_TABLE,
    DEFAULTS,
    FOI_REL,
    MULTI_DATASTREAMS,
    NO_RESULT,
    OBSERVATIONS,
    OBSERVED_BY,
    PHENOMENON_TIME,
    RESULT,
    RESULT_TIME,
    STA_MEMBERS,
    attribute_terms,
    derived_name,
    table_lookup,
    unit_code,
)
from .read import ENTITY_CONTEXT, StaReader
from .vocab import (
    COLLECTION,
    CONTEXT_URL,
    COUNT,
    ID_PREFIX,
    MEMBERS,
    NAVIGATION_LINK,
    NEXT_LINK,
    NGSI_LOCATION,
    STA,
    TYPOS,
    interval_end,
    mint_anonymous,
    odata_literal,
    utc_instant,
)
from .write import references

__all__ = ["DEFAULT_TABLE", "derived_name", "read_observations", "unit_code"]

_T = {t: STA + t for t in ("Thing", "Datastream", "MultiDatastream", "FeatureOfInterest", "Feature",
                           "Observation", "ObservedProperty", "Sensor", "Location")}
_PROPERTY, _JSON, _GEO, _REL, _LREL = Kind.PROPERTY, Kind.JSON, Kind.GEO, Kind.RELATIONSHIP, Kind.LIST_RELATIONSHIP
_SCALAR = frozenset({str, int, float, bool})
_MISSING = object()
_fromisoformat = datetime.fromisoformat
_date_fromisoformat = date.fromisoformat
_time_fromisoformat = time.fromisoformat
_TYPO_KEYS = frozenset(TYPOS)
_OBSERVATION_ID = ID_PREFIX + "Observation:"
_DATE = operator.itemgetter(slice(0, 10))
_CLOCK = operator.itemgetter(slice(11, 19))
_GET_RESULT = operator.itemgetter("result")
_GET_TIME = operator.itemgetter("phenomenonTime")
_GET_RTIME = operator.itemgetter("resultTime")
#: the separators of a canonical UTC instant ``YYYY-MM-DDThh:mm:ssZ`` (positions 4, 7, 10, 13, 16, 19)
_SHAPE = operator.itemgetter(slice(4, None, 3))
#: Observation members with their own place in an instance
_PLACED = frozenset({"@iot.id", "phenomenonTime", "resultTime", "result", "resultQuality", "validTime", "parameters",
                     "Datastream", "MultiDatastream", "FeatureOfInterest"})
_PLACED_V2 = _PLACED | {"id", "ProximateFeatureOfInterest"}
_SUB_FIELDS = ("validTime", "resultQuality", "parameters")
_NESTED_TYPE = {"Datastream": "Datastream", "MultiDatastream": "MultiDatastream",
                "FeatureOfInterest": "FeatureOfInterest", "ProximateFeatureOfInterest": "Feature"}
_NESTED_ORDER = tuple(_NESTED_TYPE)
_NESTED = frozenset(_NESTED_TYPE)
#: a run of Observations: (objects, ids, pointer prefix, pointers or None, parent node)
_Run = tuple[list, list[str], str, "list[str] | None", "Node | None"]
#: a chunk of one group: (objects, ids, pointer prefix, pointers or None, FeatureOfInterest id)
_Chunk = tuple[list, list[str], str, "list[str] | None", "str | None"]


def _value(node: Node | None, iri: str) -> Any:
    if node is None:
        return None
    a = node.attrs.get(iri)
    return a[0].value if a else None


class _Stream:
    """What the instances of one Datastream / MultiDatastream share."""

    __slots__ = ("by", "components", "defaults", "iri", "mds", "templates")

    def __init__(self, iri: str | None, components: list[tuple[str, str | None]], mds: bool,
                 sensor: str | None = None) -> None:
        self.iri = iri
        self.components = components
        self.mds = mds
        self.defaults: dict[str, str] = {}
        self.templates: dict[str, tuple[str, str]] = {}
        #: the observedBy sub-attribute every instance gets (one Attr, shared by the instances)
        self.by = Attr(_REL, sensor) if sensor else None


class _Forward:
    def __init__(self, graph: Graph, reader: StaReader, report: ConversionReport, subject: str, table: Any,
                 observed_by: str = "first") -> None:
        self.graph, self.reader, self.report = graph, reader, report
        self.subject = subject
        self.each = observed_by == "each"
        self.by_given: set[tuple[int, str]] = set()
        self.lookup = table_lookup(table)
        self.v2 = reader.dialect == "2.0"
        self.nodes: dict[str, Node] = {}
        self.unit_reported: set[str] = set()
        self.subjects: dict[str, Node] = {}

    # -- per Datastream ----------------------------------------------------------------
    def _name(self, op: Node | None, *fallback: Any) -> str:
        definition = _value(op, STA + "definition")
        if isinstance(definition, str):
            mapped = self.lookup(definition)
            if mapped:
                return mapped if ":" in mapped else DEFAULT_CONTEXT + mapped
        return DEFAULT_CONTEXT + derived_name(_value(op, STA + "name"), definition, *fallback)

    def _unit(self, uom: Any, where: str) -> str | None:
        code = unit_code(uom)
        if code is False or code is True:
            if where not in self.unit_reported:
                self.unit_reported.add(where)
                self.report.add(Unresolved, "", f"unit {uom!r} of {where} has no UN/CEFACT code in the unit table; "
                                "no unitCode written (the unitOfMeasurement stays on the Datastream)",
                                remedy="add the unit to mimbridge/mapping/units.tsv")
            return None
        return code

    def stream(self, ds: Node | None) -> _Stream:
        if ds is None:
            return _Stream(None, [(DEFAULT_CONTEXT + derived_name("result"), None)], False)
        if ds.types[0] == _T["MultiDatastream"]:
            rel = ds.attrs.get(STA + "observedProperties")
            ops = [self.nodes.get(x) for x in references(rel[0])] if rel and rel[0].kind is _LREL else []
            uoms = _value(ds, STA + "unitOfMeasurements")
            uoms = uoms if isinstance(uoms, list) else []
            n = max(len(ops), len(uoms))
            if n == 0:  # the document has the MultiDatastream's id only: nothing says what its components are
                self.report.add(Unresolved, "", f"MultiDatastream {ds.id} has no observedProperties or "
                                "unitOfMeasurements: each result is kept whole, not split into components",
                                remedy="include the MultiDatastream ($expand=MultiDatastream) in the document")
                return _Stream(ds.id, [(self._name(None, _value(ds, STA + "name"), "result"), None)], False,
                               self._sensor(ds))
            comps = []
            for i in range(n):
                op = ops[i] if i < len(ops) else None
                name = self._name(op, f"{derived_name(_value(ds, STA + 'name'), 'component')}{i + 1}")
                unit = self._unit(uoms[i], f"{ds.id}/unitOfMeasurements/{i}") if i < len(uoms) else None
                comps.append((name, unit))
            return _Stream(ds.id, comps, True, self._sensor(ds))
        rel = ds.attrs.get(STA + "observedProperty")
        op = self.nodes.get(rel[0].value) if rel and rel[0].kind is _REL else None
        name = self._name(op, _value(ds, STA + "name"))
        unit = self._unit(_value(ds, STA + "unitOfMeasurement"), f"{ds.id}/unitOfMeasurement")
        return _Stream(ds.id, [(name, unit)], False, self._sensor(ds))

    @staticmethod
    def _sensor(ds: Node) -> str | None:
        rel = ds.attrs.get(STA + "sensor")
        return rel[0].value if rel and rel[0].kind is _REL and isinstance(rel[0].value, str) else None

    def _defaults(self, st: _Stream, group: list[_Chunk]) -> None:
        if st.iri is None:
            return  # no Datastream entity to state the defaults: every instance keeps its own resultTime and links
        objs = group[0][0] if len(group) == 1 else [o for c in group for o in c[0]]
        if not objs:  # "Observations": [] (a Datastream without any yet)
            return

        def everywhere(key: str) -> bool:
            return all(map(operator.contains, objs, repeat(key, len(objs))))

        if everywhere("resultTime"):
            st.defaults["resultTime"] = "phenomenonTime"
        first = objs[0]
        lit = odata_literal(self.reader.sta_id(first))
        for k, v in first.items() if lit is not None else ():
            if isinstance(v, str) and (k in ("@iot.selfLink", "@id") or k.endswith("navigationLink")):
                pre, sep, post = v.partition(f"({lit})")
                if sep and "{id}" not in v and everywhere(k):
                    st.templates[k] = (pre + "(", ")" + post)
                    st.defaults[k] = f"{pre}({{id}}){post}"
        if st.defaults:
            self.nodes[st.iri].attrs[DEFAULTS] = [Attr(_JSON, dict(st.defaults))]

    # -- the whole document ------------------------------------------------------------
    def build(self, runs: list[_Run]) -> Graph:
        reader, g = self.reader, self.graph
        groups: dict[str | None, list[_Chunk]] = {}
        nested = _NESTED
        for items, iris, prefix, pointers, parent in runs:
            pds = pfoi = None
            if parent is not None:
                pt = parent.types[0]
                if pt == _T["Datastream"] or pt == _T["MultiDatastream"]:
                    pds = parent.id
                elif pt == _T["FeatureOfInterest"] or pt == _T["Feature"]:
                    pfoi = parent.id
            if all(map(nested.isdisjoint, items)):
                groups.setdefault(pds, []).append((items, iris, prefix, pointers, pfoi))
                continue
            for i, o in enumerate(items):
                ptr = pointers[i] if pointers is not None else f"{prefix}/{i}"
                ds, foi = pds, pfoi
                for key in _NESTED_ORDER:
                    v = o.get(key)
                    if v.__class__ is dict:
                        e = reader.entity(v, f"{ptr}/{key}", _NESTED_TYPE[key], None)
                        if key.endswith("Datastream"):
                            ds = e
                        else:
                            foi = e
                groups.setdefault(ds, []).append(([o], [iris[i]], "", [ptr], foi))
        self.nodes = {n.id: n for n in g.nodes}
        self._envelope()
        owner = self._owners()
        for ds, group in groups.items():
            st = self.stream(self.nodes.get(ds) if ds else None)
            self._defaults(st, group)
            self._instances(st, group, owner)
            if not any(c[0] for c in group):  # no Observation at all: no attribute without instances
                for n in g.nodes:
                    for name in [k for k, v in n.attrs.items() if not v]:
                        del n.attrs[name]
        for n in self.subjects.values():
            self._location(n)
        return g

    def _envelope(self) -> None:
        env = next((n for n in self.graph.nodes if n.types[0] == COLLECTION), None)
        if env is None:
            return
        members = env.attrs.get(MEMBERS)
        if members and not any(m.startswith(_OBSERVATION_ID) for m in references(members[0])):
            return
        self.graph.nodes.remove(env)
        for iri, what in ((COUNT, "@iot.count"), (NEXT_LINK, "@iot.nextLink")):
            if iri in env.attrs:
                self.report.add(Dropped, f"/{what}", f"{what} of the Observations collection is not carried by "
                                f"mapping='observations' (value: {env.attrs[iri][0].value!r})",
                                remedy="use the structural mapping to keep the collection envelope")

    def _owners(self) -> dict[str, str]:
        owner: dict[str, str] = {}
        if self.subject != "thing":
            return owner
        for n in self.graph.nodes:
            t = n.types[0]
            if t == _T["Thing"]:
                for rel in (DATASTREAMS, MULTI_DATASTREAMS):
                    a = n.attrs.get(rel)
                    if a and a[0].kind is _LREL:
                        for ds in references(a[0]):
                            owner.setdefault(ds, n.id)
            elif t == _T["Datastream"] or t == _T["MultiDatastream"]:
                a = n.attrs.get(STA + "thing")
                if a and a[0].kind is _REL:
                    owner[n.id] = a[0].value
        return owner

    def _subject(self, iri: str | None, ds: str | None) -> Node:
        node = self.nodes.get(iri) if iri else None
        if node is None:
            thing = self.subject == "thing"
            tname = "Thing" if thing else "FeatureOfInterest"
            pid = mint_anonymous(tname, "observations-of/" + (ds or "unknown"))
            node = self.nodes.get(pid)
            if node is None:
                node = Node(pid, [_T[tname]])
                node.meta["@context"] = ENTITY_CONTEXT
                if thing and ds is not None:
                    rel = MULTI_DATASTREAMS if self.nodes[ds].types[0] == _T["MultiDatastream"] else DATASTREAMS
                    node.attrs[rel] = [Attr(_LREL, [ds])]
                self.graph.nodes.append(node)
                self.nodes[pid] = node
                self.report.add(Approximated, "", f"Observations whose {tname} is not in the document are "
                                f"carried by a {tname} entity made for them", remedy="expand the "
                                f"{'Thing of the Datastream' if thing else 'FeatureOfInterest'} ($expand)")
        self.subjects[node.id] = node
        return node

    def _targets(self, subj: str | None, ds_iri: str | None, comps: list[tuple[str, str | None]],
                 cache: dict[str, list[list[Attr]]]) -> list[list[Attr]]:
        lists = cache.get(subj or "")
        if lists is None:
            node = self._subject(subj, ds_iri)
            lists = cache[subj or ""] = [node.attrs.setdefault(name, []) for name, _ in comps]
        return lists

    def _time(self, pt: Any, ptr: str) -> tuple[str | None, Attr | None]:
        """(observedAt, phenomenonTime sub-attribute or None) of a phenomenonTime value."""
        if pt.__class__ is dict and self.v2:
            pt = self.reader.field("phenomenonTime", pt, "", True).value
        if pt.__class__ is not str:
            return None, self.reader.field("phenomenonTime", pt, "", self.v2)
        at = utc_instant(interval_end(pt) if "/" in pt else pt)
        if at is None and "/" not in pt:
            self.report.add(Coerced, f"{ptr}/phenomenonTime", "phenomenonTime is not an ISO 8601 instant with a "
                            "time zone; no observedAt (kept in sub-attribute phenomenonTime)",
                            remedy="fix the time at the source")
        return at, (None if at == pt else Attr(_PROPERTY, pt))

    def _instances(self, st: _Stream, group: list[_Chunk], owner: dict[str, str]) -> None:
        # The hot loop of the mapping: one pass, no per-Observation allocation beyond the instance.
        reader, report, v2 = self.reader, self.report, self.v2
        placed_keys = _PLACED_V2 if v2 else _PLACED
        rt_default = "resultTime" in st.defaults
        templates = st.templates
        ds_iri = st.iri
        by_thing = self.subject == "thing"
        cache: dict[str, list[list[Attr]]] = {}
        comps = st.components
        unit0 = comps[0][1]
        mds = st.mds
        id_key = "id" if v2 else "@iot.id"
        fromiso = _fromisoformat
        lists = self._targets(owner.get(ds_iri) if ds_iri else None, ds_iri, comps, cache) if by_thing else []
        by = st.by
        layout: set[str] = set()
        templated: list[tuple[str, str, str]] = []
        others: list[str] = []
        subfields: list[str] = []
        for items, iris, prefix, pointers, foi in group:
            if not by_thing:
                lists = self._targets(foi, ds_iri, comps, cache)
            elif not mds and foi is None and len(items) > 8 and self._batch(st, items, iris, lists[0]):
                continue
            for n, (o, iri) in enumerate(zip(items, iris, strict=True)):
                keys = o.keys()
                if keys != layout:
                    if not _TYPO_KEYS.isdisjoint(keys) or any(k[:1].isspace() or k[-1:].isspace() for k in keys):
                        o = reader.fixed(o, pointers[n] if pointers is not None else f"{prefix}/{n}")
                        keys = o.keys()
                    layout = set(keys)
                    templated = [(k, *templates[k]) for k in keys if k not in placed_keys and k in templates]
                    others = [k for k in keys if k not in placed_keys and k not in templates]
                    subfields = [k for k in _SUB_FIELDS if k in layout]
                subs: dict[str, list[Attr]] | None = None
                pt = o.get("phenomenonTime", _MISSING)
                at = None
                if pt.__class__ is str and len(pt) == 20 and pt[19] == "Z" and pt[10] == "T":
                    try:
                        fromiso(pt)
                        at = pt
                    except ValueError:
                        at, sub = self._time(pt, pointers[n] if pointers is not None else f"{prefix}/{n}")
                        subs = {PHENOMENON_TIME: [sub]} if sub is not None else None
                elif pt is not _MISSING:
                    at, sub = self._time(pt, pointers[n] if pointers is not None else f"{prefix}/{n}")
                    if sub is not None:
                        subs = {PHENOMENON_TIME: [sub]}
                rt = o.get("resultTime", _MISSING)
                if rt is not _MISSING and not (rt_default and rt == pt):
                    if subs is None:
                        subs = {}
                    subs[RESULT_TIME] = [reader.field("resultTime", rt, "", v2)]
                if subfields:
                    if subs is None:
                        subs = {}
                    for k in subfields:
                        subs[STA + k] = [reader.field(k, o[k], "", v2)]
                if foi is not None and by_thing:
                    if subs is None:
                        subs = {}
                    subs[FOI_REL] = [Attr(_REL, foi)]
                if by is not None and (self.each or self._first_by(lists[0], ds_iri)):
                    if subs is None:
                        subs = {}
                    subs[OBSERVED_BY] = [by]
                extra = None
                if templated:
                    sid = o.get(id_key)
                    lit = str(sid) if sid.__class__ is int else odata_literal(sid)
                    for k, pre, post in templated:
                        v = o[k]
                        if lit is None or v != f"{pre}{lit}{post}":
                            if extra is None:
                                extra = {}
                            extra[k] = v
                if others:
                    if extra is None:
                        extra = {}
                    for k in others:
                        extra[k] = o[k]
                if extra is not None:
                    if subs is None:
                        subs = {}
                    subs[STA_MEMBERS] = [Attr(_JSON, extra)]
                result = o.get("result", _MISSING)
                if result is _MISSING:
                    if subs is None:
                        subs = {}
                    subs[NO_RESULT] = [Attr(_PROPERTY, True)]
                    result = None
                if not mds:
                    a = instance(_PROPERTY if result.__class__ in _SCALAR else _JSON, result, ds_iri, at, unit0, iri)
                    if subs is not None:
                        a.attrs = subs
                    lists[0].append(a)
                    continue
                if not isinstance(result, list) or len(result) != len(comps):
                    report.add(Approximated, (pointers[n] if pointers is not None else f"{prefix}/{n}") + "/result",
                               "MultiDatastream result does not have one value per "
                               "ObservedProperty; carried whole by the first component", remedy="fix the result")
                    a = instance(_JSON, result, ds_iri, at, None, iri)
                    if subs is not None:
                        a.attrs = subs
                    lists[0].append(a)
                    continue
                for i, ((_, unit), v) in enumerate(zip(comps, result, strict=True)):
                    a = instance(_PROPERTY if v.__class__ in _SCALAR else _JSON, v, ds_iri, at, unit, f"{iri}#{i}")
                    if i == 0 and subs is not None:
                        a.attrs = subs
                    lists[i].append(a)

    def _batch(self, st: _Stream, items: list[dict], iris: list[str], target: list[Attr]) -> bool:
        """The instances of a regular run of Observations at once (False: not regular, nothing done).

        Regular: the same members everywhere, scalar results, canonical UTC phenomenonTimes,
        resultTime (if any) equal to them, integer ids and links that follow the templates:
        exactly what the general loop would produce, by list operations.
        """
        keyset = set(items[0])
        placed = _PLACED_V2 if self.v2 else _PLACED
        if "result" not in keyset or "phenomenonTime" not in keyset or not keyset <= placed | set(st.templates):
            return False
        if keyset & {"validTime", "resultQuality", "parameters", "Datastream", "MultiDatastream",
                     "FeatureOfInterest", "ProximateFeatureOfInterest"}:
            return False
        if set(map(len, items)) != {len(keyset)}:
            return False
        id_key = "id" if self.v2 else "@iot.id"
        templated = [k for k in keyset if k in st.templates]
        if self.v2 and "@iot.id" in keyset:
            return False
        try:  # every member of the first is extracted below: same size + no KeyError = same members
            results = list(map(_GET_RESULT, items))
            times = list(map(_GET_TIME, items))
            rtimes = list(map(_GET_RTIME, items)) if "resultTime" in keyset else None
            sids = list(map(operator.itemgetter(id_key), items)) if id_key in keyset else None
            links = {k: "\n".join(map(operator.itemgetter(k), items)) for k in templated}
        except (KeyError, TypeError):
            return False
        if not set(map(type, results)) <= _SCALAR or set(map(type, times)) != {str}:
            return False
        if set(map(len, times)) != {20} or set(map(_SHAPE, times)) != {"--T::Z"}:
            return False
        try:  # valid dates and clock times (checked once per distinct value)
            for d in set(map(_DATE, times)):
                _date_fromisoformat(d)
            for c in set(map(_CLOCK, times)):
                _time_fromisoformat(c)
        except ValueError:
            return False
        if rtimes is not None and ("resultTime" not in st.defaults or rtimes != times):
            return False
        if templated:
            if sids is None or set(map(type, sids)) != {int}:
                return False
            lits = list(map(str, sids))
            for k in templated:
                pre, post = st.templates[k]
                if "\n" in pre or "\n" in post or links[k] != pre + (post + "\n" + pre).join(lits) + post:
                    return False
        ds, unit, p, by = st.iri, st.components[0][1], _PROPERTY, st.by
        start = len(target)
        if by is None or not self.each:
            target.extend([instance(p, r, ds, t, unit, iri)
                           for r, t, iri in zip(results, times, iris, strict=True)])
            if by is not None and self._first_by(target, ds):
                target[start].attrs[OBSERVED_BY] = [by]
        else:
            target.extend([instance(p, r, ds, t, unit, iri, {OBSERVED_BY: [by]})
                           for r, t, iri in zip(results, times, iris, strict=True)])
        return True

    def _first_by(self, target: list[Attr], ds: str | None) -> bool:
        """True once per (attribute of a subject, Datastream): where observedBy goes by default."""
        key = (id(target), ds or "")
        if key in self.by_given:
            return False
        self.by_given.add(key)
        return True

    def _location(self, n: Node) -> None:
        geom = None
        if n.types[0] == _T["Thing"]:
            rel = n.attrs.get(STA + "locations")
            for loc in references(rel[0]) if rel and rel[0].kind is _LREL else []:
                a = self.nodes[loc].attrs.get(NGSI_LOCATION) if loc in self.nodes else None
                if a and a[0].kind is _GEO:
                    geom = a[0].value
                    break
        else:
            a = n.attrs.get(STA + "feature")
            if a and a[0].kind is _GEO:
                geom = a[0].value
        if geom is not None and NGSI_LOCATION not in n.attrs:
            n.attrs[NGSI_LOCATION] = [Attr(_GEO, geom)]
        terms = attribute_terms(n.attrs)
        if terms:
            n.meta["@context"] = [CONTEXT_URL, terms, core_context_url(DEFAULT_CORE_VERSION)]


def read_observations(data: Any, report: ConversionReport, *, subject: str = "thing", table: Any = None,
                      observed_by: str = "first", **reader_options: Any) -> Graph:
    """Read SensorThings JSON straight into the observations mapping (see the module docs).

    >>> g = read_observations({"@iot.id": 1, "name": "t", "Datastreams": [{"@iot.id": 2, "name": "Wind",
    ...     "unitOfMeasurement": {}, "Observations": [{"@iot.id": 3, "result": 4, "phenomenonTime":
    ...     "2024-01-01T00:00:00Z"}]}]}, ConversionReport())
    >>> [a.value for a in g.get("urn:ngsi-ld:sta:Thing:1").attrs[DEFAULT_CONTEXT + "wind"]]
    [4]
    """
    reader = StaReader(report, collect_observations=True, **reader_options)
    graph = reader.read_document(data)
    graph.meta.pop("ngsi-ld:single", None)
    graph = _Forward(graph, reader, report, subject, table, observed_by).build(reader.observations or [])
    if len(graph.nodes) == 1:
        graph.meta["ngsi-ld:single"] = True
    return graph


_ = (NAVIGATION_LINK, OBSERVATIONS, RESULT)
