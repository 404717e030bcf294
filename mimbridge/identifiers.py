"""Identifier normalisation: DOI, Handle, ARK, ORCID, URN, STA ids, CURIEs and local codes.

The one normaliser of the project: the resolver (:mod:`mimbridge.resolve`,
which re-exports this module as ``mimbridge.resolve.identifiers``) and the
readers that meet identifiers (``ogc-records`` ``externalIds``) use it, so the
URIs they give join in one graph.

:func:`parse` turns the text of an identifier into a normalised
:class:`Identifier`; :func:`to_uri` gives its stable URI (``https://doi.org/...``
for a DOI) and :func:`from_uri` goes back. On normalised identifiers the round
trip is exact: ``from_uri(to_uri(i)) == i`` and ``parse(str(i)) == i``.

When a text matches several forms, the first rule of this list wins and the
other schemes it also matches (per ``idutils``) are reported in
:attr:`Identifier.alternatives`:

1. resolver URLs: ``doi.org``, ``hdl.handle.net``, any ``.../ark:...`` URL,
   ``orcid.org``, STA entity URLs (configured servers, then ``.../vX.Y/Set(id)``);
2. explicit labels: ``doi:``, ``info:doi/``, ``hdl:``, ``ark:``, ``orcid:``, ``urn:``;
3. STA relative ids ``Things(1)``, ``Things('abc')`` (need a configured server);
4. bare DOIs ``10.<digits>/...`` (every DOI is also a Handle);
5. bare ORCID iDs ``0000-0002-1825-0097`` (ORCID iDs are also ISNIs);
6. bare Handles ``<digits>[.<digits>...]/...``;
7. CURIEs whose prefix is in the prefix map (and IRIs it compresses);
8. ``namespace:code`` with a configured local namespace;
9. other absolute URIs (``scheme://...``, ``tag:``, ``did:``, ``mailto:``);
10. a bare local code in the default namespace, if one is configured.

Normalisation: DOIs are ASCII-lower-cased (DOI names are case-insensitive);
URL forms are percent-decoded, bare and labelled forms are taken literally;
STA ids keep their OData literal (integers canonical, strings quoted, GUIDs unquoted and lower-cased);
``urn:`` and the URN namespace id are lower-cased; ARKs lose their
identity-inert hyphens and take the ``ark:/NAAN/name`` form; ORCID iDs are
hyphenated with an upper-case ``X``. Invalid input raises
:class:`~mimbridge.errors.ResolutionError` saying why.

>>> i = parse("https://doi.org/10.5281/ZENODO.123")
>>> i.scheme, i.value, to_uri(i)
('doi', '10.5281/zenodo.123', 'https://doi.org/10.5281/zenodo.123')
>>> parse("10.5281/zenodo.123").alternatives
('handle',)
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .errors import ResolutionError

__all__ = [
    "EXTERNAL_RESOLVERS",
    "SCHEMES",
    "STA_ENTITY_SETS",
    "Context",
    "Identifier",
    "decode",
    "encode",
    "from_uri",
    "doi_uri",
    "normal_urn",
    "parse",
    "to_uri",
]

#: Every scheme :func:`parse` can return.
SCHEMES = ("ark", "curie", "doi", "handle", "local", "ngsi-ld", "orcid", "sta", "uri", "urn")

#: Global persistent-identifier schemes and the resolver that serves them.
EXTERNAL_RESOLVERS = {
    "ark": "https://n2t.net/",
    "doi": "https://doi.org/",
    "handle": "https://hdl.handle.net/",
    "orcid": "https://orcid.org/",
}

#: SensorThings API 1.1 entity sets.
STA_ENTITY_SETS = frozenset({
    "Datastreams", "FeaturesOfInterest", "HistoricalLocations", "Locations", "MultiDatastreams",
    "Observations", "ObservedProperties", "Sensors", "Things",
})

#: Labels that are never read as CURIE prefixes or local namespaces.
RESERVED_LABELS = frozenset({"ark", "did", "doi", "hdl", "http", "https", "info", "mailto", "orcid", "tag", "urn"})

# RFC 3986 pchar plus "/", minus "+" (the DOI Handbook asks to encode it).
PATH_SAFE = "/:@!$&'()*,;=-._~"
SEGMENT_SAFE = ":@!$&'()*,;=-._~"
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_IRI_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f<>\"{}|\\^`]")

_DOI_URL = re.compile(r"^(?:https?://)?(?:dx\.|www\.)?doi\.org/(.*)$", re.I | re.S)
_DOI_LABEL = re.compile(r"^(?:doi:|info:doi/)\s*(.*)$", re.I | re.S)
_DOI = re.compile(r"^10\.\d+(?:\.\d+)*/.+$", re.S)
_HDL_URL = re.compile(r"^(?:https?://)?hdl\.handle\.net/(.*)$", re.I | re.S)
_HDL_LABEL = re.compile(r"^hdl:\s*(.*)$", re.I | re.S)
_HANDLE = re.compile(r"^[^/]+/.+$", re.S)
_BARE_HANDLE = re.compile(r"^\d+(?:\.\d+)*/.+$", re.S)
_ARK_URL = re.compile(r"^https?://[^/?#\s]+/(ark:.*)$", re.I | re.S)
_ARK = re.compile(r"^ark:/?([^/]*)/(.*)$", re.I | re.S)
_NAAN = re.compile(r"^[0-9bcdfghjkmnpqrstvwxz]+$")
_ORCID_URL = re.compile(r"^(?:https?://)?(?:www\.)?orcid\.org/(.*)$", re.I | re.S)
_ORCID_LABEL = re.compile(r"^orcid:\s*(.*)$", re.I | re.S)
_ORCID = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])$")
_URN = re.compile(r"^urn:([A-Za-z0-9][A-Za-z0-9-]{0,30}[A-Za-z0-9]):(.+)$", re.I | re.S)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_STA_REL = re.compile(r"^([A-Za-z]+)\((.*)\)$", re.S)
_STA_URL = re.compile(r"^(https?://[^?#\s]+?/v\d+\.\d+/)([A-Za-z]+)\((.*)\)$", re.S)
_STA_INT = re.compile(r"^-?\d+$")
_STA_STR = re.compile(r"^'((?:[^']|'')*)'$", re.S)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(.*)$", re.S)
_URI_SCHEMES_WITHOUT_AUTHORITY = frozenset({"did", "mailto", "tag"})


def encode(text: str, *, safe: str = PATH_SAFE) -> str:
    """Percent-encode ``text`` for a URI path (UTF-8; ``/`` kept unless ``safe`` omits it).

    >>> encode('10.1000/a b#c%')
    '10.1000/a%20b%23c%25'
    """
    return urllib.parse.quote(text, safe=safe)


def decode(text: str) -> str:
    """Percent-decode ``text`` strictly: malformed escapes and invalid UTF-8 raise ResolutionError.

    >>> decode('a%20b%2Fc')
    'a b/c'
    """
    if _BAD_PERCENT.search(text):
        raise ResolutionError(f"malformed percent-encoding in {text!r}")
    try:
        return urllib.parse.unquote(text, errors="strict")
    except UnicodeDecodeError as exc:
        raise ResolutionError(f"percent-encoding in {text!r} is not UTF-8") from exc


def _ascii_lower(text: str) -> str:
    return "".join(c.lower() if "A" <= c <= "Z" else c for c in text)


@dataclass(frozen=True, slots=True)
class Identifier:
    """A normalised identifier.

    ``value`` is the identifier in its own scheme (``10.5281/zenodo.123``,
    ``ark:/13030/tf5p30086k``, ``Things(1)``, ``urn:ngsi-ld:Room:1``);
    ``namespace``, ``kind`` and ``local`` are scheme-specific parts (STA:
    server base, entity set, id literal; NGSI-LD: -, entity type, id; CURIE:
    URI prefix, prefix, local part; local code: namespace, -, code).
    ``alternatives`` lists other schemes the input also matched; it does not
    take part in equality. ``str()`` gives a text that :func:`parse` maps back.

    >>> str(parse("https://hdl.handle.net/2381/12345"))
    'hdl:2381/12345'
    """

    scheme: str
    value: str
    namespace: str = ""
    kind: str = ""
    local: str = ""
    alternatives: tuple[str, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        if self.scheme == "doi":
            return "doi:" + self.value
        if self.scheme == "handle":
            return "hdl:" + self.value
        if self.scheme == "orcid":
            return "orcid:" + self.value
        if self.scheme == "sta":
            return to_uri(self)
        if self.scheme == "local":
            return f"{self.namespace}:{self.local}"
        return self.value


@dataclass(frozen=True)
class Context:
    """What parsing needs to know beyond the text: prefix map, STA servers, local namespaces.

    ``prefixes`` maps CURIE prefixes to URI prefixes; ``sta_servers`` are STA
    service roots (``https://host/v1.1/``), the first one used for relative
    ids; ``namespaces`` are the local-code namespaces; ``default_namespace``
    takes bare codes.

    >>> parse("sosa:Sensor", Context(prefixes={"sosa": "http://www.w3.org/ns/sosa/"})).namespace
    'http://www.w3.org/ns/sosa/'
    """

    prefixes: Mapping[str, str] = field(default_factory=dict)
    sta_servers: tuple[str, ...] = ()
    namespaces: frozenset[str] = frozenset()
    default_namespace: str | None = None

    def __post_init__(self) -> None:
        servers = tuple(s if s.endswith("/") else s + "/" for s in self.sta_servers)
        object.__setattr__(self, "sta_servers", servers)
        object.__setattr__(self, "namespaces", frozenset(self.namespaces))
        object.__setattr__(self, "prefixes", dict(self.prefixes))

    @cached_property
    def converter(self) -> Any:
        """The ``curies.Converter`` of the prefix map (None when the map is empty)."""
        if not self.prefixes:
            return None
        import curies

        try:
            return curies.Converter.from_prefix_map(self.prefixes)
        except (ValueError, TypeError) as exc:
            raise ResolutionError(f"invalid prefix map: {exc}") from exc


EMPTY = Context()


def _detected(text: str, chosen: str, extra: Iterable[str] = ()) -> tuple[str, ...]:
    """Other schemes ``text`` matches (idutils' detection), for the ambiguity report."""
    import idutils

    names = set(idutils.detect_identifier_schemes(text))
    names.update(extra)
    names.discard(chosen)
    names.discard("url")
    return tuple(sorted(names))


def _path_part(raw: str, what: str, *, from_url: bool) -> str:
    """The identifier text of ``raw``: percent-decoded when it came from a URL path (no query or fragment)."""
    if from_url:
        if "?" in raw or "#" in raw:
            raise ResolutionError(f"{what} URL has a query or fragment, which is not part of a {what}: {raw!r}")
        raw = decode(raw)
    return raw.strip()


def _doi(raw: str, *, from_url: bool, alternatives: tuple[str, ...] = ()) -> Identifier:
    text = _path_part(raw, "DOI", from_url=from_url)
    if not _DOI.match(text):
        raise ResolutionError(f"not a DOI: {raw!r} (expected 10.<registrant>/<suffix>)")
    if _SPACE_OR_CONTROL.search(text):
        raise ResolutionError(f"DOI contains whitespace or control characters: {raw!r}")
    return Identifier("doi", _ascii_lower(text), alternatives=alternatives)


def _handle(raw: str, *, from_url: bool, alternatives: tuple[str, ...] = ()) -> Identifier:
    text = _path_part(raw, "Handle", from_url=from_url)
    if not _HANDLE.match(text) or _SPACE_OR_CONTROL.search(text):
        raise ResolutionError(f"not a Handle: {raw!r} (expected <prefix>/<suffix>)")
    if _DOI.match(text):
        alternatives = tuple(sorted({*alternatives, "doi"}))
    return Identifier("handle", text, alternatives=alternatives)


def _ark(raw: str, *, from_url: bool, alternatives: tuple[str, ...] = ()) -> Identifier:
    text = raw
    if "?" in text or "#" in text:
        raise ResolutionError(f"ARK with an inflection, query or fragment is not supported: {raw!r}")
    if from_url:
        text = decode(text)
    m = _ARK.match(text)
    if not m:
        raise ResolutionError(f"not an ARK: {raw!r} (expected ark:/<NAAN>/<name>)")
    naan, name = m.group(1).lower(), m.group(2).replace("-", "").rstrip("/.")
    if not _NAAN.match(naan):
        raise ResolutionError(f"ARK NAAN {m.group(1)!r} is not betanumeric")
    if not name or _SPACE_OR_CONTROL.search(name):
        raise ResolutionError(f"ARK has an empty or invalid name: {raw!r}")
    return Identifier("ark", f"ark:/{naan}/{name}", kind=naan, local=name, alternatives=alternatives)


def _orcid(raw: str, *, alternatives: tuple[str, ...] = ()) -> Identifier:
    import idutils

    m = _ORCID.match(raw.strip())
    if not m:
        raise ResolutionError(f"not an ORCID iD: {raw!r} (expected 0000-0000-0000-000X)")
    value = "-".join(m.groups()).upper()
    if not idutils.is_orcid(value):
        raise ResolutionError(f"not a valid ORCID iD: {raw!r} (checksum or ORCID block)")
    return Identifier("orcid", value, alternatives=alternatives)


def _urn_parts(raw: str, m: re.Match[str]) -> tuple[str, str]:
    """(NID, NSS) of a URN in RFC 8141 normal form: NID lower-cased, %-escapes upper-cased, UUIDs lower-cased."""
    nid, nss = m.group(1).lower(), m.group(2)
    if _IRI_FORBIDDEN.search(nss) or "?" in nss or "#" in nss:
        raise ResolutionError(f"URN has characters a URN cannot hold (or a ?/# component): {raw!r}")
    if _BAD_PERCENT.search(nss):
        raise ResolutionError(f"malformed percent-encoding in URN {raw!r}")
    if "%" in nss:
        nss = re.sub(r"%[0-9a-fA-F]{2}", lambda x: x.group(0).upper(), nss)
    if nid == "uuid":
        if not _UUID.match(nss.lower()):
            raise ResolutionError(f"not a UUID URN: {raw!r}")
        nss = nss.lower()
    return nid, nss


def _urn(raw: str, m: re.Match[str]) -> Identifier:
    nid, nss = _urn_parts(raw, m)
    value = f"urn:{nid}:{nss}"
    if nid == "ngsi-ld":
        etype, sep, local = nss.partition(":")
        if sep and etype and local:
            return Identifier("ngsi-ld", value, kind=etype, local=local)
    return Identifier("urn", value, kind=nid, local=nss)


_NORMAL_NGSI_LD = re.compile(r"urn:ngsi-ld:[^%]*\Z", re.S)


def normal_urn(text: str) -> str:
    """The RFC 8141 normal form of a URN (the one :func:`parse` gives); any other text unchanged.

    ``urn:`` and the namespace id are case-insensitive and lower-cased, ``%``-escapes
    upper-cased, UUID URNs lower-cased; the rest (the NSS) is case-sensitive and kept.
    A malformed URN is returned as given (the caller's own checks judge it).

    >>> normal_urn("URN:NGSI-LD:Room:1"), normal_urn("urn:ngsi-ld:Room:a%2fb")
    ('urn:ngsi-ld:Room:1', 'urn:ngsi-ld:Room:a%2Fb')
    >>> normal_urn("https://example.org/URN:X"), normal_urn("urn:ngsi-ld:Room:1")
    ('https://example.org/URN:X', 'urn:ngsi-ld:Room:1')
    """
    if text[:4].lower() != "urn:" or _NORMAL_NGSI_LD.match(text):
        return text
    m = _URN.match(text)
    if m is None:
        return text
    try:
        nid, nss = _urn_parts(text, m)
    except ResolutionError:
        return text
    return f"urn:{nid}:{nss}"


def _sta_literal(raw: str, literal: str, *, from_url: bool) -> str:
    if from_url:
        literal = decode(literal)
    if _STA_INT.match(literal):
        return str(int(literal))
    if _STA_STR.match(literal):
        return literal
    if _UUID.match(literal.lower()):  # an OData Edm.Guid key, unquoted (django-ogc-sensorthings self links)
        return literal.lower()
    raise ResolutionError(f"STA id {raw!r} is neither an integer, a quoted string nor a GUID")


def _sta(raw: str, server: str, entity_set: str, literal: str, *, from_url: bool) -> Identifier:
    if entity_set not in STA_ENTITY_SETS:
        raise ResolutionError(f"{entity_set!r} is not a SensorThings entity set (in {raw!r})")
    lit = _sta_literal(raw, literal, from_url=from_url)
    return Identifier("sta", f"{entity_set}({lit})", namespace=server, kind=entity_set, local=lit)


def _curie(ctx: Context, prefix: str, local: str) -> Identifier:
    uri = ctx.converter.expand(f"{prefix}:{local}")
    if uri is None or _IRI_FORBIDDEN.search(uri) or _BAD_PERCENT.search(uri):
        raise ResolutionError(f"CURIE {prefix}:{local!r} does not expand to a valid IRI")
    return _compressed(ctx, uri)


def _compressed(ctx: Context, uri: str) -> Identifier:
    """The CURIE of ``uri`` under the longest matching prefix (normal form of CURIEs)."""
    curie = ctx.converter.compress(uri)
    prefix, _, local = curie.partition(":")
    return Identifier("curie", curie, namespace=ctx.prefixes[prefix], kind=prefix, local=local)


def _local(ctx: Context, namespace: str, code: str, raw: str) -> Identifier:
    if not code.strip() or code != code.strip() or _CONTROL.search(code):
        raise ResolutionError(f"empty local code, or one with outer whitespace or control characters: {raw!r}")
    return Identifier("local", f"{namespace}:{code}", namespace=namespace, local=code)


def _from_url(text: str, ctx: Context) -> Identifier | None:
    if m := _DOI_URL.match(text):
        return _doi(m.group(1), from_url=True)
    if m := _HDL_URL.match(text):
        return _handle(m.group(1), from_url=True)
    if m := _ORCID_URL.match(text):
        return _orcid(decode(m.group(1)))
    if m := _ARK_URL.match(text):
        host = text.split("/")[2].lower()
        return _ark(m.group(1), from_url=True, alternatives=() if host == "n2t.net" else ("uri",))
    for server in ctx.sta_servers:
        if text.startswith(server) and (m := _STA_REL.match(text[len(server):])):
            return _sta(text, server, m.group(1), m.group(2), from_url=True)
    if (m := _STA_URL.match(text)) and m.group(2) in STA_ENTITY_SETS:
        return _sta(text, m.group(1), m.group(2), m.group(3), from_url=True)
    return None


def parse(text: str, context: Context | None = None) -> Identifier:
    """Detect and normalise the identifier in ``text`` (precedence in the module docstring).

    >>> parse("doi:10.1000/ABC%20").value
    '10.1000/abc%20'
    >>> parse("ark:13030/tf5p-30086k").value
    'ark:/13030/tf5p30086k'
    >>> parse("urn:ngsi-ld:Building:b1").kind
    'Building'
    """
    ctx = context or EMPTY
    if not isinstance(text, str):
        raise ResolutionError(f"an identifier is text, not {type(text).__name__}")
    s = text.strip()
    if not s:
        raise ResolutionError("empty identifier")
    if _CONTROL.search(s):
        raise ResolutionError(f"identifier contains control characters: {text!r}")
    # 1. resolver URLs
    if (hit := _from_url(s, ctx)) is not None:
        return hit
    # 2. explicit labels
    if m := _DOI_LABEL.match(s):
        return _doi(m.group(1), from_url=False)
    if m := _HDL_LABEL.match(s):
        return _handle(m.group(1), from_url=False)
    if m := _ORCID_LABEL.match(s):
        return _orcid(m.group(1))
    if s[:4].lower() == "ark:":
        return _ark(s, from_url=False)
    if m := _URN.match(s):
        return _urn(text, m)
    if s[:4].lower() == "urn:":
        raise ResolutionError(f"not a URN: {text!r} (expected urn:<NID>:<NSS>)")
    # 3. STA relative ids
    if m := _STA_REL.match(s):
        if m.group(1) in STA_ENTITY_SETS:
            if not ctx.sta_servers:
                raise ResolutionError(f"STA id {text!r} needs a server base (configure an 'sta' namespace)")
            return _sta(text, ctx.sta_servers[0], m.group(1), m.group(2), from_url=False)
    # 4.-6. bare DOI, ORCID, Handle
    if _DOI.match(s):
        return _doi(s, from_url=False, alternatives=_detected(s, "doi", ["handle"]))
    if _ORCID.match(s):
        return _orcid(s, alternatives=_detected(s, "orcid"))
    if _BARE_HANDLE.match(s):
        return _handle(s, from_url=False, alternatives=_detected(s, "handle"))
    m = _SCHEME.match(s)
    if m:
        prefix, rest = m.group(1), m.group(2)
        # 7. CURIEs (and IRIs the prefix map compresses)
        conv = ctx.converter
        if conv is not None and prefix in ctx.prefixes and prefix.lower() not in RESERVED_LABELS:
            return _curie(ctx, prefix, rest)
        if conv is not None and conv.compress(s) is not None and not _IRI_FORBIDDEN.search(s):
            return _compressed(ctx, s)
        # 8. namespace:code
        if prefix in ctx.namespaces:
            return _local(ctx, prefix, rest, text)
        # 9. other absolute URIs
        if rest.startswith("//") or prefix.lower() in _URI_SCHEMES_WITHOUT_AUTHORITY:
            if _IRI_FORBIDDEN.search(s) or _BAD_PERCENT.search(s):
                raise ResolutionError(f"not a valid URI: {text!r}")
            return Identifier("uri", s)
        raise ResolutionError(f"unknown prefix {prefix!r} in {text!r}: not a CURIE prefix, a namespace "
                              "or a URI scheme mimbridge accepts")
    # 10. bare local code
    if ctx.default_namespace:
        return _local(ctx, ctx.default_namespace, s, text)
    raise ResolutionError(f"unrecognised identifier {text!r} (no default namespace for local codes)")


def to_uri(ident: Identifier) -> str:
    """The stable URI of an identifier (global resolvers for DOI, Handle, ARK, ORCID).

    Local codes have no URI of their own: mint one with :mod:`mimbridge.minting`.

    >>> to_uri(parse("doi:10.1000/ab%#"))
    'https://doi.org/10.1000/ab%25%23'
    """
    s = ident.scheme
    if s in ("doi", "handle", "orcid"):
        return EXTERNAL_RESOLVERS[s] + encode(ident.value)
    if s == "ark":
        return f"{EXTERNAL_RESOLVERS['ark']}ark:/{ident.kind}/{encode(ident.local)}"
    if s == "sta":
        return f"{ident.namespace}{ident.kind}({encode(ident.local, safe=SEGMENT_SAFE)})"
    if s == "curie":
        return ident.namespace + ident.local
    if s in ("urn", "ngsi-ld", "uri"):
        return ident.value
    raise ResolutionError(f"{ident} is a local code: mint its URI with minting rules")


def from_uri(uri: str, context: Context | None = None) -> Identifier:
    """The identifier a URI stands for (inverse of :func:`to_uri`).

    >>> from_uri("https://n2t.net/ark:/13030/tf5p30086k").value
    'ark:/13030/tf5p30086k'
    """
    if not isinstance(uri, str) or not _SCHEME.match(uri.strip()):
        raise ResolutionError(f"not an absolute URI: {uri!r}")
    return parse(uri, context)


def doi_uri(text: str) -> str | None:
    """The ``https://doi.org/`` URI of a DOI (bare, ``doi:``, ``info:doi/`` or resolver URL form), else None.

    The same normal form as :func:`parse` and :func:`to_uri` (the DOI lower-cased, the suffix
    percent-encoded); None when ``text`` is not a DOI or not a valid one.

    >>> doi_uri("10.5281/ZENODO.123"), doi_uri("https://dx.doi.org/10.5281/zenodo.123")
    ('https://doi.org/10.5281/zenodo.123', 'https://doi.org/10.5281/zenodo.123')
    >>> doi_uri("urn:uuid:1") is None, doi_uri("10.5555/a b") is None
    (True, True)
    """
    if not isinstance(text, str):
        return None
    s = text.strip()
    try:
        if m := _DOI_URL.match(s):
            ident = _doi(m.group(1), from_url=True)
        elif m := _DOI_LABEL.match(s):
            ident = _doi(m.group(1), from_url=False)
        elif _DOI.match(s):
            ident = _doi(s, from_url=False)
        else:
            return None
    except ResolutionError:
        return None
    return to_uri(ident)
