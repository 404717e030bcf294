"""The Smart Data Models catalogue, read offline from the ``pysmartdatamodels`` package's data files.

``pip install 'mimbridge[sdm]'`` installs ``pysmartdatamodels``; mimbridge never
imports its Python code (which pulls heavy dependencies and reaches the
network) but reads the files it ships under ``model-assets/``:

* ``smartdatamodels.json.gz``: one record per attribute of every model
  (``dataModel``, ``repoName`` = the subject, ``property``, ``typeNGSI``,
  ``context`` = the attribute IRI, JSON ``type``, ``format``, ``units``,
  ``description``, ``enum``, ``model``);
* ``datamodels_metadata.json``: per model ``$id``, ``version``, ``required``,
  ``@context``, ``title``, ``description``;
* ``official_list_data_models.json``: subjects, their models and domains
  (``SmartEnvironment``...), and the catalogue date (``updatedDate``).

Reading the attribute file takes a few seconds; :func:`load_catalogue` does it
once per process. Only top-level attributes are indexed (sub-properties of
``address`` and the members of GeoJSON geometries are not attributes).
Attributes the catalogue lists without an NGSI-LD type are Properties
(:attr:`AttributeSpec.kind_stated` is then False), the data models' default.

>>> cat = Catalogue([{"dataModel": "Bin", "repoName": "dataModel.Waste", "property": "refStation",
...                   "context": "https://ex.org/refStation", "typeNGSI": "Relationship"}],
...                 official={"officialList": [{"repoName": "dataModel.Waste", "domains": ["SmartCities"]}]})
>>> m = cat.model("Bin", domain="SmartCities")
>>> m.qualified, m.attributes["refStation"].kind, m.iri
('dataModel.Waste/Bin', 'Relationship', 'https://smartdatamodels.org/dataModel.Waste/Bin')

The installed catalogue: ``load_catalogue().model("AirQualityObserved")``.
"""

from __future__ import annotations

import difflib
import functools
import gzip
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import CapabilityError, MappingError

__all__ = ["PACKAGE", "SDM_BASE", "AttributeSpec", "Catalogue", "ModelSpec", "available", "catalogue_version",
           "load_catalogue"]

#: the PyPI distribution whose data files hold the catalogue
PACKAGE = "pysmartdatamodels"
#: namespace of the data models' entity types and attributes
SDM_BASE = "https://smartdatamodels.org/"
INSTALL_HINT = "pip install 'mimbridge[sdm]' (installs pysmartdatamodels, whose data files hold the catalogue)"
_GEOJSON_VOCAB = "https://purl.org/geojson/vocab#"
_KINDS = ("Property", "Relationship", "GeoProperty")


@dataclass(frozen=True, slots=True)
class AttributeSpec:
    """One attribute of a data model as the catalogue gives it."""

    name: str
    kind: str
    iri: str
    json_type: str | None = None
    format: str | None = None
    units: str | None = None
    description: str = ""
    enum: tuple[Any, ...] | None = None
    model_iri: str | None = None
    kind_stated: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (None members left out)."""
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "iri": self.iri, "type": self.json_type,
                               "format": self.format, "units": self.units, "description": self.description,
                               "enum": list(self.enum) if self.enum is not None else None, "model": self.model_iri}
        if not self.kind_stated:
            out["kind_stated"] = False
        return {k: v for k, v in out.items() if v not in (None, "")}


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """One data model: name, subject (``dataModel.X``), domains, version and attributes."""

    name: str
    subject: str
    domains: tuple[str, ...] = ()
    version: str = ""
    attributes: Mapping[str, AttributeSpec] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    schema_url: str | None = None
    context_url: str | None = None
    title: str = ""
    description: str = ""

    @property
    def iri(self) -> str:
        """The entity type IRI (``https://smartdatamodels.org/dataModel.X/Name``)."""
        return f"{SDM_BASE}{self.subject}/{self.name}"

    @property
    def qualified(self) -> str:
        """``subject/name``, unique in the catalogue."""
        return f"{self.subject}/{self.name}"

    def kinds(self) -> dict[str, str]:
        """``{attribute: NGSI-LD attribute type}``."""
        return {n: a.kind for n, a in self.attributes.items()}

    def to_dict(self, *, attributes: bool = True) -> dict[str, Any]:
        """JSON-ready form."""
        out: dict[str, Any] = {"name": self.name, "subject": self.subject, "domains": list(self.domains),
                               "version": self.version, "iri": self.iri, "schema": self.schema_url,
                               "context": self.context_url, "required": list(self.required),
                               "title": self.title, "description": self.description}
        if attributes:
            out["attributes"] = [a.to_dict() for a in self.attributes.values()]
        return out


def available() -> bool:
    """Whether the catalogue package is installed (nothing is read).

    >>> isinstance(available(), bool)
    True
    """
    from importlib.util import find_spec

    return find_spec(PACKAGE) is not None


def catalogue_version() -> str:
    """Version of the installed catalogue package; raises CapabilityError when it is missing.

    >>> catalogue_version() if available() else "0"  # doctest: +ELLIPSIS
    '...'
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(PACKAGE)
    except PackageNotFoundError as exc:
        raise CapabilityError(f"the Smart Data Models catalogue is not installed: {INSTALL_HINT}") from exc


def _assets() -> Any:
    from importlib.resources import files

    if not available():
        raise CapabilityError(f"the Smart Data Models catalogue is not installed: {INSTALL_HINT}")
    return files(PACKAGE) / "model-assets"


#: the members of an attribute record the index uses (the rest: ids, licence, tags, is left out while parsing)
_KEEP = ("property", "dataModel", "repoName", "context", "typeNGSI", "type", "format", "units", "description",
         "enum", "model", "parentId")


def _read(name: str) -> Any:
    path = _assets() / name
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise MappingError(f"{PACKAGE} {catalogue_version()}: cannot read model-assets/{name}: {exc}") from exc


def _records(name: str) -> list[dict[str, Any]]:
    """The attribute records, parsed incrementally (ijson) and slimmed: a third of the memory of json.loads."""
    import ijson

    path = _assets() / name
    out: list[dict[str, Any]] = []
    try:
        with path.open("rb") as raw, gzip.open(raw) as fh:
            for rec in ijson.items(fh, "item", use_float=True):
                if isinstance(rec, dict):
                    out.append({k: rec[k] for k in _KEEP if k in rec})
    except (OSError, ValueError, EOFError, ijson.JSONError) as exc:
        raise MappingError(f"{PACKAGE} {catalogue_version()}: cannot read model-assets/{name}: {exc}") from exc
    return out


def _attribute(rec: dict[str, Any]) -> AttributeSpec:
    ngsi = rec.get("typeNGSI")
    enum = rec.get("enum")
    units = rec.get("units")
    model = rec.get("model")
    return AttributeSpec(
        name=rec["property"], kind=ngsi if ngsi in _KINDS else "Property", iri=rec.get("context") or "",
        json_type=rec.get("type") if isinstance(rec.get("type"), str) else None,
        format=rec.get("format") if isinstance(rec.get("format"), str) else None,
        units=units.strip() if isinstance(units, str) and units.strip() else None,
        description=(rec.get("description") or "").strip() if isinstance(rec.get("description"), str) else "",
        enum=tuple(enum) if isinstance(enum, list) else None,
        model_iri=model.strip() if isinstance(model, str) and model.strip() else None,
        kind_stated=ngsi in _KINDS)


def _is_attribute(rec: dict[str, Any]) -> bool:
    ctx = rec.get("context") or ""
    return ("parentId" not in rec and isinstance(rec.get("property"), str) and ctx not in ("@id", "@type")
            and not ctx.startswith(_GEOJSON_VOCAB))


def _better(new: AttributeSpec, old: AttributeSpec) -> bool:
    """Of two records of one attribute (a nested one may lack parentId), keep the one with an NGSI-LD type."""
    return (new.kind_stated, len(new.description)) > (old.kind_stated, len(old.description))


class Catalogue:
    """The indexed catalogue: models by name, entity type IRI, subject and domain.

    Build it with :func:`load_catalogue` (cached) or from the three data files'
    contents (``Catalogue(records, metadata, official)``), as tests do.
    """

    def __init__(self, records: Iterable[dict[str, Any]], metadata: Iterable[dict[str, Any]] = (),
                 official: Mapping[str, Any] | None = None, *, version: str = "") -> None:
        self.version = version
        official = official or {}
        self.updated: str = str(official.get("updatedDate") or "")
        self.domains_of: dict[str, tuple[str, ...]] = {}
        for row in official.get("officialList") or ():
            if isinstance(row, dict) and isinstance(row.get("repoName"), str):
                self.domains_of[row["repoName"]] = tuple(d for d in row.get("domains") or () if isinstance(d, str))
        meta = {(m.get("subject"), m.get("dataModel")): m for m in metadata if isinstance(m, dict)}
        attrs: dict[tuple[str, str], dict[str, AttributeSpec]] = {}
        #: per subject, the IRIs of sub-properties (addressLocality...) the published contexts define too
        self._sub_terms: dict[str, dict[str, str]] = {}
        for rec in records:
            if not isinstance(rec, dict) or not isinstance(rec.get("dataModel"), str):
                continue
            key = (rec.get("repoName") or "", rec["dataModel"])
            group = attrs.setdefault(key, {})
            if not _is_attribute(rec):
                ctx, prop = rec.get("context"), rec.get("property")
                if "parentId" in rec and isinstance(ctx, str) and "://" in ctx and isinstance(prop, str):
                    self._sub_terms.setdefault(key[0], {}).setdefault(prop, ctx)
                continue
            spec = _attribute(rec)
            old = group.get(spec.name)
            if old is None or _better(spec, old):
                group[spec.name] = spec
        self._models: dict[str, ModelSpec] = {}
        self._by_name: dict[str, list[ModelSpec]] = {}
        for (subject, name), group in sorted(attrs.items()):
            m = meta.get((subject, name), {})
            model = ModelSpec(
                name=name, subject=subject, domains=self.domains_of.get(subject, ()),
                version=str(m.get("version") or ""), attributes=dict(sorted(group.items())),
                required=tuple(r for r in m.get("required") or () if isinstance(r, str)),
                schema_url=m.get("$id") if isinstance(m.get("$id"), str) else None,
                context_url=m.get("@context") if isinstance(m.get("@context"), str) else None,
                title=str(m.get("title") or ""), description=str(m.get("description") or ""))
            self._models[model.qualified] = model
            self._by_name.setdefault(name, []).append(model)

    def __len__(self) -> int:
        return len(self._models)

    def __iter__(self) -> Iterator[ModelSpec]:
        return iter(self._models.values())

    def subjects(self) -> list[str]:
        """Subjects (``dataModel.Environment``...) in the catalogue."""
        return sorted({m.subject for m in self})

    def domains(self) -> list[str]:
        """Domains (``SmartEnvironment``...) in the catalogue."""
        return sorted({d for m in self for d in m.domains})

    def models(self, *, subject: str | None = None, domain: str | None = None) -> list[ModelSpec]:
        """Models, optionally of one subject (``Environment`` or ``dataModel.Environment``) or domain."""
        return [m for m in self if (subject is None or m.subject == _subject(subject))
                and (domain is None or _domain(domain) in {d.lower() for d in m.domains})]

    def candidates(self, name: str, *, subject: str | None = None, domain: str | None = None,
                   context: Any = None) -> list[ModelSpec]:
        """Models an entity type or model name may denote.

        ``name`` is a model name (``AirQualityObserved``), ``subject/name``, or an
        entity type IRI (``https://smartdatamodels.org/dataModel.Environment/AirQualityObserved``).
        ``context``: the entity's ``@context``; among several models of that name,
        those whose subject's published context it names are kept.
        """
        if name.startswith(SDM_BASE):
            rest = name[len(SDM_BASE):]
            if "/" in rest:
                subject, name = rest.rsplit("/", 1)
        elif "/" in name and not name.startswith(("http://", "https://", "urn:")):
            subject, name = name.rsplit("/", 1)
        elif ":" in name:
            name = name.rsplit("/", 1)[-1].rsplit("#", 1)[-1].rsplit(":", 1)[-1]
        found = self._by_name.get(name, [])
        if subject is not None:
            found = [m for m in found if m.subject == _subject(subject)]
        if domain is not None:
            found = [m for m in found if _domain(domain) in {d.lower() for d in m.domains}]
        if len(found) > 1 and context is not None:
            urls = {context} if isinstance(context, str) else {c for c in context if isinstance(c, str)} \
                if isinstance(context, list) else set()
            subjects = {_context_subject(u) for u in urls}
            named = [m for m in found if m.subject in subjects]
            found = named or found
        return found

    def find(self, name: str, *, subject: str | None = None, domain: str | None = None,
             context: Any = None) -> ModelSpec | None:
        """The model ``name`` denotes, or None when it is unknown or ambiguous."""
        found = self.candidates(name, subject=subject, domain=domain, context=context)
        return found[0] if len(found) == 1 else None

    def model(self, name: str, *, subject: str | None = None, domain: str | None = None,
              context: Any = None) -> ModelSpec:
        """The model ``name`` denotes; MappingError names the candidates when it is ambiguous or unknown."""
        found = self.candidates(name, subject=subject, domain=domain, context=context)
        if len(found) == 1:
            return found[0]
        where = f"Smart Data Models catalogue {self.version}".rstrip()
        if found:
            raise MappingError(f"data model {name!r} is ambiguous in the {where}: "
                               f"{', '.join(m.qualified for m in found)}; give subject/name or a domain")
        close = difflib.get_close_matches(name.rsplit("/", 1)[-1], list(self._by_name), n=5)
        hint = f"; close names: {', '.join(close)}" if close else ""
        raise MappingError(f"data model {name!r} is not in the {where}{hint}")

    def context(self, subject: str) -> dict[str, Any]:
        """The JSON-LD context of a subject (its models' terms and attribute IRIs), built from the catalogue."""
        subject = _subject(subject)
        terms: dict[str, str] = {}
        for m in self.models(subject=subject):
            terms.setdefault(m.name, m.iri)
            for a in m.attributes.values():
                if a.iri and "://" in a.iri:
                    terms.setdefault(a.name, a.iri)
        for name, iri in self._sub_terms.get(subject, {}).items():
            terms.setdefault(name, iri)
        return {"@context": dict(sorted(terms.items()))}

    def context_documents(self, subjects: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """``{context URL: document}`` for the subjects' published ``@context`` URLs (all by default).

        Pass it as the ``contexts=`` option so entities carrying a Smart Data Models
        ``@context`` expand offline.
        """
        wanted = {_subject(s) for s in subjects} if subjects is not None else None
        urls: dict[str, str] = {}
        for m in self:
            if wanted is None or m.subject in wanted:
                # both places the data models publish a subject's context
                urls.setdefault(f"{_RAW_BASE}{m.subject}/master/context.jsonld", m.subject)
                urls.setdefault(f"{_SITE_BASE}{m.subject}/context.jsonld", m.subject)
                if m.context_url:
                    urls.setdefault(m.context_url, m.subject)
        docs: dict[str, dict[str, Any]] = {}
        for subject in sorted(set(urls.values())):
            doc = self.context(subject)
            docs.update({u: doc for u, s in urls.items() if s == subject})
        return dict(sorted(docs.items()))


_RAW_BASE = "https://raw.githubusercontent.com/smart-data-models/"
_SITE_BASE = "https://smart-data-models.github.io/"
_CONTEXT_URL = re.compile(r"^https?://(?:raw\.githubusercontent\.com/smart-data-models|smart-data-models\.github\.io)/"
                          r"(dataModel\.[^/]+)/")


def _context_subject(url: str) -> str | None:
    match = _CONTEXT_URL.match(url)
    return match.group(1) if match else None


def _subject(subject: str) -> str:
    return subject if subject.startswith("dataModel.") else f"dataModel.{subject}"


def _domain(domain: str) -> str:
    d = domain.lower()
    return d if d.startswith("smart") else f"smart{d}"


@functools.lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The installed catalogue, read once per process; CapabilityError when the extra is missing.

    >>> load_catalogue().version == catalogue_version() if available() else True
    True
    """
    version = catalogue_version()
    return Catalogue(_records("smartdatamodels.json.gz"), _read("datamodels_metadata.json"),
                     _read("official_list_data_models.json"), version=version)
