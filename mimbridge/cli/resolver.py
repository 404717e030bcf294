"""The ``resolve``, ``load``, ``index`` and ``serve`` subcommands (wired into ``mimbridge`` by :func:`add_commands`).

    mimbridge resolve ID|URI ... [--rules FILE] [--base URL] [--store PATH|URL] [--info] [--json]
    mimbridge load INPUT ... --store PATH|URL -f FORMAT [--graph IRI] [-O key=value ...] [--force] [-q] [--defer]
    mimbridge index --store PATH
    mimbridge serve --store PATH|URL --base URL|--rules FILE [--host 127.0.0.1] [--port 8080] [--workers N]

Minting needs ``--base`` or ``--rules``: the shipped table's base is a placeholder.
``load`` into an embedded store streams its input through the bulk loader, shows
progress on stderr and publishes a snapshot that running resolvers switch to.

``resolve`` prints the stable URI of each identifier; for a URI under the base (or with
``--info``/``--store``) it prints what it knows (identifier, scheme, minted and document
URIs, and with ``--store`` whether the store describes it and its types).
Exit codes: 0, 1 (an identifier or file could not be resolved/loaded), 2 (usage).

>>> import argparse
>>> p = argparse.ArgumentParser(prog="mimbridge"); add_commands(p.add_subparsers(dest="command"))
>>> run(p.parse_args(["resolve", "doi:10.5281/ZENODO.123"]))
https://doi.org/10.5281/zenodo.123
0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

__all__ = ["add_commands", "describe_identifier", "main", "run"]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rules", metavar="FILE", help="minting rule table (JSON/YAML; default: the shipped one)")
    p.add_argument("--base", metavar="URL", help="base URI of minted URIs (overrides the rule table)")


def add_commands(sub: Any) -> None:
    """Add ``resolve``, ``load``, ``index`` and ``serve`` to an argparse sub-parser set; each sets ``handler``."""
    r = sub.add_parser("resolve", help="turn identifiers into stable URIs, or tell what a URI stands for")
    r.add_argument("identifiers", nargs="+", metavar="ID", help="DOI, Handle, ARK, ORCID, URN, STA id, CURIE, "
                   "local code (ns:code), or a URI")
    _common(r)
    r.add_argument("--store", metavar="PATH|URL", help="also say whether this store describes it")
    r.add_argument("--info", action="store_true", help="print everything known, not only the URI (the default "
                   "for URIs under the base)")
    r.add_argument("--json", action="store_true", help="machine-readable output (one JSON object per line)")
    r.set_defaults(handler=_resolve)

    ld = sub.add_parser("load", help="convert files and put them into a resolver store (one named graph each)")
    ld.add_argument("inputs", nargs="+", metavar="INPUT")
    ld.add_argument("--store", required=True, metavar="PATH|URL", help="store folder, or SPARQL query URL")
    ld.add_argument("--update-url", metavar="URL", help="SPARQL update URL (default: .../query -> .../update)")
    ld.add_argument("-f", "--from", dest="source", help="source format (default: from the file suffix)")
    ld.add_argument("--graph", metavar="IRI", help="named graph (only with one INPUT; default: the file: URI)")
    ld.add_argument("-O", "--option", action="append", default=[], metavar="KEY=VALUE",
                    help="conversion option (value parsed as JSON when possible); repeatable")
    ld.add_argument("--batch", type=int, default=2000, help="entities converted per batch (default 2000)")
    ld.add_argument("--cache-control", metavar="VALUE", help="store the Cache-Control the resolver sends for "
                    "this store's representations (embedded stores)")
    ld.add_argument("--optimize", action="store_true", help="compact the embedded store after loading")
    ld.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                    help="progress line on stderr (default: when it is a terminal)")
    ld.add_argument("-q", "--quiet", action="store_true", help="nothing on stderr but errors (no progress, no "
                    "summary line per file)")
    ld.add_argument("--force", action="store_true", help="load files again even when unchanged since their last load")
    ld.add_argument("--defer", action="store_true", help="NGSI-LD entities: store each entity by id (served at "
                    "once, converted on its first request) and fill the triple store behind (mimbridge index, "
                    "started in the background unless --no-index); embedded stores only")
    ld.add_argument("--no-index", dest="index", action="store_false", help="with --defer: do not start "
                    "mimbridge index (run it yourself)")
    _common(ld)
    ld.set_defaults(handler=_load)

    ix = sub.add_parser("index", help="convert the entities that load --defer staged into the triple store")
    ix.add_argument("--store", required=True, metavar="PATH", help="store folder")
    ix.add_argument("--batch", type=int, default=2000, help="entities converted per batch (default 2000)")
    ix.add_argument("-q", "--quiet", action="store_true", help="nothing on stderr but errors")
    ix.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                    help="progress line on stderr (default: when it is a terminal)")
    ix.set_defaults(handler=_index)

    s = sub.add_parser("serve", help="run the URI resolver (HTML + RDF content negotiation) over a store")
    s.add_argument("--store", required=True, metavar="PATH|URL", help="store folder, or SPARQL query URL")
    _common(s)
    s.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    s.add_argument("--workers", type=int, default=None,
                   help="worker processes (default: one per core, here %(const)s)", const=_cores(), nargs="?")
    s.add_argument("--log-level", default="warning", help="uvicorn log level (default warning)")
    s.add_argument("--no-access-log", dest="access_log", action="store_false",
                   help="do not log requests (default: Common Log Format lines on stderr)")
    s.add_argument("--cache-control", metavar="VALUE", help="Cache-Control of representations (default: the "
                   "store's configuration, else 'public, max-age=300')")
    s.add_argument("--cache-mb", type=int, default=64, help="representation cache per worker in MB (default 64)")
    s.add_argument("--max-connections", type=int, default=1024,
                   help="open connections per worker before 503 + Retry-After (default 1024)")
    s.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds of that 503 (default 1)")
    s.set_defaults(handler=_serve)


def _cores() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _rules(args: argparse.Namespace) -> Any:
    from ..resolve.minting import Rules

    if args.rules:
        return Rules.from_file(args.rules, base=args.base)
    return Rules.default(base=args.base)


def describe_identifier(text: str, rules: Any, store: Any = None) -> dict[str, Any]:
    """What mimbridge knows about an identifier or URI, as a JSON-ready dict.

    >>> from mimbridge.resolve.minting import Rules
    >>> d = describe_identifier("https://id.example.city/sensor/42", Rules.default(base="https://id.example.city/"))
    >>> d["identifier"], d["scheme"], d["document"]
    ('sensor:42', 'local', 'https://id.example.city/doc/sensor/42')
    >>> describe_identifier("urn:ngsi-ld:Building:b1", Rules.default())["uri"]
    'urn:ngsi-ld:Building:b1'
    """
    from ..resolve.identifiers import to_uri
    from ..resolve.minting import NO_BASE_HINT

    ident = rules.parse(text)
    out: dict[str, Any] = {"input": text, "identifier": str(ident), "scheme": ident.scheme, "value": ident.value}
    if ident.alternatives:
        out["also_matches"] = list(ident.alternatives)
    out["uri"] = rules.uri(ident)
    if rules.placeholder and rules.namespace_for(ident) is not None:
        out["hint"] = NO_BASE_HINT
    elif rules.namespace_for(ident) is not None:
        out["minted"] = rules.mint(ident)
        out["document"] = rules.document_uri(out["minted"])
    if ident.scheme != "local":  # local codes have no URI of their own
        own = to_uri(ident)
        if own != out["uri"]:
            out["own_uri"] = own
    if store is not None:
        hit = store.first_subject(rules.candidates(ident))
        out["in_store"] = hit
        if hit:
            types = sorted({t.object.value for t in store.describe([hit])
                            if t.subject.value == hit and t.predicate.value.endswith("#type")})
            out["types"] = types
    return out


def _resolve(args: argparse.Namespace, out: TextIO) -> int:
    from ..errors import MimbridgeError
    from ..resolve.snapshots import ServingStore

    rules = _rules(args)
    store = ServingStore(args.store, genid_base=rules.base + ".well-known/genid/").store if args.store else None
    status = 0
    if rules.placeholder and not args.json:
        from ..resolve.minting import NO_BASE_HINT

        print(f"mimbridge: note: {NO_BASE_HINT}; identifiers keep their own URIs", file=sys.stderr)
    for text in args.identifiers:
        try:
            info = describe_identifier(text, rules, store)
        except MimbridgeError as exc:
            print(f"mimbridge: error: {text}: {exc}", file=sys.stderr)
            status = 1
            continue
        if args.json:
            out.write(json.dumps(info, ensure_ascii=False) + "\n")
        elif args.info or args.store or (not rules.placeholder and text.strip().startswith(rules.base)):
            width = max(len(k) for k in info)
            for k, v in info.items():
                out.write(f"{k:<{width}}  {', '.join(v) if isinstance(v, list) else v}\n")
            out.write("\n" if len(args.identifiers) > 1 else "")
        else:
            out.write(info["uri"] + "\n")
    return status


def _load(args: argparse.Namespace, out: TextIO) -> int:
    from ..errors import MimbridgeError
    from ..resolve.store import open_store

    if args.graph and len(args.inputs) > 1:
        print("mimbridge: error: --graph needs exactly one INPUT", file=sys.stderr)
        return 2
    from ..options import option_pairs

    try:
        options = option_pairs(args.option)
    except ValueError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 2
    if args.defer:
        return _stage(args, options, out)
    rules = _rules(args)
    status = 0
    try:
        store = open_store(args.store, update_url=args.update_url, genid_base=rules.base + ".well-known/genid/")
    except MimbridgeError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    with store:
        for path in _files(args):
            try:
                line = _load_one(store, path, args, options)
            except (MimbridgeError, TypeError) as exc:
                print(f"mimbridge: error: {path}: {exc}", file=sys.stderr)
                status = 1
                continue
            out.write(line)
        _publish(store, args)
    return 1 if args.missing else status


def _progress_shown(args: argparse.Namespace) -> bool:
    """--progress / --no-progress, else a progress line when stderr is a terminal (never with -q)."""
    return not args.quiet and (args.progress if args.progress is not None else sys.stderr.isatty())


def _files(args: argparse.Namespace) -> Iterator[Path]:
    """The INPUT paths that are files; each missing one is said on stderr (``args.missing`` counts them)."""
    args.missing = 0
    for name in args.inputs:
        path = Path(name)
        if path.is_file():
            yield path
        else:
            print(f"mimbridge: error: {name}: no such file", file=sys.stderr)
            args.missing += 1


def _source_of(args: argparse.Namespace, path: Path) -> str:
    """The format of ``path``: ``-f``, else told from its suffix and first bytes (as ``convert`` does)."""
    from .. import registry
    from ..sniff import HEAD_BYTES, infer

    if args.source:
        return registry.resolve_name(args.source)
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    return infer(head, name=str(path)).format


def _stage(args: argparse.Namespace, options: dict[str, Any], out: TextIO) -> int:
    """``load --defer``: stage each file's entities by id, then start ``mimbridge index`` in the background."""
    from ..errors import MimbridgeError
    from ..progress import progress_bar
    from ..resolve.indexing import start_indexer
    from ..resolve.staging import stage_file

    if args.store.startswith(("http://", "https://")):
        print("mimbridge: error: --defer needs an embedded store (a folder)", file=sys.stderr)
        return 2
    status = staged = 0
    for path in _files(args):
        bar = _progress_shown(args)
        try:
            with progress_bar(bar, label=f"stage {path.name}") as tick:
                r = stage_file(args.store, path, source=_source_of(args, path), graph=args.graph,
                               force=args.force, progress=tick, **options)
        except MimbridgeError as exc:
            print(f"mimbridge: error: {path}: {exc}", file=sys.stderr)
            status = 1
            continue
        if r.skipped:
            out.write(f"{r.graph}\t{r.entities} entities (unchanged, not staged again)\n")
            continue
        staged += 1
        status = status or (1 if r.rejected else 0)
        if not args.quiet:
            rate = f" ({r.entities / r.seconds:,.0f} entities/s)" if r.entities and r.seconds > 0 else ""
            print(f"{path.name}: {r.entities:,} entities staged, {r.removed:,} removed, {r.rejected:,} rejected "
                  f"in {r.seconds:.2f} s{rate}", file=sys.stderr)
        if r.rejected:
            print(f"{path.name}: {r.report.summary()}", file=sys.stderr)
        out.write(f"{r.graph}\t{r.entities} entities staged\n")
    if staged and args.index:
        log = start_indexer(args.store)
        if not args.quiet:
            print(f"mimbridge: indexing in the background (log: {log})", file=sys.stderr)
    return 1 if args.missing else status


def _index(args: argparse.Namespace, out: TextIO) -> int:
    from ..errors import MimbridgeError
    from ..progress import progress_bar
    from ..resolve.indexing import index_store

    bar = _progress_shown(args)
    try:
        with progress_bar(bar, label="index") as tick:
            results = index_store(args.store, batch=args.batch, progress=lambda graph, n: tick(n))
    except MimbridgeError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    for r in results:
        if not args.quiet:
            print(f"{r.graph}: {r.entities:,} entities, {r.triples:,} triples in {r.seconds:.1f} s", file=sys.stderr)
            if not r.report.lossless:
                print(f"{r.graph}: {r.report.summary()}", file=sys.stderr)
        out.write(f"{r.graph}\t{r.triples} triples\n")
    return 0


def _load_one(store: Any, path: Path, args: argparse.Namespace, options: dict[str, Any]) -> str:
    """Load one file: the bulk loader for embedded stores, SPARQL Update otherwise; the line to print."""
    from ..resolve.bulk import bulk_load_file
    from ..resolve.store import OxigraphStore, load

    source = _source_of(args, path)
    if not isinstance(store, OxigraphStore):
        res = load(store, path, source=source, graph=args.graph, **options)
        return f"{res.graph}\t{res.triples} triples\n"
    from ..progress import progress_bar

    bar = _progress_shown(args)
    with progress_bar(bar, label=f"load {path.name}") as tick:
        r = bulk_load_file(store, path, source=source, graph=args.graph, batch=args.batch,
                           progress=lambda entities, triples, seconds: tick(entities), force=args.force, **options)
    if r.skipped:
        return f"{r.graph}\t{r.triples} triples (unchanged, not loaded again)\n"
    if not args.quiet:
        rate = f" ({r.entities / r.seconds:,.0f} entities/s)" if r.entities and r.seconds > 0 else ""
        print(f"{path.name}: {r.entities:,} records, {r.triples:,} triples in {r.seconds:.1f} s{rate}",
              file=sys.stderr)
        if not r.report.lossless:
            print(f"{path.name}: {r.report.summary()}", file=sys.stderr)
    return f"{r.graph}\t{r.triples} triples\n"


def _publish(store: Any, args: argparse.Namespace) -> None:
    """Make an embedded store's new content visible to running resolvers (one snapshot)."""
    from ..resolve.snapshots import publish, write_config
    from ..resolve.store import OxigraphStore

    if not isinstance(store, OxigraphStore):
        return
    if args.cache_control:
        write_config(store.path, cache_control=args.cache_control)  # type: ignore[arg-type]
    if args.optimize:
        store.optimize()
    publish(store)


def _serve(args: argparse.Namespace, out: TextIO) -> int:
    from ..errors import MimbridgeError
    from ..resolve.asgi import Limits
    from ..resolve.minting import NO_BASE_HINT
    from ..resolve.server import serve

    try:
        rules = _rules(args)
        if rules.placeholder:
            print(f"mimbridge: error: serve: {NO_BASE_HINT}", file=sys.stderr)
            return 2
        serve(args.store, rules=rules if args.rules else None, base=args.base, host=args.host, port=args.port,
              workers=args.workers, log_level=args.log_level, access_log=args.access_log,
              cache_control=args.cache_control, cache_mb=args.cache_mb,
              limits=Limits(max_connections=args.max_connections, retry_after=args.retry_after))
    except MimbridgeError as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    return 0


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run the subcommand parsed into ``args``; returns the exit code."""
    from ..errors import MimbridgeError

    try:
        return args.handler(args, out or sys.stdout)
    except MimbridgeError as exc:  # rule table errors and the like
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m mimbridge.resolve resolve|load|serve ...`` (the same as the ``mimbridge`` subcommands)."""
    p = argparse.ArgumentParser(prog="python -m mimbridge.resolve", description="mimbridge URI resolver")
    add_commands(p.add_subparsers(dest="command", required=True))
    try:
        args = p.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return run(args)
