"""MIM1 checks of an OGC API (Features, Records): landing page, conformance, collections, items.

``type`` names the collection to read (default: the first collection of
features; R4 looks through the collections for one whose items carry times).
"""

from __future__ import annotations

from typing import Any

from .base import Answer, Prober, iso, parse_time
from .geo import BoxTest, geometry_of
from .verdict import Result, Verdict

__all__ = ["OgcApiProber"]

_JSON = {"Accept": "application/json"}
FEATURES_CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
RECORDS = "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/"


class OgcApiProber(Prober):
    """R1-R8 against an OGC API landing page."""

    api = "ogcapi"

    def __init__(self, url: str, **kw: Any) -> None:
        super().__init__(url.rstrip("/"), **kw)
        self._cache: dict[str, Answer] = {}

    def doc(self, path: str, **params: Any) -> Answer:
        key = path + repr(sorted(params.items()))
        if key not in self._cache:
            self._cache[key] = self.get(self.url + path, params={"f": "json", **params}, headers=_JSON)
        return self._cache[key]

    def conformance(self) -> tuple[Answer, list[str]]:
        answer = self.doc("/conformance")
        body = answer.json()
        classes = body.get("conformsTo", []) if isinstance(body, dict) else []
        return answer, [str(c) for c in classes]

    def collections(self) -> tuple[Answer, list[dict[str, Any]]]:
        answer = self.doc("/collections")
        body = answer.json()
        cols = body.get("collections", []) if isinstance(body, dict) else []
        return answer, [c for c in cols if isinstance(c, dict)]

    def collection(self) -> tuple[Answer, str | None]:
        answer, cols = self.collections()
        if self.type:
            return answer, self.type
        feats = [str(c["id"]) for c in cols if c.get("itemType", "feature") == "feature" and "id" in c]
        ids = feats or [str(c["id"]) for c in cols if "id" in c]
        return answer, ids[0] if ids else None

    def items(self, cid: str, **params: Any) -> tuple[Answer, list[dict[str, Any]]]:
        answer = self.doc(f"/collections/{cid}/items", **params)
        body = answer.json()
        feats = body.get("features", []) if isinstance(body, dict) and answer.ok else []
        return answer, [f for f in feats if isinstance(f, dict)]

    def r1(self) -> Result:
        landing = self.doc("")
        answer, classes = self.conformance()
        links = (landing.json() or {}).get("links", []) if isinstance(landing.json(), dict) else []
        landing.note(f"landing page with {len(links)} links" if landing.ok else landing.evidence.found)
        core = [c for c in classes if c.startswith(("http://www.opengis.net/spec/ogcapi-features-1/",
                                                    RECORDS, "http://www.opengis.net/spec/ogcapi-common-1/"))]
        answer.note(f"{len(classes)} conformance classes, {len(core)} of OGC API Common/Features/Records")
        if landing.ok and answer.ok and core:
            return self.result("R1", Verdict.PASS, "landing page and /conformance of an OGC API", landing, answer)
        return self.result("R1", Verdict.FAIL, "no OGC API landing page with conformance classes", landing, answer)

    def r2(self) -> Result:
        answer, classes = self.conformance()
        found = [c for c in (FEATURES_CORE, GEOJSON) if c in classes]
        cols_answer, cid = self.collection()
        if cid is None:
            return self.result("R2", Verdict.UNKNOWN, "no collection", answer, cols_answer)
        queryables = self.doc(f"/collections/{cid}/queryables")
        qbody = queryables.json()
        props = sorted((qbody or {}).get("properties", {})) if isinstance(qbody, dict) else []
        queryables.note(f"queryables of {cid}: {', '.join(props) or 'none'}")
        if len(found) < 2:
            return self.result("R2", Verdict.FAIL, "the Features core and GeoJSON classes are not declared",
                               answer, queryables)
        return self.result("R2", Verdict.PASS, "Features core + GeoJSON declared; the collection publishes its "
                           "queryables" if props else "Features core + GeoJSON declared", answer, queryables)

    def r3(self) -> Result:
        cols, cid = self.collection()
        if cid is None:
            return self.result("R3", Verdict.UNKNOWN, "no collection", cols)
        first, feats = self.items(cid, limit=5)
        names = [k for f in feats for k in (f.get("properties") or {})]
        if not names:
            return self.result("R3", Verdict.UNKNOWN, f"no item with properties in {cid}", first)
        prop = next((n for n in names if n != "id"), names[0])
        answer, got = self.items(cid, limit=5, properties=prop)
        not_feature = [f.get("id") for f in got if f.get("type") != "Feature"]
        missing = [f.get("id") for f in got if prop not in (f.get("properties") or {})]
        extra = sorted({k for f in got for k in (f.get("properties") or {}) if k != prop})
        answer.note(f"{len(got)} items; not a Feature: {len(not_feature)}; without {prop}: {len(missing)}; "
                    f"other properties: {extra or 'none'}")
        if not got or not_feature or missing:
            return self.result("R3", Verdict.FAIL, f"items of {cid} do not carry the requested property", answer)
        how = "only" if not extra else "at least (properties= not honoured)"
        return self.result("R3", Verdict.PASS, f"{len(got)} features of {cid} with {how} {prop}", first, answer)

    def _times(self, feats: list[dict[str, Any]]) -> tuple[str | None, dict[Any, Any]]:
        """The time-valued member with most values (``time`` of Records, or a property) -> item id -> time."""
        best: tuple[str | None, dict[Any, Any]] = (None, {})
        candidates: dict[str, dict[Any, Any]] = {}
        for f in feats:
            t = f.get("time")
            if isinstance(t, dict):
                value = t.get("timestamp") or t.get("date") or (t.get("interval") or [None])[0]
                if (pt := parse_time(value)) is not None:
                    candidates.setdefault("time", {})[f.get("id")] = pt
            for k, v in (f.get("properties") or {}).items():
                if (pt := parse_time(v)) is not None:
                    candidates.setdefault(k, {})[f.get("id")] = pt
        for key, values in candidates.items():
            if len(values) > len(best[1]):
                best = (key, values)
        return best

    def r4(self) -> Result:
        cols_answer, cols = self.collections()
        tried = []
        for col in cols[:10]:
            cid = str(col.get("id"))
            sample, feats = self.items(cid, limit=100)
            tried.append(sample)
            key, times = self._times(feats)
            distinct = sorted(set(times.values()))
            if len(distinct) < 2:
                continue
            sample.note(f"{len(times)} items with a time ({key})")
            mid = len(distinct) // 2
            start, end = distinct[0], distinct[mid - 1] + (distinct[mid] - distinct[mid - 1]) / 2
            answer, got = self.items(cid, limit=100, datetime=f"{iso(start)}/{iso(end)}")
            if not answer.ok:
                return self.result("R4", Verdict.FAIL, f"datetime= fails on {cid}", sample, answer)
            inside = {i for i, t in times.items() if start <= t <= end}
            ids = {f.get("id") for f in got}
            stray = sorted(map(str, ids - inside))
            lost = sorted(map(str, inside - ids))
            answer.note(f"{len(got)} items; outside the window: {stray or 'none'}; inside but missing: "
                        f"{lost or 'none'}")
            if stray or lost or not got:
                return self.result("R4", Verdict.FAIL, f"datetime= on {cid} returns a wrong set", sample, answer)
            return self.result("R4", Verdict.PASS, f"{len(got)} items of {cid}, exactly those inside the window",
                               sample, answer)
        return self.result("R4", Verdict.UNKNOWN, "no collection whose items carry times", cols_answer, *tried)

    def r5(self) -> Result:
        cols, cid = self.collection()
        if cid is None:
            return self.result("R5", Verdict.UNKNOWN, "no collection", cols)
        sample, feats = self.items(cid, limit=100)
        located = [(f.get("id"), g) for f in feats if (g := geometry_of(f.get("geometry"))) is not None]
        sample.note(f"{len(located)} items with a geometry")
        if len(located) < 2:
            return self.result("R5", Verdict.UNKNOWN, f"fewer than two located items in {cid}", sample)
        test = BoxTest.around(located)
        answer, got = self.items(cid, limit=100, bbox=",".join(map(str, test.box.bounds)))
        if not answer.ok:
            return self.result("R5", Verdict.FAIL, "bbox= fails", sample, answer)
        judged = test.check([(f.get("id"), geometry_of(f.get("geometry"))) for f in got])
        answer.note(judged.note("items"))
        if not judged.ok:
            return self.result("R5", Verdict.FAIL, "bbox= returned a wrong set", sample, answer)
        return self.result("R5", Verdict.PASS, f"{len(got)} items of {cid} in the box, none outside", sample, answer)

    def r6(self) -> Result:
        return self.not_offered("R6", "OGC API Features and Records define no subscription")

    def r7(self) -> Result:
        landing = self.doc("")
        rels = {ln.get("rel"): ln.get("href") for ln in (landing.json() or {}).get("links", [])
                if isinstance(ln, dict)} if isinstance(landing.json(), dict) else {}
        conf, classes = self.conformance()
        cols, collections = self.collections()
        records = [c.get("id") for c in collections if c.get("itemType") == "record"]
        found = []
        if "service-desc" in rels:
            found.append("OpenAPI (service-desc)")
        if classes:
            found.append(f"/conformance ({len(classes)} classes)")
        if records:
            found.append(f"OGC API Records collection(s): {', '.join(map(str, records))}")
        extents = sum(1 for c in collections if isinstance(c.get("extent"), dict))
        cols.note(f"{len(collections)} collections, {extents} with an extent; {len(records)} record collection(s)")
        landing.note(", ".join(found) or "no service description")
        if classes and ("service-desc" in rels or records):
            return self.result("R7", Verdict.PASS, "; ".join(found), landing, conf, cols)
        return self.result("R7", Verdict.FAIL, "neither an OpenAPI document nor a Records catalogue", landing, conf,
                           cols)

    def r8(self) -> Result:
        cols, cid = self.collection()
        if cid is None:
            return self.result("R8", Verdict.UNKNOWN, "no collection", cols)
        plain = self.doc(f"/collections/{cid}/items")
        body = plain.json() if isinstance(plain.json(), dict) else {}
        n, matched = len(body.get("features", [])), body.get("numberMatched")
        plain.note(f"{n} items without limit; numberMatched {matched}")
        two = self.doc(f"/collections/{cid}/items", limit=2)
        page = two.json() if isinstance(two.json(), dict) else {}
        nxt = next((ln.get("href") for ln in page.get("links", []) if isinstance(ln, dict) and ln.get("rel") == "next"),
                   None)
        two.note(f"{len(page.get('features', []))} with limit=2; next: {nxt or 'none'}")
        if not nxt:
            return self.result("R8", Verdict.FAIL, "limit=2 gives no next link", plain, two)
        follow = self.get(nxt, headers=_JSON)
        first_ids = {f.get("id") for f in page.get("features", [])}
        second = {f.get("id") for f in ((follow.json() or {}).get("features") or [])}
        follow.note(f"{len(second)} items, {len(second & first_ids)} repeated")
        if not second or second & first_ids:
            return self.result("R8", Verdict.FAIL, "the next link does not lead to the next items", plain, two, follow)
        if not isinstance(matched, int) or matched <= n:
            return self.result("R8", Verdict.UNKNOWN, f"paging works, but no default limit shows ({n} items, "
                               f"numberMatched {matched})", plain, two, follow)
        return self.result("R8", Verdict.PASS, f"default limit {n} of {matched}, numberMatched, working next link",
                           plain, two, follow)
