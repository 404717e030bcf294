"""mimbridge.stream: record by record, the same bytes and report as convert, in bounded memory."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

import mimbridge
from mimbridge.convert import dumps
from mimbridge.stream import stream

from .conftest import load_json
from .test_ngsild_corpus import CONTEXT_FILES, DOCS, KNOWN_INVALID

TARGETS = ["ngsi-ld", "ngsi-ld-concise", "ngsi-ld-keyvalues", "ngsi-ld-temporal", "ngsi-ld-geojson", "geojson",
           "ntriples", "nquads", "sta", "native"]


def comparable(report: dict) -> dict:
    """A report with its events keyed by (type, message, remedy): convert lists reader events before writer
    events, a stream interleaves them batch by batch; each event's count and paths must be the same."""
    events = {(e["type"], e["message"], e["remedy"]): (e["path"], e["paths"], e["count"]) for e in report["events"]}
    assert len(events) == len(report["events"])
    return {**report, "events": events}


def whole(data, **kw) -> tuple[str, dict]:
    r = mimbridge.convert(data, **kw)
    text = dumps(r.output)
    return text + ("" if text.endswith("\n") else "\n"), comparable(r.report.to_dict())


def streamed(data, **kw) -> tuple[str, dict]:
    s = stream(data, **kw)
    text = "".join(s)
    return text, comparable(s.report.to_dict())


@pytest.fixture(scope="module")
def corpus_entities(corpus) -> tuple[list[dict], dict[str, str]]:
    """Every valid corpus NGSI-LD entity (normalized), one list, with the offline contexts."""
    contexts = {url: str(corpus / rel) for url, rel in CONTEXT_FILES.items()}
    out: list[dict] = []
    for rel in DOCS:
        if rel in KNOWN_INVALID:
            continue
        doc = load_json(corpus / rel)
        out.extend(doc if isinstance(doc, list) else [doc])
    assert len(out) > 20
    return out, contexts


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("batch", [1, 7, 500])
def test_stream_equals_convert_on_the_corpus(corpus_entities, target, batch):
    ents, contexts = corpus_entities
    kw = {"source": "ngsi-ld", "target": target, "contexts": contexts}
    expected = whole(ents, **kw)
    got = streamed(ents, batch=batch, **kw)
    assert got[0] == expected[0]
    assert got[1] == expected[1]


@pytest.mark.parametrize("target", ["ngsi-ld", "ntriples", "ngsi-ld-keyvalues"])
def test_json_text_array_and_json_lines_give_the_same_output(corpus_entities, target, tmp_path):
    ents, contexts = corpus_entities
    kw = {"source": "ngsi-ld", "target": target, "contexts": contexts, "batch": 5}
    array = tmp_path / "ents.json"
    array.write_text(json.dumps(ents), encoding="utf-8")
    lines = tmp_path / "ents.jsonl"
    lines.write_text("".join(json.dumps(e) + "\n" for e in ents), encoding="utf-8")
    expected = whole(ents, source="ngsi-ld", target=target, contexts=contexts)
    assert streamed(array, **kw) == expected
    assert streamed(lines, **kw) == expected  # JSON Lines detected from the file name
    assert streamed(lines.read_bytes(), lines=True, **kw) == expected


def distinct(ents: list[dict]) -> list[dict]:
    """One entity per id: RDF merges the triples of equal subjects, a stream of records cannot."""
    seen: set[str] = set()
    return [e for e in ents if not (e["id"] in seen or seen.add(e["id"]))]


@pytest.mark.parametrize("target", ["ngsi-ld", "ntriples"])
def test_ntriples_input_streams_by_record(corpus_entities, target):
    ents, contexts = corpus_entities
    ents = distinct(ents)
    nt = mimbridge.convert(ents, source="ngsi-ld", target="ntriples", contexts=contexts).output
    kw = {"source": "ntriples", "target": target, "contexts": contexts}
    assert streamed(nt.encode(), batch=3, **kw) == whole(nt, **kw)


def test_turtle_input_streams_through_the_incremental_parser(corpus_entities):
    ents, contexts = corpus_entities
    ents = distinct(ents)
    ttl = mimbridge.convert(ents, source="ngsi-ld", target="turtle", contexts=contexts).output
    kw = {"source": "turtle", "target": "ngsi-ld", "contexts": contexts}
    assert streamed(ttl.encode(), batch=4, **kw) == whole(ttl, **kw)


def test_turtle_output_declares_each_prefix_once(corpus_entities):
    ents, contexts = corpus_entities
    text, _ = streamed(ents, source="ngsi-ld", target="turtle", contexts=contexts, batch=3)
    prefixes = [line for line in text.splitlines() if line.startswith("@prefix")]
    assert prefixes and len(prefixes) == len(set(prefixes))
    import pyoxigraph as ox

    got = set(ox.parse(text, ox.RdfFormat.TURTLE))
    want = set(ox.parse(mimbridge.convert(ents, source="ngsi-ld", target="turtle", contexts=contexts).output,
                        ox.RdfFormat.TURTLE))
    assert got == want


@pytest.mark.parametrize("name", ["lakes_items_page1.json", "lakes_items_page2.json"])
@pytest.mark.parametrize("target", ["geojson", "ngsi-ld"])
def test_a_captured_feature_collection_streams_with_its_envelope(corpus, name, target):
    path = corpus / "ogc" / "_captured" / "pygeoapi-0.21.0" / name
    text, report = streamed(path, source="geojson", target=target, batch=2)
    expected, expected_report = whole(path, source="geojson", target=target)
    assert json.loads(text) == json.loads(expected)  # members after the features follow them
    assert report == expected_report


def test_a_bad_json_line_costs_one_record_and_is_named():
    data = b'{"id": "urn:ngsi-ld:T:1", "type": "T"}\n{"id": \n{"id": "urn:ngsi-ld:T:3", "type": "T"}\n'
    s = stream(data, source="ngsi-ld", target="ngsi-ld-keyvalues", lines=True)
    out = json.loads("".join(s))
    assert [e["id"] for e in out] == ["urn:ngsi-ld:T:1", "urn:ngsi-ld:T:3"]
    [ev] = s.report.rejected
    assert ev.path == "line 2"


@pytest.mark.parametrize("bad", [b"NaN", b"Infinity", b"-Infinity"])
def test_a_json_line_with_a_number_json_forbids_is_rejected_as_convert_refuses_it(bad):
    """NaN and Infinity are not JSON: convert refuses them; a stream of JSON Lines rejects that line only,
    and a big integer on the next line is read exactly (not as orjson's float)."""
    data = (b'{"id": "urn:ngsi-ld:T:1", "type": "T", "v": {"type": "Property", "value": %s}}\n'
            b'{"id": "urn:ngsi-ld:T:2", "type": "T", "v": {"type": "Property", '
            b'"value": 123456789012345678901234567890}}\n' % bad)
    with pytest.raises(mimbridge.ParseError):
        mimbridge.convert(data.splitlines()[0], source="ngsi-ld", target="ngsi-ld-keyvalues")
    s = stream(data, source="ngsi-ld", target="ngsi-ld-keyvalues", lines=True)
    out = json.loads("".join(s))
    assert out == [{"id": "urn:ngsi-ld:T:2", "type": "T", "v": 123456789012345678901234567890}]
    assert out[0]["v"].__class__ is int
    [ev] = s.report.rejected
    assert ev.path == "line 1" and bad.decode() in ev.message


def test_strict_stops_at_the_first_loss_after_writing_the_records_before_it():
    ents = [{"id": f"urn:ngsi-ld:T:{i}", "type": "T"} for i in range(4)]
    ents.append({"id": "urn:ngsi-ld:T:4", "type": "T",
                 "a": {"type": "Property", "value": 1, "observedAt": "2024-01-01T00:00:00Z"}})
    chunks = []
    with pytest.raises(mimbridge.LossyConversionError) as info:
        for chunk in stream(ents, source="ngsi-ld", target="ngsi-ld-keyvalues", strict=True, batch=2):
            chunks.append(chunk)
    assert "urn:ngsi-ld:T:3" in "".join(chunks) and "urn:ngsi-ld:T:4" not in "".join(chunks)
    assert info.value.report.events[0].path.startswith("/4/")


def test_report_paths_count_from_the_start_of_the_input():
    ents = [{"id": f"urn:ngsi-ld:T:{i}", "type": "T",
             "a": {"type": "Property", "value": i, "observedAt": "2024-01-01T00:00:00Z"}} for i in range(30)]
    _, report = streamed(ents, source="ngsi-ld", target="ngsi-ld-keyvalues", batch=4)
    [(path, paths, count)] = [v for k, v in report["events"].items() if "observedAt" in k[1]]
    assert count == 30 and path == "/0/a/observedAt"
    assert paths == [f"/{i}/a/observedAt" for i in range(20)]


def _entities(n: int):
    for i in range(n):
        yield {"id": f"urn:ngsi-ld:AirQualityObserved:{i}", "type": "AirQualityObserved",
               "no2": {"type": "Property", "value": i * 0.5, "unitCode": "GQ", "observedAt": "2024-01-01T00:00:00Z"},
               "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [2.1 + i * 1e-6, 41.4]}}}


def _peak(path: Path) -> int:
    tracemalloc.start()
    try:
        for _ in stream(path, source="ngsi-ld", target="ntriples", batch=100):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_the_input_grows(tmp_path):
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    for path, n in ((small, 1_000), (large, 8_000)):
        with path.open("w", encoding="utf-8") as fh:
            for e in _entities(n):
                fh.write(json.dumps(e) + "\n")
    peak_small, peak_large = _peak(small), _peak(large)
    # eight times the records, about the same peak: nothing grows with the input
    assert peak_large < 1.5 * peak_small + 2_000_000, (peak_small, peak_large)


def test_cli_convert_streams_files_and_standard_input(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(e) + "\n" for e in _entities(50)), encoding="utf-8")
    out = tmp_path / "out.nt"
    exe = [sys.executable, "-m", "mimbridge"]
    r = subprocess.run([*exe, "convert", str(src), "-f", "ngsi-ld", "-t", "ntriples", "-o", str(out), "-q"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    expected = mimbridge.convert(list(_entities(50)), source="ngsi-ld", target="ntriples").output
    assert out.read_text(encoding="utf-8") == expected
    r = subprocess.run([*exe, "convert", "-", "-f", "ngsi-ld", "-t", "ngsi-ld-keyvalues", "--lines",
                        "--progress", "-q"], input=src.read_text(encoding="utf-8"), capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)) == 50
    assert "records" in r.stderr  # the progress line
    jl = tmp_path / "out.jsonl"
    r = subprocess.run([*exe, "convert", str(src), "-f", "ngsi-ld", "-t", "ngsi-ld-keyvalues", "-o", str(jl), "-q"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert [json.loads(x)["id"] for x in jl.read_text().splitlines()] == [e["id"] for e in _entities(50)]


@pytest.mark.parametrize("target", ["ntriples", "nquads", "turtle"])
@pytest.mark.parametrize("blank_nodes", [True, False])
def test_blank_nodes_are_numbered_across_batches_and_literals_are_untouched(target, blank_nodes):
    ents = [{"id": f"urn:ngsi-ld:T:{i}", "type": "T", "a": {"type": "Property", "value": {"x": [1, 2]}},
             "b": {"type": "JsonProperty", "json": {"k": "_:b0 text"}}} for i in range(5)]
    kw = {"source": "ngsi-ld", "target": target, "blank_nodes": blank_nodes}
    assert streamed(ents, batch=2, **kw) == whole(ents, **kw)
    text, _ = streamed(ents, batch=2, **kw)
    assert text.count('_:b0 text') == 5


def test_an_iterator_of_lines_without_newlines_streams():
    lines = (json.dumps(e) for e in _entities(30))  # as a Spark partition gives them
    text, report = streamed(lines, source="ngsi-ld", target="ngsi-ld-keyvalues", lines=True, batch=7)
    assert [e["id"] for e in json.loads(text)] == [e["id"] for e in _entities(30)]
    assert report["records_in"] == 30


def test_sensorthings_observations_stream_as_fragments_of_one_temporal_entity(corpus):
    folder = corpus / "ogc" / "_captured" / "django-ogc-sensorthings-1.2.0"
    page = load_json(folder / "obs_page1.json")  # both captured pages of the real server, as one page
    page["value"] += load_json(folder / "obs_page2.json")["value"]
    assert len(page["value"]) >= 3
    kw = {"source": "sta", "target": "ngsi-ld-temporal", "mapping": "observations"}
    whole_out = mimbridge.convert(page, **kw).output
    whole_out = whole_out if isinstance(whole_out, list) else [whole_out]
    frags = json.loads("".join(stream(json.dumps(page).encode(), batch=1, **kw)))
    assert {f["id"] for f in frags} == {e["id"] for e in whole_out}
    assert len(frags) > len(whole_out)  # one fragment per batch

    def instances(entities):
        return sorted((e["id"], k, json.dumps(i, sort_keys=True)) for e in entities for k, v in e.items()
                      if isinstance(v, list) for i in v if isinstance(i, dict))

    assert instances(frags) == instances(whole_out)


def test_blank_node_renumbering_of_triples_and_of_text_it_must_read_line_by_line():
    from mimbridge.records import Relabeler

    r = Relabeler()
    r.bnodes = 3
    assert r("_:b0 <urn:p> _:b1 .\n<urn:s> <urn:q> _:b0 .\n_:b1 <urn:r> \"1\" .\n") == \
        "_:b3 <urn:p> _:b4 .\n<urn:s> <urn:q> _:b3 .\n_:b4 <urn:r> \"1\" .\n"
    assert r.bnodes == 5
    # "_:b" inside a literal and a graph label: only subject, object and graph terms move
    assert r('_:b0 <urn:p> "see _:b0 ." .\n<urn:s> <urn:p> "x"^^<urn:t> _:b1 .\n') == \
        '_:b5 <urn:p> "see _:b0 ." .\n<urn:s> <urn:p> "x"^^<urn:t> _:b6 .\n'
    assert r.bnodes == 7


def test_many_blank_nodes_stream_as_convert_numbers_them():
    ents = [{"id": f"urn:ngsi-ld:T:{i}", "type": "T",
             "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [i, 41.5]}},
             "no2": {"type": "Property", "value": i / 3, "unitCode": "GQ",
                     "reliability": {"type": "Property", "value": 0.5}},
             "ref": {"type": "Relationship", "object": f"urn:ngsi-ld:D:{i}"}} for i in range(9)]
    for target in ("ntriples", "nquads"):
        kw = {"source": "ngsi-ld", "target": target, "blank_nodes": True}
        text, report = streamed(ents, batch=4, **kw)
        assert (text, report) == whole(ents, **kw)
        labels = {line.split(" ")[0] for line in text.splitlines() if line.startswith("_:b")}
        assert len(labels) == 9 * 7  # 3 attributes, a sub-attribute, a geometry, 2 list nodes; none shared
