"""The streaming bridge: MQTT (real mosquitto) -> conversion -> files, with bad messages, batches and stops."""

from __future__ import annotations

import json
import signal
import threading
import time

import pytest

from mimbridge.clients import open_sink, open_source, split_endpoint, sync
from mimbridge.clients.base import Page, WriteResult
from mimbridge.clients.bridge import Bridge, bridge
from mimbridge.clients.files import FileSource, JsonLinesSink
from mimbridge.clients.mqtt import MqttSource
from mimbridge.errors import ConnectorError

from .test_client_mqtt import OBS_TOPIC, Publisher, observations


@pytest.fixture(autouse=True)
def _ctrl_c_reaches_python():
    """A suite started as a background job of a shell inherits SIGINT ignored, and Python then leaves it so:
    Ctrl-C (and ``_thread.interrupt_main``) would do nothing. The Ctrl-C tests need Python's own handler."""
    old = signal.getsignal(signal.SIGINT)
    if old is signal.SIG_IGN and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, old)

pytest.importorskip("paho.mqtt.client")

OBS_PREFIX = "urn:ngsi-ld:sta:Observation:"


def run_bridge(source: MqttSource, sink, **kw):
    """Start ``bridge`` on a thread; return (result holder, thread) once the source is subscribed."""
    holder: dict = {}
    thread = threading.Thread(target=lambda: holder.update(summary=bridge(source, sink, **kw)), daemon=True)
    thread.start()
    assert source.subscribed.wait(10), "the broker did not grant the subscription"
    return holder, thread


def read_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_bridge_mqtt_to_ngsi_ld_json_lines_every_value_once(mosquitto_broker, tmp_path):
    sent = observations(120, seed=11)
    bad = [b"this is not JSON", json.dumps({"name": "no result here"}).encode()]
    out = tmp_path / "out.jsonl"
    source = MqttSource(f"{mosquitto_broker.url}/{OBS_TOPIC}", idle_timeout=30)
    events = []
    with JsonLinesSink(out, format="ngsi-ld") as sink:
        holder, thread = run_bridge(source, sink, stop_after=len(sent) + len(bad), on_event=events.append)
        pub = Publisher(mosquitto_broker)
        try:
            pub.publish(OBS_TOPIC, sent[:60])
            pub.publish(OBS_TOPIC, bad)  # in the middle of the stream
            pub.publish(OBS_TOPIC, sent[60:])
        finally:
            pub.close()
        thread.join(60)
    assert not thread.is_alive()
    summary = holder["summary"]
    assert summary.stopped_by == "stop_after"
    assert summary.messages == len(sent) + len(bad) and summary.converted == len(sent)
    # the bad messages are reported with their topic, and only them
    assert [t for t, _ in summary.rejected] == [OBS_TOPIC, OBS_TOPIC]
    assert "not JSON" in summary.rejected[0][1] and "not an Observation" in summary.rejected[1][1]
    assert [e.topic for e in events if e.kind == "rejected"] == [OBS_TOPIC, OBS_TOPIC]
    assert summary.failed == [] and summary.unprocessed == 0
    entities = read_lines(out)
    obs = [e for e in entities if e["type"] == "Observation"]
    assert len(obs) == len(sent)  # exactly once
    got = {e["id"]: (e["result"]["value"], e["phenomenonTime"]["value"], e["resultTime"]["value"],
                     e["datastream"]["object"]) for e in obs}
    assert got == {f"{OBS_PREFIX}{o['@iot.id']}": (o["result"], o["phenomenonTime"], o["resultTime"],
                                                    "urn:ngsi-ld:sta:Datastream:1") for o in sent}
    # the Datastream {"@iot.id": 1} is linked, not made up as an entity without attributes
    assert [e["id"] for e in entities if e["type"] != "Observation"] == []
    print(f"\nbridge batch=1 -> json lines: {summary.line()}")


def test_bridge_micro_batches_to_temporal_instances(mosquitto_broker, tmp_path):
    sent = observations(300, seed=12)
    out = tmp_path / "temporal.jsonl"
    source = MqttSource(f"{mosquitto_broker.url}/{OBS_TOPIC}", idle_timeout=30)
    with JsonLinesSink(out, format="ngsi-ld-temporal") as sink:
        holder, thread = run_bridge(source, sink, batch=50, flush_interval=0.2, stop_after=len(sent) + 1,
                                    mapping="observations")
        pub = Publisher(mosquitto_broker)
        try:
            pub.publish(OBS_TOPIC, [*sent[:150], b"{broken", *sent[150:]])
        finally:
            pub.close()
        thread.join(60)
    summary = holder["summary"]
    assert summary.converted == len(sent) and len(summary.rejected) == 1
    assert summary.batches >= len(sent) // 50
    instances = [inst for e in read_lines(out) if e["type"] == "Thing"
                 for name, attr in e.items() if isinstance(attr, list) for inst in attr
                 if isinstance(inst, dict) and "instanceId" in inst]
    assert len(instances) == len(sent)
    assert sorted((i["instanceId"], i["value"], i["observedAt"]) for i in instances) == sorted(
        (f"{OBS_PREFIX}{o['@iot.id']}", o["result"], o["phenomenonTime"]) for o in sent)
    print(f"\nbridge batch=50 -> temporal: {summary.line()}")


def test_bridge_rate(mosquitto_broker, tmp_path):
    """Throughput of MQTT -> ngsi-ld -> JSON lines (printed with -s; the numbers go to docs)."""
    n = 2000
    for batch in (1, 100):
        sent = observations(n, seed=20 + batch)
        out = tmp_path / f"rate-{batch}.jsonl"
        source = MqttSource(f"{mosquitto_broker.url}/{OBS_TOPIC}", idle_timeout=30)
        with JsonLinesSink(out, format="ngsi-ld") as sink:
            holder, thread = run_bridge(source, sink, batch=batch, flush_interval=0.2, stop_after=n)
            pub = Publisher(mosquitto_broker)
            started = time.perf_counter()
            try:
                pub.publish(OBS_TOPIC, sent)
            finally:
                pub.close()
            thread.join(120)
        summary = holder["summary"]
        elapsed = time.perf_counter() - started
        assert summary.converted == n and summary.rejected == []
        assert sum(1 for e in read_lines(out) if e["type"] == "Observation") == n
        print(f"\nbatch={batch}: {summary.line()}; {n / elapsed:,.0f} messages/s publish-to-file")


def test_bridge_stop_from_another_thread(mosquitto_broker, tmp_path):
    source = MqttSource(f"{mosquitto_broker.url}/v1.1/Datastreams(999)/Observations")
    with JsonLinesSink(tmp_path / "none.jsonl") as sink:
        b = Bridge(source, sink)
        holder: dict = {}
        thread = threading.Thread(target=lambda: holder.update(summary=b.run()), daemon=True)
        thread.start()
        assert source.subscribed.wait(10)
        started = time.monotonic()
        b.stop()
        thread.join(10)
    assert not thread.is_alive() and time.monotonic() - started < 5
    assert holder["summary"].stopped_by == "stop" and holder["summary"].messages == 0


def test_bridge_stops_cleanly_on_ctrl_c(mosquitto_broker, tmp_path):
    """Ctrl-C (KeyboardInterrupt in the main thread) ends the run with a summary, the subscription closed."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("needs the main thread")
    import _thread
    source = MqttSource(f"{mosquitto_broker.url}/v1.1/Datastreams(998)/Observations")
    sent = observations(5, seed=50)

    def interrupt() -> None:
        if source.subscribed.wait(10):
            pub = Publisher(mosquitto_broker)
            try:
                pub.publish("v1.1/Datastreams(998)/Observations", sent)
            finally:
                pub.close()
            time.sleep(0.5)
        _thread.interrupt_main()
    threading.Thread(target=interrupt, daemon=True).start()
    with JsonLinesSink(tmp_path / "ctrl-c.jsonl") as sink:
        summary = bridge(source, sink)
    assert summary.stopped_by == "interrupt"
    assert summary.messages == summary.converted == 5 and summary.unprocessed == 0
    assert not source.subscribed.is_set()  # disconnected


# -- offline: sources and sinks of the test's own ------------------------------------------------

class ListSource:
    format = "sta"

    def __init__(self, payloads, *, fail_after=None):
        self.payloads = payloads
        self.fail_after = fail_after

    def pages(self, *, start=None):
        for i, p in enumerate(self.payloads):
            if self.fail_after is not None and i == self.fail_after:
                raise ConnectorError("connection lost", url="mqtt://test")
            yield Page(p, url=f"topic/{i}", count=1)


class FlakySink:
    format = "ngsi-ld"

    def __init__(self):
        self.calls = 0
        self.got = []

    def write(self, payload, *, skip=frozenset()):
        self.calls += 1
        if self.calls == 2:
            raise ConnectorError("broker down", url="http://broker", status=503)
        items = payload if isinstance(payload, list) else [payload]  # one entity, or several (as real sinks take)
        self.got.extend(items)
        return WriteResult(written=[e["id"] for e in items])


def test_sink_failure_is_counted_and_the_bridge_goes_on():
    obs = [{**o, "Datastream": {"@iot.id": 1}} for o in observations(4, seed=30)]
    sink = FlakySink()
    summary = bridge(ListSource(obs), sink)
    assert summary.messages == 4 and summary.converted == 4
    assert [t for t, _ in summary.failed] == ["topic/1"] and "503" in summary.failed[0][1]
    ids = {e["id"] for e in sink.got if e["type"] == "Observation"}
    assert ids == {f"{OBS_PREFIX}{o['@iot.id']}" for i, o in enumerate(obs) if i != 1}


def test_batch_with_a_bad_member_converts_the_others():
    obs = [{**o, "Datastream": {"@iot.id": 1}} for o in observations(5, seed=31)]
    payloads = [*obs[:2], [7], *obs[2:]]  # an array holding no entity is no SensorThings document
    sink = FlakySink()
    sink.calls = 5  # never fails
    summary = bridge(ListSource(payloads), sink, batch=10, flush_interval=5)
    assert summary.batches == 1 and summary.converted == 5
    assert [t for t, _ in summary.rejected] == ["topic/2"]
    assert len([e for e in sink.got if e["type"] == "Observation"]) == 5


def test_source_error_ends_the_bridge_with_the_error():
    obs = [{**o, "Datastream": {"@iot.id": 1}} for o in observations(3, seed=32)]
    sink = FlakySink()
    sink.calls = 5
    summary = bridge(ListSource(obs, fail_after=2), sink)
    assert summary.stopped_by == "error" and "connection lost" in summary.error
    assert summary.converted == 2


def test_strict_rejects_a_lossy_message():
    obs = {**observations(1, seed=33)[0], "Datastream": {"@iot.id": 1}}
    summary = bridge(ListSource([obs]), FlakySink(), target_format="ngsi-ld-keyvalues", strict=True)
    assert summary.converted == 0 and "LossyConversionError" in summary.rejected[0][1]


# -- files ------------------------------------------------------------------------------------------

def test_file_endpoints(tmp_path):
    assert split_endpoint("file:out.jsonl") == ("file", "file:out.jsonl")
    obs = [{**o, "Datastream": {"@iot.id": 2}} for o in observations(25, seed=40)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(o) + "\n" for o in obs), encoding="utf-8")
    source = open_source(f"file://{src}", format="sta", page_size=10)
    pages = list(source.pages())
    assert [p.count for p in pages] == [10, 10, 5] and pages[-1].next_link is None
    assert pages[0].next_link.endswith(f"#line=11&byte={sum(len(json.dumps(o)) + 1 for o in obs[:10])}")
    assert [o["@iot.id"] for o in pages[1].payload] == [o["@iot.id"] for o in obs[10:20]]
    resumed = list(source.pages(start=pages[0].next_link))
    assert [p.count for p in resumed] == [10, 5]
    by_line = list(source.pages(start=pages[0].next_link.partition("&")[0]))  # a link without the offset
    assert [p.payload for p in by_line] == [p.payload for p in resumed]
    exact = tmp_path / "exact.jsonl"
    exact.write_text("".join(json.dumps(o) + "\n" for o in obs[:20]), encoding="utf-8")
    assert [p.next_link is None for p in FileSource(exact, format="sta", page_size=10).pages()] == [False, True]

    nt = tmp_path / "out.nt"
    sink = open_sink(f"file:{nt}")
    assert sink.format == "ntriples"
    summary = sync(source, sink)
    sink.close()
    assert summary.records == 25
    ox = pytest.importorskip("pyoxigraph")
    store = ox.Store()
    store.load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)  # the three appended pages are one valid file
    rows = store.query("SELECT ?o ?v WHERE { ?o <urn:mimbridge:sta:result> ?b . "
                       "?b <https://uri.etsi.org/ngsi-ld/hasValue> ?v }")
    got = {r["o"].value: float(r["v"].value) for r in rows}
    assert got == {f"{OBS_PREFIX}{o['@iot.id']}": o["result"] for o in obs}
    # each page's member list stays its own (blank nodes are not shared between appended pages)
    rows = store.query("SELECT ?c (COUNT(?m) AS ?n) WHERE { ?c <urn:mimbridge:sta:members> ?a . "
                       "?a <https://uri.etsi.org/ngsi-ld/hasObjectList> ?l . "
                       "?l <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>*/"
                       "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first> ?m } GROUP BY ?c")
    assert sorted(int(r["n"].value) for r in rows) == [5, 10, 10]


def test_file_source_whole_file_and_bad_json(tmp_path):
    doc = tmp_path / "things.json"
    doc.write_text(json.dumps({"value": [{"@iot.id": 1, "name": "a"}], "@iot.count": 1}), encoding="utf-8")
    (page,) = FileSource(doc, format="sta").pages()
    assert page.payload["@iot.count"] == 1 and page.next_link is None
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"result": 1}\n{oops\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        list(FileSource(bad, format="sta").pages())
    with pytest.raises(ConnectorError):
        list(FileSource(tmp_path / "missing.json", format="sta").pages())


class SlowSource:
    """Pages every 20 ms until stopped (at most ``limit``: a lost interrupt ends the test instead of hanging it)."""

    format = "sta"

    def __init__(self, limit=250):
        self.limit = limit
        self.stopped = threading.Event()

    def pages(self, *, start=None):
        for i in range(self.limit):
            if self.stopped.wait(0.02):
                return
            yield Page({"@iot.id": i, "result": i, "phenomenonTime": "2024-01-01T00:00:00Z",
                        "Datastream": {"@iot.id": 1}}, url=f"topic/{i}", count=1)

    def stop(self):
        self.stopped.set()


class Finaliser:
    """Ctrl-C that arrives while the main thread runs a finaliser: a KeyboardInterrupt there is swallowed."""

    def __del__(self):
        import _thread
        _thread.interrupt_main()
        for _ in range(10_000):  # the signal handler runs here, inside __del__
            pass


class InterruptingSink(FlakySink):
    def write(self, payload, *, skip=frozenset()):
        self.calls += 1
        if self.calls == 3:
            Finaliser()  # created and finalised at once
        items = payload if isinstance(payload, list) else [payload]  # one entity, or several (as real sinks take)
        self.got.extend(items)
        return WriteResult(written=[e["id"] for e in items])


def test_ctrl_c_during_a_finaliser_is_not_lost():
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("needs the main thread")
    started = time.monotonic()
    summary = bridge(SlowSource(), InterruptingSink())
    assert summary.stopped_by == "interrupt"
    assert summary.messages == summary.converted == 3 and summary.unprocessed == 0
    assert time.monotonic() - started < 3  # the source would run 5 s


def test_ctrl_c_keeps_a_handler_of_the_program():
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("needs the main thread")
    import signal
    seen = []
    previous = signal.signal(signal.SIGINT, lambda *a: seen.append(1))
    try:
        summary = bridge(SlowSource(limit=5), InterruptingSink())
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen == [1] and summary.stopped_by == "end" and summary.messages == 5
