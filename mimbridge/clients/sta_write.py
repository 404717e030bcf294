"""Writing to a SensorThings API 1.1 server: deep insert, links to existing entities, CreateObservations.

:class:`StaSink` takes what the ``sta`` writer produces (a single entity, a
collection page, a JSON array; from any source, e.g. ``ngsi-ld-temporal`` with
``mapping="observations"``) or a dataArray document, and writes it:

* Things (and other entities) are created with one deep-insert ``POST`` each
  (Thing + Locations + Datastreams + Sensor + ObservedProperty + Observations);
* a nested object holding only ``@iot.id`` is a link to an entity that
  exists on the target server and is sent as ``{"@iot.id": ...}``; an object
  with other members is created, and its ``@iot.id`` (the source's id) is
  not sent: it names the record for ``skip`` and for sharing;
* with ``share=True`` (default) a Sensor or ObservedProperty that several
  Datastreams share (same source ``@iot.id``) is created once (``POST
  /Sensors``) and linked from each Datastream, also across ``write`` calls;
* top-level Observations go by ``POST /CreateObservations`` (dataArray) in
  batches of ``batch_size`` per Datastream; the Datastream is the one of the
  sink URL (``.../Datastreams(id)/Observations``), else the Observation's
  ``Datastream`` link, else the id in a dataArray group's
  ``Datastream@iot.navigationLink``. (``POST /Datastreams(id)/Observations``
  is 405 on django-ogc-sensorthings.)

Ids: :attr:`WriteResult.written` names each top-level record written by its
source key (``Things(<source @iot.id>)``, ``Observations(...)``), or by the
new id when the record had none; ``skip`` takes the same keys, so a sync
resumed from a checkpoint does not write a record twice. The new ids, from
the ``Location`` headers and the CreateObservations response, are in
:attr:`StaSink.created` (source key -> id on the target). POSTs are not
retried once they may have reached the server (HttpClient's rule for
non-idempotent calls). A record the server refuses is a failure
``(key, "HTTP 400: ...")`` in :attr:`WriteResult.failed`; the others are written.

>>> import httpx
>>> posted = []
>>> def server(request):
...     posted.append((request.url.path, json.loads(request.content)))
...     return httpx.Response(201, headers={"Location": "http://sta.test/v1.1/Things(7)"})
>>> sink = StaSink("http://sta.test/v1.1/Things", http=HttpClient(transport=httpx.MockTransport(server)))
>>> sink.write({"@iot.id": 1, "name": "Oven", "@iot.selfLink": "http://a.test/v1.1/Things(1)",
...             "Locations@iot.navigationLink": "Things(1)/Locations"}).written
['Things(1)']
>>> posted, sink.created
([('/v1.1/Things', {'name': 'Oven'})], {'Things(1)': 7})
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from ..errors import ConnectorError, OptionError, ParseError
from .base import WriteResult
from .http import HttpClient

__all__ = ["ENTITY_SETS", "StaSink"]

#: entity set name -> entity type name (SensorThings API 1.1 core + sensing)
ENTITY_SETS: dict[str, str] = {
    "Datastreams": "Datastream", "FeaturesOfInterest": "FeatureOfInterest",
    "HistoricalLocations": "HistoricalLocation", "Locations": "Location", "MultiDatastreams": "MultiDatastream",
    "ObservedProperties": "ObservedProperty", "Observations": "Observation", "Sensors": "Sensor", "Things": "Thing",
}
_SET_OF = {v: k for k, v in ENTITY_SETS.items()}
_TAIL = re.compile(r"/(?P<set>[A-Za-z]+)(?:\((?P<id>[^()]*)\))?(?:/(?P<sub>[A-Za-z]+))?/?$")
_ID_IN_LINK = re.compile(r"/(?P<set>[A-Za-z]+)\((?P<id>[^()]*)\)(?:/[A-Za-z]*)?$")
_SHARED = ("Sensor", "ObservedProperty")
# the members a field of each type tells (used only when the sink URL does not name the set)
_HINTS = (("result", "Observation"), ("phenomenonTime", "Observation"), ("unitOfMeasurement", "Datastream"),
          ("metadata", "Sensor"), ("definition", "ObservedProperty"), ("feature", "FeatureOfInterest"),
          ("location", "Location"), ("Datastreams", "Thing"), ("Locations", "Thing"))


def _strip_annotations(entity: dict[str, Any]) -> dict[str, Any]:
    """Members to send: no ``@iot.*`` annotations, no ``X@iot.*`` navigation links, counts, next links."""
    return {k: v for k, v in entity.items() if "@iot." not in k}


def _id_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _unquote_id(text: str) -> Any:
    """An id as written in a path: ``'a''b'`` -> ``a'b``, ``42`` -> 42, an unquoted UUID stays text."""
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return int(text) if text.isdigit() else text


def _is_link(obj: Any) -> bool:
    return isinstance(obj, dict) and "@iot.id" in obj and not _strip_annotations(obj)


class StaSink:
    """Writes ``sta`` payloads to a SensorThings server (see the module docstring).

    ``url`` is a collection (``.../v1.1/Things``, ``.../v1.1/Observations``),
    ``.../Datastreams(id)/Observations`` or the service root; ``batch_size``
    caps the Observations of one CreateObservations request.
    """

    format = "sta"

    def __init__(self, url: str, *, http: HttpClient, batch_size: int = 1000, share: bool = True) -> None:
        if batch_size < 1:
            raise OptionError(f"batch_size must be >= 1, got {batch_size}", name="batch_size")
        self.url = url.split("?", 1)[0].rstrip("/")
        self.http = http
        self.batch_size = batch_size
        self.share = share
        self.entity_type: str | None = None
        self.datastream: Any = None
        m = _TAIL.search(self.url)
        if m and m.group("set") in ENTITY_SETS and m.group("id") is not None and m.group("sub") == "Observations":
            self.root = self.url[: m.start()]
            self.entity_type = "Observation"
            self.datastream = _unquote_id(m.group("id"))
        elif m and m.group("set") in ENTITY_SETS and m.group("id") is None and m.group("sub") is None:
            self.root = self.url[: m.start()]
            self.entity_type = ENTITY_SETS[m.group("set")]
        else:
            self.root = self.url
        #: source key (``Things(1)``) -> id on the target, for every record and shared entity created
        self.created: dict[str, Any] = {}

    # -- payload shapes ------------------------------------------------------------------------------------

    def _entities(self, payload: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(entities, dataArray groups) of a payload."""
        if isinstance(payload, (str, bytes)):
            payload = json.loads(payload)
        if isinstance(payload, dict) and isinstance(payload.get("value"), list):
            items = payload["value"]
        elif isinstance(payload, list):
            items = payload
        elif isinstance(payload, dict):
            items = [payload]
        else:
            raise ParseError("an STA payload is an entity, a collection page or an array of entities",
                             expected="a JSON object or array")
        entities, groups = [], []  # type: ignore[var-annotated]
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise ParseError("collection member is not a JSON object", pointer=f"/value/{i}",
                                 expected="a SensorThings entity")
            (groups if "dataArray" in item and "components" in item else entities).append(item)
        return entities, groups

    def _type_of(self, entity: dict[str, Any]) -> str:
        if self.entity_type is not None:
            return self.entity_type
        link = entity.get("@iot.selfLink")
        if isinstance(link, str):
            m = _ID_IN_LINK.search(link)
            if m and m.group("set") in ENTITY_SETS:
                return ENTITY_SETS[m.group("set")]
        for member, etype in _HINTS:
            if member in entity:
                return etype
        return "Thing"

    @staticmethod
    def _key(etype: str, entity: dict[str, Any]) -> str | None:
        if "@iot.id" not in entity:
            return None
        return f"{_SET_OF[etype]}({_id_text(entity['@iot.id'])})"

    # -- writing ---------------------------------------------------------------------------------------------

    def write(self, payload: Any, *, skip: frozenset[str] = frozenset()) -> WriteResult:
        """Write every record of ``payload`` whose key is not in ``skip``; see the module docstring."""
        entities, groups = self._entities(payload)
        result = WriteResult()
        observations: list[tuple[str | None, dict[str, Any]]] = []
        for entity in entities:
            etype = self._type_of(entity)
            key = self._key(etype, entity)
            if key is not None and key in skip:
                continue
            if etype == "Observation":
                observations.append((key, entity))
                continue
            try:
                body = self._body(etype, entity)
                new_id = self._post(f"{self.root}/{_SET_OF[etype]}", body)
            except ConnectorError as exc:
                result.failed.append((key or f"{_SET_OF[etype]}(?)", _reason(exc)))
                continue
            name = key or f"{_SET_OF[etype]}({_id_text(new_id)})"
            self.created[name] = new_id
            result.written.append(name)
        for group in groups:
            observations.extend(self._rows(group, skip))
        if observations:
            self._create_observations(observations, result)
        return result

    def _post(self, url: str, body: Any) -> Any:
        response = self.http.post_json(url, body, ok=(200, 201))
        location = response.headers.get("Location", "")
        m = _ID_IN_LINK.search(location)
        if not m:
            raise ConnectorError("the server created the entity but sent no Location header with its id",
                                 url=url, status=response.status_code)
        return _unquote_id(m.group("id"))

    def _body(self, etype: str, entity: dict[str, Any]) -> dict[str, Any]:
        """The POST body of ``entity``: annotations dropped, links kept, shared entities created first."""
        body: dict[str, Any] = {}
        for name, value in _strip_annotations(entity).items():
            child_type = ENTITY_SETS.get(name) or (name if name in _SET_OF else None)
            if child_type is None:
                body[name] = value
            elif isinstance(value, list):
                body[name] = [self._child(child_type, v) for v in value]
            elif isinstance(value, dict):
                body[name] = self._child(child_type, value)
            else:
                body[name] = value
        return body

    def _child(self, etype: str, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        if _is_link(value):
            return {"@iot.id": value["@iot.id"]}
        if self.share and etype in _SHARED and "@iot.id" in value:
            key = self._key(etype, value)
            assert key is not None
            if key not in self.created:
                self.created[key] = self._post(f"{self.root}/{_SET_OF[etype]}", self._body(etype, value))
            return {"@iot.id": self.created[key]}
        return self._body(etype, value)

    def _rows(self, group: dict[str, Any], skip: frozenset[str]) -> Iterable[tuple[str | None, dict[str, Any]]]:
        """Observations of a dataArray group, each with its Datastream link."""
        components = group.get("components")
        rows = group.get("dataArray")
        if not isinstance(components, list) or not isinstance(rows, list):
            raise ParseError("a dataArray group has 'components' and 'dataArray' arrays", pointer="/value",
                             expected="components and dataArray")
        ds = group.get("Datastream")
        if not _is_link(ds):
            link = group.get("Datastream@iot.navigationLink")
            m = _ID_IN_LINK.search(link) if isinstance(link, str) else None
            ds = {"@iot.id": _unquote_id(m.group("id"))} if m else None
        for row in rows:
            obs = dict(zip(components, row, strict=False))
            if "id" in obs:
                obs["@iot.id"] = obs.pop("id")
            obs = {k: v for k, v in obs.items() if v is not None or k == "result"}
            if ds is not None:
                obs["Datastream"] = ds
            key = self._key("Observation", obs)
            if key is None or key not in skip:
                yield key, obs

    def _create_observations(self, observations: list[tuple[str | None, dict[str, Any]]],
                             result: WriteResult) -> None:
        by_stream: dict[str, tuple[Any, list[tuple[str | None, dict[str, Any]]]]] = {}
        for key, obs in observations:
            ds = {"@iot.id": self.datastream} if self.datastream is not None else obs.get("Datastream")
            if not _is_link(ds):
                result.failed.append((key or "Observations(?)", "no Datastream to add the Observation to: post to "
                                      ".../Datastreams(id)/Observations or give Datastream: {'@iot.id': ...}"))
                continue
            assert isinstance(ds, dict)
            by_stream.setdefault(_id_text(ds["@iot.id"]), (ds["@iot.id"], []))[1].append((key, obs))
        for ds_id, batch in by_stream.values():
            for start in range(0, len(batch), self.batch_size):
                self._create_batch(ds_id, batch[start:start + self.batch_size], result)

    def _create_batch(self, ds_id: Any, batch: list[tuple[str | None, dict[str, Any]]], result: WriteResult) -> None:
        components = ["phenomenonTime", "result"]
        for _, obs in batch:
            for name in _strip_annotations(obs):
                if name not in components and name not in ("Datastream", "FeatureOfInterest"):
                    components.append(name)
        if any(isinstance(o.get("FeatureOfInterest"), dict) for _, o in batch):
            components.append("FeatureOfInterest/id")
        rows = []
        for _, obs in batch:
            foi = obs.get("FeatureOfInterest")
            row = [obs.get(c) for c in components if c != "FeatureOfInterest/id"]
            if "FeatureOfInterest/id" in components:
                row.append(foi.get("@iot.id") if _is_link(foi) else None)  # type: ignore[union-attr]
            rows.append(row)
        body = [{"Datastream": {"@iot.id": ds_id}, "components": components, "dataArray": rows}]
        url = f"{self.root}/CreateObservations"
        try:
            response = self.http.post_json(url, body, ok=(200, 201))
            links = response.json()
        except (ConnectorError, ValueError) as exc:
            reason = _reason(exc) if isinstance(exc, ConnectorError) else f"response is not JSON: {exc}"
            result.failed.extend((k or "Observations(?)", reason) for k, _ in batch)
            return
        if not isinstance(links, list) or len(links) != len(batch):
            raise ConnectorError(f"CreateObservations answered {type(links).__name__} for {len(batch)} "
                                 "Observations", url=url, body=str(links)[:200])
        for (key, _), link in zip(batch, links, strict=True):
            m = _ID_IN_LINK.search(link) if isinstance(link, str) else None
            if m is None:  # the standard's per-row "error"
                result.failed.append((key or "Observations(?)", f"CreateObservations: {link}"))
                continue
            new_id = _unquote_id(m.group("id"))
            name = key or f"Observations({_id_text(new_id)})"
            self.created[name] = new_id
            result.written.append(name)


def _reason(exc: ConnectorError) -> str:
    code = f"HTTP {exc.status}: " if exc.status is not None else ""
    return f"{code}{exc.body[:200] or exc.message}"

