"""How attribute names are spelt after SensorThings: SensorThings JSON carries IRIs, not a ``@context``.

An entity read back from SensorThings JSON has the SensorThings context, so its attribute names
are compacted with that context; a name the source spelt otherwise (a term of its own
``@context``, a full IRI where a term exists, one of two terms for one IRI) comes back spelt
differently. :class:`Spelling` tells the writer which, so that it is reported at the attribute.

>>> from mimbridge.model import Attr, Kind
>>> s = Spelling([{"ex": "http://example.org/"}, *ENTITY_CONTEXT])
>>> s.change("http://example.org/gust", [Attr(Kind.PROPERTY, 1)])
('ex:gust', 'http://example.org/gust')
>>> s.change("urn:mimbridge:sta:name", [Attr(Kind.PROPERTY, 1)]) is None
True
"""

from __future__ import annotations

from typing import Any

from ...contexts.active import ActiveContext
from ...contexts.loader import ContextLoader
from ...meta import MEMBER_NAME
from ...model import Attr
from .read import ENTITY_CONTEXT

__all__ = ["ENTITY_CONTEXT", "Spelling"]


class Spelling:
    """Compares the names of an entity with ``@context`` ``ctx`` with their spelling after SensorThings.

    Raises :class:`~mimbridge.errors.MimbridgeError` when ``ctx`` cannot be resolved offline.
    """

    def __init__(self, ctx: Any) -> None:
        loader = ContextLoader()
        self.back = ActiveContext.get(ENTITY_CONTEXT, loader=loader)
        self.given = self.back if ctx is None or ctx == ENTITY_CONTEXT else ActiveContext.get(ctx, loader=loader)

    def change(self, iri: str, instances: list[Attr]) -> tuple[str, str] | None:
        """``(name as given, name read back)`` when they differ, else None."""
        meta = instances[0].meta if instances else None
        given = (meta.get(MEMBER_NAME) if meta else None) or self.given.compact(iri)
        back = self.back.compact(iri)
        return None if given == back else (given, back)
