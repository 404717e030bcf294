"""Stream records from a source to a sink as they arrive: the streaming counterpart of :func:`~.sync.sync`.

:func:`bridge` reads the source's pages (an MQTT subscription, or any finite
source) on a reader thread, converts every message (or micro-batch of
``batch`` messages, flushed at least every ``flush_interval`` seconds) with
:func:`mimbridge.convert` and writes it to the sink. A message that cannot be
read or converted is reported with its topic and the error, and skipped; the
bridge goes on (a batch in which a message fails, or loses a part the reader
rejects, is converted again message by message, so that the report names the
message's topic). A source marks a message it could not read with a page whose
payload is the exception (see :mod:`.mqtt`). Sources that acknowledge
messages (``hold_acks()`` / ``ack(page)``) are acknowledged only after the
write, so a message is never acknowledged before it is in the sink.

    >>> from mimbridge.clients.base import Page, WriteResult
    >>> class Src:
    ...     format = "sta"
    ...     def pages(self, *, start=None):
    ...         yield Page({"@iot.id": 1, "result": 20.5, "phenomenonTime": "2024-01-01T00:00:00Z",
    ...                     "Datastream": {"@iot.id": 1}}, url="v1.1/Datastreams(1)/Observations", count=1)
    ...         yield Page(b"oops", url="v1.1/Datastreams(1)/Observations", count=1)
    >>> class Sink:
    ...     format = "ngsi-ld"
    ...     def __init__(self): self.got = []
    ...     def write(self, payload, *, skip=frozenset()):  # one entity, or several
    ...         items = payload if isinstance(payload, list) else [payload]
    ...         self.got.extend(items); return WriteResult(written=[e["id"] for e in items])
    >>> sink = Sink()
    >>> summary = bridge(Src(), sink)
    >>> summary.messages, summary.converted, [e["id"] for e in sink.got][:1]
    (2, 1, ['urn:ngsi-ld:sta:Observation:1'])
    >>> summary.rejected[0][0], summary.rejected[0][1][:32]
    ('v1.1/Datastreams(1)/Observations', 'ParseError: line 1 column 1: mal')
"""

from __future__ import annotations

import contextlib
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .. import registry
from ..convert import convert
from ..errors import MimbridgeError, ParseError
from ..report import ConversionReport, Rejected
from .base import Page, Sink, Source

__all__ = ["Bridge", "BridgeEvent", "BridgeSummary", "bridge"]

_END = object()


@dataclass(frozen=True, slots=True)
class BridgeEvent:
    """Something the bridge did: ``kind`` is ``written`` (a batch is in the sink), ``rejected`` (a message
    could not be read or converted), ``failed`` (the sink refused records) or ``error`` (the source failed)."""

    kind: str
    topic: str | None
    message: str
    messages: int = 0
    records: int = 0


@dataclass
class BridgeSummary:
    """What a bridge run did.

    ``messages`` received (pages), ``converted`` of them, ``written`` records
    the sink took, ``rejected`` (topic, error) messages that could not be read
    or converted, ``failed`` (id, reason) records the sink refused,
    ``unprocessed`` messages received but not written when the bridge stopped,
    the merged loss ``report``, ``seconds`` of the run and ``busy_seconds``
    from the first message to the last write; ``stopped_by`` says why it ended
    (``end``, ``stop``, ``stop_after``, ``interrupt``, ``error``).
    """

    messages: int = 0
    converted: int = 0
    written: int = 0
    batches: int = 0
    rejected: list[tuple[str | None, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    unprocessed: int = 0
    report: ConversionReport = field(default_factory=ConversionReport)
    seconds: float = 0.0
    busy_seconds: float = 0.0
    stopped_by: str = "end"
    error: str | None = None

    @property
    def rate(self) -> float:
        """Messages per second while messages were flowing."""
        return self.messages / self.busy_seconds if self.busy_seconds > 0 else 0.0

    def line(self) -> str:
        """One line for a terminal."""
        return (f"{self.messages} messages, {self.converted} converted, {self.written} records written, "
                f"{len(self.rejected)} rejected, {len(self.failed)} failed, {self.unprocessed} unprocessed "
                f"in {self.seconds:.1f} s ({self.rate:,.0f} messages/s; stopped by {self.stopped_by})")


def _merge(payloads: list[Any], *, text: bool) -> Any:
    """One payload from several: text joined by lines, JSON entities (collections unwrapped) in one array."""
    if len(payloads) == 1:
        return payloads[0]
    if text:
        return "\n".join(p if p.endswith("\n") else p + "\n" for p in payloads)
    out: list[Any] = []
    for p in payloads:
        if isinstance(p, dict) and isinstance(p.get("value"), list):
            out.extend(p["value"])
        elif isinstance(p, list):
            out.extend(p)
        else:
            out.append(p)
    return out


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class Bridge:
    """A running bridge; :meth:`run` until the source ends or :meth:`stop` is called (from any thread).

    The arguments are those of :func:`bridge`.
    """

    def __init__(self, source: Source, sink: Sink, *, target_format: str | None = None, batch: int = 1,
                 flush_interval: float = 1.0, strict: bool = False,
                 on_event: Callable[[BridgeEvent], None] | None = None, stop_after: int | None = None,
                 **options: Any) -> None:
        if batch < 1:
            raise ValueError("batch must be >= 1")
        self.source = source
        self.sink = sink
        self.target = target_format or sink.format
        self.text_source = registry.get(source.format).capabilities.output == "text"
        self.batch = batch
        self.flush_interval = flush_interval
        self.strict = strict
        self.on_event = on_event
        self.stop_after = stop_after
        self.options = options
        self.summary = BridgeSummary(report=ConversionReport(source=source.format, target=self.target))
        self._stop = threading.Event()
        self._interrupted = threading.Event()
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max(2 * batch, 16))
        self._first: float | None = None

    def stop(self) -> None:
        """Stop after the batch in hand is written."""
        self._stop.set()

    def _emit(self, kind: str, topic: str | None, message: str, *, messages: int = 0, records: int = 0) -> None:
        if self.on_event is not None:
            self.on_event(BridgeEvent(kind, topic, message, messages, records))

    def _read(self) -> None:
        """Reader thread: put the source's pages on the queue (bounded), then ``_END`` or the exception."""
        end: Any = _END
        pages = self.source.pages()
        try:
            for page in pages:
                while not self._stop.is_set():
                    try:
                        self._queue.put(page, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if self._stop.is_set():
                    break
        except BaseException as exc:  # handed to the main thread
            end = exc
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()  # runs the source's clean-up (an MQTT disconnect) now, on this thread
        while True:
            try:
                self._queue.put(end, timeout=0.1)
                return
            except queue.Full:
                if self._stop.is_set():
                    return

    def _convert(self, pages: list[Page]) -> tuple[Any, list[Page]]:
        """Convert a batch; when it fails, convert message by message to isolate the bad ones."""
        good = [p for p in pages if not isinstance(p.payload, BaseException)]
        for p in pages:
            if isinstance(p.payload, BaseException):
                self._reject(p, p.payload)
        if not good:
            return None, []
        try:
            result = convert(_merge([p.payload for p in good], text=self.text_source), source=self.source.format,
                             target=self.target, strict=self.strict, **self.options)
            rejected = [e for e in result.report.events if isinstance(e, Rejected)]
            if rejected and len(good) > 1:
                raise ParseError("a message of the batch was rejected", pointer=rejected[0].path)
        except (MimbridgeError, ValueError) as exc:
            if len(good) == 1:
                self._reject(good[0], exc)
                return None, []
            outputs, kept = [], []
            for p in good:
                out, ok = self._convert([p])
                if ok:
                    outputs.append(out)
                    kept.extend(ok)
            if not kept:
                return None, []
            text = all(isinstance(o, str) for o in outputs)
            return _merge(outputs, text=text), kept
        self._merge_report(result.report)
        for event in rejected:  # one message, part of it not readable: the rest is written
            self._reject(good[0], ParseError(f"part of the message rejected: {event.message}", pointer=event.path))
        return result.output, good

    def _merge_report(self, rep: ConversionReport) -> None:
        self.summary.report.extend(rep)
        self.summary.report.records_in += rep.records_in
        self.summary.report.records_out += rep.records_out

    def _reject(self, page: Page, exc: BaseException) -> None:
        text = _describe(exc)
        self.summary.rejected.append((page.url, text))
        self._emit("rejected", page.url, text, messages=1)

    def _flush(self, pages: list[Page]) -> None:
        if not pages:
            return
        out_before = self.summary.report.records_out
        output, kept = self._convert(pages)
        converted = self.summary.report.records_out - out_before
        self.summary.converted += len(kept)
        if kept:
            try:
                result = self.sink.write(output)
            except MimbridgeError as exc:
                reason = _describe(exc)
                self.summary.failed.extend((p.url or "?", reason) for p in kept)
                self._emit("failed", kept[0].url, reason, messages=len(kept))
            else:
                count = converted if result.whole else len(result.written)
                self.summary.written += count
                self.summary.failed.extend(result.failed)
                for rid, reason in result.failed:
                    self._emit("failed", rid, reason)
                self._emit("written", kept[-1].url, f"{count} records", messages=len(kept), records=count)
        self.summary.batches += 1
        ack = getattr(self.source, "ack", None)
        if ack is not None:
            ack(pages[-1])
        self.summary.busy_seconds = time.perf_counter() - (self._first or time.perf_counter())

    def run(self) -> BridgeSummary:
        """Bridge until the source ends, :meth:`stop`, ``stop_after`` messages or Ctrl-C; return the summary."""
        started = time.perf_counter()
        pending: list[Page] = []  # the batch in hand
        summary = self.summary
        reader = threading.Thread(target=self._read, name="mimbridge-bridge-reader", daemon=True)
        with self._sigint():
            try:
                self._loop(reader, pending)
            except KeyboardInterrupt:  # a second Ctrl-C, or a program that raises it itself
                self._interrupted.set()
            finally:
                if self._interrupted.is_set():
                    summary.stopped_by = "interrupt"
                self._stop.set()
                stop = getattr(self.source, "stop", None)
                if stop is not None:
                    stop()
                if reader.is_alive():
                    reader.join(timeout=5.0)
                summary.unprocessed = len(pending) + sum(1 for x in self._drain() if isinstance(x, Page))
                summary.seconds = time.perf_counter() - started
        return summary

    @contextlib.contextmanager
    def _sigint(self) -> Iterator[None]:
        """On the main thread, Ctrl-C (SIGINT) sets a flag the loop polls every 0.1 s, instead of raising.

        A ``KeyboardInterrupt`` is raised wherever the main thread happens to be:
        before the loop's ``try`` while the bridge starts, or inside a finaliser,
        which swallows it, and the bridge would run on. The flag cannot be lost.
        A second Ctrl-C raises ``KeyboardInterrupt`` as usual. A program that
        installed its own SIGINT handler keeps it.
        """
        if threading.current_thread() is not threading.main_thread() or \
                signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
            yield
            return

        def handler(signum: int, frame: Any) -> None:
            self._interrupted.set()
            signal.signal(signal.SIGINT, signal.default_int_handler)

        signal.signal(signal.SIGINT, handler)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)

    def _loop(self, reader: threading.Thread, pending: list[Page]) -> None:
        """Take pages off the queue and flush batches until the end, a stop or an interrupt."""
        summary = self.summary
        hold = getattr(self.source, "hold_acks", None)
        if hold is not None:
            hold()
        reader.start()
        deadline = float("inf")
        while True:
            if self._interrupted.is_set():
                return  # the batch in hand is not written (counted in ``unprocessed``)
            if self._stop.is_set():
                summary.stopped_by = "stop"
                break
            timeout = min(0.1, max(deadline - time.monotonic(), 0.0))
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                if pending and time.monotonic() >= deadline:
                    self._flush(pending)
                    pending.clear()
                    deadline = float("inf")
                continue
            if item is _END:
                break
            if isinstance(item, BaseException):
                summary.stopped_by, summary.error = "error", _describe(item)
                self._emit("error", None, summary.error)
                break
            if self._first is None:
                self._first = time.perf_counter()
            summary.messages += 1
            pending.append(item)
            if len(pending) == 1:
                deadline = time.monotonic() + self.flush_interval
            if len(pending) >= self.batch:
                self._flush(pending)
                pending.clear()
                deadline = float("inf")
            if self.stop_after is not None and summary.messages >= self.stop_after:
                summary.stopped_by = "stop_after"
                break
        if not self._interrupted.is_set():
            self._flush(pending)
            pending.clear()

    def _drain(self) -> list[Any]:
        items = []
        while True:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                return items


def bridge(source: Source, sink: Sink, *, target_format: str | None = None, batch: int = 1,
           flush_interval: float = 1.0, strict: bool = False, on_event: Callable[[BridgeEvent], None] | None = None,
           stop_after: int | None = None, **options: Any) -> BridgeSummary:
    """Convert and write every message of ``source`` into ``sink`` as it arrives; return a :class:`BridgeSummary`.

    ``target_format`` (default ``sink.format``) is what messages are converted
    to; ``batch`` messages are converted and written together (at the latest
    ``flush_interval`` seconds after the first of them); ``strict`` rejects a
    message whose conversion would lose data; ``on_event`` receives every
    :class:`BridgeEvent`; ``stop_after`` stops after that many messages.
    ``options`` go to :func:`mimbridge.convert` (``mapping="observations"`` ...).
    Ctrl-C stops it cleanly (``stopped_by="interrupt"``, the batch in hand not
    written and counted in ``unprocessed``). See the module docstring for an example.
    """
    return Bridge(source, sink, target_format=target_format, batch=batch, flush_interval=flush_interval,
                  strict=strict, on_event=on_event, stop_after=stop_after, **options).run()
