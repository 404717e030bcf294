"""Fast reading of N-Triples in the canonical one-triple-per-line form (what mimbridge writes).

:func:`group_lines` turns such text into Python terms grouped by subject
(an IRI is a ``str``, a blank node a ``str`` starting with ``_:``, a literal
a ``(lexical, datatype, language)`` tuple), or gives None for anything it
does not handle (other spacing, comments after a triple, malformed text):
the caller then parses with pyoxigraph, which reports errors with line
numbers.

Every distinct token is checked once, and every distinct line tail (the
predicate and object tokens) is split once: a repeated tail costs one dict
lookup. Equal IRI and blank-node terms are the same ``str`` object, so their
hash is computed once for all the lookups that follow.

>>> by_s, _ = group_lines('<urn:a> <urn:p> "x"@EN .\\n_:b <urn:p> <urn:a> .\\n', lambda p, o: 0)
>>> by_s["urn:a"], by_s["_:b"]
([('urn:p', ('x', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString', 'en'))], [('urn:p', 'urn:a')])
>>> group_lines('<urn:a> <urn:p> "x" ;\\n', lambda p, o: 0) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any

from .terms import RDF_LANGSTRING, XSD_STRING

__all__ = ["group_lines"]

_IRI_OK = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*")
_LEX_OK = re.compile(r'(?:[^"\\\n\r]|\\.)*')
_LANG_OK = re.compile(r"[a-zA-Z]{2,8}(?:-[a-zA-Z0-9]{2,8})*")  # simple tags; others go to pyoxigraph
_UNESC = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESC = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
#: distinct line tails and subject tokens remembered at most (memory stays bounded on huge files)
_MEMO_MAX = 1 << 18


def _unesc(m: re.Match) -> str:
    u = m.group(1) or m.group(2)
    if u:
        return chr(int(u, 16))
    ch = _ESC.get(m.group(3))
    if ch is None:
        raise ValueError(f"invalid escape \\{m.group(3)}")
    return ch


def _iri(tok: str, ok: set[str]) -> str | None:
    """``<iri>`` -> the IRI, or None when the token is not an absolute IRI N-Triples allows."""
    if tok[:1] != "<" or tok[-1:] != ">":
        return None
    iri = tok[1:-1]
    if iri not in ok:
        if not _IRI_OK.fullmatch(iri):
            return None
        ok.add(iri)
    return iri


def _subject(tok: str, ok: set[str]) -> str | None:
    if tok[:2] == "_:":
        return tok
    return _iri(tok, ok)


def _object(tok: str, ok: set[str]) -> Any:
    """An object token with its trailing ``" ."`` -> its term, or None."""
    if tok[-2:] != " .":
        return None
    o = tok[:-2]
    c = o[:1]
    if c == '"':
        j = o.rfind('"')
        if j == 0:
            return None
        lex = o[1:j]
        tail = o[j + 1:]
        if '"' in lex or "\\" in lex:
            if not _LEX_OK.fullmatch(lex):
                return None
            try:
                lex = _UNESC.sub(_unesc, lex)
            except ValueError:
                return None
        if not tail:
            return (lex, XSD_STRING, None)
        if tail[:2] == "^^":
            dt = _iri(tail[2:], ok)
            return None if dt is None else (lex, dt, None)
        if tail[0] == "@" and _LANG_OK.fullmatch(tail, 1):
            return (lex, RDF_LANGSTRING, tail[1:].lower())
        return None
    if c == "<":
        return _iri(o, ok)
    if o[:2] == "_:" and " " not in o:
        return o
    return None


class _Terms:
    """Token -> term memos shared by the lines of one document (each distinct token is checked once)."""

    __slots__ = ("objects", "ok", "predicates", "subjects")

    def __init__(self, subjects: dict[str, str]) -> None:
        self.ok: set[str] = set()
        self.predicates: dict[str, str] = {}
        self.objects: dict[str, Any] = {}
        self.subjects = subjects

    def predicate(self, p: str) -> str | None:
        pv = _iri(p, self.ok)
        if pv is not None:
            self.predicates[p] = pv
        return pv

    def object(self, o: str) -> Any:
        """An object token with its ``" ."`` -> its term (memoised), or None if not canonical."""
        ov = _object(o, self.ok)
        if ov is not None:
            if len(self.objects) >= _MEMO_MAX:
                self.objects.clear()
            self.objects[o] = ov
            if ov.__class__ is str:  # a blank node is usually the subject of later lines
                self.subject(o[:-2], ov)
        return ov

    def subject(self, tok: str, term: str) -> None:
        if len(self.subjects) >= _MEMO_MAX:
            self.subjects.clear()
        self.subjects[tok] = term


def _lines(text: str, size: int = 1 << 18) -> Iterator[str]:
    """The lines of ``text``, split a quarter megabyte at a time (the lines of one piece are freed before
    the next is split: memory is reused while it is still in cache, instead of all lines at once)."""
    start, n, find = 0, len(text), text.find
    pieces = []
    while start < n:
        end = find("\n", start + size)
        if end < 0:
            end = n
        pieces.append((start, end))
        start = end + 1
    return chain.from_iterable(text[a:b].split("\n") for a, b in pieces)


def group_lines(text: str, classify: Callable[[str, Any], int]) -> tuple[dict[str, list[tuple[str, Any]]],
                                                                         list[tuple[str, Any, int]]] | None:
    """N-Triples in the canonical line form, grouped by subject, or None for anything else.

    Gives ``(by_subject, marks)``: ``by_subject`` maps each subject (in order
    of first appearance) to its ``(predicate, object)`` pairs in line order;
    ``marks`` lists ``(subject, object, flags)`` for every triple whose
    ``classify(predicate, object)`` is non-zero, in line order. Lines that
    repeat the predicate and object of an earlier line (about two in three in
    NGSI-LD output) share one pair and cost one dict lookup.

    >>> by_s, marks = group_lines('<urn:a> <urn:p> "x" .\\n<urn:b> <urn:p> <urn:a> .\\n',
    ...                           lambda p, o: o.__class__ is str)
    >>> by_s
    {'urn:a': [('urn:p', ('x', 'http://www.w3.org/2001/XMLSchema#string', None))], 'urn:b': [('urn:p', 'urn:a')]}
    >>> marks
    [('urn:b', 'urn:a', True)]
    """
    by_s: dict[str, list[tuple[str, Any]]] = {}
    marks: list[tuple[str, Any, int]] = []
    rests: dict[str, tuple[tuple[str, Any], int]] = {}
    subjects: dict[str, str] = {}
    terms = _Terms(subjects)
    rget, sget, bget, mark = rests.get, subjects.get, by_s.get, marks.append
    pget, oget = terms.predicates.get, terms.objects.get
    ok, iri_ok = terms.ok, _IRI_OK.fullmatch
    ok_add = ok.add
    n_rests = 0
    prev_s: Any = None
    sv: Any = None
    lst: list[tuple[str, Any]] = []
    for line in _lines(text):
        s, _, rest = line.partition(" ")  # partition finds with memchr: faster than split here
        hit = rget(rest)
        if hit is None:
            if not rest or line[0] == "#":  # blank line, comment, or a line of one token
                if not line or line[0] == "#":
                    continue
                return None
            p, _, o = rest.partition(" ")
            pv = pget(p)
            if pv is None:
                pv = terms.predicate(p)
                if pv is None:
                    return None
            ov = oget(o)
            if ov is None:
                if o[:1] == "<" and o[-3:] == "> .":  # the common case inline: a new IRI
                    ov = o[1:-3]
                    if ov not in ok:
                        if not iri_ok(ov):
                            return None
                        ok_add(ov)
                    terms.subject(o[:-2], ov)  # an attribute node is the subject of the next lines
                else:
                    ov = terms.object(o)
                    if ov is None:
                        return None
            f = 0 if ov.__class__ is tuple else classify(pv, ov)
            n_rests += 1
            if n_rests > _MEMO_MAX:
                rests.clear()
                n_rests = 0
            hit = rests[rest] = ((pv, ov), f)
        if s != prev_s:  # runs of a subject: a compare, not a hash
            sv = sget(s)
            if sv is None:
                if s[0] == "#":
                    continue
                sv = _subject(s, ok)
                if sv is None:
                    return None
                terms.subject(s, sv)
            lst = bget(sv)  # type: ignore[assignment]
            if lst is None:
                lst = by_s[sv] = []
            prev_s = s
        po, flags = hit
        lst.append(po)
        if flags:
            mark((sv, po[1], flags))
    return by_s, marks
