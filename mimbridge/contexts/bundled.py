"""JSON-LD contexts shipped with the package, resolved offline like the core context.

``BUNDLED`` maps a context URL to the name of a resource in this package
(``mimbridge/contexts/<name>``).

* ``sta.jsonld``: the terms of SensorThings-derived NGSI-LD entities
  (``urn:mimbridge:sta:`` vocabulary, see ``docs/sta.md``).

>>> all(url.startswith("https://") for url in BUNDLED)
True
"""

from __future__ import annotations

BUNDLED: dict[str, str] = {
    "https://w3id.org/mimbridge/contexts/sta.jsonld": "sta.jsonld",
}
