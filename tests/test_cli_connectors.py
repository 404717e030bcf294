"""The connector commands as a user runs them: ``mimbridge bridge``, ``sync`` and ``push`` (real servers)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from .conftest import ROOT
from .test_client_mqtt import OBS_TOPIC, Publisher, observations

EXE = [sys.executable, "-m", "mimbridge.cli"]
EXAMPLE = ROOT / "docs" / "examples" / "air-quality.jsonld"


def test_bridge_command_converts_mqtt_messages_as_they_arrive(mosquitto_broker, tmp_path):
    pytest.importorskip("paho.mqtt.client")
    out = tmp_path / "out.jsonl"
    sent = observations(40, seed=5)
    cmd = [*EXE, "bridge", "--source", f"{mosquitto_broker.url}/{OBS_TOPIC}", "--target", f"file:{out}",
           "--max-messages", str(len(sent) + 1), "--idle-timeout", "20", "--client-id", "cli-bridge-test"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stderr.readline()  # the bridge says when it has subscribed (it exits if it cannot)
        assert first.startswith("bridge: subscribed to mqtt://"), first + proc.stderr.read()
        pub = Publisher(mosquitto_broker)
        pub.publish(OBS_TOPIC, [*sent[:20], b"not json", *sent[20:]])
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1, stdout + stderr  # one message was rejected: reported, and the exit says so
    assert "rejected v1.1/Datastreams(1)/Observations" in stderr
    got = [json.loads(line) for line in out.read_text().splitlines()]
    results = sorted(e["result"]["value"] for e in got if e["type"] == "Observation")
    assert results == sorted(o["result"] for o in sent)
    assert "41 messages" in stdout and "1 rejected" in stdout


def test_sync_command_between_files_is_resumable(tmp_path):
    entities = json.loads(EXAMPLE.read_text())
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(e) + "\n" for e in entities))
    dst, cp = tmp_path / "out.nt", tmp_path / "cp.json"
    base = [*EXE, "sync", "--source", f"file:{src}", "--target", f"file:{dst}", "--checkpoint", str(cp),
            "-O", "source.page_size=1"]
    first = subprocess.run([*base, "--max-pages", "1"], capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert json.loads(cp.read_text())["pages"] == 1
    rest = subprocess.run(base, capture_output=True, text=True, timeout=120)
    assert rest.returncode == 0, rest.stderr
    assert "resumed at" in rest.stdout
    again = subprocess.run(base, capture_output=True, text=True, timeout=120)  # finished: nothing to do
    assert again.returncode == 0 and "0 pages" in again.stdout
    # every entity arrived exactly once: the N-Triples read back equal the input
    back = subprocess.run([*EXE, "convert", str(dst), "-f", "ntriples", "-t", "ngsi-ld", "-q"],
                          capture_output=True, text=True, timeout=120)
    assert back.returncode == 0, back.stderr
    got = {e["id"]: e for e in json.loads(back.stdout)}
    assert sorted(got) == sorted(e["id"] for e in entities)


def test_pull_command_pages_a_bbox_into_one_ngsild_document(pygeoapi_server):
    from .test_client_ogc import BBOX, CITIES, inside

    url = f"{pygeoapi_server.url}/collections/cities"
    p = subprocess.run([*EXE, "pull", url, "-f", "geojson", "-t", "ngsi-ld", "-O", f"source.bbox={list(BBOX)}",
                        "-O", "source.limit=2", "-O", "type=City"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    want = {f["id"]: f["geometry"]["coordinates"] for f in CITIES if inside(*f["geometry"]["coordinates"])}
    assert len(want) > 2  # more than one page at limit=2
    got = {e["id"].rsplit(":", 1)[-1]: e["location"]["value"]["coordinates"] for e in doc}
    assert got == want
    assert f"pull: {-(-len(want) // 2)} pages, {len(want)} records" in p.stderr
    assert all(e["type"] == "City" for e in doc)
    bad = subprocess.run([*EXE, "pull", url, "-f", "geojson", "-t", "ngsi-ld", "-O", "no_such_option=1"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "unknown option(s): no_such_option" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_bridge_command_subscribes_to_an_ngsild_broker(ngsild_broker, tmp_path):
    from mimbridge.clients import HttpClient
    from mimbridge.clients.ngsild import NgsiLdSink

    from .test_client_ngsild import CTX, sensor

    ngsild_broker.reset()
    out = tmp_path / "out.jsonl"
    cmd = [*EXE, "bridge", "--source", f"ngsi-ld+{ngsild_broker.url}", "--target", f"file:{out}",
           "-O", "source.type=Sensor", "-O", f'source.context="{CTX}"', "--max-messages", "1",
           "--idle-timeout", "30"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not ngsild_broker.requests() or not any("subscriptions" in str(r) for r in ngsild_broker.requests()):
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.1)
        with HttpClient(timeout=10) as http:
            NgsiLdSink(ngsild_broker.url, http=http).write([sensor(7), sensor(1, kind="Meter")])
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stdout + stderr
    got = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["id"] for e in got] == [sensor(7)["id"]]
    assert got[0]["temperature"]["value"] == 7
    assert [n["status"] for n in ngsild_broker.notifications()] == [200]
    # the bridge unsubscribed when it stopped: a later upsert notifies nobody
    with HttpClient(timeout=10) as http:
        NgsiLdSink(ngsild_broker.url, http=http).write([sensor(8)])
    assert len(ngsild_broker.notifications()) == 1
    assert ngsild_broker.violations() == []
