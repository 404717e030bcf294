"""The ``pull``, ``push``, ``sync`` and ``bridge`` subcommands (wired into ``mimbridge`` by :func:`add_commands`).

    mimbridge pull URL -f FROM -t TO [-o OUT] [--max-pages N] [-O key=value ...]
    mimbridge push INPUT -f FROM --target ENDPOINT [-O key=value ...]
    mimbridge sync --source ENDPOINT --target ENDPOINT [--checkpoint FILE] [-O key=value ...]
    mimbridge bridge --source mqtt://host/v1.1/Datastreams(1)/Observations --target ENDPOINT [--max-messages N]
    mimbridge bridge --source ngsi-ld+http://broker --target ENDPOINT -O source.type=Room [--listen HOST:PORT]

Endpoints are ``kind+http://...`` URLs (see :mod:`mimbridge.clients`); for ``pull``
a plain ``http://`` URL is enough, the kind follows from ``-f`` (``sta`` ->
SensorThings, ``geojson``/``ogc-records`` -> OGC API, ``wfs-gml`` -> WFS,
``ngsi-ld``/``ngsi-ld-temporal`` -> NGSI-LD, ``ntriples`` -> SPARQL).
Exit codes: 0, 1 (endpoint or conversion error; ``--strict`` and loss), 2 (usage: an unknown
format, an unknown ``-O`` option or one whose value is not accepted, e.g. ``source.page_size=0``).

>>> endpoint_for("http://127.0.0.1:8000/v1.1/Things", "sta")
'sta+http://127.0.0.1:8000/v1.1/Things'
>>> merge_payloads([{"value": [1], "@iot.nextLink": "x"}, {"value": [2]}])
{'value': [1, 2]}
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from ..connect import FORMAT_KINDS, endpoint_for, merge_payloads
from ..errors import MimbridgeError
from ._common import exit_code, write_report

__all__ = ["FORMAT_KINDS", "add_commands", "endpoint_for", "merge_payloads", "run"]

def _options(pairs: list[str]) -> dict[str, Any]:
    from ..options import option_pairs

    try:
        return option_pairs(pairs)
    except ValueError as exc:
        raise SystemExit(f"mimbridge: error: {exc}") from None


def _split(options: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Pop ``source.x=...`` / ``target.x=...`` endpoint options out of the conversion options."""
    return {k[len(prefix):]: options.pop(k) for k in [k for k in options if k.startswith(prefix)]}


def _http(args: argparse.Namespace) -> Any:
    from ..clients.http import HttpClient

    return HttpClient(timeout=args.timeout, retries=args.retries)


def _common(p: argparse.ArgumentParser, *, convert_opts: bool = True) -> None:
    p.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    p.add_argument("--retries", type=int, default=5, help="retries on 5xx/connection errors (default 5)")
    p.add_argument("--strict", action="store_true", help="fail (exit 1) if a conversion would lose data")
    p.add_argument("--report", metavar="FILE.json", help="write the merged conversion report as JSON")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress line on standard error (default: when it is a terminal)")
    if convert_opts:
        p.add_argument("-O", "--option", action="append", default=[], metavar="KEY=VALUE",
                       help="conversion option; source.KEY=VALUE / target.KEY=VALUE go to the endpoints "
                       "(e.g. source.bbox=[5,52,6,53], target.batch=500); repeatable")


def add_commands(sub: Any) -> None:
    """Add ``pull``, ``push``, ``sync`` and ``bridge`` to an argparse sub-parser set; each sets ``handler``."""
    p = sub.add_parser("pull", help="fetch every page of a live endpoint and convert it")
    p.add_argument("url", help="endpoint URL (plain http(s) with -f, or kind+http://...)")
    p.add_argument("-f", "--from", dest="source", help="format the endpoint serves (sta, geojson, wfs-gml, ...)")
    p.add_argument("-t", "--to", dest="target", required=True, help="target format")
    p.add_argument("-o", "--output", help="output file (default: standard output)")
    p.add_argument("--max-pages", type=int, help="stop after this many pages")
    _common(p)
    p.set_defaults(handler=_pull)

    u = sub.add_parser("push", help="convert a file and write it to a live endpoint")
    u.add_argument("input", help="input file")
    u.add_argument("-f", "--from", dest="source", help="source format (default: from the file suffix)")
    u.add_argument("--target", required=True, help="endpoint, e.g. ngsi-ld+http://broker or sparql+http://host")
    _common(u)
    u.set_defaults(handler=_push)

    s = sub.add_parser("sync", help="copy a live source into a live target, page by page, resumably")
    s.add_argument("--source", required=True, help="source endpoint (kind+http://...)")
    s.add_argument("--target", required=True, help="target endpoint (kind+http://... or file:PATH)")
    s.add_argument("--checkpoint", metavar="FILE", help="resume file: a rerun continues where a crash stopped")
    s.add_argument("--max-pages", type=int, help="stop after this many pages (the checkpoint keeps the rest)")
    _common(s)
    s.set_defaults(handler=_sync)

    b = sub.add_parser("bridge", help="keep converting messages from a stream (MQTT, NGSI-LD notifications) "
                       "into a target")
    b.add_argument("--source", required=True, help="stream: mqtt://host:1883/v1.1/Datastreams(1)/Observations, "
                   "or ngsi-ld+http://broker (subscribes and receives notifications)")
    b.add_argument("--target", required=True, help="target endpoint (kind+http://... or file:PATH)")
    b.add_argument("--max-messages", type=int, help="stop after this many messages (default: run until Ctrl-C)")
    b.add_argument("--idle-timeout", type=float, help="stop after this many seconds without a message")
    b.add_argument("--batch", type=int, default=1, help="messages converted and written together (default 1)")
    b.add_argument("--flush-interval", type=float, default=1.0,
                   help="write a partial batch after this many seconds (default 1)")
    b.add_argument("--client-id", help="MQTT client id: with it the broker keeps the session across restarts")
    b.add_argument("--qos", type=int, choices=(0, 1), default=1, help="MQTT subscription QoS (default 1)")
    b.add_argument("--listen", metavar="HOST:PORT", default="127.0.0.1:0",
                   help="ngsi-ld+http:// sources: where to receive notifications (default 127.0.0.1, free port); "
                   "the bridge subscribes (-O source.type=..., source.q=..., source.watched=[...]) and "
                   "unsubscribes when it stops")
    b.add_argument("--notify-url", help="ngsi-ld sources: the notification URL as the broker reaches it "
                   "(default: the --listen address)")
    _common(b)
    b.set_defaults(handler=_bridge)


def _finish(args: argparse.Namespace, report: Any, failed: list, rejected: Sequence[Any] = ()) -> None:
    """Write ``--report``; print rejected messages, refused records and the loss summary to stderr."""
    write_report(args, report)
    for topic, why in rejected:
        print(f"  rejected {topic}: {why}", file=sys.stderr)
    for ident, why in failed:
        print(f"  failed {ident}: {why}", file=sys.stderr)
    if not report.lossless:
        print(report.summary(), file=sys.stderr)


def _progress(args: argparse.Namespace, label: str) -> Any:
    from ..clients.sync import Progress

    return Progress(enabled=args.progress, label=label)


def _pull(args: argparse.Namespace, out: TextIO) -> int:
    from ..connect import pull
    from ..convert import dumps

    options = _options(args.option)
    result = pull(args.url, source=args.source, target=args.target, max_pages=args.max_pages, strict=args.strict,
                  source_options=_split(options, "source."), timeout=args.timeout, retries=args.retries,
                  progress=_progress(args, "pull: "), **options)
    text = dumps(result.output)
    text += "" if text.endswith("\n") else "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        out.write(text)
    print(f"pull: {result.pages} pages, {result.records} records from {args.url}", file=sys.stderr)
    _finish(args, result.report, [])
    return 0


def _push(args: argparse.Namespace, out: TextIO) -> int:
    from ..connect import push

    options = _options(args.option)
    path = Path(args.input)
    if not path.is_file():
        print(f"mimbridge: error: {args.input}: no such file", file=sys.stderr)
        return 1
    result = push(path, args.target, source=args.source, strict=args.strict,
                  target_options=_split(options, "target."), timeout=args.timeout, retries=args.retries, **options)
    out.write(f"push: {result.count} written, {len(result.failed)} failed to {args.target}\n")
    _finish(args, result.report, result.failed)
    return 1 if result.failed else 0


def _endpoints(args: argparse.Namespace, **src_defaults: Any) -> tuple[Any, Any, dict[str, Any]]:
    """Open ``--source`` and ``--target``; returns (source, sink, conversion options)."""
    from ..clients import open_sink, open_source

    options = _options(args.option)
    src_opts, sink_opts = _split(options, "source."), _split(options, "target.")
    for k, v in src_defaults.items():
        if v is not None:
            src_opts.setdefault(k, v)
    http = _http(args)
    return open_source(args.source, http=http, **src_opts), open_sink(args.target, http=http, **sink_opts), options


def _sync(args: argparse.Namespace, out: TextIO) -> int:
    from ..connect import sync

    options = _options(args.option)
    summary = sync(args.source, args.target, checkpoint=args.checkpoint, strict=args.strict,
                   max_pages=args.max_pages, source_options=_split(options, "source."),
                   target_options=_split(options, "target."), timeout=args.timeout, retries=args.retries,
                   progress=_progress(args, "sync: "), **options)
    out.write(f"sync: {summary.line()}\n")
    _finish(args, summary.report, summary.failed)
    return 1 if summary.failed else 0


def _subscription(args: argparse.Namespace) -> tuple[Any, Any, dict[str, Any], Any]:
    """For an ``ngsi-ld+http://`` bridge source: a started notification receiver and a subscription."""
    from ..clients import open_sink, split_endpoint
    from ..clients.ngsild import subscribe, unsubscribe
    from ..clients.ngsild_notify import NotificationReceiver

    options = _options(args.option)
    src_opts, sink_opts = _split(options, "source."), _split(options, "target.")
    host, _, port = args.listen.rpartition(":")
    receiver = NotificationReceiver(host=host or "127.0.0.1", port=int(port or 0),
                                    idle_timeout=args.idle_timeout, max_notifications=args.max_messages,
                                    context=src_opts.get("context"))
    http = _http(args)
    sink = open_sink(args.target, http=http, **sink_opts)
    broker = split_endpoint(args.source)[1]
    receiver.start()
    try:
        sid = subscribe(broker, http=http, endpoint=args.notify_url or receiver.url, **src_opts)
    except BaseException:
        receiver.stop()
        raise
    print(f"bridge: subscription {sid} notifies {args.notify_url or receiver.url}", file=sys.stderr)

    def close() -> None:
        try:
            unsubscribe(broker, sid, http=http)
        finally:
            receiver.stop()

    return receiver, sink, options, close


def _announce(source: Any, url: str) -> None:
    """Say on stderr when a streaming source has subscribed (from then on no message is missed)."""
    subscribed = getattr(source, "subscribed", None)
    if subscribed is None:
        return

    def wait() -> None:
        if subscribed.wait(getattr(source, "connect_timeout", 10.0) + 5.0):
            print(f"bridge: subscribed to {url}; waiting for messages (Ctrl-C stops)", file=sys.stderr, flush=True)

    threading.Thread(target=wait, name="mimbridge-bridge-announce", daemon=True).start()


def _bridge(args: argparse.Namespace, out: TextIO) -> int:
    from ..clients import split_endpoint
    from ..clients.bridge import bridge

    kind = split_endpoint(args.source)[0]
    close = None
    if kind == "ngsi-ld":
        source, sink, options, close = _subscription(args)
    else:
        stream_opts = {"max_messages": args.max_messages, "idle_timeout": args.idle_timeout,
                       "client_id": args.client_id, "qos": args.qos}
        source, sink, options = _endpoints(args, **(stream_opts if kind == "mqtt" else {}))
        if kind != "mqtt" and (args.max_messages or args.idle_timeout or args.client_id):
            print("mimbridge: warning: --max-messages/--idle-timeout/--client-id apply to mqtt:// and "
                  "ngsi-ld+http:// sources only", file=sys.stderr)
    _announce(source, args.source)
    try:
        summary = bridge(source, sink, strict=args.strict, batch=args.batch, flush_interval=args.flush_interval,
                         **options)
    finally:
        if close is not None:
            close()
    out.write(f"bridge: {summary.line()}\n")
    if summary.error:
        print(f"mimbridge: error: the bridge stopped: {summary.error}", file=sys.stderr)
    _finish(args, summary.report, summary.failed, summary.rejected)
    if summary.stopped_by == "interrupt":
        return 130
    return 1 if summary.rejected or summary.failed or summary.stopped_by == "error" else 0


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run the subcommand parsed into ``args``; returns the exit code."""
    try:
        return args.handler(args, out or sys.stdout)
    except MimbridgeError as exc:
        return exit_code(exc, args)
