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
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import registry
from .adapters.base import check_capabilities
from .errors import LossyConversionError, MimbridgeError, ParseError
from .gcpause import no_gc
from .model import Graph
from .report import ConversionReport
from .suggest import did_you_mean

__all__ = ["ConversionResult", "check_options", "convert", "dumps", "infer_source", "load_input", "read",
           "scoped_options", "table_option", "write"]


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


#: options :func:`convert` itself takes for a term-mapping table (``terms=``)
TABLE_OPTIONS = ("terms", "allow_close", "terms_direction")


def table_option(options: dict[str, Any]) -> dict[str, Any] | None:
    """Pop the term-mapping table options (``terms=``; the old ``mapping=TABLE`` with a DeprecationWarning).

    A table is a :class:`~mimbridge.mapping.sssom.MappingSet`, a path, or the
    name of a shipped table. ``mapping=`` stays the SensorThings adapter's
    mode (``"structural"``, ``"observations"``); a ``mapping=`` value that is a
    table is still taken as ``terms=`` for one release, with a warning.
    """
    if "mapping_direction" in options:
        warnings.warn("mapping_direction= is deprecated; use terms_direction=", DeprecationWarning, stacklevel=3)
        options.setdefault("terms_direction", options.pop("mapping_direction"))
    m = options.get("mapping")
    if m is not None and "terms" not in options and _is_table(m):
        warnings.warn("mapping=TABLE is deprecated; use terms=TABLE (mapping= is the SensorThings mapping mode)",
                      DeprecationWarning, stacklevel=3)
        options["terms"] = options.pop("mapping")
    table = options.pop("terms", None)
    if table is None:
        if "allow_close" in options or "terms_direction" in options:
            raise TypeError("allow_close= and terms_direction= need terms=TABLE")
        return None
    return {"table": table, "allow_close": bool(options.pop("allow_close", False)),
            "direction": options.pop("terms_direction", "forward")}


def _is_table(m: Any) -> bool:
    if isinstance(m, str):
        from .mapping.apply import shipped_tables

        return m.endswith(".tsv") or "/" in m or os.sep in m or m in shipped_tables()
    from .mapping.sssom import MappingSet

    return isinstance(m, (os.PathLike, MappingSet))


def scoped_options(options: dict[str, Any], read_options: dict[str, Any] | None,
            write_options: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reader and writer options: the flat ones go to both, the scoped ones to one side (and win there)."""
    return {**options, **(read_options or {})}, {**options, **(write_options or {})}


def check_options(options: dict[str, Any], *adapters: Any, side: str = "") -> None:
    known: set[str] = {"fetch", "loader"}
    for a in adapters:
        known.update(a.options)
    unknown = sorted(set(options) - known)
    if unknown:
        where = f" for {side} {' / '.join(a.name for a in adapters)}" if side else ""
        hint = "".join(did_you_mean(u, known - set(options)) for u in unknown)
        raise TypeError(f"unknown option(s){where}: {', '.join(unknown)}{hint}; known: {', '.join(sorted(known))}")


def infer_source(data: Any) -> tuple[str, Any]:
    """The format of ``data`` told from its file name and content (:mod:`mimbridge.sniff`), and ``data``.

    A file object is read here (the second item is then its content).
    Raises :class:`~mimbridge.sniff.FormatGuessError` when the format cannot be told.

    >>> infer_source(b'{"value": [{"@iot.id": 1}]}')[0]
    'sta'
    """
    from .sniff import HEAD_BYTES, infer

    name = None
    if isinstance(data, os.PathLike):
        name = os.fspath(data)
        try:
            with open(data, "rb") as fh:
                head: Any = fh.read(HEAD_BYTES)
        except OSError as exc:
            raise MimbridgeError(f"cannot read {data}: {exc.strerror}") from exc
    elif hasattr(data, "read") and not isinstance(data, (str, bytes)):
        data = head = data.read()
    else:
        head = data
    return infer(head, name=name).format, data


def _hinted(exc: ParseError, data: Any, used: str) -> ParseError:
    """``exc`` with "this looks like X" when the content says it is another format (else ``exc`` itself)."""
    from .sniff import HEAD_BYTES, looks_like

    if isinstance(data, os.PathLike):
        try:
            with open(data, "rb") as fh:
                data = fh.read(HEAD_BYTES)
        except OSError:
            return exc
    if not isinstance(data, (str, bytes, dict, list)):
        return exc
    guess = looks_like(data, used)
    if guess is None:
        return exc
    return ParseError(f"{exc.message}; this looks like {guess.format} ({guess.reason}): use source={guess.format!r}",
                      pointer=exc.pointer, expected=exc.expected)


def _read(adapter: Any, data: Any, report: ConversionReport, options: dict[str, Any]) -> tuple[Graph, Any]:
    """Parse ``data`` and read it with ``adapter``; a parse error says which format the input looks like."""
    try:
        parsed = load_input(data, text_format=adapter.capabilities.output == "text")
        return adapter.read(parsed, report=report, **options), parsed
    except ParseError as exc:
        hinted = _hinted(exc, data, adapter.name)
        if hinted is exc:
            raise
        raise hinted from exc


def read(data: Any, *, source: str | None = None, report: ConversionReport | None = None,
         **options: Any) -> Graph:
    """Read ``data`` in format ``source`` (default: told from the content) into the internal
    :class:`~mimbridge.model.Graph`.

    >>> g = read({"id": "urn:ngsi-ld:T:1", "type": "T"}, source="ngsi-ld")
    >>> g.nodes[0].types
    ['https://uri.etsi.org/ngsi-ld/default-context/T']
    """
    if source is None:
        source, data = infer_source(data)
    adapter = registry.get(source)
    check_options(options, adapter)
    rep = report if report is not None else ConversionReport(source=adapter.name)
    with no_gc():
        return _read(adapter, data, rep, options)[0]


def write(graph: Graph, *, target: str, report: ConversionReport | None = None, **options: Any) -> Any:
    """Write a Graph in format ``target``; losses go to ``report`` (created if None)."""
    adapter = registry.get(target)
    check_options(options, adapter)
    rep = report if report is not None else ConversionReport(target=adapter.name)
    check_capabilities(graph, adapter.capabilities, rep, adapter.name, adapter.namer(graph, **options))
    return adapter.write(graph, report=rep, **options)


def convert(data: Any, *, source: str | None = None, target: str, strict: bool = False,
            read_options: dict[str, Any] | None = None, write_options: dict[str, Any] | None = None,
            **options: Any) -> ConversionResult:
    """Convert ``data`` from ``source`` format to ``target`` format.

    Without ``source`` the format is told from the file suffix and the content
    (:func:`infer_source`); a document that does not read in the ``source``
    given says in the error which format it looks like.

    Flat options go to both adapters (each takes the ones it knows; an option
    neither knows raises ``TypeError``); ``read_options`` go to the reader
    only and ``write_options`` to the writer only (and win over flat ones
    there). ``terms=`` an SSSOM/TSV table (path, shipped name or MappingSet)
    renames types and attributes between read and write (``allow_close=True``
    admits close matches, ``terms_direction="inverse"`` applies the table
    backwards); every approximated term is reported. With ``strict=True`` any
    loss raises :class:`~mimbridge.errors.LossyConversionError` carrying the report.

    >>> r = convert({"id": "urn:ngsi-ld:T:1", "type": "T", "a": {"type": "Property", "value": 1,
    ...              "observedAt": "2024-01-01T00:00:00Z"}}, source="ngsi-ld", target="ngsi-ld-keyvalues")
    >>> r.output
    {'id': 'urn:ngsi-ld:T:1', 'type': 'T', 'a': 1}
    >>> [e.message for e in r.report.events]
    ['attribute type (Property) is not carried by ngsi-ld-keyvalues', 'observedAt is not carried by ngsi-ld-keyvalues']
    >>> convert('<urn:x:1> <urn:p> "1" .', source="ntriples", target="turtle",
    ...         write_options={"prefixes": {"x": "urn:x:"}}).output.splitlines()[0]
    '@prefix x: <urn:x:> .'
    """
    if source is None:
        source, data = infer_source(data)
    src = registry.get(source)
    dst = registry.get(target)
    table = table_option(options)
    if read_options is None and write_options is None:
        check_options(options, src, dst)
        r_opts = w_opts = options
    else:
        check_options(options, src, dst)
        r_opts, w_opts = scoped_options(options, read_options, write_options)
        check_options(read_options or {}, src, side="reader")
        check_options(write_options or {}, dst, side="writer")
    report = ConversionReport(source=src.name, target=dst.name)
    with no_gc():
        graph, parsed = _read(src, data, report, r_opts)
        if table is not None:
            from .mapping.apply import apply_mapping

            graph = apply_mapping(graph, table["table"], allow_close=table["allow_close"],
                                  direction=table["direction"], report=report)
        if strict and report.events:
            raise LossyConversionError(report)
        check_capabilities(graph, dst.capabilities, report, dst.name, dst.namer(graph, **w_opts))
        output = dst.write(graph, report=report, **w_opts)
        # free the model (and our parse of the input) before the collector runs again: a collection
        # over objects that are about to die anyway would cost up to a tenth of the conversion
        del graph, parsed
    if strict and report.events:
        raise LossyConversionError(report)
    return ConversionResult(output, report, src.name, dst.name)
