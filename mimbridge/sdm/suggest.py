"""Candidate alignments of attributes to Smart Data Models catalogue attributes, as SSSOM rows.

A :class:`Query` is an attribute to align: its IRI, its name (label), a
description, a unit (UN/CEFACT code) and its NGSI-LD kind when known. Queries
come from a data set (:func:`queries_from_graph`: the attributes the
catalogue does not list for the entity's model) or from the side of an SSSOM
table that is not a catalogue IRI (:func:`queries_from_table`).

Each catalogue attribute IRI (one per subject and name) is a target, scored by

* the name: character-trigram similarity of the normalised names (label and
  IRI local name; equal names score 1), the words they share (``no2Concentration``
  and ``no2``), and an equal IRI;
* the text: idf-weighted cosine of the words of the query (name, description)
  and of the target (name, descriptions, ``model`` IRI, units text);
* the unit: the same UN/CEFACT code, or the same SI dimension, raises the
  score; a different dimension lowers it;
* the kind: a Relationship only matches a Relationship.

:func:`suggest` keeps the best ``top`` targets per query above ``threshold``
as rows: ``skos:exactMatch`` for an equal IRI, or an equal name with no unit
conflict, else ``skos:closeMatch``; ``confidence`` is the score;
``mapping_justification`` is ``semapv:LexicalSimilarityThresholdMatching``
when the name weighs most, else ``semapv:SemanticSimilarityThresholdMatching``.

>>> from mimbridge.sdm.catalogue import Catalogue
>>> cat = Catalogue([{"dataModel": "Bin", "repoName": "dataModel.Waste", "property": "fillingLevel",
...                   "context": "https://smartdatamodels.org/dataModel.Waste/fillingLevel", "type": "number",
...                   "description": "Filling level of the container", "typeNGSI": "Property"}])
>>> rows = suggest([Query("urn:x:fill_level", "fill_level")], catalogue=cat).mappings
>>> rows[0].object_id, rows[0].predicate_id, rows[0].values["confidence"] > 0.5
('sdm-Waste:fillingLevel', 'skos:closeMatch', True)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..mapping.sssom import Mapping, MappingSet
from ..mapping.units import unit_by_code
from ..model import Graph
from .catalogue import SDM_BASE, Catalogue, load_catalogue
from .units import unit_code

__all__ = ["Query", "Target", "evaluate", "queries_from_graph", "queries_from_table", "rank", "suggest"]

NGSI_DEFAULT = "https://uri.etsi.org/ngsi-ld/default-context/"
LEXICAL = "semapv:LexicalSimilarityThresholdMatching"
SEMANTIC = "semapv:SemanticSimilarityThresholdMatching"
_STOP = frozenset("a an and are as at be by for from in is it its of on or that the this to which with".split())


@dataclass(frozen=True, slots=True)
class Query:
    """An attribute to align (``id``: IRI or CURIE)."""

    id: str
    label: str = ""
    description: str = ""
    unit: str | None = None
    kind: str | None = None


@dataclass(slots=True)
class Target:
    """A catalogue attribute IRI with what the catalogue says of it across models."""

    iri: str
    name: str
    subject: str
    kinds: set[str]
    units: set[str]
    text: str
    models: list[str]


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _words(text: str) -> list[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text))
    spaced = re.sub(r"([A-Za-z])(\d)", r"\1 \2", re.sub(r"(\d)([A-Za-z])", r"\1 \2", spaced))
    return [w for w in re.findall(r"[a-z0-9µ]+", spaced.lower()) if w not in _STOP]


def _trigrams(name: str) -> set[str]:
    s = f"  {_norm(name)} "
    return {s[i:i + 3] for i in range(len(s) - 2)}


def _local(iri: str) -> str:
    return re.split(r"[/#:]", iri)[-1]


def _dimension(code: str | None) -> str | None:
    unit = unit_by_code(code) if code else None
    return unit.si if unit is not None else None


class _Index:
    def __init__(self, targets: list[Target]) -> None:
        self.targets = targets
        self.grams = [_trigrams(t.name) for t in targets]
        self.name_words = [set(_words(t.name)) for t in targets]
        self.norms = [_norm(t.name) for t in targets]
        self.vectors = [Counter(_words(t.text)) for t in targets]
        df: Counter[str] = Counter()
        for v in self.vectors:
            df.update(v.keys())
        n = len(targets) or 1
        self.idf = {w: math.log((n + 1) / (c + 0.5)) for w, c in df.items()}
        self.norm2 = [math.sqrt(sum((c * self.idf[w]) ** 2 for w, c in v.items())) or 1.0 for v in self.vectors]
        self.by_iri = {t.iri: i for i, t in enumerate(targets)}


def _targets(catalogue: Catalogue, to: str | None) -> list[Target]:
    scope = catalogue.models()
    if to:
        subject_models = catalogue.models(subject=to)
        scope = subject_models or catalogue.models(domain=to)
        if not scope:
            _raise_scope(catalogue, to)
    found: dict[str, Target] = {}
    for m in scope:
        for a in m.attributes.values():
            iri = a.iri if "://" in a.iri else f"{SDM_BASE}{m.subject}/{a.name}"
            t = found.get(iri)
            if t is None:
                t = found[iri] = Target(iri, a.name, m.subject, set(), set(), a.name, [])
            if a.kind_stated:
                t.kinds.add(a.kind)
            code = unit_code(a.units) if a.units else None
            if code:
                t.units.add(code)
            extra = " ".join(x for x in (a.description, _local(a.model_iri or ""), a.units or "") if x)
            if extra and extra not in t.text:
                t.text += " " + extra
            t.models.append(m.qualified)
    return sorted(found.values(), key=lambda t: t.iri)


def _raise_scope(catalogue: Catalogue, to: str) -> None:
    """MappingError for a ``--to sdm:X`` that names no subject nor domain."""
    from ..errors import MappingError

    raise MappingError(f"sdm:{to} names no subject nor domain of the Smart Data Models catalogue "
                       f"{catalogue.version}; domains: {', '.join(catalogue.domains())}")


def rank(query: Query, index: Any, *, top: int = 3) -> list[tuple[float, float, float, Target]]:
    """The best ``top`` targets: ``(score, name part, text part, target)``, best first."""
    names = [n for n in {query.label, _local(query.id)} if n]
    qgrams = [_trigrams(n) for n in names]
    qwords = [set(_words(n)) for n in names]
    qnorms = {_norm(n) for n in names}
    qvec = Counter(_words(" ".join([*names, query.description])))
    qw = {w: c * index.idf.get(w, 0.0) for w, c in qvec.items()}
    qn = math.sqrt(sum(v * v for v in qw.values())) or 1.0
    qdim = _dimension(query.unit)
    out = []
    for i, t in enumerate(index.targets):
        if index.norms[i] in qnorms:
            name = 1.0
        else:
            g, nw = index.grams[i], index.name_words[i]
            name = max((2 * len(q & g) / (len(q) + len(g)) for q in qgrams), default=0.0)
            if nw:  # name words in common (no2Concentration ~ no2), a little below an equal name
                name = max(name, 0.9 * max((2 * len(w & nw) / (len(w) + len(nw)) for w in qwords if w), default=0))
        vec = index.vectors[i]
        text = sum(w * vec[k] * index.idf.get(k, 0.0) for k, w in qw.items() if k in vec) / (qn * index.norm2[i])
        score = 0.6 * name + 0.4 * min(text, 1.0)
        if query.unit and t.units:
            if query.unit in t.units:
                score += 0.1
            elif qdim is not None and qdim in {_dimension(u) for u in t.units}:
                score += 0.05
            else:
                score -= 0.15
        if query.kind and t.kinds and (query.kind == "Relationship") != ("Relationship" in t.kinds):
            score -= 0.2
        if t.iri == query.id:
            score = 1.0
        out.append((max(0.0, min(score, 1.0)), name, text, t))
    out.sort(key=lambda x: (-x[0], x[3].iri))
    return out[:top]


def _prefix(subject: str) -> str:
    return "sdm-" + subject.removeprefix("dataModel.")


def suggest(queries: Iterable[Query], *, catalogue: Catalogue | None = None, to: str | None = None,
            top: int = 3, threshold: float = 0.3, curie_map: dict[str, str] | None = None,
            mapping_set_id: str = "urn:mimbridge:mapping-set:sdm-suggestions") -> MappingSet:
    """Candidate SSSOM rows from ``queries`` to catalogue attributes (of subject or domain ``to``)."""
    cat = catalogue or load_catalogue()
    index = _Index(_targets(cat, to))
    prefixes = {"sdm": SDM_BASE, **dict(curie_map or {})}
    rows: dict[tuple[str, str, str], Mapping] = {}
    for q in queries:
        for rank_no, (score, name, text, t) in enumerate(rank(q, index, top=top), 1):
            if score < threshold:
                continue
            base = t.iri[: len(t.iri) - len(t.name)]
            if base in (SDM_BASE, f"{SDM_BASE}{t.subject}/"):
                prefix = next((p for p, ns in prefixes.items() if ns == base), None)
                if prefix is None:
                    prefix = "sdm" if base == SDM_BASE else _prefix(t.subject)
                    prefixes.setdefault(prefix, base)
                obj = f"{prefix}:{t.name}" if prefixes[prefix] == base else t.iri
            else:
                obj = t.iri
            unit_ok = not (q.unit and t.units and q.unit not in t.units)
            exact = t.iri == q.id or (name == 1.0 and unit_ok)
            lexical = 0.6 * name >= 0.4 * min(text, 1.0)
            values: dict[str, Any] = {
                "subject_id": _compress(q.id, prefixes), "subject_label": q.label or _local(q.id),
                "predicate_id": "skos:exactMatch" if exact else "skos:closeMatch",
                "object_id": obj, "object_label": t.name,
                "mapping_justification": LEXICAL if lexical else SEMANTIC,
                "confidence": round(score, 3),
                "similarity_score": round(name if lexical else min(text, 1.0), 3),
                "similarity_measure": "character trigram Dice of normalised names" if lexical
                else "idf-weighted cosine of name and description words",
                "mapping_tool": "mimbridge mapping suggest",
                "comment": f"rank {rank_no}; {len(t.models)} model(s): {', '.join(t.models[:3])}"
                           f"{' ...' if len(t.models) > 3 else ''}"
                           + (f"; units {q.unit} vs {'/'.join(sorted(t.units))}" if q.unit and t.units else ""),
            }
            key = (values["subject_id"], values["predicate_id"], obj)
            if key not in rows or rows[key].values["confidence"] < values["confidence"]:
                rows[key] = Mapping(values)
    meta = {"mapping_set_id": mapping_set_id, "license": "https://creativecommons.org/licenses/by/4.0/",
            "mapping_set_description": f"Candidate alignments to the Smart Data Models catalogue {cat.version}"
                                       f"{' (' + to + ')' if to else ''}, to be reviewed before use",
            "mapping_tool": "mimbridge mapping suggest"}
    used = {v.partition(":")[0] for m in rows.values() for v in (m.subject_id, m.object_id)}
    return MappingSet(list(rows.values()), curie_map={p: ns for p, ns in prefixes.items() if p in used},
                      metadata=meta)


def _compress(iri: str, prefixes: dict[str, str]) -> str:
    best = max((p for p, ns in prefixes.items() if iri.startswith(ns) and len(iri) > len(ns)),
               key=lambda p: len(prefixes[p]), default=None)
    if best is None:
        if iri.startswith(NGSI_DEFAULT):
            prefixes.setdefault("ngsild-default", NGSI_DEFAULT)
            return f"ngsild-default:{iri[len(NGSI_DEFAULT):]}"
        return iri
    return f"{best}:{iri[len(prefixes[best]):]}"


def queries_from_graph(graph: Graph, *, catalogue: Catalogue | None = None) -> list[Query]:
    """The attributes of a data set that the catalogue does not list for their entity's model."""
    cat = catalogue or load_catalogue()
    out: dict[str, Query] = {}
    for node in graph.nodes:
        model = None
        for t in node.types:
            model = cat.find(t) or cat.find(_local(t))
            if model is not None:
                break
        for iri, instances in node.attrs.items():
            name = _local(iri)
            spec = model.attributes.get(name) if model is not None else None
            if spec is not None and (spec.iri == iri or iri == NGSI_DEFAULT + name):
                continue
            first = instances[0] if instances else None
            unit = first.unit_code if first is not None else None
            if iri not in out:
                out[iri] = Query(iri, name, "", unit.strip().upper() if isinstance(unit, str) else None,
                                 first.kind.value if first is not None else None)
    return list(out.values())


def queries_from_table(table: MappingSet, *, hide: str = "auto") -> tuple[list[Query], list[str]]:
    """Queries from the rows of a table and, for each, the hidden side's IRI (``""`` when none).

    ``hide``: ``"subject"``, ``"object"`` or ``"auto"`` (the side whose IRIs are
    catalogue IRIs; the object side when neither is).

    >>> ms = MappingSet([Mapping({"subject_id": "sdm:temperature", "predicate_id": "skos:exactMatch",
    ...     "object_id": "qk:Temperature", "object_label": "Temperature", "unit_code": "CEL",
    ...     "mapping_justification": "semapv:ManualMappingCuration"})],
    ...     curie_map={"sdm": SDM_BASE + "dataModel.Weather/", "qk": "http://qudt.org/vocab/quantitykind/"})
    >>> queries, hidden = queries_from_table(ms)
    >>> queries[0].label, queries[0].unit, hidden[0]
    ('Temperature', 'CEL', 'https://smartdatamodels.org/dataModel.Weather/temperature')
    """
    def side_of(m: Mapping) -> str:
        if hide != "auto":
            return hide
        return "subject" if table.expand(m.subject_id).startswith(SDM_BASE) else "object"

    queries, hidden = [], []
    for m in table.mappings:
        side = side_of(m)
        other = "object" if side == "subject" else "subject"
        unit = m.values.get("unit_code") or m.values.get(f"{other}_unit")
        queries.append(Query(table.expand(m.values.get(f"{other}_id", "")), m.values.get(f"{other}_label", ""),
                             "", unit_code(unit) if isinstance(unit, str) and unit else None))
        hidden.append(table.expand(m.values.get(f"{side}_id", "")))
    return queries, hidden


def evaluate(table: MappingSet, *, catalogue: Catalogue | None = None, to: str | None = None, top: int = 3,
             hide: str = "auto", comments: bool = False) -> dict[str, Any]:
    """How often the right target is among the ``top`` suggestions, over the rows of a curated table.

    The side of each row holding a catalogue IRI is hidden; the other side
    (IRI, label, ``unit_code``; and its ``comment`` as description with
    ``comments=True``) is the query. Returns ``{"rows", "hits", "precision",
    "name_hits", "misses": [(query label, hidden IRI, suggested IRIs)]}``; ``name_hits``
    also counts the right attribute name under another subject's IRI.
    """
    cat = catalogue or load_catalogue()
    index = _Index(_targets(cat, to))
    queries, hidden = queries_from_table(table, hide=hide)
    hits = name_hits = 0
    misses = []
    for q, want, m in zip(queries, hidden, table.mappings, strict=True):
        if comments and isinstance(m.values.get("comment"), str):
            q = Query(q.id, q.label, m.values["comment"], q.unit, q.kind)
        got = [t.iri for *_, t in rank(q, index, top=top)]
        hits += want in got
        name_hits += _local(want) in {_local(g) for g in got}
        if want not in got:
            misses.append((q.label or q.id, want, got))
    n = len(queries)
    return {"rows": n, "hits": hits, "precision": hits / n if n else 0.0, "name_hits": name_hits,
            "misses": misses}
