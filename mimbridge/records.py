"""Records of a stream: batching, report paths moved to the whole input, N-Triples records and blank nodes.

The pieces :mod:`mimbridge.stream` assembles; none of them imports an adapter.

>>> list(batched(iter(range(5)), 2))
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from .errors import ParseError
from .report import ConversionReport, LossEvent

__all__ = ["Relabeler", "batched", "drop_list_note", "is_term", "nt_records", "only_batches", "shift_report",
           "shifted_report", "turtle_records"]

POINTER = re.compile(r"^/(\d+)(?=/|$)")
LINE = re.compile(r"^line (\d+)")
#: the RDF writer's document note for "a list of one entity" (see docs/rdf.md)
_MB_DOCUMENT = "https://w3id.org/mimbridge/ns#Document"
_LIST_NOTE = '"{\\"meta\\":{\\"ngsi-ld:single\\":false}}"'
#: blank node labels the RDF writers number (``_:b<n>``, ``_:f<n>x...`` for JSON-LD fallbacks); a literal scan
#: finds them, :func:`is_term` keeps those that are terms
_LABEL = re.compile(r"_:(?:b(\d+)|f(\d+)x)")
#: what follows a blank node label that is an object or a graph label, to the end of its line
_AFTER_TERM = re.compile(r'[^\s"]* (?:\.|<[^>\s]*> \.|_:[^\s"]+ \.)[ \t\r]*')
#: objects a record reaches (a subject among them continues the record: value nodes, embedded entities)
_NODE_REF = re.compile(r"_:[^\s]+|<[^>\s]*>")
#: a record reaching further IRIs is closed at this many lines (a chain of references is not one record)
_RECORD_LINES = 10_000


class Relabeler:
    """Renumbers the blank nodes of successive N-Triples chunks into one numbering, as one document has.

    >>> r = Relabeler()
    >>> r('_:b0 <urn:p> _:b1 .\\n') + r('_:b0 <urn:p> "_:b0" .\\n')
    '_:b0 <urn:p> _:b1 .\\n_:b2 <urn:p> "_:b0" .\\n'
    """

    def __init__(self) -> None:
        self.bnodes = 0

    def __call__(self, out: str) -> str:
        """Blank node labels of a batch's N-Triples shifted past those of the batches before (one numbering,
        as convert gives): only subject, object and graph terms are touched, never literal text."""
        if "_:" not in out:
            return out
        shift = self.bnodes
        top = -1

        def term(m: re.Match[str]) -> str:
            nonlocal top
            if not is_term(out, m.start(), m.end()):
                return m.group(0)
            b = m.group(1)
            if b is not None:
                n = int(b)
                top = max(top, n)
                return f"_:b{n + shift}"
            n = int(m.group(2))
            top = max(top, n - 1)
            return f"_:f{n + shift}x"

        if not shift:  # the first batch keeps its labels: only the highest is needed
            for m in _LABEL.finditer(out):
                term(m)
        else:
            out = _LABEL.sub(term, out)
        self.bnodes += top + 1
        return out


def is_term(nt: str, start: int, end: int) -> bool:
    """Whether the label found at ``nt[start:end]`` is a term: a subject (a line's start), or an object or graph
    label (after a space, followed on its line by what may follow a term: `` .``, a graph IRI or label and
    `` .``). A label inside a literal is never followed so: a literal ends with its quote, datatype or language.

    >>> line = '_:b0 <urn:p> "x _:b1" .'
    >>> is_term(line, 0, 4), is_term(line, 16, 20)
    (True, False)
    """
    if start == 0 or nt[start - 1] == "\n":
        return True
    if nt[start - 1] != " ":
        return False
    eol = nt.find("\n", end)
    return _AFTER_TERM.fullmatch(nt, end, len(nt) if eol < 0 else eol) is not None


def drop_list_note(nt: str) -> str:
    """N-Triples of a lone entity of a longer input without the writer's "a list of one" document note.

    The RDF writers mark a document of one entity that was a list (see docs/rdf.md); within a longer
    stream the whole document is a list already, and convert writes no such note.
    """
    if _LIST_NOTE not in nt:
        return nt
    lines = nt.splitlines(keepends=True)
    doc = {ln.partition(" ")[0] for ln in lines if ln.rstrip().endswith(f"<{_MB_DOCUMENT}> .")}
    notes = {ln.partition(" ")[0] for ln in lines if _LIST_NOTE in ln}
    drop = doc & notes
    if not drop:
        return nt
    mine = [ln for ln in lines if ln.partition(" ")[0] in drop]
    if len(mine) != 2:  # the document node says more than list-ness: keep it
        return nt
    return "".join(ln for ln in lines if ln.partition(" ")[0] not in drop)


def only_batches(batches: Iterable[list[Any]]) -> Iterator[tuple[list[Any], bool]]:
    """Each batch with a flag: True when it is the whole input (a single batch)."""
    it = iter(batches)
    first = next(it, None)
    if first is None:
        return
    second = next(it, None)
    yield first, second is None
    if second is not None:
        yield second, False
        for b in it:
            yield b, False


def batched(records: Iterator[Any], n: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for r in records:
        chunk.append(r)
        if len(chunk) >= n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def shifted_report(report: dict[str, Any], start: int) -> dict[str, Any]:
    """A report dict (``to_dict()``) whose ``/i/...`` paths are moved ``start`` records on (merging partitions).

    >>> shifted_report({"events": [{"path": "/0/a", "paths": ["/0/a", "/1/a"]}]}, 10)["events"][0]["paths"]
    ['/10/a', '/11/a']
    """
    def move(p: str) -> str:
        m = POINTER.match(p)
        return f"/{int(m.group(1)) + start}{p[m.end():]}" if m else p

    events = [{**e, "path": move(e["path"]), "paths": [move(x) for x in e["paths"]]} for e in report.get("events", [])]
    return {**report, "events": events}


def shift_report(rep: ConversionReport, start: int, line0: int) -> None:
    """Paths of a batch's events as paths of the whole input (``/i/...`` and ``line N`` shifted)."""
    if not start and not line0:
        return

    def move(p: str) -> str:
        if start:
            m = POINTER.match(p)
            if m:
                return f"/{int(m.group(1)) + start}{p[m.end():]}"
        if line0:
            m = LINE.match(p)
            if m:
                return f"line {int(m.group(1)) + line0}{p[m.end():]}"
        return p

    ev: LossEvent
    for ev in rep.events:
        ev.path = move(ev.path)
        ev.paths = [move(p) for p in ev.paths]


# -- RDF records -------------------------------------------------------------------------------------
def _subject_of(line: str) -> str | None:
    s = line.lstrip()
    if not s or s[0] == "#":
        return None
    if s[0] == "<":
        end = s.find(">")
        return s[: end + 1] if end > 0 else None
    if s.startswith("_:"):
        end = s.find(" ")
        return s[:end] if end > 0 else None
    return None


def nt_records(fh: Any) -> Iterator[str]:
    """N-Triples / N-Quads lines grouped into records.

    A record starts at a subject IRI that the current record does not reach (or
    at any subject IRI once the record has ``_RECORD_LINES`` lines); blank nodes
    and skolem IRIs (attribute and value nodes) never start one, and a subject
    that comes back (an entity's triples around its attribute nodes) continues
    its record.
    """
    current: list[str] = []
    reached: set[str] = set()
    subject = None
    for raw in fh:
        line = raw.decode("utf-8-sig" if not current and subject is None else "utf-8", errors="strict")
        s = _subject_of(line)
        if s is None:
            if current:
                current.append(line)
            else:
                current = [line]
            continue
        if (s != subject and current and subject is not None and not s.startswith("_:")
                and "/.well-known/genid/" not in s and (s not in reached or len(current) > _RECORD_LINES)):
            yield "".join(current)
            current, reached = [], set()
        if s != subject:
            reached.add(s)  # a subject that comes back (entity triples around its attribute nodes) continues
        subject = s
        current.append(line)
        for tok in _NODE_REF.findall(line, len(s)):
            reached.add(tok)
    if current:
        yield "".join(current)


def turtle_records(fh: BinaryIO, base: str | None) -> Iterator[str]:
    """Turtle parsed incrementally (pyoxigraph), regrouped into N-Triples records."""
    import pyoxigraph as ox

    def lines() -> Iterator[bytes]:
        try:
            for q in ox.parse(fh, ox.RdfFormat.TURTLE, base_iri=base):
                yield f"{q.subject} {q.predicate} {q.object} .\n".encode()
        except SyntaxError as exc:
            raise ParseError(f"malformed turtle: {exc}", pointer="", expected="turtle text") from None

    yield from nt_records(_LineIter(lines()))  # type: ignore[arg-type]


class _LineIter:
    def __init__(self, it: Iterator[bytes]) -> None:
        self._it = it

    def __iter__(self) -> Iterator[bytes]:
        return self._it


