"""OGC SensorThings API JSON: ``sta`` (1.1), ``sta2`` (2.0 draft), ``sta-dataarray``.

Reading takes what a SensorThings server returns or accepts: a single entity,
a collection page (``value``, ``@iot.count``, ``@iot.nextLink``), an
``$expand``-ed tree, a deep-insert body, a ``$resultFormat=dataArray``
response or a ``CreateObservations`` body, a service root. Two mappings:

* ``mapping="structural"`` (default): one node per SensorThings entity
  (``urn:ngsi-ld:sta:<Type>:<id>``), navigation as (List)Relationships,
  every member carried: ``sta -> ngsi-ld -> sta`` gives the same JSON.
* ``mapping="observations"``: each Thing (or FeatureOfInterest, ``subject=``)
  becomes an entity whose Datastreams are temporal attributes, one instance
  per Observation (:mod:`.sta_observations`); write ``ngsi-ld-temporal``.

``sta`` writes STA 1.1 and reports what 1.1 cannot hold (STA 2.0 input);
``sta2`` reads and writes the 2.0 draft spellings (``id``, ``@id``,
``@navigationLink``, ``{start, end}``). See ``docs/sta.md`` and
``docs/sta-ngsi-ld-mapping.md``.

>>> import mimbridge
>>> thing = {"@iot.id": 1, "name": "Oven", "Locations@iot.navigationLink": "Things(1)/Locations"}
>>> out = mimbridge.convert(thing, source="sta", target="ngsi-ld").output
>>> out["id"], out["type"], out["locations"]
('urn:ngsi-ld:sta:Thing:1', 'Thing', {'type': 'Property', 'value': 'Things(1)/Locations'})
>>> mimbridge.convert(out, source="ngsi-ld", target="sta").output == thing
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ...errors import MappingError
from ...minting.readers import mint_ids
from ...model import Graph
from ...report import Coerced, ConversionReport, Dropped
from ..base import (
    ALL_KINDS,
    ALL_META,
    MINTING_OPTIONS,
    Adapter,
    Capabilities,
    OptionSpec,
    check_capabilities,
    option_table,
)
from .dataarray import to_data_array
from .ids import sta_identify
from .linked import observations_in_place
from .read import StaReader
from .vocab import COLLECTION, DATA_ARRAY
from .write import StaWriter, is_sta_node

__all__ = ["Sta2Adapter", "StaAdapter", "StaDataArrayAdapter"]

MAPPINGS = ("structural", "observations")
SUBJECTS = ("thing", "featureOfInterest")
OBSERVED_BY = ("first", "each")


def _mapping(options: dict[str, Any]) -> str:
    m = options.get("mapping") or "structural"
    if m not in MAPPINGS:
        raise MappingError(f"unknown mapping {m!r}; known: {', '.join(MAPPINGS)}")
    s = options.get("subject") or "thing"
    if s not in SUBJECTS:
        raise MappingError(f"unknown subject {s!r}; known: {', '.join(SUBJECTS)}")
    b = options.get("observed_by") or "first"
    if b not in OBSERVED_BY:
        raise MappingError(f"unknown observed_by {b!r}; known: {', '.join(OBSERVED_BY)}")
    return m


#: what the observations mapping carries: each instance with a time or datasetId becomes an Observation
#: (value, observedAt, unitCode, datasetId as Datastream, instanceId as Observation id, observedBy and the
#: Observation members as sub-attributes; the mapping reports other sub-attributes); other attributes go into
#: the Thing's properties as plain values
OBSERVATIONS_CAPS = Capabilities(meta=frozenset({"dataset_id", "observed_at", "unit_code", "instance_id"}),
                                 entity_meta=frozenset(), extras=frozenset(),
                                 notes="observations mapping: temporal instances as Observations, other attributes "
                                       "as Thing properties")


class StaAdapter(Adapter):
    """``sta``: SensorThings API 1.1 JSON (reads 1.0 and 2.0-draft spellings too)."""

    name = "sta"
    # The writer places what it can and reports the rest itself (see StaWriter), so the
    # generic capability check would only repeat it.
    capabilities = Capabilities(kinds=ALL_KINDS, meta=ALL_META, media_type="application/json",
                                notes="structural mapping lossless; observations mapping: see docs/sta.md")
    options: ClassVar[dict[str, OptionSpec]] = option_table(
        OptionSpec("mapping", "structural", "structural (one entity per SensorThings entity) or observations "
                   "(Things with temporal attributes)"),
        OptionSpec("subject", "thing", "observations mapping: entity that carries the observations, thing or "
                   "featureOfInterest", "read"),
        OptionSpec("observed_by", "first", "observations mapping: where the Sensor goes as observedBy, first (the "
                   "first instance of each Datastream) or each (every instance; what SOSA output wants)", "read"),
        OptionSpec("property_table", None, "observations mapping: ObservedProperty definition -> attribute IRI "
                   "({iri: iri}, an SSSOM/TSV path or a MappingSet)"),
        OptionSpec("entity_type", None, "type of top-level entities whose members do not tell it (Thing, Sensor, "
                   "...)", "read"),
        OptionSpec("repair_geometry", False, "repair Polygon rings that lack one level of nesting (reported) "
                   "instead of keeping them as JSON", "read"),
        *MINTING_OPTIONS.values(),
    )
    carrying: ClassVar[dict[str, tuple[Any, ...]]] = {"mapping": ("structural", "observations")}

    def capabilities_for(self, options: Mapping[str, Any] | None = None) -> Capabilities:
        if options and options.get("mapping") == "observations":
            return OBSERVATIONS_CAPS
        return self.capabilities

    def check(self, graph: Graph, report: ConversionReport, options: Mapping[str, Any]) -> None:
        # the observations mapping writes SensorThings entities whole; only the others are mapped
        check_capabilities(graph, self.capabilities_for(options), report, self.name, skip=is_sta_node)

    read_dialect: ClassVar[str | None] = None
    write_dialect: ClassVar[str] = "1.1"

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        mapping = _mapping(options)
        kw: dict[str, Any] = {"dialect": self.read_dialect, "entity_type": options.get("entity_type"),
              "repair_geometry": bool(options.get("repair_geometry"))}
        if mapping == "observations":
            from .observations import read_observations

            graph = read_observations(data, report, subject=options.get("subject") or "thing",
                                      table=options.get("property_table"),
                                      observed_by=options.get("observed_by") or "first", **kw)
        else:
            graph = StaReader(report, **kw).read_document(data)
        return mint_ids(graph, report, options, identify=sta_identify)

    def structural(self, graph: Graph, report: ConversionReport, options: dict[str, Any]) -> Graph:
        """The structural graph to write (the observations mapping reversed when asked).

        The structural mapping writes the instances that the graph's Datastreams list as Observations as
        those Observations (:mod:`.linked`).
        """
        if _mapping(options) == "observations":
            from .reverse import from_observations

            return from_observations(graph, report, table=options.get("property_table"))
        return observations_in_place(graph, report)

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        checked = _checked_ids(graph, options)
        graph = self.structural(graph, report, options)
        return StaWriter(report, dialect=self.write_dialect, check_ids=checked).document(graph)


class Sta2Adapter(StaAdapter):
    """``sta2``: SensorThings API 2.0 draft JSON (``id``, ``@id``, ``@navigationLink``, ``{start, end}``)."""

    name = "sta2"
    read_dialect = "2.0"
    write_dialect = "2.0"


class StaDataArrayAdapter(StaAdapter):
    """``sta-dataarray``: Observations in the dataArray form (responses and CreateObservations bodies)."""

    name = "sta-dataarray"

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        checked = _checked_ids(graph, options)
        graph = self.structural(graph, report, options)
        doc = StaWriter(report, dialect="1.1", check_ids=checked).document(graph)
        items = doc if isinstance(doc, list) else (doc.get("value") if isinstance(doc, dict) else None)
        if not isinstance(items, list):
            items = [doc]
            report.add(Coerced, "/", "a single Observation is written as a one-row dataArray collection (the "
                       "dataArray form has no single-entity shape)", remedy="write format sta")
        if any(not isinstance(x, dict) or _looks_like_entity(x) for x in items):
            report.add(Dropped, "/", "the dataArray form holds Observations only; other top-level entities "
                       "are written as rows of their members", remedy="write format sta")
        env = next((n for n in graph.nodes if n.types and n.types[0] == COLLECTION), None)
        layout = env.attrs.get(DATA_ARRAY) if env is not None else None
        return to_data_array(doc, layout[0].value if layout else None)


def _checked_ids(graph: Graph, options: dict[str, Any]) -> bool | dict[str, str]:
    """The entities whose ids the writer checks: all, or with the observations mapping the SensorThings
    entities it passes through, with their pointers (it reports the entities it makes itself)."""
    if _mapping(options) != "observations":
        return True
    single = bool(graph.meta.get("ngsi-ld:single")) and len(graph.nodes) == 1
    return {n.id: "" if single else f"/{i}" for i, n in enumerate(graph.nodes) if is_sta_node(n)}


def _looks_like_entity(x: dict[str, Any]) -> bool:
    return bool({"name", "description", "location", "feature", "unitOfMeasurement", "metadata"} & set(x))
