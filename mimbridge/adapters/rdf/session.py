"""One RDF writer for every batch of a streamed document: :class:`WriterSession`.

:func:`mimbridge.stream` converts a long input batch by batch; without a
session each batch would set up a new writer (options, context lookups) and
start its memos empty (N-Triples terms of ``xsd:double`` values, predicates,
relationship objects). Within a session (:data:`SESSION`, set by the stream
for its duration) :func:`~mimbridge.adapters.rdf.write_ntriples` takes the
writer of the batch before, ready for a new document: its memos stay (each
bounded, so memory stays flat) and its blank node numbering goes on, so the
text of the batches, joined, is that of one document, as ``convert`` writes
it. A writer class without ``restart`` is made anew for each batch
(``continuous`` stays False: the caller renumbers blank nodes itself).

>>> from mimbridge.model import Attr, Graph, Kind, Node
>>> from mimbridge.report import ConversionReport
>>> from mimbridge.adapters.rdf import write_ntriples
>>> g = Graph([Node("urn:x:1", ["https://ex.org/T"], {"https://ex.org/a": [Attr(Kind.PROPERTY, 0.5)]})])
>>> token = SESSION.set(WriterSession())
>>> a = write_ntriples(g, ConversionReport(), blank_nodes=True)
>>> b = write_ntriples(g, ConversionReport(), blank_nodes=True)
>>> SESSION.get().continuous, a.count("_:b0 "), b.count("_:b0 "), b.count("_:b2 ")  # numbered on
(True, 3, 0, 3)
>>> SESSION.reset(token)
"""

from __future__ import annotations

import contextvars
from typing import Any

from ...report import ConversionReport

__all__ = ["SESSION", "WriterSession"]


class WriterSession:
    """The writers of one streamed document, one per profile and option set."""

    def __init__(self) -> None:
        self._writers: dict[tuple[Any, str], Any] = {}
        #: True once a writer that carries its blank node numbering from batch to batch was handed out
        self.continuous = False

    def writer(self, cls: Any, report: ConversionReport, options: dict[str, Any]) -> Any:
        """A writer of class ``cls`` with ``options`` for the next batch, reporting to ``report``.

        >>> class W:
        ...     def __init__(self, report, **options):
        ...         self.report = report
        >>> s = WriterSession()
        >>> s.writer(W, ConversionReport(), {}) is s.writer(W, ConversionReport(), {}), s.continuous
        (False, False)
        """
        if not hasattr(cls, "restart"):
            return cls(report, **options)
        self.continuous = True
        key = (cls, repr(sorted(options.items())))
        w = self._writers.get(key)
        if w is None:
            w = self._writers[key] = cls(report, **options)
        else:
            w.restart(report)
        return w


#: the session of the stream being written (None outside :func:`mimbridge.stream`)
SESSION: contextvars.ContextVar[WriterSession | None] = contextvars.ContextVar("mimbridge_rdf_session",
                                                                                default=None)
