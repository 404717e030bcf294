"""Safe XML parsing for every XML input (ground floor: lxml, no mimbridge imports above errors).

One policy for WFS GML, RDF/XML and every XML response mimbridge reads:

* any ``DOCTYPE`` is refused before the parser sees the text (hence every
  entity declaration, external entity and entity-expansion bomb); the check is
  a linear scan of the prolog (byte order marks, XML declaration, comments,
  processing instructions) in any encoding;
* the parser never loads DTDs, resolves entities, opens files or network
  connections (a resolver refuses every URL), and keeps libxml2's size and
  depth limits (no ``huge_tree``);
* the :mod:`mimbridge.limits` in force bound the input size (``max_bytes``),
  the element depth (``max_depth``), the number of elements (``max_items``)
  and the attributes of one element (``max_attributes``).

Errors are :class:`~mimbridge.errors.ParseError` with ``line N``.

>>> parse_xml("<a><b>1</b></a>")[0].text
'1'
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from .errors import ParseError
from .limits import Limits, current, over

__all__ = ["check_prolog", "parse_xml", "safe_parser"]

_DECL_ENCODING = re.compile(r"\A(\s*<\?xml[^>]*?)\s+encoding\s*=\s*(['\"])[^'\"]*\2", re.S)
_DOCTYPE_REFUSED = "XML with a DOCTYPE is refused (DTDs and entities are not processed)"


def _prolog(raw: bytes) -> str:
    """The start of ``raw`` decoded far enough to read its prolog (markup characters in any encoding)."""
    head = raw[:1 << 16]
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
                     (codecs.BOM_UTF8, "utf-8-sig")):
        if head.startswith(bom):
            return head.decode(enc, errors="replace").lstrip("\ufeff")
    if head[:4] in (b"\x00\x00\x00<", b"<\x00\x00\x00"):
        return head.decode("utf-32-be" if head[:1] == b"\x00" else "utf-32-le", errors="replace")
    if head[:2] in (b"<\x00", b"\x00<"):
        return head.decode("utf-16-le" if head[:1] == b"<" else "utf-16-be", errors="replace")
    return head.decode("latin-1")  # ASCII-compatible encodings: markup characters read the same


def _has_doctype(text: str) -> bool:
    """True when the prolog of ``text`` declares a DOCTYPE (linear: each comment or PI is skipped with one find)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n\ufeff\x00":
            i += 1
        elif text.startswith("<?", i):
            j = text.find("?>", i + 2)
            if j < 0:
                return False
            i = j + 2
        elif text.startswith("<!--", i):
            j = text.find("-->", i + 4)
            if j < 0:
                return False
            i = j + 3
        else:
            return text[i:i + 9].upper() == "<!DOCTYPE"
    return False


def check_prolog(data: str | bytes) -> bytes:
    """The bytes lxml gets for ``data``; ParseError when its prolog has a DOCTYPE (any encoding, any BOM).

    >>> check_prolog("<a/>")
    b'<a/>'
    >>> try:
    ...     check_prolog("\\ufeff<!-- c --><!DOCTYPE a SYSTEM 'file:///etc/passwd'><a/>")
    ... except ParseError as exc:
    ...     print(exc.pointer)
    line 1
    """
    if isinstance(data, str):
        # lxml refuses str input with an encoding declaration: the text is already decoded
        try:
            raw = _DECL_ENCODING.sub(r"\1", data.lstrip("\ufeff"), count=1).encode("utf-8")
        except UnicodeEncodeError as exc:
            line = data.count("\n", 0, exc.start) + 1
            raise ParseError("XML text holds a lone surrogate (not a Unicode character)", pointer=f"line {line}",
                             expected="Unicode text") from None
    elif isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
    else:
        raise ParseError(f"expected XML text, got {type(data).__name__}", pointer="", expected="XML text")
    if _has_doctype(_prolog(raw)):
        raise ParseError(_DOCTYPE_REFUSED, pointer="line 1", expected="XML without a DOCTYPE")
    return raw


def _refuse_all() -> Any:
    """An lxml resolver that answers every URL (DTD, entity, XInclude) with nothing."""
    from lxml import etree

    class Refuse(etree.Resolver):  # type: ignore[misc]
        def resolve(self, url: Any, pubid: Any, context: Any) -> Any:
            return self.resolve_string("", context)

    return Refuse()


def safe_parser() -> Any:
    """The lxml parser :func:`parse_xml` uses: no entity resolution, no DTD loading, no file or network access.

    >>> safe_parser().resolvers is not None
    True
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, collect_ids=False, remove_pis=True)
    parser.resolvers.add(_refuse_all())
    return parser


def _check_tree(root: Any, lim: Limits) -> None:
    """Depth, element count and attributes per element within the limits (one pass, no recursion)."""
    max_attrs, max_items, max_depth = lim.max_attributes, lim.max_items, lim.max_depth
    from lxml import etree

    n = 0
    for el in root.iter(etree.Element):
        n += 1
        if len(el.attrib) > max_attrs:  # len() is cheap; listing the attributes is quadratic in lxml
            raise over("max_attributes", f"an element with {len(el.attrib)} attributes",
                       pointer=f"line {el.sourceline or 1}", lim=lim)
    if n > max_items:
        raise over("max_items", f"{n} XML elements", pointer="line 1", lim=lim)
    if max_depth < 256:  # libxml2 itself refuses more than 256 levels without huge_tree
        depth = 0
        for ev, el in _iterwalk(root):
            depth += 1 if ev == "start" else -1
            if depth > max_depth:
                raise over("max_depth", f"XML nested over {max_depth} levels",
                           pointer=f"line {el.sourceline or 1}", lim=lim)


def _iterwalk(root: Any) -> Any:
    from lxml import etree

    return etree.iterwalk(root, events=("start", "end"))


def parse_xml(data: str | bytes) -> Any:
    """Parse XML safely into an lxml element; ParseError (``line N``) when malformed, unsafe or over a limit.

    Refused: any ``DOCTYPE`` (hence every entity declaration, external entity
    and entity-expansion bomb); the parser itself never loads DTDs, resolves
    entities or opens files or network connections, and keeps libxml2's size
    limits; :mod:`mimbridge.limits` bound size, depth, elements and attributes.

    >>> parse_xml("<a><b>1</b></a>")[0].text
    '1'
    >>> try:
    ...     parse_xml('<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')
    ... except ParseError as exc:
    ...     print(exc.message)
    XML with a DOCTYPE is refused (DTDs and entities are not processed)
    """
    from lxml import etree

    lim = current()
    if isinstance(data, (str, bytes, bytearray)) and len(data) > lim.max_bytes:
        raise over("max_bytes", f"XML of {len(data)} characters", lim=lim)
    raw = check_prolog(data)
    try:
        root = etree.fromstring(raw, safe_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        raise ParseError(f"malformed XML: {exc.msg}", pointer=f"line {line}", expected="well-formed XML") from None
    if root is None:
        raise ParseError("no XML element", pointer="line 1", expected="an XML document")
    doc = root.getroottree().docinfo
    if doc.doctype or doc.internalDTD is not None:  # pragma: no cover - refused above already
        raise ParseError(_DOCTYPE_REFUSED, pointer="line 1", expected="XML without a DOCTYPE")
    _check_tree(root, lim)
    return root
