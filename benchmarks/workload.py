"""Deterministic AirQualityObserved-like NGSI-LD workload (about 50 triples per entity).

>>> len(entities(3)) == 3 and entities(3) == entities(3)
True
"""

from __future__ import annotations

import random
from typing import Any

CONTEXT = ["https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"]
POLLUTANTS = (("no2", "GQ"), ("o3", "GQ"), ("pm10", "GQ"), ("pm25", "GQ"), ("co", "GP"), ("so2", "GQ"))


def entity(i: int, rng: random.Random) -> dict[str, Any]:
    """One AirQualityObserved entity in the normalized representation."""
    t = f"2026-03-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"
    e: dict[str, Any] = {
        "id": f"urn:ngsi-ld:AirQualityObserved:station-{i:07d}",
        "type": "AirQualityObserved",
        "dateObserved": {"type": "Property", "value": t},
        "location": {"type": "GeoProperty",
                     "value": {"type": "Point", "coordinates": [round(-8.7 + rng.random() / 5, 6),
                                                                round(41.1 + rng.random() / 10, 6)]}},
        "airQualityLevel": {"type": "Property", "value": rng.choice(["good", "moderate", "poor"])},
        "refDevice": {"type": "Relationship", "object": f"urn:ngsi-ld:Device:aq-{i % 500:04d}"},
        "temperature": {"type": "Property", "value": round(5 + rng.random() * 25, 1), "unitCode": "CEL",
                        "observedAt": t},
    }
    for name, unit in POLLUTANTS:
        e[name] = {"type": "Property", "value": round(rng.random() * 80, 2), "unitCode": unit, "observedAt": t,
                   "reliability": {"type": "Property", "value": round(rng.random(), 2)}}
    e["@context"] = CONTEXT
    return e


def entities(n: int, seed: int = 42) -> list[dict[str, Any]]:
    """``n`` entities, the same for the same ``n`` and ``seed``."""
    rng = random.Random(seed)
    return [entity(i, rng) for i in range(n)]
