"""MIM1 checks of a WFS 2.0 service (``url``: the service endpoint, vendor parameters such as ``map=`` kept).

GML answers are read by mimbridge's ``wfs-gml`` reader (axis order handled);
``type`` names the feature type (default: the first one advertised).
"""

from __future__ import annotations

import re
from typing import Any

from ..clients.ogc import WfsSource
from ..errors import MimbridgeError
from .base import Answer, Prober
from .geo import BoxTest, geometry_of
from .verdict import Result, Verdict

__all__ = ["WfsProber"]

_OPERATIONS = ("GetCapabilities", "DescribeFeatureType", "GetFeature", "GetPropertyValue", "ListStoredQueries",
               "DescribeStoredQueries", "Transaction", "LockFeature", "GetFeatureWithLock")
_XML = {"Accept": "application/xml, text/xml"}
_TIME_TYPES = re.compile(r'type="[\w]*:?(dateTime|date|TimeInstantType|TimePeriodType)"')


class WfsProber(Prober):
    """R1-R8 against a WFS 2.0 endpoint."""

    api = "wfs"

    def __init__(self, url: str, **kw: Any) -> None:
        super().__init__(url, **kw)
        self._caps: tuple[Answer, Any] | None = None

    def kvp(self, request: str, **params: Any) -> Answer:
        return self.get(self.url, params={"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": request, **params},
                        headers=_XML)

    def caps(self) -> tuple[Answer, Any]:
        if self._caps is None:
            answer = self.kvp("GetCapabilities")
            wfs = None
            if answer.ok:
                try:
                    wfs = WfsSource(self.url, http=self.http, type_name=self.type or "_").capabilities()
                except MimbridgeError as exc:
                    answer.note(str(exc)[:200])
            self._caps = (answer, wfs)
        return self._caps

    def type_name(self) -> str | None:
        _, wfs = self.caps()
        if self.type:
            return self.type
        names = list(wfs.contents) if wfs is not None else []
        return names[0] if names else None

    def features(self, answer: Answer) -> list[dict[str, Any]]:
        if not answer.ok or answer.response is None:
            return []
        from ..convert import convert

        try:
            out = convert(answer.response.content, source="wfs-gml", target="geojson").output
        except MimbridgeError as exc:
            answer.note(f"GML not readable: {exc}"[:200])
            return []
        return [f for f in (out or {}).get("features", []) if isinstance(f, dict)]

    def constraint(self, name: str) -> str | None:
        answer, _ = self.caps()
        if answer.response is None:
            return None
        m = re.search(rf'<ows:Constraint name="{name}">.*?<ows:DefaultValue>([^<]+)</ows:DefaultValue>',
                      answer.response.text, re.S)
        return m.group(1).strip() if m else None

    def r1(self) -> Result:
        answer, wfs = self.caps()
        ops = [op.name for op in getattr(wfs, "operations", []) if op.name in _OPERATIONS] if wfs is not None else []
        answer.note(f"operations: {', '.join(ops) or 'none'}")
        if wfs is not None and "GetFeature" in ops:
            return self.result("R1", Verdict.PASS, "WFS 2.0 capabilities with GetFeature", answer)
        return self.result("R1", Verdict.FAIL, "no WFS 2.0 capabilities", answer)

    def r2(self) -> Result:
        name = self.type_name()
        if name is None:
            return self.result("R2", Verdict.UNKNOWN, "no feature type", self.caps()[0])
        answer = self.kvp("DescribeFeatureType", TYPENAMES=name)
        text = answer.response.text if answer.response is not None else ""
        ok = answer.ok and "schema" in text[:600] and "gml" in text
        answer.note("a GML application schema" if ok else "no XML schema")
        if ok:
            return self.result("R2", Verdict.PASS, f"{name} is described by a GML application schema", answer)
        return self.result("R2", Verdict.FAIL, f"DescribeFeatureType of {name} gives no schema", answer)

    def r3(self) -> Result:
        name = self.type_name()
        if name is None:
            return self.result("R3", Verdict.UNKNOWN, "no feature type", self.caps()[0])
        first = self.kvp("GetFeature", TYPENAMES=name, COUNT=5)
        feats = self.features(first)
        names = [k for f in feats for k in (f.get("properties") or {}) if k != "id"]
        first.note(f"{len(feats)} features")
        if not names:
            return self.result("R3", Verdict.UNKNOWN, f"no feature of {name} with properties", first)
        prop = names[0]
        answer = self.kvp("GetFeature", TYPENAMES=name, COUNT=5, PROPERTYNAME=prop)
        got = self.features(answer)
        missing = [f.get("id") for f in got if prop not in (f.get("properties") or {})]
        extra = sorted({k for f in got for k in (f.get("properties") or {}) if k not in (prop, "id")})
        answer.note(f"{len(got)} features; without {prop}: {len(missing)}; other properties: {extra or 'none'}")
        if not got or missing or extra:
            return self.result("R3", Verdict.FAIL, "GetFeature with PROPERTYNAME returns a wrong set", first, answer)
        return self.result("R3", Verdict.PASS, f"{len(got)} features of {name} with only {prop}", first, answer)

    def r4(self) -> Result:
        name = self.type_name()
        if name is None:
            return self.result("R4", Verdict.UNKNOWN, "no feature type", self.caps()[0])
        answer = self.kvp("DescribeFeatureType", TYPENAMES=name)
        text = answer.response.text if answer.response is not None else ""
        found = _TIME_TYPES.findall(text)
        answer.note(f"time-valued properties: {found or 'none'}")
        return self.result("R4", Verdict.UNKNOWN, f"{name} has no time-valued property to filter on" if not found
                           else "temporal filters (FES During) are not checked yet", answer)

    def r5(self) -> Result:
        name = self.type_name()
        if name is None:
            return self.result("R5", Verdict.UNKNOWN, "no feature type", self.caps()[0])
        sample = self.kvp("GetFeature", TYPENAMES=name, COUNT=100)
        feats = self.features(sample)
        located = [(f.get("id"), g) for f in feats if (g := geometry_of(f.get("geometry"))) is not None]
        sample.note(f"{len(located)} features with a geometry")
        if len(located) < 2:
            return self.result("R5", Verdict.UNKNOWN, f"fewer than two located features of {name}", sample)
        test = BoxTest.around(located)
        x0, y0, x1, y1 = test.box.bounds
        answer = self.kvp("GetFeature", TYPENAMES=name, COUNT=100,
                          BBOX=f"{y0},{x0},{y1},{x1},urn:ogc:def:crs:EPSG::4326")
        got = self.features(answer)
        if not answer.ok:
            return self.result("R5", Verdict.FAIL, "GetFeature with BBOX fails", sample, answer)
        judged = test.check([(f.get("id"), geometry_of(f.get("geometry"))) for f in got])
        answer.note(judged.note("features"))
        if not judged.ok:
            return self.result("R5", Verdict.FAIL, "the BBOX filter returned a wrong set", sample, answer)
        return self.result("R5", Verdict.PASS, f"{len(got)} features in the box, none outside", sample, answer)

    def r6(self) -> Result:
        return self.not_offered("R6", "WFS defines no subscription")

    def r7(self) -> Result:
        answer, wfs = self.caps()
        types = list(wfs.contents) if wfs is not None else []
        boxed = [t for t in types if getattr(wfs.contents[t], "boundingBoxWGS84", None)]
        answer.note(f"{len(types)} feature types, {len(boxed)} with a WGS84 bounding box")
        if types:
            return self.result("R7", Verdict.PASS, "GetCapabilities lists the feature types and their extents",
                               answer)
        return self.result("R7", Verdict.FAIL, "GetCapabilities lists no feature type", answer)

    def r8(self) -> Result:
        name = self.type_name()
        answer, _ = self.caps()
        if name is None:
            return self.result("R8", Verdict.UNKNOWN, "no feature type", answer)
        default, paging = self.constraint("CountDefault"), self.constraint("ImplementsResultPaging")
        answer.note(f"CountDefault {default}; ImplementsResultPaging {paging}")
        two = self.kvp("GetFeature", TYPENAMES=name, COUNT=2)
        m = re.search(r'\snext="([^"]+)"', two.response.text if two.response is not None else "")
        nxt = m.group(1).replace("&amp;", "&") if m else None
        first_ids = {f.get("id") for f in self.features(two)}
        two.note(f"{len(first_ids)} features with COUNT=2; next: {nxt or 'none'}")
        if not nxt:
            return self.result("R8", Verdict.FAIL, "COUNT=2 gives no next link", answer, two)
        follow = self.get(nxt, headers=_XML)
        second = {f.get("id") for f in self.features(follow)}
        follow.note(f"{len(second)} features, {len(second & first_ids)} repeated")
        if not second or second & first_ids:
            return self.result("R8", Verdict.FAIL, "the next link does not lead to the next features", answer, two,
                               follow)
        if not default:
            return self.result("R8", Verdict.FAIL, "paging works, but the service advertises no CountDefault",
                               answer, two, follow)
        return self.result("R8", Verdict.PASS, f"CountDefault {default}, COUNT/STARTINDEX paging with next links",
                           answer, two, follow)
