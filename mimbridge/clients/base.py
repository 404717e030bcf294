"""The small interface every connector implements, and the resumable checkpoint.

A **source** yields :class:`Page` objects: a payload that a mimbridge reader
understands (``source.format``), the URL it came from and the link to the next
page. A **sink** takes a payload in its own format (``sink.format``) and writes
it, returning what was written. :func:`mimbridge.clients.sync.sync` glues the
two through :func:`mimbridge.convert`, saving a :class:`Checkpoint` after
every page so that a crashed run resumes where it stopped.

A sink whose writes are not upserts (a file it appends to) also offers a
**cursor**: ``cursor(durable=...)`` returns a small JSON value naming what it
holds so far (a byte offset), ``rewind(cursor)`` drops whatever was written
after it. The checkpoint stores that cursor next to the source's next link,
so it costs the same on page 10 as on page 10,000, and a resumed run first
rewinds the sink: a page cut short by a crash is written again from its start,
never twice.

    >>> cp = Checkpoint(None)
    >>> cp.advance(next_link="http://sta.test/v1.1/Observations?$skip=100", records=2, written=2,
    ...            sink={"offset": 120})
    >>> cp.next_link, cp.pages, cp.records, cp.sink
    ('http://sta.test/v1.1/Observations?$skip=100', 1, 2, {'offset': 120})
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from ..errors import MimbridgeError

__all__ = ["Checkpoint", "Page", "Sink", "Source", "WriteResult"]

CHECKPOINT_VERSION = 2


@dataclass(slots=True)
class Page:
    """One page of source records.

    ``payload`` is what the source format's reader takes (an STA collection
    response, a FeatureCollection, a list of NGSI-LD entities, N-Triples
    text); ``url`` where it came from; ``next_link`` the page after it
    (``None`` at the end); ``count`` the number of records in it; ``total``
    the server's total when it says (``@iot.count``, ``numberMatched``).
    """

    payload: Any
    url: str | None = None
    next_link: str | None = None
    count: int = 0
    total: int | None = None


@dataclass(slots=True)
class WriteResult:
    """What a sink wrote: ids in the sink (entity ids, STA ids, graph names) and per-record failures.

    ``whole`` says the payload was written as one document (N-Triples or
    Turtle text appended to a file): every record of it was written, and
    ``written`` names none of them.
    """

    written: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    whole: bool = False


@runtime_checkable
class Source(Protocol):
    """Iterates pages of records from a live endpoint."""

    format: ClassVar[str] | str  # type: ignore[valid-type]

    def pages(self, *, start: str | None = None) -> Iterator[Page]:
        """Yield pages, beginning at ``start`` (a next link from a checkpoint) when given."""
        ...


@runtime_checkable
class Sink(Protocol):
    """Writes batches (in ``format``) to a live endpoint; writes are upserts where the endpoint allows.

    Sinks that append (files) also have ``cursor(*, durable: bool) -> Any``
    and ``rewind(cursor) -> None``; see the module docstring.
    """

    format: ClassVar[str] | str  # type: ignore[valid-type]

    def write(self, payload: Any, *, skip: frozenset[str] = frozenset()) -> WriteResult:
        """Write ``payload``; records whose id is in ``skip`` were written by an earlier run."""
        ...


class Checkpoint:
    """Progress of a sync, saved atomically to a JSON file after every page.

    It holds the source's next link, counters (pages, records read, records
    written) and the sink's cursor (see the module docstring): a few hundred
    bytes however much was copied. A rerun after a crash rewinds the sink to
    that cursor and continues with the first unfinished page. ``path=None``
    keeps it in memory. A version-1 checkpoint (which listed every written
    id) is still read: its ids are skipped once, as before.
    """

    def __init__(self, path: str | os.PathLike[str] | None, *, key: str = "") -> None:
        self.path = Path(path) if path is not None else None
        self.key = key
        self.next_link: str | None = None
        self.pages = 0
        self.records = 0
        self.written = 0
        self.sink: Any = None
        self.skip: frozenset[str] = frozenset()
        self.done = False
        if self.path is not None and self.path.exists():
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise MimbridgeError(f"{self.path}: checkpoint is not JSON ({exc}); delete it to start over") from exc
        if not isinstance(data, dict) or data.get("version") not in (1, CHECKPOINT_VERSION):
            version = data.get("version") if isinstance(data, dict) else None
            raise MimbridgeError(f"{self.path}: checkpoint version {version!r} is not supported")
        if self.key and data.get("key") and data["key"] != self.key:
            raise MimbridgeError(
                f"{self.path}: checkpoint belongs to another sync ({data['key']}); use another file or delete it"
            )
        self.next_link = data.get("next_link")
        self.pages = int(data.get("pages", 0))
        self.records = int(data.get("records", 0))
        self.written = int(data.get("written", 0))
        self.sink = data.get("sink")
        self.skip = frozenset(data.get("written_ids", ()))  # version 1
        self.done = bool(data.get("done", False))

    @property
    def started(self) -> bool:
        """True when an earlier run made progress (or saved the sink's cursor before its first page)."""
        return self.pages > 0 or self.done or self.sink is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": CHECKPOINT_VERSION, "key": self.key, "next_link": self.next_link, "pages": self.pages,
            "records": self.records, "written": self.written, "done": self.done, "sink": self.sink,
        }

    def save(self) -> None:
        """Write atomically (temporary file, fsync, rename)."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.to_dict(), fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def begin(self, *, sink: Any) -> None:
        """Record the sink's cursor before the first page (so that a crash in it is rewound too) and save."""
        self.sink = sink
        self.save()

    def advance(self, *, next_link: str | None, records: int = 0, written: int = 0, sink: Any = None) -> None:
        """Record a finished page (its records, the records written, the sink's cursor after it) and save."""
        self.records += records
        self.written += written
        self.pages += 1
        self.next_link = next_link
        self.sink = sink
        self.done = next_link is None
        self.save()
