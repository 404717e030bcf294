"""The NGSI-LD profile's emitter: attribute values -> N-Triples lines, with per-context predicate caches."""


from __future__ import annotations

import math
from typing import Any

from ...contexts.active import ActiveContext, context_urls
from ...contexts.core import core_context_url, core_version_of
from ...contexts.loader import ContextLoader
from ...model import Kind
from ..ngsild.vocab import GEO_TYPES, KIND_NAME, VALUE_KEY
from .terms import (
    ABS_IRI,
    GEOJSON,
    META_TERMS,
    NT_BOOLEAN,
    NT_COORDS,
    NT_DOUBLE,
    NT_FIRST,
    NT_INTEGER,
    NT_NIL,
    NT_REST,
    NT_TYPE,
    XSD_DOUBLE,
    Fallback,
    canonical_double,
    esc_lit,
    finite_double,
    json_literal,
    nt_iri,
    nt_literal,
)

__all__ = ["Emitter", "TermContext"]


_LINES_MAX = 1 << 16
#: entries of the double memo kept from one document of a stream to the next (about 1.5 MB)
_KEEP_MAX = 1 << 12


class TermContext:
    """Per active context: predicates and coercions of the NGSI-LD members, memoised."""

    __slots__ = ("_ids", "_special", "actx", "geo", "kind_line", "kinds", "members", "meta", "meta_fast", "names",
                 "obs_lines", "plain", "rel_fast", "rels", "unit_lines", "vplain", "vpred")

    def __init__(self, actx: ActiveContext) -> None:
        self.actx = actx
        self.members: dict[str, tuple[str, dict]] = {}
        self.plain: set[str] = set()
        self._ids: dict[str, str | None] = {}
        self._special: dict[str, bool] = {}
        #: " rdf:type <kind IRI> .\n" per kind, the value member's predicate, and whether it has no coercion
        self.kind_line = {k: f" {NT_TYPE} {nt_iri(actx.expand(KIND_NAME[k]))} .\n" for k in Kind}
        self.vpred = {k: self.member(VALUE_KEY[k])[0] for k in Kind}
        self.vplain = {k: VALUE_KEY[k] in self.plain for k in Kind}
        #: per kind: (kind line, value predicate, whether the value member is plain and has a predicate)
        self.kinds = {k: (self.kind_line[k], self.vpred[k], bool(self.vplain[k] and self.vpred[k])) for k in Kind}
        #: attribute IRI -> whatever a writer memoises for it under this context
        self.names: dict[str, Any] = {}
        #: a Relationship's object is an @id with a predicate and nothing else; object -> (term line end, exact)
        otd = self.member("object")[1]
        self.rel_fast = bool(self.vpred[Kind.RELATIONSHIP]) and otd.get("@type") == "@id" and not otd.get("@container")
        self.rels: dict[str, tuple[str, bool]] = {}
        #: GeoJSON type -> N-Triples type IRI when the context expands geometries as the core context does
        self.geo: dict[str, str] = {}
        ctd = actx.term_definition("coordinates") or {}
        if (actx.expand("type") == "@type" and ctd.get("@id") == GEOJSON + "coordinates"
                and ctd.get("@container") == ["@list"] and "@type" not in ctd and "@context" not in ctd):
            for g in GEO_TYPES:
                gtd = actx.term_definition(g) or {}
                if actx.expand(g) == GEOJSON + g and "@context" not in gtd:
                    self.geo[g] = nt_iri(GEOJSON + g)
        #: per META_TERMS field: (predicate, mode, datatype): mode 0 plain literal, 1 typed, 2 @id, 3 other
        self.meta: list[tuple[str, int, str]] = []
        for _field, term in META_TERMS:
            p, td = self.member(term)
            t = td.get("@type")
            if term in self.plain:
                self.meta.append((p, 0, ""))
            elif t and t[0] != "@" and not td.get("@container"):
                self.meta.append((p, 1, nt_iri(t)))
            elif t == "@id" and not td.get("@container"):
                self.meta.append((p, 2, ""))
            else:
                self.meta.append((p, 3, ""))
        #: observedAt is a typed literal and unitCode a plain one (every core context version)
        obs, unit = self.meta[1], self.meta[2]
        self.meta_fast = obs[1] == 1 and unit[1] == 0 and bool(obs[0] and unit[0])
        #: observedAt / unitCode value -> its line without the subject (meta_fast contexts)
        self.obs_lines: dict[str, str] = {}
        self.unit_lines: dict[str, str] = {}

    def obs_line(self, v: str) -> str:
        """The observedAt line of value ``v`` after its subject (memoised; meta_fast contexts only)."""
        hit = self.obs_lines.get(v)
        if hit is None:
            if len(self.obs_lines) >= _LINES_MAX:
                self.obs_lines.clear()
            p, _mode, dt = self.meta[1]
            hit = self.obs_lines[v] = f' {p} "{esc_lit(v)}"^^{dt} .\n'
        return hit

    def unit_line(self, v: str) -> str:
        """The unitCode line of value ``v`` after its subject (memoised; meta_fast contexts only)."""
        hit = self.unit_lines.get(v)
        if hit is None:
            if len(self.unit_lines) >= _LINES_MAX:
                self.unit_lines.clear()
            hit = self.unit_lines[v] = f' {self.meta[2][0]} "{esc_lit(v)}" .\n'
        return hit

    def member(self, term: str) -> tuple[str, dict]:
        """(N-Triples predicate, term definition) of an NGSI-LD member such as ``value``."""
        hit = self.members.get(term)
        if hit is None:
            td = self.actx.term_definition(term) or {}
            iri = td.get("@id") or self.actx.expand(term)
            hit = self.members[term] = (nt_iri(iri) if ABS_IRI.match(iri) else "", td)
            if not any(k in td for k in ("@type", "@container", "@language", "@context")) \
                    and "@language" not in self.actx.active:
                self.plain.add(term)
        return hit

    def special_term(self, name: str) -> bool:
        """True when a term for the attribute's IRI has a coercion JSON-LD applies to an attribute object."""
        hit = self._special.get(name)
        if hit is None:
            hit = False
            for td in self.actx.active["mappings"].values():
                if td and td.get("@id") == name and (td.get("@type") == "@json" or set(
                        td.get("@container") or ()) - {"@set"}):
                    hit = True
            self._special[name] = hit
        return hit

    def id_iri(self, value: str) -> str | None:
        """``value`` expanded as an ``@id`` (compact IRIs resolved; relative IRIs give None)."""
        hit = self._ids.get(value, "")
        if hit == "":
            prefix = value.partition(":")[0]
            if prefix in self.actx.active["mappings"] or value.startswith("_:"):
                iri = self.actx._proc._expand_iri(self.actx.active, value, base="", vocab=False)
            else:
                iri = value
            hit = self._ids[value] = iri if iri and (ABS_IRI.match(iri) or iri.startswith("_:")) else None
        return hit


class Emitter:
    """Writes triples as N-Triples lines: JSON values expanded the way JSON-LD expands them.

    Values are expanded with the term definitions of the active context (``@id``,
    ``@type`` coercion, ``@container`` ``@list``/``@set``/``@language``, value
    objects, node objects); what this does not implement (scoped contexts,
    ``@index``/``@graph`` containers, ``@reverse``, ``@nest``, ``@included``) is
    expanded by pyld for that one value.
    """

    def __init__(self, loader: ContextLoader, core_version: str) -> None:
        self.lines: list[str] = []
        self.loader = loader
        self.core_version = core_version
        self._bn = 0
        self._labels: dict[str, str] = {}
        self._ctxs: dict[int, TermContext] = {}
        self.invalid: list[str] = []
        #: finite non-integral float -> (its xsd:double term, the term + " .\n", whether it reads back the same)
        self.doubles: dict[float, tuple[str, str, bool]] = {}

    def double(self, v: float) -> tuple[str, str, bool]:
        """Make the :attr:`doubles` entry of a finite non-integral float (callers look there first)."""
        if len(self.doubles) >= _LINES_MAX:
            self.doubles.clear()
        lex = finite_double(v)
        term = f'"{lex}"^^{NT_DOUBLE}'
        hit = self.doubles[v] = (term, term + " .\n", float(lex) == v)
        return hit

    def restart(self) -> None:
        """Ready for the next document of a stream: lines and messages emptied, memos bounded, numbering kept."""
        self.lines.clear()
        self.invalid.clear()
        # names of blank nodes are a batch's own (a reader numbers the blank subjects of each batch from 0)
        self._labels.clear()
        if len(self.doubles) >= _KEEP_MAX:
            self.doubles.clear()
        if len(self._ctxs) >= 64:
            self._ctxs.clear()
        for c in self._ctxs.values():
            for memo in (c._ids, c._special, c.names, c.rels):
                if len(memo) >= _LINES_MAX:
                    memo.clear()

    def ctx(self, actx: ActiveContext) -> TermContext:
        c = self._ctxs.get(id(actx))
        if c is None or c.actx is not actx:
            c = self._ctxs[id(actx)] = TermContext(actx)
        return c

    def bnode(self) -> str:
        self._bn += 1
        return f"_:b{self._bn - 1}"

    def label(self, given: str) -> str:
        """A fresh label for a blank node named in the data (``_:x``), the same for the same name."""
        hit = self._labels.get(given)
        if hit is None:
            hit = self._labels[given] = self.bnode()
        return hit

    # -- values ----------------------------------------------------------
    def value(self, s: str | None, p: str, v: Any, td: dict, c: TermContext, *, lower: bool = True) -> None:
        """Emit ``s p <v expanded under term definition td>`` (arrays give one triple per item)."""
        if v is None:
            return
        if td.get("@type") == "@json":
            if s and p:
                self.lines.append(f"{s} {p} {json_literal(v)} .\n")
            return
        container = td.get("@container")
        if container:
            if "@list" in container:
                o = self.rdf_list(v if v.__class__ is list else [v], td, c, lower)
                if s and p:
                    self.lines.append(f"{s} {p} {o} .\n")
                return
            if "@language" in container and v.__class__ is dict:
                for lang, text in v.items():
                    for t in (text if text.__class__ is list else [text]):
                        if t.__class__ is not str:
                            continue
                        o = nt_literal(t) if c.actx.expand(lang) == "@none" else nt_literal(
                            t, lang=lang.lower() if lower else lang)
                        if s and p:
                            self.lines.append(f"{s} {p} {o} .\n")
                return
            if any(x in container for x in ("@index", "@id", "@type", "@graph")):
                raise Fallback
        if v.__class__ is list:
            for item in v:
                self.value(s, p, item, td, c, lower=lower)
            return
        if v.__class__ is dict and len(v) == 1 and c.actx.expand(next(iter(v))) == "@set":
            self.value(s, p, v[next(iter(v))], td, c, lower=lower)
            return
        o = self.object(v, td, c, lower)  # type: ignore[assignment]
        if o is not None and s and p:
            self.lines.append(f"{s} {p} {o} .\n")

    def geometry(self, s: str, p: str, v: dict, gtype: str) -> bool:
        """A GeoJSON geometry as the core context expands it; True when it reads back unchanged."""
        b = self.bnode()
        head, exact = self.coords(v["coordinates"])
        self.lines.append(f"{b} {NT_TYPE} {gtype} .\n{b} {NT_COORDS} {head} .\n{s} {p} {b} .\n")
        return exact

    def coords(self, items: list) -> tuple[str, bool]:
        """An RDF list of numbers / nested lists (GeoJSON coordinates)."""
        if not items:
            return NT_NIL, True
        exact = True
        cells = []
        doubles = self.doubles
        for x in items:
            xc = x.__class__
            if xc is float:
                hit = doubles.get(x)
                if hit is None and math.isfinite(x) and not x.is_integer():
                    hit = self.double(x)
                if hit is not None:
                    cells.append(hit[0])
                    if not hit[2]:
                        exact = False
                else:
                    cells.append(self.scalar(x))
                    exact = False
            elif xc is int:
                cells.append(self.scalar(x))
                exact = exact and abs(x) < 1e21
            elif xc is list:
                o, ok = self.coords(x)
                cells.append(o)
                exact = exact and ok
            else:
                raise Fallback
        head = cell = self.bnode()
        n = len(cells) - 1
        out = self.lines
        for i, o in enumerate(cells):
            nxt = self.bnode() if i < n else NT_NIL
            out.append(f"{cell} {NT_FIRST} {o} .\n{cell} {NT_REST} {nxt} .\n")
            cell = nxt
        return head, exact

    def rdf_list(self, items: list, td: dict, c: TermContext, lower: bool) -> str:
        objs = []
        for item in items:
            if item is None:
                continue
            if item.__class__ is list:
                objs.append(self.rdf_list(item, td, c, lower))
                continue
            o = self.object(item, td, c, lower)
            if o is not None:
                objs.append(o)
        if not objs:
            return NT_NIL
        head = cell = self.bnode()
        out = self.lines
        for i, o in enumerate(objs):
            out.append(f"{cell} {NT_FIRST} {o} .\n")
            nxt = self.bnode() if i < len(objs) - 1 else NT_NIL
            out.append(f"{cell} {NT_REST} {nxt} .\n")
            cell = nxt
        return head

    def object(self, v: Any, td: dict, c: TermContext, lower: bool = True) -> str | None:
        """The N-Triples term of one JSON value (a node object's own triples are emitted)."""
        cls = v.__class__
        coerce = td.get("@type")
        if coerce == "@json":
            return json_literal(v)
        if cls is str:
            if coerce == "@id":
                iri = c.id_iri(v)
                return None if iri is None else (self.label(iri) if iri.startswith("_:") else nt_iri(iri))
            if coerce == "@vocab":
                iri = c.actx.expand(v)
                if iri.startswith("_:"):
                    return self.label(iri)
                return nt_iri(iri) if ABS_IRI.match(iri) else None
            if coerce and coerce not in ("@none",):
                return nt_literal(v, coerce)
            lang = td.get("@language", c.actx.active.get("@language"))
            if lang:
                return nt_literal(v, lang=lang.lower() if lower else lang)
            return f'"{esc_lit(v)}"'
        if cls is int or cls is float or cls is bool:
            return self.scalar(v, coerce if coerce and coerce[0] != "@" else None)
        if cls is dict:
            return self.node(v, c, lower)
        raise Fallback

    @staticmethod
    def scalar(v: Any, datatype: str | None = None, lang: str | None = None) -> str:
        """JSON-LD's literal for a JSON scalar (``12.0`` -> ``"12"^^xsd:integer`` as JSON-LD does)."""
        cls = v.__class__
        if cls is bool:
            return f'"{"true" if v else "false"}"^^{nt_iri(datatype) if datatype else NT_BOOLEAN}'
        if cls is float and not v.is_integer():
            return f'"{canonical_double(v)}"^^{nt_iri(datatype) if datatype else NT_DOUBLE}'
        if datatype == XSD_DOUBLE:
            return f'"{canonical_double(float(v))}"^^{NT_DOUBLE}'
        if cls is int or cls is float:
            if abs(v) >= 1e21:
                return f'"{canonical_double(float(v))}"^^{nt_iri(datatype) if datatype else NT_DOUBLE}'
            return f'"{int(v)}"^^{nt_iri(datatype) if datatype else NT_INTEGER}'
        if lang:
            return nt_literal(v, lang=lang)
        return nt_literal(v, datatype)

    def node(self, v: dict, c: TermContext, lower: bool) -> str | None:
        actx = c.actx
        keys = {k: actx.expand(k) for k in v}
        kw = {e: k for k, e in keys.items() if e.startswith("@")}
        if "@value" in kw:
            return self.value_object(v, kw, c, lower)
        if "@list" in kw:
            items = v[kw["@list"]]
            return self.rdf_list(items if items.__class__ is list else [items], {}, c, lower)
        if set(kw) - {"@id", "@type"}:
            raise Fallback
        if "@id" in kw:
            raw = v[kw["@id"]]
            if raw.__class__ is not str:
                raise Fallback
            iri = c.id_iri(raw)
            subj = None if iri is None else (self.label(iri) if iri.startswith("_:") else nt_iri(iri))
            if len(v) == 1:
                return subj
        else:
            subj = self.bnode()
        out = self.lines
        if "@type" in kw:
            types = v[kw["@type"]]
            for t in (types if types.__class__ is list else [types]):
                if t.__class__ is not str:
                    raise Fallback
                tdef = actx.term_definition(t)
                if tdef and "@context" in tdef:
                    raise Fallback
                iri = actx.expand(t)
                if subj and ABS_IRI.match(iri):
                    out.append(f"{subj} {NT_TYPE} {nt_iri(iri)} .\n")
        for k, e in keys.items():
            if e[0] == "@" or not ABS_IRI.match(e):
                continue
            td = actx.term_definition(k) or {}
            if "@context" in td or td.get("@reverse"):
                raise Fallback
            self.value(subj, nt_iri(e), v[k], td, c, lower=lower)
        return subj

    def value_object(self, v: dict, kw: dict, c: TermContext, lower: bool) -> str | None:
        if set(kw) - {"@value", "@type", "@language", "@direction", "@index"}:
            raise Fallback
        val = v[kw["@value"]]
        dt = v.get(kw["@type"]) if "@type" in kw else None
        if dt == "@json":
            return json_literal(val)
        if val is None:
            return None
        dt_iri = c.actx.expand(dt) if dt else None
        lang = v.get(kw["@language"]) if "@language" in kw else None
        if lang and lower:
            lang = lang.lower()
        if val.__class__ is str:
            return nt_literal(val, dt_iri, lang) if (dt_iri is None or ABS_IRI.match(dt_iri)) else None
        if val.__class__ not in (int, float, bool) or lang:
            raise Fallback  # not a JSON-LD value object: pyld reports it
        return self.scalar(val, dt_iri)

    # -- pyld for what the direct emitter does not implement ---------------
    def fallback(self, s: str, term: str, v: Any, actx: ActiveContext) -> None:
        """Expand ``{term: v}`` with pyld (the entity's context) and emit its triples with subject ``s``."""
        from pyld import jsonld

        ctx = actx.source
        local = [] if ctx is None else (list(ctx) if isinstance(ctx, list) else [ctx])
        if not any(core_version_of(u) for u in context_urls(ctx)):
            local.append(core_context_url(actx.core_version))
        placeholder = "urn:x-mimbridge:placeholder"
        doc = {"@context": local, "@id": placeholder, term: v}
        try:
            nq = jsonld.to_rdf(doc, {"documentLoader": self.loader, "format": "application/n-quads"})
        except jsonld.JsonLdError as exc:
            self.invalid.append(str(exc).splitlines()[0])
            return
        self._bn += 1
        tag = f"_:f{self._bn}"
        for line in nq.splitlines():
            line = line.replace("_:b", tag + "x")
            if line.startswith(f"<{placeholder}> "):
                line = s + line[len(placeholder) + 2:]
            self.lines.append(line + "\n")


