"""mimbridge.fastjson: orjson's speed only where it gives json.loads's value (integers beyond 64 bits, 1E400)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mimbridge.fastjson import loads, safe_for_orjson

scalars = st.none() | st.booleans() | st.integers(-10**40, 10**40) | st.floats(allow_nan=False) | st.text(max_size=8)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                                           max_size=4), max_leaves=15)


def _exact(value):
    return repr(value)


@settings(max_examples=300, deadline=None)
@given(value=values, ascii_only=st.booleans())
def test_loads_gives_what_json_loads_gives_types_included(value, ascii_only):
    try:
        text = json.dumps(value, ensure_ascii=ascii_only, allow_nan=False)
    except ValueError:
        return  # inf (hypothesis floats) is not JSON
    assert _exact(loads(text.encode("utf-8"))) == _exact(json.loads(text))
    assert _exact(loads(text)) == _exact(json.loads(text))


@pytest.mark.parametrize("text", [
    "123456789012345678901234567890", "-9223372036854775809", "18446744073709551616", "9223372036854775808",
    "[1E400]", '"\\ud800"', '{"a": 1, "a": 2}', "-0", "-0.0", "5e-324", '"\\u0000"', '"a\\ud83d\\ude00"',
    '["1234567890123456789012", 1]',  # a long run of digits in a string: json.loads reads it, the same value
])
def test_values_orjson_reads_otherwise_come_from_json_loads(text):
    assert _exact(loads(text.encode())) == _exact(json.loads(text))


@pytest.mark.parametrize("text", ["[NaN]", "[Infinity]", "[-Infinity]", "[1,]", '{"a" 1}', ""])
def test_what_json_refuses_is_refused_as_a_value_error(text):
    with pytest.raises(ValueError):
        loads(text.encode())


def test_a_run_of_nineteen_digits_is_not_for_orjson():
    assert safe_for_orjson(b"[922337203685477580]")  # 18 digits: every such integer fits 64 bits
    assert not safe_for_orjson(b"[9223372036854775808]")
    assert not safe_for_orjson(b"9223372036854775808") and not safe_for_orjson(b"[-9223372036854775809]")
    assert safe_for_orjson(b"[0.0017748622025346439]")  # a fraction: orjson and json read the same float
    assert not safe_for_orjson(b"[12345678901234567890.5]")  # (also the same float; not worth telling apart)


@pytest.mark.parametrize("text", ["[0.0017748622025346439]", "[12345678901234567890.5]",
                                  "[1.5e-0000000000000000000007]", "[1234567890123456789.000000000000000000001]"])
def test_long_fractions_and_exponents_read_as_json_loads_reads_them(text):
    assert _exact(loads(text.encode())) == _exact(json.loads(text))


def _refuse(name):
    raise ValueError(f"{name} is not JSON")  # as convert refuses NaN and Infinity


def _lines_as_json_reads_them(data: bytes):
    import io as _io

    out = []
    for n, raw in enumerate(_io.BytesIO(data), 1):
        if raw.strip():
            try:
                out.append((n, raw.strip(), _exact(json.loads(raw, parse_constant=_refuse)), None))
            except ValueError as exc:
                out.append((n, raw.strip(), None, type(exc).__name__))
    return out


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(values.map(lambda v: json.dumps(v, allow_nan=True)) | st.sampled_from(
    ["", "  ", "[1,", "{bad}", "[NaN]", "123456789012345678901234567890", '{"a": 1}\r']), max_size=30),
       block=st.sampled_from([1, 5, 64, 1 << 18]), end=st.sampled_from(["\n", ""]))
def test_json_lines_give_what_json_loads_gives_line_by_line(rows, block, end):
    import io

    from mimbridge.fastjson import lines

    data = ("\n".join(rows) + end).encode("utf-8")
    got = [(n, line, None if exc else _exact(v), type(exc).__name__ if exc else None)
           for n, at, line, v, exc in lines(io.BytesIO(data), block=block)]
    assert got == _lines_as_json_reads_them(data)
    offsets = [at for _, at, _, _, _ in lines(io.BytesIO(data), block=block)]
    starts = [0] + [i + 1 for i, b in enumerate(data) if b == 10]  # each line's first byte
    assert offsets == [starts[n - 1] for n, *_ in got]
