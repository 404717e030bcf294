"""The RDF formats run the adapter contract suite (samples: mimbridge's own output of a rich entity)."""

from __future__ import annotations

from typing import Any, ClassVar

import mimbridge
from mimbridge.testing import AdapterContract

from .test_contract import ENTITY

DOC = [ENTITY, {**ENTITY, "id": "urn:ngsi-ld:Building:2", "@context": None}]
DOC[1].pop("@context")


def _sample(fmt: str, **options: Any) -> str:
    return mimbridge.convert(DOC, source="ngsi-ld", target=fmt, **options).output


class TestTurtle(AdapterContract):
    format = "turtle"
    samples: ClassVar[list[Any]] = [_sample("turtle")]
    bad_samples: ClassVar[list[Any]] = ["<urn:a> <urn:p> ", "@prefix x <y> ."]


class TestTurtleBlankNodes(AdapterContract):
    format = "turtle"
    options: ClassVar[dict[str, Any]] = {"blank_nodes": True}
    samples: ClassVar[list[Any]] = [_sample("turtle", blank_nodes=True)]
    bad_samples: ClassVar[list[Any]] = ["<urn:a> <urn:p> "]


class TestNTriples(AdapterContract):
    format = "ntriples"
    samples: ClassVar[list[Any]] = [_sample("ntriples")]
    bad_samples: ClassVar[list[Any]] = ['<urn:a> <urn:p> "x .\n', "<urn:a> <rel> <urn:b> .\n"]


class TestNQuads(AdapterContract):
    format = "nquads"
    samples: ClassVar[list[Any]] = [_sample("nquads")]
    bad_samples: ClassVar[list[Any]] = ["<urn:a> <urn:p> <urn:b> <urn:g> <urn:h> .\n"]


class TestRdfJsonLd(AdapterContract):
    format = "rdf-jsonld"
    samples: ClassVar[list[Any]] = [_sample("rdf-jsonld")]
    bad_samples: ClassVar[list[Any]] = ['[{"@id": ', '{"@context": {"@version": 2.0}, "@id": "urn:x"}']


class TestRdfXml(AdapterContract):
    format = "rdfxml"
    samples: ClassVar[list[Any]] = [_sample("rdfxml")]
    bad_samples: ClassVar[list[Any]] = ["<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><x"]


def test_write_is_deterministic():
    for fmt in ("turtle", "ntriples", "rdf-jsonld", "rdfxml"):
        assert _sample(fmt) == _sample(fmt)
