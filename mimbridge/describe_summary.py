"""What a DCAT description is built from: a summary of a data set's types, attributes, extent and period.

>>> Summary().count
0
"""

from __future__ import annotations

from typing import Any

from .probe.geo import geometry_of

__all__ = ["Summary", "summarize"]


class Summary:
    """What a sample of data shows: types, attributes, bounding box, first and last time."""

    def __init__(self) -> None:
        self.types: set[str] = set()
        self.attributes: set[str] = set()
        self.bounds: list[float] | None = None
        self.first: str | None = None
        self.last: str | None = None
        self.count = 0

    def add_geometry(self, geom: Any) -> None:
        if geom is None or geom.is_empty:
            return
        x0, y0, x1, y1 = geom.bounds
        b = self.bounds
        self.bounds = [x0, y0, x1, y1] if b is None else [min(b[0], x0), min(b[1], y0), max(b[2], x1),
                                                          max(b[3], y1)]

    def add_time(self, value: Any) -> None:
        from .probe.base import iso, parse_time

        for part in str(value).split("/") if isinstance(value, str) else []:
            t = parse_time(part)
            if t is None:
                continue
            text = iso(t)
            if self.first is None or parse_time(text) < parse_time(self.first):  # type: ignore[operator]
                self.first = text
            if self.last is None or parse_time(text) > parse_time(self.last):  # type: ignore[operator]
                self.last = text


def summarize(graph: Any, summary: Summary | None = None) -> Summary:
    """Fold a :class:`~mimbridge.model.Graph` into a :class:`Summary`."""
    from .model import Kind, walk

    s = summary or Summary()
    for node in graph:
        s.count += 1
        s.types.update(node.types)
        for name in node.attrs:
            s.attributes.add(name)
        for _path, _name, attr in walk(node.attrs):
            if attr.kind == Kind.GEO:
                s.add_geometry(geometry_of(attr.value))
            elif attr.kind == Kind.PROPERTY and isinstance(attr.value, str) and "T" in attr.value[10:11]:
                s.add_time(attr.value)
            if attr.observed_at:
                s.add_time(attr.observed_at)
    return s
