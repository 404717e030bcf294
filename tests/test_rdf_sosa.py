"""RDF adapter, sosa profile: vocabulary checked against the corpus ontologies, GeoSPARQL WKT, SHACL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
import shapely
from shapely.geometry import shape

import mimbridge
from mimbridge.adapters.rdf.sosa import GEO, SF, SOSA, SSN
from mimbridge.validate.shacl import validate

from .conftest import load_json
from .test_ngsild_corpus import CONTEXT_FILES, DOCS, KNOWN_INVALID, TEMPORAL_DOCS

VALID = [d for d in DOCS if d not in KNOWN_INVALID]
EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "air-quality.jsonld"


@pytest.fixture(scope="module")
def contexts(corpus: Path) -> dict[str, str]:
    return {url: str(corpus / rel) for url, rel in CONTEXT_FILES.items()}


@pytest.fixture(scope="module")
def outputs(corpus, contexts) -> dict[str, str]:
    out = {rel: mimbridge.convert(load_json(corpus / rel), source="ngsi-ld", target="ntriples",
                                  profile="sosa", contexts=contexts).output for rel in VALID}
    out["example"] = mimbridge.convert(load_json(EXAMPLE), source="ngsi-ld", target="ntriples",
                                       profile="sosa").output
    for rel in TEMPORAL_DOCS:
        out[rel] = mimbridge.convert(load_json(corpus / rel), source="ngsi-ld-temporal", target="ntriples",
                                     profile="sosa", contexts=contexts).output
    return out


def _declared(corpus: Path, folders: list[str]) -> set[str]:
    g = rdflib.Graph()
    for folder in folders:
        for f in sorted((corpus / folder).rglob("*.ttl")):
            g.parse(f, format="turtle")
    return {str(s) for s in g.subjects() if isinstance(s, rdflib.URIRef)}


def _used(nt: str, namespaces: tuple[str, ...]) -> set[str]:
    g = rdflib.Graph().parse(data=nt, format="nt")
    terms = set()
    for s, p, o in g:
        for t in (s, p, o) if p == rdflib.RDF.type else (s, p):
            if isinstance(t, rdflib.URIRef) and str(t).startswith(namespaces):
                terms.add(str(t))
        if isinstance(o, rdflib.Literal) and o.datatype and str(o.datatype).startswith(namespaces):
            terms.add(str(o.datatype))
    return terms


def test_sosa_terms_are_declared_by_the_corpus_ontologies(corpus, outputs):
    declared = _declared(corpus, ["rdf/sdw-sosa-ssn", "rdf/sdw"])
    used = set().union(*(_used(nt, (SOSA, SSN)) for nt in outputs.values()))
    assert {SOSA + "Observation", SOSA + "hasFeatureOfInterest", SOSA + "observedProperty",
            SOSA + "hasSimpleResult", SOSA + "resultTime", SOSA + "phenomenonTime",
            SOSA + "ObservationCollection",
            SOSA + "hasMember", SOSA + "madeBySensor", SOSA + "hasResult"} <= used
    assert used - declared == set()


def test_geosparql_terms_are_declared_by_the_corpus_ontology(corpus, outputs):
    declared = _declared(corpus, ["rdf/ogc-geosparql/1.1"])
    used = set().union(*(_used(nt, (GEO, SF)) for nt in outputs.values()))
    assert {GEO + "asWKT", GEO + "asGeoJSON", GEO + "hasGeometry", GEO + "Geometry",
            GEO + "wktLiteral"} <= used
    assert used - declared == set()


def _geometries(doc) -> list[dict]:
    found = []
    for e in doc if isinstance(doc, list) else [doc]:
        for v in e.values():
            for inst in v if isinstance(v, list) else [v]:
                if isinstance(inst, dict) and inst.get("type") == "GeoProperty":
                    found.append(inst["value"])
    return found


def test_wkt_parses_back_to_the_same_geometry(corpus, contexts, outputs):
    checked = 0
    for rel in [*VALID, "example"]:
        doc = load_json(EXAMPLE if rel == "example" else corpus / rel)
        g = rdflib.Graph().parse(data=outputs[rel], format="nt")
        wkts = [shapely.from_wkt(str(o)) for o in g.objects(None, rdflib.URIRef(GEO + "asWKT"))]
        for geom in _geometries(doc):
            want = shape(geom)
            assert any(w.equals_exact(want, tolerance=0) for w in wkts), (rel, geom)
            checked += 1
    assert checked >= 8


def test_temporal_instances_become_one_observation_each(corpus, contexts, outputs):
    rel = next(r for r in TEMPORAL_DOCS if r.endswith("vehicle-temporal-representation.jsonld"))
    doc = load_json(corpus / rel)
    g = rdflib.Graph().parse(data=outputs[rel], format="nt")
    obs = set(g.subjects(rdflib.RDF.type, rdflib.URIRef(SOSA + "Observation")))
    instances = [i for k, v in doc.items() if isinstance(v, list) for i in v if "observedAt" in i]
    assert len(obs) == len(instances) >= 4
    back = mimbridge.convert(outputs[rel], source="ntriples", target="ngsi-ld-temporal", profile="sosa",
                             contexts=contexts, out_context=doc["@context"]).output
    for name in ("speed", "fuelLevel"):
        got = sorted((i["value"], i["observedAt"], i.get("datasetId")) for i in back[name])
        want = sorted((i["value"], i["observedAt"], i.get("datasetId")) for i in doc[name])
        assert got == want


def test_read_back_as_far_as_it_carries():
    src = load_json(EXAMPLE)
    ttl = mimbridge.convert(src, source="ngsi-ld", target="turtle", profile="sosa")
    back = mimbridge.convert(ttl.output, source="turtle", target="ngsi-ld", profile="sosa").output
    for e, b in zip(src, back, strict=True):
        assert b["id"] == e["id"] and b["location"] == e["location"]
        for name in ("no2", "pm10"):
            if name in e:
                want = e[name] if isinstance(e[name], list) else [e[name]]
                got = b[name] if isinstance(b[name], list) else [b[name]]
                assert [(x["value"], x["observedAt"], x["unitCode"], x.get("datasetId")) for x in got] == \
                       [(x["value"], x["observedAt"], x["unitCode"], x.get("datasetId")) for x in want]
    # and what it does not carry is reported
    messages = {ev.message for ev in ttl.report.events}
    assert any("@context" in m for m in messages)
    assert any("VocabProperty" in m for m in messages)


def test_units_are_qudt_iris_of_the_unit_table():
    e = {"id": "urn:ngsi-ld:R:1", "type": "R",
         "t": {"type": "Property", "value": 21.5, "unitCode": "CEL", "observedAt": "2024-01-01T00:00:00Z"}}
    r = mimbridge.convert(e, source="ngsi-ld", target="ntriples", profile="sosa")
    assert "<http://qudt.org/schema/qudt/unit> <http://qudt.org/vocab/unit/DEG_C>" in r.output
    assert "uneceCommonCode" not in r.output
    assert not [ev for ev in r.report.events if "unit" in ev.message.lower()]  # the unit itself is carried
    back = mimbridge.convert(r.output, source="ntriples", target="ngsi-ld", profile="sosa").output
    assert back["t"]["unitCode"] == "CEL"
    # a code the table lacks: the blank unit with the code, reported
    e["t"]["unitCode"] = "X9Z"
    r = mimbridge.convert(e, source="ngsi-ld", target="ntriples", profile="sosa")
    assert '<http://qudt.org/schema/qudt/uneceCommonCode> "X9Z"' in r.output
    (ev,) = [ev for ev in r.report.events if "X9Z" in ev.message]
    assert ev.path.endswith("default-context~1t/unitCode")
    assert mimbridge.convert(r.output, source="ntriples", target="ngsi-ld", profile="sosa").output["t"][
        "unitCode"] == "X9Z"


# -- SHACL -----------------------------------------------------------------------
def test_sosa_shapes_pass_on_our_output(outputs):
    for key, nt in outputs.items():
        result = validate(nt, shapes="sosa", fmt="ntriples")
        assert result.conforms, (key, result.violations[:3])


def test_ngsild_shapes_pass_on_our_output(corpus, contexts):
    for rel in VALID:
        for blank in (False, True):
            nt = mimbridge.convert(load_json(corpus / rel), source="ngsi-ld", target="ntriples",
                                   contexts=contexts, blank_nodes=blank).output
            result = validate(nt, shapes="ngsi-ld", fmt="ntriples")
            assert result.conforms, (rel, result.violations[:3])


BROKEN_SOSA = [
    ("<{SOSA}resultTime>", "<{SOSA}resultTimeX>", "resultTime"),  # no result time
    ('"2026-03-01T10:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>',
     '"yesterday"^^<http://www.w3.org/2001/XMLSchema#dateTime>', "resultTime"),  # ill-typed
    ("<{GEO}asWKT>", "<{GEO}asWKTX>", "asWKT"),  # geometry without WKT
    ("<{SOSA}hasFeatureOfInterest>", "<{SOSA}isFeatureOfInterestOf>", "hasFeatureOfInterest"),
]


@pytest.mark.parametrize("old,new,path", BROKEN_SOSA)
def test_sosa_shapes_fail_on_broken_output(outputs, old, new, path):
    nt = outputs["example"]
    old, new = old.format(SOSA=SOSA, GEO=GEO), new.format(SOSA=SOSA, GEO=GEO)
    assert old in nt
    result = validate(nt.replace(old, new), shapes="sosa", fmt="ntriples")
    assert not result.conforms
    assert any(v.path and v.path.endswith(path) for v in result.violations), result.violations


BROKEN_NGSILD = [
    ('<https://uri.etsi.org/ngsi-ld/hasObject> <urn:ngsi-ld:Device:porto-aq-17>',
     '<https://uri.etsi.org/ngsi-ld/hasObject> "urn:ngsi-ld:Device:porto-aq-17"', "hasObject"),
    ('"2026-03-01T10:00:00Z"^^<https://uri.etsi.org/ngsi-ld/DateTime>', '"2026-03-01T10:00:00Z"',
     "observedAt"),
    ("<https://uri.etsi.org/ngsi-ld/hasJSON>", "<https://uri.etsi.org/ngsi-ld/hasJSONX>", "hasJSON"),
]


@pytest.mark.parametrize("old,new,path", BROKEN_NGSILD)
def test_ngsild_shapes_fail_on_broken_output(old, new, path):
    nt = mimbridge.convert(load_json(EXAMPLE), source="ngsi-ld", target="ntriples").output
    assert old in nt
    result = validate(nt.replace(old, new), shapes="ngsi-ld", fmt="ntriples")
    assert not result.conforms
    assert any(v.path and v.path.endswith(path) for v in result.violations), result.violations
    assert all(v.focus_node and v.message for v in result.violations)


def test_validate_takes_an_rdflib_graph_and_custom_shapes():
    nt = mimbridge.convert(load_json(EXAMPLE), source="ngsi-ld", target="ntriples", profile="sosa").output
    g = rdflib.Graph().parse(data=nt, format="nt")
    assert validate(g, shapes="sosa").conforms
    shapes = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix sosa: <http://www.w3.org/ns/sosa/> .
    [] a sh:NodeShape ; sh:targetClass sosa:Observation ;
       sh:property [ sh:path sosa:usedProcedure ; sh:minCount 1 ] ."""
    result = validate(g, shapes=shapes)
    assert not result.conforms and {v.path for v in result.violations} == {SOSA + "usedProcedure"}


def test_shipped_shapes_use_core_constraints_only():
    for name in ("ngsi-ld", "sosa"):
        text = (Path(mimbridge.__file__).parent / "shapes" / f"{name}.ttl").read_text()
        assert "sh:sparql" not in text and "sh:SPARQL" not in text
        json.dumps(text)  # plain text resource
