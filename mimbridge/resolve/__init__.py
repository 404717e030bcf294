"""Identifiers to URIs and back, minting rules, the resolver store and the resolver service.

Modules: :mod:`~mimbridge.resolve.identifiers` (DOI, Handle, ARK, ORCID, URN,
STA ids, CURIEs, local codes), :mod:`~mimbridge.resolve.minting` (rule tables),
:mod:`~mimbridge.resolve.store` (embedded pyoxigraph store or SPARQL endpoint),
:mod:`~mimbridge.resolve.service` (the ASGI app), :mod:`mimbridge.cli.resolver`
(the ``resolve``, ``load`` and ``serve`` subcommands). Import them directly; this
package imports nothing heavy.

>>> from mimbridge.resolve.identifiers import parse
>>> parse("https://doi.org/10.5281/ZENODO.123").value
'10.5281/zenodo.123'
"""
