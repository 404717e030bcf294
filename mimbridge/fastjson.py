"""JSON parsed by orjson where it gives what :func:`json.loads` gives, else by :func:`json.loads`.

orjson parses JSON two to three times as fast as the standard library, but
not always to the same values: an integer beyond 64 bits becomes a float
(``123456789012345678901234567890`` -> ``1.2345678901234568e+29``, a silent
change), and it refuses what the standard library accepts (``1E400``, lone
surrogate escapes). :func:`loads` takes orjson's answer only for text without
a run of 19 or more digits that does not follow a decimal point (every integer
of 18 digits fits 64 bits; a fraction's digits are read alike); any
other text, and any text orjson refuses, goes to :func:`json.loads`, which
gives its own value or its own error. ``NaN`` and ``Infinity`` are refused
either way, as :func:`mimbridge.convert` refuses them. Without orjson
installed every text goes to :func:`json.loads`.

>>> loads(b'{"a": [1, 2.5, "x"]}')
{'a': [1, 2.5, 'x']}
>>> loads(b'123456789012345678901234567890')
123456789012345678901234567890
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, BinaryIO

__all__ = ["DIGIT_RUN", "dumps", "lines", "loads", "orjson_loads", "safe_for_orjson"]

orjson_dumps: Any
orjson_loads: Any
try:  # orjson is a dependency; the fallback keeps a broken or missing install working (slower)
    from orjson import dumps as orjson_dumps
    from orjson import loads as orjson_loads
except ImportError:  # pragma: no cover - orjson is installed with mimbridge
    orjson_loads = orjson_dumps = None

#: the shortest run of digits that may be an integer beyond 64 bits (2**63 has 19 digits)
DIGIT_RUN = 19
#: every digit -> "0", the decimal point kept, any other byte -> " "
_DIGITS = bytes(48 if 48 <= i <= 57 else 46 if i == 46 else 32 for i in range(256))
_RUN = b"0" * DIGIT_RUN
_AFTER = b" " + _RUN  # a run that does not continue a fraction


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def safe_for_orjson(raw: bytes | bytearray | memoryview) -> bool:
    """True when orjson may parse ``raw``: no run of :data:`DIGIT_RUN` digits but after a decimal point
    (two passes in C).

    >>> safe_for_orjson(b'[1, 0.0017748622025346439]'), safe_for_orjson(b'[9223372036854775808]')
    (True, False)
    """
    if orjson_loads is None:
        return False
    marked = (raw if raw.__class__ is bytes else bytes(raw)).translate(_DIGITS)
    return marked.find(_AFTER) < 0 and not marked.startswith(_RUN)


def loads(raw: bytes | str) -> Any:
    """The JSON value of ``raw`` as :func:`json.loads` gives it (orjson's speed where that is the same).

    Raises ``ValueError`` (``json.JSONDecodeError`` for malformed text) or ``RecursionError``, as
    :func:`json.loads` does.

    >>> loads('[1, "\\\\ud83d\\\\ude00"]')
    [1, '😀']
    """
    if orjson_loads is not None:
        data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
        if safe_for_orjson(data):
            try:
                return orjson_loads(data)
            except ValueError:  # orjson.JSONDecodeError
                pass  # json.loads says what it makes of the text, or raises its own error
    return json.loads(raw, parse_constant=_no_constant)


def dumps(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON: orjson's, or :func:`json.dumps`'s where orjson cannot write it
    (an integer beyond 64 bits).

    >>> dumps({"a": [1, 2**70]})
    b'{"a":[1,1180591620717411303424]}'
    """
    if orjson_dumps is not None:
        try:
            return orjson_dumps(value)  # type: ignore[no-any-return]
        except TypeError:
            pass
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def lines(fh: BinaryIO, *, block: int = 1 << 18, first: int = 1,
          offset: int = 0) -> Iterator[tuple[int, int, bytes, Any, BaseException | None]]:
    """``(line number, byte offset, line without its end, value, error)`` of each line of JSON Lines that is
    not blank, from the current position of ``fh`` (line ``first`` at byte ``offset`` of the file).

    Lines are numbered as iterating ``fh`` numbers them (on ``\\n``); a byte-order mark at the start of the
    file is skipped. ``error`` is the ``ValueError`` or ``RecursionError`` :func:`json.loads` raises for a bad
    line (``NaN`` and ``Infinity`` included; ``value`` None); the next lines go on. The input is read a
    block at a time and each block is checked once for long runs of digits (:func:`loads` checks each text
    it is given), so a line costs one orjson call.

    >>> import io
    >>> [(n, at, v, type(e).__name__) for n, at, _, v, e in lines(io.BytesIO(b'{"a": 1}\\n\\n[2, \\n"x"\\n'))]
    [(1, 0, {'a': 1}, 'NoneType'), (3, 10, None, 'JSONDecodeError'), (4, 15, 'x', 'NoneType')]
    """
    n = first - 1
    at = offset
    rest = b""
    while True:
        chunk = fh.read(block)
        if chunk:
            data = rest + chunk if rest else chunk
            cut = data.rfind(b"\n") + 1
            data, rest = data[:cut], data[cut:]
            if not data:
                continue  # a line longer than a block: read on
            parts = data.split(b"\n")
            parts.pop()  # (the empty text after the last end of line)
        elif rest:
            data, rest, parts = rest, b"", [rest]
        else:
            return
        fast = safe_for_orjson(data)
        for raw in parts:
            n += 1
            here = at
            at += len(raw) + 1
            line = raw.strip()
            if here == 0 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:].strip()
            if not line:
                continue
            if fast:
                try:
                    yield n, here, line, orjson_loads(line), None
                    continue
                except ValueError:  # orjson.JSONDecodeError: json.loads says what it makes of it
                    pass
            try:
                yield n, here, line, json.loads(line, parse_constant=_no_constant), None
            except (ValueError, RecursionError) as exc:
                yield n, here, line, None, exc
