"""MIM1 checks of an NGSI-LD API (ETSI GS CIM 009): entities, temporal, geo-query, subscriptions, registrations.

The entity type comes from ``type`` or from ``GET /types``. R6 creates a
subscription, causes a notification by re-sending one attribute of one
entity unchanged (``upsert?options=update``) and deletes the subscription;
it runs only with ``allow_write``.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

from ..clients.ngsild import api_root, parse_links, subscribe
from ..errors import ConnectorError
from .base import Answer, Prober, iso, parse_time
from .geo import BoxTest, geometry_of
from .verdict import Evidence, Result, Verdict

__all__ = ["NgsiLdProber"]

ATTRIBUTE_TYPES = frozenset({"Property", "GeoProperty", "Relationship", "LanguageProperty", "VocabProperty",
                             "VocabularyProperty", "JsonProperty", "ListProperty", "ListRelationship"})
_CORE_MEMBERS = frozenset({"id", "type", "@context", "scope", "createdAt", "modifiedAt", "deletedAt"})
_JSON = {"Accept": "application/json"}


class NgsiLdProber(Prober):
    """R1-R8 against an NGSI-LD broker (``url``: the broker, with or without ``/ngsi-ld/v1``)."""

    api = "ngsi-ld"

    def __init__(self, url: str, **kw: Any) -> None:
        super().__init__(url, **kw)
        self.root = api_root(url)
        self._sample: tuple[Answer, list[dict[str, Any]]] | None = None

    # -- shared look-ups -----------------------------------------------------------------------------------
    def entity_type(self) -> tuple[str | None, Answer | None]:
        if self.type:
            return self.type, None
        answer = self.get(f"{self.root}/types", headers=_JSON)
        body = answer.json()
        names = body.get("typeList") if isinstance(body, dict) else None
        if answer.ok and isinstance(names, list) and names:
            self.type = str(names[0])
            answer.note(f"types: {', '.join(map(str, names[:10]))}")
            return self.type, answer
        answer.note(answer.evidence.found or "no typeList")
        return None, answer

    def sample(self) -> tuple[Answer | None, list[dict[str, Any]]]:
        """Up to 100 entities of the type (fetched once)."""
        if self._sample is None:
            etype, _ = self.entity_type()
            if etype is None:
                return None, []
            answer = self.get(f"{self.root}/entities", params={"type": etype, "limit": 100}, headers=_JSON)
            body = answer.json()
            entities = [e for e in body if isinstance(e, dict)] if answer.ok and isinstance(body, list) else []
            answer.note(f"{len(entities)} entities")
            self._sample = (answer, entities)
        return self._sample

    def _no_type(self, req: str) -> Result:
        _, answer = self.entity_type()
        return self.result(req, Verdict.UNKNOWN, "no entity type to query: GET /types gave none; pass type=",
                           *([answer] if answer else []))

    # -- R1-R8 ---------------------------------------------------------------------------------------------
    def r1(self) -> Result:
        etype = self.type or "https://uri.etsi.org/ngsi-ld/default-context/MimbridgeProbe"
        answer = self.get(f"{self.root}/entities", params={"type": etype, "limit": 1}, headers=_JSON)
        body = answer.json()
        ctype = answer.response.headers.get("Content-Type", "") if answer.response is not None else ""
        if answer.ok and isinstance(body, list) and ctype.split(";")[0] in ("application/json", "application/ld+json"):
            answer.note(f"JSON array of {len(body)} entit{'y' if len(body) == 1 else 'ies'} ({ctype.split(';')[0]})")
            return self.result("R1", Verdict.PASS, "Query Entities answers with a JSON array", answer)
        return self.result("R1", Verdict.FAIL, "GET /entities does not answer as the NGSI-LD API", answer)

    def r2(self) -> Result:
        answer, entities = self.sample()
        if answer is None:
            return self._no_type("R2")
        if not entities:
            return self.result("R2", Verdict.UNKNOWN, f"no entity of type {self.type} to inspect", answer)
        bad = []
        for e in entities:
            if not isinstance(e.get("id"), str) or ":" not in e["id"]:
                bad.append(f"{e.get('id')!r}: id is not a URI")
            for name, value in e.items():
                if name in _CORE_MEMBERS:
                    continue
                for inst in value if isinstance(value, list) else [value]:
                    kind = inst.get("type") if isinstance(inst, dict) else None
                    if kind not in ATTRIBUTE_TYPES:
                        bad.append(f"{e.get('id')}/{name}: not an NGSI-LD attribute (type {kind!r})")
        if bad:
            answer.note("; ".join(bad[:5]))
            return self.result("R2", Verdict.FAIL, f"{len(bad)} member(s) outside the NGSI-LD meta-model", answer)
        answer.note(f"{len(entities)} entities, every attribute a typed NGSI-LD attribute")
        return self.result("R2", Verdict.PASS, "entities follow the NGSI-LD meta-model", answer)

    def _attribute(self, entities: list[dict[str, Any]]) -> str | None:
        names = [n for e in entities for n in e if n not in _CORE_MEMBERS]
        plain = [n for n in names if n != "location"]
        return (plain or names or [None])[0]  # type: ignore[list-item]

    def r3(self) -> Result:
        first, entities = self.sample()
        if first is None:
            return self._no_type("R3")
        attr = self._attribute(entities)
        if attr is None:
            return self.result("R3", Verdict.UNKNOWN, f"no entity of type {self.type} with attributes", first)
        link = first.response.headers.get("Link") if first.response is not None else None
        answer = self.get(f"{self.root}/entities", params={"type": self.type, "attrs": _expand(attr, link),
                                                           "limit": 20}, headers=_JSON)
        body = answer.json()
        if not answer.ok or not isinstance(body, list):
            return self.result("R3", Verdict.FAIL, "GET /entities?type&attrs failed", first, answer)
        wrong = [f"{e.get('id')}: type {e.get('type')!r}" for e in body if self.type not in _types(e)]
        extra = [f"{e.get('id')}: {sorted(set(e) - _CORE_MEMBERS - {attr})}" for e in body
                 if set(e) - _CORE_MEMBERS - {attr}]
        missing = [str(e.get("id")) for e in body if attr not in e]
        answer.note(f"{len(body)} entities; wrong type: {len(wrong)}, other attributes: {len(extra)}, "
                    f"without {attr}: {len(missing)}")
        if not body:
            return self.result("R3", Verdict.FAIL, f"no entity returned for type={self.type}&attrs={attr}", answer)
        if wrong or extra or missing:
            answer.note(answer.evidence.found + "; " + "; ".join((wrong + extra + missing)[:3]))
            return self.result("R3", Verdict.FAIL, "the answer does not keep to the requested type and attributes",
                               answer)
        return self.result("R3", Verdict.PASS, f"{len(body)} entities of type {self.type} with only {attr}", answer)

    def r4(self) -> Result:
        etype, _ = self.entity_type()
        if etype is None:
            return self._no_type("R4")
        url = f"{self.root}/temporal/entities"
        wide = self.get(url, params={"type": etype, "timerel": "after", "timeAt": "1970-01-01T00:00:00Z",
                                     "limit": 100}, headers=_JSON)
        body = wide.json()
        if not wide.ok or not isinstance(body, list):
            return self.result("R4", Verdict.FAIL, "the temporal API (GET /temporal/entities) does not answer", wide)
        times = sorted({t for e in body for t in _instants(e)})
        wide.note(f"{len(body)} entities, {len(times)} distinct observedAt instants")
        if len(times) < 2:
            return self.result("R4", Verdict.UNKNOWN, "fewer than two observedAt instants to choose a window", wide)
        mid = len(times) // 2
        start, end = times[0], times[mid - 1] + (times[mid] - times[mid - 1]) / 2
        answer = self.get(url, params={"type": etype, "timerel": "between", "timeAt": iso(start),
                                       "endTimeAt": iso(end), "limit": 100}, headers=_JSON)
        body = answer.json()
        if not answer.ok or not isinstance(body, list):
            return self.result("R4", Verdict.FAIL, "timerel=between fails", wide, answer)
        got = [t for e in body for t in _instants(e)]
        outside = [iso(t) for t in got if not start <= t < end]
        answer.note(f"{len(got)} instants returned, {len(outside)} outside [{iso(start)}, {iso(end)})")
        if not got:
            return self.result("R4", Verdict.FAIL, f"no value inside a window that holds {mid} known instants",
                               wide, answer)
        if outside:
            return self.result("R4", Verdict.FAIL, f"values outside the window: {', '.join(outside[:3])}",
                               wide, answer)
        return self.result("R4", Verdict.PASS, f"{len(got)} values, all inside the requested window", wide, answer)

    def r5(self) -> Result:
        first, entities = self.sample()
        if first is None:
            return self._no_type("R5")
        located = [(e["id"], g) for e in entities if (g := geometry_of(_value(e.get("location")))) is not None]
        if len(located) < 2:
            return self.result("R5", Verdict.UNKNOWN, f"fewer than two entities of type {self.type} with a location",
                               first)
        test = BoxTest.around(located)
        if not test.outside_ids:
            return self.result("R5", Verdict.UNKNOWN, "no known entity lies away from the others", first)
        answer = self.get(f"{self.root}/entities", params={
            "type": self.type, "georel": "within", "geometry": "Polygon", "coordinates": json.dumps([test.box.ring()]),
            "geoproperty": "location", "limit": 100}, headers=_JSON)
        body = answer.json()
        if not answer.ok or not isinstance(body, list):
            return self.result("R5", Verdict.FAIL, "the geo-query (georel=within) fails", answer)
        judged = test.check([(e.get("id"), geometry_of(_value(e.get("location")))) for e in body], within=True)
        answer.note(judged.note("entities"))
        if not judged.ok:
            return self.result("R5", Verdict.FAIL, "the geo-query returned a wrong set: "
                               + (", ".join(map(str, (judged.strays + judged.leaked)[:3]))
                                  or f"{test.target_id} missing"), answer)
        return self.result("R5", Verdict.PASS, f"{len(body)} entities, all inside the box, none outside", answer)

    def r6(self) -> Result:
        if not self.allow_write:
            return self.result("R6", Verdict.UNKNOWN, "creating a subscription is a write: run with allow_write")
        first, entities = self.sample()
        if first is None:
            return self._no_type("R6")
        attr = self._attribute(entities)
        if not entities or attr is None:
            return self.result("R6", Verdict.UNKNOWN, "no entity whose update would trigger a notification", first)
        from ..clients.ngsild_notify import NotificationReceiver

        host = str(self.options.get("notify_host", "127.0.0.1"))
        with NotificationReceiver(host=host, idle_timeout=self.wait, max_notifications=1) as receiver:
            sub = Evidence(f"POST {self.root}/subscriptions (type {self.type}, watched {attr}, notify "
                           f"{receiver.url})", None, "")
            self.log.append(sub)
            try:
                sid = subscribe(self.url, http=self.http, endpoint=receiver.url, type=self.type, watched=[attr])
            except ConnectorError as exc:
                sub.status, sub.found = exc.status, str(exc)[:300]
                return self.result("R6", Verdict.FAIL, "the broker refused the subscription", sub)
            sub.status, sub.found = 201, f"subscription {sid}"
            entity = next(e for e in entities if attr in e)
            probe_id = f"urn:ngsi-ld:{_local(self.type)}:mimbridge-probe-{uuid.uuid4().hex[:12]}"
            headers = {"Content-Type": "application/json"}
            link = first.response.headers.get("Link") if first.response is not None else None
            if link:
                headers["Link"] = link
            touch = self.call("POST", f"{self.root}/entityOperations/upsert",
                              content=json.dumps([{"id": probe_id, "type": entity["type"], attr: entity[attr]}]),
                              headers=headers)
            touch.note(touch.evidence.found or f"probe entity {probe_id} created with {attr}")
            got: list[Any] = []
            done = threading.Event()

            def drain() -> None:
                got.extend(receiver.pages())
                done.set()

            threading.Thread(target=drain, daemon=True).start()
            done.wait(self.wait + 2)
            gone = self.call("DELETE", f"{self.root}/subscriptions/{sid}")
            cleanup = self.call("DELETE", f"{self.root}/entities/{probe_id}")
            if not cleanup.ok:
                cleanup.note(f"{cleanup.evidence.found}: the probe entity {probe_id} is left; delete it by hand")
            note = f"{len(got)} notification(s)"
            if got and got[0].payload:
                note += f" about {got[0].payload[0].get('id')}"
            seen = Evidence(f"(wait up to {self.wait:g} s for a notification at {receiver.url})", None, note)
        evidence: list[Answer | Evidence] = [sub, touch.evidence, seen, gone.evidence, cleanup.evidence]
        if not got:
            return self.result("R6", Verdict.FAIL, "no notification arrived after a matching update", *evidence)
        return self.result("R6", Verdict.PASS, "subscription created, notification received, subscription deleted",
                           *evidence)

    def r7(self) -> Result:
        etype = self.type or "MimbridgeProbe"
        answer = self.get(f"{self.root}/csourceRegistrations", params={"type": etype}, headers=_JSON)
        body = answer.json()
        if answer.ok and isinstance(body, list):
            answer.note(f"{len(body)} context source registration(s) for {etype}")
            return self.result("R7", Verdict.PASS, "context source discovery (GET /csourceRegistrations) answers",
                               answer)
        return self.result("R7", Verdict.FAIL, "no context source discovery: GET /csourceRegistrations fails", answer)

    def r8(self) -> Result:
        etype, _ = self.entity_type()
        if etype is None:
            return self._no_type("R8")
        url = f"{self.root}/entities"
        plain = self.get(url, params={"type": etype, "count": "true"}, headers=_JSON)
        body = plain.json()
        if not plain.ok or not isinstance(body, list):
            return self.result("R8", Verdict.FAIL, "GET /entities?count=true fails", plain)
        total = plain.response.headers.get("NGSILD-Results-Count") if plain.response is not None else None
        plain.note(f"{len(body)} returned without limit; NGSILD-Results-Count: {total}")
        if total is None or not total.isdigit():
            return self.result("R8", Verdict.FAIL, "count=true gives no NGSILD-Results-Count header", plain)
        if int(total) <= len(body):
            return self.result("R8", Verdict.UNKNOWN, f"only {total} entities match: a default limit cannot show",
                               plain)
        one = self.get(url, params={"type": etype, "limit": 1}, headers=_JSON)
        links = parse_links(one.response.headers.get("Link") if one.response is not None else None, base=url)
        first_ids = [e.get("id") for e in (one.json() or []) if isinstance(e, dict)]
        nxt = links.get("next")
        one.note(f"{len(first_ids)} returned with limit=1; next link: {nxt or 'none'}")
        if not nxt:
            return self.result("R8", Verdict.FAIL, f"default limit {len(body)}, but no Link rel=\"next\" header",
                               plain, one)
        follow = self.get(nxt, headers=_JSON)
        second = [e.get("id") for e in (follow.json() or []) if isinstance(e, dict)]
        follow.note(f"{len(second)} entit{'y' if len(second) == 1 else 'ies'}: {second[:1]}")
        if not follow.ok or not second or set(second) & set(first_ids):
            return self.result("R8", Verdict.FAIL, "the next link does not lead to the next entities", plain, one,
                               follow)
        return self.result("R8", Verdict.PASS, f"default limit {len(body)} of {total}, count header, working "
                           "next link", plain, one, follow)


def _local(name: str | None) -> str:
    return (name or "Entity").rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].rsplit(":", 1)[-1] or "Entity"


def _expand(term: str, link: str | None) -> str:
    """The attribute name expanded with the response's context (Link header, else the core context)."""
    if ":" in term:
        return term
    from ..contexts.active import ActiveContext
    from ..contexts.loader import ContextLoader
    from ..errors import MimbridgeError

    ctx = parse_links(link).get("http://www.w3.org/ns/json-ld#context") if link else None
    try:
        return ActiveContext.get(ctx or {}, loader=ContextLoader()).expand(term)
    except MimbridgeError:
        return term


def _types(e: dict[str, Any]) -> list[str]:
    t = e.get("type")
    return [str(x) for x in t] if isinstance(t, list) else [str(t)]


def _value(attr: Any) -> Any:
    if isinstance(attr, list):
        attr = attr[0] if attr else None
    return attr.get("value") if isinstance(attr, dict) else None


def _instants(entity: dict[str, Any]) -> list[Any]:
    out = []
    for name, value in entity.items():
        if name in _CORE_MEMBERS:
            continue
        for inst in value if isinstance(value, list) else [value]:
            if isinstance(inst, dict) and (t := parse_time(inst.get("observedAt"))) is not None:
                out.append(t)
    return out

