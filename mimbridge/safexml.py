"""Safe XML parsing for every XML input (ground floor: lxml, no mimbridge imports above errors).

Refused: any ``DOCTYPE`` (hence every entity declaration, external entity and
entity-expansion bomb); the parser never loads DTDs, resolves entities or opens
network connections, and keeps libxml2's size limits.

>>> parse_xml("<a><b>1</b></a>")[0].text
'1'
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from .errors import ParseError

__all__ = ["parse_xml", "safe_parser"]

_DOCTYPE = re.compile(r"\A(?:\s|<\?.*?\?>|<!--.*?-->)*<!DOCTYPE", re.S)
_DECL_ENCODING = re.compile(r"\A(\s*<\?xml[^>]*?)\s+encoding\s*=\s*(['\"])[^'\"]*\2", re.S)


def _prolog(raw: bytes) -> str:
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return raw.decode(enc, errors="replace")
    if raw[:2] in (b"<\x00", b"\x00<"):
        return raw.decode("utf-16-le" if raw[:1] == b"<" else "utf-16-be", errors="replace")
    return raw.decode("latin-1")  # ASCII-compatible encodings: markup characters read the same


def safe_parser() -> Any:
    """The lxml parser :func:`parse_xml` uses: no entity resolution, no DTD loading, no network, size limits on."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, collect_ids=False, remove_pis=True)


def parse_xml(data: str | bytes) -> Any:
    """Parse XML safely into an lxml element; ParseError (``line N``) when malformed or unsafe.

    Refused: any ``DOCTYPE`` (hence every entity declaration, external entity
    and entity-expansion bomb); the parser itself never loads DTDs, resolves
    entities or opens network connections, and keeps libxml2's size limits.

    >>> parse_xml("<a><b>1</b></a>")[0].text
    '1'
    >>> try:
    ...     parse_xml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')
    ... except ParseError as exc:
    ...     print(exc.message)
    XML with a DOCTYPE is refused (DTDs and entities are not processed)
    """
    from lxml import etree

    if isinstance(data, str):
        # lxml refuses str input with an encoding declaration: the text is already decoded
        raw = _DECL_ENCODING.sub(r"\1", data, count=1).encode("utf-8")
    elif isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
    else:
        raise ParseError(f"expected XML text, got {type(data).__name__}", pointer="", expected="XML text")
    if _DOCTYPE.match(_prolog(raw)):
        raise ParseError("XML with a DOCTYPE is refused (DTDs and entities are not processed)", pointer="line 1",
                         expected="XML without a DOCTYPE")
    try:
        root = etree.fromstring(raw, safe_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise ParseError(f"malformed XML: {exc.msg}", pointer=f"line {line}", expected="well-formed XML") from None
    doc = root.getroottree().docinfo
    if doc.doctype or doc.internalDTD is not None:  # pragma: no cover - refused above already
        raise ParseError("XML with a DOCTYPE is refused", pointer="line 1", expected="XML without a DOCTYPE")
    return root


