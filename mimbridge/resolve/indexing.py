"""The triple store filled behind staged loading: :func:`index_store` (``mimbridge index``).

:func:`index_pending` converts every file that :func:`~mimbridge.resolve.staging.stage_file`
staged since the last indexing into its own named graph (through the store's bulk
loader) and publishes a snapshot that records up to which staging it holds, so running
resolvers switch from the staged records to the snapshot for those entities.
:func:`index_store` opens a store folder and indexes until nothing is pending (one
indexer at a time); :func:`start_indexer` runs it as a background process.

>>> import json, tempfile
>>> from pathlib import Path
>>> from mimbridge.resolve.staging import stage_file
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "rooms.json").write_text(json.dumps([{"id": "urn:ngsi-ld:Room:1", "type": "Room"}]))
>>> _ = stage_file(folder / "store", folder / "rooms.json", source="ngsi-ld")
>>> [(r.entities, r.triples) for r in index_store(folder / "store")]
[(1, 1)]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..report import ConversionReport
from .bulk import BulkResult, load_records
from .snapshots import publish
from .staging import RecordStore
from .store import OxigraphStore

__all__ = ["index_pending", "index_store", "start_indexer"]

LOCK = "index.lock"
LOG = "index.log"


def index_pending(store: OxigraphStore, *, batch: int = 2000, progress: Callable[[str, int], None] | None = None,
                  publish_snapshot: bool = True) -> list[BulkResult]:
    """Convert every file staged since the last indexing into ``store`` (its own named graph each, through
    the bulk loader) and publish a snapshot that holds them; returns the :class:`~mimbridge.resolve.bulk.BulkResult`
    of each graph (empty: nothing was pending)."""
    if store.path is None or not RecordStore.exists(store.path):
        return []
    rs = RecordStore(store.path)
    results: list[BulkResult] = []
    try:
        rs.con.execute("BEGIN")  # one read snapshot of the records for the whole indexing
        upto, done = rs.seq(), rs.indexed()
        if upto <= done:
            rs.con.execute("COMMIT")
            return []
        todo = rs.con.execute("SELECT graph, source, options, indexed FROM graphs WHERE seq > ? ORDER BY graph",
                              (done,)).fetchall()
        for graph, source, opts, indexed in todo:
            rowids = array("q")  # the staged row of each record converted, to say where a loss was in the file
            whole = not indexed or not store.store.contains_named_graph(ox.NamedNode(graph))
            if not whole:  # only the entities changed since the graph was indexed: out, then in again
                _remove_entities(store, graph, (iri for (iri,) in rs.con.execute(
                    "SELECT iri FROM records WHERE graph = ? AND changed = 1", (graph,))))
            query = ("SELECT rowid, body FROM records WHERE graph = ? AND body IS NOT NULL" if whole else
                     "SELECT rowid, body FROM records WHERE graph = ? AND changed = 1 AND body IS NOT NULL")

            def bodies(query: str = query, graph: str = graph, rowids: array[int] = rowids) -> Iterator[bytes]:
                for rowid, body in rs.con.execute(query, (graph,)):
                    rowids.append(rowid)
                    yield body

            tick = (lambda n, _t, _s, _g=graph: progress(_g, n)) if progress else None
            result = load_records(store, bodies(), graph=graph, source=source, batch=batch, progress=tick,
                                  replace=whole, **json.loads(opts))
            def where(k: int, rowids: array[int] = rowids) -> str | None:
                return rs.pointer(rowids[k]) if k < len(rowids) else None

            result.report = _in_file(result.report, where)
            results.append(result)
        rs.con.execute("COMMIT")
        if publish_snapshot:
            publish(store, staged=upto)
        # tombstones go one indexing later: a resolver may read the snapshot before this one a while longer
        rs.mark_indexed(upto, purge_upto=done)
    finally:
        if rs.con.in_transaction:
            rs.con.execute("ROLLBACK")
        rs.close()
    return results


def _remove_entities(store: OxigraphStore, graph: str, iris: Iterator[str]) -> None:
    """Remove from ``graph`` each entity's triples and those of its blank (attribute) nodes."""
    g = ox.NamedNode(graph)
    ox_store = store.store
    for iri in iris:
        frontier: list[Any] = [ox.NamedNode(iri)]
        quads: list[ox.Quad] = []
        seen: set[Any] = set(frontier)
        while frontier:
            node = frontier.pop()
            for q in ox_store.quads_for_pattern(node, None, None, g):
                quads.append(q)
                o = q.object
                if isinstance(o, ox.BlankNode) and o not in seen:
                    seen.add(o)
                    frontier.append(o)
        for q in quads:
            ox_store.remove(q)


def _in_file(report: ConversionReport, where: Callable[[int], str | None]) -> ConversionReport:
    """``report`` with each ``/k/...`` (the k-th record converted) rewritten to where the record was in its
    file (``/N/...`` of a JSON array, ``line N/...`` of JSON Lines)."""
    def moved(path: str) -> str:
        head, _, rest = path[1:].partition("/")
        if not path.startswith("/") or not head.isdigit():
            return path
        at = where(int(head))
        return path if at is None else (at + "/" + rest if rest else at)

    found = ConversionReport(source=report.source, target=report.target)
    found.events = [type(ev)(path=moved(ev.path), message=ev.message, remedy=ev.remedy, count=ev.count,
                             paths=[moved(p) for p in ev.paths]) for ev in report.events]
    out = ConversionReport(source=report.source, target=report.target)
    out.records_in, out.records_out = report.records_in, report.records_out
    out.extend(found)
    return out


def index_store(folder: str | os.PathLike[str], *, batch: int = 2000,
                progress: Callable[[str, int], None] | None = None) -> list[BulkResult]:
    """Open the triple store of ``folder`` and :func:`index_pending` until nothing is pending.

    One indexer at a time: a second one waits for the first (``index.lock``), then indexes
    what was staged meanwhile. Returns the :class:`~mimbridge.resolve.bulk.BulkResult` of each graph."""
    import fcntl

    folder = Path(folder)
    if not RecordStore.exists(folder):
        return []
    with open(folder / LOCK, "a+", encoding="ascii") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.seek(0)
        lock.truncate()
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        results: list[BulkResult] = []
        store = OxigraphStore(folder)
        try:
            while done := index_pending(store, batch=batch, progress=progress):
                results += done
        finally:
            store.close()
        return results


def start_indexer(folder: str | os.PathLike[str]) -> Path:
    """Start ``mimbridge index`` on ``folder`` as a background process of its own; returns its log file."""
    log = Path(folder) / LOG
    with open(log, "ab") as fh:
        subprocess.Popen([sys.executable, "-m", "mimbridge", "index", "--store", str(folder)],  # noqa: S603
                         stdin=subprocess.DEVNULL, stdout=fh, stderr=fh, start_new_session=True, close_fds=True)
    return log
