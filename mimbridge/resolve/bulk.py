"""Bulk loading of files into an embedded store: streamed input, batched conversion, the store's bulk loader.

:func:`bulk_load_file` replaces the named graph of one file. Files that
:func:`mimbridge.stream.stream` reads record by record (a JSON array of NGSI-LD
entities, JSON Lines, GeoJSON features, ...) are converted to N-Triples a batch of
records at a time and go through pyoxigraph's bulk loader in a second thread while
the next ones are converted (the first batches alone, then in growing calls); RDF
files (N-Triples, N-Quads, Turtle, RDF/XML) go to the bulk loader unconverted. Loading the same file again gives the
same graph: an unchanged file (same bytes, format and options, recorded in
``loaded.json`` in the store folder) is skipped, a changed one replaces the old graph
(removed first: in one step when it is all the store holds, else quad by quad, which
costs about three times as much as loading them), and
:func:`~mimbridge.resolve.snapshots.publish` makes the result visible to running
resolvers in one step, so none ever sees a half-written graph.

>>> import json, tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "rooms.json").write_text(json.dumps([{"id": "urn:ngsi-ld:Room:1", "type": "Room"}]))
>>> with OxigraphStore(folder / "store") as store:
...     r = bulk_load_file(store, folder / "rooms.json", source="ngsi-ld")
>>> r.entities, r.triples, r.skipped
(1, 1, False)
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
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import MimbridgeError, ParseError
from ..report import ConversionReport
from .staging import RecordStore
from .store import OxigraphStore, checked_iri, source_graph

__all__ = ["BulkResult", "Progress", "bulk_load_file", "load_records"]

RDF_FORMATS = {"ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
               "turtle": ox.RdfFormat.TURTLE, "rdfxml": ox.RdfFormat.RDF_XML}


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


#: most bytes of N-Triples per call of the store's bulk loader. Each call has a cost of its own (five calls of
#: 720,000 quads took 22% less CPU than twenty-five of 144,000), so calls grow: the first converted batches go
#: alone, so that loading starts early, then each call takes as much as all before it, up to this size
MAX_CALL_BYTES = 64 << 20


class _Loader(threading.Thread):
    """Feeds N-Triples to the store's bulk loader (which releases the GIL) in a second thread, in calls that
    grow up to :data:`MAX_CALL_BYTES` (the batches are numbered apart, so joined batches keep their blank nodes
    apart)."""

    def __init__(self, store: Any, graph: ox.NamedNode) -> None:
        super().__init__(daemon=True, name="mimbridge-bulk-loader")
        self.store, self.graph = store, graph
        self.jobs: queue.Queue[bytes | None] = queue.Queue(maxsize=1)
        self.error: BaseException | None = None
        self.pending: list[bytes] = []
        self.size = self.sent = 0

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
        self.pending.append(data)
        self.size += len(data)
        if self.size >= min(MAX_CALL_BYTES, self.sent):
            self._send()

    def _send(self) -> None:
        if self.pending:
            self.jobs.put(b"".join(self.pending) if len(self.pending) > 1 else self.pending[0])
            self.sent += self.size
            self.pending, self.size = [], 0

    def finish(self, *, complete: bool) -> None:
        """Wait for the loads; ``complete``: the input was read to its end (else what waits is not loaded)."""
        if complete and self.error is None:
            self._send()
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
    if store.path is not None and RecordStore.exists(store.path):  # loaded here now, no longer staged
        rs = RecordStore(store.path)
        rs.forget_graph(g.value)
        rs.close()
    return result


def _drop_graph(ox_store: Any, g: ox.NamedNode) -> None:
    """Remove the named graph ``g``; when it is all the store holds, the store is cleared in one step
    (removing quad by quad costs about three times as much as loading them)."""
    alone = all(n == g for n in ox_store.named_graphs()) and \
        next(iter(ox_store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None
    if alone:
        ox_store.clear()
    else:
        ox_store.remove_graph(g)


def load_records(store: OxigraphStore, records: Iterator[bytes], *, graph: str, source: str, batch: int = 2000,
                 progress: Progress | None = None, replace: bool = True, **options: Any) -> BulkResult:
    """Replace the named graph ``graph`` with ``records`` (each one JSON text of format ``source``); with
    ``replace=False`` add them to what the graph holds.

    >>> with OxigraphStore() as store:
    ...     load_records(store, iter([b'{"id": "urn:ngsi-ld:Room:1", "type": "Room"}']),
    ...                  graph="urn:example:rooms", source="ngsi-ld").triples
    1
    """
    g = checked_iri(graph)
    return _bulk_load(store, Path(), g, source, batch, progress, options, time.perf_counter(), lines=records,
                      replace=replace)


def _bulk_load(store: OxigraphStore, path: Path, g: ox.NamedNode, source: str, batch: int,
               progress: Progress | None, options: dict[str, Any], t0: float,
               lines: Iterator[bytes] | None = None, replace: bool = True) -> BulkResult:
    ox_store = store.store
    if replace and ox_store.contains_named_graph(g):
        _drop_graph(ox_store, g)  # re-loading the same file gives the same graph
    triples = 0
    if source in RDF_FORMATS and lines is None:
        report = ConversionReport(source=source, target=source)
        try:
            ox_store.bulk_load(path=str(path), format=RDF_FORMATS[source], to_graph=g)
        except SyntaxError as exc:
            raise ParseError(f"not valid {source}: {exc}", pointer=str(path)) from exc
        ox_store.flush()
        triples = sum(1 for _ in ox_store.quads_for_pattern(None, None, None, g))
        if progress:
            progress(0, triples, time.perf_counter() - t0)
        return BulkResult(g.value, triples, 0, time.perf_counter() - t0, report)
    from ..stream import stream

    opts = dict(options)
    opts.setdefault("roundtrip", False)  # the JSON-LD triples only, as store.to_ntriples
    opts.setdefault("blank_nodes", True)
    chunks = stream(path if lines is None else lines, source=source, target="ntriples", batch=batch,
                    lines=lines is not None or None, **opts)
    loader = _Loader(ox_store, g)
    loader.start()
    complete = False
    try:
        for text in chunks:  # one converted batch each, blank nodes labelled apart
            data = text.encode("utf-8")
            if data.strip():
                loader.put(data)
            triples += data.count(b"\n")
            if progress:
                progress(chunks.report.records_in, triples, time.perf_counter() - t0)
        complete = True
    finally:
        loader.finish(complete=complete)
    ox_store.flush()
    report = chunks.report
    return BulkResult(g.value, triples, report.records_in, time.perf_counter() - t0, report)
