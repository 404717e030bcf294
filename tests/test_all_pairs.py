"""The loss invariant over every registered format pair and every option that changes what a format carries.

For each format A that reads and writes, each format X that reads and writes and each of X's option
variants (``Adapter.variants()``), A -> X -> A over documents generated with hypothesis (and over the
third-party corpus): every JSON pointer where the result differs from the input is covered by a
reported event at that pointer or an ancestor, or accepted by a row of the known-loss table
(``mimbridge/losses.tsv``, rendered as ``docs/losses.md``); event paths are JSON pointers or
``line N``; nothing but a :class:`~mimbridge.errors.MimbridgeError` escapes, and a format always reads
back what it wrote.

One test per source format A: each generated document is made once, converted into A once, and checked
against every (X, option) pair of A, so that every pair sees every example. A failure names each pair
that broke and hypothesis shrinks each distinct set of broken pairs to its own minimal example. Pairs in
:data:`OPEN` break the invariant today: each is an open problem with its reason; the per-source test
leaves them out (so they hide nothing) and :func:`test_open_pair` (defined while there are any) runs
each alone as a non-strict expected failure, so that the suite shows when one is fixed. Today there
are none.

Profiles (``MIMBRIDGE_HYPOTHESIS``): ``ci`` at least 200 distinct documents per pair (derandomized: the
same ones on every run; ``.ci/run`` sets it), ``long`` 2,000 (random), ``dev`` 20 (derandomized; the
default when the variable is not set, for a quick local run). The test fails when a pair was given fewer,
or compared fewer than half of them (refused the others on purpose).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from mimbridge import convert, registry
from mimbridge.errors import MimbridgeError, ParseError
from mimbridge.invariant import Prepared, prepare, round_trip
from mimbridge.losses import CI_EXAMPLES, LONG_EXAMPLES, accepted, formats_named, render, round_trip_pairs

from .conftest import ROOT, load_json, need
from .strategies import geojson_collections, ngsi_ld_documents, sta_trees

_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
#: hypothesis settings per profile, applied to these tests only (test_fuzz.py has profiles of its own)
#: (settings, distinct documents every pair must be given)
PROFILES = {
    "ci": (settings(deadline=None, database=None, derandomize=True, suppress_health_check=_CHECKS), CI_EXAMPLES),
    "long": (settings(deadline=None, suppress_health_check=_CHECKS), LONG_EXAMPLES),
    "dev": (settings(deadline=None, database=None, derandomize=True, suppress_health_check=_CHECKS), 20),
}
PROFILE = os.environ.get("MIMBRIDGE_HYPOTHESIS", "dev")
if PROFILE not in PROFILES:
    raise ValueError(f"MIMBRIDGE_HYPOTHESIS={PROFILE!r}: expected one of {sorted(PROFILES)}")
SETTINGS, DISTINCT = PROFILES[PROFILE]
#: a lossy conversion into the source format makes some generated documents equal (keyValues keeps values
#: only): a source is given this many times the distinct documents it needs
SPARE = {"ngsi-ld-keyvalues": 1.5}


def _examples(source: str) -> int:
    return math.ceil(DISTINCT * SPARE.get(source, 1.2))


def _round_trippable() -> list[str]:
    out = []
    for name in registry.available():
        caps = registry.get(name).capabilities
        if caps.read and caps.write:
            out.append(name)
    return out


FORMATS = _round_trippable()
#: every (via, option) a document of a source format goes through
VIAS = [(x, opts) for x in FORMATS for opts in registry.get(x).variants()]
PAIRS = [(a, x, opts) for a in FORMATS for x, opts in VIAS]
#: the generator whose documents a source format is given (converted into it); NGSI-LD for the others
FAMILY = {"sta": sta_trees, "sta2": sta_trees, "sta-dataarray": sta_trees, "geojson": geojson_collections}


def _family(a: str) -> tuple[Callable[[], st.SearchStrategy[Any]], str]:
    gen = FAMILY.get(a, ngsi_ld_documents)
    return gen, {sta_trees: "sta", geojson_collections: "geojson"}.get(gen, "ngsi-ld")


def _pair_name(a: str, x: str, opts: dict[str, Any]) -> str:
    return f"{a} -> {x}" + "".join(f" {k}={v}" for k, v in opts.items()) + f" -> {a}"


def _pair_id(p: tuple[str, str, dict[str, Any]]) -> str:
    a, x, opts = p
    return f"{a}__{x}" + "".join(f"__{k}_{v}" for k, v in opts.items())


def _in_format(doc: Any, fmt: str, family: str) -> Any:
    """``doc`` (of the generator's family) converted into ``fmt``; examples it cannot hold are rejected."""
    if fmt == family:
        return doc
    try:
        r = convert(doc, source=family, target=fmt)
    except MimbridgeError:
        assume(False)
    return r.output


def check_invariant(doc: Any, a: str, x: str, opts: dict[str, Any], *, prepared: Prepared | None = None) -> bool:
    """A -> X -> A keeps the invariant (see the module docs); raises AssertionError naming what broke it.

    Returns False when the round trip was refused on purpose (a mapping error, a capability: no silent
    loss), True when it ran and its result was compared.
    """
    try:
        rt = round_trip(doc, a, x, via_options=opts, prepared=prepared)
    except ParseError as exc:
        raise AssertionError(f"{x} {opts} cannot read back what it wrote, or {a} what it wrote: {exc}") from exc
    except MimbridgeError:
        return False
    silent = [p for p in rt.uncovered if accepted(a, x, opts, p) is None]
    assert not rt.bad_paths, f"report paths that are not JSON pointers: {rt.bad_paths[:5]}"
    assert not silent, (f"changed {silent[:8]} without an event; events: "
                        f"{[str(e)[:160] for e in rt.events][:10]}")
    return True


#: (source, via, option) -> why the invariant does not hold yet (open problems, not accepted losses)
OPEN: dict[tuple[str, str, str], str] = {}


def _open(a: str, x: str, opts: dict[str, Any]) -> str | None:
    key = ",".join(f"{k}={v}" for k, v in opts.items())
    return OPEN.get((a, x, key))


class InvariantBroken(AssertionError):
    """Round trips that changed something without an event (the class name lists the pairs)."""


@cache
def _broken(pairs: tuple[str, ...]) -> type[InvariantBroken]:
    # one exception class per set of broken pairs: hypothesis tells failures apart by exception type, so
    # each set is shrunk to a minimal example of its own and reported on its own
    return type(f"InvariantBroken[{'; '.join(pairs)}]", (InvariantBroken,), {})


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("source", FORMATS)
def test_round_trips_from_source_lose_nothing_silently(source: str) -> None:
    gen, family = _family(source)
    vias = [(x, opts) for x, opts in VIAS if not _open(source, x, opts)]
    seen: set[str] = set()  # the distinct documents every pair was given
    compared = dict.fromkeys(range(len(vias)), 0)  # per pair: the round trips that ran to the comparison

    @settings(SETTINGS, max_examples=_examples(source))
    @given(gen())
    def run(doc: Any) -> None:
        doc = _in_format(doc, source, family)
        seen.add(json.dumps(doc, sort_keys=True, ensure_ascii=False))
        try:
            prepared = prepare(doc, source)
        except MimbridgeError:
            prepared = None  # the source reader refuses it: every pair below refuses it the same way
        broken: list[tuple[str, str]] = []
        for i, (x, opts) in enumerate(vias):
            try:
                compared[i] += check_invariant(doc, source, x, opts, prepared=prepared)
            except AssertionError as exc:
                broken.append((_pair_name(source, x, opts), str(exc)))
        if broken:
            raise _broken(tuple(name for name, _ in broken))(
                f"{len(broken)} pair(s) broke the invariant:\n" + "\n".join(f"{n}: {m}" for n, m in broken))

    run()
    assert len(seen) >= DISTINCT, f"{len(seen)} distinct {source} documents, {DISTINCT} wanted"
    # a pair that refuses (on purpose) most of what it is given checks next to nothing
    vacuous = [_pair_name(source, *vias[i]) for i, n in compared.items() if n < len(seen) // 2]
    assert not vacuous, f"pairs that compared fewer than half of the {len(seen)} documents: {vacuous}"


OPEN_PAIRS = [p for p in PAIRS if _open(*p)]


def test_open_problems_name_pairs_that_exist() -> None:
    # an entry left behind after a format or option was renamed would hide nothing and check nothing
    named = {(a, x, ",".join(f"{k}={v}" for k, v in opts.items())) for a, x, opts in PAIRS}
    assert set(OPEN) <= named, sorted(set(OPEN) - named)
    assert len(OPEN_PAIRS) == len(OPEN)


def _check_open_pair(pair: tuple[str, str, dict[str, Any]]) -> None:
    a, x, opts = pair
    gen, family = _family(a)

    # a known failure needs no minimal example: no shrinking
    @settings(SETTINGS, max_examples=DISTINCT, phases=[Phase.explicit, Phase.reuse, Phase.generate])
    @given(gen())
    def run(doc: Any) -> None:
        check_invariant(_in_format(doc, a, family), a, x, opts)

    run()


if OPEN_PAIRS:  # each open problem alone, as a non-strict expected failure (no test at all while there is none)
    test_open_pair = pytest.mark.timeout(1800)(pytest.mark.parametrize(
        "pair", [pytest.param(p, marks=pytest.mark.xfail(reason=_open(*p), strict=False)) for p in OPEN_PAIRS],
        ids=_pair_id)(_check_open_pair))


def test_every_format_has_a_row_in_the_known_loss_table() -> None:
    missing = sorted(set(registry.available()) - formats_named())
    assert not missing, f"add rows for {missing} to mimbridge/losses.tsv (a row with pointer '-' says: nothing)"


def test_known_loss_table_is_rendered_in_the_docs() -> None:
    page = ROOT / "docs" / "losses.md"
    assert page.read_text(encoding="utf-8") == render(), "regenerate docs/losses.md from mimbridge.losses.render()"


def test_pairs_cover_every_option_that_changes_what_a_format_carries() -> None:
    # the option variants are the adapters' own declarations: sta's mapping, RDF's profile and roundtrip...
    assert ("sta", "sta", {"mapping": "observations"}) in PAIRS
    assert ("ngsi-ld", "turtle", {"profile": "sosa"}) in PAIRS
    assert ("ngsi-ld", "ngsi-ld-temporal", {"temporal_values": True}) in PAIRS
    assert len(PAIRS) >= len(FORMATS) ** 2
    assert PAIRS == round_trip_pairs()  # what docs/losses.md counts


# -- the third-party corpus -------------------------------------------------------------------------
def _corpus_docs(corpus: Path) -> list[tuple[str, Any, dict[str, Any]]]:
    from .test_ngsild_corpus import CONTEXT_FILES, DOCS

    contexts = {url: str(corpus / rel) for url, rel in CONTEXT_FILES.items()}
    out: list[tuple[str, Any, dict[str, Any]]] = [("ngsi-ld", load_json(corpus / rel), {"contexts": contexts})
                                                  for rel in DOCS]
    for path in sorted((corpus / "ogc" / "sensorthings@18-088").rglob("*.json")):
        try:
            out.append(("sta", load_json(path), {}))
        except ValueError:
            continue  # a spec example that is not JSON (an excerpt with comments)
    for rel in ("_captured/pygeoapi-0.21.0/lakes_items_page1.json", "_captured/pygeoapi-0.21.0/lakes_item_0.json",
                "pygeoapi/tests/data/items.geojson"):
        out.append(("geojson", load_json(corpus / "ogc" / rel), {}))
    return out


def test_corpus_round_trips_lose_nothing_silently(corpus: Path) -> None:
    docs = _corpus_docs(corpus)
    need(len(docs) >= 20, "corpus entity, SensorThings and GeoJSON documents")
    failures = []
    for a, doc, ropts in docs:
        try:
            convert(doc, source=a, target="native", **ropts)
            prepared = prepare(doc, a, source_options=ropts)
        except MimbridgeError:
            continue  # a document the reader refuses (the corpus holds invalid examples on purpose)
        for x in FORMATS:
            for opts in registry.get(x).variants():
                try:
                    rt = round_trip(doc, a, x, source_options=ropts, via_options={**opts, **(
                        {"contexts": ropts["contexts"]} if "contexts" in ropts and "contexts" in
                        registry.get(x).options else {})}, prepared=prepared)
                except ParseError as exc:
                    failures.append(f"{a}~{x}~{opts}: cannot read back: {exc}")
                    continue
                except MimbridgeError:
                    continue
                silent = [p for p in rt.uncovered if accepted(a, x, opts, p) is None]
                if silent or rt.bad_paths:
                    failures.append(f"{a}~{x}~{opts}: {silent[:4]} {rt.bad_paths[:2]}")
    assert not failures, json.dumps(failures[:20], indent=1, ensure_ascii=False)
