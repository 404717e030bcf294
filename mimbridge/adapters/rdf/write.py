"""The ``ngsi-ld`` RDF profile writer: model -> N-Triples, straight from the model.

Each attribute instance is a node (skolem IRI, or blank with ``blank_nodes=True``)
with the triples NGSI-LD's JSON-LD semantics define; common shapes (string and
number values, GeoJSON geometries as the core context expands them,
``observedAt``/``unitCode``) are written directly, anything else goes through
:class:`~mimbridge.adapters.rdf.Emitter`'s JSON-LD expansion. ``mb:json``
annotations carry what those triples cannot give back (``docs/rdf.md``).

>>> from mimbridge.model import Attr, Graph, Kind, Node
>>> from mimbridge.report import ConversionReport
>>> g = Graph([Node("urn:x:1", ["https://ex.org/T"], {"https://ex.org/a": [Attr(Kind.PROPERTY, 12.0)]})],
...           meta={"ngsi-ld:single": True})
>>> lines = Writer(ConversionReport(), blank_nodes=True).document(g).splitlines()
>>> print(lines[3])
_:b0 <https://uri.etsi.org/ngsi-ld/hasValue> "12"^^<http://www.w3.org/2001/XMLSchema#integer> .
>>> print(lines[4].split(" ", 2)[2])  # 12.0 is not 12: an mb:json annotation keeps it
"{\\"value\\":12.0}"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON> .
"""

from __future__ import annotations

import hashlib
import math
from operator import attrgetter
from typing import Any

from ...contexts.active import ActiveContext
from ...contexts.core import DEFAULT_CORE_VERSION
from ...contexts.loader import ContextLoader
from ...gcpause import no_gc
from ...model import Attr, Graph, Kind, Node
from ...report import Coerced, ConversionReport, Dropped
from ..ngsild.vocab import ARRAY_MARK, RAW_MEMBERS, VALUE_KEY
from .emit import Emitter, TermContext
from .terms import (
    IRI_BAD,
    LIT_ESC,
    MB_DOCUMENT,
    META_TERMS,
    NT_INTEGER,
    NT_MB_JSON,
    NT_TYPE,
    SKOLEM_BASE,
    Fallback,
    esc_lit,
    exact_value,
    json_literal,
    mb_json,
    nt_iri,
)

__all__ = ["Writer"]

_META_GET = attrgetter(*(f for f, _ in META_TERMS))
_NO_META = (None,) * len(META_TERMS)
#: the fields an instance in the common shape (:meth:`Writer._simple`) does not have
_REST_GET = attrgetter("dataset_id", "instance_id", "created_at", "modified_at", "deleted_at", "expires_at", "scope")
_NO_REST = (None,) * 7
_RELATIONSHIP = Kind.RELATIONSHIP
#: entries a memo kept from one document of a stream to the next may hold
_MEMO_MAX = 1 << 16


class Writer:
    """NGSI-LD profile writer: model -> N-Triples text.

    ``blank_nodes``: attribute nodes as blank nodes (default: skolem IRIs under
    ``skolem_base``); ``roundtrip``: add the ``mb:json`` annotations that make
    the way back lossless (False gives exactly the JSON-LD triples, losses reported).
    """

    def __init__(self, report: ConversionReport, *, blank_nodes: bool = False, skolem_base: str = SKOLEM_BASE,
                 roundtrip: bool = True, contexts: Any = None, allow_remote: Any = (), loader: Any = None,
                 core_version: str = DEFAULT_CORE_VERSION, **_: Any) -> None:
        self.report = report
        self.blank = blank_nodes
        self.skolem_base = nt_iri(skolem_base)[1:-1]
        self.roundtrip = roundtrip
        self.loader = loader or ContextLoader(documents=contexts, allow=allow_remote)
        self.core_version = core_version
        self.em = Emitter(self.loader, core_version)
        self.lines = self.em.lines
        self._ptr = ""
        self._iris: dict[str, str] = {}
        self._hashes: dict[str, str] = {}
        self._meta_json: dict[Any, str] = {}

    # -- documents -------------------------------------------------------
    def restart(self, report: ConversionReport) -> None:
        """Ready for the next document of a stream (:mod:`.session`): memos kept (bounded), numbering goes on."""
        self.report = report
        self._ptr = ""
        self.em.restart()
        for memo in (self._iris, self._hashes, self._meta_json):
            if len(memo) >= _MEMO_MAX:
                memo.clear()

    def document(self, graph: Graph) -> str:
        """The N-Triples text of the whole graph."""
        single = bool(graph.meta.get("ngsi-ld:single"))
        n = len(graph.nodes)
        entity = self.entity
        with no_gc():
            for i, node in enumerate(graph.nodes):
                self._ptr = "" if single and n == 1 else f"/{i}"
                entity(node, graph)
        self.report.records_out += n
        meta = dict(graph.meta)
        if meta.get("ngsi-ld:single") and n == 1:
            del meta["ngsi-ld:single"]
        elif n == 1:
            meta["ngsi-ld:single"] = False
        if graph.context is not None or meta:
            if self.roundtrip:
                doc: dict[str, Any] = {"meta": meta}
                if graph.context is not None:
                    doc["context"] = graph.context
                d = self.em.bnode() if self.blank else f"<{self.skolem_base}document>"
                self.lines.append(f"{d} {NT_TYPE} {nt_iri(MB_DOCUMENT)} .\n")
                self.lines.append(f"{d} {NT_MB_JSON} {mb_json(doc)} .\n")
            else:
                self.report.add(Dropped, "", "document shape (single entity or array, notification envelope, "
                                "default @context) is not carried without roundtrip annotations",
                                remedy="keep roundtrip=True (the default)")
        for msg in self.em.invalid:
            self.report.add(Dropped, self._ptr, f"value is not valid JSON-LD and has no RDF triples: {msg}",
                            remedy="keep roundtrip=True to carry it as an mb:json literal")
        return "".join(self.lines)

    def actx(self, node: Node, graph: Graph) -> ActiveContext:
        ctx = node.meta["@context"] if "@context" in node.meta else graph.context
        return ActiveContext.get(ctx, loader=self.loader, core_version=self.core_version)

    def iri(self, name: str) -> str:
        hit = self._iris.get(name)
        if hit is None:
            hit = self._iris[name] = nt_iri(name)
        return hit

    def short(self, text: str) -> str:
        hit = self._hashes.get(text)
        if hit is None:
            hit = self._hashes[text] = hashlib.blake2b(text.encode(), digest_size=4).hexdigest()
        return hit

    def entity(self, node: Node, graph: Graph) -> None:
        c = self.em.ctx(self.actx(node, graph))
        out = self.lines
        meta = node.meta
        blank = bool(meta) and bool(meta.get("rdf:blank"))
        s = self.em.label(node.id) if blank else nt_iri(node.id)
        if not (meta and meta.get("rdf:untyped")):
            iri = self.iri
            for t in node.types:
                out.append(f"{s} {NT_TYPE} {iri(t)} .\n")
        extra: dict[str, Any] = {}
        if len(node.types) > 1 and not (meta and meta.get("rdf:plain")):
            extra["types"] = node.types
        if node.scope is not None:
            p, td = c.member("scope")
            self.em.value(s, p, node.scope, td, c)
            if node.scope.__class__ is not str:
                extra["scope"] = node.scope
        if node.created_at is not None or node.modified_at is not None or node.deleted_at is not None:
            for field, term in (("created_at", "createdAt"), ("modified_at", "modifiedAt"),
                                ("deleted_at", "deletedAt")):
                v = getattr(node, field)
                if v is not None:
                    p, td = c.member(term)
                    self.em.value(s, p, v, td, c)
        if self.blank:
            key = ""
        else:
            key = self.skolem_base + hashlib.blake2b(node.id.encode(), digest_size=9).hexdigest()
        for name, instances in node.attrs.items():
            self.attribute(s, key, name, instances, c, (self._ptr, name, len(instances) > 1))
        if meta:
            kept = {k: v for k, v in meta.items() if not k.startswith("rdf:")}
            if kept:
                extra["meta"] = kept
        if extra:
            if len(extra) == 1 and len(extra.get("meta", ())) == 1 and "@context" in extra["meta"]:
                ctx = extra["meta"]["@context"]
                ck = ctx if ctx.__class__ is str else (tuple(ctx) if ctx.__class__ is list and all(
                    x.__class__ is str for x in ctx) else None)
                if ck is not None:
                    lit = self._meta_json.get(ck)
                    if lit is None:
                        lit = self._meta_json[ck] = mb_json(extra)
                    if self.roundtrip:
                        out.append(f"{s} {NT_MB_JSON} {lit} .\n")
                        return
            self._extra(s, extra, (self._ptr, "", False))

    def attribute(self, s: str, key: str, name: str, instances: list[Attr], c: TermContext, where: tuple) -> None:
        """Every instance of one attribute of subject ``s`` (``key``: skolem IRI prefix of ``s``)."""
        info = c.names.get(name)
        if info is None:
            info = c.names[name] = (self.iri(name), f"-{self.short(name)}-", c.special_term(name))
        p, short, special = info
        if "%" in p and IRI_BAD.search(name) is not None:
            # at the name, and at the name it is read back as
            back = (where[0], p[1:-1], where[2]) if len(where) == 3 else where
            for at in (where, back):
                self.report.add(Coerced, self._path(at), "attribute IRI has characters an IRI "
                                "cannot hold (spaces, quotes...): written percent-encoded, and read back so",
                                remedy="map the name to an IRI in the @context")
        if special:
            self.report.add(Coerced, lambda: self._path(where), "the context defines this attribute's term "
                            "with @type @json or a @container: written as an attribute node, not as JSON-LD "
                            "would",
                            remedy="rename the attribute or drop the coercion from the context")
        if len(instances) == 1 and self._simple(s, key, p, short, instances[0], c, where):
            return
        many = len(instances) > 1
        prefix = key + short if key else ""
        instance = self.instance
        for i, a in enumerate(instances):
            meta = a.meta
            if meta and meta.get("rdf:direct"):
                self.direct(s, p, a, c)
                continue
            if key:
                disc = a.dataset_id or a.instance_id
                o = f"{prefix}{i}-{self.short(disc)}" if disc else f"{prefix}{i}"
                node = f"<{o}>"
            else:
                o = ""
                node = self.em.bnode()
            instance(node, o, a, c, i if (many or (meta and ARRAY_MARK in meta)) else None, (where, i),
                     f"{s} {p} {node} .\n")

    def _simple(self, s: str, key: str, p: str, short: str, a: Attr, c: TermContext, where: tuple) -> bool:
        """Write a lone instance in the common shapes in one go (what :meth:`instance` writes); False if not."""
        if a.meta or not c.meta_fast or _REST_GET(a) != _NO_REST:
            return False
        kind = a.kind
        kline, vp, plain = c.kinds[kind]
        v = a.value
        vc = v.__class__
        exact = True
        geo = ""
        if plain:
            if vc is str:
                lit = f'"{esc_lit(v) if LIT_ESC.search(v) else v}" .\n'
            elif vc is float:
                hit = self.em.doubles.get(v)
                if hit is None:
                    if not math.isfinite(v) or v.is_integer():
                        return False
                    hit = self.em.double(v)
                _, lit, exact = hit
            elif vc is int and abs(v) < 1e21:
                lit = f'"{v}"^^{NT_INTEGER} .\n'
            elif vc is dict and len(v) == 2 and v.get("type").__class__ is str and v["type"] in c.geo \
                    and "coordinates" in v \
                    and v["coordinates"].__class__ is list:
                lit = ""
                geo = c.geo[v["type"]]
            else:
                return False
        elif kind is _RELATIONSHIP and vc is str and c.rel_fast:
            hit = c.rels.get(v)  # type: ignore[assignment]
            if hit is None:
                iri = c.id_iri(v)
                if iri is None or iri.startswith("_:"):
                    return False
                hit = c.rels[v] = (f"{nt_iri(iri)} .\n", iri == v)  # type: ignore[assignment]
            lit, exact = hit  # type: ignore[misc]
        else:
            return False
        obs, unit = a.observed_at, a.unit_code
        if not (obs is None or obs.__class__ is str) or not (unit is None or unit.__class__ is str):
            return False
        if key:
            o = f"{key}{short}0"
            node = f"<{o}>"
        else:
            o = ""
            node = self.em.bnode()
        out = self.lines
        if lit:
            out.append(f"{s} {p} {node} .\n{node}{kline}{node} {vp} {lit}")
        else:
            out.append(f"{s} {p} {node} .\n{node}{kline}")
            try:
                exact = self.em.geometry(node, vp, v, geo)
            except Fallback:
                exact = self._value(node, vp, kind, v, c)
        if obs is not None:
            out.append(node + c.obs_line(obs))
        if unit is not None:
            out.append(node + c.unit_line(unit))
        if a.attrs:
            w = (where, 0)
            for name, instances in a.attrs.items():
                self.attribute(node, o, name, instances, c, (w, name, len(instances) > 1))
        if not exact:
            self._extra(node, {"value": v}, (where, 0))
        return True

    def _path(self, where: tuple) -> str:
        """JSON pointer of an instance from its nested ``(parent, i)`` / ``(ptr, name, many)`` tuples."""
        if len(where) == 3:
            ptr, name, _many = where
            if ptr.__class__ is tuple:  # a nested attribute: its parent instance's path first
                ptr = self._path(ptr)
            return ptr if not name else f"{ptr}/{name.replace('~', '~0').replace('/', '~1')}"
        (parent, i) = where
        head = self._path(parent)
        many = parent[2] if len(parent) == 3 else False
        return f"{head}/{i}" if many else head

    def _extra(self, s: str, extra: dict[str, Any], where: tuple) -> None:
        if self.roundtrip:
            self.lines.append(f"{s} {NT_MB_JSON} {mb_json(extra)} .\n")
            return
        for key in sorted(extra):
            what = {"value": "value not given back exactly by its JSON-LD triples", "index": "instance order",
                    "types": "order of entity types", "fields": "a datasetId or scope not given back exactly",
                    "scope": "an entity scope that is not one string",
                    "meta": "NGSI-LD members kept for the round trip (@context, previousValue...)"}.get(key, key)
            self.report.add(Coerced, lambda: self._path(where), f"{what} is not carried without roundtrip "
                            "annotations", remedy="keep roundtrip=True (the default)")

    def instance(self, s: str, key: str, a: Attr, c: TermContext, index: int | None, where: tuple,
                 link: str = "") -> None:
        """The triples of one attribute instance with subject ``s`` (after ``link``, the line that points to it)."""
        out = self.lines
        kind = a.kind
        v = a.value
        vc = v.__class__
        kline, p, plain = c.kinds[kind]
        exact = True
        if plain:
            if vc is str:
                out.append(f'{link}{s}{kline}{s} {p} "{esc_lit(v) if LIT_ESC.search(v) else v}" .\n')
            elif vc is float and ((hit := self.em.doubles.get(v)) is not None
                                  or (math.isfinite(v) and not v.is_integer())):
                if hit is None:
                    hit = self.em.double(v)
                out.append(f"{link}{s}{kline}{s} {p} {hit[1]}")
                exact = hit[2]
            elif vc is int and abs(v) < 1e21:
                out.append(f'{link}{s}{kline}{s} {p} "{v}"^^{NT_INTEGER} .\n')
            elif vc is dict and len(v) == 2 and v.get("type") in c.geo and "coordinates" in v \
                    and v["coordinates"].__class__ is list:
                out.append(link + s + kline)
                try:
                    exact = self.em.geometry(s, p, v, c.geo[v["type"]])
                except Fallback:
                    exact = self._value(s, p, kind, v, c)
            else:
                out.append(link + s + kline)
                exact = self._value(s, p, kind, v, c)
        else:
            out.append(link + s + kline)
            exact = self._value(s, p, kind, v, c)
        extra: dict[str, Any] | None = None
        if not exact:
            extra = {"value": v}
        obs, unit, ds = a.observed_at, a.unit_code, a.dataset_id
        if a.created_at is None and a.modified_at is None and a.deleted_at is None and a.instance_id is None \
                and a.expires_at is None and c.meta_fast:
            if obs is not None and obs.__class__ is str:
                out.append(s + c.obs_line(obs))
                obs = None
            if unit is not None and unit.__class__ is str:
                out.append(s + c.unit_line(unit))
                unit = None
            vals = _NO_META if ds is None and obs is None and unit is None else (ds, obs, unit, *_NO_META[3:])
        else:
            vals = _META_GET(a)
        if vals is not _NO_META:
            for (field, _term), val, (mp, mode, dt) in zip(META_TERMS, vals, c.meta, strict=True):
                if val is None:
                    continue
                if mode == 1 and val.__class__ is str:
                    out.append(f'{s} {mp} "{esc_lit(val)}"^^{dt} .\n')
                elif mode == 0 and val.__class__ is str:
                    out.append(f'{s} {mp} "{esc_lit(val)}" .\n')
                elif mode == 2 and val.__class__ is str:
                    iri = c.id_iri(val)
                    if iri is not None:
                        out.append(f"{s} {mp} {nt_iri(iri)} .\n")
                    if iri != val:
                        extra = extra or {}
                        extra.setdefault("fields", {})[field] = val
                else:
                    self.em.value(s, mp, val, c.member(_term)[1], c)
                    if val.__class__ is not str:
                        extra = extra or {}
                        extra.setdefault("fields", {})[field] = val
        if a.scope is not None:
            mp, mtd = c.member("scope")
            self.em.value(s, mp, a.scope, mtd, c)
            if a.scope.__class__ is not str:
                extra = extra or {}
                extra.setdefault("fields", {})["scope"] = a.scope
        if a.meta:
            for k, val in a.meta.items():
                if k in RAW_MEMBERS:
                    mp, mtd = c.member(k)
                    try:
                        self.em.value(s, mp, val, mtd, c)
                    except Fallback:
                        self.em.fallback(s, k, val, c.actx)
            extra = extra or {}
            extra["meta"] = a.meta
        if index is not None:
            extra = extra or {}
            extra["index"] = index
        if a.attrs:
            for name, instances in a.attrs.items():
                self.attribute(s, key, name, instances, c, (where, name, len(instances) > 1))
        if extra:
            self._extra(s, extra, where)

    def _value(self, s: str, p: str, kind: Kind, v: Any, c: TermContext) -> bool:
        """Emit a value through the JSON-LD rules; True when its triples give it back exactly."""
        exact = exact_value(kind, v)
        member = VALUE_KEY[kind]
        td = c.member(member)[1]
        try:
            if kind is Kind.VOCAB and td.get("@type") != "@vocab":
                v = [c.actx.compact(x) for x in v] if v.__class__ is list else c.actx.compact(v)
            self.em.value(s, p, v, td, c)
        except Fallback:
            self.em.fallback(s, member, v, c.actx)
        if exact and (kind is Kind.RELATIONSHIP or kind is Kind.LIST_RELATIONSHIP):
            exact = self._ids_unchanged(v, c)
        return exact

    def _ids_unchanged(self, v: Any, c: TermContext) -> bool:
        items = v if v.__class__ is list else [v]
        for x in items:
            iri = x["object"] if x.__class__ is dict else x
            if c.id_iri(iri) != iri:
                return False
        return True

    def direct(self, s: str, p: str, a: Attr, c: TermContext) -> None:
        """An attribute read from plain RDF (``s p o``): written back as plain triples."""
        kind, v = a.kind, a.value
        if kind is Kind.RELATIONSHIP:
            for o in (v if v.__class__ is list else [v]):
                self.lines.append(f"{s} {p} {self.em.label(o) if o.startswith('_:') else nt_iri(o)} .\n")
        elif kind is Kind.LIST:
            self.lines.append(f"{s} {p} {self.em.rdf_list(v, {}, c, False)} .\n")
        elif kind is Kind.LANGUAGE:
            self.em.value(s, p, v, {"@container": ["@language"]}, c, lower=False)
        elif kind is Kind.JSON:
            self.lines.append(f"{s} {p} {json_literal(v)} .\n")
        else:
            try:
                self.em.value(s, p, v, {}, c, lower=False)
            except Fallback:
                self.report.add(Dropped, self._ptr, "a value read from RDF could not be written back")
