"""``file:`` endpoints: a file as a source (one page, or pages of JSON lines) and as an appending sink.

``file:out.jsonl``, ``file:///data/in.json``: the format is the ``format=``
option, else the one the file suffix names (``.nt`` -> ``ntriples``, ``.ttl``
-> ``turtle``, ``.json`` / ``.jsonld`` -> ``ngsi-ld``; ``.jsonl`` / ``.ndjson``
hold one JSON record per line, ``ngsi-ld`` unless told otherwise).

:class:`JsonLinesSink` appends: one JSON record per line for JSON formats (an
array output gives one line per member), the text itself for text formats
(N-Triples lines, Turtle documents; their blank nodes renamed per write so
that appended documents do not share them). Its cursor is the file's byte
length: a resumed :func:`~.sync.sync` truncates the file back to the length
the checkpoint saw, so the page a crash cut is written once. :class:`FileSource` reads a whole file as
one page, or a JSON-lines file as pages of ``page_size`` records whose next
link (``file:...#line=N&byte=B``) lets :func:`~.sync.sync` resume.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
    >>> sink = JsonLinesSink(path)
    >>> sink.write([{"id": "urn:ngsi-ld:T:1", "type": "T"}, {"id": "urn:ngsi-ld:T:2", "type": "T"}]).written
    ['urn:ngsi-ld:T:1', 'urn:ngsi-ld:T:2']
    >>> sink.close()
    >>> [p.count for p in FileSource(path).pages()]
    [2]
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from .. import registry
from ..errors import AdapterNotFoundError, CapabilityError, ConnectorError, OptionError, ParseError
from ..fastjson import lines as json_lines
from ..options import check_options
from .base import Page, WriteResult

__all__ = ["FileSource", "JsonLinesSink", "file_path", "guess_format", "open_sink", "open_source"]

LINE_SUFFIXES = frozenset({".jsonl", ".ndjson"})


def file_path(url: str | os.PathLike[str]) -> Path:
    """The path of a ``file:`` URL (``file:rel/x.jsonl``, ``file:///abs/x.nt``) or of a plain path.

    >>> file_path("file:///data/obs.jsonl").as_posix(), file_path("file:out%20put.nt").as_posix()
    ('/data/obs.jsonl', 'out put.nt')
    """
    text = os.fspath(url)
    if not text.startswith("file:"):
        return Path(text)
    parts = urlsplit(text)
    if parts.netloc not in ("", "localhost"):
        raise ConnectorError("a file: URL names no remote host (use file:///path)", url=text)
    return Path(unquote(parts.path))


def guess_format(path: Path, format: str | None = None) -> str:
    """The mimbridge format of a file: ``format`` when given, else its suffix's.

    >>> guess_format(Path("a.nt")), guess_format(Path("a.jsonl")), guess_format(Path("a.jsonl"), "sta")
    ('ntriples', 'ngsi-ld', 'sta')
    """
    if format is not None:
        return registry.get(format).name
    suffix = path.suffix.lower()
    if suffix in LINE_SUFFIXES:
        return "ngsi-ld"
    try:
        return registry.resolve_name(suffix)
    except AdapterNotFoundError as exc:
        raise AdapterNotFoundError(suffix or path.name, exc.available,
                                   "give the file's format with format=... (-O format=...)") from exc


def _is_text(format: str) -> bool:
    return registry.get(format).capabilities.output == "text"


#: text formats whose documents can follow one another in one file (blank nodes scoped per write)
APPENDABLE_TEXT = ("nquads", "ntriples", "turtle")
_PREFIX = re.compile(r"(?im)^\s*@?prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>")
#: an IRI or a literal's string (kept as they are), else the ``_:`` of a blank node label
_TERM_OR_BLANK = re.compile(r'(<[^>\n]*>|"(?:[^"\\\n]|\\.)*")|_:')


def scope_blank_nodes(text: str, format: str, scope: str) -> str:
    """Rename the blank nodes of an RDF document so that documents appended to one file do not share them.

    >>> scope_blank_nodes('_:b0 <http://example.org/p> "x" .\\n', "ntriples", "w1")
    '_:w1b0 <http://example.org/p> "x" .\\n'
    """
    if "_:" not in text and not (format == "turtle" and "[" in text):
        return text
    if format != "turtle":  # line formats: rename the labels in the lines that hold one, as text
        label = "_:" + scope

        def token(m: re.Match[str]) -> str:
            return m.group(1) or label

        sub = _TERM_OR_BLANK.sub
        # an N-Triples line without a literal: a label is its start or follows an IRI's ">" and a space
        # (neither can be inside an IRI); lines with a literal (which may hold anything) and N-Quads are read
        # term by term
        quick = format == "ntriples"
        out: list[str] = []
        done = 0
        at = text.find("_:")
        while at >= 0:  # only the lines that hold a "_:" are read (a few of an entity's many)
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            line = text[start:end]
            if quick and '"' not in line:
                line = (label + line[2:] if line.startswith("_:") else line).replace("> _:", "> " + label)
            elif quick and line.startswith("_:") and "_:" not in line[2:]:
                line = label + line[2:]  # (the common line of a blank subject and a literal)
            else:
                line = sub(token, line)
            out += (text[done:start], line)
            done = end
            at = text.find("_:", end)
        out.append(text[done:])
        return "".join(out)
    import pyoxigraph as ox

    fmt = {"ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS, "turtle": ox.RdfFormat.TURTLE}[format]

    def term(t: Any) -> Any:
        return ox.BlankNode(scope + t.value) if isinstance(t, ox.BlankNode) else t

    quads = [ox.Quad(term(q.subject), q.predicate, term(q.object), term(q.graph_name))
             for q in ox.parse(text, format=fmt)]
    kw: dict[str, Any] = {}
    if format == "turtle":
        kw["prefixes"] = {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(text)}
    return ox.serialize(quads, format=fmt, **kw).decode("utf-8")  # type: ignore[union-attr]


def _record_id(record: Any, n: int) -> str:
    if isinstance(record, dict):
        for key in ("id", "@id", "@iot.id"):
            if key in record:
                return str(record[key])
    return f"#{n}"


class JsonLinesSink:
    """Appends converted records to a file: JSON lines, or the text of a text format (N-Triples, Turtle).

    ``format`` is what the bridge converts to (default: from the suffix).
    Each write is flushed; ``fsync=True`` also syncs it to disk. Records whose
    id is in ``skip`` are not written again. :meth:`cursor` / :meth:`rewind`
    let a sync resume exactly (see :mod:`mimbridge.clients.base`).
    """

    def __init__(self, path: str | os.PathLike[str], *, format: str | None = None, fsync: bool = False) -> None:
        self.path = file_path(path)
        self.format = guess_format(self.path, format)
        self.text = _is_text(self.format)
        if self.text and self.format not in APPENDABLE_TEXT:
            raise CapabilityError(f"{self.format} documents cannot be appended to one file; "
                                  f"use a JSON format or one of {', '.join(APPENDABLE_TEXT)}")
        self.fsync = fsync
        self.lines = 0
        self.writes = 0
        self._scope = f"m{uuid.uuid4().hex[:8]}w"
        self._fh: BinaryIO | None = None

    def _open(self) -> BinaryIO:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._fh = open(self.path, "ab")  # kept open across writes
            except OSError as exc:
                raise ConnectorError(f"cannot open for appending: {exc.strerror}", url=str(self.path)) from exc
        return self._fh

    def write(self, payload: Any, *, skip: frozenset[str] = frozenset()) -> WriteResult:
        """Append ``payload`` (parsed JSON or text); return the ids written (``#N`` for records without one)."""
        fh = self._open()
        result = WriteResult()
        self.writes += 1
        if isinstance(payload, str):
            payload = scope_blank_nodes(payload, self.format, f"{self._scope}{self.writes}x")
            text = payload if payload.endswith("\n") or not payload else payload + "\n"
            fh.write(text.encode("utf-8"))
            self.lines += text.count("\n")
            result.whole = True
        else:
            records = payload if isinstance(payload, list) else [payload]
            out = []
            for record in records:
                rid = _record_id(record, self.lines + 1)
                if rid in skip:
                    continue
                out.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
                self.lines += 1
                result.written.append(rid)
            if out:
                fh.write(("\n".join(out) + "\n").encode("utf-8"))
        fh.flush()
        if self.fsync:
            os.fsync(fh.fileno())
        return result

    def cursor(self, *, durable: bool = False) -> dict[str, int]:
        """The file's length after every write so far (flushed; synced to disk when ``durable``).

        >>> import tempfile, pathlib
        >>> sink = JsonLinesSink(pathlib.Path(tempfile.mkdtemp()) / "c.jsonl")
        >>> _ = sink.write([{"id": "urn:a"}]); sink.cursor()
        {'offset': 15}
        """
        fh = self._open()
        fh.flush()
        if durable:
            os.fsync(fh.fileno())
        return {"offset": fh.tell()}

    def rewind(self, cursor: Any) -> None:
        """Truncate the file to a :meth:`cursor` of an earlier run (what a crash left after it goes)."""
        offset = cursor.get("offset") if isinstance(cursor, dict) else None
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            raise ConnectorError(f"checkpoint holds no file offset for this sink: {cursor!r}", url=str(self.path))
        self.close()
        try:
            size = self.path.stat().st_size if self.path.exists() else 0
            if size < offset:
                raise ConnectorError(f"the file holds {size} bytes, fewer than the {offset} the checkpoint saw: "
                                     "it was changed since; delete the checkpoint to start over",
                                     url=str(self.path))
            if size > offset:
                with open(self.path, "r+b") as fh:
                    fh.truncate(offset)
                    fh.flush()
                    os.fsync(fh.fileno())
        except OSError as exc:
            raise ConnectorError(f"cannot rewind: {exc.strerror}", url=str(self.path)) from exc

    def close(self) -> None:
        """Close the file."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> JsonLinesSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FileSource:
    """Reads a file as one page (JSON parsed, text formats as text), or a JSON-lines file as pages of records."""

    def __init__(self, path: str | os.PathLike[str], *, format: str | None = None, page_size: int = 1000) -> None:
        if page_size < 1:
            raise OptionError(f"page_size must be >= 1, got {page_size}", name="page_size")
        self.path = file_path(path)
        self.format = guess_format(self.path, format)
        self.page_size = page_size
        self.lines = self.path.suffix.lower() in LINE_SUFFIXES

    def _url(self, line: int | None = None, byte: int | None = None) -> str:
        base = self.path.resolve().as_uri()
        if line is None:
            return base
        return f"{base}#line={line}" if byte is None else f"{base}#line={line}&byte={byte}"

    def pages(self, *, start: str | None = None) -> Iterator[Page]:
        """Yield the file's page(s); ``start`` is a next link of an earlier page (``...#line=N&byte=B``).

        The byte offset lets a resumed sync seek to its page instead of reading
        the lines before it; a link with a line number only (``#line=N``) is read so.
        """
        try:
            if not self.lines:
                text = self.path.read_text(encoding="utf-8-sig")
                payload = text if _is_text(self.format) else _loads(text, "")
                count = len(payload) if isinstance(payload, list) else 1
                yield Page(payload, url=self._url(), next_link=None, count=count, total=count)
                return
            first, byte = 1, None
            if start and "#" in start:
                fragment = dict(p.partition("=")[::2] for p in start.rpartition("#")[2].split("&"))
                try:
                    first = int(fragment.get("line", "1"))
                    byte = int(fragment["byte"]) if "byte" in fragment else None
                except ValueError:
                    raise ParseError("not a page link of a JSON lines file", pointer=start,
                                     expected="...#line=N&byte=B") from None
            yield from self._line_pages(first, byte)
        except OSError as exc:
            raise ConnectorError(f"cannot read: {exc.strerror}", url=str(self.path)) from exc

    def _line_pages(self, first: int, byte: int | None) -> Iterator[Page]:
        """Pages of ``page_size`` records; a full page waits for the next record so that the last has no next link."""
        records: list[Any] = []
        full: tuple[list[Any], int, int] | None = None
        begin, begin_at = first, byte or 0
        with open(self.path, "rb") as fh:
            n, pos = 1, 0
            if byte:
                fh.seek(byte)
                n, pos = first, byte
            # read a block at a time, each line parsed by orjson where it gives json.loads's value
            for number, here, _, value, exc in json_lines(fh, first=n, offset=pos):
                if number < first:
                    continue
                if full is not None:
                    yield Page(full[0], url=self._url(full[1], full[2]), next_link=self._url(number, here),
                               count=len(full[0]))
                    full, begin, begin_at = None, number, here
                if exc is not None:
                    raise ParseError(f"malformed JSON: {str(exc).splitlines()[0][:200]}", pointer=f"line {number}",
                                     expected="JSON text") from exc
                records.append(value)
                if len(records) >= self.page_size:
                    full, records = (records, begin, begin_at), []
        last, at, at_byte = full if full is not None else (records, begin, begin_at)
        yield Page(last, url=self._url(at, at_byte), next_link=None, count=len(last))


def _loads(text: str | bytes, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        pointer = where or f"line {exc.lineno} column {exc.colno}"
        raise ParseError(f"malformed JSON: {exc.msg}", pointer=pointer, expected="JSON text") from exc


def open_source(url: str, *, http: Any = None, kind: str = "file", **options: Any) -> FileSource:
    """A :class:`FileSource` for ``file:path`` (``format=``, ``page_size=``)."""
    return FileSource(url, **check_options(FileSource, options, where="file source ", fixed=("path",)))


def open_sink(url: str, *, http: Any = None, kind: str = "file", **options: Any) -> JsonLinesSink:
    """A :class:`JsonLinesSink` for ``file:path`` (``format=``, ``fsync=``)."""
    return JsonLinesSink(url, **check_options(JsonLinesSink, options, where="file target ", fixed=("path",)))
