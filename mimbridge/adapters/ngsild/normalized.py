"""NGSI-LD normalized and concise representations (ETSI GS CIM 009, 1.3-1.9).

Reading accepts both representations (normalized is a special case of
concise): an entity, an array of entities, or a notification
(``{"type": "Notification", "data": [...]}``). Attribute and type names are
expanded with the entity's ``@context`` (offline, see
:mod:`mimbridge.contexts`); values stay JSON. Old spellings are normalised
(``VocabularyProperty`` -> ``VocabProperty``) and reported as ``Coerced``.

Writing compacts names with the entity's own ``@context`` (or ``out_context``)
and re-emits what the model carries in ``meta``, so that
``ngsi-ld -> ngsi-ld`` and ``ngsi-ld -> ngsi-ld-concise -> ngsi-ld`` are
JSON-equal to the input.

>>> import mimbridge
>>> e = {"id": "urn:ngsi-ld:Room:1", "type": "Room", "temperature": {"type": "Property", "value": 21}}
>>> mimbridge.convert(e, source="ngsi-ld", target="ngsi-ld-concise").output
{'id': 'urn:ngsi-ld:Room:1', 'type': 'Room', 'temperature': 21}
"""

from __future__ import annotations

from typing import Any

from ...contexts.active import ActiveContext
from ...contexts.core import DEFAULT_CORE_VERSION, core_context_url
from ...contexts.loader import ContextLoader, context_option
from ...errors import ParseError, ResolutionError
from ...minting.readers import normal_id
from ...model import Attr, Graph, Kind, Node
from ...report import Coerced, ConversionReport, Dropped, Invalid, Rejected, Unresolved
from ..validity import DATETIME_RULE, datetime_problem, geometry_problem
from .vocab import (
    ARRAY_MARK,
    CHECKED,
    DATASET_ID,
    ENTITY_KEYS,
    GEO,
    KEY_KIND,
    KIND_NAME,
    KV_EXTRAS,
    MEMBER_CODE,
    META,
    META_GET,
    META_MEMBERS,
    META_NAMES,
    NAME_MARK,
    NGSI_LD_EXTRAS,
    NO_META,
    OBSERVED_AT,
    OLD_TYPES,
    PROPERTY,
    RAW,
    RAW_MEMBERS,
    RELATIONSHIP,
    SCOPE,
    TYPES,
    UNIT_CODE,
    URI_META,
    URI_RE,
    VALUE_KEY,
    VALUE_KEYS,
    VALUE_MEMBER,
    VOCAB,
    by_member,
    esc_name,
    is_geometry,
    is_language_tag,
    not_string,
)

__all__ = ["KV_EXTRAS", "NGSI_LD_EXTRAS", "Reader", "Writer", "reader_options",
           "writer_options"]


_TIME_KEYS = frozenset({"createdAt", "modifiedAt", "deletedAt"})


def _scope(val: Any, ptr: str) -> Any:
    """A scope is a string or an array of strings (NGSI-LD); anything else is a ParseError at ``ptr``."""
    if val.__class__ is str or (isinstance(val, list) and all(x.__class__ is str for x in val)):
        return val
    raise ParseError("scope is not a string or an array of strings", pointer=ptr, expected="a scope such as '/a/b'")


class Reader:
    """Parses NGSI-LD JSON (normalized or concise) into the model.

    ``temporal=True`` allows several default instances (temporal evolution).
    """

    def __init__(self, report: ConversionReport, *, context: Any = None, contexts: Any = None,
                 allow_remote: Any = (), timeout: float = 10.0, fetch: Any = None,
                 core_version: str = DEFAULT_CORE_VERSION, temporal: bool = False, loader: Any = None) -> None:
        self.report = report
        self.loader = loader or ContextLoader(documents=contexts, allow=allow_remote, timeout=timeout, fetch=fetch)
        self.context = context_option(context)
        self.core_version = core_version
        self.temporal = temporal
        self._reported: set[str] = set()
        self._cur_ptr = self._cur_key = ""  # entity pointer and attribute name being read
        #: top_attribute is not overridden: an entity-level attribute object is read as one instance directly
        self._plain_top = type(self).top_attribute is Reader.top_attribute
        #: (last @context object, its ActiveContext), kept only during read_document: entities of one document
        #: usually share their @context object, which then skips ActiveContext.get (keyed on the value)
        self._memo: tuple[Any, Any] | None = None
        self._memo_ok = type(self).active is Reader.active

    # -- documents -----------------------------------------------------
    def read_document(self, data: Any) -> Graph:
        """Read an entity, an array of entities or a notification into a Graph."""
        if self._memo_ok:
            self._memo = (self, None)  # the reader is no @context object: nothing memoised yet
        try:
            return self._read_document(data)
        finally:
            self._memo = None

    def _read_document(self, data: Any) -> Graph:
        graph = Graph(context=self.context)
        prefix = ""
        items: Any = data
        if isinstance(data, dict) and data.get("type") == "Notification" and "data" in data:
            graph.meta["ngsi-ld:notification"] = {k: v for k, v in data.items() if k != "data"}
            items, prefix = data["data"], "/data"
            if not isinstance(items, list):
                raise ParseError("notification data is not an array", pointer="/data", expected="an array")
        if isinstance(items, dict):
            graph.meta["ngsi-ld:single"] = True
            self.report.records_in += 1
            graph.nodes.append(self.entity(items, prefix))
            return graph
        if not isinstance(items, list):
            raise ParseError(f"expected an entity or an array of entities, got {type(items).__name__}",
                             pointer=prefix, expected="a JSON object or array")
        report, entity, append = self.report, self.entity, graph.nodes.append
        for i, item in enumerate(items):
            report.records_in += 1
            try:
                append(entity(item, f"{prefix}/{i}"))
            except ParseError as exc:
                self.report.add(Rejected, exc.pointer, f"invalid entity skipped: {exc.message}",
                                remedy=f"fix the entity (expected {exc.expected})" if exc.expected else "")
        return graph

    def active(self, ctx: Any, ptr: str) -> ActiveContext:
        try:
            actx = ActiveContext.get(ctx, loader=self.loader, core_version=self.core_version)
        except ResolutionError as exc:
            if not str(exc).startswith("invalid @context"):
                raise
            raise ParseError(str(exc).splitlines()[0][:300], pointer=f"{ptr}/@context",
                             expected="a valid JSON-LD @context") from None
        for url in actx.unresolved:
            if url not in self._reported:
                self._reported.add(url)
                self.report.add(Unresolved, f"{ptr}/@context", f"context {url} was not resolved offline; "
                                "its terms expand through the NGSI-LD default vocabulary",
                                remedy="pass contexts={url: local file} or allow_remote=[url prefix]")
        return actx

    # -- entities ------------------------------------------------------
    def entity(self, e: Any, ptr: str) -> Node:
        """Read one entity; raises ParseError with a pointer relative to the document."""
        if e.__class__ is not dict and not isinstance(e, dict):
            raise ParseError(f"entity must be a JSON object, got {type(e).__name__}", pointer=ptr,
                             expected="a JSON object")
        has_id = "id" in e
        if (has_id and "@id" in e) or ("type" in e and "@type" in e):
            twice = "id" if has_id and "@id" in e else "type"
            raise ParseError(f"entity has both {twice!r} and '@{twice}'", pointer=f"{ptr}/@{twice}",
                             expected=f"one of {twice!r} or '@{twice}' (the JSON-LD keyword alias)")
        eid = e["id"] if has_id else e.get("@id")
        if not isinstance(eid, str) or not URI_RE.match(eid):
            raise ParseError("entity id missing or not a URI" if eid is None else f"entity id {eid!r} is not a URI",
                             pointer=f"{ptr}/id", expected="an absolute URI such as urn:ngsi-ld:<Type>:<id>")
        if eid[:12] != "urn:ngsi-ld:" or "%" in eid:  # URN normal form (RFC 8141), reported when rewritten
            eid = normal_id(eid, self.report, f"{ptr}/{'id' if has_id else '@id'}", "entity id")
        etype = e["type"] if "type" in e else e.get("@type")
        if etype.__class__ is str and etype:
            types = None
        else:
            types = [etype] if isinstance(etype, str) else etype
            if not types or not isinstance(types, list) or not all(isinstance(t, str) and t for t in types):
                raise ParseError("entity type missing or not a string / array of strings", pointer=f"{ptr}/type",
                                 expected="an entity type name")
        has_ctx = "@context" in e
        src = e["@context"] if has_ctx else self.context
        memo = self._memo
        if memo is not None and memo[0] is src:
            ctx = memo[1]
        else:
            ctx = self.active(src, ptr)
            if memo is not None:
                self._memo = (src, ctx)
        expand = ctx.expand
        node = Node(eid, [expand(etype)] if types is None else [expand(t) for t in types])
        if has_ctx:
            node.meta["@context"] = src
        if isinstance(etype, list):
            node.meta["ngsi-ld:typeArray"] = True
        if not has_id:
            node.meta["ngsi-ld:jsonld-keywords"] = True
        self._cur_ptr = ptr
        plain_top, instance, expanded, attrs = self._plain_top, self.instance, ctx._expand.get, node.attrs
        compact = ctx.compact
        for key, val in e.items():
            if key in ENTITY_KEYS:
                if key in _TIME_KEYS and val.__class__ is not str:
                    raise ParseError(f"{key} is not a string", pointer=f"{ptr}/{key}",
                                     expected="a date-time string")
                if key == "scope":
                    node.scope = _scope(val, f"{ptr}/scope")
                elif key == "createdAt":
                    node.created_at = val
                elif key == "modifiedAt":
                    node.modified_at = val
                elif key == "deletedAt":
                    node.deleted_at = val
                if key[-2:] == "At" and datetime_problem(val) is not None:
                    self.report.add(Invalid, f"{ptr}/{key}", f"{key} is not {DATETIME_RULE}",
                                    remedy="fix the value at the source (it is kept as given)")
                continue
            self._cur_key = key
            try:
                if plain_top and val.__class__ is dict:  # what top_attribute gives, without its two calls
                    val = [instance(val, ctx, "")]
                else:
                    val = self.top_attribute(key, val, ctx, ptr)
                name = expanded(key)
                name = expand(key) if name is None else name
                if name in attrs:
                    self._merge(attrs, name, key, val, e, ptr, ctx)
                else:
                    attrs[name] = val
                    if compact(name) != key:  # a full IRI, or one of two terms: written back as given
                        for a in val:
                            a.meta[NAME_MARK] = key
            except ParseError as exc:
                raise exc.at(f"{ptr}/{esc_name(key)}") from None
        return node

    def _merge(self, attrs: dict[str, list[Attr]], name: str, key: str, val: list[Attr], members: dict,
               ptr: str, ctx: ActiveContext) -> None:
        """Two members expand to one attribute IRI: their instances become instances of one attribute.

        Each instance keeps the member name it came with (``meta["ngsi-ld:name"]``), so writers give the
        names back; two default instances (no datasetId), or one datasetId twice, are an error naming both.
        """
        other = next((k for k in members if k != key and k not in ENTITY_KEYS and ctx.expand(k) == name), key)
        for a in attrs[name]:
            a.meta.setdefault(NAME_MARK, other)
        for a in val:
            a.meta[NAME_MARK] = key
        mine = {a.dataset_id for a in attrs[name]}
        for a in val:
            if a.dataset_id in mine and not self.temporal:
                what = "a default instance (no datasetId)" if a.dataset_id is None else f"datasetId {a.dataset_id!r}"
                raise ParseError(f"members {other!r} and {key!r} expand to the same attribute {name} and both "
                                 f"have {what}", pointer="",
                                 expected=f"different datasetIds (other member at {ptr}/{esc_name(other)})")
        attrs[name] = attrs[name] + val

    def where(self) -> str:
        """Pointer of the entity-level attribute being read (for report events)."""
        return f"{self._cur_ptr}/{esc_name(self._cur_key)}"

    def top_attribute(self, key: str, val: Any, ctx: ActiveContext, eptr: str) -> list[Attr]:
        """Read an entity-level attribute (a hook for representations such as keyValues).

        Raises ParseError with pointers relative to the attribute; ``eptr`` is the entity's pointer.
        """
        out = self.attribute(val, ctx, "")
        if self.temporal and len(out) == 1 and out[0].meta:
            out[0].meta.pop(ARRAY_MARK, None)  # the temporal representation writes every attribute as an array
        return out

    def attribute(self, val: Any, ctx: ActiveContext, ptr: str) -> list[Attr]:
        """Read an attribute (one instance or an array of instances); pointers relative to it."""
        if isinstance(val, list):
            if not val:
                raise ParseError("empty attribute array", pointer=ptr, expected="at least one instance")
            out = []
            for i, v in enumerate(val):
                try:
                    out.append(self.instance(v, ctx, ""))
                except ParseError as exc:
                    raise exc.at(f"{ptr}/{i}") from None
            if len(out) == 1:
                out[0].meta[ARRAY_MARK] = True
            else:
                self._check_instances(out, ptr)
            return out
        return [self.instance(val, ctx, ptr)]

    def _check_instances(self, out: list[Attr], ptr: str) -> None:
        seen: set[Any] = set()
        for i, a in enumerate(out):
            key = a.dataset_id
            if key in seen and not self.temporal:
                what = "two default instances (no datasetId)" if key is None else f"datasetId {key!r} twice"
                raise ParseError(f"multi-attribute has {what}", pointer=f"{ptr}/{i}",
                                 expected="at most one instance per datasetId")
            seen.add(key)

    def instance(self, v: Any, ctx: ActiveContext, ptr: str) -> Attr:
        """Read one attribute instance (normalized or concise)."""
        if v.__class__ is not dict and not isinstance(v, dict):
            if isinstance(v, list):
                raise ParseError("nested array is not an attribute", pointer=ptr,
                                 expected="an attribute object or a value")
            return Attr(PROPERTY, v)
        t = v.get("type")
        km = TYPES.get(t) if t.__class__ is str else None
        if km is not None:
            kind, member = km
        elif t is None:
            kind, member = self._infer(v, ptr)
        elif isinstance(t, str) and t in OLD_TYPES:
            kind, member = TYPES[OLD_TYPES[t]]
            self.report.add(Coerced, self.where, f"{t} read as {OLD_TYPES[t]} (NGSI-LD 1.8 spelling)")
        elif is_geometry(v):
            return Attr(Kind.GEO, v)
        else:
            raise ParseError(f"unknown attribute type {t!r}", pointer=f"{ptr}/type",
                             expected="one of " + ", ".join(TYPES))
        if member not in v:
            other = next((k for k in VALUE_KEYS if k in v), None)
            msg = f"{t or kind.value} has no {member!r} member" + (f" but {other!r}" if other else "")
            raise ParseError(msg, pointer=ptr, expected=f"a {member!r} member")
        val = v[member]
        a = Attr(kind, self._value(kind, val, ctx, ptr, member) if kind in CHECKED else val)
        if len(v) == (1 if t is None else 2):
            return a
        for key, val in v.items():
            if key == member or key == "type":
                continue
            code = MEMBER_CODE.get(key)
            if code is None:  # a nested attribute
                try:
                    val = [self.instance(val, ctx, "")] if val.__class__ is dict else self.attribute(val, ctx, "")
                    name = ctx._expand.get(key)
                    name = ctx.expand(key) if name is None else name
                    if name in a.attrs:
                        self._merge(a.attrs, name, key, val, v, ptr, ctx)
                    else:
                        a.attrs[name] = val
                        if ctx.compact(name) != key:
                            for x in val:
                                x.meta[NAME_MARK] = key
                except ParseError as exc:
                    raise exc.at(f"{ptr}/{esc_name(key)}") from None
            elif code == OBSERVED_AT:
                if val.__class__ is not str:
                    raise not_string(key, ptr)
                if datetime_problem(val) is not None:
                    self.invalid(ptr, key)
                a.observed_at = val
            elif code == UNIT_CODE:
                if val.__class__ is not str:
                    raise not_string(key, ptr)
                a.unit_code = val
            elif code == VALUE_MEMBER:  # another kind's value member
                raise ParseError(f"{kind.value} has a {key!r} member", pointer=f"{ptr}/{key}",
                                 expected=f"only {member!r} as value member")
            elif code == DATASET_ID:
                if val.__class__ is not str:
                    raise not_string(key, ptr)
                if not URI_RE.match(val):
                    raise ParseError(f"{key} {val!r} is not a URI", pointer=f"{ptr}/{key}", expected="a URI")
                a.dataset_id = self.urn(val, ptr, key, "datasetId")
            elif code == RAW:
                a.meta[key] = val
            elif code == META:
                if val.__class__ is not str:
                    raise not_string(key, ptr)
                field = META_MEMBERS[key]
                if field in URI_META:
                    if not URI_RE.match(val):
                        raise ParseError(f"{key} {val!r} is not a URI", pointer=f"{ptr}/{key}", expected="a URI")
                    val = self.urn(val, ptr, key, key)
                elif datetime_problem(val) is not None:
                    self.invalid(ptr, key)
                setattr(a, field, val)
            elif code == SCOPE:
                a.scope = _scope(val, f"{ptr}/{key}")
        return a

    def urn(self, val: str, ptr: str, member: str, what: str) -> str:
        """``val`` in URN normal form; a rewrite is reported at ``member`` (``ptr``: relative to the attribute)."""
        if val[:12] == "urn:ngsi-ld:" and "%" not in val:
            return val
        return normal_id(val, self.report, lambda: f"{self.where()}{ptr}/{member}", what)

    def _list_object(self, o: Any, ptr: str) -> Any:
        uri = str(o.get("object") if isinstance(o, dict) else o)
        out = normal_id(uri, self.report, lambda: f"{self.where()}{ptr}", "objectList item")
        return o if out == uri else ({**o, "object": out} if isinstance(o, dict) else out)

    def invalid(self, ptr: str, member: str, rule: str = DATETIME_RULE) -> None:
        """Report a member whose value breaks ``rule`` (kept as given); ``ptr`` is relative to the attribute."""
        self.report.add(Invalid, lambda: f"{self.where()}{ptr}/{member}", f"{member} is not {rule}",
                        remedy="fix the value at the source (it is kept as given)")

    def _infer(self, v: dict, ptr: str) -> tuple[Kind, str]:
        for member, kind in KEY_KIND:
            if member in v:
                if kind is Kind.PROPERTY and is_geometry(v["value"]):
                    return Kind.GEO, "value"
                return kind, member
        raise ParseError("attribute has no 'type' and no value member", pointer=ptr,
                         expected="a 'type' or one of " + ", ".join(sorted(VALUE_KEYS)))

    def _value(self, kind: Kind, val: Any, ctx: ActiveContext, ptr: str, member: str) -> Any:
        if kind is RELATIONSHIP and val.__class__ is str and URI_RE.match(val):
            return val if val[:12] == "urn:ngsi-ld:" and "%" not in val else self.urn(
                val, ptr, member, "relationship object")
        if kind is GEO and val.__class__ is dict:
            rule = geometry_problem(val)
            if rule is not None:
                self.invalid(ptr, member, rule)
            return val
        ptr = f"{ptr}/{member}"
        if kind is Kind.RELATIONSHIP:
            objs = val if isinstance(val, list) else [val]
            for i, o in enumerate(objs):
                if not isinstance(o, str) or not URI_RE.match(o):
                    raise ParseError(f"relationship object {o!r} is not a URI",
                                     pointer=ptr + (f"/{i}" if isinstance(val, list) else ""), expected="a URI")
            return [self.urn(o, ptr, str(i), "relationship object") for i, o in enumerate(objs)]
        if kind is Kind.LIST_RELATIONSHIP:
            if not isinstance(val, list):
                raise ParseError("objectList is not an array", pointer=ptr, expected="an array of URIs")
            for i, o in enumerate(val):
                o2 = o.get("object") if isinstance(o, dict) else o
                if not isinstance(o2, str) or not URI_RE.match(o2):
                    raise ParseError(f"objectList item {o!r} is not a URI", pointer=f"{ptr}/{i}", expected="a URI")
            return [self._list_object(o, f"{ptr}/{i}") for i, o in enumerate(val)]
        if kind is Kind.LANGUAGE:
            if not isinstance(val, dict):
                raise ParseError("languageMap is not an object", pointer=ptr,
                                 expected="an object of language tag -> string")
            for tag in val:
                if not is_language_tag(tag):
                    raise ParseError(f"{tag!r} is not a language tag", pointer=f"{ptr}/{esc_name(tag)}",
                                     expected="a BCP 47 language tag such as 'en' or 'de-CH', or '@none'")
            return val
        if kind is Kind.VOCAB:
            if isinstance(val, str):
                return ctx.expand(val)
            if isinstance(val, list) and all(isinstance(x, str) for x in val):
                return [ctx.expand(x) for x in val]
            raise ParseError("vocab is not a term or an array of terms", pointer=ptr, expected="a string")
        if kind is Kind.LIST and not isinstance(val, list):
            raise ParseError("valueList is not an array", pointer=ptr, expected="an array")
        if kind is Kind.GEO and val is not None and not isinstance(val, (dict, str)):
            raise ParseError("GeoProperty value is not a GeoJSON geometry", pointer=ptr,
                             expected="a GeoJSON geometry object")
        return val


class Writer:
    """Writes the model as NGSI-LD normalized or concise JSON."""

    def __init__(self, report: ConversionReport, *, concise: bool = False, out_context: Any = None,
                 emit_context: bool | None = None, loader: Any = None, contexts: Any = None,
                 allow_remote: Any = (), core_version: str = DEFAULT_CORE_VERSION, **_: Any) -> None:
        self.report = report
        self.concise = concise
        self.out_context = context_option(out_context)
        self.emit_context = emit_context
        self.always_array = False  # temporal representation: every entity-level attribute as an array
        self.loader = loader or ContextLoader(documents=contexts, allow=allow_remote)
        self.core_version = core_version

    def context_for(self, node: Node, graph: Graph) -> tuple[ActiveContext, Any, bool]:
        """(active context, @context value to emit, whether to emit it) for one node."""
        if self.out_context is not None:
            ctx = self.out_context or None
            emit = self.emit_context if self.emit_context is not None else bool(ctx)
        else:
            has = "@context" in node.meta
            ctx = node.meta["@context"] if has else graph.context
            emit = self.emit_context if self.emit_context is not None else has
        actx = ActiveContext.get(ctx, loader=self.loader, core_version=self.core_version)
        if emit and ctx is None:
            return actx, core_context_url(self.core_version), True
        return actx, ctx, emit

    def document(self, graph: Graph) -> Any:
        """The whole output document (entity, array or notification)."""
        out = [self.entity(n, graph) for n in graph.nodes]
        self.report.records_out += len(out)
        note = graph.meta.get("ngsi-ld:notification")
        if note is not None:
            return {**note, "data": out}
        if graph.meta.get("ngsi-ld:single") and len(out) == 1:
            return out[0]
        return out

    def entity(self, node: Node, graph: Graph) -> dict[str, Any]:
        ctx, ctx_value, emit = self.context_for(node, graph)
        kw = node.meta.get("ngsi-ld:jsonld-keywords")
        e: dict[str, Any] = {"@id" if kw else "id": node.id}
        types = [ctx.compact(t) for t in node.types]
        e["@type" if kw else "type"] = types if (len(types) > 1 or node.meta.get("ngsi-ld:typeArray")) else types[0]
        if node.scope is not None:
            e["scope"] = node.scope
        for f, member in (("created_at", "createdAt"), ("modified_at", "modifiedAt"), ("deleted_at", "deletedAt")):
            val = getattr(node, f)
            if val is not None:
                e[member] = val
        for name, instances in node.attrs.items():
            if instances[0].meta and NAME_MARK in instances[0].meta:
                for member, group in by_member(instances, ctx.compact(name)).items():
                    e[member] = self.attribute(group, ctx)
            else:
                e[ctx.compact(name)] = self.attribute(instances, ctx)
        if emit and ctx_value is not None:
            e["@context"] = ctx_value
        return e

    def attribute(self, instances: list[Attr], ctx: ActiveContext, *, top: bool = True) -> Any:
        if len(instances) == 1 and not instances[0].meta.get(ARRAY_MARK) and not (top and self.always_array):
            return self.instance(instances[0], ctx)
        return [self.instance(a, ctx) for a in instances]

    def instance(self, a: Attr, ctx: ActiveContext) -> Any:
        kind = a.kind
        value = a.value
        if kind is VOCAB:
            value = [ctx.compact(x) for x in value] if isinstance(value, list) else ctx.compact(value)
        if self.concise:
            return self._concise(a, kind, value, ctx)
        d = {"type": KIND_NAME[kind], VALUE_KEY[kind]: value}
        vals = META_GET(a)
        if vals != NO_META:
            for member, val in zip(META_NAMES, vals, strict=True):
                if val is not None:
                    d[member] = val
        if a.meta:
            self._meta(a, d)
        if a.attrs:
            compact = ctx.compact
            for name, instances in a.attrs.items():
                if instances[0].meta and NAME_MARK in instances[0].meta:
                    for member, group in by_member(instances, compact(name)).items():
                        d[member] = self.attribute(group, ctx, top=False)
                else:
                    d[compact(name)] = self.attribute(instances, ctx, top=False)
        return d

    def _meta(self, a: Attr, d: dict[str, Any]) -> bool:
        """Copy the extra NGSI-LD members of ``a.meta`` into ``d``; True if any."""
        wrote = False
        for k, val in a.meta.items():
            if k in RAW_MEMBERS:
                d[k] = val
                wrote = True
            elif k == "ngsi-ld:aggregation":
                self.report.add(Dropped, f"/{a.instance_id or ''}", "aggregation method and period are not "
                                "carried by this representation", remedy="keep the aggregated temporal form")
        return wrote

    def _concise(self, a: Attr, kind: Kind, value: Any, ctx: ActiveContext) -> Any:
        bare = not a.attrs
        d: dict[str, Any] = {}
        if kind is PROPERTY and value.__class__ is dict and is_geometry(value):
            d["type"] = "Property"  # would be read back as a GeoProperty otherwise
            bare = False
        d[VALUE_KEY[kind]] = value
        vals = META_GET(a)
        if vals != NO_META:
            bare = False
            for member, val in zip(META_NAMES, vals, strict=True):
                if val is not None:
                    d[member] = val
        if a.meta and self._meta(a, d):
            bare = False
        for name, instances in a.attrs.items():
            if instances[0].meta and NAME_MARK in instances[0].meta:
                for member, group in by_member(instances, ctx.compact(name)).items():
                    d[member] = self.attribute(group, ctx, top=False)
            else:
                d[ctx.compact(name)] = self.attribute(instances, ctx, top=False)
        if bare and kind is PROPERTY and not isinstance(value, (dict, list)) and len(d) == 1:
            return value
        return d


READER_KEYS = ("context", "contexts", "allow_remote", "timeout", "fetch", "core_version", "loader")
WRITER_KEYS = ("out_context", "emit_context", "contexts", "allow_remote", "core_version", "loader")


def reader_options(options: dict[str, Any]) -> dict[str, Any]:
    return {k: options[k] for k in READER_KEYS if k in options}


def writer_options(options: dict[str, Any]) -> dict[str, Any]:
    return {k: options[k] for k in WRITER_KEYS if k in options}
