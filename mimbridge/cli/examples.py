"""Two or three examples per subcommand, shown at the end of its ``--help`` (:func:`add_examples`)."""

from __future__ import annotations

import argparse

__all__ = ["EXAMPLES", "add_examples"]

EXAMPLES: dict[str, tuple[str, ...]] = {
    "convert": (
        "mimbridge convert docs/examples/air-quality.jsonld -t ngsi-ld-keyvalues   # format read from the content",
        "mimbridge convert stations.json -f sta -t turtle -O profile=sosa -o stations.ttl",
        "curl -s http://host/v1.1/Things | mimbridge convert - -f sta -t ngsi-ld --strict",
    ),
    "formats": (
        "mimbridge formats                  # capability matrix, then every format's -O options",
        "mimbridge formats turtle sta       # the options of two formats",
        "mimbridge formats --json",
    ),
    "validate": (
        "mimbridge validate docs/examples/air-quality.jsonld",
        "mimbridge validate observations.ttl --shapes sosa --json",
    ),
    "mapping": (
        "mimbridge mapping check sta-ngsi-ld --samples things.json --source sta --target ngsi-ld",
        "mimbridge mapping check my-table.sssom.tsv --json",
    ),
    "check": (
        "mimbridge mapping check sta-ngsi-ld --samples things.json --source sta --target ngsi-ld",
        "mimbridge mapping check my-table.sssom.tsv --json",
    ),
    "resolve": (
        "mimbridge resolve 10.5281/zenodo.1234 orcid:0000-0002-1825-0097",
        "mimbridge resolve urn:ngsi-ld:AirQualityObserved:1 --store ./store --info",
    ),
    "load": (
        "mimbridge load docs/examples/air-quality.jsonld --store ./store",
        "mimbridge load things.json --store http://127.0.0.1:7878/query -f sta",
        "mimbridge load entities.jsonl --store ./store --defer   # served at once, indexed behind",
    ),
    "index": (
        "mimbridge index --store ./store        # convert what load --defer staged into the triple store",
    ),
    "serve": (
        "mimbridge serve --store ./store --base https://data.example.org/",
        "mimbridge serve --store ./store --host 0.0.0.0 --port 8080",
    ),
    "pull": (
        "mimbridge pull http://127.0.0.1:8000/v1.1/Things -f sta -t ngsi-ld -o things.jsonld",
        "mimbridge pull http://127.0.0.1:5000/collections/cities -f geojson -t turtle -O source.bbox=[5,52,6,53]",
        "mimbridge pull 'wfs+http://127.0.0.1:8080/wfs?typeNames=cities' -t ngsi-ld --max-pages 3",
    ),
    "push": (
        "mimbridge push docs/examples/air-quality.jsonld --target ngsi-ld+http://127.0.0.1:1026",
        "mimbridge push things.json -f sta --target sparql+http://127.0.0.1:7878/store",
    ),
    "sync": (
        "mimbridge sync --source sta+http://127.0.0.1:8000/v1.1/Things --target ngsi-ld+http://127.0.0.1:1026 "
        "--checkpoint sync.json",
        "mimbridge sync --source ogcapi+http://127.0.0.1:5000/collections/cities --target file:cities.nt",
    ),
    "bridge": (
        "mimbridge bridge --source 'mqtt://127.0.0.1:1883/v1.1/Datastreams(1)/Observations' --target file:obs.jsonl",
        "mimbridge bridge --source ngsi-ld+http://127.0.0.1:1026 --target file:rooms.nt -O source.type=Room",
        "mimbridge bridge --source 'mqtt://broker/v1.1/#' --target ngsi-ld+http://127.0.0.1:1026 --batch 100",
    ),
}


def add_examples(parser: argparse.ArgumentParser) -> None:
    """Append the examples to the ``--help`` of every subcommand of ``parser`` (nested ones too)."""
    for action in parser._subparsers._group_actions if parser._subparsers is not None else ():
        for name, sub in (getattr(action, "choices", None) or {}).items():
            lines = EXAMPLES.get(name)
            if lines:
                sub.epilog = "examples:\n" + "\n".join(f"  {line}" for line in lines)
                sub.formatter_class = argparse.RawDescriptionHelpFormatter
            add_examples(sub)
