"""One triple is one value: duplicate statements and the same triple in several named graphs (corpus ontologies)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

import mimbridge
from mimbridge.report import Coerced

FILES = ["rdf/sdw/ssn/integrated/sosa.ttl", "rdf/sdw-sosa-ssn/ssn/rdf/ontology/core/sosa-observation.ttl",
         "rdf/sdw/ssn/integrated/ssn.ttl"]


def canonical_lines(path) -> list[str]:
    """The file's triples as canonical N-Triples lines (pyoxigraph, independent of the reader under test)."""
    text = ox.serialize(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES)
    return [line for line in text.decode().splitlines() if line.strip()]


@pytest.mark.parametrize("name", FILES)
def test_duplicate_lines_and_graphs_give_the_same_entities(corpus, name):
    lines = canonical_lines(corpus / name)
    assert len(lines) > 40
    once = mimbridge.convert("\n".join(lines) + "\n", source="ntriples", target="ngsi-ld")
    # every triple twice, on the canonical fast path and through the general parser (Turtle)
    twice = "\n".join(x for line in lines for x in (line, line)) + "\n"
    for syntax in ("ntriples", "turtle"):
        r = mimbridge.convert(twice, source=syntax, target="ngsi-ld")
        assert r.output == once.output, syntax
        assert [str(e) for e in r.report.events] == [str(e) for e in once.report.events]
    # the same triples in two named graphs: merged once, reported once
    quads = "\n".join(f"{line[:-1]} <urn:graph:{g}> ." for g in (1, 2) for line in lines) + "\n"
    r = mimbridge.convert(quads, source="nquads", target="ngsi-ld")
    assert r.output == once.output
    merged = [e for e in r.report.of_type(Coerced) if "named graph" in e.message]
    assert len(merged) == 1 and merged[0].count == 1 and merged[0].message.startswith("2 named graph(s)")


def test_a_type_and_a_value_stated_twice_are_one():
    nt = ('<urn:a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <urn:T> .\n' * 2
          + '<urn:a> <urn:p> <urn:b> .\n' * 2 + '<urn:a> <urn:q> "x" .\n' * 2
          + '<urn:a> <urn:r> _:v .\n' * 2 + '_:v <urn:s> "1" .\n')
    r = mimbridge.convert(nt, source="ntriples", target="ngsi-ld")
    assert r.output == {"id": "urn:a", "type": "urn:T", "urn:p": {"type": "Relationship", "object": "urn:b"},
                        "urn:q": {"type": "Property", "value": "x"},
                        "urn:r": {"type": "Property", "value": {"urn:s": "1"}}}
    # the blank node has one incoming triple, not two: no "several incoming triples" copy
    assert r.report.lossless
