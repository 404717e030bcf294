"""Which ``pip install 'mimbridge[EXTRA]'`` brings a missing optional module.

The extras are read from the installed distribution's metadata (the
``[project.optional-dependencies]`` of pyproject.toml), so every optional
dependency is covered, now and later.

>>> extra_for("paho.mqtt.client", {"connectors": ["paho-mqtt"], "test": ["paho-mqtt"]})
'connectors'
>>> install_hint("uvicorn", {"resolver": ["starlette", "uvicorn"]})
"pip install 'mimbridge[resolver]'"
>>> install_hint("nothing_known", {})
'pip install nothing_known'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

__all__ = ["extra_for", "extras", "install_hint"]

#: distributions whose import name is not their name
_IMPORT_NAMES = {"paho-mqtt": "paho", "pyyaml": "yaml", "uvicorn[standard]": "uvicorn", "django-ogc-sensorthings":
                 "sensorthings", "scikit-learn": "sklearn"}
#: extras that exist to run the tests or benchmarks: never the one to recommend
_NOT_FOR_USERS = ("test", "bench", "dev", "docs")


def extras() -> dict[str, list[str]]:
    """Extra name -> the distributions it installs, from the installed metadata (empty if not installed)."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        requires = metadata("mimbridge").get_all("Requires-Dist") or []
    except PackageNotFoundError:
        return {}
    out: dict[str, list[str]] = {}
    for req in requires:
        m = re.match(r"\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?[^;]*;.*extra\s*==\s*[\"']([^\"']+)[\"']", req)
        if m:
            out.setdefault(m.group(3), []).append(m.group(1).lower())
    return out


def _import_name(dist: str) -> str:
    dist = re.split(r"[<>=!~\[; ]", dist.strip(), maxsplit=1)[0].lower()
    return _IMPORT_NAMES.get(dist, dist.replace("-", "_"))


def extra_for(module: str, table: Mapping[str, Sequence[str]] | None = None, *,
              prefer: Sequence[str] = ()) -> str | None:
    """The user-facing extra that installs ``module`` (a dotted import name), or None.

    Of several, the first of ``prefer`` that has it, else the smallest.

    >>> table = {"connectors": ["paho-mqtt", "starlette"], "resolver": ["starlette"]}
    >>> extra_for("starlette", table), extra_for("starlette", table, prefer=["connectors"])
    ('resolver', 'connectors')
    """
    top = module.split(".")[0].lower()
    hits = {name: len(dists) for name, dists in (extras() if table is None else table).items()
            if name not in _NOT_FOR_USERS and any(_import_name(d) == top for d in dists)}
    for name in prefer:
        if name in hits:
            return name
    return min(hits, key=lambda n: (hits[n], n)) if hits else None


def install_hint(module: str, table: Mapping[str, Sequence[str]] | None = None, *,
                 prefer: Sequence[str] = ()) -> str:
    """``pip install 'mimbridge[EXTRA]'`` for a missing module, or ``pip install MODULE`` when no extra has it."""
    extra = extra_for(module, table, prefer=prefer)
    return f"pip install 'mimbridge[{extra}]'" if extra else f"pip install {module.split('.')[0]}"
