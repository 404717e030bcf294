"""Observations the model carries as attribute instances, written back in place by the structural mapping.

Reading SensorThings with ``mapping="observations"`` folds each Observation into an instance of an
attribute of its Thing (``instanceId`` = the Observation's id, ``datasetId`` = its Datastream) while the
Datastream keeps its link to the Observation. The structural mapping writes one SensorThings entity
per node: without this step such an Observation would be written as a bare reference
(``{"@iot.id": 9}``) and the instance as a member of the Thing. Here an instance is written as the
Observation it names when the graph says so on both sides: its ``datasetId`` is a Datastream (or
MultiDatastream) of the graph whose ``observations`` list the instance's ``instanceId``, and that
Observation is no node of the graph. Such an instance gives back the Observation exactly as the
observations mapping read it (the reverse mapping of :mod:`.reverse` rebuilds it). Each attribute that
gives up instances this way is reported (Approximated at the attribute: its instances become
Observations), since the NGSI-LD form of the graph changes shape; everything else is left as it is.

>>> import mimbridge
>>> thing = {"@iot.id": 1, "name": "Oven", "description": "", "Datastreams": [{"@iot.id": 5, "name": "t",
...     "description": "", "unitOfMeasurement": {"name": "degree Celsius", "symbol": "°C", "definition": "ucum:Cel"},
...     "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
...     "ObservedProperty": {"@iot.id": 2, "name": "T", "definition": "https://ex.org/T", "description": ""},
...     "Sensor": {"@iot.id": 3, "name": "s", "description": "", "encodingType": "text/plain", "metadata": ""},
...     "Observations": [{"@iot.id": 9, "phenomenonTime": "2024-01-01T00:00:00Z", "result": 21.5}]}]}
>>> folded = mimbridge.convert(thing, source="sta", target="ngsi-ld", mapping="observations").output
>>> folded[0]["t"]["instanceId"]
'urn:ngsi-ld:sta:Observation:9'
>>> mimbridge.convert(folded, source="ngsi-ld", target="sta").output == thing
True
"""

from __future__ import annotations

from ...model import Attr, Graph, Kind, Node, copy_node
from ...report import Approximated, ConversionReport, Dropped
from .mapping import DEFAULTS, OBSERVATIONS
from .reverse import Reverse
from .vocab import NGSI_LOCATION, STA
from .write import is_sta_node, references

__all__ = ["observations_in_place"]

_DATASTREAM_TYPES = frozenset({STA + "Datastream", STA + "MultiDatastream"})
_SUBJECT_TYPES = frozenset({STA + "Thing", STA + "FeatureOfInterest", STA + "Feature"})


def _esc(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


class _InPlace(Reverse):
    """The reverse mapping restricted to the instances the graph links as Observations."""

    def __init__(self, graph: Graph, report: ConversionReport, linked: dict[str, set[str]]) -> None:
        super().__init__(graph, report)
        #: Datastream id -> the ids of the Observations it lists that are no node of the graph
        self.linked = linked

    def _is_linked(self, a: Attr) -> bool:
        base = (a.instance_id or "").partition("#")[0]
        return bool(base) and a.dataset_id is not None and base in self.linked.get(a.dataset_id, ())

    def build(self) -> Graph:
        subjects = [self.add(copy_node(n)) if n.types[0] in _SUBJECT_TYPES else self.add(n)
                    for n in self.graph.nodes]
        for s in subjects:
            if s.types[0] in _SUBJECT_TYPES and is_sta_node(s):
                self._place(s)
        return self.emit_observations()

    def _place(self, node: Node) -> None:
        placed_any = False
        for name, instances in list(node.attrs.items()):
            placed = [a for a in instances if self._is_linked(a)]
            if not placed:
                continue
            base = f"{self.ptr.get(node.id, '')}/{_esc(name)}"
            ids = {id(a) for a in placed}
            kept = [a for a in instances if id(a) not in ids]
            if kept:
                node.attrs[name] = kept
            else:
                del node.attrs[name]
            placed_any = True
            self.report.add(Approximated, base, "instances that name an Observation (instanceId) of a Datastream "
                            "(datasetId) listing it are written as those Observations, not as a member of the "
                            "entity", remedy="none needed; read SensorThings with mapping='structural' to get one "
                            "entity per Observation")
            for j, a in enumerate(instances):
                if id(a) in ids:
                    self.iptr[id(a)] = f"{base}/{j}" if len(instances) > 1 else base
            for a in placed:
                self.record(node, self._datastream(a.dataset_id or ""), a, "")
        if placed_any:
            self._derived_location(node)

    def _derived_location(self, node: Node) -> None:
        """Leave out the ``location`` the observations mapping copies from the Thing's first Location (or a
        feature's own geometry): the Location (the feature) is written and carries it."""
        a = node.attrs.get(NGSI_LOCATION)
        if not a or len(a) != 1 or a[0].kind is not Kind.GEO or a[0].attrs or a[0].observed_at is not None:
            return
        if node.types[0] == STA + "Thing":
            rel = node.attrs.get(STA + "locations")
            source = None
            for loc in references(rel[0]) if rel and rel[0].kind is Kind.LIST_RELATIONSHIP else []:
                g = self.nodes[loc].attrs.get(NGSI_LOCATION) if loc in self.nodes else None
                if g and g[0].kind is Kind.GEO:
                    source = g[0].value
                    break
        else:
            g = node.attrs.get(STA + "feature")
            source = g[0].value if g and g[0].kind is Kind.GEO else None
        if source is None or source != a[0].value:
            return
        del node.attrs[NGSI_LOCATION]
        self.report.add(Dropped, f"{self.ptr.get(node.id, '')}/location", "the location equal to that of the "
                        "entity's (first) Location or feature is left out: that Location or feature is written and "
                        "carries it", remedy="none needed")

    def _datastream(self, iri: str) -> Node:
        ds = self.nodes[iri]
        if ds.id not in self.defaults:
            copy = copy_node(ds)  # the input graph keeps its defaults and links
            at = next(i for i, n in enumerate(self.out.nodes) if n is ds)
            self.out.nodes[at] = copy
            self.nodes[iri] = copy
            rel = copy.attrs.get(OBSERVATIONS)
            if rel:  # the list is extended in place by _link_observations
                copy.attrs[OBSERVATIONS] = [Attr(rel[0].kind, list(rel[0].value), attrs=dict(rel[0].attrs))]
            d = copy.attrs.pop(DEFAULTS, None)
            self.defaults[ds.id] = d[0].value if d and isinstance(d[0].value, dict) else {}
            ds = copy
        return ds


def _linked(graph: Graph) -> dict[str, set[str]]:
    lists = {n.id: references(rel[0]) for n in graph.nodes if n.types and n.types[0] in _DATASTREAM_TYPES
             for rel in (n.attrs.get(OBSERVATIONS),) if rel and rel[0].kind is Kind.LIST_RELATIONSHIP}
    if not lists:
        return {}
    ids = {n.id for n in graph.nodes}
    out: dict[str, set[str]] = {}
    for ds, observations in lists.items():
        missing = {x for x in observations if x not in ids}
        if missing:
            out[ds] = missing
    return out


def observations_in_place(graph: Graph, report: ConversionReport) -> Graph:
    """``graph`` with the instances its Datastreams link as Observations turned into Observations.

    The graph is returned unchanged when it has none (see the module docs); its nodes are not modified.

    >>> g = Graph([Node("urn:ngsi-ld:sta:Thing:1", [STA + "Thing"])])
    >>> observations_in_place(g, ConversionReport()) is g
    True
    """
    linked = _linked(graph)
    if not linked:
        return graph
    wanted = _InPlace(graph, report, linked)
    if not any(wanted._is_linked(a) for n in graph.nodes if n.types and n.types[0] in _SUBJECT_TYPES
               for instances in n.attrs.values() for a in instances):
        return graph
    return wanted.build()
