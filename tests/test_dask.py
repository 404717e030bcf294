"""mimbridge.dask on a real LocalCluster (2 worker processes): the same output and report as one process."""

from __future__ import annotations

import json

import pytest

import mimbridge
from mimbridge.convert import dumps

from .conftest import need

try:
    import dask
    import dask.bag
    import distributed  # noqa: F401

    from mimbridge.dask import convert_bag, convert_files
except ImportError:  # the tests say so (and fail under MIMBRIDGE_REQUIRE_ALL=1)
    dask = None

pytestmark = pytest.mark.timeout(300)


def _entity(i: int) -> dict:
    e = {"id": f"urn:ngsi-ld:Sensor:{i}", "type": "Sensor",
         "t": {"type": "Property", "value": i / 4, "unitCode": "CEL", "observedAt": "2024-01-01T00:00:00Z"},
         "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [2 + i / 1000, 41.0]}}}
    if i % 7 == 0:
        e["n"] = {"type": "Property", "value": {"nested": [1, 2]}}
    return e


@pytest.fixture(scope="module")
def client():
    need(dask is not None, "the dask extra is not installed (pip install 'mimbridge[dask]')")
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None, silence_logs=40)
    c = Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def test_files_converted_on_two_workers_equal_the_single_process_output(client, tmp_path):
    files = []
    for k in range(4):
        path = tmp_path / f"part-{k}.jsonl"
        path.write_text("".join(json.dumps(_entity(k * 100 + i)) + "\n" for i in range(100)), encoding="utf-8")
        files.append(path)
    report, per_file = convert_files(files, source="ngsi-ld", target="ntriples", out_dir=tmp_path / "out",
                                     client=client)
    for k, path in enumerate(files):
        expected = mimbridge.convert([_entity(k * 100 + i) for i in range(100)], source="ngsi-ld", target="ntriples")
        assert (tmp_path / "out" / f"part-{k}.nt").read_text(encoding="utf-8") == expected.output
        assert per_file[str(path)].to_dict()["events"] == expected.report.to_dict()["events"]
    assert report.records_in == 400
    assert not list((tmp_path / "out").glob("*.part"))
    workers = client.run(lambda: __import__("os").getpid())
    assert len(set(workers.values())) == 2  # two real worker processes did the work


def test_a_bag_converted_on_two_workers_equals_one_convert(client):
    ents = [_entity(i) for i in range(300)]
    bag = dask.bag.from_sequence(ents, npartitions=6)
    out, report = convert_bag(bag, source="ngsi-ld", target="ngsi-ld-keyvalues")
    records, rep = dask.compute(out, report, scheduler=client.get)
    expected = mimbridge.convert(ents, source="ngsi-ld", target="ngsi-ld-keyvalues")
    assert dumps(records) == dumps(expected.output)
    got = {(e["type"], e["message"]): (e["count"], e["paths"]) for e in rep.to_dict()["events"]}
    want = {(e["type"], e["message"]): (e["count"], e["paths"]) for e in expected.report.to_dict()["events"]}
    assert got == want
