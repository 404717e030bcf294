"""RDF/XML input under the one safe XML policy, and line numbers for its errors.

RDF/XML is checked by :func:`mimbridge.safexml.parse_xml` before pyoxigraph
reads it: a ``DOCTYPE`` (entities, external entities, expansion bombs) is
refused, malformed XML is reported with its line, and the size, depth and
attribute limits apply. pyoxigraph's own RDF/XML errors carry no position;
:func:`locate` finds the element that makes the parse fail by parsing the
document's node and property elements one at a time (error path only).

>>> try:
...     parse_rdfxml('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\\n'
...                  '<rdf:Description rdf:about="urn:x:1">\\n<p>1</p>\\n</rdf:Description></rdf:RDF>')
... except ParseError as exc:
...     print(exc.pointer)
line 3
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ...errors import CapabilityError, ParseError
from ...safexml import parse_xml

__all__ = ["check_predicates", "locate", "parse_rdfxml", "predicate_writable"]

# XML 1.0 (5th edition) name characters, without the colon (a local name is an NCName)
_START = ("A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
          "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_NAME_TAIL = re.compile(f"[{_START}\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040]*\\Z")
_NAME_START = re.compile(f"[{_START}]")
# what an XML reader takes as a namespace name: ASCII, and % only as the start of a percent-encoding
_NAMESPACE_BAD = re.compile(r"[^\x21-\x7e]|%(?![0-9A-Fa-f]{2})")

_RDF_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"


def predicate_writable(iri: str) -> bool:
    """True when RDF/XML can hold ``iri`` as a property: an XML name ends it, and what is before is a URI.

    RDF/XML writes a predicate as an element, the namespace a URI and the local name an NCName, split
    where the writer splits it (after the last character that is no name character, at the first name
    start character). Some IRIs have no such split, and RDF/XML cannot hold them.

    >>> predicate_writable("http://ex.org/speed"), predicate_writable("http://ex.org/"), predicate_writable("urn:1")
    (True, False, False)
    >>> predicate_writable("http://ex.org/%C3%A9"), predicate_writable("http://ex.org/é/x")
    (False, False)
    """
    tail = _NAME_TAIL.search(iri)
    start = _NAME_START.search(tail.group()) if tail is not None else None
    if tail is None or start is None:
        return False
    return _NAMESPACE_BAD.search(iri[: tail.start() + start.start()]) is None


def check_predicates(predicates: Iterable[str]) -> None:
    """Raise CapabilityError naming the predicates RDF/XML cannot hold (:func:`predicate_writable`).

    >>> check_predicates(["http://ex.org/a", "http://ex.org/"])
    Traceback (most recent call last):
    ...
    mimbridge.errors.CapabilityError: RDF/XML cannot hold the predicate <http://ex.org/> (an element name is a \
namespace URI and an XML name, and this IRI has no such split); use turtle, ntriples, nquads or rdf-jsonld
    """
    bad = sorted({p for p in predicates if not predicate_writable(p)})
    if bad:
        names = ", ".join(f"<{p[:120]}>" for p in bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
        raise CapabilityError(f"RDF/XML cannot hold the predicate{'s' if len(bad) > 1 else ''} {names} (an "
                              "element name is a namespace URI and an XML name, and this IRI has no such split); "
                              "use turtle, ntriples, nquads or rdf-jsonld")


def _fails(root: Any, base: str | None) -> bool:
    import pyoxigraph as ox
    from lxml import etree

    try:
        for _ in ox.parse(etree.tostring(root), ox.RdfFormat.RDF_XML, base_iri=base):
            pass
    except (SyntaxError, ValueError):
        return True
    return False


def _narrow(root: Any, node: Any, base: str | None) -> int | None:
    """The line of the deepest element under ``node`` whose removal lets the document parse."""
    for _ in range(256):
        for c in [c for c in node if isinstance(c.tag, str)]:
            i = node.index(c)
            node.remove(c)
            try:
                fixed = not _fails(root, base)
            finally:
                node.insert(i, c)
            if fixed:
                node = c
                break
        else:
            break
    return node.sourceline


def locate(root: Any, base: str | None = None) -> int | None:
    """The line of the element whose RDF/XML pyoxigraph refuses (None when none does); error path only.

    Under ``rdf:RDF`` each node element is parsed alone (linear in the
    document), then the failing one is narrowed down to the deepest element
    whose removal lets it parse.

    >>> from mimbridge.safexml import parse_xml
    >>> locate(parse_xml('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\\n'
    ...                  '<rdf:Description rdf:about="urn:x:1"/>\\n<rdf:Description rdf:ID="1 x"/></rdf:RDF>'))
    3
    """
    if root.tag != _RDF_RDF:
        return _narrow(root, root, base) if _fails(root, base) else None
    kids = list(root)
    for k in kids:
        root.remove(k)
    try:
        for k in kids:
            if not isinstance(k.tag, str):
                continue
            root.append(k)
            try:
                if _fails(root, base):
                    return _narrow(root, k, base)
            finally:
                root.remove(k)
    finally:
        for k in kids:
            root.append(k)
    return None


def parse_rdfxml(text: str | bytes, base: str | None = None) -> list[Any]:
    """pyoxigraph quads of RDF/XML ``text`` read under the safe XML policy; ParseError with ``line N``.

    >>> len(parse_rdfxml('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    ...                  'xmlns:ex="urn:ex:"><rdf:Description rdf:about="urn:x:1" ex:p="a"/></rdf:RDF>'))
    1
    """
    import pyoxigraph as ox

    root = parse_xml(text)  # DOCTYPE refused, well-formedness and limits checked, with lines
    if isinstance(text, bytes):  # pyoxigraph reads UTF-8 only: decode as the document says
        text = text.decode(root.getroottree().docinfo.encoding or "utf-8").lstrip("\ufeff")
    try:
        return list(ox.parse(text, ox.RdfFormat.RDF_XML, base_iri=base))
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None) or locate(root, base) or 1
        msg = exc.msg if isinstance(exc, SyntaxError) and exc.msg else str(exc)
        raise ParseError(f"malformed rdfxml: {msg}", pointer=f"line {line}", expected="rdfxml text") from None
