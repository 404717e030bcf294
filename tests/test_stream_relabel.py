"""Blank node labels of successive N-Triples / N-Quads batches renumbered as one document, literals untouched."""

from __future__ import annotations

from mimbridge.records import Relabeler


def test_terms_are_shifted_and_label_like_literal_text_is_not():
    r = Relabeler()
    first = '_:b0 <urn:p> _:b1 .\n_:f3xb0 <urn:q> "x" .\n'
    assert r(first) == first  # the first batch keeps its labels
    assert r.bnodes == 3  # b0, b1 and the fallback numbered 3 (labels up to 2)
    second = ('_:b0 <urn:p> "_:b0" .\n'
              '_:b1 <urn:p> "a _:b1"^^<urn:dt> .\n'
              '<urn:s> <urn:p> "x _:b1 <g> ." <urn:g> .\n'
              '<urn:s> <urn:p> "y _:b0 ."@en .\n'
              '<urn:s> <urn:p> _:b2 _:b3 .\n'
              '<urn:s> <urn:p> _:f1xc1 <urn:g> .\n'
              '<urn:s> <urn:p> _:b0 .')
    assert r(second) == ('_:b3 <urn:p> "_:b0" .\n'
                         '_:b4 <urn:p> "a _:b1"^^<urn:dt> .\n'
                         '<urn:s> <urn:p> "x _:b1 <g> ." <urn:g> .\n'
                         '<urn:s> <urn:p> "y _:b0 ."@en .\n'
                         '<urn:s> <urn:p> _:b5 _:b6 .\n'
                         '<urn:s> <urn:p> _:f4xc1 <urn:g> .\n'
                         '<urn:s> <urn:p> _:b3 .')
    assert r.bnodes == 7
    assert r('<urn:s> <urn:p> "no labels" .\n') == '<urn:s> <urn:p> "no labels" .\n'
