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

from typing import Any

from ...errors import ParseError
from ...safexml import parse_xml

__all__ = ["locate", "parse_rdfxml"]

_RDF_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"


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
