"""The JSON screen in front of the incremental parser: runs of openings and lone surrogates, found fast and exactly."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mimbridge.errors import ParseError
from mimbridge.limits import JsonScreen, Limits


def screen(data: bytes, depth: int = 4, size: int = 1 << 20) -> bytes:
    return io.BufferedReader(JsonScreen(io.BytesIO(data), Limits(max_depth=depth)), buffer_size=size).read()


@pytest.mark.parametrize("doc", [
    b'[[[[["a"]]]]]',                                  # 5 openings in a row: over max_depth=4
    b'[{"k": ["]", {"x": [1]}]}]',                     # a closing bracket inside a string closes nothing
    b'[{"\\"]": [{"\\\\": [0]}]}]',                  # escaped quote and backslash before the openings
    b' \n[ { "a\\u005d" : [ { "b" : [ ] } ] } ]',      # escapes and white space between the openings
])
def test_runs_of_openings_deeper_than_the_limit_are_refused(doc):
    with pytest.raises(ParseError, match="max_depth=4") as info:
        screen(doc)
    assert info.value.pointer == f"byte {doc.index(b'[')}"


@pytest.mark.parametrize("doc", [
    b'[[[["a"]]]]',                                   # exactly max_depth openings
    b'[{"k": "]]}}"}, [[[1]]], {"a": {"b": {}}}]',    # closings in strings, nesting closed between runs
    b'[[[["\\"[[[["]]]], [[[[1]]]]]',                 # an escaped quote does not end the string
])
def test_nesting_within_the_limit_passes_unchanged(doc):
    assert screen(doc) == doc


def test_a_run_across_read_boundaries_is_found_at_its_byte():
    doc = b'[' + b'{"pad": "' + b'x' * 5000 + b'"}, ' + b'[' * 6 + b']' * 6 + b']'
    with pytest.raises(ParseError, match="max_depth") as info:
        screen(doc, size=1024)  # read a kilobyte at a time: the run starts near the end of one read
    assert info.value.pointer == f"byte {doc.index(b'[[')}"


def test_lone_surrogate_escapes_are_refused_and_pairs_pass():
    assert screen(b'["\\ud83d\\ude00", "\\u00e9"]') == b'["\\ud83d\\ude00", "\\u00e9"]'
    with pytest.raises(ParseError, match="lone surrogate") as info:
        screen(b'["ok", "\\udc00 alone", "' + b"y" * 100 + b'"]')
    assert info.value.pointer == "byte 8"


def _refused(doc: bytes, depth: int) -> bool:
    try:
        screen(doc, depth=depth)
    except ParseError:
        return True
    return False


def _run_of_openings(doc: bytes, depth: int) -> bool:
    """The screen's rule by hand: more than ``depth`` openings with no closing between them (strings skipped)."""
    for start in range(len(doc)):
        if doc[start:start + 1] not in (b"[", b"{"):
            continue
        opened, i = 1, start + 1
        while i < len(doc) and opened <= depth:
            c = doc[i:i + 1]
            if c in (b"[", b"{"):
                opened += 1
            elif c == b'"':
                end = doc.find(b'"', i + 1)
                if end < 0:
                    break
                i = end
            elif c in (b"]", b"}"):
                break
            i += 1
        if opened > depth:
            return True
    return False


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from([b"[", b"{", b"]", b"}", b'"', b'""', b'"a"', b'"]"', b'"[{"', b" "]),
                      max_size=24), depth=st.integers(1, 4))
def test_strings_without_brackets_do_not_hide_or_make_a_run(parts, depth):
    doc = b"".join(parts)
    assert _refused(doc, depth) == _run_of_openings(doc, depth), doc
