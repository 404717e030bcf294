"""The small interface every connector implements, and the resumable checkpoint.

A **source** yields :class:`Page` objects: a payload that a mimbridge reader
understands (``source.format``), the URL it came from and the link to the next
page. A **sink** takes a payload in its own format (``sink.format``) and writes
it, returning what was written. :func:`mimbridge.clients.sync.sync` glues the
two through :func:`mimbridge.convert`, saving a :class:`Checkpoint` after
every page so that a crashed run resumes where it stopped.

    >>> cp = Checkpoint(None)
    >>> cp.advance(next_link="http://sta.test/v1.1/Observations?$skip=100", ids=["a", "b"], records=2)
    >>> cp.next_link, cp.pages, sorted(cp.written_ids)
    ('http://sta.test/v1.1/Observations?$skip=100', 1, ['a', 'b'])
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from ..errors import MimbridgeError

__all__ = ["Checkpoint", "Page", "Sink", "Source", "WriteResult"]

CHECKPOINT_VERSION = 1


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
    """What a sink wrote: ids in the sink (entity ids, STA ids, graph names) and per-record failures."""

    written: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


@runtime_checkable
class Source(Protocol):
    """Iterates pages of records from a live endpoint."""

    format: ClassVar[str] | str

    def pages(self, *, start: str | None = None) -> Iterator[Page]:
        """Yield pages, beginning at ``start`` (a next link from a checkpoint) when given."""
        ...


@runtime_checkable
class Sink(Protocol):
    """Writes batches (in ``format``) to a live endpoint; writes are upserts where the endpoint allows."""

    format: ClassVar[str] | str

    def write(self, payload: Any, *, skip: frozenset[str] = frozenset()) -> WriteResult:
        """Write ``payload``; records whose id is in ``skip`` were written by an earlier run."""
        ...


class Checkpoint:
    """Progress of a sync, saved atomically to a JSON file after every page.

    It records the next link to fetch, counters and the ids already written,
    so a rerun after a crash continues with the first unfinished page and
    does not write a record twice. ``path=None`` keeps it in memory.
    """

    def __init__(self, path: str | os.PathLike[str] | None, *, key: str = "") -> None:
        self.path = Path(path) if path is not None else None
        self.key = key
        self.next_link: str | None = None
        self.pages = 0
        self.records = 0
        self.written_ids: set[str] = set()
        self.done = False
        if self.path is not None and self.path.exists():
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise MimbridgeError(f"{self.path}: checkpoint is not JSON ({exc}); delete it to start over") from exc
        if data.get("version") != CHECKPOINT_VERSION:
            raise MimbridgeError(f"{self.path}: checkpoint version {data.get('version')!r} is not supported")
        if self.key and data.get("key") and data["key"] != self.key:
            raise MimbridgeError(
                f"{self.path}: checkpoint belongs to another sync ({data['key']}); use another file or delete it"
            )
        self.next_link = data.get("next_link")
        self.pages = int(data.get("pages", 0))
        self.records = int(data.get("records", 0))
        self.written_ids = set(data.get("written_ids", []))
        self.done = bool(data.get("done", False))

    @property
    def started(self) -> bool:
        """True when an earlier run made progress."""
        return self.pages > 0 or self.done

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": CHECKPOINT_VERSION, "key": self.key, "next_link": self.next_link, "pages": self.pages,
            "records": self.records, "done": self.done, "written_ids": sorted(self.written_ids),
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

    def advance(self, *, next_link: str | None, ids: Iterable[str] = (), records: int = 0) -> None:
        """Record a finished page and save."""
        self.written_ids.update(ids)
        self.records += records
        self.pages += 1
        self.next_link = next_link
        self.done = next_link is None
        self.save()
