"""Bulk loading of files into an embedded store: streamed input, batched conversion, the store's bulk loader.

:func:`bulk_load_file` replaces the named graph of one file. NGSI-LD files (a JSON
array of entities, JSON Lines, or one entity) are read a batch of entities at a time
(:func:`iter_json`), each batch converted to N-Triples by mimbridge while the previous one
goes through pyoxigraph's bulk loader in a second thread; RDF files (N-Triples, N-Quads,
Turtle, RDF/XML) go to the bulk loader unconverted; other formats are converted whole.
Loading the same file again gives the same graph: an unchanged file (same bytes, format and
options, recorded in ``loaded.json`` in the store folder) is skipped, a changed one replaces
the old graph (removed first, which costs about as much as loading), and
:func:`~mimbridge.resolve.snapshots.publish` makes the result visible to running resolvers
in one step, so none ever sees a half-written graph.

>>> import io
>>> [e["id"] for e in iter_json(io.StringIO('[{"id": "urn:a"},\\n {"id": "urn:b"}]'))]
['urn:a', 'urn:b']
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from ..errors import MimbridgeError, ParseError
from ..report import ConversionReport
from .store import OxigraphStore, checked_iri, source_graph, to_ntriples

__all__ = ["BulkResult", "Progress", "bulk_load_file", "iter_json"]

RDF_FORMATS = {"ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
               "turtle": ox.RdfFormat.TURTLE, "rdfxml": ox.RdfFormat.RDF_XML}
STREAMED = frozenset({"ngsi-ld", "ngsi-ld-keyvalues", "ngsi-ld-concise"})
_WS = " \t\r\n"


@dataclass(slots=True)
class BulkResult:
    """What :func:`bulk_load_file` did: ``graph``, ``triples`` and ``entities`` loaded, ``seconds``, ``report``."""

    graph: str
    triples: int
    entities: int
    seconds: float
    report: ConversionReport
    skipped: bool = False


#: progress callback: (entities so far, triples so far, seconds so far)
Progress = Callable[[int, int, float], None]


def iter_json(fh: IO[str], *, chunk: int = 1 << 20) -> Iterator[Any]:
    """The values of a JSON array, of JSON Lines, or one JSON value, read ``chunk`` characters at a time.

    >>> import io
    >>> list(iter_json(io.StringIO('{"a": 1}\\n{"a": 2}\\n'))), list(iter_json(io.StringIO("[]")))
    ([{'a': 1}, {'a': 2}], [])
    """
    dec = json.JSONDecoder()
    buf, pos, eof, offset = "", 0, False, 0
    in_array: bool | None = None

    def more() -> bool:
        nonlocal buf, pos, eof, offset
        data = fh.read(chunk)
        offset += pos
        buf, pos = buf[pos:] + data, 0
        eof = not data
        return not eof

    while True:
        while True:  # skip white space (and commas between array items)
            while pos < len(buf) and (buf[pos] in _WS or (in_array and buf[pos] == ",")):
                pos += 1
            if pos < len(buf) or not more():
                break
        if pos >= len(buf):
            if in_array:
                raise ParseError("the JSON array is not closed", pointer=f"character {offset + pos}",
                                 expected="']'")
            return
        if in_array is None:
            in_array = buf[pos] == "["
            if in_array:
                pos += 1
                continue
        if in_array and buf[pos] == "]":
            return
        try:
            value, end = dec.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            if more():
                continue
            raise ParseError(f"not valid JSON: {exc.msg}", pointer=f"character {offset + exc.pos}",
                             expected="a JSON value") from exc
        if end == len(buf) and not isinstance(value, (dict, list)) and more():
            continue  # a number or literal may go on in the next chunk
        yield value
        pos = end


def _batches(path: Path, size: int) -> Iterator[list[Any]]:
    with open(path, encoding="utf-8") as fh:
        values = iter_json(fh)
        while True:
            batch = list(islice(values, size))
            if not batch:
                return
            yield batch


class _Loader(threading.Thread):
    """Feeds N-Triples batches to the store's bulk loader (which releases the GIL) in a second thread."""

    def __init__(self, store: Any, graph: ox.NamedNode) -> None:
        super().__init__(daemon=True, name="mimbridge-bulk-loader")
        self.store, self.graph = store, graph
        self.jobs: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None

    def run(self) -> None:
        while (data := self.jobs.get()) is not None:
            if self.error is None:
                try:
                    self.store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=self.graph)
                except (SyntaxError, OSError) as exc:
                    self.error = exc

    def put(self, data: bytes) -> None:
        if self.error is not None:
            raise MimbridgeError(f"bulk load failed: {self.error}") from self.error
        self.jobs.put(data)

    def finish(self) -> None:
        self.jobs.put(None)
        self.join()
        if self.error is not None:
            raise MimbridgeError(f"bulk load failed: {self.error}") from self.error


def _digest(path: Path, source: str, options: dict[str, Any]) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(json.dumps([source, options], sort_keys=True, default=str).encode("utf-8"))
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _ledger(store: OxigraphStore) -> tuple[Path, dict[str, Any]]:
    assert store.path is not None
    path = store.path / "loaded.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    return path, data if isinstance(data, dict) else {}


def _record(store: OxigraphStore, graph: str, entry: dict[str, Any] | None) -> None:
    path, data = _ledger(store)
    if entry is None:
        data.pop(graph, None)
    else:
        data[graph] = entry
    tmp = path.with_name(f".loaded.{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def bulk_load_file(store: OxigraphStore, path: str | Path, *, source: str, graph: str | None = None,
                   batch: int = 2000, progress: Progress | None = None, force: bool = False,
                   **options: Any) -> BulkResult:
    """Replace the named graph ``graph`` (default: the file's ``file:`` URI) with the file at ``path``.

    ``source`` is a canonical format name; ``options`` go to :func:`mimbridge.convert`. A file
    loaded before into the same graph with the same bytes, format and options is skipped unless ``force``.
    """
    path = Path(path)
    g = checked_iri(graph or source_graph(path))
    ox_store = store.store
    t0 = time.perf_counter()
    digest = _digest(path, source, options) if store.path is not None else ""
    if digest:
        before = _ledger(store)[1].get(g.value)
        if not force and before and before.get("digest") == digest and ox_store.contains_named_graph(g):
            return BulkResult(g.value, before["triples"], before["entities"], time.perf_counter() - t0,
                              ConversionReport(source=source, target="ntriples"), skipped=True)
        _record(store, g.value, None)
    result = _bulk_load(store, path, g, source, batch, progress, options, t0)
    if digest:
        _record(store, g.value, {"digest": digest, "triples": result.triples, "entities": result.entities})
    return result


def _bulk_load(store: OxigraphStore, path: Path, g: ox.NamedNode, source: str, batch: int,
               progress: Progress | None, options: dict[str, Any], t0: float) -> BulkResult:
    ox_store = store.store
    if ox_store.contains_named_graph(g):
        ox_store.remove_graph(g)  # re-loading the same file gives the same graph
    report = ConversionReport(source=source, target="ntriples")
    entities = triples = 0
    if source in RDF_FORMATS:
        try:
            ox_store.bulk_load(path=str(path), format=RDF_FORMATS[source], to_graph=g)
        except SyntaxError as exc:
            raise ParseError(f"not valid {source}: {exc}", pointer=str(path)) from exc
        ox_store.flush()
        triples = sum(1 for _ in ox_store.quads_for_pattern(None, None, None, g))
        if progress:
            progress(0, triples, time.perf_counter() - t0)
        return BulkResult(g.value, triples, 0, time.perf_counter() - t0, report)
    loader = _Loader(ox_store, g)
    loader.start()
    try:
        chunks: Iterator[Any] = _batches(path, batch) if source in STREAMED else iter([path])
        for i, chunk in enumerate(chunks):
            try:
                text, rep = to_ntriples(chunk, source=source, **options)
            except ParseError as exc:
                if source not in STREAMED:
                    raise
                raise exc.at(f"{path}: entities from {i * batch}") from exc
            report.extend(rep)
            data = text.encode("utf-8")
            loader.put(data)
            triples += data.count(b"\n")
            entities += len(chunk) if source in STREAMED else 0
            if progress:
                progress(entities, triples, time.perf_counter() - t0)
    finally:
        loader.finish()
    ox_store.flush()
    return BulkResult(g.value, triples, entities, time.perf_counter() - t0, report)
