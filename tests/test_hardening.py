"""Regression tests for the classes of hostile input of the hardening work (one or more per class).

The bad-input corpus (tests/test_badinput.py) and the fuzzing (tests/test_fuzz.py)
cover the classes broadly; these tests pin each class down with a readable
example and what must hold (sizes, locations, reports), never a timing.
"""

from __future__ import annotations

import json
import math

import pytest

import mimbridge
from mimbridge.errors import LossyConversionError, MimbridgeError, ParseError
from mimbridge.limits import Limits, using
from mimbridge.safexml import parse_xml

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">' + "".join(
    f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) + "]>"
    f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="urn:ex:"><rdf:Description rdf:about="urn:x:1">'
    "<ex:p>&j;</ex:p></rdf:Description></rdf:RDF>")


# -- 1. one safe XML policy ------------------------------------------------------------------------
def test_billion_laughs_is_refused_by_convert_validate_and_load(tmp_path):
    assert len(LAUGHS) < 1000
    with pytest.raises(ParseError, match="DOCTYPE") as info:
        mimbridge.convert(LAUGHS, source="rdfxml", target="ntriples")
    assert info.value.pointer == "line 1"
    from mimbridge.validate.shacl import validate

    with pytest.raises(ParseError, match="DOCTYPE"):
        validate(LAUGHS, shapes="ngsi-ld", fmt="rdfxml")
    from mimbridge.resolve.store import OxigraphStore, load

    with pytest.raises(ParseError, match="DOCTYPE"):
        load(OxigraphStore(), LAUGHS, source="rdfxml", graph="urn:g:1")


@pytest.mark.parametrize("prolog", ["\ufeff", "\ufeff<!-- x -->", "<?xml version='1.0'?>\n<!---->" * 3, "<?pi?>"])
def test_doctype_behind_bom_comments_or_pi_is_refused_before_parsing(prolog, tmp_path):
    # a DTD file the parser must never open (its existence must not show in the error)
    dtd = tmp_path / "secret.dtd"
    dtd.write_text('<!ENTITY leak "secret">', encoding="utf-8")
    doc = f'{prolog}<!DOCTYPE x SYSTEM "{dtd.as_uri()}"><x>&leak;</x>'
    for fmt in ("wfs-gml", "rdfxml"):
        with pytest.raises(ParseError) as info:
            mimbridge.convert(doc, source=fmt, target="geojson" if fmt == "wfs-gml" else "ntriples")
        assert "DOCTYPE" in info.value.message and "secret" not in str(info.value)
    with pytest.raises(ParseError, match="DOCTYPE"):  # the same as bytes, UTF-8 and UTF-16
        parse_xml(doc.encode("utf-8"))
    with pytest.raises(ParseError, match="DOCTYPE"):
        parse_xml(doc.lstrip("\ufeff").encode("utf-16"))


def test_comment_runs_are_linear_in_the_doctype_check():
    # exponential backtracking needed ~2**30 steps here; the scan skips each comment once
    assert parse_xml("<!---->" * 30 + "<x/>").tag == "x"
    with pytest.raises(ParseError, match="DOCTYPE"):
        parse_xml("<!---->" * 100_000 + "<!DOCTYPE x><x/>")


def test_xml_limits_attributes_depth_and_size():
    many = "<x " + " ".join(f'a{i}="1"' for i in range(1001)) + "/>"
    with pytest.raises(ParseError, match="max_attributes"):
        parse_xml(many)
    with using({"max_attributes": 2000}):
        assert len(parse_xml(many).attrib) == 1001
    with using({"max_depth": 5}), pytest.raises(ParseError, match="max_depth"):
        parse_xml("<a>" * 6 + "</a>" * 6)
    with using({"max_bytes": 10}), pytest.raises(ParseError, match="max_bytes"):
        parse_xml("<a>0123456789</a>")


def test_rdfxml_errors_carry_their_line():
    doc = (f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="urn:ex:">\n<rdf:Description rdf:about="urn:x:1"/>\n'
           '<rdf:Description rdf:about="urn:x:2">\n<ex:p rdf:resource="urn:y" rdf:nodeID="n"/>\n'
           "</rdf:Description>\n</rdf:RDF>")
    with pytest.raises(ParseError) as info:
        mimbridge.convert(doc, source="rdfxml", target="ntriples")
    assert info.value.pointer == "line 4"


# -- 2. super-linear inputs --------------------------------------------------------------------------
def test_nested_turtle_lists_read_once():
    g = mimbridge.read("<urn:a> <urn:p> " + "(" * 40 + "1" + ")" * 40 + " .", source="turtle")
    v = g.nodes[0].attrs["urn:p"][0].value
    depth = 0
    while isinstance(v, list):
        v = v[0]
        depth += 1
    assert depth == 40 and v == 1


def test_shared_blank_nodes_are_written_once():
    n = 40  # 2**40 copies before
    lines = ["<urn:a> <urn:p> _:d0 ."]
    for i in range(n):
        lines += [f"_:d{i} <urn:l> _:d{i + 1} .", f"_:d{i} <urn:r> _:d{i + 1} ."]
    lines.append(f'_:d{n} <urn:v> "x" .')
    r = mimbridge.convert("\n".join(lines), source="ntriples", target="ntriples")
    assert len(r.output.splitlines()) == len(lines)  # the same graph, no copy
    import pyoxigraph as ox

    assert len(list(ox.parse(r.output, ox.RdfFormat.N_TRIPLES))) == len(lines)
    assert any("several incoming triples" in e.message for e in r.report.events)
    doc = mimbridge.convert("\n".join(lines), source="ntriples", target="ngsi-ld").output
    assert len(json.dumps(doc)) < 200 * n  # linear in the input


def test_long_blank_node_chain_is_a_parse_error_at_its_subject():
    chain = "\n".join(["<urn:a> <urn:p> _:c0 ."] + [f"_:c{i} <urn:n> _:c{i + 1} ." for i in range(100_000)])
    with pytest.raises(ParseError, match="max_depth") as info:
        mimbridge.convert(chain, source="ntriples", target="ngsi-ld")
    assert info.value.pointer == "/urn:a" and not hasattr(info.value, "foreign")
    short = "\n".join(["<urn:a> <urn:p> _:c0 ."] + [f"_:c{i} <urn:n> _:c{i + 1} ." for i in range(30)])
    assert mimbridge.convert(short, source="ntriples", target="ntriples").output
    with pytest.raises(ParseError, match="max_depth"):
        mimbridge.convert(short, source="ntriples", target="ntriples", limits={"max_depth": 10})


def test_long_self_links_are_matched_in_linear_time():
    from mimbridge.adapters.sta.vocab import entity_set_key

    assert entity_set_key("http://x/v1.1/Things(" + "a(" * 50_000) is None
    assert entity_set_key("http://x/v1.1/Things('a(b)')") == ("Things", "a(b)")


# -- 3. foreign exceptions become typed errors at their source -----------------------------------------
@pytest.mark.parametrize("text,where", [
    ("[" * 100_000, "line 1 column 257"),
    ('{"a": ' + "9" * 5000 + "}", "line 1 column 7"),
    ('{"a": NaN}', "line 1 column 7"),
    ('{"id": "urn:x:1", "type": "T", "a\\ud800": 1}', "/a\ud800"),
])
def test_json_text_errors(text, where):
    with pytest.raises(ParseError) as info:
        mimbridge.convert(text, source="ngsi-ld", target="ngsi-ld")
    assert info.value.pointer == where


def test_nan_and_infinity_never_reach_json_output():
    nt = ('<urn:x:1> <urn:p> "NaN"^^<http://www.w3.org/2001/XMLSchema#double> .\n'
          '<urn:x:1> <urn:q> "INF"^^<http://www.w3.org/2001/XMLSchema#double> .\n')
    out = mimbridge.convert(nt, source="ntriples", target="ngsi-ld").output
    assert json.loads(mimbridge.dumps(out))["urn:p"]["value"] == {
        "@value": "NaN", "@type": "http://www.w3.org/2001/XMLSchema#double"}
    with pytest.raises(ParseError, match="no JSON form"):
        mimbridge.dumps({"a": math.inf})


def test_one_letter_language_tag_costs_its_line_not_the_turtle_output():
    r = mimbridge.convert('<urn:a> <urn:p> "v"@x .\n<urn:a> <urn:p> "w"@en .\n', source="ntriples",
                          target="turtle")
    assert '"w"@en' in r.output and '"v"' not in r.output
    assert r.report.rejected[0].path == "line 1"
    with pytest.raises(ParseError) as info:
        mimbridge.convert({"id": "urn:x:1", "type": "T", "n": {"type": "LanguageProperty",
                                                                "languageMap": {"x": "v"}}},
                          source="ngsi-ld", target="turtle")
    assert info.value.pointer == "/n/languageMap/x"


def test_created_at_object_to_ntriples_is_a_parse_error():
    with pytest.raises(ParseError) as info:
        mimbridge.convert({"id": "urn:x:1", "type": "T", "createdAt": [{"@id": 5}]}, source="ngsi-ld",
                          target="ntriples")
    assert info.value.pointer == "/createdAt"


def test_gml_srs_dimension_word_drops_that_geometry():
    gml = ('<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs/2.0" '
           'xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:ex="urn:ex"><wfs:member><ex:F gml:id="f1">'
           '<ex:geom><gml:Point srsDimension="two"><gml:pos>1 2</gml:pos></gml:Point></ex:geom><ex:n>3</ex:n>'
           "</ex:F></wfs:member></wfs:FeatureCollection>")
    r = mimbridge.convert(gml, source="wfs-gml", target="geojson")
    assert r.output["features"][0]["properties"]["n"] == 3
    assert "srsDimension 'two'" in r.report.events[0].message


def test_sssom_header_bombs_and_long_chains():
    from mimbridge.mapping.sssom import check, parse_sssom

    head = "subject_id\tpredicate_id\tobject_id\tmapping_justification\n"
    with pytest.raises(MimbridgeError, match="aliases"):
        parse_sssom("#a: &a [x, x]\n#b: [*a, *a]\n" + head)
    with pytest.raises(MimbridgeError, match="max_depth"):
        parse_sssom("#a: " + "[" * 5000 + "]" * 5000 + "\n" + head)
    with pytest.raises(MimbridgeError, match="field larger"):
        parse_sssom(head + "ex:a\tskos:exactMatch\t" + "x" * 200_000 + "\tsemapv:ManualMappingCuration\n")
    rows = "".join(f"ex:a{i}\tskos:broadMatch\tex:a{i + 1}\tsemapv:ManualMappingCuration\n" for i in range(3000))
    problems = check(parse_sssom("#curie_map:\n#  ex: 'urn:ex:'\n" + head + rows +
                                 "ex:a3000\tskos:broadMatch\tex:a0\tsemapv:ManualMappingCuration\n"))
    assert any("cycle" in p.message for p in problems)


def test_limits_option_is_checked():
    with pytest.raises(TypeError, match="unknown limit"):
        mimbridge.convert("{}", source="ngsi-ld", target="ngsi-ld", limits={"max_nothing": 1})
    with pytest.raises(ParseError, match="max_bytes"):
        mimbridge.convert('{"id": "urn:x:1", "type": "T"}', source="ngsi-ld", target="ngsi-ld",
                          limits=Limits(max_bytes=5))


# -- 5. silent corruption made loud ------------------------------------------------------------------
def test_duplicate_ids_and_encoded_ids_are_reported_on_the_way_to_rdf():
    dup = [{"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": v}} for v in (1, 2)]
    r = mimbridge.convert(dup, source="ngsi-ld", target="ntriples")
    assert [e.path for e in r.report.events if e.kind == "Coerced"] == ["/1/id"]
    r = mimbridge.convert({"id": "urn:ngsi-ld:T:a>b", "type": "T"}, source="ngsi-ld", target="ntriples")
    assert "<urn:ngsi-ld:T:a%3Eb>" in r.output and r.report.events[0].kind == "Coerced"
    with pytest.raises(LossyConversionError):
        mimbridge.convert(dup, source="ngsi-ld", target="ntriples", strict=True)


def test_names_that_are_no_iri_never_make_invalid_ntriples():
    import pyoxigraph as ox

    for e in ({"id": "urn:x:1", "type": "_:b"}, {"id": "urn:x:1", "type": "@id"}):
        r = mimbridge.convert(e, source="ngsi-ld", target="ntriples")
        list(ox.parse(r.output, ox.RdfFormat.N_TRIPLES))  # valid N-Triples
        assert r.report.rejected[0].path == "/0" and "urn:x:1" not in r.output


def test_unresolvable_jsonld_context_is_not_empty_output():
    doc = {"@context": "http://127.0.0.1:9/none.jsonld", "@id": "urn:x:1", "name": "x"}
    with pytest.raises(mimbridge.ResolutionError, match="not resolved offline"):
        mimbridge.convert(doc, source="rdf-jsonld", target="ntriples")


# -- 7. one bad record costs one record --------------------------------------------------------------
def test_every_bad_ntriples_line_is_counted():
    good = [f'<urn:x:1> <urn:p> "v{i}" .' for i in range(3)]
    text = "\n".join([good[0], "bad 1", good[1], "bad 2", "bad 3", good[2]])
    r = mimbridge.convert(text, source="ntriples", target="ntriples")
    assert sorted(r.output.splitlines()) == good  # every good line is read
    assert sum(e.count for e in r.report.rejected) == 3
    assert sorted(p for e in r.report.rejected for p in e.paths) == ["line 2", "line 4", "line 5"]
