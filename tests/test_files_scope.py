"""Blank nodes of RDF documents appended to one file are scoped per write (file: endpoints of sync and pull)."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mimbridge
from mimbridge.clients.files import scope_blank_nodes

_TERM_OR_BLANK = re.compile(r'(<[^>\n]*>|"(?:[^"\\\n]|\\.)*")|_:')


def _term_by_term(text: str, scope: str) -> str:
    """Every term read in turn: IRIs and literals kept, each other ``_:`` renamed (the rule of the format)."""
    return "\n".join(_TERM_OR_BLANK.sub(lambda m: m.group(1) or "_:" + scope, line) for line in text.split("\n"))


blank = st.integers(0, 50).map(lambda i: f"_:b{i}")
iri = st.sampled_from(["<urn:x:1>", "<urn:_:x>", "<http://ex.org/a> _:", "<http://ex.org/p>", "<urn:a>"]).map(
    lambda s: s.split(" ")[0])
literal = st.sampled_from(['"x"', '"> _:b1 ."', '"_:b2"', '"a\\"> _:b3"', '"POINT (1 2)"^^<http://ex.org/wkt>',
                           '"é"@fr'])
line = st.tuples(blank | iri, iri, blank | iri | literal).map(lambda t: f"{t[0]} {t[1]} {t[2]} .")


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(line, max_size=12))
def test_ntriples_lines_are_scoped_as_read_term_by_term(lines):
    text = "\n".join(lines) + "\n"
    assert scope_blank_nodes(text, "ntriples", "w1x") == _term_by_term(text, "w1x")


def test_scoped_output_of_a_conversion_is_the_same_graph_with_labels_of_its_own():
    ents = [{"id": f"urn:ngsi-ld:Room:{i}", "type": "Room", "location": {"type": "GeoProperty", "value": {
        "type": "Point", "coordinates": [2.1, 41.4]}}, "note": {"type": "Property", "value": "> _:b0 ."}}
        for i in range(3)]
    nt = mimbridge.convert(ents, source="ngsi-ld", target="ntriples", blank_nodes=True).output
    assert "_:b" in nt
    scoped = scope_blank_nodes(nt, "ntriples", "m1w2x")
    before = list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES))
    after = list(ox.parse(scoped, format=ox.RdfFormat.N_TRIPLES))
    assert len(before) == len(after)
    blanks = {t.value for q in after for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)}
    assert blanks and all(b.startswith("m1w2xb") for b in blanks)
    assert '"> _:b0 ."' in scoped  # a literal is never touched


@pytest.mark.parametrize("fmt", ["nquads"])
def test_nquads_keep_the_term_by_term_rule(fmt):
    text = '_:b0 <urn:p> _:b1 _:g .\n<urn:s> <urn:p> "_:b2" <urn:g> .\n'
    assert scope_blank_nodes(text, fmt, "s") == _term_by_term(text, "s")
