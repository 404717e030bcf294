"""The NGSI-LD family: normalized and concise (:mod:`.normalized`), keyValues, temporal and GeoJSON
(:mod:`.representations`), on the vocabulary of :mod:`.vocab`.

>>> from mimbridge.adapters.ngsild import NormalizedAdapter
>>> NormalizedAdapter.name
'ngsi-ld'
"""

from .adapters import ConciseAdapter, NormalizedAdapter
from .representations import GeoJSONAdapter, KeyValuesAdapter, TemporalAdapter

__all__ = ["ConciseAdapter", "GeoJSONAdapter", "KeyValuesAdapter", "NormalizedAdapter", "TemporalAdapter"]
