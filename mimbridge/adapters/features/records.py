"""``ogc-records``: OGC API Records items (read only).

A record is a GeoJSON Feature; it is read like ``geojson`` features (same
id, type and name rules, see :mod:`mimbridge.adapters.features`) with what
catalogues need kept as attributes, so that it reaches NGSI-LD and RDF:

* ``time``, ``links``, ``linkTemplates`` and ``conformsTo`` (feature members)
  become attributes (JsonProperty / Property) rather than feature meta-data;
* ``externalIds``, ``themes``, ``contacts`` (JsonProperty) are kept as given;
* every DOI among the ``externalIds`` (scheme ``doi``, or a value such as
  ``10.5555/x``, ``doi:10.5555/x``, ``https://doi.org/10.5555/x``) also
  becomes a resolvable URI, the object of a ``sameAs`` Relationship
  (``owl:sameAs``), normalised by the project's one identifier normaliser
  (:func:`mimbridge.identifiers.doi_uri`, the one ``mimbridge resolve``
  uses: DOIs are case-insensitive and lower-cased, so both give
  ``https://doi.org/10.5281/zenodo.123`` for ``10.5281/ZENODO.123``); an
  externalId of scheme ``doi`` that is not a valid DOI is reported;
* the record's ``type`` property (the resource type, e.g. ``dataset``) is
  ``dcterms:type``; the entity type is the ``type=`` option, else the
  collection name, else ``Record``.

>>> import mimbridge
>>> rec = {"type": "Feature", "id": "urn:x:rec:1", "geometry": None, "time": {"date": "2024-05-01"},
...        "properties": {"type": "dataset", "title": "Air quality",
...                       "externalIds": [{"scheme": "doi", "value": "10.5555/AQ#2024"}]}}
>>> e = mimbridge.convert(rec, source="ogc-records", target="ngsi-ld").output
>>> e["type"], e["time"]["json"], e["http://www.w3.org/2002/07/owl#sameAs"]["object"]
('Record', {'date': '2024-05-01'}, 'https://doi.org/10.5555/aq%232024')
"""

from __future__ import annotations

from typing import Any, ClassVar

from ...errors import ParseError, ResolutionError
from ...identifiers import doi_uri
from ...minting.readers import mint_ids, rules_option
from ...minting.rules import Rules
from ...model import Attr, Graph, Kind, Node
from ...report import ConversionReport, Unresolved
from ..base import Adapter, Capabilities, OptionSpec
from .geojson import FeatureReader, GeoJSONAdapter, looks_like

__all__ = ["DCTERMS_TYPE", "OWL_SAME_AS", "RecordsAdapter", "doi_uri", "record_dois", "record_uris"]

DCTERMS_TYPE = "http://purl.org/dc/terms/type"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"


def record_dois(external_ids: Any) -> list[str]:
    """DOI URIs among a record's ``externalIds`` (in order, without duplicates), in the resolver's normal form.

    >>> record_dois([{"scheme": "DOI", "value": "10.1000/X"}, {"scheme": "WMO:WIS", "value": "urn:x"}])
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


def record_uris(external_ids: Any, rules: Rules, report: ConversionReport, ptr: str) -> list[str]:
    """The URIs ``mimbridge resolve`` gives under ``rules`` for a record's ``externalIds`` (in order, no duplicates).

    An externalId whose ``scheme`` names a local namespace of the rules is the local code ``scheme:value``;
    any other is read by its ``value`` (a DOI, Handle, ARK, ORCID, URN, URI or CURIE). One that gives no URI
    is reported (``Unresolved``); one of scheme ``doi`` that is no valid DOI is left to the caller's report.

    >>> r = Rules.default(base="https://id.example.city/")
    >>> record_uris([{"scheme": "sensor", "value": "A7"}, {"scheme": "doi", "value": "10.1000/X"}], r,
    ...             ConversionReport(), "")
    ['https://id.example.city/sensor/A7', 'https://doi.org/10.1000/x']
    """
    out: list[str] = []
    if not isinstance(external_ids, list):
        return out
    local = {n.name for n in rules.namespaces if n.scheme == "local"}
    for i, ext in enumerate(external_ids):
        if not isinstance(ext, dict) or not isinstance(ext.get("value"), str):
            continue
        scheme, value = str(ext.get("scheme", "")), ext["value"]
        if scheme.lower() == "doi" and doi_uri(value) is None:
            continue
        try:
            uri = rules.uri(rules.parse(f"{scheme}:{value}" if scheme in local else value))
        except ResolutionError as exc:
            report.add(Unresolved, f"{ptr}/properties/externalIds/{i}/value", f"externalId {value[:80]!r} "
                       f"(scheme {scheme[:40]!r}) gives no URI under the minting rules: {exc}",
                       remedy="add a local namespace named after its scheme to the rule table (minting=)")
            continue
        if uri not in out:
            out.append(uri)
    return out


def _invalid_dois(external_ids: Any) -> list[tuple[int, str]]:
    """``(index, value)`` of the externalIds that say they are DOIs (scheme ``doi``) but are not valid ones."""
    if not isinstance(external_ids, list):
        return []
    return [(i, str(ext.get("value"))) for i, ext in enumerate(external_ids)
            if isinstance(ext, dict) and str(ext.get("scheme", "")).lower() == "doi"
            and doi_uri(ext.get("value")) is None]  # type: ignore[arg-type]


class RecordReader(FeatureReader):
    """Records -> model: features, plus the catalogue members as attributes (see module docs)."""

    member_attrs: ClassVar[frozenset[str]] = frozenset({"time", "links", "linkTemplates", "conformsTo"})
    default_type = "Record"

    def __init__(self, report: ConversionReport, **options: Any) -> None:
        super().__init__(report, **options)
        self.rules = rules_option(options.get("minting"), options.get("mint_base"))

    def properties(self, node: Node, props: dict, ptr: str) -> None:
        rest = props
        if "type" in props:
            rest = {k: v for k, v in props.items() if k != "type"}
            node.attrs[DCTERMS_TYPE] = [self.value(props["type"], f"{ptr}/properties/type")]
        super().properties(node, rest, ptr)
        rules = self.rules
        if rules is None:
            dois = record_dois(props.get("externalIds"))
        else:
            dois = record_uris(props.get("externalIds"), rules, self.report, ptr)
        for i, value in _invalid_dois(props.get("externalIds")):
            self.report.add(Unresolved, f"{ptr}/properties/externalIds/{i}/value", f"DOI {value[:80]!r} is not a "
                            "valid DOI: no sameAs URI (kept in externalIds)",
                            remedy="give the DOI as 10.<registrant>/<suffix> without spaces")
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
        return mint_ids(reader.read_document(data), report, {"minting": reader.rules})
