"""The house rules, read from the code's own imports (module level and inside functions).

Layers from the bottom up (a module imports only from its own layer or below):

0. ``errors``, ``model``, ``report``, ``gcpause``, ``fastjson``, ``jsonseq``, ``options``, ``limits``, ``safexml``,
   ``progress``, ``identifiers``,
   ``minting``, ``sniff``, ``suggest``, ``extras``: the ground floor;
1. ``contexts``, ``geometry``, ``geometry_gml``, ``mapping``, ``sdm``: vocabularies, geometry, units, tables,
   the Smart Data Models catalogue;
2. ``adapters``, ``registry``: the formats (each family a package) and their table;
3. ``convert``, ``stream``, ``testing``: the pipelines and the adapter contract suite;
4. ``validate``, ``resolve``, ``clients``, ``dask``, ``connect``, ``probe``, ``describe``: services built on
   conversions;
5. ``mimbridge`` (the public surface);
6. ``cli`` and the ``__main__`` modules: nothing imports them.

Besides: no module imports a private name (``_x``) of another module (so adapter
families never share private names). Each failure names
the importing module, its line and the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mimbridge"

LAYERS: tuple[tuple[str, ...], ...] = (
    ("mimbridge.errors", "mimbridge.model", "mimbridge.report", "mimbridge.gcpause", "mimbridge.fastjson",
     "mimbridge.options",
     "mimbridge.jsonseq", "mimbridge.limits", "mimbridge.safexml", "mimbridge.progress", "mimbridge.identifiers",
     "mimbridge.meta", "mimbridge.sniff", "mimbridge.suggest", "mimbridge.extras", "mimbridge.minting"),
    ("mimbridge.contexts", "mimbridge.geometry", "mimbridge.geometry_gml", "mimbridge.mapping", "mimbridge.sdm"),
    ("mimbridge.adapters", "mimbridge.registry"),
    ("mimbridge.convert", "mimbridge.stream", "mimbridge.records", "mimbridge.testing", "mimbridge.invariant",
     "mimbridge.losses"),
    ("mimbridge.validate", "mimbridge.resolve", "mimbridge.clients", "mimbridge.dask", "mimbridge.probe",
     "mimbridge.describe", "mimbridge.describe_sample", "mimbridge.describe_summary", "mimbridge.connect"),
    ("mimbridge",),
    ("mimbridge.cli", "mimbridge.__main__", "mimbridge.resolve.__main__"),
)


def layer_of(module: str) -> int:
    """The layer of a module: the longest listed prefix decides (``mimbridge.resolve.__main__`` is 6)."""
    best, rank = "", -1
    for i, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > len(best):
                best, rank = name, i
    if rank < 0:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS in {Path(__file__).name}")
    return rank


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, root: Path) -> list[tuple[str, str, int]]:
    """``(target module, imported name or "", line)`` for every mimbridge import in ``path``."""
    mod = module_name(path, root)
    pkg = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "mimbridge" or target.startswith("mimbridge."):
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    # ``from . import x`` names a module when x is one
                    is_module = (root.parent / Path(*sub.split("."))).with_suffix(".py").is_file() or (
                        root.parent / Path(*sub.split("."))).is_dir()
                    out.append((sub, "", node.lineno) if is_module else (target, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            out.extend((a.name, "", node.lineno) for a in node.names if a.name.startswith("mimbridge"))
    return out


def violations(root: Path) -> list[str]:
    """Every import that breaks a house rule, as ``module:line: import -- rule``."""
    found = []
    for path in sorted(root.rglob("*.py")):
        mod = module_name(path, root)
        here = layer_of(mod)
        for target, name, line in imports(path, root):
            what = f"{mod}:{line}: from {target} import {name}" if name else f"{mod}:{line}: import {target}"
            there = layer_of(target)
            if there > here and not mod.startswith(target + "."):
                found.append(f"{what} -- runs up from layer {here} to layer {there}")
            if name.startswith("_") and not name.startswith("__") and target != mod:
                found.append(f"{what} -- private name of another module")
    return found


def test_no_import_breaks_the_layers():
    assert violations(PACKAGE) == []


def test_every_module_is_in_a_layer():
    for path in PACKAGE.rglob("*.py"):
        layer_of(module_name(path, PACKAGE))


@pytest.mark.parametrize("source, rule", [
    ("from ..convert import convert\n", "runs up from layer 2 to layer 3"),
    ("from ..cli import main\n", "runs up from layer 2 to layer 6"),
    ("from .rdf.emit import _secret\n", "private name of another module"),
])
def test_the_layer_test_names_a_wrong_import(tmp_path, source, rule):
    root = tmp_path / "mimbridge"
    for folder in ("adapters", "adapters/rdf", "cli"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "convert.py").write_text("")
    (root / "adapters" / "rdf" / "emit.py").write_text("_secret = 1\n")
    (root / "adapters" / "wrong.py").write_text("x = 1\n" + source)
    found = violations(root)
    assert len(found) == 1 and found[0].startswith("mimbridge.adapters.wrong:2: ") and found[0].endswith(rule), found


def test_no_module_is_over_600_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


def test_model_factories_follow_the_attr_field_order():
    from dataclasses import fields

    from mimbridge.model import ATTR_FIELDS, Attr, Kind, Node, copy_node, instance

    assert tuple(f.name for f in fields(Attr)) == ATTR_FIELDS
    a = instance(Kind.JSON, [1], "urn:ds", "2024-01-01T00:00:00Z", "MTR", "urn:i", {"urn:p": []})
    assert (a.kind, a.value, a.dataset_id, a.observed_at, a.unit_code, a.instance_id, a.attrs) == (
        Kind.JSON, [1], "urn:ds", "2024-01-01T00:00:00Z", "MTR", "urn:i", {"urn:p": []})
    assert (a.created_at, a.modified_at, a.deleted_at, a.expires_at, a.scope, a.meta) == (None,) * 5 + ({},)
    n = Node("urn:x", ["urn:T"], {"urn:a": [a]}, "/s", "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z",
             "2022-01-01T00:00:00Z", {"k": 1})
    c = copy_node(n)
    assert (c.id, c.types, c.attrs, c.scope, c.created_at, c.modified_at, c.deleted_at, c.meta) == (
        n.id, n.types, n.attrs, n.scope, n.created_at, n.modified_at, n.deleted_at, n.meta)
    assert c.types is not n.types and c.attrs is not n.attrs and c.meta is not n.meta
