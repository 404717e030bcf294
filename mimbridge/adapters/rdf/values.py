"""Nested RDF objects -> JSON-LD values, walked without recursion and in time linear in the triples.

An object that is a blank node (or an IRI value node) becomes a JSON-LD node
object, an RDF list ``{"@list": [...]}`` (a list inside a list a plain JSON
array), a GeoJSON geometry node GeoJSON. The walk keeps an explicit stack, so
a 100,000-long chain of blank nodes costs no Python recursion; each list is
checked once. A node with several incoming triples is built once, with its
``@id``, and referenced as ``{"@id": "_:x"}`` wherever it is used again (a
"diamond" of shared blank nodes stays linear; the RDF written back is the same
graph); a cycle of nodes that are not shared is cut. Nesting deeper than
``max_depth`` and more than ``max_copies`` copies of shared lists raise a
:class:`~mimbridge.errors.ParseError`.

>>> from mimbridge.report import ConversionReport
>>> from mimbridge.adapters.rdf.terms import XSD_STRING
>>> by_s = {"_:l": [(RDF_FIRST, ("1", XSD_STRING, None)), (RDF_REST, RDF_NIL)]}
>>> ValueBuilder(by_s, {}, set(), ConversionReport()).value("_:l")
{'@list': ['1']}
"""

from __future__ import annotations

from typing import Any

from ...limits import current, over
from ...report import Coerced, ConversionReport, Dropped
from .parse import RDF_FIRST, RDF_NIL, RDF_REST, lit_value
from .terms import GEOJSON, RDF_TYPE

__all__ = ["ValueBuilder"]

_EXIT, _DICT, _LIST, _RAW = 0, 1, 2, 3


class ValueBuilder:
    """Builds JSON values of RDF objects (``by_s``: subject -> ``(p, o)`` pairs; ``refs``: incoming blank triples)."""

    def __init__(self, by_s: dict[str, list[tuple[str, Any]]], refs: dict[str, int], values: set[str],
                 report: ConversionReport) -> None:
        self.by_s = by_s
        self.refs = refs
        self.values = values
        self.report = report
        self._built: set[str] = set()
        self._visiting: set[str] = set()
        self._shared_noted = False
        self._copies = 0
        #: where the value being built is (a subject or attribute node), for errors
        self.where = ""
        lim = current()
        self._max_depth, self._max_copies = lim.max_depth, lim.max_copies

    # -- shapes (no building) ---------------------------------------------------------
    def cells(self, head: str) -> list[Any] | None:
        """The ``rdf:first`` objects of the well-formed RDF list at ``head`` (None if it is not one)."""
        items: list[Any] = []
        cur = head
        seen: set[str] = set()
        by_s = self.by_s
        while cur != RDF_NIL:
            po = by_s.get(cur) if cur.__class__ is str else None
            if po is None or cur in seen or not cur.startswith("_:") or len(po) != 2:
                return None
            seen.add(cur)
            first = rest = None
            for p, o in po:
                if p == RDF_FIRST:
                    first = o
                elif p == RDF_REST:
                    rest = o
            if first is None or rest is None:
                return None
            items.append(first)
            cur = rest
        return items

    def _geometry(self, po: list[tuple[str, Any]]) -> tuple[str, list[Any]] | None:
        if len(po) != 2:
            return None
        gtype = cells = None
        for p, o in po:
            if p == RDF_TYPE and o.__class__ is str and o.startswith(GEOJSON):
                gtype = o[len(GEOJSON):]
            elif p == GEOJSON + "coordinates" and o.__class__ is str:
                cells = self.cells(o)
        if gtype is None or cells is None:
            return None
        return gtype, cells

    # -- building -----------------------------------------------------------------------
    def value(self, o: Any) -> Any:
        """One object as JSON (literals native or value objects, nodes as JSON-LD node objects)."""
        stack: list[tuple[Any, ...]] = []
        out = self._make(o, 0, stack)
        self._run(stack)
        return out

    def items(self, head: str) -> list[Any] | None:
        """The items of the RDF list at ``head`` as JSON (None if it is not a well-formed list)."""
        cells = self.cells(head)
        if cells is None:
            return None
        out: list[Any] = []
        stack: list[tuple[Any, ...]] = [(_RAW, head, out, cells, 0)]
        self._run(stack)
        return out

    def _run(self, stack: list[tuple[Any, ...]]) -> None:
        make, visiting = self._make, self._visiting
        while stack:
            task = stack.pop()
            op = task[0]
            if op == _EXIT:
                visiting.discard(task[1])
                continue
            _, o, box, data, depth = task
            visiting.add(o)
            stack.append((_EXIT, o))
            if op == _DICT:
                types = data
                for p, v in self.by_s[o]:
                    if p == RDF_TYPE and v in types:
                        continue
                    jv = make(v, depth + 1, stack)
                    if p in box:
                        prev = box[p]
                        box[p] = [*prev, jv] if prev.__class__ is list else [prev, jv]
                    else:
                        box[p] = jv
            else:  # _LIST / _RAW: fill the items of a list
                for first in data:
                    if first.__class__ is str and first.startswith("_:") and first in self.by_s:
                        sub = self.cells(first)
                        if sub is not None:
                            box.append(self._raw(first, sub, depth + 1, stack))
                            continue
                    box.append(make(first, depth + 1, stack))

    def _deep(self, depth: int) -> None:
        if depth > self._max_depth:
            raise over("max_depth", f"RDF values nested over {self._max_depth} levels", pointer=self.where)

    def _raw(self, head: str, cells: list[Any], depth: int, stack: list[tuple[Any, ...]]) -> list[Any]:
        """A list inside a list: a plain JSON array (filled later from the stack)."""
        self._deep(depth)
        if head in self._visiting:
            self.report.add(Dropped, "", "a cycle of blank nodes is cut (JSON values are trees)")
            return []
        self._count(head)
        lst: list[Any] = []
        stack.append((_RAW, head, lst, cells, depth))
        return lst

    def _count(self, o: str) -> None:
        if o in self._built:
            self._copies += 1
            if self._copies > self._max_copies:
                raise over("max_copies", f"more than {self._max_copies} copies of shared RDF lists",
                           pointer=self.where)
        else:
            self._built.add(o)

    def _make(self, o: Any, depth: int, stack: list[tuple[Any, ...]]) -> Any:
        """The JSON of ``o``; containers come back empty and are filled when the stack gets to them."""
        if o.__class__ is tuple:
            return lit_value(o)
        if o == RDF_NIL:
            return {"@list": []}
        po = self.by_s.get(o)
        blank = o.startswith("_:")
        if po is None or (not blank and o not in self.values):
            return {"@id": o}
        self._deep(depth)
        cells = self.cells(o) if blank else None
        if cells is not None:
            if o in self._visiting:
                self.report.add(Dropped, "", "a cycle of blank nodes is cut (JSON values are trees)")
                return {"@list": []}
            self._count(o)
            lst: list[Any] = []
            stack.append((_LIST, o, lst, cells, depth))
            return {"@list": lst}
        shared = not blank or self.refs.get(o, 0) > 1
        if o in self._visiting and not shared:
            self.report.add(Dropped, "", "a cycle of blank nodes is cut (JSON values are trees)")
            return {}
        if shared and o in self._built:
            if blank and not self._shared_noted:
                self._shared_noted = True
                self.report.add(Coerced, "", "a blank node with several incoming triples is written in full "
                                "once and referenced by its blank node id elsewhere (entities that share it "
                                "are linked by that id)")
            return {"@id": o}
        geo = self._geometry(po)
        if geo is not None:
            self._count(o)
            coords: list[Any] = []
            stack.append((_RAW, o, coords, geo[1], depth))
            return {"type": geo[0], "coordinates": coords}
        self._built.add(o)
        d: dict[str, Any] = {"@id": o} if shared else {}
        types = [t for p, t in po if p == RDF_TYPE and t.__class__ is str and not t.startswith("_:")]
        if types:
            d["@type"] = types[0] if len(types) == 1 else types
        stack.append((_DICT, o, d, types, depth))
        return d
