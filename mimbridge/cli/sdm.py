"""Smart Data Models in the CLI: ``validate --model/--schema/--mim2`` and ``mapping suggest``.

    mimbridge validate FILE --model NAME|auto [--formats] [--json]
    mimbridge validate FILE --schema FILE|URL [--schema-dir DIR] [--formats] [--json]
    mimbridge validate FILE --mim2 [--json]
    mimbridge mapping suggest DATA|TABLE --to sdm[:DOMAIN] [-o OUT.sssom.tsv] [--top 3] [--threshold 0.3]
    mimbridge sdm models [--subject S] [--domain D] [--json]      mimbridge sdm model NAME [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import MimbridgeError
from ._common import parse_options

__all__ = ["add_commands", "add_suggest", "add_validate_options", "model_write_options", "run_validate", "wants_sdm"]


def model_write_options(options: dict[str, Any], target: str) -> dict[str, Any]:
    """With ``-O model=``: the writer gets the catalogue's contexts too, so SDM IRIs compact back to terms."""
    from .. import registry
    from ..sdm.keyvalues import ModelKinds

    if "model" not in options:
        return {}
    writer = registry.get(target)
    if "contexts" not in writer.options:
        return {}
    return {"write_options": {"contexts": ModelKinds(options["model"]).contexts(options.get("contexts"))}}


def add_validate_options(v: argparse.ArgumentParser) -> None:
    """The Smart Data Models options of ``validate``."""
    g = v.add_argument_group("Smart Data Models (JSON Schema; needs mimbridge[sdm] for --model and --mim2)")
    g.add_argument("--model", help="validate every entity against the catalogue model NAME (subject/NAME where "
                   "names clash), or 'auto' for each entity's type")
    g.add_argument("--schema", help="validate every entity against a schema.json (file, or URL found in "
                   "--schema-dir); $refs resolve offline")
    g.add_argument("--schema-dir", help="local folder of schemas (a copy of the data models' site) for $refs")
    g.add_argument("--formats", action="store_true", help="assert JSON Schema formats (date-time, uri...)")
    g.add_argument("--mim2", action="store_true", help="report the share of types and attributes found in the "
                   "catalogue, kind and unit disagreements, unknown attributes")


def wants_sdm(args: argparse.Namespace) -> bool:
    """True when ``validate`` was asked for a Smart Data Models check."""
    return bool(args.model or args.schema or args.mim2)


def _load(path: str, *, parse: bool = True) -> Any:
    raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    if not parse:
        return raw
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise MimbridgeError(f"{path}: not JSON ({exc})") from exc


def run_validate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """``validate --model/--schema/--mim2``: exit 0 when valid, 1 on violations or errors."""
    from .. import registry
    from ..convert import convert
    from ..validate.mim2 import mim2_report
    from ..validate.sdm import validate_dataset

    if args.model and args.schema:
        parser.error("--model and --schema exclude each other")
    if args.input != "-" and not Path(args.input).is_file():
        print(f"mimbridge: error: {args.input}: no such file", file=sys.stderr)
        return 1
    out: dict[str, Any] = {}
    ok = True
    try:
        source = registry.resolve_name(args.source) if args.source else "ngsi-ld"
        data = _load(args.input, parse=source.startswith("ngsi-ld"))
        if not source.startswith("ngsi-ld"):  # another format: its NGSI-LD form is what the models describe
            data = convert(data, source=source, target="ngsi-ld", **parse_options(args.option, parser)).output
        if args.model or args.schema:
            result = validate_dataset(data, model=args.model, schema=args.schema, schema_dir=args.schema_dir,
                                      formats=args.formats)
            out["validation"] = result.to_dict()
            ok = result.conforms
        if args.mim2:
            out["mim2"] = mim2_report(data).to_dict() if args.json else mim2_report(data)
    except MimbridgeError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False, default=str) + "\n")
        return 0 if ok else 1
    if "validation" in out:
        v = out["validation"]
        for note in v["notes"]:
            sys.stdout.write(f"note: {note}\n")
        for ref in v["unresolved"]:
            sys.stdout.write(f"note: not resolved: {ref}\n")
        for viol in v["violations"]:
            sys.stdout.write(f"{viol['pointer'] or '/'}: {viol['message']}\n")
        sys.stdout.write(("conforms" if ok else f"{len(v['violations'])} violation(s)") +
                         f" ({v['entities']} entities)\n")
    if "mim2" in out:
        sys.stdout.write(out["mim2"].summary())
    return 0 if ok else 1


def add_suggest(m: Any) -> None:
    """``mapping suggest`` under the ``mapping`` sub-parsers."""
    s = m.add_parser("suggest", help="candidate SSSOM rows aligning unknown attributes (of a data set, or the "
                     "non-catalogue side of a table) to Smart Data Models attributes")
    s.add_argument("input", help="data file (NGSI-LD keyValues or normalized, or -f FORMAT) or SSSOM/TSV table")
    s.add_argument("--to", required=True, help="sdm (whole catalogue), sdm:DOMAIN or sdm:SUBJECT "
                   "(e.g. sdm:SmartEnvironment, sdm:Environment)")
    s.add_argument("-f", "--from", dest="source", help="format of a data file (default: from its suffix)")
    s.add_argument("-o", "--output", help="write the SSSOM/TSV table here (default: standard output)")
    s.add_argument("--top", type=int, default=3, help="candidates per attribute (default 3)")
    s.add_argument("--threshold", type=float, default=0.3, help="lowest confidence kept (default 0.3)")
    s.add_argument("-O", "--option", action="append", default=[], metavar="KEY=VALUE",
                   help="reader option for a data file; repeatable")
    s.set_defaults(handler=_suggest)


def _queries(args: argparse.Namespace, parser: argparse.ArgumentParser) -> tuple[list[Any], dict[str, str]]:
    from ..sdm.suggest import queries_from_graph, queries_from_table

    if args.input.endswith((".tsv", ".sssom")):
        from ..mapping.sssom import read_sssom

        table = read_sssom(args.input)
        return list(dict.fromkeys(queries_from_table(table)[0])), table.curie_map
    from .. import registry
    from ..convert import read
    from ..validate.jsonschema import VALUE_MEMBER

    data: Any = Path(args.input).read_bytes()
    source = args.source or Path(args.input).suffix
    name = registry.resolve_name(source)
    options = parse_options(args.option, parser)
    if name == "ngsi-ld":
        doc = json.loads(data)
        items = doc if isinstance(doc, list) else doc.get("data", [doc]) if isinstance(doc, dict) else []
        normalized = any(isinstance(v, dict) and v.get("type") in VALUE_MEMBER
                         for e in items if isinstance(e, dict) for v in e.values())
        if not normalized:
            name = "ngsi-ld-keyvalues"
            options.setdefault("model", "auto")
        data = doc
    return queries_from_graph(read(data, source=name, **options)), {}


def _suggest(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..mapping.sssom import write_sssom
    from ..sdm.suggest import suggest

    if args.to != "sdm" and not args.to.startswith("sdm:"):
        parser.error("--to must be sdm or sdm:DOMAIN")
    if not Path(args.input).is_file():
        print(f"mimbridge: error: {args.input}: no such file", file=sys.stderr)
        return 1
    try:
        queries, prefixes = _queries(args, parser)
        table = suggest(queries, to=args.to.partition(":")[2] or None, top=args.top, threshold=args.threshold,
                        curie_map=prefixes)
        text = write_sssom(table, args.output)
    except MimbridgeError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    if args.output is None:
        sys.stdout.write(text)
    else:
        print(f"{len(table)} candidate row(s) for {len(queries)} attribute(s) written to {args.output}",
              file=sys.stderr)
    return 0


def add_commands(sub: Any) -> None:
    """``sdm models`` and ``sdm model NAME``: the catalogue on the command line."""
    p = sub.add_parser("sdm", help="the Smart Data Models catalogue (offline; needs mimbridge[sdm])")
    cmds = p.add_subparsers(dest="sdm_command", required=True)
    ms = cmds.add_parser("models", help="list models (catalogue version first)")
    ms.add_argument("--subject", help="a subject: Environment or dataModel.Environment")
    ms.add_argument("--domain", help="a domain: SmartEnvironment")
    ms.add_argument("--json", action="store_true", help="machine-readable output")
    ms.set_defaults(handler=_models)
    m = cmds.add_parser("model", help="one model: its attributes with NGSI-LD kind, IRI, JSON type and units")
    m.add_argument("name", help="model name, subject/name, or entity type IRI")
    m.add_argument("--subject", help="subject, where several subjects have a model of that name")
    m.add_argument("--domain", help="domain, where several subjects have a model of that name")
    m.add_argument("--json", action="store_true", help="machine-readable output")
    m.set_defaults(handler=_model)


def _models(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..sdm.catalogue import load_catalogue

    try:
        cat = load_catalogue()
        models = cat.models(subject=args.subject, domain=args.domain)
    except MimbridgeError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        sys.stdout.write(json.dumps({"catalogue": cat.version, "updated": cat.updated,
                                     "models": [m.to_dict(attributes=False) for m in models]}, indent=2) + "\n")
        return 0
    sys.stdout.write(f"Smart Data Models catalogue {cat.version} ({cat.updated[:10]}): {len(models)} model(s)\n")
    for m in models:
        sys.stdout.write(f"{m.qualified}\t{m.version}\t{','.join(m.domains)}\t{len(m.attributes)} attributes\n")
    return 0


def _model(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..sdm.catalogue import load_catalogue

    try:
        cat = load_catalogue()
        model = cat.model(args.name, subject=args.subject, domain=args.domain)
    except MimbridgeError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        sys.stdout.write(json.dumps({"catalogue": cat.version, **model.to_dict()}, indent=2,
                                    ensure_ascii=False) + "\n")
        return 0
    sys.stdout.write(f"{model.qualified} {model.version} ({', '.join(model.domains)}); catalogue {cat.version}\n"
                     f"type IRI {model.iri}; required: {', '.join(model.required)}\n")
    for a in model.attributes.values():
        unit = f"\t[{a.units}]" if a.units else ""
        kind = a.kind if a.kind_stated else f"({a.kind})"
        sys.stdout.write(f"{a.name}\t{kind}\t{a.json_type or ''}{'/' + a.format if a.format else ''}\t{a.iri}"
                         f"{unit}\n")
    return 0
