"""read -> capability check -> write, with a report.

:func:`convert` is the public entry point; :func:`read` and :func:`write`
expose the model in between.

Input (``data``) may be parsed JSON (``dict`` / ``list``), JSON text
(``str`` / ``bytes``), a ``pathlib.Path`` / ``os.PathLike``, or a binary or
text file object. Output (``.output``) is parsed JSON (``dict`` / ``list``)
for JSON formats and ``str`` for text formats (``capabilities.output`` says
which); :func:`dumps` serialises either.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import registry
from .adapters.base import check_capabilities
from .errors import LossyConversionError, MimbridgeError, ParseError
from .gcpause import no_gc
from .model import Graph
from .report import ConversionReport

__all__ = ["ConversionResult", "convert", "dumps", "load_input", "read", "write"]


@dataclass(slots=True)
class ConversionResult:
    """What :func:`convert` returns: ``output`` (JSON or text) and ``report``."""

    output: Any
    report: ConversionReport
    source: str
    target: str

    def dumps(self, *, indent: int | None = 2) -> str:
        """The output as text (JSON serialised when the target is a JSON format)."""
        return dumps(self.output, indent=indent)


def dumps(output: Any, *, indent: int | None = 2) -> str:
    """Serialise an ``output``: text stays text, JSON is dumped as UTF-8 JSON."""
    if isinstance(output, str):
        return output
    return json.dumps(output, ensure_ascii=False, indent=indent)


def _line_col_pointer(text: str, exc: json.JSONDecodeError) -> str:
    return f"line {exc.lineno} column {exc.colno}"


def load_input(data: Any, *, text_format: bool = False) -> Any:
    """Turn ``data`` into what a reader takes: parsed JSON, or text for text formats.

    >>> load_input('{"a": 1}')
    {'a': 1}
    """
    if isinstance(data, (os.PathLike,)):
        try:
            raw = Path(data).read_bytes()
        except OSError as exc:
            raise MimbridgeError(f"cannot read {data}: {exc.strerror}") from exc
        data = raw
    elif isinstance(data, (io.IOBase,)) or hasattr(data, "read"):
        data = data.read()
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(f"input is not UTF-8: {exc.reason}", pointer=f"byte {exc.start}",
                             expected="UTF-8 text") from exc
    if isinstance(data, str):
        if text_format:
            return data
        try:
            return json.loads(data)
        except json.JSONDecodeError as exc:
            raise ParseError(f"malformed JSON: {exc.msg}", pointer=_line_col_pointer(data, exc),
                             expected="JSON text") from exc
    return data


#: options :func:`convert` itself takes when ``mapping`` names a term-mapping table
TABLE_OPTIONS = ("allow_close", "mapping_direction")


def _table_option(options: dict[str, Any]) -> dict[str, Any] | None:
    """Pop the term-mapping table options when ``mapping`` is an SSSOM table (not an adapter's mapping name).

    A table is a :class:`~mimbridge.mapping.sssom.MappingSet`, a path, a string
    ending in ``.tsv`` or naming a shipped table; any other string (e.g. the
    SensorThings adapter's ``mapping="observations"``) stays an adapter option.
    """
    m = options.get("mapping")
    if m is None:
        return None
    if isinstance(m, str):
        from .mapping.apply import shipped_tables

        is_table = m.endswith(".tsv") or "/" in m or os.sep in m or m in shipped_tables()
    else:
        from .mapping.sssom import MappingSet

        is_table = isinstance(m, (os.PathLike, MappingSet))
    if not is_table:
        return None
    return {"table": options.pop("mapping"), "allow_close": bool(options.pop("allow_close", False)),
            "direction": options.pop("mapping_direction", "forward")}


def _check_options(options: dict[str, Any], *adapters: Any) -> None:
    known: set[str] = {"fetch", "loader"}
    for a in adapters:
        known.update(a.options)
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(f"unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")


def read(data: Any, *, source: str, report: ConversionReport | None = None, **options: Any) -> Graph:
    """Read ``data`` in format ``source`` into the internal :class:`~mimbridge.model.Graph`.

    >>> g = read({"id": "urn:ngsi-ld:T:1", "type": "T"}, source="ngsi-ld")
    >>> g.nodes[0].types
    ['https://uri.etsi.org/ngsi-ld/default-context/T']
    """
    adapter = registry.get(source)
    _check_options(options, adapter)
    rep = report if report is not None else ConversionReport(source=adapter.name)
    parsed = load_input(data, text_format=adapter.capabilities.output == "text")
    with no_gc():
        return adapter.read(parsed, report=rep, **options)


def write(graph: Graph, *, target: str, report: ConversionReport | None = None, **options: Any) -> Any:
    """Write a Graph in format ``target``; losses go to ``report`` (created if None)."""
    adapter = registry.get(target)
    _check_options(options, adapter)
    rep = report if report is not None else ConversionReport(target=adapter.name)
    check_capabilities(graph, adapter.capabilities, rep, adapter.name, adapter.namer(graph, **options))
    return adapter.write(graph, report=rep, **options)


def convert(data: Any, *, source: str, target: str, strict: bool = False, **options: Any) -> ConversionResult:
    """Convert ``data`` from ``source`` format to ``target`` format.

    Options are passed to both adapters (each takes the ones it knows; an
    option neither knows raises ``TypeError``). ``mapping=`` an SSSOM/TSV table
    (path, shipped name or MappingSet) renames types and attributes between
    read and write (``allow_close=True`` admits close matches,
    ``mapping_direction="inverse"`` applies the table backwards); every
    approximated term is reported. With ``strict=True`` any loss
    raises :class:`~mimbridge.errors.LossyConversionError` carrying the report.

    >>> r = convert({"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": 1,
    ...              "observedAt": "2024-01-01T00:00:00Z"}}, source="ngsi-ld", target="ngsi-ld-keyvalues")
    >>> r.output
    {'id': 'urn:ngsi-ld:T:1', 'type': 'T', 'a': 1}
    >>> [e.message for e in r.report.events]
    ['attribute type (Property) is not carried by ngsi-ld-keyvalues', 'observedAt is not carried by ngsi-ld-keyvalues']
    """
    src = registry.get(source)
    dst = registry.get(target)
    table = _table_option(options)
    _check_options(options, src, dst)
    report = ConversionReport(source=src.name, target=dst.name)
    parsed = load_input(data, text_format=src.capabilities.output == "text")
    with no_gc():
        graph = src.read(parsed, report=report, **options)
        if table is not None:
            from .mapping.apply import apply_mapping

            graph = apply_mapping(graph, table["table"], allow_close=table["allow_close"],
                                  direction=table["direction"], report=report)
        if strict and report.events:
            raise LossyConversionError(report)
        check_capabilities(graph, dst.capabilities, report, dst.name, dst.namer(graph, **options))
        output = dst.write(graph, report=report, **options)
        # free the model (and our parse of the input) before the collector runs again: a collection
        # over objects that are about to die anyway would cost up to a tenth of the conversion
        del graph, parsed
    if strict and report.events:
        raise LossyConversionError(report)
    return ConversionResult(output, report, src.name, dst.name)
