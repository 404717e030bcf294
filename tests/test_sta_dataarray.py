"""dataArray: the spec's and a server's dataArray documents expand to the same Observations as
their plain equivalents, and ``sta -> sta-dataarray -> sta`` loses nothing."""

from __future__ import annotations

import json

import pytest

import mimbridge
from mimbridge.adapters.native import dump

SPEC = "sensorthings@18-088/src/18-088/extracted/"
DJANGO = "_captured/django-ogc-sensorthings-1.2.0/"
OPTIONAL = ("validTime", "resultQuality", "parameters")


@pytest.fixture(scope="module")
def ogc(corpus):
    return corpus / "ogc"


def _observations(doc, fmt: str) -> dict:
    """Observation nodes of a document (native dumps by id); optional members that are null are left
    out, as SensorThings servers leave them out of plain responses."""
    out = {}
    for node in dump(mimbridge.read(doc, source=fmt))["nodes"]:
        if node["types"] == ["urn:mimbridge:sta:Observation"]:
            attrs = {k: v for k, v in node["attrs"].items()
                     if not (k.rsplit(":", 1)[1] in OPTIONAL and v[0].get("value", v[0].get("json", 0)) is None)}
            out[node["id"]] = attrs
    return out


# The plain equivalents, written out from the SensorThings 1.1 text (section 13): each row is an
# Observation whose Datastream is the group's navigation link.
SPEC_EX01_PLAIN = {
    "@iot.nextLink": "http://example.org/v1.1/Datastreams(1)/Observations?$resultFormat=dataArray&$skip=3",
    "@iot.count": 42,
    "value": [
        {"@iot.id": i, "phenomenonTime": t, "resultTime": "2005-08-05T12:21:13Z", "result": r,
         "Datastream": {"@iot.id": 1, "@iot.selfLink": "http://example.org/v1.1/Datastreams(1)"}}
        for i, t, r in ((1, "2005-08-05T12:21:13Z", 20), (2, "2005-08-05T12:22:08Z", 30),
                        (3, "2005-08-05T12:22:54Z", 0))]}
SPEC_EX02_PLAIN = {
    "@iot.nextLink": "http://example.org/v1.1/MultiDatastreams(1)/Observations?$resultFormat=dataArray&$skip=3",
    "@iot.count": 42,
    "value": [
        {"@iot.id": i, "phenomenonTime": t, "resultTime": "2010-12-23T11:20:00-0700", "result": r,
         "MultiDatastream": {"@iot.id": 1, "@iot.selfLink": "http://example.org/v1.1/MultiDatastreams(1)"}}
        for i, t, r in ((1, "2010-12-23T11:20:00-0700", [10.2, 65, "clear"]),
                        (2, "2010-12-23T11:22:08-0700", [11.3, 63, "clear"]),
                        (3, "2010-12-23T11:22:54-0700", [9.8, 67, "clear"]))]}
# What the django server returns without $resultFormat for the same four Observations (the
# "sky state" Datastream of inputs/thing2d.json; null members left out, as in obs_page1.json).
DS = "01a21a19-9b86-73e2-8405-9374252f1252"
DJANGO_PLAIN = {
    "@iot.nextLink": "http://127.0.0.1:8091/sensorthings/v1.1/Observations?$resultFormat=dataArray&$top=4&$skip=4",
    "value": [
        {"@iot.id": i, "phenomenonTime": t, "result": r, "resultTime": t,
         "Datastream": {"@iot.id": DS, "@iot.selfLink": f"http://127.0.0.1:8091/sensorthings/v1.1/Datastreams('{DS}')"}}
        for i, t, r in (("01a21a19-9b8c-7306-a669-71ec2269667b", "2024-01-01T05:00:00+00:00", 4.5),
                        ("01a21a19-9b8a-719e-9fe5-38b6de7623ce", "2024-01-01T04:00:00+00:00", 3.0),
                        ("01a21a19-9b89-74a6-bb9e-ed6dade3ee48", "2024-01-01T03:00:00+00:00", 1.5),
                        ("01a21a19-9b88-733d-816f-cca2fba33a4a", "2024-01-01T00:00:00+00:00", 0.0))]}


@pytest.mark.parametrize("rel, plain", [(SPEC + "13_data_array__ex01.json", SPEC_EX01_PLAIN),
                                        (SPEC + "13_data_array__ex02.json", SPEC_EX02_PLAIN),
                                        (DJANGO + "obs_dataArray.json", DJANGO_PLAIN)])
def test_data_array_expands_to_the_plain_observations(ogc, rel, plain):
    expanded = _observations(ogc / rel, "sta-dataarray")
    assert len(expanded) == len(plain["value"])
    assert expanded == _observations(plain, "sta")


def test_spec_example_expands_to_the_plain_document(ogc):
    out = mimbridge.convert(ogc / SPEC / "13_data_array__ex01.json", source="sta-dataarray", target="sta").output
    assert out == SPEC_EX01_PLAIN


def test_create_observations_body(ogc):
    out = mimbridge.convert(ogc / DJANGO / "inputs/createobs.json", source="sta-dataarray", target="sta").output
    foi = "01a21a18-c287-7051-a7e1-a042061d2559"
    ds = {"@iot.id": "01a21a18-c284-750d-ba6c-895cbeba5251"}
    assert out == [{"phenomenonTime": "2016-01-01T00:00:00Z", "result": 11.5, "FeatureOfInterest": {"@iot.id": foi},
                    "Datastream": ds},
                   {"phenomenonTime": "2016-01-01T01:00:00Z", "result": 12.5, "FeatureOfInterest": {"@iot.id": foi},
                    "Datastream": ds}]
    again = mimbridge.convert(out, source="sta", target="sta-dataarray").output
    assert again == json.loads((ogc / DJANGO / "inputs/createobs.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("rel", [DJANGO + "obs_page1.json", DJANGO + "obs_page2.json",
                                 DJANGO + "obs_with_quality_params.json", SPEC + "09_service_interface__ex04.json"])
def test_sta_to_data_array_and_back_is_lossless(ogc, rel):
    data = json.loads((ogc / rel).read_text(encoding="utf-8"))
    da = mimbridge.convert(data, source="sta", target="sta-dataarray")
    assert da.report.lossless, da.report.summary()
    assert all("dataArray" in g for g in da.output["value"])
    back = mimbridge.convert(da.output, source="sta-dataarray", target="sta")
    assert back.output == data and back.report.lossless


def test_mixed_members_make_separate_groups_and_come_back():
    page = {"value": [
        {"@iot.id": 1, "phenomenonTime": "2024-01-01T00:00:00Z", "result": 1, "Datastream": {"@iot.id": 5}},
        {"@iot.id": 2, "phenomenonTime": "2024-01-01T01:00:00Z", "result": None, "resultTime": None,
         "Datastream": {"@iot.id": 5}},
        {"@iot.id": 3, "phenomenonTime": "2024-01-01T02:00:00Z", "result": [1, 2], "Datastream": {"@iot.id": 6},
         "FeatureOfInterest": {"@iot.id": "f", "name": "expanded"}},
    ]}
    da = mimbridge.convert(page, source="sta", target="sta-dataarray").output
    assert [g["components"] for g in da["value"]] == [
        ["id", "phenomenonTime", "result"], ["id", "phenomenonTime", "result", "resultTime"],
        ["id", "phenomenonTime", "result", "FeatureOfInterest"]]
    assert mimbridge.convert(da, source="sta-dataarray", target="sta").output == page


def test_single_observation_becomes_a_one_row_collection():
    obs = {"@iot.id": 1, "phenomenonTime": "2024-01-01T00:00:00Z", "result": 1}
    r = mimbridge.convert(obs, source="sta", target="sta-dataarray")
    assert r.output == {"value": [{"components": ["id", "phenomenonTime", "result"],
                                   "dataArray": [[1, "2024-01-01T00:00:00Z", 1]]}]}
    assert [e.kind for e in r.report.events] == ["Coerced"]


def test_row_of_the_wrong_length_costs_that_row():
    doc = {"value": [{"components": ["id", "result"], "dataArray": [[1, 2], [3], [4, 5]]}]}
    r = mimbridge.convert(doc, source="sta-dataarray", target="sta")
    assert [o["@iot.id"] for o in r.output["value"]] == [1, 4]
    [ev] = r.report.rejected
    assert ev.path == "/value/0/dataArray/1" and "1 values for 2 components" in ev.message
    with pytest.raises(mimbridge.LossyConversionError):
        mimbridge.convert(doc, source="sta-dataarray", target="sta", strict=True)
