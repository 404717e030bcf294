"""Record-by-record conversion in bounded memory: :func:`stream`.

:func:`~mimbridge.convert.convert` holds a whole document; :func:`stream`
reads records one by one (entities, Features, SensorThings entities,
N-Triples subjects), converts them in batches of ``batch`` records through the
same adapters, and yields the output text chunk by chunk. Memory stays flat
however large the input; the report aggregates as it goes (counts per event
kind, the first paths of each), with paths counted from the start of the input.

What streams (``STREAMABLE``):

* JSON Lines (``lines=True``, or a ``.jsonl`` / ``.ndjson`` file): one record a
  line, for every JSON format (a bad line is reported and skipped);
* a top-level JSON array (NGSI-LD entities, GeoJSON Features, SensorThings
  entities), read a megabyte at a time, each record parsed by Python's C JSON
  scanner (:mod:`mimbridge.jsonseq`);
* a GeoJSON / NGSI-LD GeoJSON ``FeatureCollection`` (``features`` streamed) and,
  to a SensorThings target, a SensorThings page (``value`` streamed); the
  collection's other members are written once (members that follow the records
  in the input follow them in the output too). To other targets a SensorThings
  page is itself a record (a ``Collection`` entity) and is converted whole;
  JSON Lines or an array of SensorThings entities stream to every target;
* N-Triples and N-Quads, grouped into records as they come: a record is a
  subject and the nodes it reaches that follow it (mimbridge's own output, and
  any subject-grouped file); Turtle through pyoxigraph's incremental parser.

Everything else (RDF/XML, JSON-LD as RDF, WFS GML, dataArray, ``native``, a
single JSON object that is not a collection) is converted whole, as by
``convert``, and yielded as one chunk. A SensorThings tree whose Observations
come in a later record than their Datastream streams too: each ``value`` item
is a self-contained tree.

For the same input, the concatenated chunks equal ``dumps(convert(...).output)``
(plus a final newline) for JSON arrays, JSON Lines, N-Triples and N-Quads, and
the reports are equal (tested); Turtle output declares each prefix once, where
it is first needed.

>>> s = stream([{"id": f"urn:ngsi-ld:T:{i}", "type": "T"} for i in range(3)], source="ngsi-ld",
...            target="ngsi-ld-keyvalues", batch=2)
>>> print("".join(s), end="")
[
  {
    "id": "urn:ngsi-ld:T:0",
    "type": "T"
  },
  {
    "id": "urn:ngsi-ld:T:1",
    "type": "T"
  },
  {
    "id": "urn:ngsi-ld:T:2",
    "type": "T"
  }
]
>>> (s.report.records_in, s.report.lossless)
(3, True)
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

from . import registry
from .convert import check_options, dumps, observations_for_sosa, scoped_options, table_option
from .errors import LossyConversionError, MimbridgeError
from .fastjson import lines as json_lines
from .gcpause import no_gc
from .jsonseq import JsonSequence
from .limits import JsonScreen, Limits, guarded
from .model import Graph
from .records import (
    Relabeler,
    batched,
    drop_list_note,
    nt_records,
    only_batches,
    shift_report,
    shifted_report,
    turtle_records,
)
from .report import ConversionReport, Dropped, Rejected

__all__ = ["STREAMABLE", "STREAM_TARGETS", "Stream", "shifted_report", "stream"]

#: source format -> how its records are found: "json" (array / JSON Lines / collection member), "nt" (line
#: groups), "turtle" (incremental parse); formats not listed are converted whole
STREAMABLE: dict[str, str] = {
    "geojson": "json", "ngsi-ld": "json", "ngsi-ld-concise": "json", "ngsi-ld-geojson": "json",
    "ngsi-ld-keyvalues": "json", "ngsi-ld-temporal": "json", "nquads": "nt", "ntriples": "nt",
    "ogc-records": "json", "sta": "json", "sta2": "json", "turtle": "turtle",
}
#: collection member that holds the records, per JSON source format
#: target formats whose output can be written batch by batch (others are converted whole)
STREAM_TARGETS = frozenset({"geojson", "ngsi-ld", "ngsi-ld-concise", "ngsi-ld-geojson", "ngsi-ld-keyvalues",
                            "ngsi-ld-temporal", "nquads", "ntriples", "sta", "sta2", "turtle"})
_MEMBER = {"geojson": "features", "ngsi-ld-geojson": "features", "ogc-records": "features", "sta": "value",
           "sta2": "value"}
_LINES_SUFFIXES = (".jsonl", ".ndjson")
#: bytes read (and screened) at a time from JSON input
_READ = 1 << 20


class Stream:
    """An iterator of output text chunks; ``report`` is complete once it is exhausted.

    ``records`` counts the records read so far (progress); ``target`` and
    ``source`` are the canonical format names.
    """

    def __init__(self, chunks: Iterator[str], report: ConversionReport, source: str, target: str) -> None:
        self._chunks = chunks
        self.report = report
        self.source = source
        self.target = target
        self.records = 0
        #: called with the running record count after each batch (progress bars); settable
        self.on_record: Callable[[int], None] | None = None
        self._fh: Any = None

    def position(self) -> int:
        """Bytes of the input consumed so far (0 when the input is not a file or bytes)."""
        try:
            return int(self._fh.tell()) if self._fh is not None else 0
        except (OSError, ValueError):
            return 0

    def __iter__(self) -> Iterator[str]:
        return self._chunks

    def __next__(self) -> str:
        return next(self._chunks)

    def write_to(self, out: Any) -> ConversionReport:
        """Write every chunk to a text file object; returns the report."""
        for chunk in self._chunks:
            out.write(chunk)
        return self.report


def stream(data: Any, *, source: str, target: str, strict: bool = False, lines: bool | None = None,
           output_lines: bool = False, batch: int = 500, read_options: dict[str, Any] | None = None,
           write_options: dict[str, Any] | None = None, on_record: Callable[[int], None] | None = None,
           **options: Any) -> Stream:
    """Convert ``data`` record by record; iterate the result for output text, then read ``.report``.

    ``data``: a path, a binary or text file object, bytes / str, or parsed
    JSON. ``lines``: JSON Lines input (default: from a ``.jsonl`` / ``.ndjson``
    file name). ``output_lines``: write JSON Lines (one record a line) instead of
    one JSON document. ``batch``: records per conversion (memory is about ``batch``
    records). ``on_record(n)`` is called with the running record count
    (progress bars). ``strict=True`` raises LossyConversionError at the first
    loss, after the output of the records before it. Options as for
    :func:`~mimbridge.convert.convert`.

    >>> s = stream(b'{"id": "urn:ngsi-ld:T:1", "type": "T"}\\n{"id": "urn:ngsi-ld:T:2", "type": "T"}\\n',
    ...            source="ngsi-ld", target="ntriples", lines=True)
    >>> len("".join(s).splitlines()), s.report.records_in
    (2, 2)
    """
    src = registry.get(source)
    dst = registry.get(target)
    if batch < 1:
        raise ValueError("batch must be at least 1")
    lim = Limits.of(options.pop("limits", None))
    table = table_option(options)
    check_options(options, src, dst)
    r_opts, w_opts = scoped_options(options, read_options, write_options)
    if read_options:
        check_options(read_options, src, side="reader")
    if write_options:
        check_options(write_options, dst, side="writer")
    r_opts = observations_for_sosa(src, dst, r_opts, w_opts)
    report = ConversionReport(source=src.name, target=dst.name)
    if lines is None:
        name = str(data) if isinstance(data, (str, os.PathLike)) and not _looks_like_content(data) else \
            getattr(data, "name", "")
        lines = isinstance(name, str) and name.lower().endswith(_LINES_SUFFIXES)
    s = Stream(iter(()), report, src.name, dst.name)
    s.on_record = on_record
    pipe = _Pipeline(src, dst, report, r_opts, w_opts, table, strict, s, output_lines)
    # limits and the last-resort guard hold while the chunks are produced (as for convert)
    s._chunks = guarded(pipe.run(data, bool(lines), batch), lim, src.name)
    return s


def _looks_like_content(data: Any) -> bool:
    return isinstance(data, str) and (len(data) > 4096 or "\n" in data or data.lstrip()[:1] in "[{<@")


# -- input -----------------------------------------------------------------------------------------
def _binary(data: Any) -> BinaryIO | None:
    """A binary file object for paths, bytes, file objects and iterables of lines; None for parsed JSON."""
    if isinstance(data, os.PathLike) or (isinstance(data, str) and not _looks_like_content(data)):
        try:
            return open(data, "rb")
        except OSError as exc:
            raise MimbridgeError(f"cannot read {data}: {exc.strerror}") from exc
    if isinstance(data, (bytes, bytearray)):
        return io.BytesIO(bytes(data))
    if isinstance(data, str):
        return io.BytesIO(data.encode("utf-8"))
    if hasattr(data, "read"):
        probe = data.read(0)
        if isinstance(probe, str):  # a text stream: encoded as it is read, never read whole
            return io.BufferedReader(_Chunks(iter(lambda: data.read(1 << 16), "")))  # type: ignore[arg-type]
        return data  # type: ignore[no-any-return]
    if isinstance(data, Iterator):  # lines of a Spark / Dask partition, a generator
        return io.BufferedReader(_Chunks(data, lines=True))  # type: ignore[arg-type]
    return None


class _Chunks(io.RawIOBase):
    """An iterator of str / bytes pieces as a raw binary stream (lines get their newline if they lack one)."""

    def __init__(self, pieces: Iterator[Any], *, lines: bool = False) -> None:
        self._pieces = pieces
        self._buf = b""
        self._lines = lines

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            raw = piece.encode("utf-8") if isinstance(piece, str) else bytes(piece)
            self._buf = raw + b"\n" if self._lines and not raw.endswith(b"\n") else raw
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _skip_bom(fh: BinaryIO) -> BinaryIO:
    buf = io.BufferedReader(fh) if not hasattr(fh, "peek") else fh  # type: ignore[arg-type,type-var]
    if buf.peek(3)[:3] == b"\xef\xbb\xbf":  # type: ignore[attr-defined]
        buf.read(3)
    return buf  # type: ignore[return-value]


class _Pipeline:
    def __init__(self, src: Any, dst: Any, report: ConversionReport, r_opts: dict[str, Any],
                 w_opts: dict[str, Any], table: dict[str, Any] | None, strict: bool, s: Stream,
                 output_lines: bool) -> None:
        self.src, self.dst, self.report = src, dst, report
        self.r_opts, self.w_opts, self.table, self.strict = r_opts, w_opts, table, strict
        self.s, self.output_lines = s, output_lines
        self.seen_prefixes: set[str] = set()
        self.env: dict[str, Any] | None = None
        self.dropped_env: set[str] = set()
        self.relabel = Relabeler()
        self.session = _writer_session()

    # -- driving ---------------------------------------------------------------------------------
    def run(self, data: Any, lines: bool, batch: int) -> Iterator[str]:
        from .adapters.rdf.check import SEEN_IDS
        from .adapters.rdf.session import SESSION

        kind = STREAMABLE.get(self.src.name)
        fh = _binary(data)
        self.s._fh = fh
        seen = SEEN_IDS.set(set())  # a duplicate id across batches is reported as within one document
        session = SESSION.set(self.session)  # one RDF writer for every batch (memos kept, numbering goes on)
        try:
            if kind is None or self.dst.name not in STREAM_TARGETS or (fh is None and not isinstance(data, list)):
                yield from self._whole(data if fh is None else fh.read())
                return
            if kind == "json":
                if fh is None:  # parsed JSON: a list streams as it is
                    yield from self._frames(batched(iter(data), batch), "array", None)
                    return
                # screened a megabyte at a time (the screen rescans its 64 KiB tail with every read)
                fh = _skip_bom(io.BufferedReader(JsonScreen(fh), buffer_size=_READ))  # type: ignore[arg-type]
                if lines:
                    yield from self._frames(batched(self._json_lines(fh), batch), "array", None)
                    return
                yield from self._json(fh, batch)
            elif kind == "nt":
                yield from self._frames(batched(nt_records(fh), batch), "text", None)
            else:
                assert fh is not None
                yield from self._frames(batched(turtle_records(fh, self.r_opts.get("base")), batch), "text", None)
        finally:
            pairs: tuple[tuple[Any, Any], ...] = ((SEEN_IDS, seen), (SESSION, session))
            for var, token in pairs:
                try:
                    var.reset(token)
                except ValueError:  # finalised in another context (an abandoned stream collected later)
                    var.set(None)
            if fh is not None and fh is not data:
                fh.close()

    def _whole(self, data: Any) -> Iterator[str]:
        from .convert import convert

        result = convert(data, source=self.src.name, target=self.dst.name, strict=self.strict,
                         **self._flat_options())
        self.report.extend(result.report)
        self.report.records_in += result.report.records_in
        self.report.records_out += result.report.records_out
        text = dumps(result.output)
        yield text + ("" if text.endswith("\n") else "\n")

    def _flat_options(self) -> dict[str, Any]:
        opts = dict(self.r_opts)
        opts.update(self.w_opts)
        if self.table is not None:
            opts.update({"terms": self.table["table"], "allow_close": self.table["allow_close"],
                         "terms_direction": self.table["direction"]})
        return opts

    def _json_lines(self, fh: BinaryIO) -> Iterator[Any]:
        for n, _, _, value, exc in json_lines(fh):
            if exc is None:
                yield value
            else:
                self.report.add(Rejected, f"line {n}", f"malformed JSON line: {exc}",
                                remedy="fix the line; the other lines were converted")

    def _json(self, fh: BinaryIO, batch: int) -> Iterator[str]:
        first = fh.peek(64)[:64].lstrip()[:1] if hasattr(fh, "peek") else b""  # type: ignore[attr-defined]
        if first == b"[":
            yield from self._frames(JsonSequence(fh).batches(batch), "array", None)
            return
        member = _MEMBER.get(self.src.name)
        if member == "value" and self.dst.name not in ("sta", "sta2") and self.r_opts.get("mapping") != "observations":
            member = None  # a SensorThings page is itself a record (a Collection) for other targets
        if first != b"{" or member is None:
            yield from self._whole(fh.read())
            return
        # a collection object: ``member`` streamed, the other top-level members kept (envelope)
        seq = JsonSequence(fh, member=member)
        self.env = seq.envelope
        yield from self._frames(seq.batches(batch), "collection", (member, seq.order, []))

    # -- converting ------------------------------------------------------------------------------
    def _convert(self, records: list[Any], start: int, line0: int, only: bool = False) -> Any:
        """One batch through read -> (table) -> write; report paths shifted to the whole input."""
        rep = ConversionReport(source=self.src.name, target=self.dst.name)
        src_name = self.src.name
        data: Any = records
        if STREAMABLE.get(src_name) == "json" and src_name in _MEMBER:
            data = dict(self.env or {})
            if _MEMBER[src_name] == "features":
                data.setdefault("type", "FeatureCollection")
            data[_MEMBER[src_name]] = records
        elif STREAMABLE.get(src_name) in ("nt", "turtle"):
            data = "".join(records)
        with no_gc():
            graph: Graph = self.src.read(data, report=rep, **self.r_opts)
            if not only:  # a batch of a longer input is never "one entity" (convert would write a list)
                graph.meta.pop("ngsi-ld:single", None)
            if self.table is not None:
                from .mapping.apply import apply_mapping

                graph = apply_mapping(graph, self.table["table"], allow_close=self.table["allow_close"],
                                      direction=self.table["direction"], report=rep)
            self.dst.check(graph, rep, self.w_opts)  # what the target, with these options, cannot hold
            lone = not only and len(graph.nodes) == 1
            if self.dst.name == "turtle":  # via N-Triples: blank nodes are renumbered before Turtle is written
                nt = registry.get("ntriples").write(graph, report=rep, **self.w_opts)
                out = self.dst.from_ntriples(self._numbered(drop_list_note(nt) if lone else nt), **self.w_opts)
            else:
                out = self.dst.write(graph, report=rep, **self.w_opts)
                if lone and isinstance(out, str):
                    out = drop_list_note(out)
            del graph
        shift_report(rep, start, line0)
        self.report.extend(rep)
        self.report.records_in += rep.records_in
        self.report.records_out += rep.records_out
        if self.strict and self.report.events:
            raise LossyConversionError(self.report)
        return out

    def _frames(self, batches: Iterable[list[Any]], shape: str, coll: Any) -> Iterator[str]:
        """Convert batches and frame their outputs as one document (JSON array, collection or text).

        Each batch is parsed, converted and serialised with the cyclic garbage collector paused, and its
        records and output are let go before the collector runs again: it never scans a live batch (a
        collection at every few hundred new objects cost a tenth of a SensorThings Observation's conversion).
        """
        start = line0 = 0
        opened = False
        framing: str | None = None
        member = None
        last_env: dict[str, Any] = {}
        written: set[str] = set()
        it = only_batches(batches)
        pending: list[str] = []
        while True:
            yield from pending  # the text of the batch before, with the collector running
            pending = []
            emit = pending.append
            with no_gc():
                nxt = next(it, None)
                if nxt is None:
                    break
                records, only = nxt
                out: Any = None
                try:
                    out = self._convert(records, start, line0, only and shape == "text")
                    if STREAMABLE.get(self.src.name) in ("nt", "turtle"):
                        line0 += sum(r.count("\n") for r in records)
                    start += len(records)
                    self.s.records = start
                    if self.s.on_record is not None:
                        self.s.on_record(start)
                    if self.output_lines and not isinstance(out, str):
                        framing = "lines"
                        pending.extend(self._lines(out, coll))
                        continue
                    if isinstance(out, str):
                        framing = "text"
                        emit(self._text(out if self.dst.name == "turtle" else self._numbered(out)))
                        continue
                    if isinstance(out, list):
                        if not out:
                            continue
                        head = "," if opened else "["
                        framing, opened = "array", True
                        emit(head + _items_text(out))
                        continue
                    if isinstance(out, dict):
                        member = member or _list_member(out, coll)
                        if member is None:
                            emit(dumps(out) + "\n")  # one object per batch: only possible for one record
                            framing = "done"
                            continue
                        last_env = {k: v for k, v in out.items() if k != member}
                        if not opened:
                            framing, opened = "collection", True
                            before, _ = _split_envelope(out, member)
                            written = {k for k, _ in before}
                            emit("{\n" + "".join(f"  {json.dumps(k, ensure_ascii=False)}: "
                                                 f"{_indent(json.dumps(v, ensure_ascii=False, indent=2)).lstrip()},\n"
                                                 for k, v in before) + f"  {json.dumps(member)}: [")
                            self._first_item = True
                        if out[member]:
                            sep = "" if self._first_item else ","
                            self._first_item = False
                            emit(sep + _items_text(out[member]).replace("\n", "\n  "))
                finally:
                    del nxt, records, out  # let the batch go while the collector is still paused
        if framing == "array":
            yield "\n]\n"
        elif framing == "collection":
            # the last batch has every envelope member; those that came after the records in the input
            # (not known when the head was written) follow the records
            after = [(k, v) for k, v in last_env.items() if k not in written]
            tail = "".join(f",\n  {json.dumps(k, ensure_ascii=False)}: "
                           f"{_indent(json.dumps(v, ensure_ascii=False, indent=2)).lstrip()}" for k, v in after)
            yield ("\n  ]" if not self._first_item else "]") + tail + "\n}\n"
        elif framing == "lines":
            return
        elif framing is None:  # no record at all: what convert gives for an empty input
            yield from self._empty(shape)

    def _numbered(self, nt: str) -> str:
        """A batch's N-Triples with blank nodes numbered on from the batches before (by the writer, or here)."""
        return nt if self.session.continuous else self.relabel(nt)

    def _lines(self, out: Any, coll: Any) -> Iterator[str]:
        """JSON Lines output: one record a line; a collection's other members cannot be carried."""
        if isinstance(out, dict):
            member = _list_member(out, coll)
            if member is None:
                items: list[Any] = [out]
            else:
                items = out[member]
                for k in out:
                    if k != member and k not in self.dropped_env:
                        self.dropped_env.add(k)
                        self.report.add(Dropped, f"/{k}", f"collection member {k!r} is not carried by JSON Lines",
                                        remedy="write one JSON document (not .jsonl) to keep it")
        else:
            items = out
        yield "".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n" for item in items)

    def _empty(self, shape: str) -> Iterator[str]:
        if self.dst.capabilities.output == "text":
            return
        yield "[]\n"

    def _text(self, out: str) -> str:
        """Text chunks; Turtle prefix lines already written are left out."""
        if not out.startswith("@prefix") and not out.startswith("@base"):
            return out
        keep = []
        for line in out.splitlines(keepends=True):
            if line.startswith(("@prefix", "@base")):
                if line in self.seen_prefixes:
                    continue
                self.seen_prefixes.add(line)
            keep.append(line)
        return "".join(keep)


def _writer_session() -> Any:
    from .adapters.rdf.session import WriterSession

    return WriterSession()


def _items_text(items: list[Any]) -> str:
    """A batch's items as in an indented JSON array, without its brackets (``"\\n  {...},\\n  {...}"``).

    One serialisation per batch, as ``dumps`` makes it (one per item cost a third more).

    >>> _items_text([{"a": 1}, 2])
    '\\n  {\\n    "a": 1\\n  },\\n  2'
    """
    return dumps(items)[1:-2]


def _indent(text: str, n: int = 2) -> str:
    pad = " " * n
    return pad + text.replace("\n", "\n" + pad)


def _list_member(out: dict[str, Any], coll: Any) -> str | None:
    if coll is not None and isinstance(out.get(coll[0]), list):
        return str(coll[0])
    for k in ("features", "value", "data"):
        if isinstance(out.get(k), list):
            return k
    return None


def _split_envelope(out: dict[str, Any], member: str) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    keys = list(out)
    i = keys.index(member)
    return [(k, out[k]) for k in keys[:i]], [(k, out[k]) for k in keys[i + 1:]]


