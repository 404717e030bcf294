"""Opt-in performance check (``pytest -m benchmark``): ratios to the orjson floor in the same run.

Not part of the default run: timings depend on the machine and its load.
"""

from __future__ import annotations

import pytest

from benchmarks.run import run_all

pytestmark = pytest.mark.benchmark

# Targets of the core issue: no worse than 8x the floor.
TARGETS = {
    "mimbridge:ngsi-ld->ngsi-ld": 8.0,
    "mimbridge:ngsi-ld->ngsi-ld-keyvalues": 8.0,
}


def test_core_paths_within_8x_of_floor():
    rows = run_all(5000, 200, 3, ["floor:orjson", *TARGETS])
    by = {r["path"]: r for r in rows}
    for path, limit in TARGETS.items():
        assert by[path]["x_floor"] <= limit, (path, by[path])
