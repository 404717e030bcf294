"""Structure-aware fuzzing of every reader (and the writers after it) with hypothesis.

Profiles (``MIMBRIDGE_FUZZ`` environment variable): ``ci`` (default: about a
minute in all) and ``long`` (run by hand: ``MIMBRIDGE_FUZZ=long python -m
pytest tests/test_fuzz.py``; about 20 minutes). Every input must end in a
result or a mimbridge error: no foreign exception (none raised, none caught
by the last-resort guard at the boundary), no hang (a per-example deadline),
and JSON output that serialises.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import mimbridge  # noqa: E402
from mimbridge.errors import MimbridgeError  # noqa: E402

from .fuzz_strategies import STRATEGIES  # noqa: E402

pytestmark = pytest.mark.timeout(600)  # a hang fails, never blocks the run
settings.register_profile("ci", max_examples=60, deadline=timedelta(seconds=20), derandomize=True,
                          suppress_health_check=list(HealthCheck), database=None)
settings.register_profile("long", max_examples=5000, deadline=timedelta(seconds=20),
                          suppress_health_check=list(HealthCheck))
PROFILE = os.environ.get("MIMBRIDGE_FUZZ", "ci")
TARGETS = ["ngsi-ld", "ntriples", "turtle", "geojson", "sta", "native", "ngsi-ld-keyvalues", "rdfxml",
           "rdf-jsonld", "ngsi-ld-temporal"]


def _text(fmt: str, doc: object) -> object:
    """What a file or a server gives: JSON formats as JSON text (the JSON parser's checks apply)."""
    if isinstance(doc, str) or mimbridge.registry.get(fmt).capabilities.output == "text":
        return doc
    return json.dumps(doc)


@pytest.mark.parametrize("fmt", sorted(STRATEGIES))
def test_reader_and_writers_raise_only_mimbridge_errors(fmt):
    @settings(settings.get_profile(PROFILE))
    @given(doc=STRATEGIES[fmt], target=st.sampled_from(TARGETS))
    def run(doc: object, target: str) -> None:
        try:
            r = mimbridge.convert(_text(fmt, doc), source=fmt, target=target)
            mimbridge.dumps(r.output)
        except MimbridgeError as exc:
            assert getattr(exc, "foreign", None) is None, f"foreign exception at the boundary: {exc}"

    run()


def test_every_source_format_has_a_strategy():
    readable = {n for n in mimbridge.registry.available() if mimbridge.registry.get(n).capabilities.read}
    assert readable <= set(STRATEGIES), readable - set(STRATEGIES)


@pytest.mark.parametrize("fmt", sorted(STRATEGIES))
def test_format_inference_answers_every_input(fmt):
    # what convert without a source and every "this looks like X" hint rest on: a guess, or
    # FormatGuessError, never another exception (the hint path also swallows errors: this is its check)
    from mimbridge.sniff import FormatGuessError, guess_content, infer

    @settings(settings.get_profile(PROFILE))
    @given(doc=STRATEGIES[fmt], as_text=st.booleans())
    def run(doc: object, as_text: bool) -> None:
        head = _text(fmt, doc) if as_text else doc
        guess_content(head)
        try:
            infer(head)
        except FormatGuessError:
            pass

    run()
