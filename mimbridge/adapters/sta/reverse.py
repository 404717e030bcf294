"""The observations mapping reversed: NGSI-LD temporal entities -> the structural SensorThings model.

Each entity with temporal attributes becomes a Thing (a FeatureOfInterest stays one);
each attribute x ``datasetId`` a Datastream (the entity of that id when the graph has
it, else one made from the attribute: name, unit from ``unitCode``, ObservedProperty
from the property table or the attribute IRI, Sensor from ``observedBy``); each
instance an Observation (id from ``instanceId``). Entities of SensorThings types pass
through. What had to be invented or left out is reported.

>>> import mimbridge
>>> room = {"id": "urn:ngsi-ld:Room:1", "type": "Room", "temperature": [
...     {"type": "Property", "value": 21, "observedAt": "2024-01-01T00:00:00Z", "unitCode": "CEL"}]}
>>> out = mimbridge.convert(room, source="ngsi-ld-temporal", target="sta", mapping="observations").output
>>> out["Datastreams"][0]["Observations"], out["Datastreams"][0]["unitOfMeasurement"]["symbol"]
([{'phenomenonTime': '2024-01-01T00:00:00Z', 'result': 21}], '°C')
"""

from __future__ import annotations

import re
from typing import Any

from ...model import META_FIELDS, Attr, Graph, Kind, Node, copy_node
from ...report import Approximated, ConversionReport, Dropped
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
    RESULT_TIME,
    STA_MEMBERS,
    attribute_terms,
    derived_name,
    table_lookup,
    units,
)
from .read import ENTITY_CONTEXT, StaReader
from .vocab import (
    FIELD_BY_IRI,
    GEOJSON_PROPERTIES,
    NAVIGATION_LINK,
    NGSI_LOCATION,
    STA,
    mint_anonymous,
    odata_literal,
    parse_minted,
)
from .write import is_sta_node, references

__all__ = ["Reverse", "from_observations"]

_PROPERTY, _JSON, _GEO, _REL, _LREL = Kind.PROPERTY, Kind.JSON, Kind.GEO, Kind.RELATIONSHIP, Kind.LIST_RELATIONSHIP
_T = {t: STA + t for t in ("Thing", "Datastream", "MultiDatastream", "FeatureOfInterest", "Feature",
                           "ObservedProperty", "Sensor", "Location")}
_OBSERVATION = STA + "Observation"
_SUBJECT_TYPES = frozenset({_T["Thing"], _T["FeatureOfInterest"], _T["Feature"]})
_SUB_FIELDS = {STA + k: k for k in ("validTime", "resultQuality", "parameters")}
_HANDLED = frozenset({PHENOMENON_TIME, RESULT_TIME, STA_MEMBERS, NO_RESULT, FOI_REL, OBSERVED_BY, *_SUB_FIELDS})
_OM = "http://www.opengis.net/def/observationType/OGC-OM/2.0/"
_CARRIED_META = frozenset({"dataset_id", "observed_at", "unit_code", "instance_id"})


def _first(node: Node | None, iri: str) -> Any:
    a = node.attrs.get(iri) if node is not None else None
    return a[0].value if a else None


def _local(iri: str) -> str:
    if iri.startswith(DEFAULT_CONTEXT):
        return iri[len(DEFAULT_CONTEXT):]
    return re.split(r"[/#:]", iri.rstrip("/#"))[-1] or iri


def _esc(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _temporal(name: str, instances: list[Attr]) -> bool:
    if name.startswith(STA) or name in FIELD_BY_IRI:
        return False
    return any(a.instance_id is not None or a.dataset_id is not None or a.observed_at is not None
               for a in instances)


class _Obs:
    __slots__ = ("ds", "main", "results", "subject")

    def __init__(self, ds: Node, subject: Node) -> None:
        self.ds, self.subject = ds, subject
        self.main: Attr | None = None
        self.results: dict[int, Attr] = {}


class Reverse:
    """Builds the structural graph; see the module docs."""

    def __init__(self, graph: Graph, report: ConversionReport, table: Any = None) -> None:
        self.graph, self.report = graph, report
        self.lookup = table_lookup(table)
        self.inverse = {v: k for k, v in DEFAULT_TABLE.items()} if table is None else (
            {v: k for k, v in table.items()} if isinstance(table, dict) else {})
        self.out = Graph()
        self.nodes: dict[str, Node] = {}
        self.obs: dict[str, _Obs] = {}
        self.defaults: dict[str, dict[str, Any]] = {}
        self.reader = StaReader(report, dialect="1.1")
        single = bool(graph.meta.get("ngsi-ld:single")) and len(graph.nodes) == 1
        #: JSON pointer of each input entity (report paths) and of each instance (by identity)
        self.ptr: dict[str, str] = {n.id: "" if single else f"/{i}" for i, n in enumerate(graph.nodes)}
        self.iptr: dict[int, str] = {}

    def add(self, node: Node) -> Node:
        self.out.nodes.append(node)
        self.nodes[node.id] = node
        return node

    def build(self) -> Graph:
        subjects = []
        for n in self.graph.nodes:
            copy = copy_node(n)
            if is_sta_node(n) and n.types[0] not in _SUBJECT_TYPES:
                self.add(copy)
            else:
                subjects.append(self.add(copy))
        for s in subjects:
            self.subject(s)
        for n in self.graph.nodes:
            if n.types and n.types[0] in (_T["Datastream"], _T["MultiDatastream"]):
                self._read_back_as_attribute(n)
        self._observations_read_back()
        return self.emit_observations()

    def emit_observations(self) -> Graph:
        """Write every collected Observation and link each Datastream to its Observations; the output graph."""
        by_ds: dict[str, list[str]] = {}
        for iri, rec in self.obs.items():
            self.observation(iri, rec)
            by_ds.setdefault(rec.ds.id, []).append(iri)
        for ds_id, obs in by_ds.items():
            self._link_observations(self.nodes[ds_id], obs)
        return self.out

    def _observations_read_back(self) -> None:
        """Report Observation entities whose Datastream the data only names: read with this mapping, each
        comes back as an instance of an attribute of the Thing that links to that Datastream."""
        known = {n.id for n in self.graph.nodes}
        done: set[str] = set()
        for n in self.graph.nodes:
            if not n.types or n.types[0] != _OBSERVATION:
                continue
            for link, t in ((STA + "datastream", "Datastream"), (STA + "multiDatastream", "MultiDatastream")):
                rel = n.attrs.get(link)
                target = rel[0].value if rel and rel[0].kind is _REL else None
                if not isinstance(target, str) or target in known:
                    continue
                if target not in done:
                    done.add(target)
                    things = self._read_back_as_attribute(Node(target, [_T[t]]))
                else:
                    things = self._things_of(target, None)
                if things and n.id in self.ptr:
                    self.report.add(Approximated, self.ptr[n.id], f"the Observation {n.id} comes back as an instance "
                                    f"of an attribute of {', '.join(sorted(things))} when read with the "
                                    "observations mapping", remedy="read with mapping='structural' to keep it an "
                                    "entity")

    def _things_of(self, ds_id: str, ds: Node | None) -> set[str]:
        things = set()
        rel = ds.attrs.get(STA + "thing") if ds is not None else None
        if rel and rel[0].kind is _REL and isinstance(rel[0].value, str):
            things.add(rel[0].value)
        for n in self.graph.nodes:
            if n.types and n.types[0] == _T["Thing"]:
                for k in (DATASTREAMS, MULTI_DATASTREAMS):
                    a = n.attrs.get(k)
                    if a and ds_id in references(a[0]):
                        things.add(n.id)
        return things

    def _read_back_as_attribute(self, ds: Node) -> set[str]:
        """Report that a Datastream of the input comes back, read with this mapping, as an attribute of its Thing
        (a Datastream the data only names: its Observations do); the Things it does."""
        things = self._things_of(ds.id, ds)
        name = ""
        if ds.types[0] == _T["Datastream"]:
            rel = ds.attrs.get(STA + "observedProperty")
            op = next((n for n in self.graph.nodes if rel and n.id == rel[0].value), None)
            definition = _first(op, STA + "definition")
            mapped = self.lookup(definition) if isinstance(definition, str) else None
            name = (mapped if ":" in mapped else DEFAULT_CONTEXT + mapped) if mapped else (
                DEFAULT_CONTEXT + derived_name(_first(op, STA + "name"), definition, _first(ds, STA + "name")))
        by_id = {n.id: n for n in self.graph.nodes}
        for t in sorted(things):
            if t in self.ptr and not (name and name in by_id[t].attrs):  # (read with it: the attribute is there)
                self.report.add(Approximated, self.ptr[t] + (f"/{_esc(name)}" if name else ""),
                                f"the Datastream {ds.id} comes back as an attribute of its Thing when read with the "
                                "observations mapping", remedy="read with mapping='structural' to keep it an entity")
        return things

    # -- subjects ----------------------------------------------------------------------
    def subject(self, node: Node) -> None:
        sta = is_sta_node(node)
        props: dict[str, Any] = {}
        temporal: dict[tuple[str, str | None], list[Attr]] = {}
        location = None
        for name, instances in list(node.attrs.items()):
            if name == NGSI_LOCATION and not (sta and node.types[0] == _T["Location"]):
                location = instances[0]
                del node.attrs[name]
            elif _temporal(name, instances):
                del node.attrs[name]
                base = f"{self.ptr.get(node.id, '')}/{_esc(name)}"
                for j, a in enumerate(instances):
                    temporal.setdefault((name, a.dataset_id), []).append(a)
                    self.iptr[id(a)] = f"{base}/{j}" if len(instances) > 1 else base
            elif not sta:
                del node.attrs[name]
                a = instances[0]
                props[_local(name)] = a.value if len(instances) == 1 else [x.value for x in instances]
        if not sta:
            self._foreign(node, props)
        elif temporal:
            self._terms(node)
        if location is not None:
            self._location(node, location)
        for (name, ds_iri), instances in temporal.items():
            ds = self.nodes.get(ds_iri) if ds_iri else None
            if ds is None:
                ds = self._mint_datastream(node, name, ds_iri, instances)
            mds = ds.types[0] == _T["MultiDatastream"]
            if ds.id not in self.defaults:
                d = ds.attrs.pop(DEFAULTS, None)
                self.defaults[ds.id] = d[0].value if d and isinstance(d[0].value, dict) else {}
            if node.types[0] == _T["Thing"] and STA + "thing" not in ds.attrs:
                rel = MULTI_DATASTREAMS if mds else DATASTREAMS
                changed = self._ensure_link(node, rel, ds.id)
                if sta and changed is not None:  # a SensorThings entity: no report covers the entity as a whole
                    self.report.add(Approximated, f"{self.ptr.get(node.id, '')}/{_esc(rel)}{changed}", "a link to "
                                    "the Datastreams made from the entity's temporal attributes",
                                    remedy="give each temporal attribute the datasetId of a Datastream "
                                    "the entity already links to")
            for i, a in enumerate(instances):
                self.record(node, ds, a, f"{node.id}/{_local(name)}/{i}")

    def _terms(self, node: Node) -> None:
        """Report the attributes of a Thing with Datastreams that come back under a term of their own."""
        ptr = self.ptr.get(node.id, "")
        terms = attribute_terms(node.attrs)
        if terms:
            self.report.add(Approximated, f"{ptr}/@context", "the entity comes back with an @context of its own "
                            f"(with terms for {', '.join(sorted(terms.values()))})",
                            remedy="compare attributes by their expanded IRI")
        for term, iri in terms.items():
            self.report.add(Approximated, f"{ptr}/{_esc(iri)}", f"the attribute {iri} comes back as '{term}' "
                            "with a term for it in the entity's @context (the observations mapping names the "
                            "attributes of an entity with Datastreams by the end of their IRI); read with this "
                            f"document's @context, '{term}' names another attribute",
                            remedy="compare attributes by their expanded IRI, or keep the entity's @context")
            self.report.add(Approximated, f"{ptr}/{_esc(term)}", f"the attribute {iri} comes back as '{term}' "
                            "(a term of the entity's @context)", remedy="compare attributes by their expanded IRI")

    def record(self, subject: Node, ds: Node, a: Attr, token: str) -> None:
        """File instance ``a`` of ``subject`` as (a component of) the Observation of ``ds`` its instanceId names
        (an anonymous one minted from ``token`` when it names none)."""
        base, _, idx = (a.instance_id or "").partition("#")
        if not base:
            base = mint_anonymous("Observation", token)
        rec = self.obs.get(base)
        if rec is None:
            rec = self.obs[base] = _Obs(ds, subject)
        if idx.isdigit() and ds.types[0] == _T["MultiDatastream"]:
            rec.results[int(idx)] = a
            if idx == "0":
                rec.main = a
        else:
            rec.main = a
            rec.results[0] = a

    def _foreign(self, node: Node, props: dict[str, Any]) -> None:
        types = [_local(t) for t in node.types]
        self.report.add(Approximated, self.ptr.get(node.id, ""), "entity of a non-SensorThings type written as a "
                        "Thing (its type "
                        "and non-temporal attributes in properties)", remedy="none needed; the Thing's "
                        "properties keep them")
        name = props.pop("name", None)
        desc = props.pop("description", None)
        node.types = [_T["Thing"]]
        node.meta["@context"] = ENTITY_CONTEXT
        node.attrs[STA + "name"] = [Attr(_PROPERTY, name if isinstance(name, str) else node.id)]
        node.attrs[FIELD_BY_IRI_INV["description"]] = [Attr(_PROPERTY, desc if isinstance(desc, str) else
                                                            f"NGSI-LD entity {node.id}")]
        node.attrs[GEOJSON_PROPERTIES] = [Attr(_JSON, {"type": types[0] if len(types) == 1 else types, **props})]

    def _location(self, node: Node, a: Attr) -> None:
        t = node.types[0]
        if t == _T["Thing"] and STA + "locations" in node.attrs:
            return
        if t in (_T["FeatureOfInterest"], _T["Feature"]):
            if STA + "feature" not in node.attrs:
                node.attrs[STA + "feature"] = [Attr(a.kind, a.value)]
                node.attrs.setdefault(STA + "encodingType", [Attr(_PROPERTY, "application/geo+json")])
            return
        loc = self.add(Node(mint_anonymous("Location", f"of/{node.id}"), [_T["Location"]], meta={
            "@context": ENTITY_CONTEXT}))
        loc.attrs[STA + "name"] = [Attr(_PROPERTY, "location")]
        loc.attrs[FIELD_BY_IRI_INV["description"]] = [Attr(_PROPERTY, f"location of {node.id}")]
        loc.attrs[STA + "encodingType"] = [Attr(_PROPERTY, "application/geo+json")]
        loc.attrs[NGSI_LOCATION] = [Attr(a.kind, a.value)]
        node.attrs[STA + "locations"] = [Attr(_LREL, [loc.id])]
        self.report.add(Approximated, f"{self.ptr.get(node.id, '')}/location", "a Location entity made from the "
                        "location attribute",
                        remedy="none needed")

    def _ensure_link(self, node: Node, rel: str, target: str) -> str | None:
        """Link ``node`` to ``target`` by ``rel``; the pointer of what changed below the attribute ("" for
        the whole attribute), None when nothing did."""
        a = node.attrs.get(rel)
        if a is None:
            node.attrs[rel] = [Attr(_LREL, [target])]
        elif a[0].kind is _LREL:
            refs = references(a[0])
            if target in refs:
                return None
            a[0].value = [*a[0].value, target]
            return f"/objectList/{len(refs)}"  # appended to links the entity had
        elif a[0].kind is _REL:
            return None
        else:
            link = Attr(_LREL, [target])
            link.attrs = {k: v for k, v in a[0].attrs.items() if k != NAVIGATION_LINK}
            if a[0].value is not None:
                link.attrs[NAVIGATION_LINK] = [Attr(_PROPERTY, a[0].value)]
            node.attrs[rel] = [link]
        return ""

    def _mint_datastream(self, subject: Node, name: str, ds_iri: str | None, instances: list[Attr]) -> Node:
        local = _local(name)
        ds = self.add(Node(ds_iri or mint_anonymous("Datastream", f"{subject.id}/{local}"), [_T["Datastream"]],
                           meta={"@context": ENTITY_CONTEXT}))
        first = instances[0]
        definition = self.inverse.get(name) or name
        op_id = mint_anonymous("ObservedProperty", definition)
        if op_id not in self.nodes:
            op = self.add(Node(op_id, [_T["ObservedProperty"]], meta={"@context": ENTITY_CONTEXT}))
            op.attrs[STA + "name"] = [Attr(_PROPERTY, local)]
            op.attrs[STA + "definition"] = [Attr(_PROPERTY, definition)]
            op.attrs[FIELD_BY_IRI_INV["description"]] = [Attr(_PROPERTY, f"NGSI-LD attribute {name}")]
        sensor = next((sub[0].value for a in instances for k, sub in a.attrs.items()
                       if k.endswith("observedBy") and sub[0].kind is _REL), None)
        if sensor is None:
            sensor = mint_anonymous("Sensor", "unknown")
            if sensor not in self.nodes:
                s = self.add(Node(sensor, [_T["Sensor"]], meta={"@context": ENTITY_CONTEXT}))
                s.attrs[STA + "name"] = [Attr(_PROPERTY, "unknown sensor")]
                s.attrs[FIELD_BY_IRI_INV["description"]] = [Attr(_PROPERTY, "the NGSI-LD data names no sensor")]
                s.attrs[STA + "encodingType"] = [Attr(_PROPERTY, "text/plain")]
                s.attrs[STA + "metadata"] = [Attr(_PROPERTY, "")]
        ds.attrs[STA + "name"] = [Attr(_PROPERTY, local)]
        ds.attrs[FIELD_BY_IRI_INV["description"]] = [Attr(_PROPERTY, f"{local} of {subject.id}")]
        ds.attrs[STA + "unitOfMeasurement"] = [Attr(_JSON, _uom(first.unit_code))]
        ds.attrs[STA + "observationType"] = [Attr(_PROPERTY, _observation_type([a.value for a in instances]))]
        ds.attrs[STA + "observedProperty"] = [Attr(_REL, op_id)]
        ds.attrs[STA + "sensor"] = [Attr(_REL, sensor)]
        self.report.add(Approximated, f"{self.ptr.get(subject.id, '')}/{_esc(name)}", "Datastream, ObservedProperty "
                        "(and Sensor) made "
                        "from the attribute: name, unitCode and observedBy are all it tells",
                        remedy="keep the Datastream entities next to the temporal entities")
        back = DEFAULT_CONTEXT + derived_name(local, definition)
        if name not in self.inverse and back != name:  # read back under the name derived from the ObservedProperty
            self.report.add(Approximated, f"{self.ptr.get(subject.id, '')}/{_esc(back)}", f"the attribute {name} "
                            f"comes back as {back} (the name the observations mapping derives from its Datastream)",
                            remedy="name the attribute in the default context, or pass a property_table")
        return ds

    # -- observations ------------------------------------------------------------------
    def observation(self, iri: str, rec: _Obs) -> None:
        a = rec.main or rec.results[min(rec.results)]
        subs = a.attrs
        defaults = self.defaults.get(rec.ds.id, {})
        o: dict[str, Any] = {}
        parsed = parse_minted(iri)
        sid: Any = None
        if parsed is None:
            sid = o["@iot.id"] = iri
        elif parsed[1]:
            sid = o["@iot.id"] = parsed[2]
        pt = subs[PHENOMENON_TIME][0].value if PHENOMENON_TIME in subs else a.observed_at
        if PHENOMENON_TIME in subs or a.observed_at is not None:
            o["phenomenonTime"] = pt
        if RESULT_TIME in subs:
            o["resultTime"] = subs[RESULT_TIME][0].value
        elif defaults.get("resultTime") == "phenomenonTime" and "phenomenonTime" in o:
            o["resultTime"] = pt
        if NO_RESULT not in subs:
            if rec.ds.types[0] == _T["MultiDatastream"] and "#" in (a.instance_id or ""):
                n = max(rec.results) + 1
                if len(rec.results) != n:
                    self.report.add(Dropped, self.iptr.get(id(a), ""), "MultiDatastream Observation misses "
                                    "components; null written",
                                    remedy="keep every component instance")
                o["result"] = [rec.results[i].value if i in rec.results else None for i in range(n)]
            else:
                o["result"] = a.value
        for sub, key in _SUB_FIELDS.items():
            if sub in subs:
                o[key] = subs[sub][0].value
        if STA_MEMBERS in subs and isinstance(subs[STA_MEMBERS][0].value, dict):
            o.update(subs[STA_MEMBERS][0].value)
        lit = odata_literal(sid)
        for k, tpl in defaults.items():
            if k != "resultTime" and lit is not None:
                o.setdefault("@iot.selfLink" if k == "@id" else k, tpl.replace("{id}", lit))
        for k in subs:
            if k not in _HANDLED and not k.endswith("observedBy"):
                self.report.add(Dropped, f"{self.iptr.get(id(a), '')}/{_esc(k)}", "attribute of an instance has no "
                                "SensorThings "
                                "Observation member", remedy="move it into the Observation's parameters")
        for (py, member) in META_FIELDS:
            if py not in _CARRIED_META and getattr(a, py) is not None:
                self.report.add(Dropped, f"{self.iptr.get(id(a), '')}/{member}",
                                f"{member} of an instance has no SensorThings member")
        g = self.reader.graph
        start = len(g.nodes)
        self.reader.entity(o, "", "Observation", None)
        if len(g.nodes) == start:  # an equal anonymous Observation was read before (two equal instances)
            self.reader = StaReader(self.report, dialect="1.1")
            g, start = self.reader.graph, 0
            self.reader.entity(o, "", "Observation", None)
        node = g.nodes[start]
        del g.nodes[start:]
        node.id = iri
        foi = subs[FOI_REL][0].value if FOI_REL in subs else (
            rec.subject.id if rec.subject.types[0] in (_T["FeatureOfInterest"], _T["Feature"]) else None)
        if foi is not None:
            rel = Attr(_REL, foi)
            old = node.attrs.get(STA + "featureOfInterest")
            if old:
                rel.attrs = {k: v for k, v in old[0].attrs.items() if k != NAVIGATION_LINK}
                if old[0].value is not None:
                    rel.attrs[NAVIGATION_LINK] = [Attr(_PROPERTY, old[0].value)]
            node.attrs[STA + "featureOfInterest"] = [rel]
        self.add(node)

    def _link_observations(self, ds: Node, obs: list[str]) -> None:
        a = ds.attrs.get(OBSERVATIONS)
        if a and a[0].kind is _LREL:
            have = references(a[0])
            known = set(have)
            a[0].value = have + [x for x in obs if x not in known]
        else:
            link = Attr(_LREL, obs)
            if a:
                link.attrs = {k: v for k, v in a[0].attrs.items() if k != NAVIGATION_LINK}
                if a[0].value is not None:
                    link.attrs[NAVIGATION_LINK] = [Attr(_PROPERTY, a[0].value)]
            ds.attrs[OBSERVATIONS] = [link]


FIELD_BY_IRI_INV = {v: k for k, v in FIELD_BY_IRI.items()}


def _uom(code: str | None) -> dict[str, Any]:
    u = units.unit_by_code(code) if (code and units is not None) else None
    if u is None:
        return {"name": code, "symbol": code, "definition": None}
    return {"name": u.label, "symbol": u.symbol, "definition": u.qudt or f"ucum:{u.ucum}"}


def _observation_type(values: list[Any]) -> str:
    if values and all(isinstance(v, bool) for v in values):
        return _OM + "OM_TruthObservation"
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return _OM + "OM_Measurement"
    return _OM + "OM_Observation"


def from_observations(graph: Graph, report: ConversionReport, *, table: Any = None) -> Graph:
    """The structural graph of an observations-mapping graph (any NGSI-LD temporal entities).

    >>> room = Node("urn:ngsi-ld:Room:1", ["https://ex.org/Room"], {DEFAULT_CONTEXT + "t": [
    ...     Attr(Kind.PROPERTY, 20, observed_at="2024-01-01T00:00:00Z")]})
    >>> g = from_observations(Graph([room]), ConversionReport())
    >>> sorted(n.types[0].rsplit(":", 1)[1] for n in g)
    ['Datastream', 'Observation', 'ObservedProperty', 'Sensor', 'Thing']
    """
    return Reverse(graph, report, table).build()
