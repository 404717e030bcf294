"""``ogc-records``: OGC API Records items (read only).

A record is a GeoJSON Feature; it is read like ``geojson`` features (same
id, type and name rules, see :mod:`mimbridge.adapters.features`) with what
catalogues need kept as attributes, so that it reaches NGSI-LD and RDF:

* ``time``, ``links``, ``linkTemplates`` and ``conformsTo`` (feature members)
  become attributes (JsonProperty / Property) rather than feature meta-data;
* ``externalIds``, ``themes``, ``contacts`` (JsonProperty) are kept as given;
* every DOI among the ``externalIds`` (scheme ``doi``, or a value such as
  ``10.5555/x``, ``doi:10.5555/x``, ``https://doi.org/10.5555/x``) also
  becomes a resolvable URI (:func:`doi_uri`), the object of a ``sameAs``
  Relationship (``owl:sameAs``);
* the record's ``type`` property (the resource type, e.g. ``dataset``) is
  ``dcterms:type``; the entity type is the ``type=`` option, else the
  collection name, else ``Record``.

>>> import mimbridge
>>> rec = {"type": "Feature", "id": "urn:x:rec:1", "geometry": None, "time": {"date": "2024-05-01"},
...        "properties": {"type": "dataset", "title": "Air quality",
...                       "externalIds": [{"scheme": "doi", "value": "10.5555/AQ#2024"}]}}
>>> e = mimbridge.convert(rec, source="ogc-records", target="ngsi-ld").output
>>> e["type"], e["time"]["json"], e["http://www.w3.org/2002/07/owl#sameAs"]["object"]
('Record', {'date': '2024-05-01'}, 'https://doi.org/10.5555/AQ%232024')
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import quote, unquote

from ...errors import ParseError
from ...model import Attr, Graph, Kind, Node
from ...report import ConversionReport
from ..base import Adapter, Capabilities, OptionSpec
from .geojson import FeatureReader, GeoJSONAdapter, looks_like

__all__ = ["DCTERMS_TYPE", "OWL_SAME_AS", "RecordsAdapter", "doi_uri", "record_dois"]

DCTERMS_TYPE = "http://purl.org/dc/terms/type"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
_DOI_SAFE = "/:;()._-~!$&'*,=@"
_DOI = re.compile(r"^\s*(?:doi:\s*|https?://(?:dx\.)?doi\.org/|info:doi/)?(10\.\d{4,9}/\S.*?)\s*$", re.IGNORECASE)


def doi_uri(doi: str) -> str | None:
    """The resolvable ``https://doi.org/`` URI of a DOI (bare, ``doi:`` or URL form), or None.

    The suffix is percent-encoded as the DOI Handbook asks (``%``, ``"``,
    ``#``, ``?``, space, ``<>{}^[]`|\\+``); an already encoded URL is
    normalised the same way, so the result is stable.

    >>> doi_uri("10.1000/182"), doi_uri("doi:10.5555/a b#c"), doi_uri("https://doi.org/10.5555/a%20b%23c")
    ('https://doi.org/10.1000/182', 'https://doi.org/10.5555/a%20b%23c', 'https://doi.org/10.5555/a%20b%23c')
    >>> doi_uri("urn:uuid:1") is None
    True
    """
    if not isinstance(doi, str):
        return None
    m = _DOI.match(doi)
    if not m:
        return None
    raw = m.group(1)
    if doi.lstrip().lower().startswith(("http://", "https://")):
        raw = unquote(raw)
    prefix, _, suffix = raw.partition("/")
    return f"https://doi.org/{prefix}/{quote(suffix, safe=_DOI_SAFE)}"


def record_dois(external_ids: Any) -> list[str]:
    """DOI URIs among a record's ``externalIds`` (in order, without duplicates).

    >>> record_dois([{"scheme": "DOI", "value": "10.1000/x"}, {"scheme": "WMO:WIS", "value": "urn:x"}])
    ['https://doi.org/10.1000/x']
    """
    out: list[str] = []
    if not isinstance(external_ids, list):
        return out
    for ext in external_ids:
        if not isinstance(ext, dict):
            continue
        value = ext.get("value")
        uri = doi_uri(value) if isinstance(value, str) else None
        if uri is not None and uri not in out:
            out.append(uri)
    return out


class RecordReader(FeatureReader):
    """Records -> model: features, plus the catalogue members as attributes (see module docs)."""

    member_attrs: ClassVar[frozenset[str]] = frozenset({"time", "links", "linkTemplates", "conformsTo"})
    default_type = "Record"

    def properties(self, node: Node, props: dict, ptr: str) -> None:
        rest = props
        if "type" in props:
            rest = {k: v for k, v in props.items() if k != "type"}
            node.attrs[DCTERMS_TYPE] = [self.value(props["type"], f"{ptr}/properties/type")]
        super().properties(node, rest, ptr)
        dois = record_dois(props.get("externalIds"))
        if dois and OWL_SAME_AS not in node.attrs:
            node.attrs[OWL_SAME_AS] = [Attr(Kind.RELATIONSHIP, dois[0] if len(dois) == 1 else dois)]


class RecordsAdapter(Adapter):
    """``ogc-records``: OGC API Records items, read only (see module docs)."""

    name = "ogc-records"
    capabilities = Capabilities(write=False, media_type="application/geo+json",
                                notes="reads OGC API Records items; DOIs in externalIds become sameAs URIs")
    options: ClassVar[dict[str, OptionSpec]] = {k: v for k, v in GeoJSONAdapter.options.items() if k != "lang"}

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        reader = RecordReader(report, **options)
        if isinstance(data, dict) and data.get("type") not in ("Feature", "FeatureCollection"):
            raise ParseError(f"not an OGC API Records item or items page: {looks_like(data)}",
                             pointer="/type", expected='"Feature" or "FeatureCollection"')
        return reader.read_document(data)
