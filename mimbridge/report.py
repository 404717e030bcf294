"""Conversion reports: typed loss events with a path and a remedy.

A :class:`ConversionReport` is returned by every conversion. It lists what the
conversion could not carry, as typed events:

* :class:`Dropped`: information left out of the output;
* :class:`Coerced`: information carried, but changed in form or type;
* :class:`Approximated`: carried through a non-exact mapping ("good enough");
* :class:`Unresolved`: something (a JSON-LD context, a unit, an identifier)
  could not be resolved and was handled by the documented fallback;
* :class:`Rejected`: a whole record of a batch was invalid and skipped
  (the good records of the batch are still converted);
* :class:`Invalid`: a value the standard does not allow (``observedAt:
  "yesterday"``), kept as given; the message names the rule it breaks.

Events of the same type, message and remedy are aggregated: one event holds
the number of occurrences and the first few JSON pointers where they happened,
so a batch of a million entities does not produce a million objects.

>>> r = ConversionReport()
>>> r.add(Dropped, "/0/speed/observedAt", "observedAt is not carried by ngsi-ld-keyvalues",
...       remedy="convert to ngsi-ld or ngsi-ld-concise to keep meta-data")
>>> r.lossless
False
>>> r.events[0].path
'/0/speed/observedAt'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = [
    "Approximated",
    "Coerced",
    "ConversionReport",
    "Dropped",
    "Invalid",
    "LossEvent",
    "Rejected",
    "Unresolved",
]

MAX_PATHS = 20


@dataclass(slots=True)
class LossEvent:
    """One kind of loss: where (``path`` and up to 20 ``paths``), what, how to avoid it."""

    kind: ClassVar[str] = "loss"
    path: str
    message: str
    remedy: str = ""
    count: int = 1
    paths: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        more = f" (+{self.count - 1} more)" if self.count > 1 else ""
        fix = f"; remedy: {self.remedy}" if self.remedy else ""
        return f"{self.kind} at {self.path or '/'}{more}: {self.message}{fix}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"type", "path", "paths", "count", "message", "remedy"}``."""
        return {
            "type": self.kind,
            "path": self.path,
            "paths": list(self.paths),
            "count": self.count,
            "message": self.message,
            "remedy": self.remedy,
        }


@dataclass(slots=True)
class Dropped(LossEvent):
    """Information that the target cannot hold and that was left out."""

    kind: ClassVar[str] = "Dropped"


@dataclass(slots=True)
class Coerced(LossEvent):
    """Information carried in a changed form (type, precision, representation)."""

    kind: ClassVar[str] = "Coerced"


@dataclass(slots=True)
class Approximated(LossEvent):
    """Information carried through a non-exact mapping or a guess."""

    kind: ClassVar[str] = "Approximated"


@dataclass(slots=True)
class Unresolved(LossEvent):
    """A reference that could not be resolved; the documented fallback was used."""

    kind: ClassVar[str] = "Unresolved"


@dataclass(slots=True)
class Rejected(LossEvent):
    """A record of a batch that was invalid and skipped; the message says why."""

    kind: ClassVar[str] = "Rejected"


@dataclass(slots=True)
class Invalid(LossEvent):
    """A value the standard does not allow, kept as given; the message names the rule it breaks.

    ``strict=True`` turns it into an error, like every other event.
    """

    kind: ClassVar[str] = "Invalid"


EVENT_TYPES: dict[str, type[LossEvent]] = {
    cls.kind: cls for cls in (Approximated, Coerced, Dropped, Invalid, Rejected, Unresolved)
}


class ConversionReport:
    """What a conversion could not carry; empty means lossless.

    ``records_in`` / ``records_out`` count top-level records (entities,
    features...) read and written.
    """

    __slots__ = ("_index", "events", "records_in", "records_out", "source", "target")

    def __init__(self, *, source: str = "", target: str = "") -> None:
        self.events: list[LossEvent] = []
        self._index: dict[tuple[type, str, str], LossEvent] = {}
        self.source = source
        self.target = target
        self.records_in = 0
        self.records_out = 0

    def add(self, cls: type[LossEvent], path: str | Callable[[], str], message: str, *,
            remedy: str = "") -> None:
        """Record one occurrence of a loss (aggregated with equal ones).

        ``path`` may be a zero-argument callable, called only if the path is kept
        (the first 20 occurrences), which keeps reporting cheap in big batches.
        """
        key = (cls, message, remedy)
        ev = self._index.get(key)
        if ev is None:
            p = path() if callable(path) else path
            ev = cls(path=p, message=message, remedy=remedy, paths=[p])
            self._index[key] = ev
            self.events.append(ev)
            return
        ev.count += 1
        if len(ev.paths) < MAX_PATHS:
            ev.paths.append(path() if callable(path) else path)

    def extend(self, other: ConversionReport) -> None:
        """Merge the events of another report into this one."""
        for ev in other.events:
            key = (type(ev), ev.message, ev.remedy)
            mine = self._index.get(key)
            if mine is None:
                copy = type(ev)(path=ev.path, message=ev.message, remedy=ev.remedy,
                                count=ev.count, paths=list(ev.paths))
                self._index[key] = copy
                self.events.append(copy)
            else:
                mine.count += ev.count
                mine.paths.extend(ev.paths[: max(0, MAX_PATHS - len(mine.paths))])

    @property
    def lossless(self) -> bool:
        """True when nothing was dropped, coerced, approximated, unresolved or rejected."""
        return not self.events

    @property
    def rejected(self) -> list[LossEvent]:
        """The events for records that were skipped as invalid."""
        return [e for e in self.events if isinstance(e, Rejected)]

    def of_type(self, cls: type[LossEvent]) -> list[LossEvent]:
        """Events of one type, e.g. ``report.of_type(Dropped)``."""
        return [e for e in self.events if isinstance(e, cls)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of the whole report (what ``--report FILE`` writes)."""
        return {
            "source": self.source,
            "target": self.target,
            "lossless": self.lossless,
            "records_in": self.records_in,
            "records_out": self.records_out,
            "events": [e.to_dict() for e in self.events],
        }

    def summary(self) -> str:
        """Human-readable multi-line summary (what the CLI prints to stderr)."""
        head = f"{self.source} -> {self.target}: {self.records_in} in, {self.records_out} out"
        if self.lossless:
            return head + ", lossless"
        return "\n".join([head + f", {len(self.events)} kinds of loss"] + [f"  {e}" for e in self.events])

    def __repr__(self) -> str:
        return f"<ConversionReport {self.source}->{self.target} events={len(self.events)}>"
