"""Geometry helpers of the R5 checks: a query box around one feature that leaves others out.

>>> from shapely.geometry import Point
>>> query_box(Point(4.9, 52.37), [Point(2.35, 48.85)]).bounds
(4.89, 52.36, 4.91, 52.38)
>>> near = query_box(Point(4.9, 52.37), [Point(4.905, 52.37)])  # the box shrinks to leave it out
>>> near.bounds[2] < 4.905, [g.x for g in near.outside]
(True, [4.905])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BoxAnswer", "BoxTest", "QueryBox", "geometry_of", "query_box", "wkt_polygon"]


@dataclass
class QueryBox:
    """A box (minx, miny, maxx, maxy) in lon/lat, and the known geometries outside and inside it."""

    bounds: tuple[float, float, float, float]
    inside: list[Any] = field(default_factory=list)
    outside: list[Any] = field(default_factory=list)

    @property
    def polygon(self) -> Any:
        from shapely.geometry import box
        return box(*self.bounds)

    def ring(self) -> list[list[float]]:
        """The closed exterior ring, counter-clockwise, as GeoJSON coordinates."""
        x0, y0, x1, y1 = self.bounds
        return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def geometry_of(value: Any) -> Any:
    """A shapely geometry from a GeoJSON geometry or Feature (or None).

    >>> geometry_of({"type": "Point", "coordinates": [1, 2]}).wkt
    'POINT (1 2)'
    """
    from shapely.geometry import shape

    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or ("coordinates" not in value and "geometries" not in value):
        return None
    try:
        return shape(value)
    except (ValueError, TypeError, AttributeError, IndexError):
        return None


def query_box(target: Any, others: Sequence[Any], *, margin: float = 0.01) -> QueryBox:
    """A box around ``target`` (its bounds plus a margin, shrunk until it leaves out every other geometry
    that does not touch the target's own bounds)."""
    from shapely.geometry import box

    x0, y0, x1, y1 = target.bounds
    core = box(x0, y0, x1, y1)
    m = margin
    while True:
        b = (round(x0 - m, 9), round(y0 - m, 9), round(x1 + m, 9), round(y1 + m, 9))
        poly = box(*b)
        crowd = [g for g in others if not g.intersects(core) and g.intersects(poly)]
        if not crowd or m < 1e-7:
            break
        m /= 4
    inside = [g for g in others if g.intersects(poly)]
    outside = [g for g in others if not g.intersects(poly)]
    return QueryBox(b, inside, outside)


@dataclass
class BoxAnswer:
    """How a server answered a box query: ``count`` returned, ``target_in``, returned geometries outside the
    box (``strays``), known outside features returned (``leaked``) of ``outside`` known."""

    count: int
    target_in: bool
    strays: list[Any]
    leaked: list[Any]
    outside: int

    @property
    def ok(self) -> bool:
        return self.target_in and not self.strays and not self.leaked

    def note(self, noun: str) -> str:
        return (f"{self.count} {noun}; target {'in' if self.target_in else 'missing'}; {len(self.leaked)} of "
                f"{self.outside} known outside returned")


@dataclass
class BoxTest:
    """The R5 test: a box around the first located feature and the ids of the known features outside it.

    >>> from shapely.geometry import Point
    >>> t = BoxTest.around([("a", Point(4.9, 52.37)), ("b", Point(2.35, 48.85))])
    >>> t.target_id, t.outside_ids
    ('a', {'b'})
    >>> t.check([("a", Point(4.9, 52.37)), ("b", Point(2.35, 48.85))]).leaked
    ['b']
    """

    target_id: Any
    box: QueryBox
    outside_ids: set[Any]

    @classmethod
    def around(cls, located: Sequence[tuple[Any, Any]]) -> BoxTest:
        """``located``: (id, geometry) pairs, at least two; the first is the target."""
        target_id, target = located[0]
        box = query_box(target, [g for _, g in located[1:]])
        return cls(target_id, box, {i for i, g in located[1:] if any(g is o for o in box.outside)})

    def check(self, returned: Sequence[tuple[Any, Any]], *, within: bool = False,
              geometries: bool = True) -> BoxAnswer:
        """Judge the (id, geometry or None) pairs a server returned for the box: every geometry must
        intersect it (lie ``within`` it), unless ``geometries`` is False (ids only)."""
        poly = self.box.polygon.buffer(1e-9)
        test = poly.contains if within else poly.intersects
        ids = {i for i, _ in returned}
        strays = [i for i, g in returned if g is None or not test(g)] if geometries else []
        leaked = sorted(ids & self.outside_ids, key=str)
        return BoxAnswer(len(returned), self.target_id in ids, strays, leaked, len(self.outside_ids))


def wkt_polygon(bounds: Sequence[float], *, lat_lon: bool = False) -> str:
    """The box as WKT (``POLYGON((x y, ...))``); ``lat_lon`` swaps the axes.

    >>> wkt_polygon((4, 52, 5, 53))
    'POLYGON((4 52, 5 52, 5 53, 4 53, 4 52))'
    """
    x0, y0, x1, y1 = bounds
    pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    if lat_lon:
        pts = [(b, a) for a, b in pts]
    return "POLYGON((" + ", ".join(f"{_num(a)} {_num(b)}" for a, b in pts) + "))"


def _num(x: float) -> str:
    return f"{x:.9f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))
