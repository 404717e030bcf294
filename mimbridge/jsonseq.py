"""The records of a large JSON text, read piece by piece: :class:`JsonSequence`.

The items of a top-level array, or of one member array of a top-level object
(a GeoJSON ``FeatureCollection``'s ``features``, a SensorThings page's
``value``; the object's other members are kept in ``envelope``), each parsed by
Python's own C JSON scanner (``json.JSONDecoder.raw_decode``) from a text
buffer refilled a megabyte at a time. Only the brackets and commas between
records are read in Python: an event-by-event parser (ijson) costs several
times as much per record as the conversion of a GeoJSON point or a SensorThings
Observation. Memory is one buffer and one record. Numbers, strings and
duplicate names are read as :func:`json.loads` reads them; ``NaN`` and
``Infinity`` are refused, as :func:`mimbridge.convert` refuses them.

>>> import io
>>> seq = JsonSequence(io.BytesIO(b'{"type": "FeatureCollection", "features": [{"a": 1}, {"a": 2.5}], "n": 2}'),
...                    member="features")
>>> list(seq), seq.envelope, seq.order
([{'a': 1}, {'a': 2.5}], {'type': 'FeatureCollection', 'n': 2}, ['type', 'features', 'n'])
"""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterator
from typing import Any, BinaryIO, cast

from .errors import ParseError
from .fastjson import DIGIT_RUN, loads, orjson_loads, safe_for_orjson

__all__ = ["JsonSequence", "Rejoined", "array_items"]

_WS = re.compile(r"[ \t\n\r]*")
#: the separator after an array item, and the white space around it
_SEP = re.compile(r"[ \t\n\r]*([,\]])[ \t\n\r]*")
_READ = 1 << 20
#: how far before the end of the text the scanner reports text cut short (``"\\u12``, ``fals``)
_CUT = 8


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class JsonSequence:
    """Iterate the records of ``fh`` (binary, UTF-8): a top-level array's items, or ``member``'s items.

    With ``member``, a top-level object's other members are collected in
    ``envelope`` as they are read (those after the records once iteration ends),
    ``order`` lists every member name in input order. A top-level object without
    ``member`` (or whose ``member`` is not an array) yields no record.
    Malformed JSON raises :class:`~mimbridge.errors.ParseError` naming the character offset.

    >>> import io
    >>> list(JsonSequence(io.BytesIO(b' [1, {"b": [true, null]}, "x"] ')))
    [1, {'b': [True, None]}, 'x']
    >>> try:
    ...     list(JsonSequence(io.BytesIO(b'[{"a": 1} {"a": 2}]')))
    ... except ParseError as exc:
    ...     print(exc.pointer, "|", exc.expected)
    character 10 | ',' or ']' between array items
    """

    def __init__(self, fh: BinaryIO, *, member: str | None = None, read: int = _READ) -> None:
        self.fh = fh
        self.member = member
        self.read = read
        self.envelope: dict[str, Any] = {}
        self.order: list[str] = []
        self._decode = codecs.getincrementaldecoder("utf-8")("strict").decode
        decoder = json.JSONDecoder(parse_constant=_no_constant)
        self._scan = decoder.raw_decode
        #: the C scanner itself (``raw_decode`` without its Python frame; StopIteration where no value starts)
        self._scan_once = decoder.scan_once  # type: ignore[attr-defined]
        self.buf = ""
        self.pos = 0
        self.done = 0  # characters of the input before ``buf``
        self.eof = False
        #: records parsed by orjson, many at a time (see :meth:`_fast`); off after a cut orjson refused
        self.fast = orjson_loads is not None
        self._misses = 0
        self.fast_records = 0  # records parsed that way (the rest by the C scanner)
        #: input up to this character offset may hold an integer beyond 64 bits (not for orjson)
        self._unsafe_until = 0
        self._tail = b""  # the last bytes read (a run of digits may go on across reads)

    # -- the buffer ----------------------------------------------------------------------------------
    def _fill(self) -> bool:
        """Read more input onto the unread part of the buffer; False at the end of the input."""
        if self.eof:
            return False
        raw = self.fh.read(self.read)
        try:
            text = self._decode(raw, final=not raw)
        except UnicodeDecodeError as exc:
            raise ParseError(f"input is not UTF-8: {exc.reason}", pointer=f"character {self.done + len(self.buf)}",
                             expected="UTF-8 text") from None
        if not raw:
            self.eof = True
        self.done += self.pos
        self.buf = self.buf[self.pos:] + text
        self.pos = 0
        if self.fast and raw:
            if not safe_for_orjson(self._tail + raw):
                self._unsafe_until = self.done + len(self.buf)
            self._tail = raw[-DIGIT_RUN:]
        return bool(raw) or bool(text)

    def _fast(self) -> list[Any] | None:
        """The records from ``pos`` up to the last top-level comma of the buffer, parsed by orjson at once
        (``pos`` moved past that comma); None where that cannot be done.

        The cut is found by counting braces back from the end of the buffer (records are objects: a comma
        between them is at brace depth 0); braces inside strings can mislead the count, so the cut is
        proved by the parse itself: ``[`` + text + ``]`` parses only if the text ends between two records
        (the text starts at a record and is read as the input is read, so a cut inside a string or a record
        leaves it incomplete). Text that may hold an integer beyond 64 bits is left to the C scanner
        (:mod:`mimbridge.fastjson`), as is a buffer whose cut did not parse.
        """
        buf, pos = self.buf, self.pos
        if not buf.startswith("{", pos) or self._unsafe_until > self.done + pos:
            return None
        end = len(buf)
        depth = buf.count("{", pos, end) - buf.count("}", pos, end)
        cut = buf.rfind(",", pos, end)
        for _ in range(4096):
            if cut <= pos:
                return None
            depth -= buf.count("{", cut, end) - buf.count("}", cut, end)
            if depth == 0:
                break
            end = cut
            cut = buf.rfind(",", pos, cut)
        else:
            return None
        try:
            values = orjson_loads("[" + buf[pos:cut] + "]")  # type: ignore[misc]
        except ValueError:  # orjson.JSONDecodeError: braces in strings misled the count, or the input is bad
            self._misses += 1
            self.fast = self._misses < 3
            return None
        self.pos = cut + 1
        self.fast_records += len(values)
        return values  # type: ignore[no-any-return]

    def _peek(self) -> str:
        """The next character that is not white space ("" at the end of the input); ``pos`` moved to it."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def _error(self, message: str, expected: str, at: int | None = None) -> ParseError:
        where = self.done + (self.pos if at is None else at)
        return ParseError(f"malformed JSON: {message}", pointer=f"character {where}", expected=expected)

    def _value(self) -> Any:
        """The JSON value at ``pos`` (white space skipped), parsed by the C scanner; ``pos`` moved past it."""
        self._peek()
        while True:
            try:
                value, end = self._scan(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                # input cut short by the buffer fails at its end (a literal or an escape a few characters
                # before it), or as a string still open: read more and try again; any other error is the input's
                if self.eof or (len(self.buf) - exc.pos > _CUT and not exc.msg.startswith("Unterminated string")):
                    raise self._error(exc.msg, "JSON text", exc.pos) from None
                self._fill()
                continue
            except ValueError as exc:  # NaN / Infinity, an integer with too many digits
                raise self._error(str(exc).splitlines()[0][:200], "JSON text (finite numbers)") from None
            except RecursionError:
                raise self._error("nested too deep", "JSON within the nesting limit") from None
            if len(self.buf) - end < _CUT and not self.eof and value.__class__ in (int, float):
                self._fill()  # a number may go on in the input not yet read ("0." of "0.5"): scan again
                continue
            self.pos = end
            return value

    # -- the structure -------------------------------------------------------------------------------
    def _items(self, n: int) -> Iterator[list[Any]]:
        """Lists of up to ``n`` items of the array whose ``[`` was just read, up to and past its ``]``."""
        if self._peek() == "]":
            self.pos += 1
            return
        scan, sep = self._scan_once, _SEP.match
        chunk: list[Any] = []
        add = chunk.append
        while True:
            if self.fast and (many := self._fast()) is not None:
                for value in many:
                    add(value)
                    if len(chunk) >= n:
                        yield chunk
                        chunk = []
                        add = chunk.append
                self._peek()
            buf, pos = self.buf, self.pos
            m = None
            try:  # items and their separators within the buffer: two calls into C each, no Python frame
                while True:
                    value, end = scan(buf, pos)
                    m = sep(buf, end)
                    if m is None:
                        break
                    pos = m.end()
                    add(value)
                    if m.group(1) == "]":
                        self.pos = pos
                        yield chunk
                        return
                    if len(chunk) >= n:
                        self.pos = pos
                        yield chunk
                        chunk = []
                        add = chunk.append
            except (StopIteration, ValueError, RecursionError):
                pass
            self.pos = pos
            value = self._value()  # cut by the end of the buffer, or malformed: the careful way
            c = self._peek()
            if c not in (",", "]"):
                raise self._error("array items not separated", "',' or ']' between array items")
            self.pos += 1
            add(value)
            if c == "]":
                yield chunk
                return
            if len(chunk) >= n:
                yield chunk
                chunk = []
                add = chunk.append
            self._peek()

    def __iter__(self) -> Iterator[Any]:
        for chunk in self.batches(1):
            yield chunk[0]

    def batches(self, n: int) -> Iterator[list[Any]]:
        """The records in lists of ``n`` (the last one shorter), read as :meth:`__iter__` reads them.

        >>> import io
        >>> list(JsonSequence(io.BytesIO(b'[1, 2, 3]')).batches(2))
        [[1, 2], [3]]
        """
        c = self._peek()
        if c == "[":
            self.pos += 1
            yield from self._items(n)
        elif c == "{":
            self.pos += 1
            yield from self._members(n)
        else:
            raise self._error("not an array or an object", "a JSON array or object")
        if self._peek() != "":
            raise self._error("extra data after the JSON text", "one JSON text")

    def _members(self, n: int) -> Iterator[list[Any]]:
        if self._peek() == "}":
            self.pos += 1
            return
        while True:
            if self._peek() != '"':
                raise self._error("a member name is not a string", "a member name in double quotes")
            key = self._value()
            if self._peek() != ":":
                raise self._error("no ':' after a member name", "':' after the member name")
            self.pos += 1
            self.order.append(key)
            if key == self.member and self._peek() == "[":
                self.pos += 1
                yield from self._items(n)
            else:
                self.envelope[key] = self._value()
            c = self._peek()
            self.pos += 1
            if c == "}":
                return
            if c != ",":
                self.pos -= 1
                raise self._error("object members not separated", "',' or '}' between members")


#: where one record of an array of objects may end and the next begin: ``}`` ``,`` ``{`` (white space between)
_OBJECT_SEP = re.compile(rb"\}[ \t\n\r]*,[ \t\n\r]*(?=\{)")
#: candidate ends tried for one record before the rest of the input is read by :class:`JsonSequence`
_TRIES = 8
_WS_BYTES = b" \t\n\r"


class Rejoined(io.RawIOBase):
    """A binary stream that first gives back ``head`` (already read), then the rest of ``rest``.

    >>> import io
    >>> Rejoined(b"[1, ", io.BytesIO(b"2]")).read()
    b'[1, 2]'
    """

    def __init__(self, head: bytes, rest: Any) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        chunk = self._rest.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)


def array_items(fh: BinaryIO, *, read: int = _READ) -> Iterator[tuple[Any, bytes | None]]:
    """``(record, its JSON text)`` of each item of the top-level JSON array in ``fh``, as json.loads reads them.

    For arrays of objects (entities, features): each item's own text is cut out where ``}``, ``,`` and ``{``
    meet and parsed alone (:mod:`mimbridge.fastjson`'s rules: orjson where it reads what json.loads reads);
    a cut inside an item does not parse and the next one is tried. The text comes back with the record, so a
    store of records keeps it as it was. Items that are not objects, an item with more than a few ``},{``
    inside, and the rest of the input after them are read by :class:`JsonSequence` (text None).
    Malformed JSON raises :class:`~mimbridge.errors.ParseError` naming the character offset.

    >>> import io
    >>> list(array_items(io.BytesIO(b'[{"a": {"b": 1}}, {"a": [{"c": 2}, {"c": 3}]}]')))
    [({'a': {'b': 1}}, b'{"a": {"b": 1}}'), ({'a': [{'c': 2}, {'c': 3}]}, b'{"a": [{"c": 2}, {"c": 3}]}')]
    """
    buf = fh.read(read)
    before = 0  # characters of the input before ``buf``
    start = len(buf) - len(buf.lstrip(_WS_BYTES + b"\xef\xbb\xbf"))  # (a byte-order mark counts as one)
    if not buf.startswith(b"[", start):
        yield from ((rec, None) for rec in JsonSequence(cast(BinaryIO, Rejoined(buf, fh)), read=read))
        return
    start += 1

    def rest() -> Iterator[tuple[Any, None]]:  # the careful reader from ``start`` on
        seq = JsonSequence(cast(BinaryIO, Rejoined(b"[" + buf[start:], fh)), read=read)
        seq.done = before + _chars(buf[:start]) - 1  # (its text starts with the "[" put before ``start``)
        return ((rec, None) for rec in seq)

    while True:
        while start < len(buf) and buf[start] in _WS_BYTES:
            start += 1
        if start >= len(buf):
            more = fh.read(read)
            if more:
                before += _chars(buf)
                buf, start = more, 0
                continue
        if not buf.startswith(b"{", start):  # the end, or not an object: the careful reader goes on
            yield from rest()
            return
        fast = safe_for_orjson(buf[start:])  # (a record starts at ``start``: no run of digits goes across)
        done = start
        tries = 0
        for m in _OBJECT_SEP.finditer(buf, start):
            piece = buf[start:m.start() + 1]
            try:
                rec = orjson_loads(piece) if fast else loads(piece)
            except (ValueError, RecursionError):
                tries += 1
                if tries > _TRIES:
                    break
                continue
            yield rec, piece
            start = m.end()
            tries = 0
        if tries > _TRIES or (start == done and len(buf) - start > 64 * read):  # (one item over 64 reads)
            yield from rest()
            return
        more = fh.read(read)
        if not more:  # the last item: its own text up to the closing bracket, or the careful way
            last = buf[start:].rstrip(_WS_BYTES)
            if last.endswith(b"]"):
                piece = last[:-1].rstrip(_WS_BYTES)
                try:
                    rec = orjson_loads(piece) if fast else loads(piece)
                except (ValueError, RecursionError):
                    pass
                else:
                    yield rec, piece
                    return
            yield from rest()
            return
        before += _chars(buf[:start])
        buf = buf[start:] + more
        start = 0


#: UTF-8 continuation bytes (a character is its other bytes)
_CONTINUATION = bytes(range(0x80, 0xC0))


def _chars(data: bytes) -> int:
    """Characters in UTF-8 ``data`` (a byte-order mark counts as one)."""
    return len(data.translate(None, _CONTINUATION))
