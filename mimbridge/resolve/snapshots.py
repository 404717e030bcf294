"""Published snapshots of an embedded store: what a running resolver reads while a load writes.

pyoxigraph allows one writing process per store, and reading a store while another
process writes it is undefined. So a load writes the store folder, then
:func:`publish` takes a snapshot of it (``published/<n>/``: a pyoxigraph backup, made
of hard links, so cheap) and points ``published/CURRENT`` at it with an atomic rename.
A resolver (:class:`ServingStore`) reads the current snapshot and switches to a new one
when the pointer changes: it never sees a half-written load, and each switch empties
its cache. The store's configuration (``resolver.json`` in the store folder, written by
:func:`write_config`) holds the ``Cache-Control`` of its representations.

>>> import tempfile, pyoxigraph as ox
>>> from mimbridge.resolve.store import OxigraphStore
>>> folder = tempfile.mkdtemp()
>>> with OxigraphStore(folder) as s:
...     s.store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("1"), ox.NamedNode("urn:g")))
...     snap = publish(s)
>>> serving = ServingStore(folder)
>>> serving.version == snap.name, serving.store.first_subject(["urn:a"])
(True, 'urn:a')
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

from ..errors import ResolutionError
from .staging import LayeredStore, RecordStore
from .store import OxigraphStore, TripleStore, open_store

__all__ = ["CONFIG", "PUBLISHED", "ServingStore", "current_snapshot", "publish", "read_config", "write_config"]

PUBLISHED = "published"
POINTER = "CURRENT"
CONFIG = "resolver.json"
STAGED = ".staged"


def publish(store: OxigraphStore, *, keep: int = 3, staged: int | None = None) -> Path:
    """Snapshot ``store`` (an on-disk embedded store) for serving; older snapshots past ``keep`` are removed.

    ``staged``: up to which staging (:mod:`mimbridge.resolve.staging`) the store holds the staged
    records (default: what the store folder's records say was indexed)."""
    if store.path is None or store.read_only:
        raise ResolutionError("only a writable on-disk store can be published")
    folder = store.path / PUBLISHED
    folder.mkdir(exist_ok=True)
    store.store.flush()
    name = f"{time.time_ns():020d}"
    target = folder / name
    try:
        store.store.backup(str(target))
    except OSError as exc:
        raise ResolutionError(f"cannot snapshot store {store.path}: {exc}") from exc
    if staged is None:
        staged = 0
        if RecordStore.exists(store.path):
            rs = RecordStore(store.path)
            staged = rs.indexed()
            rs.close()
    (folder / f"{name}{STAGED}").write_text(f"{staged}\n", encoding="ascii")
    tmp = folder / f".{POINTER}.{os.getpid()}"
    tmp.write_text(name + "\n", encoding="ascii")
    os.replace(tmp, folder / POINTER)
    snaps = sorted(p for p in folder.iterdir() if p.is_dir() and p.name.isdigit())
    for old in snaps[:-max(1, keep)]:
        shutil.rmtree(old, ignore_errors=True)
        old.with_name(old.name + STAGED).unlink(missing_ok=True)
    return target


def staged_upto(snapshot: Path | None) -> int:
    """Up to which staging the snapshot holds the staged records (0: none, or no snapshot)."""
    if snapshot is None:
        return 0
    try:
        return int(snapshot.with_name(snapshot.name + STAGED).read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return 0


def current_snapshot(folder: str | Path) -> Path | None:
    """The snapshot ``published/CURRENT`` names in a store folder, or None when nothing was published."""
    pointer = Path(folder) / PUBLISHED / POINTER
    try:
        name = pointer.read_text(encoding="ascii").strip()
    except OSError:
        return None
    snap = pointer.parent / name
    return snap if name.isdigit() and snap.is_dir() else None


def read_config(folder: str | Path) -> dict[str, Any]:
    """The store's configuration (``resolver.json``; empty when there is none)."""
    path = Path(folder) / CONFIG
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ResolutionError(f"{path}: not a readable JSON object: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cache_control", ""), str):
        raise ResolutionError(f"{path}: expected an object with a string 'cache_control'")
    return data


def write_config(folder: str | Path, **values: Any) -> None:
    """Merge ``values`` (e.g. ``cache_control="public, max-age=3600"``) into the store's configuration."""
    data = read_config(folder)
    data.update(values)
    path = Path(folder) / CONFIG
    tmp = path.with_name(f".{CONFIG}.{os.getpid()}")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


class ServingStore:
    """The store a resolver reads at ``location``: the current snapshot of a store folder (or the folder
    itself when nothing was published), or a SPARQL endpoint. :meth:`check` follows new snapshots."""

    def __init__(self, location: str | os.PathLike[str], *, genid_base: str | None = None) -> None:
        self.location = str(location)
        self.genid_base = genid_base
        self.remote = self.location.startswith(("http://", "https://"))
        self.version = ""
        self.cache_control: str | None = None
        self.modified = time.time()
        self.staged = self.upto = 0
        self._records: RecordStore | None = None
        self.store: TripleStore = self._open()

    def _pointer_state(self) -> tuple[int, int] | None:
        try:
            st = os.stat(Path(self.location) / PUBLISHED / POINTER)
        except OSError:
            return None
        return st.st_mtime_ns, st.st_ino

    def _open(self) -> TripleStore:
        if self.remote:
            return open_store(self.location, read_only=True, genid_base=self.genid_base)
        folder = Path(self.location)
        self._state = self._pointer_state()
        self.cache_control = read_config(folder).get("cache_control") or None
        snap = current_snapshot(folder)
        if snap is None:
            if not folder.is_dir():
                raise ResolutionError(f"no store at {folder}")
            self.version = ""
            self.modified = max((p.stat().st_mtime for p in folder.iterdir() if p.is_file()),
                                default=time.time())
            # a folder with staged records may hold no triple store yet (the indexer makes it)
            no_store = RecordStore.exists(folder) and not (folder / "CURRENT").is_file()
            base = OxigraphStore() if no_store else OxigraphStore(folder, read_only=True)
        else:
            self.version = snap.name
            self.modified = int(snap.name) / 1e9
            base = OxigraphStore(snap, read_only=True)
        return self._layered(base, folder, snap)

    def _layered(self, base: OxigraphStore, folder: Path, snap: Path | None) -> TripleStore:
        """``base`` with the stagings it does not hold on top (:class:`~mimbridge.resolve.staging.LayeredStore`)."""
        if self._records is None:
            if not RecordStore.exists(folder):
                return base
            self._records = RecordStore(folder, read_only=True)
        self.upto = staged_upto(snap)
        self.staged = self._records.seq()
        if self.staged <= self.upto:
            return base
        self.version = f"{self.version or 'store'}.{self.staged}"
        self.modified = max(self.modified, self._records.staged_at())
        return LayeredStore(base, self._records, self.upto)

    def _staged_changed(self) -> bool:
        if self._records is None:
            return RecordStore.exists(self.location)
        try:
            return self._records.seq() != self.staged
        except sqlite3.Error:  # a store being replaced: look again next time
            return False

    def check(self) -> bool:
        """Switch to a newly published snapshot; True when the store changed."""
        if self.remote or (self._pointer_state() == self._state and not self._staged_changed()):
            return False
        old_version = self.version
        try:
            store = self._open()
        except (ResolutionError, OSError):
            return False  # the snapshot went away between the pointer read and the open: retry next time
        if self.version == old_version:
            store.close()
            return False
        self.store = store
        return True
