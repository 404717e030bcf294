"""Offline tests of the SensorThings connector (httpx.MockTransport); the real server is in test_e2e_sta.py."""

from __future__ import annotations

import json

import httpx
import pytest

from mimbridge.clients import HttpClient
from mimbridge.clients.sta import StaSink, StaSource, open_sink, open_source
from mimbridge.errors import ConnectorError, ParseError


def client(routes):
    """A client whose server answers ``routes[url]`` (a dict: JSON 200; an int: that status)."""
    calls = []

    def handler(request):
        url = str(request.url)
        calls.append(url)
        answer = routes[url]
        if isinstance(answer, int):
            return httpx.Response(answer, text="boom")
        return httpx.Response(200, json=answer)

    return HttpClient(transport=httpx.MockTransport(handler), sleep=lambda s: None, retries=1), calls


def test_relative_next_links_are_resolved_against_the_page_url():
    http, calls = client({
        "http://s.test/v1.1/Things?$top=1": {"@iot.count": 2, "value": [{"@iot.id": 1}], "@iot.nextLink": "p2"},
        "http://s.test/v1.1/p2": {"value": [{"@iot.id": 2}], "@iot.nextLink": "/abs/p3"},
        "http://s.test/abs/p3": {"value": []},
    })
    pages = list(StaSource("http://s.test/v1.1/Things?$top=1", http=http).pages())
    assert [p.url for p in pages] == calls == ["http://s.test/v1.1/Things?$top=1", "http://s.test/v1.1/p2",
                                                "http://s.test/abs/p3"]
    assert [p.count for p in pages] == [1, 1, 0] and pages[0].total == 2 and pages[-1].next_link is None


def test_start_resumes_from_a_checkpoint_link():
    http, calls = client({"http://s.test/v1.1/Things?$skip=5": {"value": [{"@iot.id": 6}]}})
    src = StaSource("http://s.test/v1.1/Things", http=http)
    assert [p.payload["value"] for p in src.pages(start="http://s.test/v1.1/Things?$skip=5")] == [[{"@iot.id": 6}]]
    assert calls == ["http://s.test/v1.1/Things?$skip=5"]


def test_nested_links_standard_shape_are_merged():
    http, _ = client({
        "http://s.test/v1.1/Datastreams": {"value": [
            {"@iot.id": 1, "Observations": [{"@iot.id": 10}], "Observations@iot.nextLink": "Datastreams(1)/Obs?s=1"},
        ]},
        "http://s.test/v1.1/Datastreams(1)/Obs?s=1": {"value": [{"@iot.id": 11}], "@iot.nextLink": "Obs?s=2"},
        "http://s.test/v1.1/Datastreams(1)/Obs?s=2": {"value": [{"@iot.id": 12}]},
    })
    src = StaSource("http://s.test/v1.1/Datastreams", http=http)
    ds = next(src.pages()).payload["value"][0]
    assert [o["@iot.id"] for o in ds["Observations"]] == [10, 11, 12]
    assert "Observations@iot.nextLink" not in ds and src.nested_requests == 2


def test_nested_links_parent_shape_fetched_once_and_duplicates_dropped():
    link = "http://s.test/v1.1/Things?$expand=Datastreams/Observations($skip=1)"
    http, calls = client({
        "http://s.test/v1.1/Things": {"value": [{"@iot.id": "t", "Datastreams": [
            {"@iot.id": "a", "Observations": [{"@iot.id": 1}], "Observations@iot.nextLink": link},
            {"@iot.id": "b", "Observations": [{"@iot.id": 2}], "Observations@iot.nextLink": link}]}]},
        link: {"value": [{"@iot.id": "t", "Datastreams": [
            {"@iot.id": "a", "Observations": [{"@iot.id": 1}, {"@iot.id": 3}]},
            {"@iot.id": "b", "Observations": []}]}]},
    })
    src = StaSource("http://s.test/v1.1/Things", http=http)
    thing = next(src.pages()).payload["value"][0]
    assert [[o["@iot.id"] for o in d["Observations"]] for d in thing["Datastreams"]] == [[1, 3], [2]]
    assert calls.count(link) == 1 and src.duplicates == 1


def test_errors_are_typed_with_the_url():
    http, _ = client({"http://s.test/v1.1/Things": 404, "http://s.test/v1.1/X": {"nope": 1},
                      "http://s.test/v1.1/L": {"value": [], "@iot.nextLink": "L"}})
    with pytest.raises(ConnectorError) as exc:
        list(StaSource("http://s.test/v1.1/Things", http=http).pages())
    assert exc.value.status == 404 and exc.value.url.endswith("/Things")
    with pytest.raises(ParseError):
        list(StaSource("http://s.test/v1.1/X", http=http).pages())
    with pytest.raises(ConnectorError, match="already read"):
        list(StaSource("http://s.test/v1.1/L", http=http).pages())


def test_sink_create_observations_batches_and_row_errors():
    bodies = []

    def handler(request):
        body = json.loads(request.content)
        bodies.append(body)
        rows = body[0]["dataArray"]
        return httpx.Response(201, json=["error" if r[1] is None else f"http://s.test/v1.1/Observations({r[1]})"
                                         for r in rows])

    sink = StaSink("http://s.test/v1.1/Datastreams(7)/Observations",
                   http=HttpClient(transport=httpx.MockTransport(handler)), batch_size=2)
    obs = [{"@iot.id": i, "phenomenonTime": "2024-01-01T00:00:00Z", "result": None if i == 2 else i}
           for i in range(1, 4)]
    result = sink.write({"value": obs}, skip=frozenset({"Observations(3)"}))
    assert result.written == ["Observations(1)"] and result.failed == [("Observations(2)", "CreateObservations: error")]
    assert len(bodies) == 1 and bodies[0][0]["Datastream"] == {"@iot.id": 7}


def test_sink_shares_sensors_and_keeps_links():
    posted = []

    def handler(request):
        posted.append((request.url.path, json.loads(request.content)))
        return httpx.Response(201, headers={"Location": f"http://s.test/v1.1/X({len(posted)})"})

    sink = open_sink("http://s.test/v1.1/Things", http=HttpClient(transport=httpx.MockTransport(handler)))
    sensor = {"@iot.id": 5, "name": "s", "description": "s", "encodingType": "application/pdf", "metadata": "m"}
    thing = {"@iot.id": 1, "name": "t", "Locations": [{"@iot.id": 9}],
             "Datastreams": [{"name": "a", "Sensor": sensor}, {"name": "b", "Sensor": sensor}]}
    assert sink.write(thing).written == ["Things(1)"]
    assert [p for p, _ in posted] == ["/v1.1/Sensors", "/v1.1/Things"]
    body = posted[1][1]
    assert body["Locations"] == [{"@iot.id": 9}] and [d["Sensor"] for d in body["Datastreams"]] == [{"@iot.id": 1}] * 2


def test_open_source_options_from_text():
    src = open_source("http://s.test/v1.1/Things", http=HttpClient(), top="50", follow_nested="false")
    assert src.url.endswith("?$top=50") and src.follow_nested is False
