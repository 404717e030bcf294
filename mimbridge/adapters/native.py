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
from ..model import META_FIELDS, MODEL_VERSION, Attr, Graph, Kind, Node
from ..report import ConversionReport
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


def _load_attr(d: Any, ptr: str) -> Attr:
    if not isinstance(d, dict) or "kind" not in d or "value" not in d:
        raise ParseError("attribute instance needs 'kind' and 'value'", pointer=ptr, expected="kind, value")
    try:
        kind = Kind(d["kind"])
    except ValueError:
        raise ParseError(f"unknown kind {d['kind']!r}", pointer=f"{ptr}/kind",
                         expected=", ".join(k.value for k in Kind)) from None
    a = Attr(kind, d["value"], meta=dict(d.get("meta", {})))
    for py, member in META_FIELDS:
        if member in d:
            setattr(a, py, d[member])
    for k, v in d.get("attrs", {}).items():
        a.attrs[k] = [_load_attr(x, f"{ptr}/attrs/{k}/{i}") for i, x in enumerate(v)]
    return a


def load(doc: Any) -> Graph:
    """Rebuild a Graph from :func:`dump` output; ParseError on a wrong model version."""
    if not isinstance(doc, dict) or "nodes" not in doc:
        raise ParseError("not a mimbridge native document", pointer="", expected="an object with 'nodes'")
    version = doc.get("mimbridge")
    if version != MODEL_VERSION:
        raise ParseError(f"model version {version!r} is not {MODEL_VERSION!r}", pointer="/mimbridge",
                         expected=MODEL_VERSION)
    g = Graph(context=doc.get("context"), meta=dict(doc.get("meta", {})))
    for i, n in enumerate(doc["nodes"]):
        if not isinstance(n, dict) or "id" not in n or "types" not in n:
            raise ParseError("node needs 'id' and 'types'", pointer=f"/nodes/{i}", expected="id, types")
        node = Node(n["id"], list(n["types"]), meta=dict(n.get("meta", {})))
        for py, member in _NODE_META:
            if member in n:
                setattr(node, py, n[member])
        for k, v in n.get("attrs", {}).items():
            node.attrs[k] = [_load_attr(x, f"/nodes/{i}/attrs/{k}/{j}") for j, x in enumerate(v)]
        g.nodes.append(node)
    return g


class NativeAdapter(Adapter):
    """``native``: canonical JSON of the model; lossless by construction."""

    name = "native"
    capabilities = Capabilities(notes="the model itself")

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        g = load(data)
        report.records_in += len(g.nodes)
        return g

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        report.records_out += len(graph.nodes)
        return dump(graph)
