"""Staged loading: NGSI-LD entities stored by id at load time, the triple store filled behind.

Converting and bulk-loading an entity costs about a millisecond of CPU here (the
store's bulk loader alone takes 8-10 us per triple, 72 triples an entity), so a
city-sized load through the triple store takes minutes. :func:`stage_file`
instead stores each entity's JSON under its id in ``records.sqlite`` in the
store folder (one SQLite transaction per file, so a running resolver sees the
old file or the new one, never half of it), which is all a resolver needs to
answer for that entity: :class:`LayeredStore` describes a staged entity by
converting its record on the first request (the representation cache keeps
the answer). :func:`mimbridge.resolve.indexing.index_pending` then converts the staged files into the
triple store with the bulk loader and publishes a snapshot that says up to
which staging it holds; from then on the snapshot answers for them, with
referrers (links from staged entities show in the HTML page once indexed).

A staging has a number (``seq``); entities removed from a file are kept as
tombstones until the snapshot no longer holds them. Only the NGSI-LD entity
formats stage (their records carry the subject's IRI as ``id``); other formats
load through the triple store (:func:`mimbridge.resolve.bulk.bulk_load_file`).

>>> import json, tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "rooms.json").write_text(json.dumps([{"id": "urn:ngsi-ld:Room:1", "type": "Room"}]))
>>> r = stage_file(folder / "store", folder / "rooms.json", source="ngsi-ld")
>>> r.entities, r.rejected, r.skipped
(1, 0, False)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import queue
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import MimbridgeError, ParseError, ResolutionError
from ..identifiers import normal_urn
from ..report import ConversionReport, Rejected
from .store import (
    OxigraphStore,
    TripleStore,
    checked_iri,
    parse_triples,
    referrers_in,
    source_graph,
    to_ntriples,
)

__all__ = ["RECORDS", "STAGEABLE", "LayeredStore", "RecordStore", "StageResult", "stage_file"]

RECORDS = "records.sqlite"
#: the formats whose records stage: entities whose ``id`` is their subject IRI
STAGEABLE = frozenset({"ngsi-ld", "ngsi-ld-concise", "ngsi-ld-keyvalues"})
#: options that change the subject IRIs of the records (those files load through the triple store)
_MINTING = frozenset({"minting", "mint_base"})
_ROWS = 2000  # rows per executemany call

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records(
    iri TEXT NOT NULL, graph TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB, at TEXT,
    changed INTEGER NOT NULL DEFAULT 1, UNIQUE (iri, graph));
CREATE INDEX IF NOT EXISTS records_by_graph ON records(graph, seq);
CREATE INDEX IF NOT EXISTS records_changed ON records(graph) WHERE changed = 1;
CREATE TABLE IF NOT EXISTS graphs(
    graph TEXT PRIMARY KEY, source TEXT NOT NULL, options TEXT NOT NULL, digest TEXT NOT NULL,
    seq INTEGER NOT NULL, staged REAL NOT NULL, entities INTEGER NOT NULL, indexed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class RecordStore:
    """The staged records of a store folder (``records.sqlite``); ``read_only`` for resolvers.

    >>> import tempfile
    >>> rs = RecordStore(tempfile.mkdtemp())
    >>> rs.seq(), rs.indexed()
    (0, 0)
    """

    def __init__(self, folder: str | os.PathLike[str], *, read_only: bool = False) -> None:
        self.folder = Path(folder)
        self.path = self.folder / RECORDS
        self.read_only = read_only
        try:
            if read_only:
                self.con = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True, check_same_thread=False,
                                           isolation_level=None)
            else:
                self.folder.mkdir(parents=True, exist_ok=True)
                self.con = sqlite3.connect(self.path, isolation_level=None, timeout=60, check_same_thread=False)
                self.con.execute("PRAGMA journal_mode=WAL")
                self.con.execute("PRAGMA synchronous=NORMAL")
                self.con.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise ResolutionError(f"cannot open staged records {self.path}: {exc}") from exc

    @staticmethod
    def exists(folder: str | os.PathLike[str]) -> bool:
        """True when the store folder has staged records."""
        return (Path(folder) / RECORDS).is_file()

    def seq(self) -> int:
        """The number of the last staging (0: none)."""
        row = self.con.execute("SELECT COALESCE(MAX(seq), 0) FROM graphs").fetchone()
        return int(row[0])

    def indexed(self) -> int:
        """Up to which staging the triple store holds the records."""
        row = self.con.execute("SELECT value FROM state WHERE key = 'indexed'").fetchone()
        return int(row[0]) if row else 0

    def staged_at(self) -> float:
        """When the last staging was committed (seconds since the epoch; 0: never)."""
        row = self.con.execute("SELECT COALESCE(MAX(staged), 0) FROM graphs").fetchone()
        return float(row[0])

    def graph_info(self, graph: str) -> dict[str, Any] | None:
        row = self.con.execute("SELECT source, options, digest, seq, entities FROM graphs WHERE graph = ?",
                               (graph,)).fetchone()
        if row is None:
            return None
        return {"source": row[0], "options": json.loads(row[1]), "digest": row[2], "seq": row[3],
                "entities": row[4]}

    def pending(self, iri: str, after: int) -> list[tuple[str, bytes | None, int]]:
        """``(graph, body, seq)`` of the stagings of ``iri`` after staging ``after`` (body None: removed)."""
        return self.con.execute("SELECT graph, body, seq FROM records WHERE iri = ? AND seq > ?",
                                (iri, after)).fetchall()

    def pending_graphs(self, after: int) -> list[str]:
        return [r[0] for r in self.con.execute("SELECT graph FROM graphs WHERE seq > ? ORDER BY graph", (after,))]

    def transaction(self) -> _transaction:
        """``with records.transaction():`` one write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``)."""
        return _transaction(self.con)

    def pointer(self, rowid: int) -> str | None:
        """Where the staged record ``rowid`` was in its file (``/N`` or ``line N``)."""
        row = self.con.execute("SELECT at FROM records WHERE rowid = ?", (rowid,)).fetchone()
        return row[0] if row else None

    def mark_indexed(self, upto: int, *, purge_upto: int) -> None:
        """The triple store holds the stagings up to ``upto``; tombstones up to ``purge_upto`` go."""
        with _transaction(self.con):
            self.con.execute("INSERT OR REPLACE INTO state VALUES ('indexed', ?)", (upto,))
            self.con.execute("UPDATE records SET changed = 0 WHERE changed = 1 AND seq <= ?", (upto,))
            self.con.execute("UPDATE graphs SET indexed = seq WHERE seq <= ?", (upto,))
            self.con.execute("DELETE FROM records WHERE body IS NULL AND changed = 0 AND seq <= ?", (purge_upto,))

    def forget_graph(self, graph: str) -> None:
        """Drop the staged records of ``graph`` (it was loaded through the triple store instead)."""
        with _transaction(self.con):
            self.con.execute("DELETE FROM records WHERE graph = ?", (graph,))
            self.con.execute("DELETE FROM graphs WHERE graph = ?", (graph,))

    def close(self) -> None:
        self.con.close()


class _transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on an exception)."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def __enter__(self) -> sqlite3.Connection:
        self.con.execute("BEGIN IMMEDIATE")
        return self.con

    def __exit__(self, kind: Any, *_: Any) -> None:
        self.con.execute("ROLLBACK" if kind is not None else "COMMIT")


@dataclass(slots=True)
class StageResult:
    """What :func:`stage_file` did: ``entities`` staged, ``removed`` (in the file before, not now),
    ``rejected`` records, ``seconds``, the ``report`` of the rejections, ``skipped`` (unchanged file)."""

    graph: str
    entities: int
    seconds: float
    seq: int
    report: ConversionReport
    removed: int = 0
    rejected: int = 0
    skipped: bool = False
    ids: list[str] = field(default_factory=list, repr=False)


def _digest(path: Path, source: str, options: dict[str, Any]) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(json.dumps([source, options, "staged"], sort_keys=True, default=str).encode("utf-8"))
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _records(path: Path, source: str, report: ConversionReport) -> Iterator[tuple[str, tuple[Any, bytes | None]]]:
    """``(pointer, (record, its JSON text or None))`` of a JSON array, JSON Lines or single-entity file
    (depth-screened)."""
    from ..fastjson import lines
    from ..jsonseq import array_items
    from ..limits import JsonScreen

    with open(path, "rb") as raw:
        fh = io.BufferedReader(JsonScreen(raw), buffer_size=1 << 20)  # type: ignore[arg-type]
        if path.suffix.lower() in (".jsonl", ".ndjson"):
            for n, _, line, value, exc in lines(fh):
                if exc is None:
                    yield f"line {n}", (value, line)
                else:
                    report.add(Rejected, f"line {n}", f"malformed JSON line: {exc}",
                               remedy="fix the line; the other lines were staged")
            return
        head = fh.peek(64)[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if head == b"[":  # each record's own text is staged as it is (cut out, not written again)
            for i, item in enumerate(array_items(fh)):
                yield f"/{i}", item
        elif head == b"{":
            try:
                yield "", (json.loads(fh.read()), None)
            except (ValueError, RecursionError) as exc:
                raise ParseError(f"not valid JSON: {exc}", pointer=str(path)) from exc
        else:
            raise ParseError(f"expected a JSON array, an object or JSON Lines of {source} entities",
                             pointer=str(path))


def _subject(rec: Any) -> str:
    if not isinstance(rec, dict):
        raise ValueError("expected an entity (a JSON object)")
    ident = rec.get("id", rec.get("@id"))
    if not isinstance(ident, str):
        raise ValueError("expected an entity with a string 'id'")
    iri = normal_urn(ident)
    checked_iri(iri)
    return iri


def stage_file(folder: str | os.PathLike[str], path: str | os.PathLike[str], *, source: str,
               graph: str | None = None, force: bool = False, progress: Callable[[int], None] | None = None,
               **options: Any) -> StageResult:
    """Stage the entities of the file at ``path`` as the named graph ``graph`` (default: the file's URI).

    The file's earlier staging is replaced in one transaction; entities no longer in it
    become tombstones; an unchanged file (same bytes, format, options) is skipped unless ``force``.
    A record without a string ``id`` that is an IRI is rejected (reported), the others are staged.
    ``options`` (JSON values) are kept and used when the records are converted (indexing, the resolver);
    ``force`` also has the next indexing replace the file's whole graph.
    """
    if source not in STAGEABLE:
        raise MimbridgeError(f"staged loading takes NGSI-LD entities ({', '.join(sorted(STAGEABLE))}), "
                             f"not {source}; load it through the triple store (without --defer)")
    if _MINTING & options.keys():
        raise MimbridgeError("staged loading keeps the entity ids; load with minting options without --defer")
    try:
        options_text = json.dumps(options, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise MimbridgeError(f"staged loading keeps the conversion options as JSON: {exc}") from exc
    path = Path(path)
    g = checked_iri(graph or source_graph(path)).value
    t0 = time.perf_counter()
    report = ConversionReport(source=source, target="staged")
    rs = RecordStore(folder)
    try:
        digest = _digest(path, source, options)
        before = rs.graph_info(g)
        if before is not None and not force and before["digest"] == digest:
            return StageResult(g, before["entities"], time.perf_counter() - t0, before["seq"], report, skipped=True)
        return _stage(rs, path, g, source, digest, options_text, report, progress, t0, force)
    finally:
        rs.close()


def _stage(rs: RecordStore, path: Path, g: str, source: str, digest: str, options_text: str,
           report: ConversionReport, progress: Callable[[int], None] | None, t0: float, force: bool) -> StageResult:
    from ..fastjson import dumps
    from ..gcpause import no_gc

    con = rs.con
    entities = rejected = 0
    with _transaction(con):
        seq = int(con.execute("SELECT COALESCE(MAX(seq), 0) FROM graphs").fetchone()[0]) + 1
        rows: list[tuple[str, str, int, bytes, str]] = []
        where: dict[str, str] = {}  # iri -> pointer, within the current batch of rows
        writer = _Writer(con)  # SQLite writes (the GIL released) while the next rows are parsed
        writer.start()
        complete = False
        try:
            with no_gc():  # parsed records hold no cycles: the collector would only rescan the batch in hand
                for pointer, (rec, text) in _records(path, source, report):
                    try:
                        iri = _subject(rec)
                    except (ValueError, ResolutionError) as exc:
                        rejected += 1
                        report.add(Rejected, pointer or "/", f"not staged: {exc}",
                                   remedy="give the entity an IRI as its id; the other entities were staged")
                        continue
                    if iri in where:
                        rejected += 1
                        report.add(Rejected, pointer or "/", f"the id {iri} appears again (first at {where[iri]}); "
                                   "the first is kept", remedy="merge the two entities into one")
                        continue
                    where[iri] = pointer
                    rows.append((iri, g, seq, text if text is not None else dumps(rec), pointer))
                    if len(rows) >= _ROWS:
                        writer.put(rows, where)
                        rows, where = [], {}
                        if progress:
                            progress(writer.count)
            writer.put(rows, where)
            complete = True
        finally:
            writer.finish(complete=complete)
        entities = writer.count
        rejected += sum(e.count for e in writer.report.events)
        report.extend(writer.report)
        # entities no longer in the file: tombstones (kept until the triple store no longer holds them)
        removed = con.execute("UPDATE records SET body = NULL, seq = ?, changed = 1 WHERE graph = ? AND seq < ? "
                              "AND body IS NOT NULL", (seq, g, seq)).rowcount
        con.execute("INSERT INTO graphs VALUES (?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (graph) DO UPDATE SET "
                    "source = excluded.source, options = excluded.options, digest = excluded.digest, "
                    "seq = excluded.seq, staged = excluded.staged, entities = excluded.entities, "
                    "indexed = CASE WHEN graphs.source = excluded.source AND graphs.options = excluded.options "
                    "AND NOT ? THEN graphs.indexed ELSE 0 END",  # else the graph is indexed anew, whole
                    (g, source, options_text, digest, seq, time.time(), entities, force))
    if progress:
        progress(entities)
    report.records_in = entities + rejected
    report.records_out = entities
    return StageResult(g, entities, time.perf_counter() - t0, seq, report, removed=removed, rejected=rejected)


class _Writer(threading.Thread):
    """Inserts batches of rows into the open transaction of ``con`` in a thread of its own."""

    def __init__(self, con: sqlite3.Connection) -> None:
        super().__init__(daemon=True, name="mimbridge-stage-writer")
        self.con = con
        self.jobs: queue.Queue[tuple[list[tuple[str, str, int, bytes, str]], dict[str, str]] | None] = \
            queue.Queue(maxsize=2)
        self.count = 0
        self.error: BaseException | None = None
        self.report = ConversionReport(source="", target="")

    def run(self) -> None:
        while (job := self.jobs.get()) is not None:
            if self.error is None:
                try:
                    self.count += _put(self.con, job[0], job[1], self.report)
                except sqlite3.Error as exc:
                    self.error = exc

    def put(self, rows: list[tuple[str, str, int, bytes, str]], where: dict[str, str]) -> None:
        if self.error is not None:
            raise ResolutionError(f"cannot stage records: {self.error}") from self.error
        if rows:
            self.jobs.put((rows, where))

    def finish(self, *, complete: bool) -> None:
        self.jobs.put(None)
        self.join()
        if self.error is not None and complete:
            raise ResolutionError(f"cannot stage records: {self.error}") from self.error


def _put(con: sqlite3.Connection, rows: list[tuple[str, str, int, bytes, str]], where: dict[str, str],
         report: ConversionReport) -> int:
    """Insert one batch; an id staged by an earlier batch of the same file keeps its first record."""
    if not rows:
        return 0
    before = con.total_changes
    con.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (iri, graph) DO UPDATE SET "
                    "body = excluded.body, seq = excluded.seq, at = excluded.at, "
                    "changed = records.changed OR records.body IS NOT excluded.body "
                    "WHERE records.seq < excluded.seq", rows)
    done = con.total_changes - before
    if done == len(rows):
        return done
    # some ids came earlier in this file (rare): find them and say where
    seq = rows[0][2]
    for iri, _, _, body, _ in rows:
        kept = con.execute("SELECT body FROM records WHERE iri = ? AND graph = ? AND seq = ?",
                           (iri, rows[0][1], seq)).fetchone()
        if kept is not None and kept[0] != body:
            report.add(Rejected, where[iri] or "/", f"the id {iri} appears again in the file; the first is kept",
                       remedy="merge the two entities into one")
    return done


#: any JSON string that may be an absolute IRI (a scheme, no white space)
_IRI_STRING = re.compile(rb'"([A-Za-z][A-Za-z0-9+.-]*:[^"\s\\]+)"')
_STRING = re.compile(rb'"((?:[^"\\]|\\.)*)"')
_LIST = re.compile(rb'\[(?:[^\]"]|"(?:[^"\\]|\\.)*")*\]')


def _link_finder(source: str, options_text: str) -> Callable[[bytes], set[str]]:
    """What a record of ``source`` may link to, read from its JSON text without parsing it (about 2 us): a
    superset of the objects of its Relationships (``"object"`` and ``"objectList"`` members; the resolver
    converts the record to tell, see :meth:`LayeredStore.referrers`). keyValues carry links only where ``kinds`` or
    ``schema`` make an attribute a Relationship: then every string that may be an IRI is a candidate.

    >>> sorted(_link_finder("ngsi-ld", "{}")(b'{"r": {"object": "URN:NGSI-LD:X:1"}, "l": {"objectList": ["urn:a"]}}'))
    ['urn:a', 'urn:ngsi-ld:X:1']
    """
    if source == "ngsi-ld-keyvalues":
        opts = json.loads(options_text)
        if not (opts.get("kinds") or opts.get("schema")):
            return lambda body: set()

        def any_iri(body: bytes) -> set[str]:
            return {normal_urn(m.decode("utf-8", "replace")) for m in _IRI_STRING.findall(body)}

        return any_iri

    def objects(body: bytes) -> set[str]:
        out: set[str] = set()
        at = body.find(b'"object')
        while at >= 0:
            i = at + 7
            if body.startswith(b"List", i):
                i += 4
            if body.startswith(b'"', i):  # the member name ends: its value follows the colon
                i = body.find(b":", i) + 1
                while body[i:i + 1] in (b" ", b"\n", b"\r", b"\t"):
                    i += 1
                if body.startswith(b'"', i):
                    end = body.find(b'"', i + 1)
                    raw = body[i + 1:end]
                    if b"\\" in raw:  # an escape (the closing quote may be escaped too): the careful way
                        m = _STRING.match(body, i)
                        found = [m.group(1)] if m else []
                    else:
                        found = [raw]
                elif body.startswith(b"[", i):
                    m = _LIST.match(body, i)
                    found = _STRING.findall(m.group(0)) if m else []
                else:
                    found = []
                for raw in found:
                    try:
                        text = json.loads(b'"' + raw + b'"') if b"\\" in raw else raw.decode("utf-8")
                    except ValueError:
                        continue
                    if ":" in text:
                        out.add(normal_urn(text))
            at = body.find(b'"object', at + 7)
        return out

    return objects


# -- serving: the snapshot with the stagings it does not hold yet -----------------------------------

@lru_cache(maxsize=4096)
def _converted(source: str, options: str, body: bytes) -> tuple[ox.Triple, ...]:
    text, _ = to_ntriples(json.loads(body), source=source, **json.loads(options))
    return tuple(parse_triples(text, ox.RdfFormat.N_TRIPLES))


class LayeredStore(TripleStore):
    """A snapshot (``base``) with the stagings after ``upto`` on top: a staged entity is described from its
    record (converted when first asked for) together with what the other graphs say about it; entities
    removed from a staged file are no longer described by that file's graph. Referrers come from the
    snapshot alone."""

    def __init__(self, base: OxigraphStore, records: RecordStore, upto: int) -> None:
        self.base, self.records, self.upto = base, records, upto
        self._graphs = {r[0]: (r[1], r[2]) for r in records.con.execute(
            "SELECT graph, source, options FROM graphs")}
        self._links: dict[str, list[int]] | None = None
        self._links_lock = threading.Lock()

    def _link_index(self) -> dict[str, list[int]]:
        """Possible link target -> rowids of the staged records that may link to it: read from every record
        the snapshot does not hold, once per layered store (on the first referrers asked for; about 3 us a
        record), so that staging pays nothing for it."""
        with self._links_lock:
            if self._links is None:
                finders = {g: _link_finder(src, opts) for g, (src, opts) in self._graphs.items()}
                index: dict[str, list[int]] = {}
                rows = self.records.con.execute("SELECT rowid, graph, body FROM records WHERE seq > ? "
                                                "AND body IS NOT NULL", (self.upto,))
                for rowid, graph, body in rows:
                    finder = finders.get(graph)
                    for target in finder(body) if finder is not None else ():
                        index.setdefault(target, []).append(rowid)
                self._links = index
            return self._links

    def replace_graph(self, graph: str, triples: Any) -> int:
        raise ResolutionError("a served store is read-only")

    def _layers(self, iri: str) -> tuple[set[str], list[tuple[str, bytes]]]:
        hidden: set[str] = set()
        live: list[tuple[str, bytes]] = []
        for graph, body, _ in self.records.pending(iri, self.upto):
            hidden.add(graph)
            if body is not None:
                live.append((graph, body))
        return hidden, live

    def describe(self, iris: Sequence[str]) -> list[ox.Triple]:
        out: list[ox.Triple] = []
        hidden: set[str] = set()
        for iri in iris:
            h, live = self._layers(iri)
            hidden |= h
            for graph, body in live:
                source, options = self._graphs.get(graph, ("ngsi-ld", "{}"))
                try:
                    out.extend(_converted(source, options, body))
                except MimbridgeError as exc:
                    raise ResolutionError(f"staged entity {iri} cannot be converted: {exc}") from exc
        base = self.base.describe(iris, exclude=hidden)
        if not base:
            return list(dict.fromkeys(out))
        known = set(base)
        return base + [t for t in dict.fromkeys(out) if t not in known]

    def first_subject(self, iris: Sequence[str]) -> str | None:
        for iri in iris:
            try:
                checked_iri(iri)
            except ResolutionError:
                continue
            hidden, live = self._layers(iri)
            if live or self.base.first_subject([iri], exclude=hidden):
                return iri
        return None

    def referrers(self, iri: str, *, limit: int = 100) -> list[tuple[str, str]]:
        """The snapshot's referrers but those whose record a later staging replaced or removed, and the
        staged records that link to ``iri`` (found by :meth:`_link_index`, confirmed by converting them)."""
        pending: dict[tuple[str, str], bool] = {}

        def staged(subject: str, graph: str) -> bool:
            key = (subject, graph)
            if key not in pending:
                pending[key] = any(g == graph for g, _, _ in self.records.pending(subject, self.upto))
            return pending[key]

        out = set(self.base.referrers(iri, limit=limit, exclude=staged))
        for rowid in self._link_index().get(iri, []):
            if len(out) >= limit:
                break  # (as the triple store stops: the first ``limit`` found, sorted)
            row = self.records.con.execute("SELECT graph, body FROM records WHERE rowid = ? AND seq > ?",
                                           (rowid, self.upto)).fetchone()
            if row is None or row[1] is None:
                continue
            source, options = self._graphs.get(row[0], ("ngsi-ld", "{}"))
            try:
                out.update(referrers_in(_converted(source, options, row[1]), iri))
            except MimbridgeError:
                continue  # a record that does not convert is reported when it is asked for itself
        return sorted(out)[:limit]

    def graphs(self) -> list[str]:
        return sorted(set(self.base.graphs()) | set(self._graphs))

    def close(self) -> None:
        self.base.close()
