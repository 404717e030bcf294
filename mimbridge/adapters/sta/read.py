"""Reading SensorThings JSON (1.1, 1.0 spellings, 2.0 draft) into the structural model.

One node per SensorThings entity occurrence (``urn:ngsi-ld:sta:<Type>:<key>``,
see :mod:`.sta_vocab`); fields become attributes, navigation properties
Relationships (to-one) or ListRelationships (to-many), their annotations
(``navigationLink``, ``count``, ``nextLink``) sub-attributes. A collection
page or a JSON array gets a ``Collection`` node holding the members in order
and the page's ``@iot.count`` / ``@iot.nextLink``. ``docs/sta.md`` has the rules.

>>> from mimbridge.report import ConversionReport
>>> g = StaReader(ConversionReport()).read_document({"@iot.id": 1, "name": "Oven", "Datastreams@iot.navigationLink":
...                                                   "Things(1)/Datastreams"})
>>> g.nodes[0].id, sorted(g.nodes[0].attrs)
('urn:ngsi-ld:sta:Thing:1', ['urn:mimbridge:sta:datastreams', 'urn:mimbridge:sta:name'])
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ...contexts.core import DEFAULT_CORE_VERSION, core_context_url
from ...errors import ParseError
from ...model import Attr, Graph, Kind, Node
from ...report import Approximated, Coerced, ConversionReport, Invalid, Rejected
from ..validity import time_problem
from .checks import JSON_TYPES, collision, not_sensorthings, wrong_type
from .names import is_absolute, member_iri, nav_iri
from .vocab import (
    COLLECTION,
    CONTEXT_URL,
    COUNT,
    DATA_ARRAY,
    ENTITY_SETS,
    ENTITY_SETS_IRI,
    FEATURE_WRAPPER,
    FORM,
    GEO_FIELDS,
    ID_PREFIX,
    MEMBERS,
    NAV_PROPERTIES,
    NAV_TYPE,
    NAVIGATION_LINK,
    NEXT_LINK,
    ODATA_CONTEXT,
    ORIGINAL,
    SELF_LINK,
    SERVICE_ROOT,
    STA,
    TIME_FIELDS,
    TYPE_NAVS,
    TYPOS,
    entity_set_key,
    geometry_problem,
    mint,
    mint_anonymous,
    repair_geometry,
)

__all__ = ["ENTITY_CONTEXT", "StaReader", "detect_dialect", "expand_data_array", "local_iri"]

#: The @context every SensorThings-derived NGSI-LD entity carries.
ENTITY_CONTEXT = [CONTEXT_URL, core_context_url(DEFAULT_CORE_VERSION)]
_MISSING = object()
#: linear: a match starts only at the start of a word, and possessive runs never backtrack
_SET_RE = re.compile(r"(?<![A-Za-z])([A-Za-z]++)\([^()]*+(?:\([^()]*+\)[^()]*+)*+\)\Z")
_PROPERTY, _JSON, _GEO, _REL, _LREL = Kind.PROPERTY, Kind.JSON, Kind.GEO, Kind.RELATIONSHIP, Kind.LIST_RELATIONSHIP
_SCALARS = (str, int, float, bool)
_SCALAR_SET = frozenset({str, int, float, bool})
_TYPO_KEYS = frozenset(TYPOS)
_ANNOTATIONS = {"navigationLink": NAVIGATION_LINK, "count": COUNT, "nextLink": NEXT_LINK}


def local_iri(key: str) -> str:
    """The model IRI of a SensorThings member name (fields, annotations, unknown members).

    Absolute IRIs (``https://...``, ``urn:...``) name themselves (see :mod:`.names`).

    >>> local_iri("name"), local_iri("description"), local_iri("@iot.etag")
    ('urn:mimbridge:sta:name', 'http://purl.org/dc/terms/description', 'urn:mimbridge:sta:@iot.etag')
    """
    return member_iri(key)


#: member name -> IRI for the usual members (a cache of :func:`local_iri`)
_LOCAL = {k: local_iri(k) for k in (
    "name", "description", "properties", "encodingType", "location", "feature", "metadata", "definition",
    "unitOfMeasurement", "unitOfMeasurements", "observationType", "multiObservationDataTypes", "observedArea",
    "phenomenonTime", "resultTime", "result", "resultQuality", "validTime", "parameters", "time")}


def _esc(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def detect_dialect(doc: Any) -> str:
    """``"2.0"`` when the document uses STA 2.0 draft spellings, else ``"1.1"``.

    >>> detect_dialect({"@id": "Things(1)", "id": 1}), detect_dialect({"@iot.id": 1})
    ('2.0', '1.1')
    """
    probe = doc
    if isinstance(doc, dict) and isinstance(doc.get("value"), list) and doc["value"]:
        probe = doc["value"][0]
    elif isinstance(doc, list) and doc:
        probe = doc[0]
    if not isinstance(probe, dict):
        return "1.1"
    for k, v in probe.items():
        if k in ("@id", "@context", "resultType", "resultEncoding") or k.endswith("@navigationLink"):
            return "2.0"
        if k in TIME_FIELDS and isinstance(v, dict) and set(v) <= {"start", "end"}:
            return "2.0"
    return "1.1"


def _is_group(x: Any) -> bool:
    return isinstance(x, dict) and "dataArray" in x and "components" in x


def expand_data_array(doc: Any, report: ConversionReport) -> tuple[Any, list[str], dict[str, Any]] | None:
    """Expand a dataArray document into plain Observations, or None if it is not one.

    Returns ``(document, pointers of the observations, layout)``: the document is a
    collection (``$resultFormat=dataArray`` response) or an array (``CreateObservations``
    body) of Observation objects; ``layout`` records groups and components so that the
    ``sta-dataarray`` writer can give the same document back.

    >>> from mimbridge.report import ConversionReport
    >>> doc, ptrs, _ = expand_data_array([{"Datastream": {"@iot.id": 1}, "components": ["phenomenonTime", "result"],
    ...                                    "dataArray": [["2024-01-01T00:00:00Z", 5]]}], ConversionReport())
    >>> doc, ptrs
    ([{'phenomenonTime': '2024-01-01T00:00:00Z', 'result': 5, 'Datastream': {'@iot.id': 1}}], ['/0/dataArray/0'])
    """
    if isinstance(doc, list) and doc and all(_is_group(g) for g in doc):
        groups, form, prefix = doc, "create", ""
    elif isinstance(doc, dict) and isinstance(doc.get("value"), list) and doc["value"] and all(
            _is_group(g) for g in doc["value"]):
        groups, form, prefix = doc["value"], "response", "/value"
    else:
        return None
    observations: list[Any] = []
    pointers: list[str] = []
    layout: dict[str, Any] = {"form": form, "groups": []}
    for gi, group in enumerate(groups):
        gptr = f"{prefix}/{gi}"
        comps, rows = group["components"], group["dataArray"]
        if not isinstance(comps, list) or not all(isinstance(c, str) for c in comps):
            raise ParseError("components is not an array of names", pointer=f"{gptr}/components",
                             expected="an array of strings")
        if not isinstance(rows, list):
            raise ParseError("dataArray is not an array", pointer=f"{gptr}/dataArray", expected="an array of rows")
        extra = {k: v for k, v in group.items() if k not in ("components", "dataArray")}
        glayout: dict[str, Any] = {"components": list(comps), "extra": extra, "size": len(rows)}
        layout["groups"].append(glayout)
        link: dict[str, Any] = {}
        for nav in ("Datastream", "MultiDatastream"):
            url = extra.get(f"{nav}@iot.navigationLink")
            if isinstance(url, str):
                target: dict[str, Any] = {"@iot.selfLink": url}
                key = entity_set_key(url)
                if key is not None:
                    target = {"@iot.id": key[1], **target}
                link[nav] = target
            elif isinstance(extra.get(nav), dict):
                link[nav] = extra[nav]
        for ri, row in enumerate(rows):
            rptr = f"{gptr}/dataArray/{ri}"
            if not isinstance(row, list) or len(row) != len(comps):  # one bad row costs that row
                report.records_in += 1
                glayout["size"] -= 1
                report.add(Rejected, rptr, f"invalid dataArray row skipped: it has "
                           f"{len(row) if isinstance(row, list) else 'no'} values for {len(comps)} components",
                           remedy="fix the row (expected one value per component)")
                continue
            obs: dict[str, Any] = {}
            for c, v in zip(comps, row, strict=True):
                if c == "id":
                    obs["@iot.id"] = v
                elif c.endswith("/id"):
                    obs[c[:-3]] = {"@iot.id": v}
                else:
                    obs[TYPOS.get(c, c)] = v
                    if c in TYPOS:
                        report.add(Coerced, f"{gptr}/components", f"component {c!r} read as {TYPOS[c]!r}")
            obs.update(link)
            observations.append(obs)
            pointers.append(rptr)
    if form == "create":
        return observations, pointers, layout
    out = {k: v for k, v in doc.items() if k != "value"}
    out["value"] = observations
    return out, pointers, layout


class StaReader:
    """Reads one SensorThings JSON document into a structural :class:`Graph`.

    ``dialect``: ``"1.1"``, ``"2.0"`` or None (detected). ``entity_type`` forces the type
    of top-level entities. With ``collect_observations=True`` Observations are not turned
    into nodes but collected in :attr:`observations` as runs ``(objects, ids, pointer prefix,
    pointers or None, parent node)`` (the observations mapping builds instances from them;
    without ``pointers`` the i-th object is at ``prefix/i``).
    """

    def __init__(self, report: ConversionReport, *, dialect: str | None = None, entity_type: str | None = None,
                 repair_geometry: bool = False, collect_observations: bool = False) -> None:
        self.report = report
        self.dialect = dialect
        self.entity_type = entity_type
        self.repair = repair_geometry
        self.observations: list[tuple[list, list[str], str, list[str] | None, Node | None]] | None = (
            [] if collect_observations else None)
        self.graph = Graph()
        self._seen: dict[str, dict] = {}
        self._layout: dict[str, Any] | None = None

    # -- documents -------------------------------------------------------------------
    def read_document(self, doc: Any) -> Graph:
        """Read a single entity, a collection page, an array, a dataArray document or a service root."""
        if self.dialect is None:
            self.dialect = detect_dialect(doc)
        g = self.graph
        g.meta["sta:version"] = self.dialect
        expanded = expand_data_array(doc, self.report)
        pointers: list[str] | None = None
        if expanded is not None:
            doc, pointers, self._layout = expanded
        if isinstance(doc, list):
            if doc and all(isinstance(x, str) for x in doc):
                raise ParseError("an array of links (a CreateObservations response), not SensorThings entities",
                                 pointer="/0", expected="entities (JSON objects)")
            if doc:
                not_sensorthings(doc[0], "/0")
            if doc and not any(isinstance(x, dict) for x in doc):
                raise ParseError("an array without any entity", pointer="/0", expected="entities (JSON objects)")
            self._collection(doc, {}, "", pointers, array=True)
            return g
        if not isinstance(doc, dict):
            raise ParseError(f"expected a SensorThings entity or collection, got {type(doc).__name__}",
                             pointer="", expected="a JSON object or array")
        if doc.get("type") in ("Feature", "FeatureCollection") and ("features" in doc or "geometry" in doc):
            raise ParseError("a GeoJSON Feature/FeatureCollection (a GeoJSON result format), not SensorThings JSON",
                             pointer="/type", expected="SensorThings JSON ($resultFormat default)")
        key = "value"
        if "value" not in doc and isinstance(doc.get("values"), list):
            key = "values"
            self.report.add(Coerced, "/values", "'values' read as 'value' (a misspelt collection member)",
                            remedy="spell the collection member 'value'")
        items = doc.get(key)
        if isinstance(items, list):
            rest = {k: v for k, v in doc.items() if k != key}
            if (items or "serverSettings" in doc) and all(
                    isinstance(x, dict) and "url" in x and set(x) <= {"name", "url"} for x in items):
                self._service_root(doc)
            else:
                self._collection(items, rest, f"/{key}", pointers, array=False)
            return g
        not_sensorthings(doc, "")
        tname = self.entity_type or self._infer(doc, "")
        self.entity(doc, "", tname, None)
        if len(g.nodes) == 1:
            g.meta["ngsi-ld:single"] = True
        return g

    def _service_root(self, doc: dict) -> None:
        node = self._node(mint_anonymous("ServiceRoot", self._token(doc, "")), SERVICE_ROOT)
        for k, v in doc.items():
            node.attrs[ENTITY_SETS_IRI if k == "value" else local_iri(k)] = [self._plain(v)]
        self.graph.meta["ngsi-ld:single"] = True

    def _collection(self, items: list, rest: dict, prefix: str, pointers: list[str] | None, *, array: bool) -> None:
        env = self._node("", COLLECTION)
        members: list[str] = []
        for i, item in enumerate(items):
            ptr = pointers[i] if pointers is not None else f"{prefix}/{i}"
            try:
                if not isinstance(item, dict):
                    raise ParseError(f"collection member is a {type(item).__name__}, not an entity", pointer=ptr,
                                     expected="a JSON object")
                not_sensorthings(item, ptr)
                tname = self.entity_type or self._infer(item, ptr)
                members.append(self.entity(item, ptr, tname, None))
            except ParseError as exc:
                self.report.add(Rejected, exc.pointer, f"invalid entity skipped: {exc.message}",
                                remedy=f"fix the entity (expected {exc.expected})" if exc.expected else "")
        env.id = mint_anonymous("Collection", hashlib.sha1("\n".join(  # noqa: S324 - an identifier, not security
            [*members, json.dumps(rest, sort_keys=True, default=str)]).encode()).hexdigest()[:16])
        env.attrs[MEMBERS] = [Attr(_LREL, members)]
        if array:
            env.attrs[FORM] = [Attr(_PROPERTY, "array")]
        if self._layout is not None:
            env.attrs[DATA_ARRAY] = [Attr(_JSON, self._layout)]
        for k, v in rest.items():
            name = k[5:] if k.startswith("@iot.") else (k[1:] if k.startswith("@") else None)
            iri = (COUNT if name == "count" else NEXT_LINK) if name in ("count", "nextLink") else local_iri(k)
            if iri in env.attrs:
                raise collision(k, iri, "")
            env.attrs[iri] = [Attr(_PROPERTY, v)] if name in ("count", "nextLink") else [self._plain(v)]

    # -- entities --------------------------------------------------------------------
    def _node(self, iri: str, type_iri: str) -> Node:
        node = Node(iri, [type_iri])
        node.meta["@context"] = ENTITY_CONTEXT
        self.graph.nodes.append(node)
        self.report.records_in += 1
        return node

    @staticmethod
    def _token(o: Any, ptr: str) -> str:
        digest = hashlib.sha1(json.dumps(o, sort_keys=True, default=str).encode()).hexdigest()[:12]  # noqa: S324
        return digest + ptr

    def sta_id(self, o: dict) -> Any:
        """The SensorThings id of an entity object (``_MISSING`` when it has none)."""
        sid = o.get("@iot.id", _MISSING)
        if sid is _MISSING and self.dialect == "2.0":
            sid = o.get("id", _MISSING)
        return sid

    def entity_iri(self, o: dict, ptr: str, tname: str) -> str:
        """The minted id of an entity object (anonymous entities: a hash of the object + pointer)."""
        sid = self.sta_id(o)
        return mint(tname, sid) if sid is not _MISSING else mint_anonymous(tname, self._token(o, ptr))

    def fixed(self, o: dict, ptr: str) -> dict:
        """A copy of ``o`` with misspelt or space-padded member names corrected (each one reported)."""
        out = {}
        for k, v in o.items():
            name = k.strip()
            name = TYPOS.get(name, name)
            if name != k:
                self.report.add(Coerced, f"{ptr}/{_esc(k)}", f"member {k!r} read as {name!r}",
                                remedy=f"spell the member {name!r}")
            out[name] = v
        return out

    def entity(self, o: Any, ptr: str, tname: str, parent: Node | None) -> str:
        """Read one entity object (and what it expands); returns its node id."""
        if not isinstance(o, dict):
            raise ParseError(f"{tname} is a {type(o).__name__}, not an entity object", pointer=ptr,
                             expected="a JSON object")
        if not _TYPO_KEYS.isdisjoint(o) or any(k[:1].isspace() or k[-1:].isspace() for k in o):
            o = self.fixed(o, ptr)
        iri = self.entity_iri(o, ptr, tname)
        if tname == "Observation" and self.observations is not None:
            self.report.records_in += 1
            self.observations.append(([o], [iri], "", [ptr], parent))
            return iri
        seen = self._seen.get(iri)
        if seen is not None:
            # the same entity again ($expand): one node if equal, else a further occurrence ``;n``
            if seen == o:
                return iri
            base, n = iri, 2
            while True:
                iri = f"{base};{n}"
                other = self._seen.get(iri)
                if other is None:
                    break
                if other == o:
                    return iri
                n += 1
        node = self._node(iri, STA + tname)
        self._seen[iri] = o
        pending: dict[str, dict[str, Any]] = {}
        navs: dict[str, Any] = {}
        v2 = self.dialect == "2.0"
        for key, val in o.items():
            if key == "@iot.id" or (v2 and key == "id"):
                continue
            if key == "@iot.selfLink" or (v2 and key == "@id"):
                node.attrs[SELF_LINK] = [Attr(_PROPERTY, val) if isinstance(val, str) else self._plain(val)]
                continue
            if key == "@context" and v2:
                node.attrs[ODATA_CONTEXT] = [self._plain(val)]
                continue
            at = key.find("@")
            if at > 0:
                ann = key[at + 1:]
                pending.setdefault(key[:at], {})[ann[4:] if ann.startswith("iot.") else ann] = val
                continue
            if at == 0:
                node.attrs[local_iri(key)] = [self._plain(val)]
                continue
            if key[:1].isupper() and isinstance(val, (dict, list)):
                navs[key] = val
                continue
            if val is not None and (key in JSON_TYPES or key in TIME_FIELDS):
                wrong_type(key, val, ptr, v2)
            iri_ = _LOCAL.get(key)
            if iri_ is not None and val.__class__ in _SCALAR_SET and key != "encodingType":
                if key in TIME_FIELDS and val.__class__ is str and time_problem(val) is not None:
                    self.report.add(Invalid, f"{ptr}/{_esc(key)}", f"{key} is not {time_problem(val)}",
                                    remedy="fix the value at the source (it is kept as given)")
                node.attrs[iri_] = [Attr(_PROPERTY, val)]
                continue
            iri_ = iri_ or local_iri(key)
            if iri_ in node.attrs:
                raise collision(key, iri_, ptr)
            node.attrs[iri_] = [self.field(key, val, f"{ptr}/{_esc(key)}", v2)]
        for key, val in navs.items():
            self._navigation(node, key, val, pending.pop(key, None), ptr)
        for key, anns in pending.items():
            self._link_only(node, key, anns)
        return iri

    def _navigation(self, node: Node, key: str, val: Any, anns: dict[str, Any] | None, ptr: str) -> None:
        target = NAV_TYPE.get(key) or (key[:-1] if key.endswith("s") else key)
        nptr = f"{ptr}/{_esc(key)}"
        foreign = is_absolute(key[:1].lower() + key[1:])
        if isinstance(val, dict):
            a = Attr(_REL, self._linked(val, nptr, target, node, foreign))
        elif target == "Observation" and self.observations is not None:
            a = Attr(_LREL, self._collect(val, nptr, node))
        else:
            a = Attr(_LREL, [self._linked(x, f"{nptr}/{i}", target, node, foreign) for i, x in enumerate(val)])
        if anns:
            for ann, v in anns.items():
                a.attrs[_ANNOTATIONS.get(ann) or local_iri(ann)] = [self._plain(v)]
        iri = nav_iri(key)
        if iri in node.attrs:
            raise collision(key, iri, ptr)
        node.attrs[iri] = [a]

    def _linked(self, o: Any, ptr: str, tname: str, parent: Node, foreign: bool = False) -> str:
        """The id of an entity a navigation property holds: a reference ``{"@iot.id": 13}`` makes no node.

        An object with nothing but its id links to an entity the document does not describe (as in a
        deep insert, and as the writer writes an entity the data does not contain): the Relationship
        points to its minted id, and no entity without attributes is made up for it. Under a link named
        by a full IRI (another vocabulary: no SensorThings type) an id that is an IRI is the target itself.
        """
        if o.__class__ is dict and len(o) == 1 and (tname != "Observation" or self.observations is None):
            sid = self.sta_id(o)
            if foreign and isinstance(sid, str) and is_absolute(sid):
                return sid
            if sid is not _MISSING and sid is not None:
                return mint(tname, sid)
        return self.entity(o, ptr, tname, parent)

    def _collect(self, items: list, ptr: str, parent: Node) -> list[str]:
        """The fast path of :meth:`entity` for a list of Observations being collected."""
        prefix = ID_PREFIX + "Observation:"
        v2 = self.dialect == "2.0"
        if all(map(dict.__instancecheck__, items)):
            sids = [o.get("@iot.id") for o in items]
            if set(map(type, sids)) == {int}:  # the usual response: integer ids, one batch
                out = [f"{prefix}{i}" for i in sids]
                self.observations.append((items, out, ptr, None, parent))  # type: ignore[union-attr]
                self.report.records_in += len(items)
                return out
        out = []
        add = out.append
        for i, o in enumerate(items):
            if o.__class__ is not dict:
                raise ParseError(f"Observation is a {type(o).__name__}, not an entity object", pointer=f"{ptr}/{i}",
                                 expected="a JSON object")
            sid = o.get("@iot.id", _MISSING)
            if sid.__class__ is int:
                add(prefix + str(sid))
            elif sid is _MISSING and not v2:
                add(mint_anonymous("Observation", self._token(o, f"{ptr}/{i}")))
            else:
                add(self.entity_iri(o, f"{ptr}/{i}", "Observation"))
        self.observations.append((items, out, ptr, None, parent))  # type: ignore[union-attr]
        self.report.records_in += len(items)
        return out

    def _link_only(self, node: Node, key: str, anns: dict[str, Any]) -> None:
        link = anns.get("navigationLink")
        a = self._plain(link) if link is None or isinstance(link, str) else Attr(_JSON, link)
        for ann, v in anns.items():
            if ann != "navigationLink":
                a.attrs[_ANNOTATIONS.get(ann) or local_iri(ann)] = [self._plain(v)]
        if key not in NAV_PROPERTIES:
            # an unknown navigation property: mark it so that it is not taken for a field
            a.attrs[NAVIGATION_LINK] = [self._plain(link)]
        node.attrs[nav_iri(key)] = [a]

    # -- fields ----------------------------------------------------------------------
    @staticmethod
    def _plain(val: Any) -> Attr:
        return Attr(_PROPERTY, val) if isinstance(val, _SCALARS) else Attr(_JSON, val)

    def field(self, key: str, val: Any, ptr: str, v2: bool = False) -> Attr:
        """The attribute of a plain field (geometry, time, encodingType rules applied)."""
        if key in GEO_FIELDS and isinstance(val, dict):
            return self._geometry(val, ptr)
        if v2 and key in TIME_FIELDS and isinstance(val, dict) and val and set(val) <= {"start", "end"} and all(
                isinstance(x, str) for x in val.values()):
            return Attr(_PROPERTY, f"{val.get('start', '..')}/{val.get('end', '..')}")
        if key == "encodingType" and val == "application/vnd.geo+json":
            a = Attr(_PROPERTY, "application/geo+json")
            a.attrs[ORIGINAL] = [Attr(_PROPERTY, val)]
            return a
        return Attr(_PROPERTY, val) if isinstance(val, _SCALARS) else Attr(_JSON, val)

    def _geometry(self, val: dict, ptr: str) -> Attr:
        feature = val.get("type") == "Feature"
        geom = val.get("geometry") if feature else val
        gptr = f"{ptr}/geometry" if feature else ptr
        if feature and "geometry" not in val:
            return Attr(_JSON, val)
        why = geometry_problem(geom)
        if why is not None:
            if feature and geom is None:
                return Attr(_JSON, val)
            fixed = repair_geometry(geom) if (self.repair and isinstance(geom, dict)) else None
            if fixed is None:
                if isinstance(geom, dict) and isinstance(geom.get("type"), str) and "coordinates" in geom:
                    self.report.add(Coerced, f"{gptr}/coordinates", f"not a valid GeoJSON geometry ({why}); "
                                    "kept as JSON, not as a GeoProperty",
                                    remedy="fix the coordinates, or pass repair_geometry=True")
                return Attr(_JSON, val)
            self.report.add(Coerced, f"{gptr}/coordinates", f"geometry repaired ({why})",
                            remedy="fix the coordinates at the source")
            geom = fixed
        a = Attr(_GEO, geom)
        if feature:
            a.attrs[FEATURE_WRAPPER] = [Attr(_JSON, {k: v for k, v in val.items() if k != "geometry"})]
        return a

    # -- types -----------------------------------------------------------------------
    def _infer(self, o: dict, ptr: str) -> str:
        link = o.get("@iot.selfLink", o.get("@id"))
        if isinstance(link, str):
            m = _SET_RE.search(link)
            if m is not None and m.group(1) in ENTITY_SETS:
                return ENTITY_SETS[m.group(1)]
        # members named by a full IRI belong to other vocabularies: they tell nothing of the type
        keys = {k for k in o if not is_absolute(k[:1].lower() + k[1:])}
        navs = {k.partition("@")[0] for k in keys if k[:1].isupper()}
        if "symbol" in keys and keys <= {"name", "symbol", "definition"}:
            raise ParseError("a unitOfMeasurement object, not a SensorThings entity", pointer=f"{ptr}/symbol",
                             expected="an entity (Thing, Datastream, Observation, ...)")
        if keys & {"unitOfMeasurements", "multiObservationDataTypes"} or "ObservedProperties" in navs:
            return "MultiDatastream"
        if keys & {"unitOfMeasurement", "observationType", "resultType", "observedArea"} or navs & {
                "Sensor", "ObservedProperty"}:
            return "Datastream"
        if keys & {"result", "resultQuality", "validTime", "parameters"} or navs & {
                "Datastream", "MultiDatastream", "FeatureOfInterest", "ProximateFeatureOfInterest"}:
            return "Observation"
        if "time" in keys:
            return "HistoricalLocation"
        if "location" in keys or "Things" in navs:
            return "Location"
        if "feature" in keys:
            return "Feature" if "FeatureType" in navs else "FeatureOfInterest"
        if "metadata" in keys:
            return "Sensor"
        if "definition" in keys:
            return "FeatureType" if "Features" in navs else "ObservedProperty"
        if keys & {"phenomenonTime", "resultTime", "phenonmenonTime"}:
            return "Observation"
        if navs:
            fits = [t for t, allowed in TYPE_NAVS.items() if navs <= allowed]
            if len(fits) == 1 or (fits and fits[0] == "Thing"):
                return fits[0]
            if fits:
                self.report.add(Approximated, ptr, f"entity type not certain from its members (one of "
                                f"{', '.join(fits)}); read as a {fits[0]}", remedy="pass entity_type='<Type>'")
                return fits[0]
        if keys and keys <= {"name", "description", "properties", "@iot.id", "@iot.selfLink", "id", "@id"}:
            return "Thing"
        self.report.add(Approximated, ptr, "entity type not recognisable from its members; read as a Thing",
                        remedy="pass entity_type='<Type>' (Thing, Sensor, ...)")
        return "Thing"
