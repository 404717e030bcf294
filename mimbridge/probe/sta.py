"""MIM1 checks of an OGC SensorThings API 1.1 service (``url``: the service root, ``.../v1.1``).

R6 is the MQTT extension: the broker comes from the service root's
``serverSettings`` (or the ``mqtt`` option); with ``allow_write`` the probe
subscribes to a Datastream's Observations topic, creates one Observation
over HTTP, waits for the message and deletes the Observation again.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from ..errors import MimbridgeError
from .base import Answer, Prober, iso, parse_time
from .geo import BoxTest, geometry_of, wkt_polygon
from .verdict import Evidence, Result, Verdict

__all__ = ["ENTITY_SETS", "StaProber"]

ENTITY_SETS = ("Things", "Locations", "HistoricalLocations", "Datastreams", "Sensors", "ObservedProperties",
               "Observations", "FeaturesOfInterest")
_MQTT = "create-observations-via-mqtt"


class StaProber(Prober):
    """R1-R8 against a SensorThings service root."""

    api = "sta"

    def __init__(self, url: str, **kw: Any) -> None:
        super().__init__(url.rstrip("/"), **kw)
        self._root: Answer | None = None
        self._stream: tuple[Answer, dict[str, Any] | None] | None = None

    def root(self) -> Answer:
        if self._root is None:
            self._root = self.get(self.url + "/", headers={"Accept": "application/json"})
        return self._root

    def settings(self) -> dict[str, Any]:
        body = self.root().json()
        return body.get("serverSettings", {}) if isinstance(body, dict) else {}

    def datastream(self) -> tuple[Answer, dict[str, Any] | None]:
        """The Datastream the checks read (the first one, or the one whose id is ``type``)."""
        if self._stream is None:
            if self.type:
                answer = self.get(f"{self.url}/Datastreams({_key(self.type)})")
                if not answer.ok and _key(self.type) != self.type:  # some servers take string ids bare (UUIDs)
                    answer = self.get(f"{self.url}/Datastreams({self.type})")
                body = answer.json()
                self._stream = (answer, body if answer.ok and isinstance(body, dict) else None)
            else:
                answer = self.get(f"{self.url}/Datastreams", params={"$top": 1})
                values = (answer.json() or {}).get("value") or []
                self._stream = (answer, values[0] if values and isinstance(values[0], dict) else None)
            ds = self._stream[1]
            answer.note(f"Datastream {ds.get('@iot.id')}" if ds is not None else "no Datastream")
        return self._stream

    def obs_url(self, ds: dict[str, Any]) -> str:
        """The Datastream's Observations, by its navigation link as the server gives it."""
        link = ds.get("Observations@iot.navigationLink")
        if not link:
            link = (ds.get("@iot.selfLink") or f"{self.url}/Datastreams({_key(ds.get('@iot.id'))})") + "/Observations"
        return str(link)

    def observations(self, ds: dict[str, Any], **params: Any) -> Answer:
        return self.get(self.obs_url(ds), params=params)

    def r1(self) -> Result:
        root = self.root()
        body = root.json()
        sets = [v.get("name") for v in (body or {}).get("value", []) if isinstance(v, dict)] \
            if isinstance(body, dict) else []
        if root.ok and sets:
            root.note(f"service root lists {len(sets)} entity sets")
            return self.result("R1", Verdict.PASS, "the service root lists the SensorThings entity sets", root)
        return self.result("R1", Verdict.FAIL, "no SensorThings service root", root)

    def r2(self) -> Result:
        root = self.root()
        body = root.json() if isinstance(root.json(), dict) else {}
        sets = {v.get("name") for v in body.get("value", []) if isinstance(v, dict)}
        missing = [s for s in ENTITY_SETS if s not in sets]
        conf = self.settings().get("conformance", [])
        datamodel = any(str(c).endswith("/req/datamodel") for c in conf)
        root.note(f"missing entity sets: {missing or 'none'}; datamodel conformance class: "
                  f"{'declared' if datamodel else 'not declared'}")
        if missing:
            return self.result("R2", Verdict.FAIL, f"the SensorThings data model lacks {', '.join(missing)}", root)
        return self.result("R2", Verdict.PASS, "all eight entity sets of the SensorThings data model", root)

    def r3(self) -> Result:
        first, ds = self.datastream()
        if ds is None:
            return self.result("R3", Verdict.UNKNOWN, "no Datastream to read", first)
        answer = self.observations(ds, **{"$top": 5, "$select": "result,phenomenonTime"})
        values = (answer.json() or {}).get("value") if answer.ok else None
        if not isinstance(values, list):
            return self.result("R3", Verdict.FAIL, "Observations with $select cannot be read", first, answer)
        allowed = {"result", "phenomenonTime", "@iot.id", "@iot.selfLink"}
        extra = sorted({k for v in values for k in v if k not in allowed})
        missing = [v for v in values if "result" not in v or "phenomenonTime" not in v]
        answer.note(f"{len(values)} Observations; other members: {extra or 'none'}; incomplete: {len(missing)}")
        if not values:
            return self.result("R3", Verdict.UNKNOWN, f"Datastream {ds.get('@iot.id')} has no Observations", first,
                               answer)
        if extra or missing:
            return self.result("R3", Verdict.FAIL, "$select is not honoured", first, answer)
        return self.result("R3", Verdict.PASS, f"{len(values)} Observations with only result and phenomenonTime",
                           first, answer)

    def r4(self) -> Result:
        first, ds = self.datastream()
        if ds is None:
            return self.result("R4", Verdict.UNKNOWN, "no Datastream to read", first)
        sample = self.observations(ds, **{"$top": 100, "$select": "phenomenonTime"})
        values = (sample.json() or {}).get("value", [])
        times = sorted({t for v in values if (t := parse_time(v.get("phenomenonTime")))})
        sample.note(f"{len(times)} distinct phenomenonTime instants")
        if len(times) < 2:
            return self.result("R4", Verdict.UNKNOWN, "fewer than two Observations to choose a window", sample)
        mid = len(times) // 2
        start, end = times[0], times[mid - 1] + (times[mid] - times[mid - 1]) / 2
        flt = f"phenomenonTime ge {iso(start)} and phenomenonTime le {iso(end)}"
        answer = self.observations(ds, **{"$filter": flt, "$top": 100, "$select": "phenomenonTime"})
        values = (answer.json() or {}).get("value") if answer.ok else None
        if not isinstance(values, list):
            return self.result("R4", Verdict.FAIL, "$filter on phenomenonTime fails", sample, answer)
        got = [parse_time(v.get("phenomenonTime")) for v in values]
        outside = [str(t) for t in got if t is None or not start <= t <= end]
        answer.note(f"{len(got)} Observations, {len(outside)} outside the window")
        if not got or outside:
            return self.result("R4", Verdict.FAIL, "the time filter returned values outside the window" if outside
                               else "no Observation inside a window that holds some", sample, answer)
        return self.result("R4", Verdict.PASS, f"{len(got)} Observations, all inside the requested window",
                           sample, answer)

    def r5(self) -> Result:
        sample = self.get(f"{self.url}/Locations", params={"$top": 100})
        located = [(v.get("@iot.id"), g) for v in (sample.json() or {}).get("value", [])
                   if (g := geometry_of(v.get("location"))) is not None]
        sample.note(f"{len(located)} Locations with a geometry")
        if len(located) < 2:
            return self.result("R5", Verdict.UNKNOWN, "fewer than two Locations to choose a box", sample)
        test = BoxTest.around(located)
        polygon = wkt_polygon(test.box.bounds)
        answers = []
        for fn in ("st_within(location, geography'{}')", "geo.intersects(location, geography'{}')"):
            answer = self.get(f"{self.url}/Locations", params={"$filter": fn.format(polygon), "$top": 100})
            answers.append(answer)
            if answer.ok:
                break
        else:
            return self.result("R5", Verdict.FAIL, "the server refuses the geospatial filter functions", sample,
                               *answers)
        values = (answer.json() or {}).get("value", [])
        judged = test.check([(v.get("@iot.id"), geometry_of(v.get("location"))) for v in values])
        answer.note(judged.note("Locations"))
        if not judged.ok:
            return self.result("R5", Verdict.FAIL, "the geospatial filter returned a wrong set", sample, *answers)
        return self.result("R5", Verdict.PASS, f"{len(values)} Locations inside the box, none outside", sample,
                           *answers)

    def mqtt_endpoint(self) -> str | None:
        if self.options.get("mqtt"):
            return str(self.options["mqtt"])
        for key, value in self.settings().items():
            if _MQTT in key and isinstance(value, dict):
                for endpoint in value.get("endpoints", []):
                    if str(endpoint).startswith(("mqtt://", "mqtts://")):
                        return str(endpoint)
        return None

    def r6(self) -> Result:
        root = self.root()
        broker = self.mqtt_endpoint()
        if broker is None:
            root.note("serverSettings advertise no MQTT endpoint (create-observations-via-mqtt)")
            return self.result("R6", Verdict.FAIL, "no MQTT endpoint: SensorThings offers subscriptions only over "
                               "MQTT", root)
        if not self.allow_write:
            return self.result("R6", Verdict.UNKNOWN, f"MQTT at {broker}; receiving a message needs a write: run "
                               "with allow_write")
        first, ds = self.datastream()
        if ds is None:
            return self.result("R6", Verdict.UNKNOWN, "no Datastream to write to", first)
        from ..clients.mqtt import MqttSource

        version = self.url.rstrip("/").rsplit("/", 1)[-1]
        obs = self.obs_url(ds)
        topic = version + "/" + obs.split(f"/{version}/", 1)[-1] if f"/{version}/" in obs else \
            f"{version}/Datastreams({_key(ds.get('@iot.id'))})/Observations"
        source = MqttSource(f"{broker.rstrip('/')}/{topic}", idle_timeout=self.wait, max_messages=1)
        got: list[Any] = []
        errors: list[str] = []
        ready = threading.Event()

        def listen() -> None:
            try:
                for page in source.pages():
                    got.append(page)
                    break
            except MimbridgeError as exc:
                errors.append(str(exc))
            finally:
                ready.set()

        threading.Thread(target=listen, daemon=True).start()
        subscribed = source.subscribed.wait(min(5.0, self.wait))
        listening = Evidence(f"(subscribe {broker}/{topic})", None,
                             "subscribed" if subscribed else (errors or ["no SUBACK"])[0][:300])
        if not subscribed:
            source.stop()
            return self.result("R6", Verdict.FAIL, "cannot subscribe at the MQTT broker", listening)
        body: dict[str, Any] = {"phenomenonTime": iso(datetime.now(UTC)), "result": 0,
                                "Datastream": {"@iot.id": ds.get("@iot.id")}}
        last = self.observations(ds, **{"$top": 1, "$expand": "FeatureOfInterest"})
        foi = ((last.json() or {}).get("value") or [{}])[0].get("FeatureOfInterest") if last.ok else None
        if isinstance(foi, dict) and "@iot.id" in foi:
            body["FeatureOfInterest"] = {"@iot.id": foi["@iot.id"]}
        post = self.call("POST", f"{self.url}/Observations", json_body=body)
        where = post.response.headers.get("Location") if post.response is not None else None
        post.note(post.evidence.found or f"Observation {where}")
        ready.wait(self.wait + 2)
        source.stop()
        seen = Evidence(f"(wait up to {self.wait:g} s for a message)", None, f"{len(got)} message(s)")
        evidence = [listening, post.evidence, seen]
        if where:
            evidence.append(self.call("DELETE", where).evidence)
        if not post.ok:
            return self.result("R6", Verdict.UNKNOWN, "the Observation could not be created", *evidence)
        if not got:
            return self.result("R6", Verdict.FAIL, "no MQTT message after creating an Observation", *evidence)
        return self.result("R6", Verdict.PASS, "an MQTT message arrived for the new Observation", *evidence)

    def r7(self) -> Result:
        root = self.root()
        conf = self.settings().get("conformance")
        if root.ok and isinstance(conf, list) and conf:
            root.note(f"{len(conf)} conformance classes in serverSettings")
            return self.result("R7", Verdict.PASS, "the service root describes the service (serverSettings."
                               "conformance) and lists its entity sets", root)
        return self.result("R7", Verdict.FAIL, "the service root declares no conformance classes", root)

    def r8(self) -> Result:
        url = f"{self.url}/Observations"
        plain = self.get(url, params={"$count": "true"})
        body = plain.json() or {}
        n, total = len(body.get("value", [])), body.get("@iot.count")
        more = "yes" if body.get("@iot.nextLink") else "no"
        plain.note(f"{n} returned without $top; @iot.count {total}; nextLink: {more}")
        if not plain.ok or not isinstance(total, int):
            return self.result("R8", Verdict.FAIL, "$count=true gives no @iot.count", plain)
        two = self.get(url, params={"$top": 2})
        page = two.json() or {}
        nxt = page.get("@iot.nextLink")
        two.note(f"{len(page.get('value', []))} with $top=2; nextLink: {nxt or 'none'}")
        if not nxt:
            return self.result("R8", Verdict.FAIL, "$top=2 gives no @iot.nextLink", plain, two)
        follow = self.get(nxt)
        first_ids = {v.get("@iot.id") for v in page.get("value", [])}
        second = {v.get("@iot.id") for v in (follow.json() or {}).get("value", [])}
        follow.note(f"{len(second)} Observations, {len(second & first_ids)} repeated")
        if not second or second & first_ids:
            return self.result("R8", Verdict.FAIL, "the nextLink does not lead to the next Observations", plain,
                               two, follow)
        if total <= n:
            return self.result("R8", Verdict.UNKNOWN, f"paging works, but all {total} Observations came in one "
                               "response: no default limit shows", plain, two, follow)
        return self.result("R8", Verdict.PASS, f"default page of {n} of {total}, @iot.count, working nextLink",
                           plain, two, follow)


def _key(ident: Any) -> str:
    """An entity id as it goes into a path: numbers bare, strings quoted."""
    text = str(ident)
    if isinstance(ident, int) or text.isdigit() or (text.startswith("'") and text.endswith("'")):
        return text
    return "'" + text.replace("'", "''") + "'"
