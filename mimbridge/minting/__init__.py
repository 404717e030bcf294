"""Minting rules: the rule engine the resolver and the readers share, and what readers do with it.

:mod:`.rules` holds rule tables (namespaces -> URI templates, :class:`Rules`);
:mod:`.readers` gives readers the same answers ``mimbridge resolve`` gives:
URNs in their RFC 8141 normal form (:func:`normal_id`, reported when rewritten)
and, when the user passes a rule table or a base (``minting=`` / ``base=``),
the minted URIs of the identifiers they meet (:class:`Minter`).
The package sits on the ground floor, beside :mod:`mimbridge.identifiers`, so
that adapters use it; :mod:`mimbridge.resolve.minting` re-exports it.

>>> rules = Rules.default(base="https://id.example.city/")
>>> rules.uri(rules.parse("urn:ngsi-ld:Building:b1"))
'https://id.example.city/Building/b1'
"""

from __future__ import annotations

from .readers import BASE_OPTION, MINTING_OPTION, Minter, mint_ids, normal_graph_ids, normal_id, rules_option
from .rules import NO_BASE_HINT, Namespace, Rules, load_schema

__all__ = ["BASE_OPTION", "MINTING_OPTION", "NO_BASE_HINT", "Minter", "Namespace", "Rules", "load_schema", "mint_ids",
           "normal_graph_ids", "normal_id", "rules_option"]
