"""SensorThings ids as the resolver knows them: ``https://host/v1.1/Things(1)``, minted by the rule table.

With the reader options ``minting=`` / ``mint_base=`` (:mod:`mimbridge.minting`), an entity
read from SensorThings JSON gets the URI ``mimbridge resolve`` gives for its URL: the
``@iot.selfLink`` when the entity has one, else ``<service root>/<EntitySet>(<id>)`` with
the service root of the document's self links, else the ``server`` of the rule table's
``sta`` namespace (GUID ids unquoted when the server's self links write them so, as
django-ogc-sensorthings does). A rule table whose ``sta`` namespace names that server mints
``{base}sta/Things/1``; otherwise the URL itself is the URI. Entities without an id keep
theirs; ids for which no service root is known are reported and kept.

>>> from mimbridge.minting import Rules
>>> from mimbridge.model import Graph
>>> rules = Rules.default(base="https://id.example.city/")
>>> identify = sta_identify(Graph(), rules)
>>> identify("urn:ngsi-ld:sta:Thing:1"), identify("urn:ngsi-ld:sta:Thing:_a1b2") is None
('https://sta.example.city/v1.1/Things(1)', True)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ...identifiers import SEGMENT_SAFE, encode
from ...minting.rules import Rules
from ...model import Graph
from .vocab import ENTITY_SETS, SELF_LINK, odata_literal, parse_minted

__all__ = ["sta_identify"]

_ROOT = re.compile(r"^(https?://[^?#\s]+?/v\d+\.\d+/)[A-Za-z]+\(")
_BARE_GUID = re.compile(r"\((?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\)$")
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SET_OF = {t: s for s, t in ENTITY_SETS.items() if s != t}


def sta_identify(graph: Graph, rules: Rules) -> Callable[[str], str | None]:
    """The ``identify`` of a :class:`~mimbridge.minting.Minter` for a graph read from SensorThings JSON."""
    links: dict[str, str] = {}
    root = None
    for node in graph.nodes:
        a = node.attrs.get(SELF_LINK)
        if a and isinstance(a[0].value, str):
            links[node.id] = a[0].value
            m = _ROOT.match(a[0].value)
            if m and root is None:
                root = m.group(1)
    bare_guids = any(_BARE_GUID.search(link) for link in links.values())
    servers = rules.context.sta_servers
    root = root or (servers[0] if servers else None)

    def identify(text: str) -> str | None:
        link = links.get(text)
        if link is not None:
            return link
        parsed = parse_minted(text)
        if parsed is None:
            return text
        type_name, has_id, sid = parsed
        lit = odata_literal(sid) if has_id else None
        if bare_guids and isinstance(sid, str) and _GUID.match(sid.lower()):
            lit = sid.lower()  # the server keys by Edm.Guid: its self links write them unquoted
        entity_set = _SET_OF.get(type_name)
        if lit is None or entity_set is None:
            return None
        if root is None:
            return f"{entity_set}({lit})"  # the rules parse it only with an sta server: else reported
        return f"{root}{entity_set}({encode(lit, safe=SEGMENT_SAFE)})"

    return identify
