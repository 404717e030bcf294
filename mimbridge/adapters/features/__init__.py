"""The features family: GeoJSON / OGC API Features (:mod:`.geojson`), OGC API Records (:mod:`.records`),
WFS GetFeature GML (:mod:`.gml`), on the names and identifiers of :mod:`.names`.

>>> from mimbridge.adapters.features import GeoJSONAdapter
>>> GeoJSONAdapter.name
'geojson'
"""

from .geojson import GeoJSONAdapter
from .gml import WFSAdapter
from .records import RecordsAdapter

__all__ = ["GeoJSONAdapter", "RecordsAdapter", "WFSAdapter"]
