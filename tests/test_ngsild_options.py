"""NGSI-LD reader and writer options: core context version, local and output contexts."""

from __future__ import annotations

import json

import pytest

import mimbridge

from .test_golden import GOLDEN as _ROOT

GOLDEN = _ROOT / "ngsi-ld"
CASES = ["all-kinds"]


def test_emit_core_context_version():
    e = {"id": "urn:ngsi-ld:T:1", "type": "T"}
    out = mimbridge.convert(e, source="ngsi-ld", target="ngsi-ld", emit_context=True, core_version="1.9").output
    assert out["@context"] == "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld"
    assert "@context" not in mimbridge.convert(e, source="ngsi-ld", target="ngsi-ld").output


def test_context_from_local_file_and_out_context(tmp_path):
    ctx = tmp_path / "ctx.jsonld"
    ctx.write_text(json.dumps({"@context": {"Bridge": "https://schema.example/Bridge",
                                            "length": "https://schema.example/length"}}))
    e = {"id": "urn:ngsi-ld:Bridge:1", "type": "Bridge", "length": {"type": "Property", "value": 3}}
    g = mimbridge.read(e, source="ngsi-ld", context=str(ctx))
    assert g.nodes[0].types == ["https://schema.example/Bridge"]
    assert "https://schema.example/length" in g.nodes[0].attrs
    # written back with the core context only, the user terms stay full IRIs
    out = mimbridge.convert(e, source="ngsi-ld", target="ngsi-ld", context=str(ctx), out_context=[]).output
    assert out["type"] == "https://schema.example/Bridge"
    # and with the same file as output context they compact again, and the context is emitted inline
    out = mimbridge.convert(e, source="ngsi-ld", target="ngsi-ld", context=str(ctx), out_context=str(ctx)).output
    assert out["type"] == "Bridge" and out["@context"]["length"] == "https://schema.example/length"


def test_unreadable_context_file():
    with pytest.raises(mimbridge.ResolutionError, match="cannot read context file"):
        mimbridge.read({"id": "urn:x:1", "type": "T"}, source="ngsi-ld", context="/nonexistent/ctx.jsonld")


@pytest.mark.parametrize("target", ["ngsi-ld", "ngsi-ld-concise", "ngsi-ld-keyvalues", "ngsi-ld-temporal",
                                    "ngsi-ld-geojson", "native"])
def test_write_does_not_mutate_the_graph(target):
    from mimbridge.adapters.native import dump

    src = json.loads((GOLDEN / f"{CASES[0]}.jsonld").read_text())
    g = mimbridge.read(src, source="ngsi-ld")
    before = dump(g)
    mimbridge.write(g, target=target)
    assert dump(g) == before
