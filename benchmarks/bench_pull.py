"""Benchmark: pull + convert throughput from a local SensorThings server next to the raw HTTP fetch.

Starts the test server (django-ogc-sensorthings on SQLite, uvicorn, 127.0.0.1;
``tests/sta_server``), deep-inserts ``--things`` Things with two Datastreams
of ``--per`` Observations each, then, in the same run, measures wall time of:

* raw: GET + ``json.loads`` of the same pages (``Observations?$top=N`` next links);
* pull: :class:`~mimbridge.clients.sta.StaSource` pages converted to NGSI-LD
  temporal (``mapping="observations"``; Observations with their Datastream expanded).

It prints Observations/s for both and the conversion overhead ratio
(pull time / raw time). Needs django-ogc-sensorthings and uvicorn.

    python -m benchmarks.bench_pull --things 2 --per 2500 --top 100
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MEASUREMENT = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement"


def _things(n_things: int, per: int) -> list[dict[str, Any]]:
    out = []
    for t in range(n_things):
        streams = []
        for k, (name, definition) in enumerate((("temperature", "http://qudt.org/vocab/quantitykind/Temperature"),
                                                ("humidity", "http://qudt.org/vocab/quantitykind/RelativeHumidity"))):
            streams.append({"name": f"{name} {t}", "description": name, "observationType": MEASUREMENT,
                            "unitOfMeasurement": {"name": name, "symbol": "x", "definition": "ucum:x"},
                            "Sensor": {"name": "s", "description": "s", "encodingType": "application/pdf",
                                       "metadata": "m"},
                            "ObservedProperty": {"name": name, "definition": definition, "description": name},
                            "Observations": [{"phenomenonTime": f"2024-03-{1 + i // 1440:02d}T{i // 60 % 24:02d}:"
                                                                f"{i % 60:02d}:00Z", "result": (i * 7 + k) % 100 / 4}
                                             for i in range(per)]})
        out.append({"name": f"station {t}", "description": "bench",
                    "Locations": [{"name": "l", "description": "l", "encodingType": "application/geo+json",
                                   "location": {"type": "Point", "coordinates": [5.0 + t, 52.0]}}],
                    "Datastreams": streams})
    return out


def run(n_things: int, per: int, top: int, repeat: int) -> dict[str, Any]:
    """Start the server, load it, measure raw fetch and pull + convert; returns the numbers."""
    import mimbridge
    from mimbridge.clients import HttpClient
    from mimbridge.clients.sta import StaSink, StaSource
    from tests.sta_server import available, launch

    reason = available()
    if reason:
        raise SystemExit(reason)
    with tempfile.TemporaryDirectory() as tmp, launch(Path(tmp)) as server, HttpClient(timeout=120) as http:
        result = StaSink(f"{server.url}/Things", http=http).write(_things(n_things, per))
        if result.failed:
            raise SystemExit(f"loading failed: {result.failed[:2]}")
        url = f"{server.url}/Observations?$top={top}&$expand=Datastream/Thing"
        n_obs = n_things * 2 * per

        def raw() -> int:
            n, link = 0, url
            while link:
                doc = json.loads(http.get(link).content)
                n += len(doc["value"])
                link = doc.get("@iot.nextLink")
            return n

        def pull() -> int:
            n = 0
            for page in StaSource(url, http=http).pages():
                mimbridge.convert(page.payload, source="sta", target="ngsi-ld-temporal", mapping="observations")
                n += page.count
            return n

        t_raw = t_pull = float("inf")
        for _ in range(repeat):  # alternate, so drift in the machine's load hits both
            t0 = time.perf_counter()
            got_raw = raw()
            t_raw = min(t_raw, time.perf_counter() - t0)
            t0 = time.perf_counter()
            got_pull = pull()
            t_pull = min(t_pull, time.perf_counter() - t0)
    if got_raw != n_obs or got_pull != n_obs:
        raise SystemExit(f"expected {n_obs} Observations, raw read {got_raw}, pull read {got_pull}")
    return {"observations": n_obs, "top": top, "raw_s": t_raw, "pull_s": t_pull,
            "raw_per_s": n_obs / t_raw, "pull_per_s": n_obs / t_pull, "overhead": t_pull / t_raw}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--things", type=int, default=2)
    ap.add_argument("--per", type=int, default=2500, help="Observations per Datastream")
    ap.add_argument("--top", type=int, default=100, help="$top of each page (the server allows at most 100)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, help="write the numbers to this file")
    args = ap.parse_args(argv)
    res = run(args.things, args.per, args.top, args.repeat)
    print(f"{res['observations']} Observations, pages of {res['top']}, wall time, best of {args.repeat}")
    print(f"raw HTTP fetch + json.loads   {res['raw_s']:7.2f} s   {res['raw_per_s']:10,.0f} obs/s")
    print(f"pull + convert (ngsi-ld-temp) {res['pull_s']:7.2f} s   {res['pull_per_s']:10,.0f} obs/s   "
          f"x{res['overhead']:.2f} of the raw fetch")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
