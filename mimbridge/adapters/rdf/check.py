"""What RDF cannot hold as given, reported before writing (never silent).

* an entity whose id or type is no absolute IRI (``@id``, ``_:b``, ``T``
  without a context) is left out (:class:`~mimbridge.report.Rejected`):
  written as is it would make invalid N-Triples;
* an attribute whose name is no absolute IRI is left out
  (:class:`~mimbridge.report.Dropped`);
* characters an IRI cannot hold (space, ``<>"{}|^`\\``, a ``%`` that starts no percent-encoding, ``[]``
  outside the host, a second ``#``) are percent-encoded
  in ids, types and names (:class:`~mimbridge.report.Coerced`: the id read back
  is the encoded one);
* entities that share one id are merged into one RDF node
  (:class:`~mimbridge.report.Coerced`).

>>> from mimbridge.model import Graph, Node
>>> from mimbridge.report import ConversionReport
>>> rep = ConversionReport()
>>> g = rdf_ready(Graph([Node("urn:x:a>b", ["https://ex.org/T"]), Node("@id", ["https://ex.org/T"])]), rep)
>>> [n.id for n in g.nodes], [e.kind for e in rep.events]
(['urn:x:a>b'], ['Coerced', 'Rejected'])
"""

from __future__ import annotations

import contextvars
import re
from typing import Any

from ...model import Graph, Node, copy_node
from ...report import Coerced, ConversionReport, Dropped, Rejected
from .terms import iri_changed, nt_iri

__all__ = ["SEEN_IDS", "is_rdf_iri", "rdf_ready"]

#: ids already written by earlier batches of one streamed conversion (set by :mod:`mimbridge.stream`), so a
#: duplicate across batches is reported as :func:`rdf_ready` reports one within a document; at most
#: ``_SEEN_MAX`` ids are remembered (memory stays bounded)
SEEN_IDS: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("mimbridge_rdf_seen_ids", default=None)
_SEEN_MAX = 1 << 20

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


_CHECKED: dict[str, bool] = {}


def is_rdf_iri(s: Any) -> bool:
    """True for a string that can be written as an RDF IRI (absolute, and valid once percent-encoded).

    >>> is_rdf_iri("urn:x:1"), is_rdf_iri("_:b"), is_rdf_iri("@id"), is_rdf_iri("T"), is_rdf_iri("http://[x/")
    (True, False, False, False, False)
    """
    if s.__class__ is not str or _SCHEME.match(s) is None:
        return False
    hit = _CHECKED.get(s)
    if hit is None:
        import pyoxigraph as ox

        try:
            ox.NamedNode(nt_iri(s)[1:-1])
            hit = True
        except ValueError:
            hit = False
        if len(_CHECKED) < 1 << 16:
            _CHECKED[s] = hit
    return hit


def _esc(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def rdf_ready(graph: Graph, report: ConversionReport) -> Graph:
    """``graph`` with what RDF cannot hold left out, and every change reported (see the module doc)."""
    shared = SEEN_IDS.get()
    seen: set[str] = shared if shared is not None else set()
    keep: list[Node] = []
    changed = False
    for i, node in enumerate(graph.nodes):
        where = f"/{i}"
        bad = next((t for t in node.types if not is_rdf_iri(t)), None)
        if not is_rdf_iri(node.id) or bad is not None:
            what = f"id {node.id!r}" if not is_rdf_iri(node.id) else f"type {bad!r}"
            report.add(Rejected, where, f"an entity whose {what} is no absolute IRI is left out of RDF",
                       remedy="give the entity a URI id and types that expand to IRIs (an @context)")
            changed = True
            continue
        if iri_changed(node.id) or any(iri_changed(t) for t in node.types):
            report.add(Coerced, f"{where}/id", "characters an IRI cannot hold are percent-encoded in RDF "
                       "(the id read back is the encoded one)",
                       remedy="use ids without spaces, <>\"{}|^`\\ or a lone %")
        if node.id in seen:
            report.add(Coerced, f"{where}/id", f"another entity has the id {node.id[:80]!r}: RDF merges them into "
                       "one node", remedy="give each entity its own id")
        elif len(seen) < _SEEN_MAX:
            seen.add(node.id)
        names = [n for n in node.attrs if not is_rdf_iri(n)]
        if names:
            node = copy_node(node)
            for n in names:
                del node.attrs[n]
                report.add(Dropped, f"{where}/{_esc(n)}", f"an attribute whose name {n[:80]!r} is no absolute IRI "
                           "is left out of RDF", remedy="use attribute names that expand to IRIs (an @context)")
            changed = True
        for n in node.attrs:
            if iri_changed(n):  # reported at the name and at the name it comes back as
                for name in (n, nt_iri(n)[1:-1]):
                    report.add(Coerced, f"{where}/{_esc(name)}", "characters an IRI cannot hold are percent-encoded "
                               "in an attribute name", remedy="use attribute names without spaces, <>\"{}|^`\\ or "
                               "a lone %")
        keep.append(node)
    if not changed:
        return graph
    return Graph(keep, graph.context, graph.meta)
