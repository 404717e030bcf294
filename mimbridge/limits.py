"""Input limits (size, depth, count) and the last-resort guard at the reader/writer boundary.

Every reader and writer runs under a :class:`Limits` (the defaults below, or
the ``limits=`` option of :func:`mimbridge.convert`, :func:`mimbridge.read`
and :func:`mimbridge.write`: a :class:`Limits` or a dict of its fields). A
limit is checked up front where the size is known (bytes, runs of JSON
openings), and while walking otherwise; going over one raises
:class:`~mimbridge.errors.ParseError` naming the limit and the option that
raises it.

=================  ============  ==================================================
field              default       what it bounds
=================  ============  ==================================================
``max_bytes``      256 MiB       input text or bytes
``max_depth``      256           nesting of RDF values (lists, blank-node chains),
                                 XML elements, native sub-attributes, SSSOM YAML
``max_items``      10,000,000    XML elements of one document
``max_attributes`` 1,000         attributes of one XML element
``max_digits``     4,300         digits of one integer (Python's own default)
``max_copies``     1,000,000     copies of shared RDF lists built for nested values
                                 (other shared blank nodes are referenced, not copied)
=================  ============  ==================================================

>>> Limits().max_depth
256
>>> with using({"max_depth": 3}):
...     current().max_depth
3
>>> over("max_depth", "a chain of 9 nodes", pointer="/urn:x:1", lim=Limits(max_depth=3)).expected
"at most max_depth=3; raise it with limits={'max_depth': N}"
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from typing import Any

from .errors import MimbridgeError, ParseError

__all__ = ["DEFAULT", "Limits", "JsonScreen", "check_size", "current", "guarded", "guard", "over",
           "using"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one read or write accepts (see the module table for defaults).

    >>> Limits(max_bytes=10).max_bytes
    10
    """

    max_bytes: int = 256 << 20
    max_depth: int = 256
    max_items: int = 10_000_000
    max_attributes: int = 1000
    max_digits: int = 4300
    max_copies: int = 1_000_000

    @classmethod
    def of(cls, value: Any) -> Limits:
        """A :class:`Limits` from ``None`` (the current ones), a Limits, or a dict of fields.

        >>> Limits.of({"max_depth": 10}).max_depth
        10
        """
        if value is None:
            return current()
        if isinstance(value, Limits):
            return value
        if isinstance(value, dict):
            names = {f.name for f in fields(cls)}
            unknown = sorted(set(value) - names)
            if unknown:
                raise TypeError(f"unknown limit(s): {', '.join(unknown)}; known: {', '.join(sorted(names))}")
            bad = [k for k, v in value.items() if not isinstance(v, int) or isinstance(v, bool) or v < 1]
            if bad:
                raise TypeError(f"limit(s) must be positive integers: {', '.join(sorted(bad))}")
            return replace(current(), **value)
        raise TypeError(f"limits must be a Limits or a dict, not {type(value).__name__}")


DEFAULT = Limits()
_CURRENT: contextvars.ContextVar[Limits] = contextvars.ContextVar("mimbridge_limits", default=DEFAULT)


def current() -> Limits:
    """The limits in force (the defaults unless :func:`using` set others).

    >>> current() == DEFAULT
    True
    """
    return _CURRENT.get()


@contextlib.contextmanager
def using(value: Any) -> Iterator[Limits]:
    """Run a block under other limits (a :class:`Limits` or a dict of fields; ``None`` keeps the current ones).

    >>> with using(Limits(max_items=5)) as lim:
    ...     lim.max_items
    5
    """
    lim = Limits.of(value)
    token = _CURRENT.set(lim)
    old = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else None
    try:
        if old is not None and old != lim.max_digits:
            sys.set_int_max_str_digits(max(lim.max_digits, 640))
        yield lim
    finally:
        if old is not None and old != lim.max_digits:
            sys.set_int_max_str_digits(old)
        try:
            _CURRENT.reset(token)
        except ValueError:  # a generator finalised in another context (an abandoned stream)
            _CURRENT.set(DEFAULT)


def over(name: str, what: str, *, pointer: str = "", lim: Limits | None = None) -> ParseError:
    """The ParseError for going over limit ``name`` (``what`` says what was too big).

    >>> str(over("max_bytes", "input of 20 bytes", lim=Limits(max_bytes=10)))
    "/: input of 20 bytes is over the limit (expected at most max_bytes=10; raise it with limits={'max_bytes': N})"
    """
    value = getattr(lim or current(), name)
    return ParseError(f"{what} is over the limit", pointer=pointer,
                      expected=f"at most {name}={value}; raise it with limits={{'{name}': N}}")


def check_size(data: Any, lim: Limits | None = None) -> None:
    """Refuse text or bytes longer than ``max_bytes``.

    >>> check_size("abc", Limits(max_bytes=3))
    """
    lim = lim or current()
    if isinstance(data, (str, bytes, bytearray)) and len(data) > lim.max_bytes:
        raise over("max_bytes", f"input of {len(data)} {'characters' if isinstance(data, str) else 'bytes'}",
                   lim=lim)


#: every byte but JSON's brackets and the quote (deleted to find runs of openings)
_NOT_BRACKET = bytes(range(256)).translate(None, b'[]{}"')


class JsonScreen(io.RawIOBase):
    """A binary reader of JSON text for incremental parsers: refuses deep runs of openings and lone surrogates.

    ``max_depth`` arrays or objects opened with no closing between them prove
    nesting deeper than ``max_depth``; they are found with one regular
    expression scan per chunk (strings and scalars between the openings
    skipped), before an incremental JSON parser spends memory quadratic in
    the depth on them. A ``\\uD800``-style escape that is not half of a
    surrogate pair (which an incremental parser would replace silently) is
    refused too.

    >>> import io
    >>> JsonScreen(io.BytesIO(b'[[1]]')).read()
    b'[[1]]'
    >>> try:
    ...     JsonScreen(io.BytesIO(b"[" * 300), Limits(max_depth=256)).read()
    ... except ParseError as exc:
    ...     print(exc.pointer)
    byte 0
    """

    _TAIL = 1 << 16

    def __init__(self, raw: Any, lim: Limits | None = None) -> None:
        super().__init__()
        self.raw = raw
        self.depth = depth = (lim or current()).max_depth
        self.run = re.compile(rb'[\[{](?:(?:\s|"(?:[^"\\]|\\.)*+"|[^\[\]{}"])*+[\[{]){%d}' % depth)
        # the same run on the window's brackets and quotes alone (escapes removed first): a scan in C that
        # finds no run in ordinary JSON; only a hit pays the full expression (for the byte position)
        self.run_brackets = re.compile(rb'[\[{](?:(?:"[^"]*+")*+[\[{]){%d}' % depth)
        self.tail = b""
        self.offset = 0  # bytes of the input before ``tail``

    #: what every lone surrogate escape starts with (a literal scan, before the look-behinds of ``_LONE``)
    _LONE_HINT = re.compile(rb"\\u[dD][89a-fA-F]")
    _LONE = re.compile(rb"(?<!\\)\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
                       rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})(?<!\\)\\u[dD][c-fC-F][0-9a-fA-F]{2}")

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        chunk = self.raw.read(len(buf))
        if not chunk:
            lone = self._LONE.search(self.tail)
            if lone is not None:
                raise ParseError("a string holds a lone surrogate (not a Unicode character)",
                                 pointer=f"byte {self.offset + lone.start()}",
                                 expected="Unicode text (surrogate escapes only in pairs)")
            return 0
        window = self.tail + chunk
        escapes = b"\\" in window  # (most JSON has no escape at all: two scans saved)
        # brackets and quotes alone; an empty pair of quotes (a string without brackets, or the end of one and
        # the start of the next) changes no run of openings: dropped, the search has a sixth of the bytes
        brackets = (window.replace(b"\\\\", b"").replace(b'\\"', b"") if escapes else window).translate(
            None, _NOT_BRACKET).replace(b'""', b"")
        if self.run_brackets.search(brackets) is not None:
            m = self.run.search(window)
            d = self.depth
            raise ParseError(f"JSON nested deeper than {d} levels",
                             pointer=f"byte {self.offset + (m.start() if m is not None else 0)}",
                             expected=f"at most max_depth={d} levels; raise it with limits={{'max_depth': N}}")
        lone = self._LONE.search(window) if escapes and self._LONE_HINT.search(window) is not None else None
        if lone is not None and lone.end() < len(window) - 6:  # (a pair may continue in the next chunk)
            raise ParseError("a string holds a lone surrogate (not a Unicode character)",
                             pointer=f"byte {self.offset + lone.start()}",
                             expected="Unicode text (surrogate escapes only in pairs)")
        cut = max(0, len(window) - self._TAIL)
        self.offset += cut
        self.tail = window[cut:]
        n = len(chunk)
        buf[:n] = chunk
        return n


#: foreign exceptions the boundary turns into a ParseError (each a bug to fix at its source, never a crash);
#: any ``Exception`` of Python or of a library (pyld, pyoxigraph, lxml, yaml...) that is not a mimbridge error
FOREIGN: tuple[type[BaseException], ...] = (Exception,)


@contextlib.contextmanager
def guard(side: str, fmt: str) -> Iterator[None]:
    """Turn any foreign exception of a reader or writer into a ParseError saying where it came from.

    ``side`` is ``"read"`` or ``"write"``, ``fmt`` the format name. mimbridge
    errors pass unchanged; an exception raised by Python or a library inside
    the adapter becomes ``ParseError`` (the input is what made it fail) with
    the location the exception carries, if any.

    >>> try:
    ...     with guard("read", "ngsi-ld"):
    ...         raise RecursionError("maximum recursion depth exceeded")
    ... except ParseError as exc:
    ...     print(exc)
    /: ngsi-ld input cannot be read: nesting too deep (RecursionError) (expected input within the limits)
    """
    try:
        yield
    except MimbridgeError:
        raise
    except FOREIGN as exc:
        raise boundary_error(exc, side, fmt) from exc


def guarded(chunks: Iterator[Any], lim: Limits, fmt: str) -> Iterator[Any]:
    """Iterate ``chunks`` (a streaming conversion) under ``lim`` and :func:`guard`.

    >>> list(guarded(iter(["a", "b"]), Limits(), "ntriples"))
    ['a', 'b']
    """
    with using(lim), guard("read", fmt):
        yield from chunks


def boundary_error(exc: BaseException, side: str, fmt: str) -> ParseError:
    """The ParseError a foreign exception becomes at the boundary (see :func:`guard`)."""
    if isinstance(exc, RecursionError):
        what = "nesting too deep"
    elif isinstance(exc, MemoryError):
        what = "out of memory"
    else:
        what = str(exc).splitlines()[0][:200] if str(exc) else "unexpected content"
    line = getattr(exc, "lineno", None)
    pointer = f"line {line}" if isinstance(line, int) and line > 0 else ""
    doing = "input cannot be read" if side == "read" else "output cannot be written"
    err = ParseError(f"{fmt} {doing}: {what} ({type(exc).__name__})", pointer=pointer,
                     expected="input within the limits" if isinstance(exc, (RecursionError, MemoryError))
                     else f"valid {fmt} data")
    err.foreign = type(exc).__name__  # type: ignore[attr-defined]  # tests count these: each is a bug to fix
    return err
