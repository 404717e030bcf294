"""JsonSequence: the records of an array or of a collection's member, as json.loads reads them, in any read size."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mimbridge.errors import ParseError
from mimbridge.jsonseq import JsonSequence

scalars = st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats(allow_nan=False, allow_infinity=False) \
    | st.text(max_size=12)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner,
                                                                                           max_size=4), max_leaves=20)


def seq(text: str, member: str | None = None, read: int = 1 << 20) -> JsonSequence:
    return JsonSequence(io.BytesIO(text.encode("utf-8")), member=member, read=read)


@settings(max_examples=150, deadline=None)
@given(items=st.lists(values, max_size=6), read=st.integers(1, 9), indent=st.sampled_from([None, 2]))
def test_array_items_equal_json_loads_in_any_read_size(items, read, indent):
    text = json.dumps(items, indent=indent, ensure_ascii=False)
    assert list(seq(text, read=read)) == json.loads(text)


@settings(max_examples=100, deadline=None)
@given(before=st.dictionaries(st.sampled_from(["type", "links", "n"]), values, max_size=3),
       after=st.dictionaries(st.sampled_from(["numberMatched", "next"]), values, max_size=2),
       items=st.lists(values, max_size=5), read=st.integers(1, 9))
def test_a_member_streams_and_the_other_members_are_kept(before, after, items, read):
    doc = {**before, "features": items, **after}
    s = seq(json.dumps(doc), member="features", read=read)
    assert list(s) == items
    assert s.envelope == {**before, **after}
    assert s.order == list(doc)


@pytest.mark.parametrize("text, pointer", [
    ('[{"a": 1} {"a": 2}]', "character 10"),     # no comma between items
    ('[{"a": 1}, {"a": }]', "character 17"),     # a value missing inside an item
    ('[1, 2', "character 5"),                   # truncated
    ('[1, NaN]', "character 4"),                # not JSON (convert refuses it too)
    ('[1] [2]', "character 4"),                 # extra data
    ('{"features": [1], "n" 2}', "character 22"),
    ('"text"', "character 0"),
])
def test_malformed_json_is_a_parse_error_at_its_character(text, pointer):
    for read in (1, 3, 1 << 20):
        with pytest.raises(ParseError) as info:
            list(seq(text, member="features", read=read))
        assert info.value.pointer == pointer, (read, info.value)


def test_text_that_is_not_utf8_and_deep_nesting_are_parse_errors():
    with pytest.raises(ParseError, match="UTF-8"):
        list(JsonSequence(io.BytesIO(b'[{"a": "\xff"}]')))
    with pytest.raises(ParseError, match="nested too deep"):
        list(seq("[" + "[" * 100_000 + "]" * 100_000 + "]"))


@settings(max_examples=100, deadline=None)
@given(items=st.lists(values, max_size=9), read=st.sampled_from([1, 2, 5, 9, 1 << 20]), n=st.integers(1, 4),
       member=st.booleans())
def test_batches_hold_n_records_each_in_input_order(items, read, n, member):
    doc = {"type": "FeatureCollection", "features": items, "n": 1} if member else items
    s = seq(json.dumps(doc), member="features" if member else None, read=read)
    chunks = list(s.batches(n))
    assert [x for c in chunks for x in c] == items
    assert [len(c) for c in chunks] == [n] * (len(items) // n) + ([len(items) % n] if len(items) % n else [])
    if member:
        assert s.envelope == {"type": "FeatureCollection", "n": 1}


def test_a_malformed_record_in_a_batch_is_named_at_its_character():
    for read in (1, 4, 1 << 20):
        with pytest.raises(ParseError) as info:
            list(seq('[1, 2, 3, {"a": }, 5]', read=read).batches(3))
        assert info.value.pointer == "character 16", read


# -- the orjson fast path: many records per parse, the same values (types included) as json.loads --------------

#: strings that mislead a count of braces and commas
tricky = st.sampled_from(["}", "{", "},{", '"},{"', ",", "\\", "}\n,", "", "é€😀", "\u2028"]) | st.text(max_size=6)
records = st.dictionaries(st.text(max_size=4) | tricky, values | tricky, min_size=1, max_size=5)


def _exact(value):
    """``value`` with the type of every number spelled out (1 == 1.0 and 2**64 == float(2**64) in Python)."""
    return json.dumps(value, default=str, sort_keys=False, ensure_ascii=True) + repr(value)


@settings(max_examples=120, deadline=None)
@given(items=st.lists(records, min_size=1, max_size=60), read=st.sampled_from([7, 64, 512, 4096]),
       n=st.integers(1, 7), indent=st.sampled_from([None, 1]), member=st.booleans())
def test_records_read_many_at_a_time_equal_json_loads_exactly(items, read, n, indent, member):
    doc = {"type": "FeatureCollection", "features": items} if member else items
    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    s = seq(text, member="features" if member else None, read=read)
    got = [x for c in s.batches(n) for x in c]
    assert _exact(got) == _exact(json.loads(text)["features"] if member else json.loads(text))


def test_the_fast_path_reads_most_records_and_leaves_big_integers_to_the_scanner():
    import random

    rng = random.Random(5)
    items = [{"id": f"urn:ngsi-ld:X:{i}", "v": {"type": "Property", "value": rng.random()}, "s": "},{" * (i % 3)}
             for i in range(6000)]
    items[1500]["big"] = 123456789012345678901234567890  # orjson would read a float
    items[2100]["big"] = -9223372036854775809
    text = json.dumps(items)
    s = seq(text, read=1 << 14)
    got = list(s)
    assert _exact(got) == _exact(items)
    assert got[1500]["big"].__class__ is int and got[2100]["big"] == -9223372036854775809
    assert s.fast, "braces inside strings turned the fast path off"
    assert s.fast_records > 4800, s.fast_records  # the buffers holding a big integer (and the last) go slowly


def test_a_malformed_record_is_found_with_the_fast_path_on():
    items = [json.dumps({"id": i, "p": "x" * 50}) for i in range(2000)]
    items[1200] = '{"id": 1200, "p": }'
    text = "[" + ",".join(items) + "]"
    at = text.index('{"id": 1200') + len('{"id": 1200, "p": ')
    for read in (1 << 10, 1 << 16):
        with pytest.raises(ParseError) as info:
            list(seq(text, read=read))
        assert info.value.pointer == f"character {at}", read


# -- array_items: each record with its own text ---------------------------------------------------------------

from mimbridge.jsonseq import array_items  # noqa: E402


def _items(text: str, read: int):
    return list(array_items(io.BytesIO(text.encode("utf-8")), read=read))


@settings(max_examples=150, deadline=None)
@given(items=st.lists(records | st.lists(records, max_size=3).map(lambda rs: {"multi": rs}) | values, max_size=25),
       read=st.sampled_from([3, 16, 256, 1 << 20]), indent=st.sampled_from([None, 1]),
       compact=st.booleans())
def test_array_items_equal_json_loads_and_give_each_record_its_own_text(items, read, indent, compact):
    text = json.dumps(items, indent=indent, ensure_ascii=False, separators=(",", ":") if compact else None)
    got = _items(text, read)
    assert _exact([rec for rec, _ in got]) == _exact(json.loads(text))
    for rec, raw in got:
        if raw is not None:  # the text of that record and nothing else
            assert _exact(json.loads(raw)) == _exact(rec) and raw.strip() == raw and raw.startswith(b"{")


def test_array_items_cut_most_records_by_their_text_and_keep_big_integers():
    ents = [{"id": f"urn:ngsi-ld:X:{i}", "s": "}, {" * (i % 3), "m": [{"a": 1}, {"b": [{"c": 2}, {"d": 3}]}],
             "n": 123456789012345678901234567890 if i % 500 == 7 else i} for i in range(3000)]
    for indent in (None, 2):
        got = _items(json.dumps(ents, indent=indent), 1 << 14)
        assert _exact([r for r, _ in got]) == _exact(ents)
        assert sum(raw is not None for _, raw in got) == 3000  # every record with its text, the last one too
        assert got[7][0]["n"].__class__ is int


@pytest.mark.parametrize("text", [
    '[{"a": 1}, {"a": }, {"a": 3}]', '[{"a": 1} {"a": 2}]', '[{"a": 1}, {"a": 2}', '[{"a": 1}]]', '[{"a": 1}] x',
    '[{"a": "é"}, {"a": 2}, 7, {"b": }]', '[{"a": NaN}]',
])
def test_array_items_say_where_malformed_json_is_as_json_sequence_does(text):
    for read in (2, 5, 1 << 20):
        with pytest.raises(ParseError) as fast:
            _items(text, read)
        with pytest.raises(ParseError) as careful:
            list(seq(text, read=read))
        assert fast.value.pointer == careful.value.pointer, (text, read)


def test_array_items_of_other_json():
    assert _items("[]", 4) == [] and _items(" [ 1, [2], {\"a\": 3} ] ", 3) == [(1, None), ([2], None), ({"a": 3}, None)]
    assert _items('\ufeff[{"a": 1}]', 4) == [({"a": 1}, b'{"a": 1}')]
