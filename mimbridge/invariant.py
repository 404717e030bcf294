"""The loss invariant: a round trip changes nothing that no event reports.

For a document ``doc`` in format ``source`` and a format ``via``,
:func:`round_trip` converts ``source -> via -> source`` and returns every
JSON pointer where the result differs from ``doc`` that no event of either
leg covers (an event covers its own pointer and everything below it), and
every event whose path is neither a JSON pointer nor ``line N``. The
invariant holds when both lists are empty and no exception outside
:class:`~mimbridge.errors.MimbridgeError` escaped. Formats other than the
NGSI-LD JSON representations (RDF, SensorThings, GeoJSON, ``native``) are
compared through their NGSI-LD reading, so that pointers are the model's,
where report paths point.

Names in pointers are compared expanded: ``/speed`` and
``/https:~1~1uri.etsi.org~1ngsi-ld~1default-context~1speed`` are the same
member (events of RDF targets name attributes by IRI).

>>> e = {"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": 1, "observedAt":
...      "2024-01-01T00:00:00Z"}}
>>> rt = round_trip(e, "ngsi-ld", "ngsi-ld-keyvalues")
>>> rt.uncovered, [ev.kind for ev in rt.events]
([], ['Dropped', 'Dropped', 'Approximated'])
>>> differences({"a": [1, 2], "b": True}, {"a": [1, 3], "b": 1})
['/a/1', '/b']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .adapters.ngsild.vocab import ENTITY_KEYS, META_MEMBERS, RAW_MEMBERS, VALUE_KEYS
from .contexts.active import ActiveContext
from .contexts.loader import ContextLoader
from .convert import convert, read, write
from .errors import MimbridgeError
from .report import MAX_PATHS, ConversionReport, LossEvent

__all__ = ["Prepared", "RoundTrip", "covers", "differences", "long_form", "prepare", "round_trip"]

_LINE = re.compile(r"^line \d+")


def _esc(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def differences(a: Any, b: Any, ptr: str = "") -> list[str]:
    """JSON pointers where ``b`` differs from ``a`` (JSON equality: ``True`` is not ``1``, ``1`` is ``1.0``)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for k in a.keys() | b.keys():
            p = f"{ptr}/{_esc(str(k))}"
            if k not in a or k not in b:
                out.append(p)
            else:
                out.extend(differences(a[k], b[k], p))
        return sorted(out)
    if isinstance(a, list) and isinstance(b, list):
        if len(b) < len(a):  # items removed: if what is left is the input without them, name only them
            kept = _subsequence(a, b)
            if kept is not None:
                return [f"{ptr}/{i}" for i in range(len(a)) if i not in kept]
            by_key = _by_dataset_id(a, b, ptr)
            if by_key is not None:
                return by_key
        common = min(len(a), len(b))
        out = [p for i, (x, y) in enumerate(zip(a[:common], b[:common], strict=True))
               for p in differences(x, y, f"{ptr}/{i}")]
        return out + [f"{ptr}/{i}" for i in range(common, max(len(a), len(b)))]
    if isinstance(a, list) and a and isinstance(b, dict):
        return differences(a, [b], ptr)  # several instances became one (an NGSI-LD attribute object)
    if isinstance(b, list) and b and isinstance(a, dict):
        return differences([a], b, ptr)
    if isinstance(a, bool) or isinstance(b, bool):
        return [] if type(a) is type(b) and a == b else [ptr]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return [] if a == b else [ptr]
    return [] if type(a) is type(b) and a == b else [ptr]


def _by_dataset_id(a: list[Any], b: list[Any], ptr: str) -> list[str] | None:
    """Differences of two lists of attribute instances told apart by datasetId (None when they are not)."""
    def keys(xs: list[Any]) -> list[Any] | None:
        if not all(isinstance(x, dict) for x in xs):
            return None
        k = [x.get("datasetId") for x in xs]
        return k if len(set(map(str, k))) == len(k) else None

    ka, kb = keys(a), keys(b)
    if ka is None or kb is None:
        return None
    where = {str(k): i for i, k in enumerate(kb)}
    out: list[str] = []
    for i, (k, x) in enumerate(zip(ka, a, strict=True)):
        j = where.get(str(k))
        out.extend([f"{ptr}/{i}"] if j is None else differences(x, b[j], f"{ptr}/{i}"))
    return out


def _subsequence(a: list[Any], b: list[Any]) -> set[int] | None:
    """Indexes of ``a`` that ``b`` is made of, in order, when ``b`` is ``a`` with items left out; else None."""
    kept: set[int] = set()
    i = 0
    for y in b:
        while i < len(a) and differences(a[i], y):
            i += 1
        if i == len(a):
            return None
        kept.add(i)
        i += 1
    return kept


def _segments(ptr: str, canon: Callable[[str], str]) -> list[str]:
    if not ptr or ptr == "/":
        return []
    return [canon(s.replace("~1", "/").replace("~0", "~")) for s in ptr[1:].split("/")]


def covers(event_path: str, ptr: str, canon: Callable[[str], str] = str) -> bool:
    """True when an event at ``event_path`` covers the pointer ``ptr`` (same member or an ancestor).

    >>> covers("/a", "/a/0/value"), covers("/a/0", "/a/1"), covers("line 3", "/x"), covers("/a/u", "/a/0/u")
    (True, False, True, True)
    """
    if _LINE.match(event_path):
        return True  # a text position: nothing finer to compare with
    return _covers(_segments(event_path, canon), _segments(ptr, canon))


def _covers(ev: list[str], d: list[str]) -> bool:
    i = 0
    for seg in ev:
        # pointers of single instances leave the instance index out: /a/unitCode covers /a/0/unitCode
        while i < len(d) and d[i] != seg and d[i].isdigit() and not seg.isdigit():
            i += 1
        if i >= len(d) or d[i] != seg:
            return False
        i += 1
    return True


@dataclass(slots=True)
class RoundTrip:
    """What a ``source -> via -> source`` round trip gave."""

    output: Any
    events: list[LossEvent] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)
    bad_paths: list[str] = field(default_factory=list)


#: formats whose documents are NGSI-LD entities: their pointers are the model's (the others are compared
#: through their NGSI-LD reading, where report paths point)
NGSI_LD_SHAPED = frozenset({"ngsi-ld", "ngsi-ld-concise", "ngsi-ld-keyvalues", "ngsi-ld-temporal"})
#: members of an attribute instance that are not sub-attributes
_INSTANCE_MEMBERS = frozenset({"type", *VALUE_KEYS, *META_MEMBERS, *RAW_MEMBERS})


def long_form(doc: Any) -> Any:
    """A concise NGSI-LD document with every attribute (and sub-attribute) given as a bare value written out.

    The concise representation writes an instance that has nothing but a value as the bare value, so an
    instance that loses its other members (reported at theirs) changes form at the attribute itself.
    The written-out form is the same document (a syntactic rewrite: no reader involved), where such a
    change shows at the members that changed.

    >>> long_form({"id": "urn:x:1", "type": "T", "a": 1, "b": [2, {"value": 3, "datasetId": "urn:d:1", "c": 4}]})
    {'id': 'urn:x:1', 'type': 'T', 'a': {'value': 1}, 'b': [{'value': 2}, {'value': 3, 'datasetId': 'urn:d:1', \
'c': {'value': 4}}]}
    """
    if isinstance(doc, list):
        return [long_form(e) for e in doc]
    if not isinstance(doc, dict):
        return doc
    return {k: v if k in ENTITY_KEYS else _attribute(v) for k, v in doc.items()}


def _attribute(v: Any) -> Any:
    if isinstance(v, list):
        return [_instance(i) for i in v]
    return _instance(v)


def _instance(v: Any) -> Any:
    if not isinstance(v, dict):
        return {"value": v}
    return {k: x if k in _INSTANCE_MEMBERS else _attribute(x) for k, x in v.items()}


def _view(doc: Any, fmt: str, options: dict[str, Any]) -> Any:
    """The document as compared: NGSI-LD JSON as is (concise written out); others through their NGSI-LD reading."""
    if fmt == "ngsi-ld-concise":
        return long_form(doc)
    if fmt in NGSI_LD_SHAPED:
        return doc
    return convert(doc, source=fmt, target="ngsi-ld", read_options=options).output


def _canon_for(doc: Any, options: dict[str, Any]) -> Callable[[str], str]:
    entity = doc[0] if isinstance(doc, list) and doc else doc
    ctx = entity.get("@context") if isinstance(entity, dict) else None
    try:
        actx = ActiveContext.get(ctx, loader=ContextLoader(documents=options.get("contexts")))
    except MimbridgeError:  # not an NGSI-LD context: names are compared as given
        return str
    memo: dict[str, str] = {}

    def canon(seg: str) -> str:
        hit = memo.get(seg)
        if hit is None:
            hit = memo[seg] = actx.expand(seg) if seg and not seg.isdigit() else seg
        return hit

    return canon


def _ids(view: list[Any]) -> list[str]:
    return [e.get("id", str(i)) if isinstance(e, dict) else str(i) for i, e in enumerate(view)]


def _by_id(view: Any) -> Any:
    if not isinstance(view, list):
        view = [view]
    return dict(zip(_ids(view), view, strict=True))


def _rekey(path: str, ids: list[str]) -> str:
    if _LINE.match(path) or path in ("", "/"):
        return path  # a text position, or the whole document
    head, _, rest = path[1:].partition("/")
    if head.isdigit() and int(head) < len(ids):
        return f"/{_esc(ids[int(head)])}" + (f"/{rest}" if rest else "")
    if len(ids) == 1:  # a one-entity document: paths start at the entity
        return f"/{_esc(ids[0])}{path}"
    return path


@dataclass(slots=True)
class Prepared:
    """A document made ready for round trips through several formats (:func:`prepare`)."""

    doc: Any
    source: str
    options: dict[str, Any]
    view: Any
    canon: Callable[[str], str]


def prepare(doc: Any, source: str, *, source_options: dict[str, Any] | None = None) -> Prepared:
    """``doc`` with what every round trip of it compares against, computed once (pass it to :func:`round_trip`).

    >>> p = prepare({"id": "urn:ngsi-ld:T:1", "type": "T"}, "ngsi-ld")
    >>> round_trip(p.doc, "ngsi-ld", "turtle", prepared=p).uncovered
    []
    """
    so = dict(source_options or {})
    view = _view(doc, source, so)
    return Prepared(doc, source, so, view, _canon_for(view, so))


def round_trip(doc: Any, source: str, via: str, *, source_options: dict[str, Any] | None = None,
               via_options: dict[str, Any] | None = None, prepared: Prepared | None = None) -> RoundTrip:
    """Convert ``doc`` ``source -> via -> source`` and list what changed without an event (see module docs).

    ``via_options`` go to the writer of ``via`` and to its reader on the way back; ``source_options`` to
    the reader of ``source`` and its writer. A :class:`~mimbridge.errors.MimbridgeError` raised while reading
    ``doc`` propagates (the input was refused, which is no loss); anything else propagates as a failure.
    ``prepared`` (:func:`prepare` of ``doc``) saves reading ``doc`` again when it goes through several formats.
    """
    if prepared is None or prepared.doc is not doc or prepared.source != source:
        prepared = prepare(doc, source, source_options=source_options)
    so, vo = prepared.options, dict(via_options or {})
    there = convert(doc, source=source, target=via, read_options=so, write_options=vo)
    # the way back as convert() takes it, keeping the model read from ``via`` for the ids its report names
    back_report = ConversionReport(source=via, target=source)
    graph = read(there.output, source=via, report=back_report, **vo)
    back_ids = [n.id for n in graph.nodes]
    back_output = write(graph, target=source, report=back_report, **so)
    del graph
    before, after = prepared.view, _view(back_output, source, so)
    canon = prepared.canon
    legs: list[tuple[list[LossEvent], list[str] | None]] = [(there.report.events, None),
                                                           (back_report.events, None)]
    if isinstance(before, list) or isinstance(after, list):
        # entities are compared by id (a round trip may reorder them, or add some); report paths name them by
        # index, or by nothing in a one-entity document
        legs = [(there.report.events, _ids(before if isinstance(before, list) else [before])),
                (back_report.events, back_ids)]
        before, after = _by_id(before), _by_id(after)
    paths: list[list[str]] = []
    catch_all = False
    bad: list[str] = []
    events = [ev for evs, _ in legs for ev in evs]
    for evs, ids in legs:
        for ev in evs:
            if ev.count > MAX_PATHS:
                catch_all = True  # more occurrences than the report keeps paths for
            for p in ev.paths:
                if _LINE.match(p):
                    catch_all = True  # a text position covers everything (nothing finer to compare with)
                elif p and not p.startswith("/"):
                    bad.append(f"{ev.kind} at {p!r}: {ev.message}")
                else:
                    paths.append(_segments(_rekey(p, ids) if ids is not None else p, canon))
    uncovered = [] if catch_all else [
        d for d, segs in ((d, _segments(d, canon)) for d in differences(before, after))
        if not any(_covers(ev, segs) for ev in paths)]
    return RoundTrip(back_output, events, uncovered, bad)
