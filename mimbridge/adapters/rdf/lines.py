"""N-Triples and N-Quads with bad lines: one bad line costs one triple, every bad line is counted.

The text is parsed in one go; when pyoxigraph refuses it, it is parsed again
in blocks of lines, and a block that fails line by line (a statement is one
line in these syntaxes). Each bad line is reported as
:class:`~mimbridge.report.Rejected` with path ``line N`` (the report lists
the first 20 and counts all); a text with no good line at all is a
:class:`~mimbridge.errors.ParseError`. Linear: each line is parsed at most three times.

>>> from mimbridge.report import ConversionReport
>>> rep = ConversionReport()
>>> text = '<urn:a> <urn:p> "1" .\\n<urn:a> <urn:p> bad .\\n<urn:b> <urn:p> "2"\\n<urn:c> <urn:p> "3" .\\n'
>>> len(parse_lines(text, "ntriples", None, rep)), [e.paths for e in rep.rejected]
(2, [['line 2'], ['line 3']])
"""

from __future__ import annotations

from typing import Any

from ...errors import ParseError
from ...report import ConversionReport, Rejected

__all__ = ["parse_lines"]

_BLOCK = 512


def _parse(text: str, fmt: Any, base: str | None) -> list[Any]:
    import pyoxigraph as ox

    return list(ox.parse(text, fmt, base_iri=base))


def parse_lines(text: str, syntax: str, base: str | None, report: ConversionReport | None) -> list[Any]:
    """pyoxigraph quads of line-based RDF ``text``; bad lines are reported and skipped (see the module doc)."""
    import pyoxigraph as ox

    fmt = ox.RdfFormat.N_QUADS if syntax == "nquads" else ox.RdfFormat.N_TRIPLES
    try:
        return _parse(text, fmt, base)
    except SyntaxError:
        pass
    lines = text.split("\n")
    quads: list[Any] = []
    bad: list[tuple[int, str]] = []
    for b in range(0, len(lines), _BLOCK):
        block = lines[b:b + _BLOCK]
        try:
            quads.extend(_parse("\n".join(block), fmt, base))
            continue
        except SyntaxError:
            pass
        for i, text_line in enumerate(block, start=b + 1):
            try:
                quads.extend(_parse(text_line, fmt, base))
            except SyntaxError as exc:
                bad.append((i, _short(exc.msg if exc.msg else str(exc))))
    if bad and report is not None:
        for n, msg in bad:
            report.add(Rejected, f"line {n}", f"a malformed {syntax} line is skipped: {msg}",
                       remedy=f"fix the line (every other line is read); strict=True refuses any bad {syntax} line")
    if bad and not quads:
        first, msg = bad[0]
        more = f" ({len(bad) - 1} more bad lines)" if len(bad) > 1 else ""
        raise ParseError(f"malformed {syntax}: {msg}{more}", pointer=f"line {first}", expected=f"{syntax} text")
    return quads


def _short(msg: str) -> str:
    """pyoxigraph's message without its own 'Parser error at line N between columns a and b: ' prefix."""
    head, sep, tail = msg.partition(": ")
    return tail if sep and head.startswith("Parser error") else msg
