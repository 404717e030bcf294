"""SSSOM/TSV: corpus examples round trip, the schema agrees with our slot tables, broken tables
are caught with the row named, and apply/invert/chain follow the predicate semantics."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from mimbridge.errors import MappingError
from mimbridge.mapping import sssom as S
from mimbridge.mapping import units as U
from mimbridge.report import Approximated, ConversionReport, Unresolved

EXAMPLES = {
    "embedded": ("rdf/sssom/examples/embedded/mp-hp-exact-0.0.1.sssom.tsv", None),
    "external": ("rdf/sssom/examples/external/example1.sssom.tsv",
                 "rdf/sssom/examples/external/example1.sssom.yml"),
}
SCHEMA = "rdf/sssom/src/sssom_schema/schema/sssom_schema.yaml"

HEAD = """\
# curie_map:
#   sdm: https://smartdatamodels.org/dataModel.Environment/
#   sosa: http://www.w3.org/ns/sosa/
#   ex: https://example.org/
# license: https://creativecommons.org/publicdomain/zero/1.0/
# mapping_set_id: https://example.org/test.sssom.tsv
subject_id\tpredicate_id\tobject_id\tmapping_justification
"""
J = "semapv:ManualMappingCuration"


def table(*rows: str, head: str = HEAD) -> str:
    return head + "".join(r + "\n" for r in rows)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle`` (computed independently of the parser)."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def example(corpus, name):
    tsv, yml = EXAMPLES[name]
    path = corpus / tsv
    if not path.is_file():
        pytest.skip(f"{tsv} not in corpus")
    return path, (corpus / yml if yml else None)


# --- corpus ------------------------------------------------------------------------------------

def raw_rows(path):
    """The data rows as plain dicts, read with the csv module only."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines(True) if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("".join(lines)), delimiter="\t"))


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_corpus_example_parses_and_round_trips(corpus, name):
    path, yml = example(corpus, name)
    ms = S.read_sssom(path)  # the external example finds its .sssom.yml by name
    raw = raw_rows(path)
    assert len(ms) == len(raw) > 0
    for m, r in zip(ms.mappings, raw, strict=True):
        for col, cell in r.items():
            if cell == "":
                assert col not in m.values
            elif col in S.MULTIVALUED:
                assert m.values[col] == cell.split("|")
            elif col in S.DOUBLES:
                assert m.values[col] == float(cell)
            else:
                assert m.values[col] == cell
    if yml is not None:
        meta = yaml.safe_load(yml.read_text(encoding="utf-8"))
        assert ms.curie_map == meta.pop("curie_map")
        assert ms.metadata == meta
    again = S.parse_sssom(S.write_sssom(ms))
    assert [m.values for m in again.mappings] == [m.values for m in ms.mappings]
    assert again.metadata == ms.metadata and again.curie_map == ms.curie_map
    assert again.columns == ms.columns


def test_corpus_examples_check(corpus):
    path, _ = example(corpus, "external")
    assert S.check(path) == []
    path, _ = example(corpus, "embedded")
    problems = S.check(path)
    text = path.read_text(encoding="utf-8")
    # Granulocytopenia and Agranulocytosis both claim exactMatch to MP:0000334.
    assert [p.level for p in problems] == ["warning"]
    assert problems[0].line == line_of(text, "HP:0012234")
    assert "MP:0000334" in problems[0].message and "rows 16, 33" in problems[0].message


def test_slot_tables_agree_with_the_schema(corpus):
    path = corpus / SCHEMA
    if not path.is_file():
        pytest.skip(f"{SCHEMA} not in corpus")
    schema = yaml.safe_load(path.read_text(encoding="utf-8"))
    slots, classes = schema["slots"], schema["classes"]
    mapping_slots = classes["mapping"]["slots"]
    set_slots = classes["mapping set"]["slots"]
    assert tuple(mapping_slots) == S.MAPPING_SLOTS
    assert tuple(set_slots) == S.SET_SLOTS
    both = set(mapping_slots) | set(set_slots)
    assert {s for s in both if slots[s].get("multivalued")} - {"curie_map", "mappings",
                                                              "extension_definitions"} == S.MULTIVALUED
    assert {s for s in both if slots[s].get("range") == "double"} == S.DOUBLES
    assert {s for s in mapping_slots if slots[s].get("range") == "EntityReference"} == S.ENTITY_REFERENCES
    required = {s for s in mapping_slots if slots[s].get("required")}
    assert required <= set(S.REQUIRED_COLUMNS)
    justifications = {a["equals_string"] for a in slots["mapping_justification"]["any_of"]}
    assert {S.MappingSet().expand(j) for j in justifications} == S.JUSTIFICATIONS
    prefixes = schema["prefixes"]
    for prefix, ns in S.BUILTIN_PREFIXES.items():
        if prefix in prefixes:
            assert prefixes[prefix] == ns


# --- broken tables ---------------------------------------------------------------------------

BROKEN = {
    "undeclared prefix": (
        [f"sdm:temperature\tskos:exactMatch\tsosa:Temperature\t{J}",
         f"sdm:NO2\tskos:exactMatch\tqudtx:NO2\t{J}"],
        "qudtx:NO2", "undeclared prefix 'qudtx'"),
    "missing justification": (
        [f"sdm:temperature\tskos:exactMatch\tsosa:Temperature\t{J}",
         "sdm:pressure\tskos:exactMatch\tsosa:Pressure\t"],
        "sdm:pressure", "missing mapping_justification"),
    "unknown justification": (
        ["sdm:pressure\tskos:exactMatch\tsosa:Pressure\tsemapv:Guesswork"],
        "sdm:pressure", "unknown mapping_justification"),
    "conflict": (
        [f"sdm:temperature\tskos:exactMatch\tsosa:Temperature\t{J}",
         f"sdm:pressure\tskos:exactMatch\tsosa:Pressure\t{J}",
         f"sdm:temperature\tskos:exactMatch\tsosa:AirTemperature\t{J}"],
        "sosa:AirTemperature", "conflict: subject sdm:temperature has exact matches to 2 different objects"),
    "cycle": (
        [f"ex:pm25\tskos:broadMatch\tex:pm10\t{J}",
         f"ex:pm10\tskos:broadMatch\tex:particles\t{J}",
         f"ex:pm25\tskos:narrowMatch\tex:particles\t{J}"],
        "ex:pm10\tskos:broadMatch", "cycle of broader/narrower mappings"),
    "bad predicate": (
        [f"sdm:temperature\tskos:exactMatch\tsosa:Temperature\t{J}",
         f"sdm:humidity\tskos:sortOfMatch\tsosa:Humidity\t{J}"],
        "skos:sortOfMatch", "unknown predicate 'skos:sortOfMatch'"),
    "duplicate": (
        [f"sdm:temperature\tskos:exactMatch\tsosa:Temperature\t{J}",
         f"sdm:pressure\tskos:exactMatch\tsosa:Pressure\t{J}",
         f"https://smartdatamodels.org/dataModel.Environment/temperature\tskos:exactMatch\tsosa:Temperature\t{J}"],
        "Environment/temperature\tskos", "duplicate of row 1"),
    "confidence": (
        [f"sdm:temperature\tskos:exactMatch\tsosa:Temperature\t{J}\t1.5"],
        "sdm:temperature", "confidence must be a number from 0 to 1"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_table_names_the_row(case):
    rows, needle, message = BROKEN[case]
    head = HEAD.replace("mapping_justification\n", "mapping_justification\tconfidence\n") \
        if case == "confidence" else HEAD
    text = table(*rows, head=head)
    errors = [p for p in S.check(text) if p.level == "error"]
    assert len(errors) == 1, [str(p) for p in errors]
    [p] = errors
    expected_line = line_of(text, needle)
    if case == "cycle":  # the cycle is reported at one of its three rows
        assert p.line in {line_of(text, r.split("\t")[0] + "\t" + r.split("\t")[1]) for r in rows}
        assert "rows" in p.message and "ex:particles" in p.message
    else:
        assert p.line == expected_line
    assert message in p.message
    assert f"line {p.line} (row {p.row})" in str(p)
    assert p.row == p.line - HEAD.count("\n")


def test_good_table_has_no_problems():
    text = table(f"sdm:temperature\tskos:exactMatch\tsosa:Temperature\t{J}",
                 f"ex:pm25\tskos:broadMatch\tex:pm10\t{J}")
    assert S.check(text) == []
    assert S.check(S.parse_sssom(text)) == []


def test_header_and_column_problems():
    no_id = HEAD.replace("# mapping_set_id: https://example.org/test.sssom.tsv\n", "")
    msgs = [str(p) for p in S.check(table(f"sdm:a\tskos:exactMatch\tsosa:A\t{J}", head=no_id))]
    assert msgs == ["metadata, mapping_set_id: mapping_set_id is required"]
    missing_col = HEAD.replace("\tmapping_justification", "")
    msgs = [p.message for p in S.check(table("sdm:a\tskos:exactMatch\tsosa:A", head=missing_col))]
    assert "required column 'mapping_justification' is missing" in msgs
    extra = HEAD.replace("mapping_justification\n", "mapping_justification\tunit\n")
    text = table(f"sdm:a\tskos:exactMatch\tsosa:A\t{J}\tCEL", head=extra)
    [p] = S.check(text)
    assert str(p) == (f"line {line_of(text, 'subject_id')}, unit: "
                      "column 'unit' is neither an SSSOM slot nor declared in extension_definitions")
    declared = extra.replace("# license", "# extension_definitions:\n#   - slot_name: unit\n"
                             "#     property: http://qudt.org/schema/qudt/unit\n# license")
    assert S.check(table(f"sdm:a\tskos:exactMatch\tsosa:A\t{J}\tCEL", head=declared)) == []
    bad_yaml = "# curie_map: [unclosed\n" + HEAD.split("\n", 1)[1]
    assert any("not valid YAML" in p.message for p in S.check(table(f"sdm:a\tskos:exactMatch\tsosa:A\t{J}",
                                                                    head=bad_yaml)))
    with pytest.raises(MappingError, match=r"line [12]: metadata header is not valid YAML"):
        S.parse_sssom(table(head=bad_yaml))
    no_license = HEAD.replace("# license: https://creativecommons.org/publicdomain/zero/1.0/\n", "")
    [warning] = S.check(table(head=no_license))
    assert warning.level == "warning" and warning.column == "license"


def test_extension_columns_round_trip():
    head = HEAD.replace("mapping_justification\n", "mapping_justification\tsta_definition\tcomment\n").replace(
        "# license", "# extension_definitions:\n#   - slot_name: sta_definition\n"
        "#     property: https://example.org/staDefinition\n# license")
    text = table(f'sdm:a\tskos:exactMatch\tsosa:A\t{J}\thttps://example.org/def/A\tsays "hi"\ttoo',
                 head=head)
    with pytest.raises(MappingError, match="7 cells but 6 columns"):
        S.parse_sssom(text)
    problems = S.check(text)
    assert [p.message for p in problems] == ["7 cells but 6 columns"]
    text = table(f'sdm:a\tskos:exactMatch\tsosa:A\t{J}\thttps://example.org/def/A\tsays "hi"\tthere',
                 head=head.replace("\tcomment\n", "\tcomment\tother\n"))
    ms = S.parse_sssom(text)
    assert ms.mappings[0].values["sta_definition"] == "https://example.org/def/A"
    out = S.write_sssom(ms)
    assert '"says ""hi"""' in out  # csv quoting of a quote
    again = S.parse_sssom(out)
    assert again.mappings[0].values == ms.mappings[0].values
    assert again.metadata["extension_definitions"][0]["slot_name"] == "sta_definition"


# --- apply --------------------------------------------------------------------------------------

APPLY = table(
    f"sdm:temperature\tskos:exactMatch\tsosa:Temperature\t{J}",
    f"sdm:pm25\tskos:broadMatch\tex:ParticulateMatter\t{J}",
    f"ex:Noise\tskos:narrowMatch\tsdm:LAeq\t{J}",
    f"sdm:precipitation\tskos:closeMatch\tex:Rainfall\t{J}",
    f"sdm:reliability\tskos:relatedMatch\tex:Quality\t{J}",
    f"sdm:windSpeed\towl:equivalentProperty\tex:WindSpeed\t{J}",
)


def test_apply_exact_both_ways_without_loss():
    ms, r = S.parse_sssom(APPLY), ConversionReport()
    assert ms.apply("sdm:temperature", report=r) == "sosa:Temperature"
    assert ms.apply("sosa:Temperature", report=r) == "sdm:temperature"
    assert ms.apply("http://www.w3.org/ns/sosa/Temperature", report=r) == \
        "https://smartdatamodels.org/dataModel.Environment/temperature"
    assert ms.apply("ex:WindSpeed", report=r) == "sdm:windSpeed"
    assert r.lossless


def test_apply_broad_and_narrow_only_towards_the_broader_term():
    ms, r = S.parse_sssom(APPLY), ConversionReport()
    assert ms.apply("sdm:pm25", report=r, path="/0/pm25") == "ex:ParticulateMatter"
    assert ms.apply("sdm:LAeq", report=r, path="/0/LAeq") == "ex:Noise"
    assert [type(e) for e in r.events] == [Approximated, Approximated]
    assert "skos:broadMatch" in r.events[0].message and r.events[0].path == "/0/pm25"
    r2 = ConversionReport()
    assert ms.apply("ex:ParticulateMatter", report=r2) is None  # would narrow: refused
    assert ms.apply("ex:Noise", report=r2) is None
    assert [type(e) for e in r2.events] == [Unresolved, Unresolved]


def test_apply_close_and_related_only_on_request_and_always_reported():
    ms = S.parse_sssom(APPLY)
    r = ConversionReport()
    assert ms.apply("sdm:precipitation", report=r) is None
    assert isinstance(r.events[0], Unresolved) and "allow_close=True" in r.events[0].remedy
    ms.apply("ex:unknown", report=r)
    assert "allow_close" not in r.events[1].remedy
    r = ConversionReport()
    assert ms.apply("sdm:precipitation", allow_close=True, report=r) == "ex:Rainfall"
    assert ms.apply("ex:Rainfall", allow_close=True, report=r) == "sdm:precipitation"
    assert ms.apply("sdm:reliability", allow_close=True, report=r) == "ex:Quality"
    assert len(r.of_type(Approximated)) == 3 and r.events[0].count == 1


def test_apply_prefers_stronger_then_more_confident_mappings():
    head = HEAD.replace("mapping_justification\n", "mapping_justification\tconfidence\n")
    ms = S.parse_sssom(table(f"ex:a\tskos:broadMatch\tex:b1\t{J}\t0.5",
                             f"ex:a\tskos:broadMatch\tex:b2\t{J}\t0.9",
                             f"ex:a\tskos:closeMatch\tex:c\t{J}\t1.0", head=head))
    assert ms.apply("ex:a", allow_close=True) == "ex:b2"
    ms = S.parse_sssom(table(f"ex:a\tskos:closeMatch\tex:c\t{J}", f"ex:a\tskos:exactMatch\tex:e\t{J}"))
    assert ms.apply("ex:a", allow_close=True) == "ex:e"


def test_apply_conflicts_negations_and_no_term():
    ms = S.parse_sssom(table(f"ex:a\tskos:exactMatch\tex:b\t{J}", f"ex:a\tskos:exactMatch\tex:c\t{J}"))
    with pytest.raises(MappingError, match="conflicting exact mappings"):
        ms.apply("ex:a")
    head = HEAD.replace("predicate_id\t", "predicate_id\tpredicate_modifier\t")
    ms = S.parse_sssom(table(f"ex:a\tskos:exactMatch\tNot\tex:b\t{J}",
                             f"ex:x\tskos:exactMatch\t\tsssom:NoTermFound\t{J}", head=head))
    assert ms.apply("ex:a") is None and ms.apply("ex:b") is None and ms.apply("ex:x") is None


# --- invert and chain -------------------------------------------------------------------------

def test_invert():
    head = HEAD.replace("object_id\t", "object_id\tobject_label\t").replace(
        "subject_id\t", "subject_id\tsubject_label\t", 1)
    ms = S.parse_sssom(table(f"sdm:pm25\tPM2.5\tskos:broadMatch\tex:PM\tparticulate matter\t{J}",
                             f"ex:Noise\tnoise\tskos:narrowMatch\tsdm:LAeq\tLAeq\t{J}",
                             f"sdm:temperature\ttemperature\tskos:exactMatch\tsosa:Temperature\tT\t{J}",
                             head=head))
    inv = ms.invert()
    m = inv.mappings[0]
    assert (m.subject_id, m.values["subject_label"], m.predicate_id, m.object_id, m.values["object_label"]) \
        == ("ex:PM", "particulate matter", "skos:narrowMatch", "sdm:pm25", "PM2.5")
    assert inv.mappings[1].predicate_id == "skos:broadMatch"
    assert inv.mappings[2].predicate_id == "skos:exactMatch"
    assert {m.mapping_justification for m in inv.mappings} == {"semapv:MappingInversion"}
    assert inv.columns[:2] == ["object_id", "object_label"]
    # the inverted table translates the same way as the original
    assert inv.apply("sdm:pm25") == ms.apply("sdm:pm25") == "ex:PM"
    assert inv.apply("sdm:LAeq") == ms.apply("sdm:LAeq") == "ex:Noise"
    assert S.check(inv) == []
    assert [m.predicate_id for m in inv.invert().mappings] == [m.predicate_id for m in ms.mappings]


@pytest.mark.parametrize(("p1", "p2", "expected"), [
    ("skos:exactMatch", "skos:exactMatch", "skos:exactMatch"),
    ("skos:exactMatch", "skos:broadMatch", "skos:broadMatch"),
    ("skos:narrowMatch", "skos:exactMatch", "skos:narrowMatch"),
    ("skos:broadMatch", "skos:broadMatch", "skos:broadMatch"),
    ("skos:broadMatch", "skos:narrowMatch", "skos:relatedMatch"),
    ("skos:closeMatch", "skos:exactMatch", "skos:closeMatch"),
    ("skos:closeMatch", "skos:broadMatch", "skos:relatedMatch"),
    ("owl:equivalentClass", "owl:equivalentClass", "owl:equivalentClass"),
    ("owl:equivalentClass", "skos:exactMatch", "skos:exactMatch"),
])
def test_chain_takes_the_weaker_predicate(p1, p2, expected):
    ab = S.parse_sssom(table(f"sdm:a\t{p1}\tex:b\t{J}"))
    bc = S.parse_sssom(table(f"ex:b\t{p2}\tsosa:C\t{J}"))
    [m] = ab.chain(bc).mappings
    assert (m.subject_id, m.predicate_id, m.object_id, m.mapping_justification) == \
        ("sdm:a", expected, "sosa:C", "semapv:MappingChaining")


def test_chain_confidence_unmatched_and_prefix_conflict():
    head = HEAD.replace("mapping_justification\n", "mapping_justification\tconfidence\n")
    ab = S.parse_sssom(table(f"sdm:a\tskos:exactMatch\tex:b\t{J}\t0.8",
                             f"sdm:z\tskos:exactMatch\tex:nothing\t{J}\t1.0", head=head))
    bc = S.parse_sssom(table(f"ex:b\tskos:exactMatch\tsosa:C\t{J}\t0.5", head=head))
    ac = ab.chain(bc)
    assert len(ac) == 1 and ac.mappings[0].values["confidence"] == pytest.approx(0.4)
    assert ac.apply("sdm:a") == "sosa:C"
    assert S.check(ac) == []
    other = S.parse_sssom(table(f"ex:b\tskos:exactMatch\tsosa:C\t{J}",
                                head=HEAD.replace("https://example.org/\n", "https://elsewhere.org/\n")))
    with pytest.raises(MappingError, match="prefix 'ex'"):
        ab.chain(other)


def test_write_adds_builtin_prefixes_and_comment_header():
    ms = S.MappingSet([S.Mapping({"subject_id": "ex:a", "predicate_id": "skos:exactMatch",
                                  "object_id": "ex:b", "mapping_justification": J,
                                  "author_id": ["orcid:1", "orcid:2"]})],
                      curie_map={"ex": "https://example.org/", "orcid": "https://orcid.org/"},
                      metadata={"mapping_set_id": "https://example.org/s", "license": "https://example.org/l"})
    text = S.write_sssom(ms)
    header = [line for line in text.splitlines() if line.startswith("#")]
    meta = yaml.safe_load("\n".join(line[1:] for line in header))
    assert meta["curie_map"]["skos"] == S.BUILTIN_PREFIXES["skos"]
    assert "orcid:1|orcid:2" in text
    assert S.check(text) == []


# --- the tables shipped in mappings/ -------------------------------------------------------------

MAPPINGS = Path(__file__).resolve().parent.parent / "mappings"
SHIPPED = sorted(MAPPINGS.glob("*.sssom.tsv"))
STA_TYPES = ("Thing", "Location", "HistoricalLocation", "Datastream", "MultiDatastream", "Sensor",
             "ObservedProperty", "Observation", "FeatureOfInterest")  # OGC 18-088, clause 8


def labels(corpus, *files):
    """English (or untagged) rdfs:label / skos:prefLabel of every subject in the corpus files."""
    rdflib = pytest.importorskip("rdflib")
    g = rdflib.Graph()
    for f in files:
        path = corpus / f
        if not path.is_file():
            pytest.skip(f"{f} not in corpus")
        g.parse(path, format="turtle")
    out: dict[str, set[str]] = {}
    for p in (rdflib.RDFS.label, rdflib.SKOS.prefLabel):
        for s, o in g.subject_objects(p):
            if getattr(o, "language", None) in (None, "en"):
                out.setdefault(str(s), set()).add(str(o))
    return out


def test_shipped_tables_exist_and_check_clean():
    assert {p.name for p in SHIPPED} >= {"sta-sosa.sssom.tsv", "sdm-environment-quantitykinds.sssom.tsv"}
    for path in SHIPPED:
        assert S.check(path) == [], path.name
        ms = S.read_sssom(path)
        for key in ("license", "mapping_set_id", "creator_label", "mapping_set_title"):
            assert ms.metadata.get(key), (path.name, key)
        assert all(m.values.get("author_label") for m in ms.mappings), path.name
        again = S.parse_sssom(S.write_sssom(ms))
        assert [m.values for m in again.mappings] == [m.values for m in ms.mappings]


def test_sdm_environment_table_against_corpus(corpus):
    ms = S.read_sssom(MAPPINGS / "sdm-environment-quantitykinds.sssom.tsv")
    context_path = corpus / "ngsi-ld/dataModel.Environment/context.jsonld"
    if not context_path.is_file():
        pytest.skip("dataModel.Environment context not in corpus")
    context = json.loads(context_path.read_text(encoding="utf-8"))["@context"]
    attribute_iris = {v for v in context.values() if isinstance(v, str)}
    kinds = labels(corpus, "rdf/qudt-public-repo/src/main/rdf/vocab/quantitykinds/VOCAB_QUDT-QUANTITY-KINDS-ALL.ttl")
    for m in ms.mappings:
        subject, obj = ms.expand(m.subject_id), ms.expand(m.object_id)
        assert subject in attribute_iris, f"line {m.line}: {m.subject_id} is not in the SDM @context"
        assert context[m.values["subject_label"]] == subject, m.line
        assert obj in kinds, f"line {m.line}: {m.object_id} is not a QUDT quantity kind"
        assert m.values["object_label"] in kinds[obj], m.line
        assert U.unit_by_code(m.values["unit_code"]) is not None, m.line
    # AirQualityObserved attributes from its schema that carry measurements are all mapped
    schema = json.loads((corpus / "ngsi-ld/dataModel.Environment/AirQualityObserved/schema.json")
                        .read_text(encoding="utf-8"))
    text = json.dumps(schema)
    for name in ("pm10", "pm25", "no2", "o3", "so2", "co", "temperature", "relativeHumidity"):
        assert f'"{name}"' in text
        assert ms.apply(f"sdm:{name}") is not None, name


def test_sdm_environment_table_translates_as_documented():
    ms = S.read_sssom(MAPPINGS / "sdm-environment-quantitykinds.sssom.tsv")
    r = ConversionReport()
    assert ms.apply("sdm:temperature", report=r) == "quantitykind:Temperature"
    assert ms.apply("quantitykind:Temperature", report=r) == "sdm:temperature"  # unique reverse
    assert ms.apply("quantitykind:AtmosphericPressure", report=r) == "sdm:atmosphericPressure"
    assert r.lossless
    assert ms.apply("sdm:pm25", report=r) == "quantitykind:MassConcentration"
    assert ms.apply("quantitykind:MassConcentration", report=r) is None  # would guess a pollutant
    assert [e.kind for e in r.events] == ["Approximated", "Unresolved"]


def test_sta_sosa_table_against_corpus(corpus):
    ms = S.read_sssom(MAPPINGS / "sta-sosa.sssom.tsv")
    sosa = sorted(f.relative_to(corpus).as_posix()
                  for f in (corpus / "rdf/sdw-sosa-ssn/ssn/rdf/ontology/core").glob("sosa-*.ttl"))
    known = labels(corpus, *sosa, "rdf/ogc-geosparql/1.1/geo.ttl")
    assert {ms.expand(m.subject_id).rsplit(":", 1)[1] for m in ms.mappings} == set(STA_TYPES)
    for m in ms.mappings:
        obj = ms.expand(m.object_id)
        if obj == S.BUILTIN_PREFIXES["sssom"] + "NoTermFound":
            continue
        assert obj in known, f"line {m.line}: {m.object_id} is not in the SOSA or GeoSPARQL ontology"
        assert m.values["object_label"] in known[obj], m.line
    r = ConversionReport()
    assert ms.apply("sta:Observation") == "sosa:Observation"
    assert ms.apply("sosa:ObservableProperty") == "sta:ObservedProperty"
    assert ms.apply("sta:Thing") is None
    assert ms.apply("sta:Thing", allow_close=True, report=r) == "sosa:Platform"
    assert ms.apply("sta:HistoricalLocation") is None
    assert [e.kind for e in r.events] == ["Approximated"]
