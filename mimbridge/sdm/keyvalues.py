"""Attribute kinds and offline contexts for reading keyValues entities of Smart Data Models.

:class:`ModelKinds` backs the ``model=`` option of the ``ngsi-ld-keyvalues``
reader: ``model="AirQualityObserved"`` (or ``subject/name``) applies one model
to every entity; ``model="auto"`` looks up each entity's ``type`` in the
catalogue and uses the model when the name is unique there. The contexts it
adds (:meth:`ModelKinds.contexts`) let entities that carry their data model's
published ``@context`` URL expand to the catalogue IRIs offline.

>>> from mimbridge.sdm.catalogue import Catalogue
>>> cat = Catalogue([{"dataModel": "Bin", "repoName": "dataModel.Waste", "property": "refStation",
...                   "context": "https://ex.org/refStation", "typeNGSI": "Relationship"}])
>>> kinds, model, problem = ModelKinds("auto", catalogue=cat).kinds_for({"type": "Bin"})
>>> kinds, model.qualified, problem
({'refStation': 'Relationship'}, 'dataModel.Waste/Bin', None)
>>> ModelKinds("auto", catalogue=cat).kinds_for({"type": "Car"})[2]
"entity type 'Car' is not a Smart Data Models model (catalogue )"
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import MappingError
from .catalogue import Catalogue, ModelSpec, load_catalogue

__all__ = ["AUTO", "ModelKinds"]

#: the ``model=`` value that picks the model from each entity's type
AUTO = "auto"


class ModelKinds:
    """Kinds per entity from the catalogue: ``kinds_for(entity) -> ({attr: kind}, model or None, problem)``."""

    def __init__(self, model: Any, *, catalogue: Catalogue | None = None) -> None:
        if not isinstance(model, str) or not model:
            raise MappingError(f"model= must be a data model name or {AUTO!r}, not {model!r}")
        self.catalogue = catalogue or load_catalogue()
        self.fixed: ModelSpec | None = None if model == AUTO else self.catalogue.model(model)
        self._by_type: dict[str, tuple[dict[str, str], ModelSpec | None, str | None]] = {}

    def kinds_for(self, entity: Any) -> tuple[dict[str, str], ModelSpec | None, str | None]:
        """Attribute kinds for one entity, the model used, and why none was found (or None)."""
        if self.fixed is not None:
            return self.fixed.kinds(), self.fixed, None
        etype = entity.get("type", entity.get("@type")) if isinstance(entity, dict) else None
        names = [etype] if isinstance(etype, str) else [t for t in etype or () if isinstance(t, str)] \
            if isinstance(etype, list) else []
        context = entity.get("@context") if isinstance(entity, dict) else None
        key = "\x1f".join(names) + "\x1e" + (context if isinstance(context, str) else repr(context))
        if key not in self._by_type:
            self._by_type[key] = self._lookup(names, context)
        return self._by_type[key]

    def _lookup(self, names: list[str], context: Any) -> tuple[dict[str, str], ModelSpec | None, str | None]:
        found: list[ModelSpec] = []
        for name in names:
            found.extend(self.catalogue.candidates(name, context=context))
        if len(found) == 1:
            return found[0].kinds(), found[0], None
        shown = ", ".join(repr(n) for n in names) or "(none)"
        if not found:
            return {}, None, (f"entity type {shown} is not a Smart Data Models model "
                              f"(catalogue {self.catalogue.version})")
        return {}, None, (f"entity type {shown} names several Smart Data Models models: "
                          f"{', '.join(m.qualified for m in found)}")

    def remedy(self, model: ModelSpec | None) -> str:
        """Remedy text for an attribute the catalogue does not know."""
        if model is None:
            return "pass model=<subject/name> or kinds={name: type}"
        return f"not an attribute of {model.qualified} in the catalogue {self.catalogue.version}: " \
               "pass kinds={name: type}"

    def contexts(self, given: Any = None) -> dict[str, Any]:
        """``contexts=`` documents: the data models' published ``@context`` URLs, then the ``given`` ones."""
        subjects = [self.fixed.subject] if self.fixed is not None else None
        docs: dict[str, Any] = dict(self.catalogue.context_documents(subjects))
        if isinstance(given, (str, Path)):
            try:
                given = json.loads(Path(given).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise MappingError(f"contexts= {given}: cannot read: {exc}") from exc
        if isinstance(given, dict):
            docs.update(given)
        elif given is not None:
            raise MappingError("contexts= must map context URLs to documents (a dict or a JSON file)")
        return docs
