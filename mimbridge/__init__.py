"""mimbridge: connectors between NGSI-LD, OGC SensorThings / Features and RDF.

The public surface is what ``__all__`` lists (a test guards it)::

    >>> import mimbridge
    >>> r = mimbridge.convert({"id": "urn:ngsi-ld:Room:1", "type": "Room",
    ...                        "temperature": {"type": "Property", "value": 21, "unitCode": "CEL"}},
    ...                       source="ngsi-ld", target="ngsi-ld-keyvalues")
    >>> r.output
    {'id': 'urn:ngsi-ld:Room:1', 'type': 'Room', 'temperature': 21}
    >>> [str(e) for e in r.report.events]  # doctest: +ELLIPSIS
    ['Dropped at /temperature: attribute type (Property) is not carried by ngsi-ld-keyvalues; ...',
     'Dropped at /temperature/unitCode: unitCode is not carried by ngsi-ld-keyvalues; ...']
"""

from __future__ import annotations

import typing as _typing

from .convert import ConversionResult, convert, dumps, read, write
from .errors import (
    AdapterNotFoundError,
    CapabilityError,
    ConnectorError,
    LossyConversionError,
    MappingError,
    MimbridgeError,
    OptionError,
    ParseError,
    ResolutionError,
)
from .model import MODEL_VERSION, Attr, Graph, Kind, Node
from .probe import probe  # (eager: the name is also the subpackage's, which importing it would put here)
from .registry import available as formats
from .report import Approximated, Coerced, ConversionReport, Dropped, Invalid, LossEvent, Rejected, Unresolved
from .stream import Stream, stream

if _typing.TYPE_CHECKING:
    from .connect import PullResult, PushResult, pull, push, sync

__version__ = "0.1.0"

#: names imported when first used (the connectors bring an HTTP client: a command that converts does not wait for it)
_LAZY = {"PullResult": "connect", "PushResult": "connect", "pull": "connect", "push": "connect", "sync": "connect"}


def __getattr__(name: str) -> _typing.Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "AdapterNotFoundError",
    "Approximated",
    "Attr",
    "CapabilityError",
    "Coerced",
    "ConnectorError",
    "ConversionReport",
    "ConversionResult",
    "Dropped",
    "Graph",
    "Invalid",
    "Kind",
    "LossEvent",
    "LossyConversionError",
    "MODEL_VERSION",
    "MappingError",
    "MimbridgeError",
    "Node",
    "OptionError",
    "ParseError",
    "PullResult",
    "PushResult",
    "Rejected",
    "ResolutionError",
    "Stream",
    "Unresolved",
    "__version__",
    "convert",
    "dumps",
    "formats",
    "probe",
    "pull",
    "push",
    "read",
    "stream",
    "sync",
    "write",
]
