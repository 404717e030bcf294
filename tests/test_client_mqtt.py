"""SensorThings MQTT source and sink against a real mosquitto broker (started by the fixture on 127.0.0.1)."""

from __future__ import annotations

import json
import random
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from mimbridge.clients import open_sink, open_source, split_endpoint
from mimbridge.clients.mqtt import MqttSink, MqttSource, message_page, parse_url, topic_link
from mimbridge.errors import ConnectorError, ParseError

mqtt = pytest.importorskip("paho.mqtt.client")

OBS_TOPIC = "v1.1/Datastreams(1)/Observations"


def observations(n: int, *, seed: int, start_id: int = 1) -> list[dict]:
    """``n`` distinct Observations: random numeric results, phenomenonTime one second apart, resultTime later."""
    rng = random.Random(seed)
    t0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC) + timedelta(days=seed)
    out = []
    for i in range(n):
        pt = t0 + timedelta(seconds=i)
        out.append({
            "@iot.id": start_id + i,
            "phenomenonTime": pt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "resultTime": (pt + timedelta(milliseconds=250)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "result": round(rng.uniform(-20.0, 40.0), 3),
        })
    return out


class Publisher:
    """A plain paho client publishing with QoS 1 and waiting for every PUBACK (independent of MqttSink)."""

    def __init__(self, broker) -> None:
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-pub-{time.monotonic_ns()}")
        self.client.connect(broker.host, broker.port, 30)
        self.client.loop_start()

    def publish(self, topic: str, payloads: list, *, qos: int = 1) -> None:
        infos = []
        for p in payloads:
            body = p if isinstance(p, bytes) else json.dumps(p).encode()
            infos.append(self.client.publish(topic, body, qos=qos))
        for info in infos:
            info.wait_for_publish(10)
            assert info.is_published()

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def collect(source: MqttSource) -> tuple[list, threading.Thread]:
    """Run ``source.pages()`` on a thread, appending pages to the returned list."""
    got: list = []

    def run() -> None:
        for page in source.pages():
            got.append(page)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert source.subscribed.wait(10), "the broker did not grant the subscription"
    return got, thread


def wait_for(cond, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


# -- offline: topics and messages ----------------------------------------------------------------

@pytest.mark.parametrize(("topic", "expected"), [
    ("v1.1/Datastreams(1)/Observations", ("Observations", "Datastream", {"@iot.id": 1})),
    ("v1.1/Datastreams('ds-9')/Observations", ("Observations", "Datastream", {"@iot.id": "ds-9"})),
    ("v1.1/MultiDatastreams(3)/Observations", ("Observations", "MultiDatastream", {"@iot.id": 3})),
    ("v1.1/FeaturesOfInterest(4)/Observations", ("Observations", "FeatureOfInterest", {"@iot.id": 4})),
    ("v1.1/Things(5)/Datastreams", ("Datastreams", "Thing", {"@iot.id": 5})),
    ("v1.1/Things(5)/Locations", ("Locations", "Things", [{"@iot.id": 5}])),
    ("v1.1/Sensors(6)/Datastreams", ("Datastreams", "Sensor", {"@iot.id": 6})),
    ("v1.1/Observations", ("Observations", None, None)),
    ("v1.1/Datastreams(1)/Observations?$select=result", ("Observations", "Datastream", {"@iot.id": 1})),
    ("v1.1/Datastreams(1)", ("Datastreams", None, None)),
    ("v1.1/+/Observations", ("Observations", None, None)),
])
def test_topic_link(topic, expected):
    assert topic_link(topic) == expected


def test_parse_url_and_endpoints():
    assert parse_url("mqtt://127.0.0.1:1884/v1.1/Datastreams(1)/Observations") == (
        "127.0.0.1", 1884, "v1.1/Datastreams(1)/Observations")
    assert parse_url("mqtt://h/v1.1/%23") == ("h", 1883, "v1.1/#")
    assert split_endpoint("mqtt://h:1/v1.1/Observations") == ("mqtt", "mqtt://h:1/v1.1/Observations")
    with pytest.raises(ConnectorError):
        parse_url("http://h/v1.1/Observations")
    with pytest.raises(ConnectorError, match="no topic"):
        MqttSource("mqtt://127.0.0.1:1")
    assert isinstance(open_source("mqtt://127.0.0.1:1/v1.1/Observations"), MqttSource)
    assert isinstance(open_sink("mqtt://127.0.0.1:1/v1.1"), MqttSink)


def test_message_page_keeps_an_existing_link_and_rejects_bad_messages():
    page = message_page(OBS_TOPIC, json.dumps({"result": 1, "Datastream": {"@iot.id": 9}}).encode())
    assert page.payload == {"result": 1, "Datastream": {"@iot.id": 9}} and page.url == OBS_TOPIC
    page = message_page(OBS_TOPIC, json.dumps([{"result": 1}, {"result": 2}]).encode())
    assert page.count == 2 and [p["Datastream"] for p in page.payload] == [{"@iot.id": 1}] * 2
    for raw, fragment in [(b"{oops", "not JSON"), (b"\xff\xfe", "not UTF-8"), (b"[1]", "not an entity"),
                          (b'{"name": "x"}', "not an Observation")]:
        page = message_page(OBS_TOPIC, raw)
        assert isinstance(page.payload, ParseError), raw
        assert fragment in str(page.payload) and page.url == OBS_TOPIC


# -- against the broker --------------------------------------------------------------------------

def test_source_receives_qos1_observations_with_their_datastream(mosquitto_broker):
    sent = observations(50, seed=1)
    source = MqttSource(f"{mosquitto_broker.url}/{OBS_TOPIC}", max_messages=len(sent), idle_timeout=20)
    got, thread = collect(source)
    pub = Publisher(mosquitto_broker)
    try:
        pub.publish(OBS_TOPIC, sent)
    finally:
        pub.close()
    thread.join(30)
    assert not thread.is_alive()
    assert [p.url for p in got] == [OBS_TOPIC] * len(sent)
    assert [p.payload for p in got] == [{**o, "Datastream": {"@iot.id": 1}} for o in sent]
    assert source.stats.received == len(sent) and source.stats.duplicates == 0


def test_source_wildcard_topic_links_each_message_to_its_own_datastream(mosquitto_broker):
    source = MqttSource(f"{mosquitto_broker.url}/v1.1/+/Observations", max_messages=4, idle_timeout=20)
    got, thread = collect(source)
    pub = Publisher(mosquitto_broker)
    try:
        pub.publish("v1.1/Datastreams(7)/Observations", observations(2, seed=2))
        pub.publish("v1.1/Datastreams('abc')/Observations", observations(2, seed=3))
    finally:
        pub.close()
    thread.join(30)
    links = sorted(json.dumps(p.payload["Datastream"]) for p in got)
    assert links == sorted([json.dumps({"@iot.id": 7})] * 2 + [json.dumps({"@iot.id": "abc"})] * 2)


def test_source_stops_on_idle_timeout_and_on_stop(mosquitto_broker):
    source = MqttSource(f"{mosquitto_broker.url}/v1.1/Datastreams(404)/Observations", idle_timeout=0.5)
    started = time.monotonic()
    assert list(source.pages()) == []
    assert 0.4 < time.monotonic() - started < 10
    source = MqttSource(f"{mosquitto_broker.url}/v1.1/Datastreams(404)/Observations")
    got, thread = collect(source)
    source.stop()
    thread.join(5)
    assert not thread.is_alive() and got == []


def test_source_connection_refused_is_a_connector_error():
    from tests.servers import free_port
    source = MqttSource(f"mqtt://127.0.0.1:{free_port()}/{OBS_TOPIC}", idle_timeout=1)
    with pytest.raises(ConnectorError, match="cannot connect"):
        next(source.pages())


def test_sink_round_trip_through_the_broker(mosquitto_broker):
    first = [{**o, "Datastream": {"@iot.id": 11}} for o in observations(20, seed=4)]
    second = [{**o, "Datastream": {"@iot.id": "x'y"}} for o in observations(20, seed=5, start_id=100)]
    collection = {"@iot.count": 40, "value": first + second}
    source = MqttSource(f"{mosquitto_broker.url}/v1.1/+/Observations", max_messages=40, idle_timeout=20)
    got, thread = collect(source)
    with MqttSink(f"{mosquitto_broker.url}/v1.1") as sink:
        result = sink.write(collection, skip=frozenset())
    thread.join(30)
    assert result.failed == []
    assert sorted(result.written) == sorted(str(o["@iot.id"]) for o in first + second)
    assert sorted(p.url for p in got) == sorted(
        ["v1.1/Datastreams(11)/Observations"] * 20 + ["v1.1/Datastreams('x''y')/Observations"] * 20)
    # what comes back is what was sent: the Datastream travels in the topic
    assert sorted(json.dumps(p.payload, sort_keys=True) for p in got) == sorted(
        json.dumps(o, sort_keys=True) for o in first + second)


def test_sink_reports_what_it_cannot_publish(mosquitto_broker):
    with MqttSink(f"{mosquitto_broker.url}/v1.1") as sink:
        result = sink.write([{"result": 1}, {"name": "not an observation"},
                             {"@iot.id": 3, "result": 2, "Datastream": {"@iot.id": 1}}],
                            skip=frozenset({"3"}))
    assert result.written == []
    assert [r for _, r in result.failed] == [
        "the Observation has no Datastream and the URL names no Observations topic",
        "not a SensorThings Observation (no 'result')"]
    with MqttSink(f"{mosquitto_broker.url}/{OBS_TOPIC}") as sink:  # a fixed topic for bare Observations
        assert len(sink.write({"result": 1}).written) == 1


def test_reconnect_after_broker_restart_resubscribes(private_mosquitto):
    broker = private_mosquitto
    before, after = observations(10, seed=6), observations(10, seed=7, start_id=1000)
    source = MqttSource(f"{broker.url}/{OBS_TOPIC}", max_messages=20, idle_timeout=60, reconnect_delay=(1, 2))
    got, thread = collect(source)
    pub = Publisher(broker)
    pub.publish(OBS_TOPIC, before)
    pub.close()
    assert wait_for(lambda: len(got) == 10)
    broker.stop()
    assert wait_for(lambda: not source.subscribed.is_set(), 10)
    broker.start()
    assert wait_for(lambda: source.subscribed.is_set(), 30), "the source did not subscribe again"
    assert source.stats.connects >= 2 and source.stats.subscriptions >= 2
    pub = Publisher(broker)
    try:
        pub.publish(OBS_TOPIC, after)
    finally:
        pub.close()
    thread.join(30)
    assert not thread.is_alive()
    ids = [p.payload["@iot.id"] for p in got]
    assert ids == [o["@iot.id"] for o in before + after]
    assert [p.payload["result"] for p in got] == [o["result"] for o in before + after]


def test_kept_session_gets_what_was_published_while_away(mosquitto_broker):
    """client_id + clean_start=False: QoS 1 messages sent while the source is down arrive when it is back."""
    url = f"{mosquitto_broker.url}/v1.1/Datastreams(21)/Observations"
    cid = f"test-kept-{time.monotonic_ns()}"
    source = MqttSource(url, client_id=cid, idle_timeout=0.3)
    assert source.clean_start is False
    got, thread = collect(source)
    thread.join(10)
    assert got == []
    sent = observations(15, seed=8)
    pub = Publisher(mosquitto_broker)
    try:
        pub.publish("v1.1/Datastreams(21)/Observations", sent)
    finally:
        pub.close()
    again = MqttSource(url, client_id=cid, max_messages=15, idle_timeout=10)
    pages = list(again.pages())
    assert [p.payload["result"] for p in pages] == [o["result"] for o in sent]


def test_held_messages_are_delivered_again_until_acknowledged(mosquitto_broker):
    """hold_acks(): a message not acknowledged is not lost: a kept session gets it again, once acknowledged not."""
    topic = "v1.1/Datastreams(22)/Observations"
    url = f"{mosquitto_broker.url}/{topic}"
    cid = f"test-held-{time.monotonic_ns()}"
    list(MqttSource(url, client_id=cid, idle_timeout=0.3).pages())  # create the kept session
    sent = observations(5, seed=9)
    pub = Publisher(mosquitto_broker)
    try:
        pub.publish(topic, sent)
    finally:
        pub.close()
    first = MqttSource(url, client_id=cid, max_messages=5, idle_timeout=10)
    first.hold_acks()
    pages = []
    for page in first.pages():
        pages.append(page)
        if len(pages) == 2:
            first.ack(page)  # the first two are done, the other three are not
    assert [p.payload["result"] for p in pages] == [o["result"] for o in sent]
    second = MqttSource(url, client_id=cid, max_messages=3, idle_timeout=10)
    assert [p.payload["result"] for p in second.pages()] == [o["result"] for o in sent[2:]]
    third = MqttSource(url, client_id=cid, idle_timeout=1)
    assert list(third.pages()) == []
