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
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import registry
from .errors import LossyConversionError, MimbridgeError, OptionError, ParseError
from .gcpause import no_gc
from .limits import check_size, guard, using
from .model import Graph
from .report import ConversionReport
from .suggest import did_you_mean

__all__ = ["ConversionResult", "check_options", "convert", "dumps", "infer_source", "load_input",
           "observations_for_sosa", "read",
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
    """Serialise an ``output``: text stays text, JSON is dumped as UTF-8 JSON (never NaN or Infinity).

    >>> dumps({"a": 1}, indent=None)
    '{"a": 1}'
    """
    if isinstance(output, str):
        return output
    try:
        return json.dumps(output, ensure_ascii=False, indent=indent, allow_nan=False)
    except ValueError as exc:  # NaN / Infinity have no JSON form
        raise ParseError(f"output has no JSON form: {exc}", expected="finite numbers") from None
    except RecursionError:
        raise ParseError("output nested too deep for JSON", expected="nesting within max_depth") from None


def _line_col_pointer(text: str, exc: json.JSONDecodeError) -> str:
    return f"line {exc.lineno} column {exc.colno}"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _json_error(text: str, exc: BaseException) -> ParseError:
    """The ParseError for JSON text that ``json.loads`` refused with something other than a decode error."""
    from .limits import current

    if isinstance(exc, RecursionError):
        depth, limit = 0, current().max_depth
        in_str = esc = False
        for i, ch in enumerate(text):  # error path only: find where the nesting goes over the limit
            if in_str:
                if ch == '"' and not esc:
                    in_str = False
                esc = not esc and ch == "\\"
                continue
            if ch == '"':
                in_str, esc = True, False
            elif ch in "[{":
                depth += 1
                if depth > limit:
                    return ParseError(f"JSON nested deeper than {limit} levels", pointer=_offset_pointer(text, i),
                                      expected=f"at most max_depth={limit} levels")
            elif ch in "]}":
                depth -= 1
        return ParseError("JSON nested too deep", expected="less nesting")
    msg = str(exc)
    if "is not a JSON number" in msg:
        m = re.search(r"-?\b(?:NaN|Infinity)\b", text)
        return ParseError(f"malformed JSON: {msg}", pointer=_offset_pointer(text, m.start()) if m else "",
                          expected="a finite JSON number")
    if "digits" in msg:  # int() refuses integers over sys.get_int_max_str_digits() digits
        m = re.search(r"\d{640,}", text)
        return ParseError("malformed JSON: an integer has too many digits", expected="at most max_digits digits",
                          pointer=_offset_pointer(text, m.start()) if m else "")
    return ParseError(f"malformed JSON: {msg.splitlines()[0][:200] if msg else type(exc).__name__}",
                      expected="JSON text")


def _offset_pointer(text: str, i: int) -> str:
    line = text.count("\n", 0, i) + 1
    return f"line {line} column {i - (text.rfind(chr(10), 0, i) + 1) + 1}"


def load_input(data: Any, *, text_format: bool = False, xml: bool = False) -> Any:
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
    check_size(data)
    if xml and isinstance(data, (bytes, bytearray)):
        return bytes(data)  # the XML parser reads the encoding from the document itself
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError(f"input is not UTF-8: {exc.reason}", pointer=f"byte {exc.start}",
                             expected="UTF-8 text") from exc
    if isinstance(data, str):
        if text_format:
            _check_encodable(data)
            return data
        try:
            doc = json.loads(data, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            raise ParseError(f"malformed JSON: {exc.msg}", pointer=_line_col_pointer(data, exc),
                             expected="JSON text") from exc
        except (ValueError, RecursionError, MemoryError) as exc:
            raise _json_error(data, exc) from None
        if _SURROGATE_ESCAPE.search(data):  # only then can a string hold a lone surrogate
            _check_strings(doc)
        return doc
    return data


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_encodable(text: str) -> None:
    """Text input must be encodable as UTF-8 (no lone surrogates): ParseError at its line otherwise."""
    m = _SURROGATE.search(text)  # a scan, no copy of the text
    if m is not None:
        raise ParseError("text holds a lone surrogate (not a Unicode character)",
                         pointer=_offset_pointer(text, m.start()), expected="Unicode text")


def _check_strings(doc: Any) -> None:
    """No JSON string or member name may hold a lone surrogate (UTF-8 cannot carry it): ParseError at it."""
    stack: list[tuple[Any, str]] = [(doc, "")]
    while stack:
        v, where = stack.pop()
        if v.__class__ is str:
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise ParseError("a string holds a lone surrogate (not a Unicode character)", pointer=where or "/",
                                 expected="Unicode text (surrogate escapes only in pairs)") from None
        elif v.__class__ is dict:
            for k, x in v.items():
                esc = k.replace("~", "~0").replace("/", "~1")
                stack.append((k, f"{where}/{esc}"))
                stack.append((x, f"{where}/{esc}"))
        elif v.__class__ is list:
            stack.extend((x, f"{where}/{i}") for i, x in enumerate(v))


def _is_xml(adapter: Any) -> bool:
    """XML formats get bytes as they are: the document declares its own encoding."""
    return "xml" in (adapter.capabilities.media_type or "")


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
            raise OptionError("allow_close= and terms_direction= need terms=TABLE", name="allow_close")
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
    known: set[str] = {"fetch", "loader", "limits"}
    for a in adapters:
        known.update(a.options)
    unknown = sorted(set(options) - known)
    if unknown:
        where = f" for {side} {' / '.join(a.name for a in adapters)}" if side else ""
        hint = "".join(did_you_mean(u, known - set(options)) for u in unknown)
        raise OptionError(f"unknown option(s){where}: {', '.join(unknown)}{hint}; known: {', '.join(sorted(known))}",
                          name=unknown[0])


def observations_for_sosa(src: Any, dst: Any, r_opts: dict[str, Any], w_opts: dict[str, Any]) -> dict[str, Any]:
    """Reader options for a SOSA target: SensorThings is read with the observations mapping for it.

    The structural mapping gives one entity per SensorThings entity and no attribute with ``observedAt``,
    so every entity would be a ``sosa:FeatureOfInterest`` and no ``sosa:Observation`` would be written:
    asking for it with a SOSA target raises MimbridgeError with the remedy.

    >>> sta, ttl = registry.get("sta"), registry.get("turtle")
    >>> observations_for_sosa(sta, ttl, {}, {"profile": "sosa"})
    {'mapping': 'observations'}
    """
    if w_opts.get("profile") != "sosa" or "profile" not in dst.options or "subject" not in src.options:
        return r_opts
    mode = r_opts.get("mapping")
    if mode is None:
        return {**r_opts, "mapping": "observations"}
    if mode == "structural":
        raise MimbridgeError(f"{src.name} -> {dst.name} with profile=sosa: the structural mapping gives no "
                             "sosa:Observation (every SensorThings entity would be a feature of interest); "
                             "use mapping='observations' (the default for a SOSA target)")
    return r_opts


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
        parsed = load_input(data, text_format=adapter.capabilities.output == "text", xml=_is_xml(adapter))
        with guard("read", adapter.name):
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
    lim = options.pop("limits", None)
    check_options(options, adapter)
    rep = report if report is not None else ConversionReport(source=adapter.name)
    with using(lim), no_gc():
        return _read(adapter, data, rep, options)[0]


def write(graph: Graph, *, target: str, report: ConversionReport | None = None, **options: Any) -> Any:
    """Write a Graph in format ``target``; losses go to ``report`` (created if None)."""
    adapter = registry.get(target)
    lim = options.pop("limits", None)
    check_options(options, adapter)
    rep = report if report is not None else ConversionReport(target=adapter.name)
    with using(lim), guard("write", adapter.name):
        adapter.check(graph, rep, options)
        return adapter.write(graph, report=rep, **options)


def convert(data: Any, *, source: str | None = None, target: str, strict: bool = False,
            read_options: dict[str, Any] | None = None, write_options: dict[str, Any] | None = None,
            **options: Any) -> ConversionResult:
    """Convert ``data`` from ``source`` format to ``target`` format.

    Without ``source`` the format is told from the file suffix and the content
    (:func:`infer_source`); a document that does not read in the ``source``
    given says in the error which format it looks like.

    Flat options go to both adapters (each takes the ones it knows; an option
    neither knows raises :class:`~mimbridge.errors.OptionError`, a ``TypeError``); ``read_options`` go to the reader
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
    with using(options.pop("limits", None)):
        return _convert(data, src, dst, strict=strict, read_options=read_options, write_options=write_options,
                        options=options)


def _convert(data: Any, src: Any, dst: Any, *, strict: bool, read_options: dict[str, Any] | None,
             write_options: dict[str, Any] | None, options: dict[str, Any]) -> ConversionResult:
    table = table_option(options)
    if read_options is None and write_options is None:
        check_options(options, src, dst)
        r_opts = w_opts = options
    else:
        check_options(options, src, dst)
        r_opts, w_opts = scoped_options(options, read_options, write_options)
        check_options(read_options or {}, src, side="reader")
        check_options(write_options or {}, dst, side="writer")
    r_opts = observations_for_sosa(src, dst, r_opts, w_opts)
    report = ConversionReport(source=src.name, target=dst.name)
    with no_gc():
        graph, parsed = _read(src, data, report, r_opts)
        if table is not None:
            from .mapping.apply import apply_mapping

            graph = apply_mapping(graph, table["table"], allow_close=table["allow_close"],
                                  direction=table["direction"], report=report)
        if strict and report.events:
            raise LossyConversionError(report)
        with guard("write", dst.name):
            dst.check(graph, report, w_opts)
            output = dst.write(graph, report=report, **w_opts)
        # free the model (and our parse of the input) before the collector runs again: a collection
        # over objects that are about to die anyway would cost up to a tenth of the conversion
        del graph, parsed
    if strict and report.events:
        raise LossyConversionError(report)
    return ConversionResult(output, report, src.name, dst.name)
