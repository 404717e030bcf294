"""The adapter contract suite: every adapter (built-in or plugin) runs it.

Subclass :class:`AdapterContract` in a pytest module, name the format and give
sample documents; pytest collects the inherited tests::

    class TestMyFormat(AdapterContract):
        format = "my-format"
        samples = [{"...": "..."}]
        bad_samples = [{"not": "valid"}]

The suite checks that the adapter is registered and declares its
capabilities and options, that reading gives a Graph, that writing gives the
declared kind of output, that a same-format round trip is lossless (or, for a
lossy format, reports every loss), that native dumps are stable, and that bad
input raises :class:`~mimbridge.errors.ParseError` rather than anything else.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from . import registry
from .adapters.base import Adapter, Capabilities, OptionSpec
from .adapters.native import dump
from .convert import convert, read, write
from .errors import MimbridgeError, ParseError
from .model import Graph, Kind
from .report import ConversionReport

__all__ = ["AdapterContract"]


class AdapterContract:
    """Inherited tests for one format; set ``format``, ``samples`` and ``bad_samples``."""

    format: ClassVar[str] = ""
    samples: ClassVar[list[Any]] = []
    bad_samples: ClassVar[list[Any]] = []
    #: options passed to every read and write (e.g. offline context copies)
    options: ClassVar[dict[str, Any]] = {}
    #: same-format round trips are JSON-equal (True for lossless formats)
    lossless: ClassVar[bool] = True

    def _adapter(self) -> Adapter:
        return registry.get(self.format)

    def test_registered_under_its_name(self) -> None:
        assert self.format in registry.available()
        assert self._adapter().name == self.format

    def test_declares_capabilities_and_options(self) -> None:
        a = self._adapter()
        caps = a.capabilities
        assert isinstance(caps, Capabilities)
        assert caps.read or caps.write
        assert caps.output in ("json", "text")
        assert caps.kinds <= frozenset(Kind)
        assert all(isinstance(k, str) and isinstance(v, (str, OptionSpec)) for k, v in a.options.items())
        specs = a.option_specs()
        assert [s.name for s in specs] == list(a.options), "an OptionSpec is declared under its own name"
        assert all(s.help for s in specs), "every option has a one-line help"

    def test_has_samples(self) -> None:
        assert self.samples, "give the contract suite at least one sample document"

    def test_read_gives_graph(self) -> None:
        for s in self.samples:
            g = read(s, source=self.format, **self.options)
            assert isinstance(g, Graph) and len(g) >= 1
            for node in g:
                assert ":" in node.id and node.types
                assert all(":" in t for t in node.types), "types must be expanded IRIs"
                assert all(":" in name for name in node.attrs), "attribute names must be expanded IRIs"

    def test_write_gives_declared_output(self) -> None:
        caps = self._adapter().capabilities
        if not caps.write:
            return
        for s in self.samples:
            out = write(read(s, source=self.format, **self.options), target=self.format, **self.options)
            if caps.output == "text":
                assert isinstance(out, str)
            else:
                json.dumps(out)  # parsed JSON, serialisable as is

    def test_same_format_round_trip(self) -> None:
        caps = self._adapter().capabilities
        if not (caps.read and caps.write):
            return
        for s in self.samples:
            r = convert(s, source=self.format, target=self.format, **self.options)
            if self.lossless:
                parsed = json.loads(s) if isinstance(s, (str, bytes)) and caps.output == "json" else s
                assert r.output == parsed
                assert r.report.lossless, r.report.summary()
            else:
                again = convert(r.output, source=self.format, target=self.format, **self.options)
                assert again.output == r.output, "a second round trip must be stable"

    def test_model_survives_native(self) -> None:
        for s in self.samples:
            g = read(s, source=self.format, **self.options)
            back = convert(dump(g), source="native", target="native")
            assert back.output == dump(g)

    def test_bad_input_raises_parse_error(self) -> None:
        for s in self.bad_samples:
            try:
                convert(s, source=self.format, target="native", **self.options)
            except ParseError as exc:
                assert exc.pointer is not None
            except MimbridgeError as exc:  # pragma: no cover - reported as a contract failure
                raise AssertionError(f"bad input raised {type(exc).__name__}, not ParseError") from exc
            else:
                r = convert(s, source=self.format, target="native", **self.options)
                assert r.report.rejected, f"bad sample accepted silently: {s!r}"

    def test_report_counts_records(self) -> None:
        for s in self.samples:
            rep = ConversionReport()
            g = registry.get(self.format).read(_loaded(s, self._adapter()), report=rep, **self.options)
            assert rep.records_in >= len(g)


def _loaded(s: Any, adapter: Adapter) -> Any:
    from .convert import load_input

    return load_input(s, text_format=adapter.capabilities.output == "text")
