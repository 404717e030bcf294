"""The NGSI-LD core @context (ETSI GS CIM 009), offline, for versions 1.3 to 1.9.

The term definitions live in ``core_terms.tsv`` (package data), the package's own
compact table, not a copy of the ETSI files. One row per term definition, tab
separated, with a header:

``term``
    the term; rows whose term starts with ``@`` are context keywords (below).
``id``
    a CURIE over the ``ngsi-ld:`` / ``geojson:`` prefixes, an absolute IRI or a
    JSON-LD keyword (``@id``, ``@type``). A term the ETSI file maps to itself
    (``"attributeCount": "attributeCount"``) is written as the absolute
    default-context IRI it expands to.
``type`` / ``container``
    the ``@type`` coercion (``@id``, ``@vocab``, ``@json`` or a CURIE such as
    ``ngsi-ld:DateTime``) and the ``@container`` (comma-separated if several).
``since`` / ``until``
    first and last core version with that definition (``until`` empty: still
    present). A term whose definition changed has one row per definition.
``note``
    provenance and uncertainty, free text.

Keyword rows: ``@vocab`` (the default vocabulary), ``@version`` (value ``1.1``)
and ``@protected`` (value ``true``). Both of the latter start at 1.8, the first
file that needs JSON-LD 1.1 (``@json`` terms) and the first that protects its
terms; the 1.3 file has neither, nor have the copies of the hosted 1.5 to 1.7
files seen in brokers' caches.

Which text is "the standard": the versioned files ETSI hosts (what a JSON-LD
processor dereferences), checked against the copies in the test corpus, with
one exception: the hosted 1.8 file spells ``objectLists`` as ``objectsLists``
(``ngsi-ld:hasObjectsLists``), a typo 1.9 fixed; our 1.8 uses ``objectLists``.
``ngsildproof`` (1.9) is defined by its ``@id`` only: its scoped context, which
imports ``https://w3id.org/security/data-integrity/v2``, is out of scope.
1.6 and 1.7 are not in the corpus; their rows follow brokers' copies of the
hosted files and the standard's history, with the doubts in ``note``.

>>> core_terms("1.9")["observedAt"]
'https://uri.etsi.org/ngsi-ld/observedAt'
>>> core_context_document("1.8")["@context"]["createdAt"]
{'@id': 'ngsi-ld:createdAt', '@type': 'ngsi-ld:DateTime'}
>>> core_version_of("http://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.6.jsonld")
'1.6'
>>> core_context_url("1.9")
'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld'
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import re
from importlib import resources
from typing import Any

__all__ = [
    "CORE_VERSIONS",
    "DEFAULT_CORE_VERSION",
    "DEFAULT_VOCAB",
    "NGSI_LD",
    "core_context_document",
    "core_context_url",
    "core_terms",
    "core_version_of",
]

CORE_VERSIONS: tuple[str, ...] = ("1.3", "1.6", "1.7", "1.8", "1.9")
DEFAULT_CORE_VERSION = "1.8"
NGSI_LD = "https://uri.etsi.org/ngsi-ld/"
DEFAULT_VOCAB = "https://uri.etsi.org/ngsi-ld/default-context/"

# The unversioned URL denotes 1.3 (see core_version_of).
_UNVERSIONED_VERSION = "1.3"

_TSV = "core_terms.tsv"
_FIELDS = ("term", "id", "type", "container", "since", "until", "note")
_URL_RE = re.compile(
    r"https?://uri\.etsi\.org/ngsi-ld/(?:v1/)?ngsi-ld-core-context(?:-v(?P<version>\d+\.\d+))?\.jsonld"
)


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _check(version: str) -> None:
    if version not in CORE_VERSIONS:
        raise ValueError(
            f"unknown NGSI-LD core context version {version!r}; known versions: {', '.join(CORE_VERSIONS)}"
        )


@functools.cache
def _rows() -> tuple[dict[str, str], ...]:
    text = resources.files(__package__).joinpath(_TSV).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE)
    if tuple(reader.fieldnames or ()) != _FIELDS:
        raise RuntimeError(f"{_TSV}: header must be {_FIELDS}, got {reader.fieldnames}")
    return tuple(reader)


@functools.cache
def _rows_for(version: str) -> tuple[dict[str, str], ...]:
    at = _key(version)
    rows = tuple(
        row for row in _rows() if _key(row["since"]) <= at and (not row["until"] or at <= _key(row["until"]))
    )
    seen: set[str] = set()
    for row in rows:
        if row["term"] in seen:
            raise RuntimeError(f"{_TSV}: term {row['term']!r} defined twice for version {version}")
        seen.add(row["term"])
    return rows


def _definition(row: dict[str, str]) -> str | dict[str, Any]:
    if not row["type"] and not row["container"]:
        return row["id"]
    out: dict[str, Any] = {"@id": row["id"]}
    if row["type"]:
        out["@type"] = row["type"]
    if row["container"]:
        containers = row["container"].split(",")
        out["@container"] = containers[0] if len(containers) == 1 else containers
    return out


@functools.cache
def _document(version: str) -> dict[str, Any]:
    ctx: dict[str, Any] = {}
    for row in _rows_for(version):
        term = row["term"]
        if term == "@version":
            ctx[term] = float(row["id"])
        elif term == "@protected":
            ctx[term] = row["id"] == "true"
        else:
            ctx[term] = _definition(row)
    return {"@context": ctx}


@functools.cache
def _terms(version: str) -> dict[str, str]:
    rows = [row for row in _rows_for(version) if not row["term"].startswith("@")]
    # JSON-LD 1.1: a simple term whose IRI ends in "/" or "#" may be used as a prefix.
    prefixes = {row["term"]: row["id"] for row in rows if row["id"].endswith(("/", "#"))}
    out: dict[str, str] = {}
    for row in rows:
        iri = row["id"]
        prefix, colon, local = iri.partition(":")
        if colon and prefix in prefixes and not local.startswith("//"):
            iri = prefixes[prefix] + local
        elif not colon and not iri.startswith("@"):
            iri = DEFAULT_VOCAB + iri
        out[row["term"]] = iri
    return out


def core_context_url(version: str = DEFAULT_CORE_VERSION) -> str:
    """The ETSI URL of the core context of ``version``; ValueError for an unknown version."""
    _check(version)
    return f"https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v{version}.jsonld"


def core_version_of(url: str) -> str | None:
    """The core version a core-context URL denotes, or None if ``url`` is not one we support.

    Versioned URLs are accepted over http or https, with or without ``v1/``.
    The unversioned ``.../v1/ngsi-ld-core-context.jsonld`` denotes 1.3: it is
    the context of the specs before versioned URLs (up to 1.3), frozen since
    1.4 so that JSON-LD 1.0 clients keep working; 1.3 is its last content and
    the only supported version without JSON-LD 1.1 features. Brokers that
    cached an older copy (1.0 era, e.g. with ``name``) differ in a few terms.
    """
    match = _URL_RE.fullmatch(url) if isinstance(url, str) else None
    if match is None:
        return None
    version = match["version"] or _UNVERSIONED_VERSION
    return version if version in CORE_VERSIONS else None


def core_context_document(version: str = DEFAULT_CORE_VERSION) -> dict[str, Any]:
    """``{"@context": {...}}`` for ``version``, built from the term table (a fresh copy per call)."""
    _check(version)
    return copy.deepcopy(_document(version))


def core_terms(version: str = DEFAULT_CORE_VERSION) -> dict[str, str]:
    """Term -> expanded absolute IRI for ``version`` (``id``/``type`` map to their keywords)."""
    _check(version)
    return dict(_terms(version))
