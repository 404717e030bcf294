"""The result model of a MIM1 probe: one verdict per requirement R1-R8, with the evidence behind it.

>>> r = Result("R3", Verdict.PASS, "3 entities of type Room, each with only temperature",
...            [Evidence("GET http://b.test/ngsi-ld/v1/entities?type=Room&attrs=temperature", 200, "3 entities")])
>>> report = ProbeReport(url="http://b.test", api="ngsi-ld", results=[r])
>>> report.ok, report.results[0].verdict.value
(True, 'pass')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["REQUIREMENTS", "Evidence", "ProbeReport", "Result", "Verdict"]

#: requirement id -> short title (OASC MIM1)
REQUIREMENTS: dict[str, str] = {
    "R1": "uniform context management API",
    "R2": "same concepts (information models)",
    "R3": "retrieval of current data",
    "R4": "retrieval of historical data",
    "R5": "geospatial querying",
    "R6": "subscription to changes",
    "R7": "discovery of sources",
    "R8": "subsets with default limits and paging",
}


class Verdict(StrEnum):
    """The four verdicts (EARL outcomes: passed, failed, inapplicable, cantTell)."""

    PASS = "pass"  # noqa: S105 - a verdict, not a password
    FAIL = "fail"
    NOT_OFFERED = "not offered"
    UNKNOWN = "could not tell"


@dataclass(slots=True)
class Evidence:
    """One request the probe sent: what (``GET url``), the HTTP status (None: no answer), what was found."""

    request: str
    status: int | None
    found: str

    def to_dict(self) -> dict[str, Any]:
        return {"request": self.request, "status": self.status, "found": self.found}


@dataclass(slots=True)
class Result:
    """The verdict on one requirement, a one-line reason and the evidence."""

    requirement: str
    verdict: Verdict
    summary: str
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def title(self) -> str:
        return REQUIREMENTS.get(self.requirement, "")

    def to_dict(self) -> dict[str, Any]:
        return {"requirement": self.requirement, "title": self.title, "verdict": self.verdict.value,
                "summary": self.summary, "evidence": [e.to_dict() for e in self.evidence]}


@dataclass(slots=True)
class ProbeReport:
    """Everything a probe found: the endpoint, the API kind and one :class:`Result` per requirement.

    ``ok`` is true when every requirement the standard offers passed.
    """

    url: str
    api: str
    results: list[Result] = field(default_factory=list)
    started: str = ""
    requests: int = 0

    @property
    def ok(self) -> bool:
        return all(r.verdict in (Verdict.PASS, Verdict.NOT_OFFERED) for r in self.results)

    def verdicts(self) -> dict[str, str]:
        """``{"R1": "pass", ...}``.

        >>> ProbeReport("u", "sparql", [Result("R6", Verdict.NOT_OFFERED, "")]).verdicts()
        {'R6': 'not offered'}
        """
        return {r.requirement: r.verdict.value for r in self.results}

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "api": self.api, "started": self.started, "requests": self.requests,
                "ok": self.ok, "results": [r.to_dict() for r in self.results]}

    def table(self, *, evidence: bool = True) -> str:
        """A plain-text table for the terminal: requirement, verdict, summary (and the evidence below)."""
        head = "MIM2 probe" if self.api == "data" else "MIM1 probe"
        lines = [f"{head} of {self.url} ({self.api}), {self.requests} request(s)", ""]
        width = max((len(r.verdict.value) for r in self.results), default=4)
        for r in self.results:
            lines.append(f"{r.requirement}  {r.verdict.value:<{width}}  {r.title}: {r.summary}")
            if evidence:
                for e in r.evidence:
                    status = "-" if e.status is None else str(e.status)
                    lines.append(f"      {status:>3} {e.request}" + (f"  -> {e.found}" if e.found else ""))
        passed = sum(r.verdict is Verdict.PASS for r in self.results)
        lines += ["", f"{passed} passed, " + ", ".join(
            f"{sum(r.verdict is v for r in self.results)} {v.value}" for v in
            (Verdict.FAIL, Verdict.NOT_OFFERED, Verdict.UNKNOWN))]
        return "\n".join(lines) + "\n"
