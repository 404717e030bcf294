"""NGSI-LD simplified (keyValues), temporal and GeoJSON representations.

* ``ngsi-ld-keyvalues``: clause 4.5.4 of GS CIM 009. Writing keeps one
  instance per attribute (the default one) and each kind's value; the rest is
  reported. Reading needs attribute kinds: ``schema=`` (a Smart Data Models
  ``schema.json``, dict or path), ``kinds={"attr": "Relationship"}``, or
  ``model=`` (a model of the Smart Data Models catalogue, or ``"auto"`` for each
  entity's type; :mod:`mimbridge.sdm`); otherwise kinds are inferred as the standard does (GeoJSON geometry ->
  GeoProperty, ``{"languageMap": ...}`` -> LanguageProperty, ... everything
  else Property) and every guess is reported as ``Approximated``.
* ``ngsi-ld-temporal``: reads temporal evolution (arrays of normalized
  instances), ``temporalValues`` (``values``/``objects``/``languageMaps``/
  ``vocabs``/``jsons``/``valueLists``/``objectLists`` pairs) and aggregated
  (``avg``/``max``/... triples); writes normalized instances, or
  ``temporalValues`` with ``temporal_values=True``.
* ``ngsi-ld-geojson``: clause 4.5.16/4.5.17: Feature / FeatureCollection,
  geometry from ``geometry_property`` (default ``location``), ``properties``
  normalized (or simplified with ``simplified=True``); ``@context`` on each
  Feature, as the ETSI OpenAPI Feature schema has it (one per Feature, so a
  collection streams feature by feature; ``context_in="properties"`` for the
  other placement); read from properties, the Feature or the
  FeatureCollection; a notification keeps its envelope with a
  FeatureCollection as ``data``.

>>> import mimbridge
>>> kv = {"id": "urn:ngsi-ld:Car:1", "type": "Car", "speed": 50}
>>> out = mimbridge.convert(kv, source="ngsi-ld-keyvalues", target="ngsi-ld", kinds={"speed": "Property"})
>>> out.output["speed"]
{'type': 'Property', 'value': 50}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from ...errors import MappingError, ParseError
from ...minting.readers import mint_ids, normal_id
from ...model import META_FIELDS, Attr, Graph, Kind
from ...report import Approximated, ConversionReport, Dropped, Unresolved
from ..base import ALL_META, Capabilities, OptionSpec, option_table
from .adapters import NormalizedAdapter
from .normalized import KV_EXTRAS, NGSI_LD_EXTRAS, Reader, Writer, reader_options, writer_options
from .vocab import NAME_MARK, TYPES, URI_RE, VALUE_KEY, esc_name, is_geometry

__all__ = ["GeoJSONAdapter", "KeyValuesAdapter", "TemporalAdapter", "schema_kinds"]

TEMPORAL_KEY: dict[Kind, str] = {
    Kind.PROPERTY: "values", Kind.GEO: "values", Kind.RELATIONSHIP: "objects",
    Kind.LANGUAGE: "languageMaps", Kind.VOCAB: "vocabs", Kind.JSON: "jsons",
    Kind.LIST: "valueLists", Kind.LIST_RELATIONSHIP: "objectLists",
}
OLD_TEMPORAL_KEYS = {"objectsLists": "objectLists"}
AGGREGATIONS = ("totalCount", "distinctCount", "sum", "avg", "min", "max", "stddev", "sumsq")
KV_WRAPPED = {Kind.LANGUAGE: "languageMap", Kind.VOCAB: "vocab", Kind.JSON: "json",
              Kind.LIST: "valueList", Kind.LIST_RELATIONSHIP: "objectList"}
KV_UNWRAP = {v: k for k, v in KV_WRAPPED.items()}


# -- keyValues ------------------------------------------------------------
def schema_kinds(schema: Any) -> dict[str, Kind]:
    """Attribute kinds from a Smart Data Models ``schema.json`` (dict or path).

    SDM descriptions start with ``Property.``, ``Relationship.`` or
    ``GeoProperty.``; properties reached only through remote ``$ref`` s are not
    followed (offline) and stay unknown.
    """
    if isinstance(schema, (str, Path)):
        try:
            schema = json.loads(Path(schema).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise MappingError(f"cannot read schema {schema}: {exc}") from exc
    out: dict[str, Kind] = {}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                for name, spec in props.items():
                    desc = spec.get("description", "") if isinstance(spec, dict) else ""
                    head = desc.split(".", 1)[0].strip() if isinstance(desc, str) else ""
                    if head in TYPES:
                        out.setdefault(name, TYPES[head][0])
            for key in ("allOf", "anyOf", "oneOf"):
                for sub in node.get(key, []) or []:
                    visit(sub)

    visit(schema)
    return out


class KeyValuesAdapter(NormalizedAdapter):
    """``ngsi-ld-keyvalues`` (alias ``ngsi-ld-simplified``): lossy; see module docs."""

    name = "ngsi-ld-keyvalues"
    capabilities = Capabilities(typed=False, meta=frozenset(), nested=False, multi_instance=False,
                                media_type="application/ld+json", entity_meta=frozenset(), extras=KV_EXTRAS,
                                notes="keeps one instance per attribute and its value only")
    options: ClassVar[dict[str, OptionSpec]] = {
        **NormalizedAdapter.options,
        **option_table(
            OptionSpec("schema", None, "Smart Data Models schema.json (dict or path) giving attribute kinds", "read"),
            OptionSpec("kinds", None, "{attribute: kind name} giving attribute kinds", "read"),
            OptionSpec("model", None, "Smart Data Models model giving attribute kinds and offline @context: a name "
                       "(AirQualityObserved, dataModel.Environment/AirQualityObserved) or 'auto' (each entity's "
                       "type); needs mimbridge[sdm]", "read"),
            OptionSpec("lang", None, "language to pick from LanguageProperty values", "write")),
    }

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        kinds: dict[str, Kind] = {}
        if options.get("schema") is not None:
            kinds.update(schema_kinds(options["schema"]))
        for name, k in (options.get("kinds") or {}).items():
            if k not in TYPES:
                raise MappingError(f"kinds[{name!r}]: unknown attribute type {k!r}; known: {', '.join(TYPES)}")
            kinds[name] = TYPES[k][0]
        models = None
        if options.get("model") is not None:
            from ...sdm.keyvalues import ModelKinds
            models = ModelKinds(options["model"])
            options = {**options, "contexts": models.contexts(options.get("contexts"))}
        reader = _KVReader(report, kinds, **reader_options(options))
        reader.models = models
        return mint_ids(reader.read_document(data), report, options)

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        return _write_kv(graph, report, options)


class _KVReader(Reader):
    def __init__(self, report: ConversionReport, kinds: dict[str, Kind], **kw: Any) -> None:
        super().__init__(report, **kw)
        self.kinds = self.given = kinds
        self.models: Any = None  # mimbridge.sdm.keyvalues.ModelKinds when model= is given
        self.remedy = "pass schema=<Smart Data Models schema.json> or kinds={name: type}"

    def entity(self, e: Any, ptr: str) -> Any:
        if self.models is not None:
            kinds, model, problem = self.models.kinds_for(e)
            if problem:
                self.report.add(Unresolved, f"{ptr}/type", problem, remedy="pass model=<subject/name>")
            self.kinds = {**{n: TYPES[k][0] for n, k in kinds.items()}, **self.given}
            self.remedy = self.models.remedy(model)
        return super().entity(e, ptr)

    def top_attribute(self, key: str, val: Any, ctx: Any, eptr: str) -> list[Attr]:
        try:
            a = _kv_attr(key, val, self.kinds, self.report, self.where, self.remedy)
        except ParseError:
            if self.models is None or key in self.given:
                raise
            # the catalogue says Relationship, the data holds no URI: the data wins, and it is said
            self.report.add(Approximated, self.where(), "the Smart Data Models catalogue gives a Relationship, "
                            "the value is no URI: read as Property", remedy="pass kinds={name: type}")
            return [Attr(Kind.PROPERTY, val)]
        if a.kind is Kind.RELATIONSHIP:  # URNs in normal form, as the normalized reader gives them
            objs = a.value if isinstance(a.value, list) else [a.value]
            out = [normal_id(o, self.report, self.where() + (f"/{i}" if isinstance(a.value, list) else ""),
                             "relationship object") for i, o in enumerate(objs)]
            a.value = out if isinstance(a.value, list) else out[0]
        elif a.kind is Kind.VOCAB:  # vocab values are terms, expanded as the normalized reader does
            if isinstance(a.value, str):
                a.value = ctx.expand(a.value)
            elif isinstance(a.value, list) and all(isinstance(x, str) for x in a.value):
                a.value = [ctx.expand(x) for x in a.value]
            else:
                raise ParseError("vocab is not a term or an array of terms", pointer="/vocab", expected="a string")
        return [a]


def _kv_attr(key: str, val: Any, kinds: dict[str, Kind], report: ConversionReport, where: Any,
             remedy: str = "pass schema=<Smart Data Models schema.json> or kinds={name: type}") -> Attr:
    kind = kinds.get(key)
    if isinstance(val, dict) and len(val) == 1 and next(iter(val)) in KV_UNWRAP:
        member = next(iter(val))
        if kind is None or kind is KV_UNWRAP[member]:
            return Attr(KV_UNWRAP[member], val[member])
    if kind is None:
        kind = Kind.GEO if is_geometry(val) else Kind.PROPERTY
        report.add(Approximated, where, f"attribute type inferred as {kind.value} (keyValues carries no type)",
                   remedy=remedy)
    if kind is Kind.RELATIONSHIP:
        objs = val if isinstance(val, list) else [val]
        if not all(isinstance(o, str) and URI_RE.match(o) for o in objs):
            raise ParseError(f"relationship {key!r} value is not a URI", pointer="", expected="a URI")
    elif kind in KV_WRAPPED and isinstance(val, dict) and KV_WRAPPED[kind] in val:
        val = val[KV_WRAPPED[kind]]
    return Attr(kind, val)

def _write_kv(graph: Graph, report: ConversionReport, options: dict[str, Any]) -> Any:
    w = Writer(report, **writer_options(options))
    lang = options.get("lang")
    out = []
    for i, node in enumerate(graph.nodes):
        ctx, ctx_value, emit = w.context_for(node, graph)
        types = [ctx.compact(t) for t in node.types]
        e: dict[str, Any] = {"id": node.id,
                             "type": types if (len(types) > 1 or node.meta.get("ngsi-ld:typeArray")) else types[0]}
        for name, instances in node.attrs.items():
            a = _default_instance(instances)  # the one instance keyValues holds, under the name it came with
            member = a.meta.get(NAME_MARK) if a.meta else None
            member = member or ctx.compact(name)
            e[member] = _kv_value(a, ctx, lang, report, f"/{i}/{esc_name(member)}")
        if emit and ctx_value is not None:
            e["@context"] = ctx_value
        out.append(e)
    report.records_out += len(out)
    note = graph.meta.get("ngsi-ld:notification")
    if note is not None:
        return {**note, "data": out}  # a notification in the keyValues format keeps its envelope
    if graph.meta.get("ngsi-ld:single") and len(out) == 1:
        return out[0]
    return out


def _default_instance(instances: list[Attr]) -> Attr:
    for a in instances:
        if a.dataset_id is None:
            return a
    return instances[0]


def _kv_value(a: Attr, ctx: Any, lang: str | None, report: ConversionReport, ptr: str) -> Any:
    kind = a.kind
    if kind in (Kind.PROPERTY, Kind.GEO, Kind.RELATIONSHIP):
        return a.value
    if kind is Kind.LANGUAGE and lang is not None:
        m = a.value or {}
        pick = lang if lang in m else ("@none" if "@none" in m else next(iter(m), None))
        if len(m) > 1:
            report.add(Dropped, ptr, f"languages other than {pick!r} dropped (lang={lang!r})",
                       remedy="omit lang= to keep the whole languageMap")
        return m.get(pick) if pick is not None else None
    value = a.value
    if kind is Kind.VOCAB:
        value = [ctx.compact(x) for x in value] if isinstance(value, list) else ctx.compact(value)
    return {KV_WRAPPED[kind]: value}


# -- temporal ---------------------------------------------------------------
class TemporalAdapter(NormalizedAdapter):
    """``ngsi-ld-temporal``: temporal evolution of entities (see module docs)."""

    name = "ngsi-ld-temporal"
    capabilities = Capabilities(media_type="application/ld+json", extras=NGSI_LD_EXTRAS,
                                notes="normalized instances lossless; temporal_values=True keeps value+time only")
    carrying: ClassVar[dict[str, tuple[Any, ...]]] = {"temporal_values": (False, True)}

    def capabilities_for(self, options: Mapping[str, Any] | None = None) -> Capabilities:
        if not (options and options.get("temporal_values")):
            return self.capabilities
        field = {m: py for py, m in META_FIELDS}.get(options.get("timeproperty") or "observedAt", "observed_at")
        return Capabilities(meta=frozenset({"dataset_id", field}), nested=False, media_type="application/ld+json",
                            entity_meta=frozenset(), extras=KV_EXTRAS,
                            notes="temporalValues: value and time of each instance, per datasetId")
    options: ClassVar[dict[str, OptionSpec]] = {
        **NormalizedAdapter.options,
        **option_table(
            OptionSpec("temporal_values", False, "write the temporalValues (simplified temporal) representation",
                       "write"),
            OptionSpec("timeproperty", "observedAt", "time member of temporalValues pairs: observedAt, createdAt, "
                       "modifiedAt", "write")),
    }

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        # each entity is expanded when it is read: a bad temporal member rejects that entity, not the batch
        return mint_ids(_TemporalReader(report, temporal=True, **reader_options(options)).read_document(data), report,
                        options)

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        w = Writer(report, **writer_options(options))
        if not options.get("temporal_values"):
            w.always_array = True
            return w.document(graph)
        tprop = options.get("timeproperty", "observedAt")
        field = {m: py for py, m in META_FIELDS}.get(tprop)
        if field is None:
            raise MappingError(f"timeproperty {tprop!r} is not a time member")
        out = []
        single = bool(graph.meta.get("ngsi-ld:single")) and len(graph.nodes) == 1
        for i, node in enumerate(graph.nodes):
            ctx, ctx_value, emit = w.context_for(node, graph)
            types = [ctx.compact(t) for t in node.types]
            e: dict[str, Any] = {"id": node.id, "type": types if len(types) > 1 else types[0]}
            for name, instances in node.attrs.items():
                where = f"{'' if single else f'/{i}'}/{esc_name(name)}"
                tv = _temporal_values(instances, ctx, field, report, where)
                if tv is not None:
                    e[ctx.compact(name)] = tv
                else:
                    report.add(Dropped, where, f"no instance of the attribute has {tprop}: the attribute has no "
                               "place in temporalValues", remedy="write ngsi-ld-temporal without temporal_values")
            if emit and ctx_value is not None:
                e["@context"] = ctx_value
            out.append(e)
        report.records_out += len(out)
        return out[0] if graph.meta.get("ngsi-ld:single") and len(out) == 1 else out


class _TemporalReader(Reader):
    """The normalized reader, each entity's temporal members expanded to instances first."""

    def entity(self, e: Any, ptr: str) -> Any:
        return super().entity(_expand_entity(e, ptr), ptr)


def _expand_entity(e: Any, ptr: str) -> Any:
    if not isinstance(e, dict):
        return e
    out = {}
    for k, v in e.items():
        p = f"{ptr}/{esc_name(k)}"
        if isinstance(v, dict) and "type" in v:
            v = _expand_temporal(v, p)
        elif isinstance(v, list) and any(isinstance(x, dict) and _is_temporal(x) for x in v):
            flat: list[Any] = []
            for j, x in enumerate(v):
                y = _expand_temporal(x, f"{p}/{j}") if isinstance(x, dict) else x
                flat.extend(y if isinstance(y, list) else [y])
            v = flat
        out[k] = v
    return out


def _is_temporal(x: dict) -> bool:
    return any(k in x for k in (*TEMPORAL_KEY.values(), *OLD_TEMPORAL_KEYS, *AGGREGATIONS))


def _expand_temporal(val: dict, ptr: str) -> Any:
    """temporalValues / aggregated attribute -> list of normalized instances (else unchanged)."""
    t = val.get("type")
    if t.__class__ is not str or t not in TYPES:
        return val
    kind, member = TYPES[t]
    keys = {TEMPORAL_KEY[kind], *(o for o, n in OLD_TEMPORAL_KEYS.items() if n == TEMPORAL_KEY[kind])}
    key = next((k for k in keys if k in val), None)
    rest = {k: v for k, v in val.items() if k not in keys and k != "type" and k not in AGGREGATIONS}
    if key is not None:
        pairs = val[key]
        if not isinstance(pairs, list):
            raise ParseError(f"{key} is not an array", pointer=f"{ptr}/{key}", expected="an array of [value, time]")
        out = []
        for j, p in enumerate(pairs):
            if not isinstance(p, list) or len(p) != 2:
                raise ParseError("temporal value is not a [value, time] pair", pointer=f"{ptr}/{key}/{j}",
                                 expected="[value, time]")
            v = p[0]
            if kind is Kind.JSON and isinstance(v, dict) and list(v) == ["json"]:
                v = v["json"]
            out.append({**rest, "type": t, member: v, "observedAt": p[1]})
        return out or val
    aggs = [a for a in AGGREGATIONS if a in val]
    if aggs:
        out = []
        for agg in aggs:
            for j, trip in enumerate(val[agg]):
                if not isinstance(trip, list) or len(trip) != 3:
                    raise ParseError("aggregated value is not [value, start, end]", pointer=f"{ptr}/{agg}/{j}",
                                     expected="[value, start, end]")
                out.append({**rest, "type": t, member: trip[0], "observedAt": trip[1],
                            "ngsi-ld:aggregation": {"method": agg, "start": trip[1], "end": trip[2]}})
        return out
    return val


def _temporal_values(instances: list[Attr], ctx: Any, field: str, report: ConversionReport, ptr: str) -> Any:
    groups: dict[Any, list[Attr]] = {}
    for a in instances:
        groups.setdefault(a.dataset_id, []).append(a)
    out = []
    for ds, group in groups.items():
        kind = group[0].kind
        d: dict[str, Any] = {"type": kind.value}
        pairs = []
        for a in group:
            if getattr(a, field) is None or a.kind is not kind:
                j = instances.index(a)
                report.add(Dropped, f"{ptr}/{j}" if len(instances) > 1 else ptr,
                           f"an instance without {field} (or of another type than the first) has no place in "
                           "temporalValues", remedy="write ngsi-ld-temporal without temporal_values")
                continue
            v = a.value
            if a.kind is Kind.VOCAB:
                v = [ctx.compact(x) for x in v] if isinstance(v, list) else ctx.compact(v)
            elif a.kind is Kind.JSON:
                v = {"json": v}
            pairs.append([v, getattr(a, field)])
        if not pairs:
            continue
        d[TEMPORAL_KEY[kind]] = pairs
        if ds is not None:
            d["datasetId"] = ds
        out.append(d)
    if not out:
        return None
    return out[0] if len(out) == 1 else out


# -- GeoJSON ----------------------------------------------------------------
class GeoJSONAdapter(NormalizedAdapter):
    """``ngsi-ld-geojson``: NGSI-LD entities as GeoJSON Features (clause 4.5.16)."""

    name = "ngsi-ld-geojson"
    capabilities = Capabilities(media_type="application/geo+json", extras=NGSI_LD_EXTRAS - {"ngsi-ld:notification"},
                                notes="normalized properties: lossless")
    carrying: ClassVar[dict[str, tuple[Any, ...]]] = {"simplified": (False, True)}

    def capabilities_for(self, options: Mapping[str, Any] | None = None) -> Capabilities:
        if options and options.get("simplified"):
            return Capabilities(typed=False, meta=frozenset(), nested=False, multi_instance=False,
                                media_type="application/geo+json", entity_meta=frozenset(), extras=KV_EXTRAS,
                                notes="simplified properties: one instance per attribute, its value only")
        return self.capabilities
    options: ClassVar[dict[str, OptionSpec]] = {
        **NormalizedAdapter.options,
        **option_table(
            OptionSpec("geometry_property", "location", "attribute used as the Feature geometry", "write"),
            OptionSpec("simplified", False, "write properties in the simplified (keyValues) form", "write"),
            OptionSpec("context_in", None, "where @context goes: feature (on the Feature / FeatureCollection as "
                       "the ETSI OpenAPI has it; chosen unless the input had it in properties) or properties",
                       "write")),
    }

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        note = None
        if isinstance(data, dict) and data.get("type") == "Notification" and "data" in data:
            note = {k: v for k, v in data.items() if k != "data"}
            data = data["data"]
            if isinstance(data, list) and not data:
                data = {"type": "FeatureCollection", "features": []}
        if not isinstance(data, dict) or data.get("type") not in ("Feature", "FeatureCollection"):
            raise ParseError("not a GeoJSON Feature or FeatureCollection", pointer="/data/type" if note else "/type",
                             expected='"Feature" or "FeatureCollection"')
        single = data["type"] == "Feature" and note is None
        feats = [data] if data["type"] == "Feature" else data.get("features")
        if not isinstance(feats, list):
            raise ParseError("features is not an array", pointer="/features", expected="an array")
        # @context: in properties (older mimbridge output), on the Feature, on the FeatureCollection (ETSI OpenAPI)
        outer = data.get("@context") if data["type"] == "FeatureCollection" else None
        entities: list[Any] = []
        inside = False
        for f in feats:
            if isinstance(f, dict) and isinstance(f.get("properties"), dict):
                e = {"id": f.get("id"), **f["properties"]}
                inside = inside or "@context" in f["properties"]
                ctx = f["properties"].get("@context", f.get("@context", outer))
                if ctx is not None:
                    e["@context"] = ctx
                entities.append(e)
            else:
                entities.append(f)
        # a temporal entity written as GeoJSON: several instances of one attribute without datasetId
        reader = (_KVReader(report, {}, **reader_options(options)) if options.get("simplified")
                  else Reader(report, temporal=_looks_temporal(entities), **reader_options(options)))
        doc: Any = entities[0] if single and entities else entities
        if note is not None:
            doc = {**note, "data": entities}
        graph = reader.read_document(doc)
        extra = {k: v for k, v in data.items() if k not in ("type", "features", "@context")}
        if data["type"] == "FeatureCollection" and extra:
            graph.meta["geojson:collection"] = extra
        if inside:
            graph.meta["ngsi-ld-geojson:context_in"] = "properties"  # written back where it was found
        return mint_ids(graph, report, options)

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        geom_term = options.get("geometry_property", "location")
        simplified = bool(options.get("simplified"))
        placement = options.get("context_in") or graph.meta.get("ngsi-ld-geojson:context_in", "feature")
        if placement not in ("feature", "properties"):
            raise MappingError(f"context_in {placement!r} is not 'feature' or 'properties'")
        if simplified:
            rows = _write_kv(Graph(graph.nodes, graph.context), report, options)
        else:
            rows = Writer(report, **writer_options(options)).document(Graph(graph.nodes, graph.context))
        if isinstance(rows, dict):
            rows = [rows]
        feats = []
        for node, row in zip(graph.nodes, rows, strict=True):
            ctx = Writer(report, **writer_options(options)).context_for(node, graph)[0]
            geo = node.first(ctx.expand(geom_term))
            props = {k: v for k, v in row.items() if k != "id"}
            f: dict[str, Any] = {"id": node.id, "type": "Feature",
                                 "geometry": geo.value if geo is not None and geo.kind is Kind.GEO else None,
                                 "properties": props}
            if placement == "feature" and "@context" in props:
                f["@context"] = props.pop("@context")
            feats.append(f)
        note = graph.meta.get("ngsi-ld:notification")
        if note is None and graph.meta.get("ngsi-ld:single") and len(feats) == 1:
            return feats[0]
        coll: dict[str, Any] = {"type": "FeatureCollection", "features": feats,
                                **graph.meta.get("geojson:collection", {})}
        if note is not None:
            return {**note, "data": coll}  # a notification in GeoJSON: its data is a FeatureCollection
        return coll


def _looks_temporal(entities: list[Any]) -> bool:
    """True when an attribute has several instances without datasetId (a temporal evolution, not a multi-attribute)."""
    for e in entities:
        if not isinstance(e, dict):
            continue
        for v in e.values():
            if isinstance(v, list) and sum(1 for x in v if isinstance(x, dict) and "datasetId" not in x) > 1:
                return True
    return False


_ = (ALL_META, VALUE_KEY)
