"""RDF adapter, ngsi-ld profile: the JSON-LD oracle, round trips and the documented deviations.

The oracle is pyld's ``to_rdf`` of the same NGSI-LD document with the real core
context files of the corpus (1.8 Scorpio copy, 1.9 Stellio copy, 1.3), and the
user contexts of ``CONTEXT_FILES``, all served by a local document loader;
contexts nobody has a copy of are served empty to both sides. mimbridge's
output (blank-node mode) must be graph-isomorphic to it; every place where
the default output differs (``docs/rdf.md``, "Deviations") has its own test.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import rdflib
from pyld import jsonld
from rdflib.compare import isomorphic

import mimbridge
from mimbridge.adapters.rdf.terms import MB, MB_JSON, SKOLEM_BASE, canonical_double

from .conftest import load_json
from .test_core_context import SCORPIO_18, STELLIO_19, V13
from .test_ngsild_corpus import CONTEXT_FILES, DOCS, KNOWN_INVALID

CORE = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v{}.jsonld"
STELLIO = "ngsi-ld/stellio-context-broker/shared/src/testFixtures/resources/wiremock/__files/jsonld-contexts/"
#: user contexts the apic-compound context imports (local copies in the corpus)
EXTRA_CONTEXTS = {
    "http://localhost:8093/jsonld-contexts/apic.jsonld": STELLIO + "apic.jsonld",
    "http://localhost:8093/jsonld-contexts/egm.jsonld": STELLIO + "egm.jsonld",
}
VALID = [d for d in DOCS if d not in KNOWN_INVALID]
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"


@pytest.fixture(scope="module")
def contexts(corpus: Path) -> dict[str, str]:
    return {url: str(corpus / rel) for url, rel in {**CONTEXT_FILES, **EXTRA_CONTEXTS}.items()}


class OracleLoader:
    """pyld document loader: corpus copies of the core contexts and user contexts; anything else empty."""

    def __init__(self, corpus: Path) -> None:
        self.docs = {CORE.format("1.8"): SCORPIO_18, CORE.format("1.9"): STELLIO_19, CORE.format("1.3"): V13,
                     **CONTEXT_FILES, **EXTRA_CONTEXTS}
        self.corpus = corpus
        self.empty: set[str] = set()

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        if url in self.docs:
            doc = load_json(self.corpus / self.docs[url])
        else:
            self.empty.add(url)
            doc = {"@context": {}}
        return {"contextUrl": None, "documentUrl": url, "document": doc}


def pyld_ntriples(doc: Any, loader: OracleLoader) -> str:
    """pyld to_rdf of NGSI-LD entities: the core context appended last, as NGSI-LD prescribes."""
    doc = copy.deepcopy(doc)
    for e in doc if isinstance(doc, list) else [doc]:
        ctx = e.get("@context")
        ctx = [] if ctx is None else (ctx if isinstance(ctx, list) else [ctx])
        e["@context"] = [*ctx, CORE.format("1.8")]
    return jsonld.to_rdf(doc, {"documentLoader": loader, "format": "application/n-quads"})


def graph(nt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=nt, format="nt")


def without_annotations(nt: str) -> rdflib.Graph:
    """The graph minus mimbridge's mb:json annotations and document node."""
    g = graph(nt)
    docs = set(g.subjects(rdflib.RDF.type, rdflib.URIRef(MB + "Document")))
    for t in list(g):
        if t[1] == rdflib.URIRef(MB_JSON) or t[0] in docs:
            g.remove(t)
    return g


# -- the oracle ---------------------------------------------------------------
@pytest.mark.parametrize("rel", VALID)
def test_ntriples_isomorphic_to_pyld(corpus, contexts, rel):
    doc = load_json(corpus / rel)
    loader = OracleLoader(corpus)
    want = graph(pyld_ntriples(doc, loader))
    r = mimbridge.convert(doc, source="ngsi-ld", target="ntriples", contexts=contexts, blank_nodes=True,
                          roundtrip=False)
    assert isomorphic(graph(r.output), want), r.output
    # only contexts the corpus has no copy of were served empty (the 1.6 core context is not in the
    # corpus: the 1.8 copy appended after it defines the same core terms)
    assert all(any(k in u for k in ("smart-data-models", "marek-mraz", "localhost", "core-context-v1.6"))
               for u in loader.empty), loader.empty


@pytest.mark.parametrize("rel", VALID)
def test_default_output_is_the_jsonld_graph_plus_annotations(corpus, contexts, rel):
    doc = load_json(corpus / rel)
    want = graph(pyld_ntriples(doc, OracleLoader(corpus)))
    r = mimbridge.convert(doc, source="ngsi-ld", target="ntriples", contexts=contexts, blank_nodes=True)
    assert isomorphic(without_annotations(r.output), want)
    assert r.report.lossless or all(e.kind == "Unresolved" for e in r.report.events), r.report.summary()


def test_oracle_covers_every_attribute_type(corpus):
    kinds = set()
    for rel in VALID:
        for e in (d if isinstance(d := load_json(corpus / rel), list) else [d]):
            for v in e.values():
                for inst in v if isinstance(v, list) else [v]:
                    if isinstance(inst, dict) and "type" in inst:
                        kinds.add(inst["type"])
    assert {"Property", "GeoProperty", "Relationship", "LanguageProperty", "VocabProperty",
            "JsonProperty"} <= kinds


# -- round trips ----------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["turtle", "rdf-jsonld", "ntriples"])
@pytest.mark.parametrize("rel", VALID)
def test_round_trip_json_equal(corpus, contexts, rel, fmt):
    doc = load_json(corpus / rel)
    rdf = mimbridge.convert(doc, source="ngsi-ld", target=fmt, contexts=contexts)
    assert isinstance(rdf.output, str)
    back = mimbridge.convert(rdf.output, source=fmt, target="ngsi-ld", contexts=contexts)
    assert back.output == doc
    assert json.dumps(back.output, sort_keys=True) == json.dumps(doc, sort_keys=True)  # 12.0 stays 12.0


@pytest.mark.parametrize("fmt", ["nquads", "rdfxml"])
@pytest.mark.parametrize("blank", [False, True])
def test_round_trip_other_syntaxes(corpus, contexts, fmt, blank):
    for rel in VALID:
        doc = load_json(corpus / rel)
        rdf = mimbridge.convert(doc, source="ngsi-ld", target=fmt, contexts=contexts,
                                blank_nodes=blank).output
        assert mimbridge.convert(rdf, source=fmt, target="ngsi-ld", contexts=contexts).output == doc, rel


def test_round_trip_through_rdflib_graph(corpus, contexts):
    doc = load_json(corpus / VALID[0])
    g = mimbridge.convert(doc, source="ngsi-ld", target="ntriples", contexts=contexts).output
    rg = rdflib.Graph().parse(data=g, format="nt")
    assert mimbridge.convert(rg, source="turtle", target="ngsi-ld", contexts=contexts).output == doc


# -- crafted values against pyld --------------------------------------------------
CRAFTED = {
    "id": "urn:ngsi-ld:Thing:1", "type": ["Thing", "Other"],
    "s": {"type": "Property", "value": 'a "quoted"\nline\\ with é'},
    "b": {"type": "Property", "value": False},
    "big": {"type": "Property", "value": 10**22},
    "neg": {"type": "Property", "value": -0.000123},
    "arr": {"type": "Property", "value": [1, "x", 2.5, [3, 4]]},
    "obj": {"type": "Property", "value": {
        "flag": "true", "n": None, "inner": {"k": [1, 2]}, "type": "Kind", "ref": {"@id": "urn:x:ref"},
        "when": {"@value": "2024", "@type": "DateTime"}, "txt": {"@value": "hi", "@language": "EN-gb"},
        "lst": {"@list": [1, 2]}}},
    "rel": {"type": "Relationship", "object": ["urn:a:1", "urn:a:2"], "datasetId": "urn:ds:1"},
    "lang": {"type": "LanguageProperty", "languageMap": {"fr": "a", "en": ["b", "c"], "@none": "d"}},
    "voc": {"type": "VocabProperty", "vocab": ["monument", "ex:tower"]},
    "jsonp": {"type": "JsonProperty", "json": [{"b": 1.0, "a": None}, 2]},
    "list": {"type": "ListProperty", "valueList": [[1, 2], ["x"], 3.5, {"k": "v"}]},
    "objs": {"type": "ListRelationship", "objectList": [{"object": "urn:a:1"}, {"object": "urn:a:2"}]},
    "geo": {"type": "GeoProperty", "value": {"type": "MultiPolygon",
                                             "coordinates": [[[[0, 0], [1.5, 0], [1, 1], [0, 0]]]]}},
    "nested": {"type": "Property", "value": 1, "observedAt": "2024-01-01T00:00:00Z", "unitCode": "MTR",
               "createdAt": "2024-01-01T00:00:00Z", "instanceId": "urn:i:1",
               "sub": {"type": "Relationship", "object": "urn:b:1",
                       "subsub": {"type": "Property", "value": 2}}},
    "scope": "/a/b",
    "@context": [{"ex": "https://example.org/", "flag": {"@id": "ex:flag", "@type": "xsd:boolean"},
                  "xsd": "http://www.w3.org/2001/XMLSchema#"}, CORE.format("1.8")],
}


def test_crafted_entity_matches_pyld(corpus):
    loader = OracleLoader(corpus)
    want = graph(pyld_ntriples(CRAFTED, loader))
    r = mimbridge.convert(CRAFTED, source="ngsi-ld", target="ntriples", blank_nodes=True, roundtrip=False)
    assert isomorphic(graph(r.output), want), r.output
    back = mimbridge.convert(mimbridge.convert(CRAFTED, source="ngsi-ld", target="turtle").output,
                             source="turtle", target="ngsi-ld")
    assert json.dumps(back.output, sort_keys=True) == json.dumps(CRAFTED, sort_keys=True)


def test_scoped_context_value_is_expanded_by_pyld(corpus):
    ctx = [{"Addr": {"@id": "https://example.org/Addr", "@context": {"street": "https://example.org/street"}}},
           CORE.format("1.8")]
    e = {"id": "urn:x:1", "type": "T", "a": {"type": "Property", "value": {"type": "Addr", "street": "Main"}},
         "@context": ctx}
    want = graph(pyld_ntriples(e, OracleLoader(corpus)))
    out = mimbridge.convert(e, source="ngsi-ld", target="ntriples", blank_nodes=True, roundtrip=False).output
    assert isomorphic(graph(out), want)
    assert "<https://example.org/street>" in out


def test_invalid_jsonld_value_is_reported_and_still_round_trips():
    e = {"id": "urn:x:1", "type": "T", "a": {"type": "Property", "value": {"@value": {"not": "a literal"}}}}
    r = mimbridge.convert(e, source="ngsi-ld", target="ntriples", roundtrip=False)
    assert any("not valid JSON-LD" in ev.message for ev in r.report.events)
    nt = mimbridge.convert(e, source="ngsi-ld", target="ntriples").output
    assert mimbridge.convert(nt, source="ntriples", target="ngsi-ld").output == e


def test_canonical_double_is_pyld_form():
    for v in (0.81, 12.5, -3e-7, 1.7976931348623157e308, 5e-324, 123456.789):
        assert canonical_double(v) == jsonld._canonicalize_double(v)


# -- deviations (docs/rdf.md), one test each ------------------------------------------
def _annotation(nt: str) -> list[dict]:
    return [json.loads(str(o)) for o in graph(nt).objects(None, rdflib.URIRef(MB_JSON))]


def _one(value: Any) -> dict:
    return {"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": value}}


def test_deviation_integer_valued_float():
    nt = mimbridge.convert(_one(12.0), source="ngsi-ld", target="ntriples").output
    assert '"12"^^<http://www.w3.org/2001/XMLSchema#integer>' in nt  # what JSON-LD gives
    assert _annotation(nt) == [{"value": 12.0}]
    back = mimbridge.convert(nt, source="ntriples", target="ngsi-ld").output
    assert isinstance(back["a"]["value"], float)
    assert _annotation(mimbridge.convert(_one(12.5), source="ngsi-ld", target="ntriples").output) == []


def test_deviation_double_precision():
    v = 0.1 + 0.2  # 0.30000000000000004: 16 significant digits (JSON-LD's form) do not give it back
    nt = mimbridge.convert(_one(v), source="ngsi-ld", target="ntriples").output
    assert f'"{canonical_double(v)}"' in nt and _annotation(nt) == [{"value": v}]
    assert mimbridge.convert(nt, source="ntriples", target="ngsi-ld").output["a"]["value"] == v


def test_deviation_array_order_and_duplicates():
    nt = mimbridge.convert(_one([3, 1, 3]), source="ngsi-ld", target="ntriples").output
    g = graph(nt)
    assert len(list(g.objects(None, rdflib.URIRef("https://uri.etsi.org/ngsi-ld/hasValue")))) == 2
    assert _annotation(nt) == [{"value": [3, 1, 3]}]
    assert mimbridge.convert(nt, source="ntriples", target="ngsi-ld").output == _one([3, 1, 3])


def test_deviation_json_object_value():
    value = {"street": "Main", "unmapped": None, "type": "PostalAddress"}
    nt = mimbridge.convert(_one(value), source="ngsi-ld", target="ntriples").output
    assert "<https://uri.etsi.org/ngsi-ld/default-context/street> \"Main\"" in nt  # expanded as JSON-LD does
    assert _annotation(nt) == [{"value": value}]  # null member kept
    assert mimbridge.convert(nt, source="ntriples", target="ngsi-ld").output == _one(value)


def test_deviation_language_tag_case():
    e = {"id": "urn:ngsi-ld:T:1", "type": "T",
         "n": {"type": "LanguageProperty", "languageMap": {"en-US": "x"}}}
    nt = mimbridge.convert(e, source="ngsi-ld", target="ntriples").output
    assert '"x"@en-us' in nt and _annotation(nt) == [{"value": {"en-US": "x"}}]
    assert mimbridge.convert(nt, source="ntriples", target="ngsi-ld").output == e


def test_deviation_instance_order():
    insts = [{"type": "Property", "value": 2, "datasetId": "urn:ds:b"}, {"type": "Property", "value": 1}]
    e = {"id": "urn:ngsi-ld:T:1", "type": "T", "a": insts}
    nt = mimbridge.convert(e, source="ngsi-ld", target="ntriples").output
    assert sorted(a["index"] for a in _annotation(nt)) == [0, 1]
    assert mimbridge.convert(nt, source="ntriples", target="ngsi-ld").output == e


def test_deviation_entity_context_types_and_document_node():
    e = {"id": "urn:ngsi-ld:T:1", "type": ["B", "A"], "@context": [CORE.format("1.8")]}
    nt = mimbridge.convert([e], source="ngsi-ld", target="ntriples").output
    notes = _annotation(nt)
    assert {"types": ["https://uri.etsi.org/ngsi-ld/default-context/B",
                      "https://uri.etsi.org/ngsi-ld/default-context/A"],
            "meta": {"@context": [CORE.format("1.8")], "ngsi-ld:typeArray": True}} in notes
    assert {"meta": {"ngsi-ld:single": False}} in notes  # an array of one entity, not one entity
    assert f"<{MB}Document>" in nt
    assert mimbridge.convert(nt, source="ntriples", target="ngsi-ld").output == [e]


def test_deviation_skolem_attribute_nodes():
    e = {"id": "urn:ngsi-ld:T:1", "type": "T",
         "a": [{"type": "Property", "value": 1}, {"type": "Property", "value": 2, "datasetId": "urn:ds:1"}]}
    one = mimbridge.convert(e, source="ngsi-ld", target="ntriples").output
    assert one == mimbridge.convert(e, source="ngsi-ld", target="ntriples").output  # deterministic
    nodes = set(graph(one).objects(rdflib.URIRef("urn:ngsi-ld:T:1"),
                                   rdflib.URIRef("https://uri.etsi.org/ngsi-ld/default-context/a")))
    assert len(nodes) == 2 and all(str(n).startswith(SKOLEM_BASE) for n in nodes)
    assert "_:" not in one
    other = mimbridge.convert({**e, "id": "urn:ngsi-ld:T:2"}, source="ngsi-ld", target="ntriples").output
    assert not nodes & set(graph(other).all_nodes())
    blank = mimbridge.convert(e, source="ngsi-ld", target="ntriples", blank_nodes=True).output
    assert SKOLEM_BASE not in blank
    base = "https://data.example.org/.well-known/genid/"
    assert base in mimbridge.convert(e, source="ngsi-ld", target="ntriples", skolem_base=base).output


def test_deviation_attribute_term_with_coercion(corpus):
    # the core context defines "json" with @type @json: JSON-LD turns such an attribute into one JSON literal
    e = {"id": "urn:ngsi-ld:T:1", "type": "T", "json": {"type": "JsonProperty", "json": {"a": 1}}}
    pyld_nt = pyld_ntriples(e, OracleLoader(corpus))
    assert '"{\\"json\\":{\\"a\\":1},\\"type\\":\\"JsonProperty\\"}"' in pyld_nt
    r = mimbridge.convert(e, source="ngsi-ld", target="ntriples")
    [ev] = r.report.events
    assert ev.kind == "Coerced" and "@type @json" in ev.message
    # the way back is the same as NGSI-LD's own round trip (which compacts the IRI to ngsi-ld:hasJSON)
    same = mimbridge.convert(e, source="ngsi-ld", target="ngsi-ld").output
    assert mimbridge.convert(r.output, source="ntriples", target="ngsi-ld").output == same


def test_roundtrip_false_reports_what_it_loses():
    r = mimbridge.convert(_one([1, 1]), source="ngsi-ld", target="ntriples", roundtrip=False)
    assert MB not in r.output
    [ev] = r.report.events
    assert ev.kind == "Coerced" and ev.path == "/https:~1~1uri.etsi.org~1ngsi-ld~1default-context~1a"


# -- options ---------------------------------------------------------------------
def test_turtle_prefixes_and_base():
    e = {"id": "https://data.example.org/thing/1", "type": "https://schema.org/Place",
         "a": {"type": "Property", "value": 1}}
    base = "https://data.example.org/thing/"
    plain = mimbridge.convert(e, source="ngsi-ld", target="turtle").output
    assert "@prefix ngsi-ld: <https://uri.etsi.org/ngsi-ld/> ." in plain
    assert "@prefix sosa:" not in plain  # only prefixes the output uses
    ttl = mimbridge.convert(e, source="ngsi-ld", target="turtle", prefixes={"schema": "https://schema.org/"},
                            base=base).output
    assert "schema:Place" in ttl and f"@base <{base}>" in ttl and "<1>" in ttl
    assert isomorphic(rdflib.Graph().parse(data=ttl, format="turtle", publicID=base),
                      rdflib.Graph().parse(data=plain, format="turtle"))
    back = mimbridge.convert(ttl, source="turtle", target="ngsi-ld", base=base)
    assert back.output["id"] == e["id"]


def test_registry_names_and_media_types():
    for alias, name in {".ttl": "turtle", ".nt": "ntriples", ".nq": "nquads", ".rdf": "rdfxml",
                        ".owl": "rdfxml",
                        "text/turtle": "turtle", "application/n-triples": "ntriples",
                        "application/n-quads": "nquads", "application/rdf+xml": "rdfxml"}.items():
        assert mimbridge.registry.resolve_name(alias) == name
    assert mimbridge.registry.get("rdf-jsonld").capabilities.output == "text"


def test_malformed_rdf_raises_parse_error_with_position():
    with pytest.raises(mimbridge.ParseError) as info:
        mimbridge.convert('<urn:a> <urn:p> "open .\n', source="ntriples", target="ngsi-ld")
    assert info.value.pointer.startswith("line 1")


def test_unknown_profile_is_an_error():
    with pytest.raises(mimbridge.MimbridgeError, match="unknown RDF profile"):
        mimbridge.convert(_one(1), source="ngsi-ld", target="turtle", profile="nope")
