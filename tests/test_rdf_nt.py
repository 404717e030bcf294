"""The fast N-Triples path (:func:`mimbridge.adapters.rdf.ntriples.group_lines`) agrees with pyoxigraph.

Reading N-Triples takes the fast path when the text is in the canonical
one-triple-per-line form and falls back to pyoxigraph otherwise. Both must give
the same triples: here for the corpus ontologies re-serialised by pyoxigraph
(real IRIs, escapes, language tags, datatypes, blank nodes), for mimbridge's own
output of the corpus entities, and for hand-written edge cases. Text the fast
path does not take must give None (never a wrong answer).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

import mimbridge
from mimbridge.adapters.rdf.ntriples import _lines, group_lines
from mimbridge.adapters.rdf.parse import classify, from_ox, group_triples, parse_grouped, unique_pairs

from .conftest import load_json
from .test_ngsild_corpus import CONTEXT_FILES, DOCS, KNOWN_INVALID


def _ox_triples(text: str) -> list[tuple]:
    return from_ox(ox.parse(text, ox.RdfFormat.N_TRIPLES), None)


def _flat(grouped) -> list[tuple]:
    by_s, _marks = grouped
    return [(s, p, o) for s, pos in by_s.items() for p, o in pos]


def _same_as_oxigraph(text: str) -> None:
    fast = group_lines(text, classify)
    assert fast is not None, "canonical N-Triples should take the fast path"
    ref = _ox_triples(text)
    assert sorted(map(repr, _flat(fast))) == sorted(map(repr, ref))
    # the flagged triples are the ones the generic grouping flags (which keeps one of repeated triples), in the
    # same order when no triple is repeated
    unique, ref_grouped = unique_pairs(fast), group_triples(ref)
    assert sorted(map(repr, unique[1])) == sorted(map(repr, ref_grouped[1]))
    if unique is fast:
        assert fast[1] == ref_grouped[1]
    assert list(fast[0]) == list(ref_grouped[0])  # subjects in order of first appearance


@pytest.fixture(scope="module")
def ontology_texts(corpus: Path) -> dict[str, str]:
    out = {}
    for rel in ("sdw-sosa-ssn", "dxwg", "ogc-geosparql"):
        for path in sorted((corpus / "rdf" / rel).rglob("*.ttl"))[:6]:
            try:
                quads = ox.parse(path.read_bytes(), ox.RdfFormat.TURTLE, base_iri="http://example.org/base/")
                out[str(path.relative_to(corpus))] = ox.serialize(list(quads), format=ox.RdfFormat.N_TRIPLES).decode()
            except (SyntaxError, ValueError):
                continue
    assert len(out) >= 5, "expected Turtle ontologies in the corpus"
    return out


def test_corpus_ontologies_as_ntriples(ontology_texts):
    literals = 0
    for name, text in ontology_texts.items():
        _same_as_oxigraph(text)
        literals += sum(1 for t in _ox_triples(text) if isinstance(t[2], tuple))
    assert literals > 1000  # the corpus exercises escapes, language tags and datatypes


def test_corpus_entities_roundtrip_fast_path(corpus: Path):
    contexts = {url: str(corpus / rel) for url, rel in CONTEXT_FILES.items()}
    valid = [d for d in DOCS if d not in KNOWN_INVALID]
    assert len(valid) >= 20
    for rel in valid:
        doc = load_json(corpus / rel)
        for blank in (False, True):
            nt = mimbridge.convert(doc, source="ngsi-ld", target="ntriples", contexts=contexts,
                                   blank_nodes=blank).output
            _same_as_oxigraph(nt)


EDGE = [
    '<urn:a> <urn:p> "esc \\" \\\\ \\n \\t \\u00E9 \\U0001F600" .\n',
    '<urn:a> <urn:p> "Hallo"@DE-at .\n',
    '<urn:a> <urn:p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
    '<urn:a> <urn:p> "" .\n_:x <urn:p> _:y .\n_:y <urn:q> <urn:a> .\n',
    '# a comment\n\n<urn:a> <urn:p> <urn:b> .\n# another\n',
    '<http://ex.org/a%20b> <http://ex.org/p#x> <http://ex.org/é> .\n',
]


@pytest.mark.parametrize("text", EDGE)
def test_edge_cases_agree(text):
    _same_as_oxigraph(text)


NOT_FAST = [
    '<urn:a>  <urn:p> <urn:b> .\n',  # two spaces
    '<urn:a>\t<urn:p>\t<urn:b> .\n',  # tabs
    '<urn:a> <urn:p> <urn:b> . # trailing comment\n',
    '<urn:a> <urn:p> <urn:b>.\n',  # no space before the dot
    '<urn:a> <urn:p> "x" .\r\n',  # CRLF
    '<urn:a> <urn:p> "x"^^<bad iri> .\n',
    '<urn:a> <urn:p> "unterminated .\n',
    '<urn:a> <urn:p> "bad \\q escape" .\n',
    '<a b> <urn:p> <urn:b> .\n',
    '<relative> <urn:p> <urn:b> .\n',
    '<urn:a> <urn:p> .\n',
    '<urn:a> "p" <urn:b> .\n',
]


@pytest.mark.parametrize("text", NOT_FAST)
def test_other_forms_leave_the_fast_path(text):
    assert group_lines(text, classify) is None
    # and the full read either parses it as pyoxigraph does or reports where it failed
    try:
        ref = _ox_triples(text)
    except SyntaxError:
        with pytest.raises(mimbridge.ParseError) as err:
            parse_grouped(text, "ntriples")
        assert "line 1" in str(err.value)
    else:
        assert sorted(map(repr, _flat(parse_grouped(text, "ntriples")))) == sorted(map(repr, ref))


def test_documents_larger_than_one_piece(ontology_texts):
    # the splitter cuts text into pieces of a quarter megabyte: lines across piece boundaries stay whole
    text = "".join(ontology_texts.values()) * 3
    assert len(text) > 3 * (1 << 18)
    _same_as_oxigraph(text)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_lines_split_at_any_piece_size(size):
    text = "<urn:a> <urn:p> <urn:b> .\n\n# c\n<urn:a> <urn:p> \"x\\ny\" .\n\n\nlast"
    expected = [line for line in text.split("\n") if line]
    assert [line for line in _lines(text, size) if line] == expected
