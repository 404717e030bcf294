"""The wheel ships every subpackage and the top-level mapping tables (mimbridge.mappings)."""

from __future__ import annotations

import tomllib
from importlib import resources

from .conftest import ROOT


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_package_list_matches_the_source_tree():
    listed = set(_config()["packages"])
    tree = {
        ".".join(d.relative_to(ROOT).parts)
        for d in [ROOT / "mimbridge", *(ROOT / "mimbridge").rglob("*")]
        if d.is_dir() and d.name != "__pycache__" and any(f.is_file() for f in d.iterdir())
    }
    assert tree | {"mimbridge.mappings"} == listed


def test_mapping_tables_are_importable_package_data():
    shipped = {p.name for p in (ROOT / "mappings").iterdir() if p.suffix in (".tsv", ".yaml", ".json")}
    assert shipped, "no mapping tables in mappings/"
    installed = {p.name for p in resources.files("mimbridge.mappings").iterdir()}
    assert shipped <= installed
    assert _config()["package-dir"]["mimbridge.mappings"] == "mappings"
