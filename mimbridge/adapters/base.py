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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, ClassVar

from ..errors import CapabilityError
from ..meta import DATA_KEYS, MEMBER_NAME
from ..minting.readers import BASE_OPTION, MINTING_OPTION
from ..model import META_FIELDS, Attr, Graph, Kind, Node
from ..report import ConversionReport, Dropped

__all__ = ["ALL_KINDS", "ALL_META", "ENTITY_META", "MINTING_OPTIONS", "Adapter", "Capabilities", "OptionSpec",
           "check_capabilities", "option_table"]

ALL_KINDS = frozenset(Kind)
ALL_META = frozenset(py for py, _ in META_FIELDS)
#: entity-level members of the model (:class:`~mimbridge.model.Node` fields) as (python name, NGSI-LD member)
ENTITY_FIELDS = (("scope", "scope"), ("created_at", "createdAt"), ("modified_at", "modifiedAt"),
                 ("deleted_at", "deletedAt"))
ENTITY_META = frozenset(py for py, _ in ENTITY_FIELDS)


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
    #: entity members written (model field names: scope, created_at, modified_at, deleted_at)
    entity_meta: frozenset[str] = ENTITY_META
    #: data keys of the model's ``meta`` written (:data:`mimbridge.meta.DATA_KEYS`); None = every one
    extras: frozenset[str] | None = None

    @property
    def full(self) -> bool:
        """True when nothing in the model is beyond this format."""
        return (self.kinds == ALL_KINDS and self.typed and self.meta >= ALL_META
                and self.nested and self.multi_instance and self.entity_meta >= ENTITY_META
                and self.extras is None)

    def describe(self) -> dict[str, Any]:
        """JSON-ready summary (what ``mimbridge formats --json`` prints per option)."""
        return {"read": self.read, "write": self.write, "output": self.output, "media_type": self.media_type,
                "kinds": sorted(k.value for k in self.kinds), "typed": self.typed, "meta": sorted(self.meta),
                "nested": self.nested, "multi_instance": self.multi_instance,
                "entity_meta": sorted(self.entity_meta),
                "extras": "all" if self.extras is None else sorted(self.extras), "full": self.full,
                "notes": self.notes}


@dataclass(frozen=True, slots=True)
class OptionSpec:
    """One keyword option of an adapter: its ``default``, a one-line ``help``, and whether it
    ``applies_to`` reading, writing or both (``"read"``, ``"write"``, ``"both"``).

    >>> OptionSpec("profile", "ngsi-ld", "RDF profile: ngsi-ld or sosa").applies_to
    'both'
    """

    name: str
    default: Any = None
    help: str = ""
    applies_to: str = "both"

    def __post_init__(self) -> None:
        if self.applies_to not in ("read", "write", "both"):
            raise ValueError(f"option {self.name}: applies_to must be read, write or both, not {self.applies_to!r}")


def option_table(*specs: OptionSpec) -> dict[str, OptionSpec]:
    """An adapter's ``options`` from its option declarations (name -> spec, in the order given).

    >>> list(option_table(OptionSpec("a"), OptionSpec("b", 1, "b's help", "write")))
    ['a', 'b']
    """
    return {s.name: s for s in specs}


#: The reader options of the resolver's minting rules (readers that meet identifiers declare them).
MINTING_OPTIONS: dict[str, OptionSpec] = option_table(
    OptionSpec("minting", None, MINTING_OPTION, "read"),
    OptionSpec("mint_base", None, BASE_OPTION, "read"))


class Adapter:
    """Base class: override ``read`` and/or ``write`` and declare ``capabilities``.

    ``options`` declares the keyword options the adapter understands: name ->
    :class:`OptionSpec` (default, help, read/write), or name -> one-line help
    for a plain declaration; ``convert`` rejects options no adapter knows and
    ``mimbridge formats`` lists them (:meth:`option_specs`).
    """

    name: ClassVar[str] = ""
    capabilities: ClassVar[Capabilities] = Capabilities()
    options: ClassVar[Mapping[str, OptionSpec | str]] = {}

    @classmethod
    def option_specs(cls) -> list[OptionSpec]:
        """Every declared option as an :class:`OptionSpec` (a read-only format's options apply to reading).

        >>> class Demo(Adapter):
        ...     capabilities = Capabilities(write=False)
        ...     options = {"schema": "an XSD", "axis_order": OptionSpec("axis_order", None, "xy or yx")}
        >>> [(s.name, s.applies_to) for s in Demo.option_specs()]
        [('schema', 'read'), ('axis_order', 'read')]
        """
        out = []
        for name, spec in cls.options.items():
            if not isinstance(spec, OptionSpec):
                spec = OptionSpec(name, None, str(spec))
            if not cls.capabilities.write and spec.applies_to != "read":
                spec = OptionSpec(spec.name, spec.default, spec.help, "read")
            elif not cls.capabilities.read and spec.applies_to != "write":
                spec = OptionSpec(spec.name, spec.default, spec.help, "write")
            out.append(spec)
        return out

    #: options that change what the format carries: name -> the values that differ (the default first)
    carrying: ClassVar[dict[str, tuple[Any, ...]]] = {}

    def capabilities_for(self, options: Mapping[str, Any] | None = None) -> Capabilities:
        """What the format carries with these options (default: :attr:`capabilities` whatever the options)."""
        return self.capabilities

    def check(self, graph: Graph, report: ConversionReport, options: Mapping[str, Any]) -> None:
        """Report what ``graph`` holds that this format, with these options, cannot write (before ``write``)."""
        check_capabilities(graph, self.capabilities_for(options), report, self.name, self.namer(graph, **options))

    def variants(self) -> list[dict[str, Any]]:
        """The option sets to tell apart: the defaults, then each carrying option's other values one at a time.

        >>> class Demo(Adapter):
        ...     carrying = {"mode": ("full", "lite")}
        >>> Demo().variants()
        [{}, {'mode': 'lite'}]
        """
        out: list[dict[str, Any]] = [{}]
        for name, values in self.carrying.items():
            out.extend({name: v} for v in values[1:])
        return out

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
    type_msg: dict[Kind, str] = field(default_factory=dict)
    meta_msg: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.type_msg = {k: f"attribute type ({k.value}) is not carried by {self.target}" for k in Kind}
        self.meta_msg = {m: f"{m} is not carried by {self.target}" for _, m in META_FIELDS}


def _iri(name: str) -> str:
    return name


def check_capabilities(graph: Graph, caps: Capabilities, report: ConversionReport, target: str,
                       namer: Callable[[Node], Callable[[str], str]] | None = None,
                       skip: Callable[[Node], bool] | None = None) -> None:
    """Report (as ``Dropped`` events) what ``graph`` holds that ``caps`` cannot write.

    Paths are JSON pointers ``/<entity index>/<attribute>/<instance>/...`` (no entity
    index for a single-entity document); ``namer(node)`` gives the attribute naming
    function of the target (compact terms for NGSI-LD), else expanded IRIs are used;
    nodes for which ``skip(node)`` is true are not checked (the writer carries them whole).

    >>> from mimbridge.model import Attr, Node
    >>> attrs = {"https://ex.org/a": [Attr(Kind.PROPERTY, 1, unit_code="CEL")]}
    >>> g = Graph([Node("urn:x:1", ["https://ex.org/T"], attrs)])
    >>> r = ConversionReport()
    >>> check_capabilities(g, Capabilities(meta=frozenset()), r, "demo")
    >>> r.events[0].message
    'unitCode is not carried by demo'
    """
    if caps.full:
        return
    single = bool(graph.meta.get("ngsi-ld:single")) and len(graph.nodes) == 1
    extras = caps.extras
    if extras is not None and graph.meta:
        _check_extras(graph.meta, extras, report, target, "")
    entity_all = caps.entity_meta >= ENTITY_META
    for i, node in enumerate(graph.nodes):
        if skip is not None and skip(node):
            continue
        w = _Walk(caps, target, report, namer(node) if namer else _iri)
        where = "" if single else f"/{i}"
        if not entity_all:
            for py, member in ENTITY_FIELDS:
                if py not in caps.entity_meta and getattr(node, py) is not None:
                    report.add(Dropped, f"{where}/{member}", f"entity {member} is not carried by {target}",
                               remedy="use ngsi-ld or ngsi-ld-concise to keep entity members")
        if extras is not None and node.meta:
            _check_extras(node.meta, extras, report, target, where)
        _check_attrs(w, node.attrs, where, top=True)


def _check_extras(meta: dict[str, Any], extras: frozenset[str], report: ConversionReport, target: str,
                  where: str, *, member_name: bool = True) -> None:
    for key in meta:
        if key in DATA_KEYS and key not in extras:
            if key == MEMBER_NAME:
                if member_name:
                    _name_dropped(report, where, target)
                continue
            member = key.split(":", 1)[1] if ":" in key and not key.startswith("@") else key
            report.add(Dropped, f"{where}/{member}", f"{key} is not carried by {target}",
                       remedy="use ngsi-ld (or the source format) to keep it")


def _check_attrs(w: _Walk, attrs: dict, path: str, *, top: bool) -> None:
    caps, rep, target = w.caps, w.report, w.target
    for name, instances, member in _members(attrs):
        def esc(name: str = name, member: str | None = member) -> str:
            return (member or w.name(name)).replace("~", "~0").replace("/", "~1")

        if not top and not caps.nested:
            rep.add(Dropped, lambda: f"{path}/{esc()}", f"nested attributes are not carried by {target}",
                    remedy="use ngsi-ld or ngsi-ld-concise to keep attributes of attributes")
            continue
        many = len(instances) > 1
        if not caps.multi_instance and len(attrs[name]) > 1:
            keep = _default_index(attrs[name])
            for j, a in enumerate(instances):
                if a is attrs[name][keep]:
                    continue
                rep.add(Dropped, lambda j=j, many=many, esc=esc: (  # type: ignore[misc]
                    f"{path}/{esc()}/{j}" if many else f"{path}/{esc()}"),
                        f"only one instance per attribute is carried by {target}; others dropped",
                        remedy="use ngsi-ld / ngsi-ld-temporal, or select a datasetId")
        for j, a in enumerate(instances):
            def p(j: int = j, esc: Callable[[], str] = esc, many: bool = many) -> str:
                return f"{path}/{esc()}/{j}" if many else f"{path}/{esc()}"

            if not caps.typed:
                rep.add(Dropped, p, w.type_msg[a.kind],
                        remedy="reading it back needs a schema or mapping table (option schema=...)")
            elif a.kind not in caps.kinds:
                rep.add(Dropped, p, f"{a.kind.value} attributes are not carried by {target}",
                        remedy="choose a target that supports this attribute type")
            vals = _META_GET(a)
            if vals.count(None) != len(vals):
                for (py, member), v in zip(META_FIELDS, vals, strict=True):
                    if v is not None and py not in caps.meta:
                        rep.add(Dropped, lambda p=p, member=member: f"{p()}/{member}",  # type: ignore[misc]
                                w.meta_msg[member],
                                remedy="use ngsi-ld or ngsi-ld-concise to keep meta-data")
            if a.meta and caps.extras is not None:
                if member is not None and j == 0 and MEMBER_NAME not in caps.extras:
                    # the name the member came with is lost for all its instances: the member changes name
                    _name_dropped(rep, lambda esc=esc: f"{path}/{esc()}", target)  # type: ignore[misc]
                _check_extras(a.meta, caps.extras, rep, target, p(), member_name=member is None)
            if a.attrs:
                _check_attrs(w, a.attrs, p(), top=False)


def _name_dropped(report: ConversionReport, where: str | Callable[[], str], target: str) -> None:
    report.add(Dropped, where, f"the member name of an attribute with several names is not carried by {target}",
               remedy="use ngsi-ld (or the source format) to keep it")


def _default_index(instances: list[Attr]) -> int:
    """Index of the instance a one-instance format keeps: the default one (no datasetId), else the first."""
    return next((i for i, a in enumerate(instances) if a.dataset_id is None), 0)


def _members(attrs: dict[str, list[Attr]]) -> list[tuple[str, list[Attr], str | None]]:
    """(IRI, instances, member name or None): instances that came under several member names are grouped by it."""
    out: list[tuple[str, list[Attr], str | None]] = []
    for name, instances in attrs.items():
        if instances and instances[0].meta and MEMBER_NAME in instances[0].meta:
            groups: dict[str, list[Attr]] = {}
            for a in instances:
                groups.setdefault(a.meta.get(MEMBER_NAME, ""), []).append(a)
            out.extend((name, group, member or None) for member, group in groups.items())
        else:
            out.append((name, instances, None))
    return out


_META_GET = attrgetter(*(py for py, _ in META_FIELDS))
