"""Member names of SensorThings JSON and the model IRIs they stand for, both ways.

A SensorThings member is a field (``name``), an annotation (``Datastreams@iot.navigationLink``)
or a navigation property (``Datastreams``). Fields and navigation properties of the
SensorThings vocabulary live in :data:`~.vocab.STA`; three fields take standard IRIs
(:data:`~.vocab.FIELD_IRI`). Any other attribute (a term of another context, the NGSI-LD
default context, an IRI of any vocabulary) is written under its full IRI and read back as
that IRI, so that it keeps its name through SensorThings. :func:`read_back` tells the writer
what the reader will make of a member, so that a name SensorThings cannot carry is reported
instead of being renamed in silence.

>>> member_key("https://uri.etsi.org/ngsi-ld/default-context/wind")
'https://uri.etsi.org/ngsi-ld/default-context/wind'
>>> member_iri("https://uri.etsi.org/ngsi-ld/default-context/wind"), member_iri("name")
('https://uri.etsi.org/ngsi-ld/default-context/wind', 'urn:mimbridge:sta:name')
>>> read_back("Ex@t", 1, v2=False) is None
True
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

from .vocab import FIELD_BY_IRI, FIELD_IRI, NAV_PROPERTIES, STA, TYPOS, lower_first

__all__ = ["is_absolute", "member_iri", "member_key", "nav_iri", "nav_read_back", "read_back"]

#: an absolute IRI as an attribute name: a scheme with an authority (``https://``) or a URN
_ABSOLUTE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*://|urn:)")
_SAFE = "@.:!$&'()*+,;=-_~"
_NAV_IRI = {k: STA + lower_first(k) for k in NAV_PROPERTIES}


def is_absolute(name: str) -> bool:
    """True when a member name is an absolute IRI (read as itself, not as a SensorThings term).

    >>> is_absolute("http://example.org/a b"), is_absolute("urn:x:1"), is_absolute("a:b"), is_absolute("name")
    (True, True, False, False)
    """
    return _ABSOLUTE.match(name) is not None


def member_iri(key: str) -> str:
    """The model IRI of a SensorThings member name (fields, annotations, unknown members).

    >>> member_iri("description"), member_iri("@iot.etag"), member_iri("a b"), member_iri("urn:x:a b")
    ('http://purl.org/dc/terms/description', 'urn:mimbridge:sta:@iot.etag', 'urn:mimbridge:sta:a%20b', 'urn:x:a b')
    """
    iri = FIELD_IRI.get(key)
    if iri is not None:
        return iri
    if key.isalnum():
        return STA + key
    if is_absolute(key):
        return key
    return STA + quote(key, safe=_SAFE)


def member_key(iri: str) -> str:
    """The SensorThings member name of an attribute IRI (the inverse of :func:`member_iri`).

    >>> member_key("urn:mimbridge:sta:a%20b"), member_key("http://purl.org/dc/terms/description")
    ('a b', 'description')
    """
    if iri.startswith(STA):
        local = iri[len(STA):]
        return unquote(local) if "%" in local else local
    return FIELD_BY_IRI.get(iri) or iri


def nav_iri(key: str) -> str:
    """The model IRI of a navigation property (its name with a lower-case first letter).

    >>> nav_iri("Datastreams"), nav_iri("Http://example.org/rel")
    ('urn:mimbridge:sta:datastreams', 'http://example.org/rel')
    """
    hit = _NAV_IRI.get(key)
    if hit is not None:
        return hit
    name = lower_first(key)
    return name if is_absolute(name) else STA + name


def read_back(key: str, value: Any, *, v2: bool) -> str | None:
    """The IRI the reader files the member ``key`` (with ``value``) under as a field, None if not a field.

    A member is not read as a field when it is an id, a self link, an annotation (``@`` after the
    first character), a navigation property (a capital first letter and an object or array
    value); a misspelt or space-padded name is read as the name meant.

    >>> read_back("wind", 1, v2=False), read_back("Wind", {}, v2=False), read_back("id", 1, v2=True)
    ('urn:mimbridge:sta:wind', None, None)
    """
    if key in ("@iot.id", "@iot.selfLink") or (v2 and key in ("id", "@id", "@context")):
        return None
    if key.find("@") > 0:
        return None
    if key[:1].isupper() and isinstance(value, (dict, list)):
        return None
    name = key.strip()
    name = TYPOS.get(name, name)
    return member_iri(name)


def nav_read_back(key: str, *, link: bool = False) -> str | None:
    """The IRI the reader files the navigation property ``key`` under, None if it is not read as one.

    ``link``: written as a ``navigationLink`` annotation only (``key@iot.navigationLink``).

    >>> nav_read_back("Datastreams"), nav_read_back("Wind"), nav_read_back("wind"), nav_read_back("A@b")
    ('urn:mimbridge:sta:datastreams', 'urn:mimbridge:sta:wind', None, None)
    """
    if not key or "@" in key or (not link and not key[:1].isupper()):
        return None
    return nav_iri(key)
