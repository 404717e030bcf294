"""SSSOM/TSV mapping tables: read, write, check, invert, chain and apply.

An SSSOM/TSV file is a YAML metadata block whose lines start with ``#``
(``curie_map``, ``mapping_set_id``, ``license``, ``extension_definitions``...)
followed by a tab-separated table, one mapping per row (``subject_id``,
``predicate_id``, ``object_id``, ``mapping_justification``...). The metadata
may also sit in a separate ``<name>.sssom.yml`` file.

Predicates are read by strength: ``skos:exactMatch`` and the OWL
equivalences translate both ways without loss; ``skos:broadMatch`` (and
``rdfs:subClassOf``/``subPropertyOf``) translate from the subject to its
broader object, ``skos:narrowMatch`` from the object to its broader subject,
both reported as :class:`~mimbridge.report.Approximated`; ``skos:closeMatch``
and ``skos:relatedMatch`` are used only when the caller allows it, and are
always reported.

>>> ms = parse_sssom("\\n".join([
...     "# curie_map:",
...     "#   sdm: https://smartdatamodels.org/dataModel.Environment/",
...     "#   sosa: http://www.w3.org/ns/sosa/",
...     "# mapping_set_id: https://example.org/demo.sssom.tsv",
...     "subject_id\\tpredicate_id\\tobject_id\\tmapping_justification",
...     "sdm:temperature\\tskos:exactMatch\\tsosa:Temperature\\tsemapv:ManualMappingCuration"]))
>>> ms.apply("sdm:temperature")
'sosa:Temperature'
>>> ms.apply("http://www.w3.org/ns/sosa/Temperature")
'https://smartdatamodels.org/dataModel.Environment/temperature'
"""

from .check import check
from .io import parse_sssom, read_sssom, write_sssom
from .model import REQUIRED_COLUMNS, Mapping, MappingSet, Problem
from .vocab import (
    BUILTIN_PREFIXES,
    DOUBLES,
    ENTITY_REFERENCES,
    JUSTIFICATIONS,
    MAPPING_SLOTS,
    MULTIVALUED,
    PREDICATES,
    SET_SLOTS,
)

__all__ = [
    "BUILTIN_PREFIXES",
    "DOUBLES",
    "ENTITY_REFERENCES",
    "JUSTIFICATIONS",
    "MAPPING_SLOTS",
    "MULTIVALUED",
    "PREDICATES",
    "REQUIRED_COLUMNS",
    "SET_SLOTS",
    "Mapping",
    "MappingSet",
    "Problem",
    "check",
    "parse_sssom",
    "read_sssom",
    "write_sssom",
]
