"""The one exception tree of mimbridge.

Every error the library raises on purpose derives from :class:`MimbridgeError`,
so ``except mimbridge.MimbridgeError`` catches all of them. The tree is kept
shallow on purpose::

    MimbridgeError
    ├── ParseError            input is not what the source format expects
    │                         (.pointer: JSON pointer or "line N", .expected)
    ├── AdapterNotFoundError  unknown format name / alias (.name, .available)
    ├── OptionError           an option is unknown, or its value is not accepted
    │                         (.name: the option)
    ├── CapabilityError       the format cannot read or cannot write
    ├── MappingError          a mapping table or schema is malformed or conflicts
    ├── ResolutionError       a context, identifier or URL cannot be resolved,
    │                         or resolving it would need a network access that
    │                         was not allowed
    ├── ConnectorError        a live endpoint failed or refused a request after
    │                         retries (.url, .status, .body)
    └── LossyConversionError  strict mode and the conversion would lose data
                              (.report: the ConversionReport)

``AdapterNotFoundError`` is also a :class:`LookupError`, ``ParseError`` a
:class:`ValueError` and ``OptionError`` both a :class:`TypeError` (what Python
raises for an unknown keyword) and a :class:`ValueError`, so generic handlers
keep working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .report import ConversionReport

__all__ = [
    "AdapterNotFoundError",
    "CapabilityError",
    "ConnectorError",
    "LossyConversionError",
    "MappingError",
    "MimbridgeError",
    "OptionError",
    "ParseError",
    "ResolutionError",
]


class MimbridgeError(Exception):
    """Base class of every error mimbridge raises on purpose."""


class ParseError(MimbridgeError, ValueError):
    """Input does not match the source format.

    ``pointer`` is an RFC 6901 JSON pointer (``/0/temperature/value``) into the
    input, or ``line N`` for text formats; ``expected`` says what was expected.

    >>> str(ParseError("attribute has no 'type'", pointer="/speed", expected="a 'type' member"))
    "/speed: attribute has no 'type' (expected a 'type' member)"
    """

    def __init__(self, message: str, *, pointer: str = "", expected: str | None = None) -> None:
        self.message = message
        self.pointer = pointer
        self.expected = expected
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.pointer if self.pointer else "/"
        tail = f" (expected {self.expected})" if self.expected else ""
        return f"{where}: {self.message}{tail}"

    def at(self, prefix: str) -> ParseError:
        """Return a copy whose pointer is prefixed (used when parsing batches)."""
        return ParseError(self.message, pointer=prefix + self.pointer, expected=self.expected)


class AdapterNotFoundError(MimbridgeError, LookupError):
    """No adapter is registered under that name or alias."""

    def __init__(self, name: str, available: list[str], hint: str | None = None, *,
                 suggestion: str | None = None) -> None:
        self.name = name
        self.available = list(available)
        self.hint = hint
        self.suggestion = suggestion
        mean = f" (did you mean {suggestion!r}?)" if suggestion else ""
        msg = f"no format named {name!r}{mean}; available: {', '.join(self.available)}"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)


class OptionError(MimbridgeError, ValueError, TypeError):
    """An option is unknown, or its value is of the wrong type or out of range; ``name`` names it.

    >>> str(OptionError("page_size must be >= 1, got 0", name="page_size"))
    'page_size must be >= 1, got 0'
    """

    def __init__(self, message: str, *, name: str = "") -> None:
        self.name = name
        super().__init__(message)


class CapabilityError(MimbridgeError):
    """The format exists but cannot do what was asked (e.g. write a read-only format)."""


class MappingError(MimbridgeError):
    """A mapping table, schema or rule file is malformed or contradicts itself."""


class ResolutionError(MimbridgeError):
    """Something could not be resolved: a JSON-LD context, an identifier, a URL."""


class ConnectorError(MimbridgeError):
    """A live endpoint (SensorThings, OGC API, SPARQL, MQTT, NGSI-LD) failed after retries.

    ``url`` is the request URL, ``status`` the HTTP status (``None`` for a
    connection failure) and ``body`` the start of the response body.

    >>> str(ConnectorError("server error", url="http://127.0.0.1:8080/v1.1/Things", status=503))
    'http://127.0.0.1:8080/v1.1/Things: server error (HTTP 503)'
    """

    def __init__(self, message: str, *, url: str = "", status: int | None = None, body: str = "") -> None:
        self.message = message
        self.url = url
        self.status = status
        self.body = body
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.url}: " if self.url else ""
        code = f" (HTTP {self.status})" if self.status is not None else ""
        tail = f": {self.body[:200]}" if self.body else ""
        return f"{where}{self.message}{code}{tail}"


class LossyConversionError(MimbridgeError):
    """Raised under ``strict=True`` when the conversion would lose information."""

    def __init__(self, report: ConversionReport) -> None:
        self.report = report
        first: Any = report.events[0] if report.events else None
        msg = f"conversion is lossy ({len(report.events)} kinds of loss)"
        if first is not None:
            msg += f"; first: {first}"
        super().__init__(msg)
