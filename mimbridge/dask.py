"""Scale-out on Dask: convert many files, or a Dask bag of records, partition by partition.

Needs the ``dask`` extra (``pip install 'mimbridge[dask]'``: dask and
distributed). Every partition runs :func:`mimbridge.stream` (or
:func:`mimbridge.convert` for a bag partition) on a worker; reports come back
as dicts and are merged, so the driver never holds the data.

* :func:`convert_files`: one task per input file, each written to
  ``out_dir`` (the same name, the target's suffix); returns the merged report
  and the report of each file (paths in each are that file's JSON pointers).
* :func:`convert_bag`: a bag of records (entities, Features...) -> a bag of
  output records (JSON targets) or text chunks (RDF targets), and a delayed
  merged report whose paths count from the start of the bag.

On a cluster, the workers need mimbridge installed and the files on a shared
path (or an fsspec URL the workers can open); see ``docs/scale-out.md`` for a
``distributed`` cluster and for Spark (``mapPartitions`` over :func:`mimbridge.stream`).

>>> import dask.bag as db
>>> bag = db.from_sequence([{"id": f"urn:ngsi-ld:T:{i}", "type": "T"} for i in range(4)], npartitions=2)
>>> out, report = convert_bag(bag, source="ngsi-ld", target="ngsi-ld-keyvalues")
>>> [e["id"] for e in out.compute(scheduler="sync")]
['urn:ngsi-ld:T:0', 'urn:ngsi-ld:T:1', 'urn:ngsi-ld:T:2', 'urn:ngsi-ld:T:3']
>>> report.compute(scheduler="sync").records_in
4
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from .records import shifted_report
from .report import EVENT_TYPES, ConversionReport

try:
    import dask
    import dask.bag as db
except ImportError as exc:  # pragma: no cover - depends on the installation
    raise ImportError("mimbridge.dask needs Dask: pip install 'mimbridge[dask]'") from exc

__all__ = ["SUFFIX", "convert_bag", "convert_files", "merge_reports", "report_from_dict"]

#: output file suffix per target format
SUFFIX = {"geojson": ".geojson", "ngsi-ld-geojson": ".geojson", "nquads": ".nq", "ntriples": ".nt",
          "turtle": ".ttl"}


def report_from_dict(d: dict[str, Any]) -> ConversionReport:
    """A report back from :meth:`ConversionReport.to_dict` (reports travel between processes as dicts)."""
    r = ConversionReport(source=d.get("source", ""), target=d.get("target", ""))
    r.records_in, r.records_out = d.get("records_in", 0), d.get("records_out", 0)
    one = ConversionReport()
    for e in d.get("events", []):
        cls = EVENT_TYPES[e["type"]]
        ev = cls(path=e["path"], message=e["message"], remedy=e["remedy"], count=e["count"], paths=list(e["paths"]))
        one.events, one._index = [ev], {(cls, ev.message, ev.remedy): ev}
        r.extend(one)
    return r


def merge_reports(reports: Iterable[dict[str, Any] | ConversionReport], *, source: str = "",
                  target: str = "") -> ConversionReport:
    """One report of many (counts added, the first paths of each event kept)."""
    out = ConversionReport(source=source, target=target)
    for rep in reports:
        r = rep if isinstance(rep, ConversionReport) else report_from_dict(rep)
        out.source, out.target = out.source or r.source, out.target or r.target
        out.extend(r)
        out.records_in += r.records_in
        out.records_out += r.records_out
    return out


def _convert_file(path: str, out_dir: str, source: str, target: str, options: dict[str, Any]) -> dict[str, Any]:
    from .stream import stream

    name = Path(path).name
    for suffix in (".jsonl", ".ndjson", ".json", ".geojson", ".nt", ".nq", ".ttl"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    dest = Path(out_dir) / (name + SUFFIX.get(target, ".json"))
    s = stream(Path(path), source=source, target=target, **options)
    tmp = dest.with_suffix(dest.suffix + ".part")
    with open(tmp, "w", encoding="utf-8") as out:
        s.write_to(out)
    os.replace(tmp, dest)  # a failed task leaves no half-written output behind
    return {"input": path, "output": str(dest), "report": s.report.to_dict()}


def convert_files(paths: Sequence[str | os.PathLike[str]], *, source: str, target: str,
                  out_dir: str | os.PathLike[str], client: Any = None,
                  **options: Any) -> tuple[ConversionReport, dict[str, ConversionReport]]:
    """Convert each file on a Dask worker (one task a file); returns the merged report and each file's.

    ``client``: a ``distributed.Client`` (default: the current one, else Dask's
    default scheduler). Outputs are written by the workers to ``out_dir``.
    """
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    tasks = [dask.delayed(_convert_file)(str(p), str(out_dir), source, target, options) for p in paths]
    results = client.compute(tasks, sync=True) if client is not None else dask.compute(*tasks)
    per_file = {r["input"]: report_from_dict(r["report"]) for r in results}
    merged = merge_reports([r["report"] for r in results], source=source, target=target)
    return merged, per_file


def _convert_partition(records: list[Any], source: str, target: str, options: dict[str, Any]) -> list[Any]:
    from .convert import convert

    records = list(records)
    if not records:
        return [([], ConversionReport(source=source, target=target).to_dict(), 0)]
    r = convert(records, source=source, target=target, **options)
    out = r.output
    if isinstance(out, dict):  # a collection (FeatureCollection, SensorThings page): its records
        out = next((v for k, v in out.items() if k in ("features", "value") and isinstance(v, list)), [out])
    return [(out if isinstance(out, list) else [out], r.report.to_dict(), len(records))]


def convert_bag(bag: db.Bag, *, source: str, target: str, **options: Any) -> tuple[db.Bag, Any]:
    """Convert a bag of records partition by partition: ``(bag of output records or text chunks, delayed report)``.

    JSON targets give one output record per input record (entities, Features,
    SensorThings entities); text targets (N-Triples...) one text chunk per
    partition. The report's paths count from the start of the bag.
    """
    parts = bag.map_partitions(_convert_partition, source, target, options)
    outputs = parts.map(lambda t: t[0]).flatten()

    @dask.delayed
    def report(items: list[tuple[Any, dict[str, Any], int]]) -> ConversionReport:
        start, shifted = 0, []
        for _, rep, n in items:
            shifted.append(shifted_report(rep, start))
            start += n
        return merge_reports(shifted, source=source, target=target)

    return outputs, report(parts)
