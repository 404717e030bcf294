"""Minting rules for the resolver: the rule engine of :mod:`mimbridge.minting`, re-exported.

The engine lives on the ground floor so that readers (``minting=`` / ``base=``
options) mint the URIs the resolver serves; this module keeps its historical name.

>>> Rules.default(base="https://id.example.city/").iri_for("sensor", 42)
'https://id.example.city/sensor/42'
"""

from __future__ import annotations

from ..minting.rules import NO_BASE_HINT, Namespace, Rules, load_schema

__all__ = ["NO_BASE_HINT", "Namespace", "Rules", "load_schema"]
