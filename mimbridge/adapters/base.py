"""What every adapter is: a reader and/or writer with declared capabilities.

An adapter turns one format into the internal :class:`~mimbridge.model.Graph`
(``read``) and back (``write``). It declares up front what it can carry in a
:class:`Capabilities` record; :func:`check_capabilities` compares a graph with
a target's capabilities and reports, per attribute instance, what the target
cannot hold (GDAL/OGR style), so writers only report format-specific losses.

A third-party adapter subclasses :class:`Adapter`, registers under the entry
point group ``mimbridge.adapters`` and runs :mod:`mimbridge.testing`'s
contract suite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any, ClassVar

from ..errors import CapabilityError
from ..model import META_FIELDS, Graph, Kind, Node
from ..report import ConversionReport, Dropped

__all__ = ["ALL_KINDS", "ALL_META", "Adapter", "Capabilities", "check_capabilities"]

ALL_KINDS = frozenset(Kind)
ALL_META = frozenset(py for py, _ in META_FIELDS)


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a format can read and write.

    ``kinds``: attribute kinds written with their kind; ``typed``: whether the
    kind is carried at all (False for keyValues, where it must be re-inferred);
    ``meta``: meta-data fields written (model field names, e.g. ``observed_at``);
    ``nested``: attributes of attributes; ``multi_instance``: several instances
    per attribute (datasetId or temporal); ``output``: ``"json"`` (the writer
    returns parsed JSON) or ``"text"`` (a str).
    """

    read: bool = True
    write: bool = True
    kinds: frozenset[Kind] = ALL_KINDS
    typed: bool = True
    meta: frozenset[str] = ALL_META
    nested: bool = True
    multi_instance: bool = True
    output: str = "json"
    media_type: str = "application/json"
    notes: str = ""

    @property
    def full(self) -> bool:
        """True when nothing in the model is beyond this format."""
        return (self.kinds == ALL_KINDS and self.typed and self.meta >= ALL_META
                and self.nested and self.multi_instance)


class Adapter:
    """Base class: override ``read`` and/or ``write`` and declare ``capabilities``.

    ``options`` documents the keyword options the adapter understands
    (name -> one-line help); ``convert`` rejects options no adapter knows.
    """

    name: ClassVar[str] = ""
    capabilities: ClassVar[Capabilities] = Capabilities()
    options: ClassVar[dict[str, str]] = {}

    def read(self, data: Any, *, report: ConversionReport, **options: Any) -> Graph:
        """Parse ``data`` (parsed JSON, or text for text formats) into a Graph."""
        raise CapabilityError(f"format {self.name!r} cannot be read")

    def write(self, graph: Graph, *, report: ConversionReport, **options: Any) -> Any:
        """Serialise ``graph``; return parsed JSON or text per ``capabilities.output``."""
        raise CapabilityError(f"format {self.name!r} cannot be written")

    def namer(self, graph: Graph, **options: Any) -> Callable[[Node], Callable[[str], str]] | None:
        """How this format names attributes of a node (for report paths); None = expanded IRIs."""
        return None


@dataclass(slots=True)
class _Walk:
    caps: Capabilities
    target: str
    report: ConversionReport
    name: Callable[[str], str]
    meta_names: dict[str, str] = field(default_factory=lambda: dict(META_FIELDS))


def _iri(name: str) -> str:
    return name


def check_capabilities(graph: Graph, caps: Capabilities, report: ConversionReport, target: str,
                       namer: Callable[[Node], Callable[[str], str]] | None = None) -> None:
    """Report (as ``Dropped`` events) what ``graph`` holds that ``caps`` cannot write.

    Paths are JSON pointers ``/<entity index>/<attribute>/<instance>/...`` (no entity
    index for a single-entity document); ``namer(node)`` gives the attribute naming
    function of the target (compact terms for NGSI-LD), else expanded IRIs are used.

    >>> from mimbridge.model import Attr, Node
    >>> g = Graph([Node("urn:x:1", ["https://ex.org/T"], {"https://ex.org/a": [Attr(Kind.PROPERTY, 1, unit_code="CEL")]})])
    >>> r = ConversionReport()
    >>> check_capabilities(g, Capabilities(meta=frozenset()), r, "demo")
    >>> r.events[0].message
    'unitCode is not carried by demo'
    """
    if caps.full:
        return
    single = bool(graph.meta.get("ngsi-ld:single")) and len(graph.nodes) == 1
    for i, node in enumerate(graph.nodes):
        w = _Walk(caps, target, report, namer(node) if namer else _iri)
        _check_attrs(w, node.attrs, "" if single else f"/{i}", top=True)


def _check_attrs(w: _Walk, attrs: dict, path: str, *, top: bool) -> None:
    caps, rep, target = w.caps, w.report, w.target
    for name, instances in attrs.items():
        esc = w.name(name).replace("~", "~0").replace("/", "~1")
        if not top and not caps.nested:
            rep.add(Dropped, f"{path}/{esc}", f"nested attributes are not carried by {target}",
                    remedy="use ngsi-ld or ngsi-ld-concise to keep attributes of attributes")
            continue
        if len(instances) > 1 and not caps.multi_instance:
            for j in range(1, len(instances)):
                rep.add(Dropped, f"{path}/{esc}/{j}",
                        f"only one instance per attribute is carried by {target}; others dropped",
                        remedy="use ngsi-ld / ngsi-ld-temporal, or select a datasetId")
        many = len(instances) > 1
        for j, a in enumerate(instances):
            p = f"{path}/{esc}/{j}" if many else f"{path}/{esc}"
            if not caps.typed:
                rep.add(Dropped, p, f"attribute type ({a.kind.value}) is not carried by {target}",
                        remedy="reading it back needs a schema or mapping table (option schema=...)")
            elif a.kind not in caps.kinds:
                rep.add(Dropped, p, f"{a.kind.value} attributes are not carried by {target}",
                        remedy="choose a target that supports this attribute type")
            for py, member in w.meta_names.items():
                if py not in caps.meta and getattr(a, py) is not None:
                    rep.add(Dropped, f"{p}/{member}", f"{member} is not carried by {target}",
                            remedy="use ngsi-ld or ngsi-ld-concise to keep meta-data")
            if a.attrs:
                _check_attrs(w, a.attrs, p, top=False)
