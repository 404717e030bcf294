"""Every SensorThings JSON file of the corpus: valid ones round-trip, invalid ones are listed here.

Folders: the STA 1.1 spec examples (``sensorthings@18-088``), the STA 2.0 draft examples
(``sensorthings@23-019``, read and written as ``sta2``), responses captured from a
django-ogc-sensorthings server, the OGC test-suite templates (``ets-sta10``) and the
FROST-Server documentation examples. A file not listed below must convert ``X -> X``
and ``X -> ngsi-ld -> X`` to the same JSON without a loss event.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mimbridge
from mimbridge import Coerced, ParseError

FOLDERS = ("sensorthings@18-088", "sensorthings@23-019", "_captured/django-ogc-sensorthings-1.2.0", "ets-sta10",
           "FROST-Server/docs")
SPEC = "sensorthings@18-088/src/18-088/extracted/"
DRAFT = "sensorthings@23-019/sections/extracted/"
ETS = "ets-sta10/src/main/resources/JSON entities/"
DJANGO = "_captured/django-ogc-sensorthings-1.2.0/"
FROST = "FROST-Server/docs/extracted/"

#: not JSON as published: file -> (pointer of the ParseError, reason)
MALFORMED = {
    SPEC + "08_entities__ex06.json": ("line 5 column 75", "line break inside a string"),
    SPEC + "09_service_interface__ex01.json": ("line 21 column 7", "trailing comma in an array"),
    SPEC + "09_service_interface__ex02.json": ("line 8 column 74", "line break inside a string"),
    SPEC + "09_service_interface__ex06.json": ("line 4 column 6", "'{…}' ellipsis"),
    SPEC + "09_service_interface__ex07.json": ("line 3 column 6", "'{…}' ellipsis"),
    SPEC + "10_create_update_delete__ex02.json": ("line 56 column 85", "line break inside a string"),
    SPEC + "12_multidatastream__ex02.json": ("line 8 column 92", "line break inside a string"),
    DRAFT + "clause_08_core_data_model__ex02.json": ("line 17 column 1", "trailing comma in an object"),
    DRAFT + "clause_08_core_data_model__ex03.json": ("line 14 column 1", "trailing comma in an object"),
    DRAFT + "clause_08_core_data_model__ex15.json": ("line 3 column 4", "unbalanced braces"),
    DRAFT + "clause_08_core_data_model__ex17.json": ("line 6 column 75", "line break inside a string"),
    ETS + "datastreams/datastream.json": ("line 19 column 20", "template placeholder $THING-ID"),
    ETS + "datastreams/embeddedEntities.json": ("line 19 column 20", "template placeholder $THING-ID"),
    ETS + "datastreams/linkedThingValid.json": ("line 9 column 20", "template placeholder $THING-ID"),
    ETS + "datastreams/nestedDatastream.json": ("line 9 column 29", "template placeholder $OBSERVEDPROPERTY-ID"),
    ETS + "observations/dataArray.json": ("line 4 column 19", "template placeholder $DATASTREAM_ID"),
    ETS + "observations/embeddedFeatureOfInterestValid.json": ("line 15 column 23",
                                                               "template placeholder $DATASTREAM-ID"),
    ETS + "observations/intervalPhenomenonTime.json": ("line 7 column 23", "template placeholder $DATASTREAM-ID"),
    ETS + "observations/linkedDataStreamWithFOI.json": ("line 4 column 25", "template placeholder $DATASTREAM-ID"),
    ETS + "observations/observationWithoutPTimeValid.json": ("line 6 column 31", "template placeholder $FOI-ID"),
    FROST + "STA-Expanding__ex01.json": ("line 17 column 9", "'{…}' ellipsis"),
}
#: JSON, but not a SensorThings entity document: file -> (pointer of the ParseError, reason)
NOT_ENTITIES = {
    SPEC + "13_data_array__ex03.json": ("/0", "a CreateObservations response: a list of links and 'error'"),
    ETS + "unitsOfMeasurement/1.json": ("/symbol", "a unitOfMeasurement object on its own"),
    ETS + "unitsOfMeasurement/noDefinition.json": ("/symbol", "a unitOfMeasurement object on its own"),
    FROST + "GeoJSON-ResultFormat__ex01.json": ("/type", "FROST's $resultFormat=GeoJSON FeatureCollection"),
    FROST + "GeoJSON-ResultFormat__ex02.json": ("/type", "FROST's $resultFormat=GeoJSON FeatureCollection"),
}
#: read with a reported coercion: file -> (pointer of the Coerced event, reason, output equals input)
COERCED = {
    SPEC + "09_service_interface__ex05.json": ("/values", "'values' for the collection member 'value'", False),
    SPEC + "14_mqtt__ex02.json": ("/phenonmenonTime", "misspelt 'phenomenonTime'", False),
    ETS + "locations/southern-alberta-polygon.json": ("/location/coordinates",
                                                      "Polygon ring not wrapped in an array: kept as JSON", True),
}
#: files in the dataArray form (format sta-dataarray)
DATA_ARRAY = {SPEC + "13_data_array__ex01.json", SPEC + "13_data_array__ex02.json", DJANGO + "obs_dataArray.json",
              DJANGO + "inputs/createobs.json"}


@pytest.fixture(scope="module")
def ogc(corpus: Path) -> Path:
    return corpus / "ogc"


def _files(ogc: Path) -> list[str]:
    out = []
    for folder in FOLDERS:
        out += [str(p.relative_to(ogc)) for p in sorted((ogc / folder).rglob("*.json"))]
    return out


def _format(rel: str) -> str:
    if rel.startswith("sensorthings@23-019"):
        return "sta2"
    return "sta-dataarray" if rel in DATA_ARRAY else "sta"


def test_tables_name_corpus_files(ogc):
    files = set(_files(ogc))
    for table in (MALFORMED, NOT_ENTITIES, COERCED, DATA_ARRAY):
        assert set(table) <= files, set(table) - files


def test_every_valid_file_round_trips(ogc):
    listed = set(MALFORMED) | set(NOT_ENTITIES) | set(COERCED)
    checked, failures = 0, []
    for rel in _files(ogc):
        if rel in listed:
            continue
        fmt = _format(rel)
        data = json.loads((ogc / rel).read_text(encoding="utf-8"))
        same = mimbridge.convert(ogc / rel, source=fmt, target=fmt)
        ngsi = mimbridge.convert(data, source=fmt, target="ngsi-ld")
        back = mimbridge.convert(ngsi.output, source="ngsi-ld", target=fmt)
        losses = [str(e) for r in (same, ngsi, back) for e in r.report.events if e.kind != "Approximated"]
        if same.output != data or back.output != data or losses:
            failures.append((rel, same.output == data, back.output == data, losses))
        checked += 1
    assert not failures, failures
    assert checked >= 70  # the corpus as collected: 74 files


@pytest.mark.parametrize("rel", sorted(MALFORMED))
def test_malformed_files_give_parse_errors_with_line_and_column(ogc, rel):
    pointer, _reason = MALFORMED[rel]
    with pytest.raises(ParseError) as info:
        mimbridge.convert(ogc / rel, source=_format(rel), target="ngsi-ld")
    assert info.value.pointer == pointer
    assert info.value.message.startswith("malformed JSON")


@pytest.mark.parametrize("rel", sorted(NOT_ENTITIES))
def test_documents_that_are_not_entities_give_parse_errors(ogc, rel):
    pointer, _reason = NOT_ENTITIES[rel]
    with pytest.raises(ParseError) as info:
        mimbridge.convert(ogc / rel, source="sta", target="ngsi-ld")
    assert info.value.pointer == pointer


@pytest.mark.parametrize("rel", sorted(COERCED))
def test_coercions_are_reported_at_their_pointer(ogc, rel):
    pointer, _reason, unchanged = COERCED[rel]
    data = json.loads((ogc / rel).read_text(encoding="utf-8"))
    r = mimbridge.convert(data, source="sta", target="sta")
    assert [e.path for e in r.report.of_type(Coerced)] == [pointer]
    assert (r.output == data) is unchanged


def test_coerced_members_carry_their_values(ogc):
    typo = mimbridge.convert(ogc / SPEC / "14_mqtt__ex02.json", source="sta", target="sta").output
    assert typo == {"result": 45, "phenomenonTime": "2015-02-05T17:00:00Z"}
    values = mimbridge.convert(ogc / SPEC / "09_service_interface__ex05.json", source="sta", target="ngsi-ld").output
    assert {e["type"] for e in values} == {"Collection", "Thing", "Datastream"}
    polygon = mimbridge.convert(ogc / ETS / "locations/southern-alberta-polygon.json", source="sta", target="sta",
                                repair_geometry=True).output
    assert polygon["location"]["coordinates"][0][0] == [-117.0236, 49.1592]


def test_draft_2_0_examples_write_as_1_1_with_a_report(ogc):
    thing = mimbridge.convert(ogc / DRAFT / "clause_08_core_data_model__ex01.json", source="sta2", target="sta")
    assert thing.output == {
        "@iot.id": 1, "@iot.selfLink": "Things(1)", "name": "Oven", "description": "This thing is an oven.",
        "properties": {"owner": "Ulrike Schmidt", "color": "Black"},
        "Locations@iot.navigationLink": "Things(1)/Locations",
        "Datastreams@iot.navigationLink": "Things(1)/Datastreams",
        "HistoricalLocations@iot.navigationLink": "Things(1)/HistoricalLocations"}
    assert sorted((e.kind, e.path) for e in thing.report.events) == [
        ("Coerced", "/@id"), ("Dropped", "/@context")]  # JSON pointers into the document
    obs = mimbridge.convert(ogc / DRAFT / "clause_08_core_data_model__ex18.json", source="sta2", target="sta")
    assert obs.output["phenomenonTime"] == "2017-11-12T13:00:00Z/2017-11-12T14:00:00Z"
    assert obs.output["FeatureOfInterest@iot.navigationLink"] == "Observations(1)/ProximateFeatureOfInterest"
    ds = mimbridge.convert(ogc / DRAFT / "clause_08_core_data_model__ex14.json", source="sta2", target="sta")
    assert "unitOfMeasurement" not in ds.output  # a DataRecord has no single unit
    assert ds.output["observationType"].endswith("OM_ComplexObservation")
    assert sorted((e.kind, e.path.rsplit("/", 1)[1]) for e in ds.report.events) == [
        ("Approximated", "observationType"), ("Dropped", "resultEncoding"), ("Dropped", "resultType")]
    for rel in _files(ogc):
        if rel.startswith(DRAFT) and rel not in MALFORMED:
            r = mimbridge.convert(ogc / rel, source="sta2", target="sta")
            text = json.dumps(r.output)
            assert '"@id"' not in text and '"@context"' not in text and "@navigationLink" not in text, rel


def test_captured_server_documents_read_into_the_model(ogc):
    g = mimbridge.read(ogc / DJANGO / "historicallocations_expand.json", source="sta")
    types = [n.types[0].rsplit(":", 1)[1] for n in g]
    assert types == ["Collection", "HistoricalLocation", "Thing"]
    g = mimbridge.read(ogc / DJANGO / "datastreams_nested_nextlink.json", source="sta")
    ds = next(n for n in g if n.types[0].endswith(":Datastream"))
    obs = ds.attrs["urn:mimbridge:sta:observations"][0]
    assert obs.attrs["urn:mimbridge:sta:nextLink"][0].value.startswith("http://127.0.0.1:8091/")
