"""The RDF profiles as a table: profile name -> writer and reader classes, imported on first use.

A profile module may import the base reader and writer; they never import a
profile (the table is what joins them).

>>> sorted(PROFILES)
['ngsi-ld', 'sosa']
"""

from __future__ import annotations

import importlib
from typing import Any

from ...errors import MimbridgeError

__all__ = ["PROFILES", "profile_reader", "profile_writer"]

#: name -> (writer "module:Class", reader "module:Class" or "" for the base reader)
PROFILES: dict[str, tuple[str, str]] = {
    "ngsi-ld": ("mimbridge.adapters.rdf.write:Writer", ""),
    "sosa": ("mimbridge.adapters.rdf.sosa:SosaWriter", "mimbridge.adapters.rdf.sosa_read:SosaReader"),
}


def _load(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _row(profile: str) -> tuple[str, str]:
    try:
        return PROFILES[profile]
    except KeyError:
        raise MimbridgeError(f"unknown RDF profile {profile!r}; known: {', '.join(sorted(PROFILES))}") from None


def profile_writer(profile: str) -> Any:
    """The writer class of ``profile`` (MimbridgeError for an unknown one)."""
    return _load(_row(profile)[0])


def profile_reader(profile: str) -> Any:
    """The reader class of ``profile``, or None when the base reader reads it."""
    target = _row(profile)[1]
    return _load(target) if target else None
