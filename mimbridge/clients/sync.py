"""Move records from a source endpoint to a sink endpoint, page by page, resumably.

Each page is converted with :func:`mimbridge.convert` (``source.format`` ->
``sink.format``), written, and only then recorded in the checkpoint together
with the sink's cursor. A crash between the write and the checkpoint replays
that page: a file sink is first rewound (truncated) to the cursor of the last
finished page, SPARQL Update and NGSI-LD upserts replace what they wrote, so
a rerun neither loses nor duplicates records. (SensorThings ``POST`` creates
are not upserts: there a crash can repeat the records of the page it cut.)

    >>> from mimbridge.clients.base import Page, WriteResult
    >>> class Src:
    ...     format = "ngsi-ld"
    ...     def pages(self, *, start=None):
    ...         yield Page([{"id": "urn:ngsi-ld:T:1", "type": "T"}], url="p1", next_link=None, count=1)
    >>> class Sink:
    ...     format = "ngsi-ld-keyvalues"
    ...     def __init__(self): self.got = []
    ...     def write(self, payload, *, skip=frozenset()):
    ...         self.got.extend(payload); return WriteResult(written=[e["id"] for e in payload])
    >>> sink = Sink()
    >>> sync(Src(), sink).records, sink.got
    (1, [{'id': 'urn:ngsi-ld:T:1', 'type': 'T'}])
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO

from ..convert import convert
from ..report import ConversionReport
from .base import Checkpoint, Sink, Source

__all__ = ["Progress", "SyncSummary", "sync"]


@dataclass
class SyncSummary:
    """What a sync did: pages and records read, records written, per-record failures, the merged loss report."""

    pages: int = 0
    records: int = 0
    written: int = 0
    skipped_pages: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    report: ConversionReport = field(default_factory=ConversionReport)
    seconds: float = 0.0
    resumed_from: str | None = None

    def line(self) -> str:
        rate = self.records / self.seconds if self.seconds > 0 else 0.0
        resumed = f", resumed at {self.resumed_from}" if self.resumed_from else ""
        return (f"{self.pages} pages, {self.records} records, {self.written} written, {len(self.failed)} failed "
                f"in {self.seconds:.1f} s ({rate:,.0f} records/s){resumed}")


class Progress:
    """A one-line progress display on a terminal (records, pages, rate); silent when not a TTY unless forced."""

    def __init__(self, *, stream: TextIO | None = None, enabled: bool | None = None, label: str = "") -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled if enabled is not None else bool(getattr(self.stream, "isatty", lambda: False)())
        self.label = label
        self.start = time.perf_counter()
        self._last = 0.0

    def update(self, *, pages: int, records: int, total: int | None = None, note: str = "") -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if now - self._last < 0.1 and note == "":
            return
        self._last = now
        elapsed = max(now - self.start, 1e-9)
        of = f"/{total}" if total is not None else ""
        text = f"\r{self.label}{records}{of} records, {pages} pages, {records / elapsed:,.0f} rec/s {note}"
        self.stream.write(text.ljust(78))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def sync(
    source: Source,
    sink: Sink,
    *,
    checkpoint: Checkpoint | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    max_pages: int | None = None,
    on_page: Callable[[int, Any], None] | None = None,
    **options: Any,
) -> SyncSummary:
    """Copy every page of ``source`` into ``sink``; return a :class:`SyncSummary`.

    ``checkpoint`` makes the run resumable; a finished checkpoint makes it a
    no-op. ``options`` go to :func:`mimbridge.convert` (``mapping=``,
    ``context=`` ...). ``strict`` stops at the first page that would lose data
    (nothing of that page is written). ``max_pages`` stops early (the
    checkpoint then points at the next page).
    """
    cp = checkpoint if checkpoint is not None else Checkpoint(None)
    summary = SyncSummary(report=ConversionReport(source=source.format, target=sink.format))
    started = time.perf_counter()
    if cp.done:
        summary.seconds = 0.0
        return summary
    cursor = getattr(sink, "cursor", None)
    durable = cp.path is not None
    if cp.started:
        rewind = getattr(sink, "rewind", None)
        if cp.sink is not None and rewind is not None:
            rewind(cp.sink)
        start = cp.next_link if cp.pages else None
        summary.resumed_from = start
    else:
        start = None
        if cursor is not None and durable:
            cp.begin(sink=cursor(durable=True))
    skip = cp.skip
    for n, page in enumerate(source.pages(start=start)):
        result = convert(page.payload, source=source.format, target=sink.format, strict=strict, **options)
        summary.report.extend(result.report)
        summary.report.records_in += result.report.records_in
        summary.report.records_out += result.report.records_out
        written = sink.write(result.output, skip=skip)
        summary.failed.extend(written.failed)
        count = result.report.records_out if written.whole else len(written.written)
        summary.written += count
        summary.pages += 1
        summary.records += page.count
        cp.advance(next_link=page.next_link, records=page.count, written=count,
                   sink=cursor(durable=durable) if cursor is not None else None)
        if on_page is not None:
            on_page(n, page)
        if progress is not None:
            progress.update(pages=summary.pages, records=summary.records, total=page.total)
        if max_pages is not None and summary.pages >= max_pages:
            break
    if progress is not None:
        progress.close()
    summary.seconds = time.perf_counter() - started
    return summary
