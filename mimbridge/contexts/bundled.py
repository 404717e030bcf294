"""JSON-LD contexts shipped with the package, resolved offline like the core context.

``BUNDLED`` maps a context URL to the name of a resource in this package
(``mimbridge/contexts/<name>``).

>>> all(url.startswith("https://") for url in BUNDLED)
True
"""

from __future__ import annotations

BUNDLED: dict[str, str] = {}
