"""The ``ngsi-ld`` and ``ngsi-ld-concise`` adapters over the reader and writer of :mod:`.normalized`."""

from __future__ import annotations

from typing import Any, ClassVar

from ...model import Graph
from ...report import ConversionReport
from ..base import Adapter, Capabilities
from .normalized import NGSI_LD_EXTRAS, Reader, Writer, reader_options, writer_options

__all__ = ["ConciseAdapter", "NormalizedAdapter"]


class NormalizedAdapter(Adapter):
    """``ngsi-ld``: NGSI-LD normalized representation, read and write, lossless."""

    name = "ngsi-ld"
    capabilities = Capabilities(media_type="application/ld+json", extras=NGSI_LD_EXTRAS,
                                notes="reads normalized and concise; lossless")
    options: ClassVar[dict[str, str]] = {
        "context": "@context to use for payloads without one (like a Link header)",
        "contexts": "offline copies of contexts: {url: dict or path}",
        "allow_remote": "URL prefixes that may be fetched (default: none)",
        "timeout": "seconds per remote context fetch (default 10)",
        "core_version": "NGSI-LD core context version: 1.3, 1.6, 1.7, 1.8 (default), 1.9",
        "out_context": "@context to compact with and emit on output ([] = core only)",
        "emit_context": "emit @context in output (default: where the input had one)",
    }
    concise = False

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        return Reader(report, **reader_options(options)).read_document(data)

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
