"""Representations shared by the worker processes of one resolver: an SQLite file per store snapshot.

The first worker that makes a representation stores it; the others read it (about
20 us) instead of reading the store and writing the format again (1-2 ms). The file
lives in a folder of the running server (never in the store folder, which stays
read-only), is named after the served snapshot, and is replaced when a new snapshot is
published. Once it holds ``max_bytes``, no more is added. Losing it loses nothing, so
it is written without syncing to disk.

>>> import tempfile
>>> from mimbridge.resolve.service import Representation
>>> cache = SharedCache(Path(tempfile.mkdtemp()) / "v1.sqlite")
>>> cache.put(("/doc/x", "", "turtle"), Representation.make(200, b"<a> <b> <c> .", {"Content-Type": "text/turtle"}))
>>> cache.get(("/doc/x", "", "turtle")).body, cache.get(("/doc/y", "", "turtle"))
(b'<a> <b> <c> .', None)
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from .service import Representation

__all__ = ["SharedCache"]

Key = tuple[str, str, "str | None"]


def _key(key: Key) -> str:
    return f"{key[0]}\x00{key[1]}\x00{key[2] or ''}"


class SharedCache:
    """A representation cache in the SQLite file ``path``, shared by processes; at most ``max_bytes``."""

    def __init__(self, path: str | Path, *, max_bytes: int = 1 << 30) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.full = False
        self._puts = 0
        self.db = sqlite3.connect(str(self.path), timeout=2.0, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("CREATE TABLE IF NOT EXISTS rep (k TEXT PRIMARY KEY, status INTEGER, headers TEXT, "
                        "body BLOB, etag BLOB)")

    def get(self, key: Key) -> Representation | None:
        """The stored representation for ``key``, or None."""
        try:
            row = self.db.execute("SELECT status, headers, body, etag FROM rep WHERE k = ?", (_key(key),)).fetchone()
        except sqlite3.Error:
            return None
        if row is None:
            return None
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in json.loads(row[1])]
        return Representation(row[0], headers, bytes(row[2]), None if row[3] is None else bytes(row[3]))

    def put(self, key: Key, rep: Representation) -> None:
        """Store ``rep`` (first writer wins; nothing once the file is full; errors are ignored)."""
        if self.full:
            return
        headers = json.dumps([(k.decode("latin-1"), v.decode("latin-1")) for k, v in rep.headers])
        try:
            self.db.execute("INSERT OR IGNORE INTO rep VALUES (?, ?, ?, ?, ?)",
                            (_key(key), rep.status, headers, rep.body, rep.etag))
            self._puts += 1
            if self._puts % 512 == 0:
                pages = self.db.execute("PRAGMA page_count").fetchone()[0]
                size = self.db.execute("PRAGMA page_size").fetchone()[0]
                self.full = pages * size >= self.max_bytes
        except sqlite3.Error:
            pass

    def close(self) -> None:
        """Close the file (it stays for the other processes)."""
        self.db.close()
