"""Generic RDF -> model -> RDF: the corpus ontologies and SSSOM mapping sets.

Graph equality is checked by RDF Dataset Canonicalization (RDFC-1.0, pyoxigraph):
equal canonical forms mean isomorphic graphs.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

import mimbridge
from mimbridge.adapters.rdf.parse import RDFS_RESOURCE

ONTOLOGIES = ["rdf/dxwg/dcat/rdf/dcat3.ttl", "rdf/sdw/ssn/integrated/sosa.ttl",
              "rdf/sdw/ssn/integrated/ssn.ttl",
              *[f"rdf/sdw-sosa-ssn/ssn/rdf/ontology/core/{n}.ttl" for n in (
                  "sosa", "sosa-common", "sosa-observation", "sosa-sampling", "sosa-actuation",
                  "sosa-deprecated", "ssn", "ssn-common", "ssn-observation", "ssn-sampling", "ssn-actuation",
                  "ssn-deprecated")],
              "rdf/ogc-geosparql/1.1/geo.ttl", "rdf/ogc-geosparql/1.1/sf_geometries.ttl"]
SSSOM = ["rdf/sssom/examples/embedded/mp-hp-exact-0.0.1.sssom.tsv",
         "rdf/sssom/examples/external/example1.sssom.tsv"]


def canonical(text: str, fmt: ox.RdfFormat) -> set[str]:
    d = ox.Dataset(ox.parse(text, fmt))
    d.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in d}


@pytest.mark.parametrize("rel", ONTOLOGIES)
def test_ontology_loads_and_writes_back_isomorphic(corpus, rel):
    text = (corpus / rel).read_text(encoding="utf-8")
    g = mimbridge.read(text, source="turtle")
    assert len(g) >= 1 and all(n.types for n in g)
    for fmt, oxf in (("ntriples", ox.RdfFormat.N_TRIPLES), ("turtle", ox.RdfFormat.TURTLE)):
        r = mimbridge.convert(text, source="turtle", target=fmt)
        assert r.report.lossless, r.report.summary()
        assert canonical(r.output, oxf) == canonical(text, ox.RdfFormat.TURTLE)


def test_generic_mapping_rules(corpus):
    text = (corpus / "rdf/dxwg/dcat/rdf/dcat3.ttl").read_text(encoding="utf-8")
    g = mimbridge.read(text, source="turtle")
    dataset = g.get("http://www.w3.org/ns/dcat#Dataset")
    assert set(dataset.types) == {"http://www.w3.org/2000/01/rdf-schema#Class", "http://www.w3.org/2002/07/owl#Class"}
    label = dataset.attrs["http://www.w3.org/2000/01/rdf-schema#label"][0]
    assert label.kind is mimbridge.Kind.LANGUAGE and label.value["en"] == "Dataset"
    sub_class_of = dataset.attrs["http://www.w3.org/2000/01/rdf-schema#subClassOf"]
    assert sub_class_of[0].kind is mimbridge.Kind.RELATIONSHIP
    # OWL restrictions are blank nodes: JSON-LD node objects as Property values
    [sub] = g.get("http://www.w3.org/ns/dcat#CatalogRecord").attrs["http://www.w3.org/2000/01/rdf-schema#subClassOf"]
    assert sub.kind is mimbridge.Kind.PROPERTY and len(sub.value) == 2
    assert all(r["@type"] == "http://www.w3.org/2002/07/owl#Restriction" for r in sub.value)
    assert {"@id": "http://xmlns.com/foaf/0.1/primaryTopic"} == sub.value[0]["http://www.w3.org/2002/07/owl#onProperty"]
    # typed literals keep their datatype; xsd:string and language strings are native
    modified = g.get("http://www.w3.org/ns/dcat").attrs["http://purl.org/dc/terms/modified"][0].value
    assert {"@value": "2020-11-30", "@type": "http://www.w3.org/2001/XMLSchema#date"} in modified


def test_untyped_subjects_and_blank_subjects():
    ttl = """<urn:a> <urn:p> "x" ; <urn:q> ( 1 2 <urn:b> ) .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
    [] a <urn:T> ; <urn:p> "1.5"^^xsd:double ; <urn:j> "{\\"a\\":1}"^^rdf:JSON ."""
    g = mimbridge.read(ttl, source="turtle")
    a = g.get("urn:a")
    assert a.types == [RDFS_RESOURCE]
    assert a.attrs["urn:q"][0].kind is mimbridge.Kind.LIST
    blank = next(n for n in g if n.id != "urn:a")
    assert blank.meta["rdf:blank"] and blank.attrs["urn:j"][0].kind is mimbridge.Kind.JSON
    assert blank.attrs["urn:p"][0].value == {"@value": "1.5", "@type": "http://www.w3.org/2001/XMLSchema#double"}
    out = mimbridge.convert(ttl, source="turtle", target="ntriples").output
    assert canonical(out, ox.RdfFormat.N_TRIPLES) == canonical(ttl, ox.RdfFormat.TURTLE)
    # as NGSI-LD: valid entities (URI ids, a type)
    doc = mimbridge.convert(ttl, source="turtle", target="ngsi-ld").output
    assert all(e["id"].startswith(("urn:", "https:")) and e["type"] for e in doc)


def test_losses_are_reported():
    shared = "_:s <urn:p> 1 . <urn:a> a <urn:T> ; <urn:q> _:s ; <urn:r> _:s ."
    r = mimbridge.convert(shared, source="turtle", target="ntriples")
    assert any("several incoming triples" in e.message for e in r.report.events)
    # a cycle of blank nodes: the shared node is referenced by its id, so the graph comes back whole
    cycle = "<urn:a> a <urn:T> ; <urn:q> _:x . _:x <urn:p> _:y . _:y <urn:p> _:x ."
    r = mimbridge.convert(cycle, source="turtle", target="ntriples")
    assert canonical(r.output, ox.RdfFormat.N_TRIPLES) == canonical(cycle, ox.RdfFormat.TURTLE)
    named = "<urn:a> <urn:p> <urn:b> <urn:g> .\n"
    r = mimbridge.convert(named, source="nquads", target="ntriples")
    assert any("named graph" in e.message for e in r.report.events)


# -- SSSOM ---------------------------------------------------------------------------
def sssom_to_turtle(tsv: Path, schema: Path) -> str:
    """A SSSOM/TSV mapping set as RDF, following the LinkML schema's class and slot URIs."""
    spec = yaml.safe_load(schema.read_text(encoding="utf-8"))
    prefixes = dict(spec["prefixes"])
    slots = spec["slots"]
    text = tsv.read_text(encoding="utf-8")
    header = textwrap.dedent("".join(line[1:] + "\n" for line in text.splitlines() if line.startswith("#")))
    meta = yaml.safe_load(header) if header.strip() else {}
    yml = tsv.with_name(tsv.name.replace(".tsv", ".yml"))
    if yml.exists():
        meta = {**yaml.safe_load(yml.read_text(encoding="utf-8")), **meta}
    curies = {**prefixes, **meta.pop("curie_map", {})}
    rows = list(csv.DictReader(io.StringIO("\n".join(x for x in text.splitlines() if not x.startswith("#"))),
                               delimiter="\t"))

    def iri(v: str) -> str:
        pre, _, local = v.partition(":")
        return f"<{curies[pre]}{local}>" if pre in curies else f"<{v}>"

    def pred(slot: str) -> str:
        uri = slots.get(slot, {}).get("slot_uri")
        return iri(uri) if uri else f"<{prefixes['sssom']}{slot}>"

    def obj(slot: str, v: str) -> str:
        rng = slots.get(slot, {}).get("range", "string")
        if rng in ("EntityReference", "NonRelativeURI", "uri"):
            return iri(v)
        if rng == "double":
            return f'"{v}"^^<http://www.w3.org/2001/XMLSchema#double>'
        if rng == "date":
            return f'"{v}"^^<http://www.w3.org/2001/XMLSchema#date>'
        return json.dumps(str(v))

    mset = iri(meta.pop("mapping_set_id"))
    out = [f"{mset} a <{prefixes['sssom']}MappingSet> ."]
    for k, v in meta.items():
        for x in v if isinstance(v, list) else [v]:
            out.append(f"{mset} {pred(k)} {obj(k, str(x))} .")
    for i, row in enumerate(rows):
        b = f"_:m{i}"
        out.append(f"{mset} {pred('mappings')} {b} . {b} a <http://www.w3.org/2002/07/owl#Axiom> .")
        for k, v in row.items():
            if v:
                out.append(f"{b} {pred(k)} {obj(k, v)} .")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("rel", SSSOM)
def test_sssom_mapping_sets_load_and_write_back(corpus, rel):
    ttl = sssom_to_turtle(corpus / rel, corpus / "rdf/sssom/src/sssom_schema/schema/sssom_schema.yaml")
    g = mimbridge.read(ttl, source="turtle")
    [mset] = [n for n in g if "https://w3id.org/sssom/MappingSet" in n.types]
    mappings = mset.attrs["https://w3id.org/sssom/mappings"][0].value
    lines = (corpus / rel).read_text().splitlines()
    n_rows = sum(1 for line in lines if line and not line.startswith("#")) - 1
    assert len(mappings) == n_rows
    assert all("http://www.w3.org/2002/07/owl#annotatedSource" in m for m in mappings)
    r = mimbridge.convert(ttl, source="turtle", target="turtle")
    assert r.report.lossless, r.report.summary()
    assert canonical(r.output, ox.RdfFormat.TURTLE) == canonical(ttl, ox.RdfFormat.TURTLE)
