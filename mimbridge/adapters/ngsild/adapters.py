"""The ``ngsi-ld`` and ``ngsi-ld-concise`` adapters over the reader and writer of :mod:`.normalized`."""

from __future__ import annotations

from typing import Any, ClassVar

from ...contexts.core import DEFAULT_CORE_VERSION
from ...minting.readers import mint_ids
from ...model import Graph
from ...report import ConversionReport
from ..base import MINTING_OPTIONS, Adapter, Capabilities, OptionSpec, option_table
from .normalized import NGSI_LD_EXTRAS, Reader, Writer, reader_options, writer_options

__all__ = ["ConciseAdapter", "NormalizedAdapter"]


class NormalizedAdapter(Adapter):
    """``ngsi-ld``: NGSI-LD normalized representation, read and write, lossless."""

    name = "ngsi-ld"
    capabilities = Capabilities(media_type="application/ld+json", extras=NGSI_LD_EXTRAS,
                                notes="reads normalized and concise; lossless")
    options: ClassVar[dict[str, OptionSpec]] = option_table(
        OptionSpec("context", None, "@context to use for payloads without one (like a Link header)", "read"),
        OptionSpec("contexts", None, "offline copies of contexts: {url: dict or path}"),
        OptionSpec("allow_remote", [], "URL prefixes that may be fetched"),
        OptionSpec("timeout", 10.0, "seconds per remote context fetch", "read"),
        OptionSpec("core_version", DEFAULT_CORE_VERSION, "NGSI-LD core context version: 1.3, 1.6, 1.7, 1.8, 1.9"),
        OptionSpec("out_context", None, "@context to compact with and emit on output ([] = core only)", "write"),
        OptionSpec("emit_context", None, "emit @context in output (none: where the input had one)", "write"),
        *MINTING_OPTIONS.values(),
    )
    concise = False

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        return mint_ids(Reader(report, **reader_options(options)).read_document(data), report, options)

    def namer(self, graph: Graph, **options: Any) -> Any:
        writer = Writer(ConversionReport(), **writer_options(options))
        return lambda node: writer.context_for(node, graph)[0].compact

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        return Writer(report, concise=self.concise, **writer_options(options)).document(graph)


class ConciseAdapter(NormalizedAdapter):
    """``ngsi-ld-concise``: NGSI-LD concise representation, read and write, lossless."""

    name = "ngsi-ld-concise"
    capabilities = Capabilities(media_type="application/ld+json", extras=NGSI_LD_EXTRAS, notes="lossless")
    concise = True
