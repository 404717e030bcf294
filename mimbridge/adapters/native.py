"""``native``: the canonical JSON dump of the internal model.

Stable and diff-friendly (sorted keys, fixed member names, no defaults
written), versioned by :data:`~mimbridge.model.MODEL_VERSION`; golden tests
compare it. Reading it back gives an equal Graph.

>>> from mimbridge.model import Attr, Graph, Kind, Node
>>> g = Graph([Node("urn:x:1", ["https://ex.org/T"], {"https://ex.org/a": [Attr(Kind.PROPERTY, 1)]})])
>>> dump(g)["nodes"][0]["attrs"]
{'https://ex.org/a': [{'kind': 'Property', 'value': 1}]}
>>> load(dump(g)) == g
True
"""

from __future__ import annotations

from typing import Any

from ..errors import ParseError
from ..limits import current, over
from ..model import META_FIELDS, MODEL_VERSION, Attr, Graph, Kind, Node
from ..report import ConversionReport, Rejected
from .base import Adapter, Capabilities

__all__ = ["NativeAdapter", "dump", "load"]

_NODE_META = (("scope", "scope"), ("created_at", "createdAt"), ("modified_at", "modifiedAt"),
              ("deleted_at", "deletedAt"))


def _attr(a: Attr) -> dict[str, Any]:
    d: dict[str, Any] = {"kind": a.kind.value, "value": a.value}
    for py, member in META_FIELDS:
        v = getattr(a, py)
        if v is not None:
            d[member] = v
    if a.attrs:
        d["attrs"] = {k: [_attr(x) for x in v] for k, v in sorted(a.attrs.items())}
    if a.meta:
        d["meta"] = dict(sorted(a.meta.items()))
    return d


def dump(graph: Graph) -> dict[str, Any]:
    """The canonical JSON form of a Graph (``{"mimbridge": MODEL_VERSION, ...}``)."""
    nodes = []
    for n in graph.nodes:
        d: dict[str, Any] = {"id": n.id, "types": list(n.types),
                             "attrs": {k: [_attr(x) for x in v] for k, v in sorted(n.attrs.items())}}
        for py, member in _NODE_META:
            v = getattr(n, py)
            if v is not None:
                d[member] = v
        if n.meta:
            d["meta"] = dict(sorted(n.meta.items()))
        nodes.append(d)
    out: dict[str, Any] = {"mimbridge": MODEL_VERSION, "nodes": nodes}
    if graph.context is not None:
        out["context"] = graph.context
    if graph.meta:
        out["meta"] = dict(sorted(graph.meta.items()))
    return out


def _str(v: Any, ptr: str, what: str) -> None:
    if v.__class__ is not str:
        raise ParseError(f"{what} is not a string", pointer=ptr, expected="a string")


def _obj(v: Any, ptr: str, what: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise ParseError(f"{what} is not an object", pointer=ptr, expected="a JSON object")
    return v


def _scope(v: Any, ptr: str) -> None:
    if v is not None and v.__class__ is not str and not (
            isinstance(v, list) and all(x.__class__ is str for x in v)):
        raise ParseError("scope is not a string or an array of strings", pointer=ptr, expected="a scope")


def _esc(k: str) -> str:
    return k.replace("~", "~0").replace("/", "~1")


def _load_attrs(d: Any, ptr: str, depth: int) -> dict[str, list[Attr]]:
    out: dict[str, list[Attr]] = {}
    for k, v in _obj(d, ptr, "attrs").items():
        if not isinstance(v, list):
            raise ParseError("an attribute is not an array of instances", pointer=f"{ptr}/{_esc(k)}",
                             expected="an array")
        out[k] = [_load_attr(x, f"{ptr}/{_esc(k)}/{i}", depth) for i, x in enumerate(v)]
    return out


def _load_attr(d: Any, ptr: str, depth: int = 0) -> Attr:
    if not isinstance(d, dict) or "kind" not in d or "value" not in d:
        raise ParseError("attribute instance needs 'kind' and 'value'", pointer=ptr, expected="kind, value")
    if depth > current().max_depth:
        raise over("max_depth", "sub-attributes nested too deep", pointer=ptr)
    try:
        kind = Kind(d["kind"])
    except (ValueError, TypeError):
        raise ParseError(f"unknown kind {d['kind']!r}"[:200], pointer=f"{ptr}/kind",
                         expected=", ".join(k.value for k in Kind)) from None
    a = Attr(kind, d["value"], meta=dict(_obj(d.get("meta", {}), f"{ptr}/meta", "meta")))
    _load_meta(a, d, META_FIELDS, ptr)
    if "attrs" in d:
        a.attrs = _load_attrs(d["attrs"], f"{ptr}/attrs", depth + 1)
    return a


def _load_meta(target: Attr | Node, d: dict, fields: Any, ptr: str) -> None:
    """Set the meta members of ``d`` named in ``fields`` ((attribute, member) pairs) on ``target``, checked."""
    for py, member in fields:
        if member in d:
            v = d[member]
            if py == "scope":
                _scope(v, f"{ptr}/{member}")
            elif v is not None:
                _str(v, f"{ptr}/{member}", member)
            setattr(target, py, v)


def _load_node(n: Any, ptr: str) -> Node:
    if not isinstance(n, dict) or "id" not in n or "types" not in n:
        raise ParseError("node needs 'id' and 'types'", pointer=ptr, expected="id, types")
    _str(n["id"], f"{ptr}/id", "id")
    types = n["types"]
    if not isinstance(types, list) or not types or not all(t.__class__ is str for t in types):
        raise ParseError("types is not a non-empty array of strings", pointer=f"{ptr}/types", expected="type IRIs")
    node = Node(n["id"], list(types), meta=dict(_obj(n.get("meta", {}), f"{ptr}/meta", "meta")))
    _load_meta(node, n, _NODE_META, ptr)
    node.attrs = _load_attrs(n.get("attrs", {}), f"{ptr}/attrs", 0)
    return node


def load(doc: Any, report: ConversionReport | None = None) -> Graph:
    """Rebuild a Graph from :func:`dump` output; ParseError on a wrong model version.

    With a ``report``, a bad node is skipped and reported (``Rejected``)
    instead: one bad node costs that node.
    """
    if not isinstance(doc, dict) or "nodes" not in doc:
        raise ParseError("not a mimbridge native document", pointer="", expected="an object with 'nodes'")
    version = doc.get("mimbridge")
    if version != MODEL_VERSION:
        raise ParseError(f"model version {version!r} is not {MODEL_VERSION!r}"[:200], pointer="/mimbridge",
                         expected=MODEL_VERSION)
    if not isinstance(doc["nodes"], list):
        raise ParseError("nodes is not an array", pointer="/nodes", expected="an array of nodes")
    g = Graph(context=doc.get("context"), meta=dict(_obj(doc.get("meta", {}), "/meta", "meta")))
    for i, n in enumerate(doc["nodes"]):
        if report is not None:
            report.records_in += 1
        try:
            g.nodes.append(_load_node(n, f"/nodes/{i}"))
        except ParseError as exc:
            if report is None:
                raise
            report.add(Rejected, exc.pointer, f"invalid node skipped: {exc.message}",
                       remedy=f"fix the node (expected {exc.expected})" if exc.expected else "")
    return g


class NativeAdapter(Adapter):
    """``native``: canonical JSON of the model; lossless by construction."""

    name = "native"
    capabilities = Capabilities(notes="the model itself")

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        return load(data, report)

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        report.records_out += len(graph.nodes)
        return dump(graph)
