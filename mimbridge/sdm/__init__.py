"""Smart Data Models offline: the catalogue of ``pysmartdatamodels`` (optional extra ``mimbridge[sdm]``).

* :mod:`~mimbridge.sdm.catalogue`: models and their attributes (NGSI-LD kind,
  IRI, JSON type, format, units), looked up by name, entity type, subject or domain;
* :mod:`~mimbridge.sdm.schema`: a JSON Schema built from a model's catalogue records,
  and the offline resolution of the data models' shared schemas;
* :mod:`~mimbridge.sdm.suggest`: candidate SSSOM alignments of unknown attributes to
  catalogue attributes.
"""

from __future__ import annotations

from .catalogue import AttributeSpec, Catalogue, ModelSpec, available, catalogue_version, load_catalogue

__all__ = ["AttributeSpec", "Catalogue", "ModelSpec", "available", "catalogue_version", "load_catalogue"]
