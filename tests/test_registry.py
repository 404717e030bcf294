"""The registry table, aliases, plugins and the explicit public surface."""

from __future__ import annotations

import pkgutil

import pytest

import mimbridge
from mimbridge import registry
from mimbridge.adapters.base import Adapter, Capabilities
from mimbridge.errors import AdapterNotFoundError, MimbridgeError


def test_tables_are_sorted():
    assert list(registry.FORMATS) == sorted(registry.FORMATS)
    assert list(registry.ALIASES) == sorted(registry.ALIASES)


def test_every_alias_names_a_format():
    for alias, name in registry.ALIASES.items():
        assert name in registry.FORMATS, alias


def test_every_row_imports_and_declares_itself():
    for name in registry.FORMATS:
        a = registry.get(name)
        assert a.name == name
        assert isinstance(a.capabilities, Capabilities)


@pytest.mark.parametrize("alias,name", [
    ("ngsi-ld-simplified", "ngsi-ld-keyvalues"), ("application/ld+json", "ngsi-ld"),
    ("application/geo+json; charset=utf-8", "ngsi-ld-geojson"), (".JSONLD", "ngsi-ld"), ("NGSI-LD", "ngsi-ld"),
])
def test_aliases(alias, name):
    assert registry.resolve_name(alias) == name


def test_unknown_lists_available():
    with pytest.raises(AdapterNotFoundError) as info:
        registry.get("sensorthingz")
    assert info.value.available == registry.available()
    assert "ngsi-ld" in str(info.value)
    assert isinstance(info.value, LookupError)


class _Echo(Adapter):
    name = "echo-test"
    capabilities = Capabilities(write=False)


def test_register_refuses_silent_override():
    with pytest.raises(MimbridgeError, match="already registered"):
        registry.register("ngsi-ld", _Echo)
    with pytest.raises(MimbridgeError, match="already registered"):
        registry.register("ngsi-ld-simplified", _Echo)


def test_register_plugin_and_capability_error():
    registry.register("echo-test", _Echo, replace=True)
    assert "echo-test" in registry.available()
    with pytest.raises(mimbridge.CapabilityError, match="cannot be written"):
        mimbridge.convert({"id": "urn:x:1", "type": "T"}, source="ngsi-ld", target="echo-test")


def test_entry_point_group_is_scanned(monkeypatch):
    class EP:
        name = "from-plugin"
        value = "mimbridge.adapters.native:NativeAdapter"
        dist = None

    class Shadow(EP):
        name = "ngsi-ld"
        value = "evil:Adapter"

    monkeypatch.setattr(registry, "_entry_points_scanned", False)
    monkeypatch.setattr(registry, "_extra", {})
    monkeypatch.setattr(registry, "entry_points", lambda group: [EP(), Shadow()])
    with pytest.warns(RuntimeWarning, match="entry point 'ngsi-ld' .*evil:Adapter.* is ignored"):
        assert "from-plugin" in registry.available()
    assert registry.FORMATS["ngsi-ld"].target.startswith("mimbridge.")  # not shadowed
    assert registry.get("ngsi-ld").__class__.__module__.startswith("mimbridge.adapters.ngsild")


def test_public_surface_is_explicit_and_sorted():
    names = [n for n in mimbridge.__all__]
    assert names == sorted(names)
    for n in names:
        assert hasattr(mimbridge, n), n
    public = {n for n in dir(mimbridge) if not n.startswith("_")}
    # submodules and subpackages of the package itself may appear once imported; nothing else may
    modules = {m.name for m in pkgutil.iter_modules(mimbridge.__path__)} | {"annotations", "mappings"}
    assert public - set(names) - modules == set()


def test_public_names_stay_the_api_once_every_submodule_is_imported():
    """A public name that is also a subpackage (``probe``) is replaced by the module when the subpackage is
    imported first, unless the package imports the name itself; lazily loaded names must not collide so
    (a fresh interpreter: every submodule imported before any public name is asked for)."""
    import subprocess
    import sys

    code = ("import importlib, pkgutil, types, mimbridge\n"
            "for m in pkgutil.iter_modules(mimbridge.__path__):\n"
            "    if m.name != '__main__': importlib.import_module('mimbridge.' + m.name)\n"
            "print([n for n in mimbridge.__all__ if isinstance(getattr(mimbridge, n), types.ModuleType)])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_error_tree_is_shallow():
    for name in ("ParseError", "AdapterNotFoundError", "CapabilityError", "MappingError", "ResolutionError",
                 "LossyConversionError", "ConnectorError"):
        cls = getattr(mimbridge, name)
        assert cls.__mro__[1] is mimbridge.MimbridgeError
