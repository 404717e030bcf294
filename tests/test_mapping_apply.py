"""apply_mapping: types, attribute names and relationship object types translated through SSSOM
tables, on corpus samples; exact round trips are lossless, broad and close ones are reported."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

import mimbridge
from mimbridge.errors import MappingError
from mimbridge.mapping import sssom as S
from mimbridge.mapping.apply import apply_mapping, graph_terms, load_table, shipped_tables, translate
from mimbridge.model import Attr, Graph, Kind, Node
from mimbridge.report import Approximated, ConversionReport, Unresolved

from .conftest import need

MAPPINGS = Path(__file__).resolve().parent.parent / "mappings"
SDM_TABLE = MAPPINGS / "sdm-environment-quantitykinds.sssom.tsv"
ENV = "ngsi-ld/dataModel.Environment"
ENV_CONTEXT_URL = "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld"
STA_SAMPLE = "ogc/_captured/django-ogc-sensorthings-1.2.0/inputs/thing2.json"
J = "semapv:ManualMappingCuration"
HEAD = ("# curie_map:\n#   ex: https://example.org/\n#   qk: http://qudt.org/vocab/quantitykind/\n"
        "# mapping_set_id: https://example.org/apply-test\n"
        "# license: https://creativecommons.org/publicdomain/zero/1.0/\n"
        "subject_id\tpredicate_id\tobject_id\tmapping_justification\n")


def table(*rows: str) -> S.MappingSet:
    return S.parse_sssom(HEAD + "".join(r + "\n" for r in rows))


def native(graph: Graph):
    return mimbridge.write(graph, target="native")


def kind_of(ms: S.MappingSet, m: S.Mapping) -> str:
    return ms.expand(m.predicate_id).rsplit("#", 1)[1]


@pytest.fixture
def aqo(corpus):
    """The AirQualityObserved normalized example, read with the model's own @context (local copy)."""
    sample = corpus / ENV / "AirQualityObserved/examples/example-normalized.jsonld"
    context = corpus / ENV / "context.jsonld"
    need(sample.is_file() and context.is_file(), "AirQualityObserved example or Environment context missing")
    return mimbridge.read(sample, source="ngsi-ld", contexts={ENV_CONTEXT_URL: context})


def exact_part(ms: S.MappingSet) -> S.MappingSet:
    rows = [m for m in ms.mappings if kind_of(ms, m) == "exactMatch"]
    return S.MappingSet(rows, curie_map=ms.curie_map, metadata=ms.metadata, columns=ms.columns)


# --- loading --------------------------------------------------------------------------------------

def test_load_table_by_set_path_and_shipped_name():
    by_path = load_table(SDM_TABLE)
    assert load_table(by_path) is by_path
    assert load_table(str(SDM_TABLE)).mapping_set_id == by_path.mapping_set_id
    for name in ("sdm-environment-quantitykinds", "sdm-environment-quantitykinds.sssom.tsv"):
        assert [m.values for m in load_table(name).mappings] == [m.values for m in by_path.mappings]
    assert set(shipped_tables()) == {p.name[: -len(".sssom.tsv")] for p in MAPPINGS.glob("*.sssom.tsv")}


def test_load_table_refuses_unknown_names_and_non_sssom_tables(tmp_path):
    with pytest.raises(MappingError, match=r"no mapping table 'nope'.*sta-sosa"):
        load_table("nope")
    assert (MAPPINGS / "sta-ngsi-ld.tsv").is_file()  # a documentation table, not SSSOM
    with pytest.raises(MappingError, match="not an SSSOM/TSV table: no subject_id"):
        load_table(MAPPINGS / "sta-ngsi-ld.tsv")
    with pytest.raises(MappingError, match="not found"):
        load_table(tmp_path / "missing.sssom.tsv")


# --- exact tables: lossless both ways ---------------------------------------------------------------

def test_exact_table_round_trip_is_lossless_on_the_corpus_sample(aqo):
    ms = exact_part(load_table(SDM_TABLE))
    exact = {ms.expand(m.subject_id): ms.expand(m.object_id) for m in ms.mappings}
    before = copy.deepcopy(native(aqo))
    report = ConversionReport()
    there = apply_mapping(aqo, ms, report=report)
    node, original = there.nodes[0], aqo.nodes[0]
    hits = [name for name in original.attrs if name in exact]
    assert hits, "the sample uses no attribute of the exact rows"
    for name in original.attrs:
        expected = exact.get(name, name)
        assert node.attrs[expected] == original.attrs[name]
    assert list(node.attrs) == [exact.get(n, n) for n in original.attrs]  # order kept
    back = apply_mapping(there, ms, direction="inverse", report=report)
    assert native(back) == before == native(aqo)  # lossless, and the input is untouched
    assert report.lossless
    # the inverted table read forward does what the inverse direction does
    assert native(apply_mapping(there, ms.invert(), report=report)) == before
    # written out, a translated attribute is the target IRI (the sample's @context does not define it)
    out = mimbridge.write(there, target="ngsi-ld", contexts={})
    for name in hits:
        assert out[exact[name]]["value"] == original.attrs[name][0].value


def test_exact_table_round_trip_on_sensorthings_types(corpus):
    sample = corpus / STA_SAMPLE
    need(sample.is_file(), f"{STA_SAMPLE} missing")
    g = mimbridge.read(sample, source="sta")
    full = load_table("sta-sosa")
    ms = exact_part(full)
    mapped = {ms.expand(m.subject_id): ms.expand(m.object_id) for m in ms.mappings
              if ms.expand(m.object_id) not in {S.BUILTIN_PREFIXES["sssom"] + "NoTermFound"}}
    r = ConversionReport()
    there = apply_mapping(g, ms, report=r)
    for a, b in zip(g.nodes, there.nodes, strict=True):
        assert b.types == [mapped.get(t, t) for t in a.types]
    assert any(t in mapped for n in g.nodes for t in n.types)
    assert native(apply_mapping(there, ms, direction="inverse", report=r)) == native(g)
    assert r.lossless


# --- broad and close tables: one way, reported ---------------------------------------------------

def test_broad_table_reports_each_approximated_term(aqo):
    ms = load_table(SDM_TABLE)
    broad = {ms.expand(m.subject_id): ms.expand(m.object_id) for m in ms.mappings
             if kind_of(ms, m) == "broadMatch"}
    used = [name for name in aqo.nodes[0].attrs if name in broad]
    assert len(used) > 3
    r = ConversionReport()
    there = apply_mapping(aqo, ms, report=r)
    approximated = {e.message.split(" ")[0]: e for e in r.of_type(Approximated)}
    collided = {e.message.split(" ")[0] for e in r.of_type(Unresolved)}
    # every broad term of the sample is reported once: translated (Approximated) or kept (target taken)
    assert set(approximated) | collided == {ms.compress(n) for n in used}
    assert not set(approximated) & collided
    for name in used:
        short = ms.compress(name)
        if short in approximated:
            ev = approximated[short]
            assert ev.path == "/0/" + name.replace("~", "~0").replace("/", "~1")
            assert "skos:broadMatch" in ev.message and ev.remedy
            assert broad[name] in there.nodes[0].attrs
        else:
            assert name in there.nodes[0].attrs  # kept under its own name, not merged
    assert sum(len(v) for v in there.nodes[0].attrs.values()) == sum(len(v) for v in aqo.nodes[0].attrs.values())
    # broad matches do not translate back: those terms stay in the target vocabulary
    back = apply_mapping(there, ms, direction="inverse")
    for short in approximated:
        assert ms.expand(short) not in back.nodes[0].attrs


def test_close_matches_only_on_request(corpus):
    sample = corpus / STA_SAMPLE
    need(sample.is_file(), f"{STA_SAMPLE} missing")
    g = mimbridge.read(sample, source="sta")
    ms = load_table("sta-sosa")
    thing = ms.expand("sta:Thing")
    close_target = ms.expand(next(m.object_id for m in ms.mappings if kind_of(ms, m) == "closeMatch"))
    r = ConversionReport()
    out = apply_mapping(g, ms, report=r, report_unmapped=True)
    assert any(thing in n.types for n in out.nodes)
    unresolved = [e for e in r.of_type(Unresolved) if "sta:Thing" in e.message]
    assert len(unresolved) == 1 and "allow_close=True" in unresolved[0].remedy
    r = ConversionReport()
    out = apply_mapping(g, ms, allow_close=True, report=r)
    assert not any(thing in n.types for n in out.nodes) and any(close_target in n.types for n in out.nodes)
    [ev] = [e for e in r.of_type(Approximated) if "sta:Thing" in e.message]
    assert "skos:closeMatch" in ev.message and ev.path.endswith("/type")
    assert ev.count == sum(thing in n.types for n in g.nodes)
    # a close match applies both ways, and is reported again on the way back
    r2 = ConversionReport()
    back = apply_mapping(out, ms, allow_close=True, direction="inverse", report=r2)
    assert sum(thing in n.types for n in back.nodes) == sum(thing in n.types for n in g.nodes)
    assert any("skos:closeMatch" in e.message for e in r2.of_type(Approximated))


# --- direction, narrow, object types, conflicts -----------------------------------------------------

def node(*attrs: str, types=("https://example.org/T",)) -> Graph:
    return Graph([Node("urn:x:1", list(types), {a: [Attr(Kind.PROPERTY, i)] for i, a in enumerate(attrs)})])


def test_direction_decides_which_side_is_translated():
    ms = table(f"ex:temperature\tskos:exactMatch\tqk:Temperature\t{J}",
               f"ex:pm\tskos:narrowMatch\tex:pm25\t{J}")
    g = node("https://example.org/temperature", "http://qudt.org/vocab/quantitykind/Temperature")
    r = ConversionReport()
    # forward: the subject is renamed; the object-side term would collide and is kept
    out = apply_mapping(g, ms, report=r)
    assert list(out.nodes[0].attrs) == list(g.nodes[0].attrs)
    assert [e.kind for e in r.events] == ["Unresolved"] and "already has" in r.events[0].message
    # a narrowMatch (subject broader) translates only object -> subject, i.e. in the inverse direction
    g = node("https://example.org/pm25")
    assert list(apply_mapping(g, ms).nodes[0].attrs) == ["https://example.org/pm25"]
    r = ConversionReport()
    assert list(apply_mapping(g, ms, direction="inverse", report=r).nodes[0].attrs) == ["https://example.org/pm"]
    assert [e.kind for e in r.events] == ["Approximated"] and "skos:narrowMatch" in r.events[0].message
    assert translate(ms, "ex:pm", direction="forward") is None
    with pytest.raises(ValueError, match="direction"):
        translate(ms, "ex:pm", direction="sideways")  # type: ignore[arg-type]


def test_nested_attributes_types_and_object_types():
    ms = table(f"ex:Sensor\tskos:exactMatch\tex:Device\t{J}",
               f"ex:accuracy\tskos:exactMatch\tex:precision\t{J}",
               f"ex:Room\tskos:exactMatch\tex:Space\t{J}")
    rel = Attr(Kind.RELATIONSHIP, "urn:x:room:1", meta={"objectType": "https://example.org/Room"})
    temp = Attr(Kind.PROPERTY, 20, attrs={"https://example.org/accuracy": [Attr(Kind.PROPERTY, 0.5)]})
    g = Graph([Node("urn:x:1", ["https://example.org/Sensor"],
                    {"https://example.org/in": [rel], "https://example.org/t": [temp]})])
    out = apply_mapping(g, ms)
    n = out.nodes[0]
    assert n.types == ["https://example.org/Device"]
    assert n.attrs["https://example.org/in"][0].meta["objectType"] == "https://example.org/Space"
    assert list(n.attrs["https://example.org/t"][0].attrs) == ["https://example.org/precision"]
    assert g.nodes[0].attrs["https://example.org/in"][0].meta["objectType"] == "https://example.org/Room"
    assert graph_terms(out)["https://example.org/Space"] == 1
    assert native(apply_mapping(out, ms, direction="inverse")) == native(g)


def test_unmapped_terms_are_reported_only_on_request_and_core_terms_never():
    ms = table(f"ex:a\tskos:exactMatch\tex:b\t{J}")
    g = node("https://example.org/zzz", "https://uri.etsi.org/ngsi-ld/location")
    r = ConversionReport()
    apply_mapping(g, ms, report=r)
    assert r.lossless
    apply_mapping(g, ms, report=r, report_unmapped=True)
    assert sorted(e.path for e in r.events) == ["/0/https:~1~1example.org~1zzz", "/0/type"]
    assert all(isinstance(e, Unresolved) and e.remedy == "add a row to the mapping table" for e in r.events)


def test_no_term_found_rows_explain_the_gap():
    ms = load_table("sta-sosa")
    g = Graph([Node("urn:x:1", [ms.expand("sta:HistoricalLocation")])])
    r = ConversionReport()
    out = apply_mapping(g, ms, report=r, report_unmapped=True)
    assert out.nodes[0].types == g.nodes[0].types
    [ev] = r.events
    line = next(m.line for m in ms.mappings if m.subject_id == "sta:HistoricalLocation")
    assert "no counterpart" in ev.message and f"line {line}" in ev.message


def test_conflicting_exact_rows_raise():
    ms = table(f"ex:a\tskos:exactMatch\tex:b\t{J}", f"ex:a\tskos:exactMatch\tex:c\t{J}")
    with pytest.raises(MappingError, match=r"conflicting exact mappings \(ex:b, ex:c\) on lines 7, 8"):
        apply_mapping(node("https://example.org/a"), ms)
