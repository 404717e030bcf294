"""Fast reading of N-Triples in the canonical one-triple-per-line form (what mimbridge writes).

:func:`split_lines` turns such text into ``(s, p, o)`` Python terms (an IRI
is a ``str``, a blank node a ``str`` starting with ``_:``, a literal a
``(lexical, datatype, language)`` tuple), or gives None for anything it does
not handle (other spacing, comments after a triple, malformed text): the
caller then parses with pyoxigraph, which reports errors with line numbers.

Every distinct token is checked once: subject, predicate and object tokens
(the object with its ``" ."``) map to their term, so a repeated token costs
one dict lookup, and equal terms are the same ``str`` object (their hash is
computed once for all the lookups that follow).

>>> split_lines('<urn:a> <urn:p> "x"@EN .\\n_:b <urn:p> <urn:a> .\\n')
[('urn:a', 'urn:p', ('x', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#langString', 'en')), ('_:b', 'urn:p', 'urn:a')]
>>> split_lines('<urn:a> <urn:p> "x" ;\\n') is None
True
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["split_lines"]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_IRI_OK = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*")
_LEX_OK = re.compile(r'(?:[^"\\\n\r]|\\.)*')
_LANG_OK = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
_UNESC = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESC = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
#: distinct object tokens remembered at most (literals rarely repeat beyond a bounded set)
_OBJECTS_MAX = 1 << 17


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


def split_lines(text: str) -> list[tuple[str, str, Any]] | None:
    """N-Triples in the canonical one-triple-per-line form (single spaces) as terms, or None."""
    out: list[tuple[str, str, Any]] = []
    append = out.append
    ok: set[str] = set()
    subjects: dict[str, str] = {}
    predicates: dict[str, str] = {}
    objects: dict[str, Any] = {}
    sget, pget, oget = subjects.get, predicates.get, objects.get
    iri_ok, ok_add = _IRI_OK.fullmatch, ok.add
    prev_s: Any = None
    prev_sv: Any = None
    for line in text.split("\n"):
        try:
            s, p, o = line.split(" ", 2)
        except ValueError:  # fewer than three tokens
            if not line or line[0] == "#":
                continue
            return None
        sv = prev_sv if s == prev_s else sget(s)  # runs of a subject: a compare, not a hash
        pv = pget(p)
        ov = oget(o)
        if sv is not None and pv is not None and ov is not None:
            append((sv, pv, ov))
            prev_s, prev_sv = s, sv
            continue
        if line[0] == "#":
            continue
        if sv is None:
            sv = _subject(s, ok)
            if sv is None:
                return None
            subjects[s] = sv
        if pv is None:
            pv = _iri(p, ok)
            if pv is None:
                return None
            predicates[p] = pv
        if ov is None:
            if o[:1] == "<" and o[-3:] == "> .":  # the common case inline: a new IRI
                ov = o[1:-3]
                if ov not in ok:
                    if not iri_ok(ov):
                        return None
                    ok_add(ov)
            else:
                ov = _object(o, ok)
                if ov is None:
                    return None
            if len(objects) >= _OBJECTS_MAX:
                objects.clear()
            objects[o] = ov
            if ov.__class__ is str:  # an attribute or blank node is usually the subject of the next lines
                subjects[o[:-2]] = ov
        append((sv, pv, ov))
    return out
