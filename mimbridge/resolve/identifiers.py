"""Identifier normalisation for the resolver: the project's one normaliser, :mod:`mimbridge.identifiers`.

The module lives on the ground floor so that readers (``ogc-records``
``externalIds``) normalise identifiers exactly as the resolver does; it is
re-exported here under its historical name.

>>> parse("https://doi.org/10.5281/ZENODO.123").value
'10.5281/zenodo.123'
"""

from __future__ import annotations

from ..identifiers import (
    EXTERNAL_RESOLVERS,
    PATH_SAFE,
    RESERVED_LABELS,
    SCHEMES,
    SEGMENT_SAFE,
    STA_ENTITY_SETS,
    Context,
    Identifier,
    decode,
    doi_uri,
    encode,
    from_uri,
    parse,
    to_uri,
)

__all__ = [
    "EXTERNAL_RESOLVERS",
    "PATH_SAFE",
    "RESERVED_LABELS",
    "SCHEMES",
    "SEGMENT_SAFE",
    "STA_ENTITY_SETS",
    "Context",
    "Identifier",
    "decode",
    "doi_uri",
    "encode",
    "from_uri",
    "parse",
    "to_uri",
]
