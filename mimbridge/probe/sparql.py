"""MIM1 checks of a SPARQL 1.1 endpoint (``url``: the query endpoint; ``/query`` below it is tried too).

``type`` names the class to read (default: the most used ``rdf:type``).
R5 uses GeoSPARQL (``geo:asWKT`` values, ``geof:sfWithin``); R7 looks for
a DCAT catalogue in the store.
"""

from __future__ import annotations

from typing import Any

from .base import Answer, Prober, iso, parse_time
from .geo import BoxTest, wkt_polygon
from .verdict import Result, Verdict

__all__ = ["SparqlProber"]

_RESULTS = {"Accept": "application/sparql-results+json"}
PREFIXES = ("PREFIX geo: <http://www.opengis.net/ont/geosparql#>\n"
            "PREFIX geof: <http://www.opengis.net/def/function/geosparql/>\n"
            "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
            "PREFIX dcat: <http://www.w3.org/ns/dcat#>\n")
_SKIP_CLASSES = ("http://www.w3.org/ns/dcat#", "http://www.w3.org/ns/earl#", "http://www.w3.org/ns/shacl#")


class SparqlProber(Prober):
    """R1-R8 against a SPARQL endpoint."""

    api = "sparql"

    def __init__(self, url: str, **kw: Any) -> None:
        super().__init__(url, **kw)
        self.endpoint: str | None = None

    def query(self, text: str) -> tuple[Answer, Any]:
        if self.endpoint is None:
            for candidate in (self.url, self.url.rstrip("/") + "/query"):
                ask = self.get(candidate, params={"query": "ASK {}"}, headers=_RESULTS)
                if isinstance(ask.json(), dict) and "boolean" in ask.json():
                    self.endpoint = candidate
                    break
            else:
                return ask, None
        answer = self.get(self.endpoint, params={"query": PREFIXES + text}, headers=_RESULTS)
        answer.evidence.request = f"SPARQL {text.strip()}"[:400]
        body = answer.json()
        return answer, body if answer.ok and isinstance(body, dict) else None

    def rows(self, text: str) -> tuple[Answer, list[dict[str, str]] | None]:
        answer, body = self.query(text)
        if body is None:
            return answer, None
        return answer, [{k: v.get("value") for k, v in b.items()} for b in body.get("results", {}).get("bindings", [])]

    def klass(self) -> tuple[Answer | None, str | None]:
        if self.type:
            return None, self.type
        answer, rows = self.rows("SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 20")
        for r in rows or []:
            if not str(r.get("c")).startswith(_SKIP_CLASSES):
                self.type = r["c"]
                break
        return answer, self.type

    def r1(self) -> Result:
        answer, body = self.query("ASK {}")
        if body is not None and "boolean" in body:
            answer.note("SPARQL results JSON")
            return self.result("R1", Verdict.PASS, "a SPARQL 1.1 query endpoint", answer)
        return self.result("R1", Verdict.FAIL, "no SPARQL endpoint answers", answer)

    def r2(self) -> Result:
        answer, rows = self.rows("SELECT ?c (COUNT(?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) LIMIT 20")
        if rows is None:
            return self.result("R2", Verdict.FAIL, "the class query fails", answer)
        iris = [r["c"] for r in rows if ":" in str(r.get("c"))]
        answer.note(f"{len(iris)} classes: {', '.join(iris[:4])}")
        if not iris:
            return self.result("R2", Verdict.UNKNOWN, "no typed resource in the store", answer)
        return self.result("R2", Verdict.PASS, "resources are typed with class IRIs (RDFS/OWL)", answer)

    def r3(self) -> Result:
        first, cls = self.klass()
        if cls is None:
            return self.result("R3", Verdict.UNKNOWN, "no class to query", *([first] if first else []))
        pa, preds = self.rows(f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ ?s a <{cls}> ; ?p ?o }} GROUP BY ?p "
                              "ORDER BY DESC(?n) LIMIT 10")
        pred = next((r["p"] for r in preds or [] if not r["p"].endswith("#type")), None)
        if pred is None:
            return self.result("R3", Verdict.UNKNOWN, f"no property of {cls}", pa)
        answer, rows = self.rows(f"SELECT ?s ?o WHERE {{ ?s a <{cls}> ; <{pred}> ?o }} ORDER BY ?s LIMIT 10")
        if not rows:
            return self.result("R3", Verdict.FAIL, "the query for the class and property returns nothing", pa, answer)
        values = " ".join(f"<{r['s']}>" for r in rows if r.get("s", "").startswith(("http", "urn")))
        check, body = self.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?s {{ {values} }} ?s a <{cls}> ; "
                                 f"<{pred}> ?o }}")
        n = int(body["results"]["bindings"][0]["n"]["value"]) if body else -1
        distinct = len({r["s"] for r in rows if r.get("s", "").startswith(("http", "urn"))})
        answer.note(f"{len(rows)} rows")
        check.note(f"{n} of {distinct} subjects confirmed as {cls} with {pred}")
        if n != distinct:
            return self.result("R3", Verdict.FAIL, "the answer holds resources of another type", answer, check)
        return self.result("R3", Verdict.PASS, f"{len(rows)} values of {pred} on resources of {cls}", answer, check)

    def r4(self) -> Result:
        pa, preds = self.rows("SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(datatype(?o) = xsd:dateTime) } "
                              "GROUP BY ?p ORDER BY DESC(?n) LIMIT 1")
        if not preds:
            return self.result("R4", Verdict.UNKNOWN, "no xsd:dateTime value in the store", pa)
        pred = preds[0]["p"]
        sa, rows = self.rows(f"SELECT DISTINCT ?o WHERE {{ ?s <{pred}> ?o }} ORDER BY ?o LIMIT 200")
        times = sorted({t for r in rows or [] if (t := parse_time(r.get("o"))) is not None})
        sa.note(f"{len(times)} distinct instants of {pred}")
        if len(times) < 2:
            return self.result("R4", Verdict.UNKNOWN, "fewer than two instants to choose a window", pa, sa)
        mid = len(times) // 2
        start, end = times[0], times[mid - 1] + (times[mid] - times[mid - 1]) / 2
        answer, got = self.rows(f"SELECT ?s ?o WHERE {{ ?s <{pred}> ?o FILTER(?o >= \"{iso(start)}\"^^xsd:dateTime "
                                f"&& ?o < \"{iso(end)}\"^^xsd:dateTime) }}")
        if got is None:
            return self.result("R4", Verdict.FAIL, "a time-window filter fails", sa, answer)
        found = [parse_time(r.get("o")) for r in got]
        outside = [str(t) for t in found if t is None or not start <= t < end]
        answer.note(f"{len(found)} values, {len(outside)} outside the window")
        if not found or outside:
            return self.result("R4", Verdict.FAIL, "the window filter returns a wrong set", sa, answer)
        return self.result("R4", Verdict.PASS, f"{len(found)} values, all inside the requested window", sa, answer)

    def r5(self) -> Result:
        from shapely import wkt as shapely_wkt
        from shapely.errors import ShapelyError

        sa, rows = self.rows("SELECT ?g ?w WHERE { ?g geo:asWKT ?w } LIMIT 200")
        located = []
        for r in rows or []:
            text = str(r.get("w", ""))
            if text.startswith("<"):
                text = text.split(">", 1)[1]  # a CRS IRI before the WKT
            try:
                located.append((r["g"], shapely_wkt.loads(text)))
            except (ShapelyError, ValueError):
                continue
        sa.note(f"{len(located)} geometries (geo:asWKT)")
        if len(located) < 2:
            return self.result("R5", Verdict.UNKNOWN, "fewer than two GeoSPARQL geometries in the store", sa)
        test = BoxTest.around(located)
        answer, got = self.rows(f"SELECT ?g WHERE {{ ?g geo:asWKT ?w FILTER(geof:sfWithin(?w, "
                                f"\"{wkt_polygon(test.box.bounds)}\"^^geo:wktLiteral)) }}")
        if got is None:
            return self.result("R5", Verdict.FAIL, "the GeoSPARQL filter fails", sa, answer)
        judged = test.check([(g, None) for g in {r.get("g") for r in got}], geometries=False)
        answer.note(judged.note("geometries"))
        if not judged.ok:
            return self.result("R5", Verdict.FAIL, "geof:sfWithin does not select the geometries inside the box "
                               "(GeoSPARQL functions not supported?)", sa, answer)
        return self.result("R5", Verdict.PASS, f"{judged.count} geometries within the box, none outside", sa, answer)

    def r6(self) -> Result:
        return self.not_offered("R6", "SPARQL 1.1 defines no subscription (a separate MQTT feed is outside it)")

    def r7(self) -> Result:
        answer, rows = self.rows("SELECT ?d ?t WHERE { ?d a ?t FILTER(?t IN (dcat:Catalog, dcat:Dataset, "
                                 "dcat:DataService)) } LIMIT 20")
        if rows is None:
            return self.result("R7", Verdict.FAIL, "the catalogue query fails", answer)
        kinds = sorted({r["t"].rsplit("#", 1)[-1] for r in rows})
        answer.note(f"{len(rows)} DCAT resources ({', '.join(kinds) or 'none'})")
        if rows:
            return self.result("R7", Verdict.PASS, "the store holds a DCAT catalogue", answer)
        return self.result("R7", Verdict.FAIL, "no DCAT catalogue (dcat:Catalog/Dataset/DataService) in the store",
                           answer)

    def r8(self) -> Result:
        q = "SELECT DISTINCT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 2 OFFSET {}"
        a1, r1 = self.rows(q.replace("{}", "0"))
        a2, r2 = self.rows(q.replace("{}", "2"))
        if r1 is None or r2 is None:
            return self.result("R8", Verdict.FAIL, "LIMIT/OFFSET queries fail", a1, a2)
        s1, s2 = {r["s"] for r in r1}, {r["s"] for r in r2}
        a1.note(f"{len(s1)} rows")
        a2.note(f"{len(s2)} rows, {len(s1 & s2)} repeated")
        if len(s1) != 2 or not s2 or s1 & s2:
            return self.result("R8", Verdict.FAIL if len(s1) > 2 or s1 & s2 else Verdict.UNKNOWN,
                               "LIMIT/OFFSET do not page the results", a1, a2)
        return self.result("R8", Verdict.PASS, "LIMIT/OFFSET page the results (SPARQL sets no default limit)", a1, a2)
