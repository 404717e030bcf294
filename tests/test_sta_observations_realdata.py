"""The observations mapping on what SensorThings servers really send: Observation pages without their
Datastream, and anonymous Observations that are equal in two Datastreams."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

import mimbridge
from mimbridge.clients import HttpClient
from mimbridge.clients.sta import StaSink, StaSource

from .conftest import need
from .sta_server import available, launch

ISSUE_EXAMPLE = {"@iot.id": 1, "phenomenonTime": "2024-01-01T00:00:00Z", "resultTime": "2024-01-01T00:00:00Z",
                 "result": 70.4}


def round_trip(doc):
    fwd = mimbridge.convert(doc, source="sta", target="ngsi-ld-temporal", mapping="observations")
    back = mimbridge.convert(fwd.output, source="ngsi-ld-temporal", target="sta", mapping="observations")
    return fwd, back


def observations(doc) -> list[dict]:
    """Every Observation object of a SensorThings document, wherever it is nested."""
    out = []
    if isinstance(doc, list):
        for x in doc:
            out.extend(observations(x))
    elif isinstance(doc, dict):
        if "result" in doc and "phenomenonTime" in doc:
            out.append(doc)
        for v in doc.values():
            out.extend(observations(v))
    return out


def instant(t: str | None) -> datetime | None:
    return None if t is None else datetime.fromisoformat(t.replace("Z", "+00:00"))


def times(obs: list[dict]) -> dict:
    return {o.get("@iot.id"): (instant(o["phenomenonTime"]), instant(o.get("resultTime")), o["result"]) for o in obs}


def test_result_time_survives_without_the_datastream():
    _, back = round_trip(ISSUE_EXAMPLE)
    (o,) = observations(back.output)
    assert o == ISSUE_EXAMPLE


def test_server_observation_pages_keep_result_time(corpus):
    captured = corpus / "ogc" / "_captured" / "django-ogc-sensorthings-1.2.0"
    for name in ("obs_page1.json", "obs_page2.json"):
        page = json.loads((captured / name).read_text(encoding="utf-8"))
        assert all("resultTime" in o for o in page["value"])
        _, back = round_trip(page)
        got = {o["@iot.id"]: o for o in observations(back.output)}
        assert len(got) == len(page["value"])
        for o in page["value"]:
            assert got[o["@iot.id"]]["resultTime"] == o["resultTime"], (name, o["@iot.id"])
            assert got[o["@iot.id"]]["phenomenonTime"] == o["phenomenonTime"]


def test_identical_anonymous_observations_in_two_datastreams_both_survive():
    obs = {"phenomenonTime": "2024-01-01T00:00:00Z", "resultTime": "2024-01-01T00:00:00Z", "result": 21.5}
    thing = {"@iot.id": 1, "name": "T", "Datastreams": [
        {"@iot.id": d, "name": f"d{d}",
         "unitOfMeasurement": {"name": "degree Celsius", "symbol": "°C", "definition": "ucum:Cel"},
         "ObservedProperty": {"@iot.id": 2, "name": "Air temperature", "definition": "https://ex.org/T"},
         "Observations": [dict(obs)]} for d in (5, 6)]}
    fwd, back = round_trip(thing)
    assert len(fwd.output[0]["airTemperature"]) == 2
    assert back.output == thing
    for target in ("ngsi-ld", "ngsi-ld-concise"):
        out = mimbridge.convert(thing, source="sta", target=target, mapping="observations").output
        again = mimbridge.convert(out, source=target, target="sta", mapping="observations").output
        assert again == thing, target


@pytest.fixture(scope="module")
def own_sta_server(tmp_path_factory):
    """A server of this module's own (the session's server holds data other tests count exactly)."""
    reason = available()
    need(reason is None, reason or "")
    with launch(tmp_path_factory.mktemp("sta-resulttime")) as server:
        yield server


def test_live_server_observation_pages(own_sta_server):
    """Observations written with a resultTime other than their phenomenonTime and with the same one, read back
    from the server's own /Observations pages (no Datastream in them), through NGSI-LD and back."""
    http = HttpClient(timeout=30, retries=1)
    # the server derives each Observation's FeatureOfInterest from the Thing's Location: give one
    body = {"name": "resulttime probe", "description": "test", "Locations": [
        {"name": "probe site", "description": "roof", "encodingType": "application/geo+json",
         "location": {"type": "Point", "coordinates": [5.1, 52.1]}}], "Datastreams": [{
        "name": "rt probe", "description": "test", "observationType":
            "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
        "unitOfMeasurement": {"name": "percent", "symbol": "%", "definition": "ucum:%"},
        "Sensor": {"name": "s", "description": "s", "encodingType": "application/pdf",
                   "metadata": "https://example.org/s.pdf"},
        "ObservedProperty": {"name": "rt", "definition": "https://example.org/rt", "description": "rt"},
        "Observations": [{"phenomenonTime": f"2031-05-01T00:0{i}:00Z", "result": 70.4,
                          "resultTime": f"2031-05-01T00:0{i + (i % 2)}:00Z"} for i in range(6)]}]}
    sink = StaSink(f"{own_sta_server.url}/Things", http=http)
    assert not sink.write({"value": [body]}).failed
    query = "Observations?$filter=phenomenonTime ge 2031-05-01T00:00:00Z and phenomenonTime lt 2031-05-02T00:00:00Z"
    pages = list(StaSource(f"{own_sta_server.url}/{query}", http=http).pages())
    served = [o for p in pages for o in p.payload["value"]]
    assert len(served) == 6 and all("Datastream" not in o for o in served)
    got = []
    for p in pages:
        _, back = round_trip(p.payload)
        got.extend(observations(back.output))
    assert times(got) == times(served)
