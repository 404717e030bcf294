"""Minting rules as data: namespaces -> URI templates (the engine the resolver and the readers share).

A rule table (JSON, or YAML when PyYAML is installed; validated against the
shipped ``minting.schema.json``) lists namespaces, each with an identifier
scheme and a template such as ``{base}{type}/{local}``. :class:`Rules` mints
the URI of an identifier, reads a minted URI back (:meth:`Rules.identify`),
and gives converters an IRI for things that have none
(:meth:`Rules.iri_for`, :meth:`Rules.iri_for_content`), always the same for
the same input. Template variables: ``{base}`` (the table's base URI),
``{type}`` (NGSI-LD entity type, STA entity set), ``{local}`` (the rest;
percent-encoded, ``/`` kept). Every minted URI is checked to read back to the
identifier it came from, so two namespaces can never silently share a URI.

The shipped table's base (``https://id.example.city/``) is a placeholder: without a
``base`` or a rule table of one's own nothing is minted on it (:attr:`Rules.placeholder`);
:meth:`Rules.uri` then gives an identifier's own URI and :meth:`Rules.mint` says what is missing.

>>> Rules.default().uri(Rules.default().parse("urn:ngsi-ld:Building:b1"))
'urn:ngsi-ld:Building:b1'
>>> rules = Rules.default(base="https://id.example.city/")
>>> rules.mint(rules.parse("urn:ngsi-ld:Building:b1"))
'https://id.example.city/Building/b1'
>>> str(rules.identify("https://id.example.city/sensor/42"))
'sensor:42'
>>> rules.iri_for("sensor", "A 7")
'https://id.example.city/sensor/A%207'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import MappingError, ResolutionError
from ..identifiers import (
    EXTERNAL_RESOLVERS,
    RESERVED_LABELS,
    SEGMENT_SAFE,
    Context,
    Identifier,
    decode,
    encode,
    parse,
    to_uri,
)

__all__ = ["NO_BASE_HINT", "Namespace", "Rules", "load_schema"]

NO_BASE_HINT = ("no base URI is configured, so nothing is minted on the placeholder host of the shipped rule "
                "table: give a base (--base URL) or a rule table (--rules FILE)")
_VAR = re.compile(r"\{(base|type|local)\}")


@cache
def load_schema() -> dict[str, Any]:
    """The JSON Schema of rule tables (shipped as ``minting.schema.json``).

    >>> load_schema()["title"]
    'mimbridge minting rules'
    """
    return json.loads(resources.files(__package__).joinpath("minting.schema.json").read_text("utf-8"))


@dataclass(frozen=True)
class Namespace:
    """One rule: ``name``, identifier ``scheme``, URI ``template`` (and ``server`` for STA)."""

    name: str
    scheme: str
    template: str
    server: str = ""
    description: str = ""

    def literal_prefix(self) -> str:
        """The fixed text of the template between ``{base}`` and the first other variable."""
        rest = self.template[len("{base}"):]
        m = re.search(r"\{(type|local)\}", rest)
        return rest[: m.start()] if m else rest

    def pattern(self, base: str) -> re.Pattern[str]:
        """A regex that matches the URIs this namespace mints under ``base``."""
        out, pos = [], 0
        for m in _VAR.finditer(self.template):
            out.append(re.escape(self.template[pos:m.start()]))
            name = m.group(1)
            out.append(re.escape(base) if name == "base" else
                       "(?P<type>[^/?#]+)" if name == "type" else "(?P<local>[^?#]+)")
            pos = m.end()
        out.append(re.escape(self.template[pos:]))
        return re.compile("^" + "".join(out) + "$", re.S)

    def fill(self, base: str, *, type: str = "", local: str) -> str:
        """The template with its variables filled in (``type`` and ``local`` percent-encoded)."""
        values = {"base": base, "type": encode(type, safe=SEGMENT_SAFE), "local": encode(local)}
        return _VAR.sub(lambda m: values[m.group(1)], self.template)


def _template_parts(ident: Identifier) -> tuple[str, str]:
    """(type, local) of an identifier for a template."""
    s = ident.scheme
    if s == "ark":
        return "", f"{ident.kind}/{ident.local}"
    if s == "urn":
        return "", ident.value[4:]
    if s in ("ngsi-ld", "sta"):
        return ident.kind, ident.local
    if s == "local":
        return "", ident.local
    return "", ident.value


class Rules:
    """A validated rule table. Build with :meth:`from_file`, :meth:`from_dict` or :meth:`default`.

    ``base`` overrides the table's base URI (``mimbridge serve --base``). ``placeholder`` is True for
    the shipped table without a base: it mints nothing.
    """

    def __init__(self, data: Mapping[str, Any], *, base: str | None = None, source: str = "<rules>",
                 placeholder: bool = False) -> None:
        import jsonschema

        self.placeholder = placeholder and base is None
        data = dict(data)
        if base is not None:
            data["base"] = base if base.endswith("/") else base + "/"
        errors = sorted(jsonschema.Draft202012Validator(load_schema()).iter_errors(data), key=lambda e: e.path)
        if errors:
            e = errors[0]
            where = "/" + "/".join(str(p) for p in e.path)
            raise MappingError(f"{source}{where}: {e.message}")
        self.data = data
        self.base: str = data["base"]
        self.document_path: str = data.get("document_path", "doc/")
        self.prefixes: dict[str, str] = dict(data.get("prefixes", {}))
        self.namespaces: tuple[Namespace, ...] = tuple(Namespace(**n) for n in data["namespaces"])
        self.default_namespace: str | None = data.get("default_namespace")
        self._check(source)
        locals_ = frozenset(n.name for n in self.namespaces if n.scheme == "local")
        servers = tuple(n.server for n in self.namespaces if n.scheme == "sta")
        self.context = Context(prefixes=self.prefixes, sta_servers=servers, namespaces=locals_,
                               default_namespace=self.default_namespace)
        try:
            _ = self.context.converter
        except ResolutionError as exc:
            raise MappingError(f"{source}/prefixes: {exc}") from exc
        order = sorted(self.namespaces, key=lambda n: -len(n.literal_prefix()))
        self._patterns = [(n, n.pattern(self.base)) for n in order]

    def _check(self, source: str) -> None:
        names = [n.name for n in self.namespaces]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise MappingError(f"{source}/namespaces: duplicate namespace names {dupes}")
        templates = [n.template for n in self.namespaces]
        same = sorted({t for t in templates if templates.count(t) > 1})
        if same:
            raise MappingError(f"{source}/namespaces: several namespaces share the template {same[0]!r}")
        for p in self.prefixes:
            if p.lower() in RESERVED_LABELS:
                raise MappingError(f"{source}/prefixes/{p}: {p!r} is reserved for identifier labels")
        for n in self.namespaces:
            if n.scheme == "local" and (n.name in self.prefixes or n.name.lower() in RESERVED_LABELS):
                raise MappingError(f"{source}/namespaces: local namespace {n.name!r} clashes with a prefix or label")
            if n.literal_prefix().startswith(self.document_path):
                raise MappingError(f"{source}/namespaces: {n.name!r} mints under the document path "
                                   f"{self.document_path!r}")
        if self.default_namespace is not None and self.default_namespace not in {
                n.name for n in self.namespaces if n.scheme == "local"}:
            raise MappingError(f"{source}/default_namespace: {self.default_namespace!r} is not a local namespace")

    # construction -----------------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, base: str | None = None) -> Rules:
        """Rules from an already parsed table."""
        return cls(data, base=base)

    @classmethod
    def from_file(cls, path: str | Path, *, base: str | None = None) -> Rules:
        """Rules from a JSON or YAML (``.yaml``/``.yml``, needs PyYAML) file."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise MappingError(f"cannot read rule table {p}: {exc.strerror}") from exc
        try:
            if p.suffix.lower() in (".yaml", ".yml"):
                try:
                    import yaml
                except ImportError as exc:
                    raise MappingError("YAML rule tables need PyYAML (pip install pyyaml)") from exc
                data = yaml.safe_load(text)
            else:
                data = json.loads(text)
        except MappingError:
            raise
        except Exception as exc:  # json.JSONDecodeError, yaml.YAMLError
            raise MappingError(f"{p}: not valid {'YAML' if p.suffix.lower() in ('.yaml', '.yml') else 'JSON'}: "
                               f"{exc}") from exc
        if not isinstance(data, dict):
            raise MappingError(f"{p}: a rule table is an object")
        return cls(data, base=base, source=str(p))

    @classmethod
    def default(cls, *, base: str | None = None) -> Rules:
        """The rule table shipped with mimbridge (``minting.default.json``); it mints only with a ``base``."""
        return cls(_default_data(), base=base, source="minting.default.json", placeholder=True)

    # identifiers <-> URIs ---------------------------------------------------------------------------------

    def parse(self, text: str) -> Identifier:
        """:func:`~mimbridge.resolve.identifiers.parse` with this table's prefixes, servers and namespaces."""
        if isinstance(text, str) and not self.placeholder and text.strip().startswith(self.base):
            return self.identify(text.strip())
        return parse(text, self.context)

    def namespace_for(self, ident: Identifier) -> Namespace | None:
        """The namespace that mints ``ident`` (first match), or None."""
        for n in self.namespaces:
            if n.scheme != ident.scheme:
                continue
            if ident.scheme == "local" and n.name != ident.namespace:
                continue
            if ident.scheme == "sta" and n.server != ident.namespace:
                continue
            return n
        return None

    def mint(self, ident: Identifier) -> str:
        """The minted (thing) URI of ``ident``; ResolutionError if no namespace takes it or it would collide.

        >>> r = Rules.default(base="https://id.example.city/")
        >>> r.mint(r.parse("https://doi.org/10.5281/ZENODO.1"))
        'https://id.example.city/doi/10.5281/zenodo.1'
        """
        if self.placeholder:
            raise ResolutionError(f"{ident}: {NO_BASE_HINT}")
        ns = self.namespace_for(ident)
        if ns is None:
            raise ResolutionError(f"no minting rule for {ident.scheme} identifier {ident}")
        type_, local = _template_parts(ident)
        uri = ns.fill(self.base, type=type_, local=local)
        if any(decode(seg) in (".", "..") for seg in uri[len(self.base):].split("/")):
            raise ResolutionError(f"{ident} would be minted as {uri}, whose '.' or '..' segments clients remove: "
                                  "no stable URI is possible")
        if uri[len(self.base):].startswith(self.document_path):
            raise ResolutionError(f"{ident} would be minted as {uri}, under the document path "
                                  f"{self.document_path!r}")
        back = self._unmint(uri)
        if back != ident:
            raise ResolutionError(f"{ident} would be minted as {uri}, which reads back as {back}: "
                                  f"namespace {ns.name!r} collides with another rule")
        return uri

    def uri(self, ident: Identifier) -> str:
        """The stable URI to publish: the global resolver URL for DOI/Handle/ARK/ORCID, else the minted URI
        (without a configured base: the identifier's own URI; ResolutionError for a local code, which has none).

        >>> r = Rules.default(base="https://id.example.city/")
        >>> r.uri(r.parse("doi:10.5281/zenodo.123")), r.uri(r.parse("sensor:42"))
        ('https://doi.org/10.5281/zenodo.123', 'https://id.example.city/sensor/42')
        """
        if ident.scheme in EXTERNAL_RESOLVERS or ident.scheme in ("curie", "uri"):
            return to_uri(ident)
        if self.namespace_for(ident) is None:
            return to_uri(ident)
        if self.placeholder:
            if ident.scheme == "local":
                raise ResolutionError(f"{ident} is a local code without a URI of its own; {NO_BASE_HINT}")
            return to_uri(ident)
        return self.mint(ident)

    def _unmint(self, uri: str) -> Identifier | None:
        for ns, pat in self._patterns:
            m = pat.match(uri)
            if not m:
                continue
            try:
                return self._from_parts(ns, m.groupdict())
            except ResolutionError:
                continue
        return None

    def _from_parts(self, ns: Namespace, parts: dict[str, str]) -> Identifier:
        local = decode(parts["local"])
        type_ = decode(parts.get("type") or "")
        s = ns.scheme
        if s == "sta":
            return parse(f"{ns.server}{type_}({encode(local, safe=SEGMENT_SAFE)})", self.context)
        if s == "ngsi-ld":
            if ":" in type_:
                raise ResolutionError("an NGSI-LD type segment cannot hold ':'")
            text = f"urn:ngsi-ld:{type_}:{local}"
        elif s == "local":
            text = f"{ns.name}:{local}"
        else:
            text = {"doi": "doi:", "handle": "hdl:", "orcid": "orcid:", "ark": "ark:/", "urn": "urn:"}[s] + local
        ident = parse(text, self.context)
        if ident.scheme != s:
            raise ResolutionError(f"{text!r} is not a {s} identifier")
        return ident

    def identify(self, uri: str) -> Identifier:
        """The identifier behind a URI: minted URIs read back through the rules, others via ``from_uri``.

        >>> Rules.default(base="https://id.example.city/").identify("https://id.example.city/Building/b1").value
        'urn:ngsi-ld:Building:b1'
        """
        if uri.startswith(self.base) and not self.placeholder:
            rest = uri[len(self.base):]
            if rest.startswith(self.document_path):
                raise ResolutionError(f"{uri} is a document URI; its thing is {self.thing_uri(uri)}")
            hit = self._unmint(uri)
            if hit is None:
                raise ResolutionError(f"no minting rule reads {uri}")
            return hit
        return parse(uri, self.context)

    def candidates(self, ident: Identifier) -> list[str]:
        """IRIs under which a store may hold ``ident``: its minted URI, then its own URI."""
        out: list[str] = []
        if self.namespace_for(ident) is not None:
            try:
                out.append(self.mint(ident))
            except ResolutionError:
                pass
        try:
            own = to_uri(ident)
        except ResolutionError:
            own = None
        if own and own not in out:
            out.append(own)
        return out

    # documents --------------------------------------------------------------------------------------------

    def document_uri(self, thing_uri: str) -> str:
        """The URI of the document describing a thing minted under the base.

        >>> Rules.default(base="https://id.example.city/").document_uri("https://id.example.city/sensor/42")
        'https://id.example.city/doc/sensor/42'
        """
        if not thing_uri.startswith(self.base):
            raise ResolutionError(f"{thing_uri} is not under {self.base}")
        return self.base + self.document_path + thing_uri[len(self.base):]

    def thing_uri(self, document_uri: str) -> str:
        """Inverse of :meth:`document_uri`."""
        prefix = self.base + self.document_path
        if not document_uri.startswith(prefix):
            raise ResolutionError(f"{document_uri} is not a document URI under {prefix}")
        return self.base + document_uri[len(prefix):]

    @property
    def base_path(self) -> str:
        """The path part of the base URI (``/`` for ``https://id.example.city/``)."""
        return urlsplit(self.base).path or "/"

    # converters -------------------------------------------------------------------------------------------

    def iri_for(self, namespace: str, local: str | int, *, type: str | None = None) -> str:
        """Mint the IRI of ``local`` in the namespace named ``namespace`` (``type``: entity type / STA set).

        >>> Rules.default(base="https://id.example.city/").iri_for("sta", 7, type="Things")
        'https://id.example.city/sta/Things/7'
        """
        ns = next((n for n in self.namespaces if n.name == namespace), None)
        if ns is None:
            raise ResolutionError(f"no namespace named {namespace!r}")
        s, text = ns.scheme, str(local)
        if s in ("ngsi-ld", "sta") and not type:
            raise ResolutionError(f"namespace {namespace!r} needs a type")
        if s == "local":
            ident = parse(f"{ns.name}:{text}", self.context)
        elif s == "ngsi-ld":
            ident = parse(f"urn:ngsi-ld:{type}:{text}", self.context)
        elif s == "sta":
            lit = text if isinstance(local, int) else "'" + text.replace("'", "''") + "'"
            ident = parse(f"{ns.server}{type}({encode(lit, safe=SEGMENT_SAFE)})", self.context)
        else:
            ident = self._from_parts(ns, {"local": encode(text)})
        return self.mint(ident)

    def iri_for_content(self, namespace: str, data: Any, *, type: str | None = None) -> str:
        """An IRI for something without an id, derived from its content (same content, same IRI).

        >>> r = Rules.default(base="https://id.example.city/")
        >>> r.iri_for_content("sensor", {"b": 1, "a": [2]}) == r.iri_for_content("sensor", {"a": [2], "b": 1})
        True
        """
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
        return self.iri_for(namespace, "h" + digest, type=type)


@cache
def _default_data() -> dict[str, Any]:
    return json.loads(resources.files(__package__).joinpath("minting.default.json").read_text("utf-8"))
