"""NGSI-LD simplified (keyValues), temporal and GeoJSON representations.

* ``ngsi-ld-keyvalues``: clause 4.5.4 of GS CIM 009. Writing keeps one
  instance per attribute (the default one) and each kind's value; the rest is
  reported. Reading needs attribute kinds: ``schema=`` (a Smart Data Models
  ``schema.json``, dict or path) or ``kinds={"attr": "Relationship"}``;
  otherwise kinds are inferred as the standard does (GeoJSON geometry ->
  GeoProperty, ``{"languageMap": ...}`` -> LanguageProperty, ... everything
  else Property) and every guess is reported as ``Approximated``.
* ``ngsi-ld-temporal``: reads temporal evolution (arrays of normalized
  instances), ``temporalValues`` (``values``/``objects``/``languageMaps``/
  ``vocabs``/``jsons``/``valueLists``/``objectLists`` pairs) and aggregated
  (``avg``/``max``/... triples); writes normalized instances, or
  ``temporalValues`` with ``temporal_values=True``.
* ``ngsi-ld-geojson``: clause 4.5.16/4.5.17: Feature / FeatureCollection,
  geometry from ``geometry_property`` (default ``location``), ``properties``
  normalized (or simplified with ``simplified=True``).

>>> import mimbridge
>>> kv = {"id": "urn:ngsi-ld:Car:1", "type": "Car", "speed": 50}
>>> out = mimbridge.convert(kv, source="ngsi-ld-keyvalues", target="ngsi-ld", kinds={"speed": "Property"})
>>> out.output["speed"]
{'type': 'Property', 'value': 50}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from ...errors import MappingError, ParseError
from ...model import META_FIELDS, Attr, Graph, Kind
from ...report import Approximated, ConversionReport, Dropped
from ..base import ALL_META, Capabilities, OptionSpec, option_table
from .normalized import NormalizedAdapter, Reader, Writer, reader_options, writer_options
from .vocab import TYPES, URI_RE, VALUE_KEY, esc_name, is_geometry

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
                                media_type="application/ld+json",
                                notes="keeps one instance per attribute and its value only")
    options: ClassVar[dict[str, OptionSpec]] = {
        **NormalizedAdapter.options,
        **option_table(
            OptionSpec("schema", None, "Smart Data Models schema.json (dict or path) giving attribute kinds", "read"),
            OptionSpec("kinds", None, "{attribute: kind name} giving attribute kinds", "read"),
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
        reader = _KVReader(report, kinds, **reader_options(options))
        return reader.read_document(data)

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        return _write_kv(graph, report, options)


class _KVReader(Reader):
    def __init__(self, report: ConversionReport, kinds: dict[str, Kind], **kw: Any) -> None:
        super().__init__(report, **kw)
        self.kinds = kinds

    def top_attribute(self, key: str, val: Any, ctx: Any, eptr: str) -> list[Attr]:
        return [_kv_attr(key, val, self.kinds, self.report, self.where)]


def _kv_attr(key: str, val: Any, kinds: dict[str, Kind], report: ConversionReport, where: Any) -> Attr:
    kind = kinds.get(key)
    if isinstance(val, dict) and len(val) == 1 and next(iter(val)) in KV_UNWRAP:
        member = next(iter(val))
        if kind is None or kind is KV_UNWRAP[member]:
            return Attr(KV_UNWRAP[member], val[member])
    if kind is None:
        kind = Kind.GEO if is_geometry(val) else Kind.PROPERTY
        report.add(Approximated, where, f"attribute type inferred as {kind.value} (keyValues carries no type)",
                   remedy="pass schema=<Smart Data Models schema.json> or kinds={name: type}")
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
            a = _default_instance(instances)
            e[ctx.compact(name)] = _kv_value(a, ctx, lang, report, f"/{i}/{esc_name(name)}")
        if emit and ctx_value is not None:
            e["@context"] = ctx_value
        out.append(e)
    report.records_out += len(out)
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
    capabilities = Capabilities(media_type="application/ld+json",
                                notes="normalized instances lossless; temporal_values=True keeps value+time only")
    options: ClassVar[dict[str, OptionSpec]] = {
        **NormalizedAdapter.options,
        **option_table(
            OptionSpec("temporal_values", False, "write the temporalValues (simplified temporal) representation",
                       "write"),
            OptionSpec("timeproperty", "observedAt", "time member of temporalValues pairs: observedAt, createdAt, "
                       "modifiedAt", "write")),
    }

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        reader = Reader(report, temporal=True, **reader_options(options))
        note = isinstance(data, dict) and data.get("type") == "Notification"
        items = data.get("data") if note else data
        if isinstance(items, list):
            items = [_expand_entity(e, f"/{i}") for i, e in enumerate(items)]
        else:
            items = _expand_entity(items, "")
        return reader.read_document({**data, "data": items} if note else items)

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
        for i, node in enumerate(graph.nodes):
            ctx, ctx_value, emit = w.context_for(node, graph)
            types = [ctx.compact(t) for t in node.types]
            e: dict[str, Any] = {"id": node.id, "type": types if len(types) > 1 else types[0]}
            for name, instances in node.attrs.items():
                e[ctx.compact(name)] = _temporal_values(instances, ctx, field, report, f"/{i}/{esc_name(name)}")
            if emit and ctx_value is not None:
                e["@context"] = ctx_value
            out.append(e)
        report.records_out += len(out)
        return out[0] if graph.meta.get("ngsi-ld:single") and len(out) == 1 else out


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
    if t not in TYPES:
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
        for j, a in enumerate(group):
            v = a.value
            if a.kind is Kind.VOCAB:
                v = [ctx.compact(x) for x in v] if isinstance(v, list) else ctx.compact(v)
            elif a.kind is Kind.JSON:
                v = {"json": v}
            pairs.append([v, getattr(a, field)])
            for py, member in META_FIELDS:
                if py not in ("dataset_id", field) and getattr(a, py) is not None:
                    report.add(Dropped, f"{ptr}/{j}/{member}", f"{member} is not carried by temporalValues",
                               remedy="write ngsi-ld-temporal without temporal_values")
            if a.attrs:
                report.add(Dropped, f"{ptr}/{j}", "nested attributes are not carried by temporalValues",
                           remedy="write ngsi-ld-temporal without temporal_values")
        d[TEMPORAL_KEY[kind]] = pairs
        if ds is not None:
            d["datasetId"] = ds
        out.append(d)
    return out[0] if len(out) == 1 else out


# -- GeoJSON ----------------------------------------------------------------
class GeoJSONAdapter(NormalizedAdapter):
    """``ngsi-ld-geojson``: NGSI-LD entities as GeoJSON Features (clause 4.5.16)."""

    name = "ngsi-ld-geojson"
    capabilities = Capabilities(media_type="application/geo+json", notes="normalized properties: lossless")
    options: ClassVar[dict[str, OptionSpec]] = {
        **NormalizedAdapter.options,
        **option_table(
            OptionSpec("geometry_property", "location", "attribute used as the Feature geometry", "write"),
            OptionSpec("simplified", False, "write properties in the simplified (keyValues) form", "write")),
    }

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        if not isinstance(data, dict) or data.get("type") not in ("Feature", "FeatureCollection"):
            raise ParseError("not a GeoJSON Feature or FeatureCollection", pointer="/type",
                             expected='"Feature" or "FeatureCollection"')
        single = data["type"] == "Feature"
        feats = [data] if single else data.get("features")
        if not isinstance(feats, list):
            raise ParseError("features is not an array", pointer="/features", expected="an array")
        entities: list[Any] = []
        for f in feats:
            if isinstance(f, dict) and isinstance(f.get("properties"), dict):
                entities.append({"id": f.get("id"), **f["properties"]})
            else:
                entities.append(f)
        reader = Reader(report, **reader_options(options))
        graph = reader.read_document(entities[0] if single and entities else entities)
        extra = {k: v for k, v in data.items() if k not in ("type", "features")}
        if not single and extra:
            graph.meta["geojson:collection"] = extra
        return graph

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        geom_term = options.get("geometry_property", "location")
        simplified = bool(options.get("simplified"))
        if simplified:
            from ..base import check_capabilities
            namer = self.namer(graph, **options)
            check_capabilities(graph, KeyValuesAdapter.capabilities, report, "simplified GeoJSON", namer)
            rows = _write_kv(Graph(graph.nodes, graph.context), report, options)
        else:
            rows = Writer(report, **writer_options(options)).document(Graph(graph.nodes, graph.context))
        feats = []
        for node, row in zip(graph.nodes, rows, strict=True):
            ctx = Writer(report, **writer_options(options)).context_for(node, graph)[0]
            geo = node.first(ctx.expand(geom_term))
            props = {k: v for k, v in row.items() if k != "id"}
            feats.append({"id": node.id, "type": "Feature",
                          "geometry": geo.value if geo is not None and geo.kind is Kind.GEO else None,
                          "properties": props})
        if graph.meta.get("ngsi-ld:single") and len(feats) == 1:
            return feats[0]
        return {"type": "FeatureCollection", "features": feats, **graph.meta.get("geojson:collection", {})}


_ = (ALL_META, VALUE_KEY)
