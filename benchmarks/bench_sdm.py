"""Benchmark: the Smart Data Models catalogue (extra ``mimbridge[sdm]``).

* reading the catalogue cold (a fresh process: gzip + JSON + index);
* keyValues -> normalized with ``model="auto"`` next to the same with the kinds given;
* ``mapping suggest``: time per attribute over one subject and over the whole catalogue.

    python -m benchmarks.bench_sdm [--n 20000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

COLD = "import time; t = time.perf_counter(); from mimbridge.sdm import load_catalogue; load_catalogue(); " \
       "print(time.perf_counter() - t)"


def entities(n: int) -> list[dict]:
    """AirQualityObserved keyValues entities (deterministic)."""
    return [{"id": f"urn:ngsi-ld:AirQualityObserved:{i}", "type": "AirQualityObserved",
             "dateObserved": "2024-01-01T00:00:00Z", "location": {"type": "Point", "coordinates": [i % 90, 1.5]},
             "no2": i % 200, "temperature": 12.5, "relativeHumidity": 0.4,
             "refPointOfInterest": f"urn:ngsi-ld:PointOfInterest:{i % 10}"} for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000, help="entities converted")
    args = ap.parse_args(argv)
    import mimbridge
    from mimbridge.mapping.sssom import read_sssom
    from mimbridge.sdm import load_catalogue
    from mimbridge.sdm.suggest import queries_from_table, suggest

    cold = float(subprocess.run([sys.executable, "-c", COLD], capture_output=True, text=True, check=True).stdout)
    print(f"catalogue read cold: {cold:.2f} s")
    cat = load_catalogue()
    data = entities(args.n)
    kinds = {k: "GeoProperty" if k == "location" else "Relationship" if k.startswith("ref") else "Property"
             for k in data[0] if k not in ("id", "type")}
    for label, opts in (("kinds given", {"kinds": kinds}), ("model=auto", {"model": "auto"})):
        t = time.perf_counter()
        out = mimbridge.convert(data, source="ngsi-ld-keyvalues", target="ngsi-ld", read_options=opts)
        dt = time.perf_counter() - t
        assert out.report.lossless, out.report.events
        print(f"keyValues -> normalized, {label}: {args.n / dt:,.0f} entities/s")
    queries = queries_from_table(read_sssom("mappings/sdm-environment-quantitykinds.sssom.tsv"))[0]
    for scope in ("Environment", None):
        t = time.perf_counter()
        suggest(queries, catalogue=cat, to=scope)
        dt = time.perf_counter() - t
        print(f"suggest over {scope or 'the whole catalogue'}: {1000 * dt / len(queries):.1f} ms per attribute")
    return 0


if __name__ == "__main__":
    sys.exit(main())
