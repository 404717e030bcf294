"""The ``probe`` and ``describe`` subcommands (MIM1 compliance probe, DCAT description)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import MimbridgeError

__all__ = ["add_commands"]


def add_commands(sub: Any) -> None:
    """Add ``probe`` and ``describe`` to an argparse sub-parser set."""
    p = sub.add_parser("probe", help="check a live endpoint against MIM1 R1-R8, or a data file against MIM2 "
                       "(exit 0 when all applicable pass)")
    p.add_argument("url", help="endpoint URL (NGSI-LD broker, STA service root, OGC API landing page, WFS, SPARQL) "
                   "or a data file")
    p.add_argument("--api", choices=["ngsi-ld", "sta", "ogcapi", "wfs", "sparql"], help="API kind (default: detect)")
    p.add_argument("--type", help="what to query: NGSI-LD entity type, OGC collection, WFS feature type, RDF class, "
                   "STA Datastream id")
    p.add_argument("--allow-write", action="store_true", help="allow write tests (subscription, Observation)")
    p.add_argument("--allow-redirects", action="store_true", help="follow redirects to other hosts")
    p.add_argument("--mqtt", help="MQTT broker of a SensorThings service that does not advertise one")
    p.add_argument("--notify-host", default="127.0.0.1", help="address the NGSI-LD notification receiver binds")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds per request (default 15)")
    p.add_argument("--wait", type=float, default=10.0, help="seconds to wait for a notification (default 10)")
    p.add_argument("-f", "--from", dest="fmt", help="format of a data file (default: from its suffix)")
    p.add_argument("--context", action="append", default=[], metavar="URL=FILE",
                   help="local copy of an @context URL of a data file; repeatable")
    p.add_argument("--schema", help="JSON Schema of a data file (default: a schema.json beside it)")
    p.add_argument("--shapes", help="SHACL shapes of a data file (shipped name or Turtle file)")
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.add_argument("--earl", metavar="FILE", help="also write the report as W3C EARL (Turtle); - for stdout")
    p.set_defaults(handler=_probe)
    d = sub.add_parser("describe", help="DCAT 3 description of a data file or a live endpoint")
    d.add_argument("source", help="data file or endpoint URL")
    d.add_argument("-f", "--from", dest="fmt", help="format of the file (default: from its suffix)")
    d.add_argument("-t", "--to", dest="syntax", default="turtle",
                   help="RDF syntax: turtle (default), nt, xml, json-ld, n3, trig")
    d.add_argument("-o", "--output", help="output file (default: stdout)")
    d.add_argument("--api", choices=["ngsi-ld", "sta", "ogcapi", "wfs", "sparql"], help="API kind of an endpoint")
    d.add_argument("--type", help="what to sample on an endpoint (as for probe)")
    d.add_argument("--title", help="dataset title")
    d.add_argument("--publisher", help="publisher name (foaf:name of dct:publisher)")
    d.set_defaults(handler=_describe)


def _probe(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..probe import probe
    from ..probe.earl import to_earl

    options = {"notify_host": args.notify_host}
    if args.mqtt:
        options["mqtt"] = args.mqtt
    contexts = {}
    for pair in args.context:
        url, sep, path = pair.rpartition("=")
        if not sep or not url:
            parser.error(f"--context takes URL=FILE, not {pair!r}")
        contexts[url] = path
    if not args.url.startswith(("http://", "https://")) and not Path(args.url).is_file():
        print(f"mimbridge: error: {args.url}: no such file (or not an http(s) URL)", file=sys.stderr)
        return 1
    try:
        report = probe(args.url, api=args.api, allow_write=args.allow_write, allow_redirects=args.allow_redirects,
                       type=args.type, timeout=args.timeout, wait=args.wait, options=options, fmt=args.fmt,
                       contexts=contexts or None, schema=args.schema, shapes=args.shapes)
    except (MimbridgeError, ValueError) as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    elif args.earl != "-":
        sys.stdout.write(report.table())
    if args.earl:
        text = to_earl(report)
        if args.earl == "-":
            sys.stdout.write(text)
        else:
            Path(args.earl).write_text(text, encoding="utf-8")
    return 0 if report.ok else 1


_SYNTAX = {"ttl": "turtle", "nt": "nt", "ntriples": "nt", "n-triples": "nt", "rdfxml": "xml", "rdf": "xml",
           "jsonld": "json-ld", "rdf-jsonld": "json-ld"}


def _describe(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from ..describe import describe

    source = args.source
    if not source.startswith(("http://", "https://")) and not Path(source).is_file():
        print(f"mimbridge: error: {source}: no such file", file=sys.stderr)
        return 1
    try:
        graph = describe(source, fmt=args.fmt, title=args.title, publisher=args.publisher, api=args.api,
                         type=args.type)
        text = graph.serialize(format=_SYNTAX.get(args.syntax, args.syntax))
    except (MimbridgeError, ValueError) as exc:
        print(f"mimbridge: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        if type(exc).__name__ != "PluginException":
            raise
        parser.error(f"unknown RDF syntax {args.syntax!r}")
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
