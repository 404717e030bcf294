"""Read-only connectors for OGC API Features / Records collections and WFS 2.0 / 1.1 feature types.

Two sources, both yielding :class:`~mimbridge.clients.base.Page` objects:

* :class:`OgcApiSource` (``ogcapi+http://host/collections/{id}[/items]``):
  reads the collection document first (``itemType`` ``"record"`` makes the
  pages ``ogc-records``, anything else ``geojson``), then fetches items
  pages. ``bbox`` (+ ``bbox_crs``), ``datetime``, ``limit``, property value
  filters and a property selection are pushed to the server as query
  parameters (MIM1 R5: filter where the data is). Paging follows the
  ``rel="next"`` link exactly as the server gives it (resolved against the
  page URL when relative); ``Page.total`` is ``numberMatched``.
* :class:`WfsSource` (``wfs+http://host/mapserv?map=...&typeNames=x``): reads
  GetCapabilities to check the feature type, its default CRS and whether the
  server implements result paging, then issues GetFeature requests
  (``COUNT``/``STARTINDEX`` for WFS 2.0 when paging is implemented; the next
  page is requested while a page comes back full). Pages are ``wfs-gml``
  text; the ``wfs-gml`` reader turns EPSG:4326 lat/lon into GeoJSON lon/lat.
  Geometries are requested in the type's DefaultCRS (or ``srs``); the axis
  order of each page is decided by the rule the ``wfs-gml`` reader applies
  (:func:`mimbridge.geometry_gml.axis_rule`: srsName form, WFS version,
  MapServer's WFS 1.1 convention), plus the request: a short label
  ``EPSG:4326`` answering a request for the CRS URN is relabelled with the
  URN, so that the page text read on its own gives the same coordinates.
  ``bbox`` is given lon/lat (CRS84) like OGC API and sent in the axis order
  of the CRS it is sent with (``urn:ogc:def:crs:EPSG::4326`` is lat/lon).

How owslib is used: owslib's OGC API classes fetch every document themselves
with ``requests`` and accept a ready document only for the landing page, so
they would bypass the retries, timeouts and test transports of
:class:`~mimbridge.clients.http.HttpClient`; the OGC API source therefore
reads the collection JSON itself. For WFS, owslib parses the capabilities
document that our HTTP client fetched (``WebFeatureService(url, version=...,
xml=...)``): feature types, their CRS lists and output formats, operations.
The document first goes through mimbridge's safe XML parser (no DTD, no
entities, no network); constraint default values (``ImplementsResultPaging``,
``CountDefault``), which owslib does not read, are taken from that tree.

Both servers are read-only here: :func:`open_sink` raises
:class:`~mimbridge.errors.CapabilityError`.

>>> import httpx
>>> def server(request):
...     if request.url.path == "/collections/stops":
...         return httpx.Response(200, json={"id": "stops", "itemType": "feature"})
...     return httpx.Response(200, json={"type": "FeatureCollection", "features": [], "numberMatched": 0})
>>> http = HttpClient(transport=httpx.MockTransport(server))
>>> src = OgcApiSource("http://api.test/collections/stops", http=http, bbox=(2.2, 48.8, 2.5, 48.9), limit=50)
>>> page = next(src.pages())
>>> src.format, page.url, page.total
('geojson', 'http://api.test/collections/stops/items?limit=50&bbox=2.2%2C48.8%2C2.5%2C48.9', 0)
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from ..errors import CapabilityError, ConnectorError, OptionError, ParseError
from ..geometry import axis_order
from ..options import check_options
from .base import Page
from .http import HttpClient

__all__ = ["CRS84", "OgcApiSource", "WfsSource", "open_sink", "open_source"]

#: The OGC API default CRS: WGS 84 longitude/latitude.
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_CRS84_NAMES = frozenset({CRS84, "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "CRS84"})
_JSON_ACCEPT = "application/geo+json, application/json;q=0.9"
_XML_ACCEPT = "application/gml+xml, text/xml;q=0.9, application/xml;q=0.8"
_OWS_NS = {"ows11": "http://www.opengis.net/ows/1.1", "ows": "http://www.opengis.net/ows"}
# WFS KVP keys a caller may have left in the endpoint URL; they are set per request.
_WFS_KEYS = frozenset({"service", "request", "version", "acceptversions", "typename", "typenames", "count",
                       "maxfeatures", "startindex", "srsname", "bbox", "outputformat", "resulttype"})
_DEFAULT_PAGE = 500


def _with_query(url: str, params: Mapping[str, Any]) -> str:
    """``url`` with ``params`` appended to its query (values ``None`` left out)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _bbox_text(bbox: Sequence[float], what: str) -> str:
    try:
        nums = [float(v) for v in bbox]
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be numbers (minx, miny, maxx, maxy), got {bbox!r}") from None
    if len(nums) not in (4, 6):
        raise ValueError(f"{what} needs 4 numbers (or 6 with heights), got {len(nums)}")
    if any(v != v or v in (float("inf"), float("-inf")) for v in nums):
        raise ValueError(f"{what} must be finite numbers, got {bbox!r}")
    return ",".join(repr(v)[:-2] if repr(v).endswith(".0") else repr(v) for v in nums)


class OgcApiSource:
    """Pages of an OGC API Features (or Records) collection, filtered on the server.

    ``url`` is the collection (``.../collections/{id}``) or its ``/items``
    (query parameters in it are kept); ``bbox`` is ``(minx, miny, maxx,
    maxy)`` in ``bbox_crs`` (default CRS84 lon/lat); ``datetime`` an instant
    or interval (``"2024-01-01T00:00:00Z/.."``); ``limit`` the page size;
    ``properties`` the properties to return (``properties=a,b``, dropped
    ones are the caller's choice); ``filters`` property values to match
    (``{"country": "BE"}`` -> ``country=BE``).

    >>> OgcApiSource("http://api.test/collections/lakes/items", http=HttpClient()).collection_url
    'http://api.test/collections/lakes'
    """

    def __init__(
        self,
        url: str,
        *,
        http: HttpClient,
        bbox: Sequence[float] | None = None,
        bbox_crs: str | None = None,
        datetime: str | None = None,
        limit: int | None = None,
        properties: Sequence[str] | None = None,
        filters: Mapping[str, Any] | None = None,
    ) -> None:
        parts = urlsplit(url)
        path = parts.path.rstrip("/")
        if path.endswith("/items"):
            path = path[: -len("/items")]
        if "/collections/" not in path + "/" or path.endswith("/collections"):
            raise ValueError(f"{url}: expected a collection URL like http://host/collections/{{id}}[/items]")
        self.http = http
        self.query = parse_qsl(parts.query, keep_blank_values=True)
        self.collection_url = urlunsplit(parts._replace(path=path, query=""))
        self.items_url = self.collection_url + "/items"
        self.collection_id = path.rsplit("/", 1)[-1]
        if limit is not None and limit < 1:
            raise OptionError(f"limit must be >= 1, got {limit}", name="limit")
        if isinstance(properties, str):
            properties = [p for p in properties.split(",") if p]
        self.params: dict[str, Any] = {
            "limit": limit,
            "bbox": _bbox_text(bbox, "bbox") if bbox is not None else None,
            "bbox-crs": bbox_crs if bbox is not None and bbox_crs and bbox_crs not in _CRS84_NAMES else None,
            "datetime": datetime,
            "properties": ",".join(properties) if properties else None,
        }
        for key, value in (filters or {}).items():
            if key in self.params or key in ("f", "offset"):
                raise ValueError(f"filter {key!r} clashes with a query parameter of OGC API Features")
            self.params[key] = value
        self._collection: dict[str, Any] | None = None
        self._format: str | None = None

    def collection(self) -> dict[str, Any]:
        """The collection document (fetched once); a missing collection is a ConnectorError with status 404."""
        if self._collection is None:
            url = _with_query(self.collection_url, dict(self.query))
            try:
                doc = self.http.get_json(url, headers={"Accept": "application/json"})
            except ConnectorError as exc:
                if exc.status == 404:
                    raise ConnectorError(
                        f"collection {self.collection_id!r} not found (GET {self.collection_url.rsplit('/', 1)[0]}"
                        " lists the collections)", url=exc.url, status=404, body=exc.body) from None
                raise
            if not isinstance(doc, dict):
                raise ConnectorError("collection document is not a JSON object", url=url, body=str(doc)[:200])
            self._collection = doc
            self._check_crs(doc)
        return self._collection

    def _check_crs(self, doc: dict[str, Any]) -> None:
        crs = self.params.get("bbox-crs")
        listed = doc.get("crs")
        if crs and isinstance(listed, list) and listed and crs not in listed and "#/crs" not in listed:
            raise CapabilityError(f"{self.collection_url}: bbox-crs {crs} is not among the collection's CRS "
                                  f"({', '.join(map(str, listed))})")

    @property
    def format(self) -> str:
        """``ogc-records`` for a collection whose ``itemType`` is ``record``, else ``geojson``."""
        if self._format is None:
            item_type = str(self.collection().get("itemType", "feature")).lower()
            self._format = "ogc-records" if item_type == "record" else "geojson"
        return self._format

    def first_url(self) -> str:
        """The URL of the first items page, with every filter in its query."""
        return _with_query(self.items_url, {**dict(self.query), **self.params})

    def pages(self, *, start: str | None = None) -> Iterator[Page]:
        """Yield the items pages, from ``start`` (a next link of an earlier run) or the first page."""
        self.format  # noqa: B018 - fetch the collection first: a wrong URL fails before paging
        url: str | None = start or self.first_url()
        seen: set[str] = set()
        while url is not None:
            if url in seen:
                raise ConnectorError("the server's next link points back at a page already read", url=url)
            seen.add(url)
            doc = self.http.get_json(url, headers={"Accept": _JSON_ACCEPT})
            features = _features(doc, url)
            nxt = _next_link(doc, url)
            total = doc.get("numberMatched")
            yield Page(doc, url=url, next_link=nxt if features else None, count=len(features),
                       total=total if isinstance(total, int) and not isinstance(total, bool) else None)
            url = nxt if features else None


def _features(doc: Any, url: str) -> list:
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise ParseError(f"{url}: items page is not a GeoJSON FeatureCollection (type {got!r})", pointer="/type",
                         expected='"FeatureCollection"')
    features = doc.get("features")
    if not isinstance(features, list):
        raise ParseError(f"{url}: items page has no features array", pointer="/features", expected="an array")
    return features


def _next_link(doc: dict[str, Any], url: str) -> str | None:
    links = doc.get("links")
    if not isinstance(links, list):
        return None
    nexts = [ln for ln in links if isinstance(ln, dict) and ln.get("rel") == "next" and ln.get("href")]
    if not nexts:
        return None
    # several next links differ by media type: prefer the JSON one
    for ln in nexts:
        if "json" in str(ln.get("type", "")):
            return urljoin(url, ln["href"])
    return urljoin(url, nexts[0]["href"])


class WfsSource:
    """Pages of one WFS feature type as GML (``wfs-gml``), with paging and a bbox filter pushed to the server.

    ``url`` is the service endpoint (vendor parameters such as ``map=`` are
    kept); ``type_name`` the feature type (``ms:cities`` or ``cities``);
    ``bbox`` ``(minx, miny, maxx, maxy)`` in ``bbox_crs`` (default CRS84
    lon/lat); ``srs`` the CRS of the returned geometries (default: the
    type's DefaultCRS); ``count`` the page size (default 500 when the server
    implements paging, else everything in one response).

    >>> WfsSource("http://h.test/mapserv?map=a.map&REQUEST=GetCapabilities", http=HttpClient(),
    ...           type_name="cities").service_url
    'http://h.test/mapserv?map=a.map'
    """

    format = "wfs-gml"

    def __init__(
        self,
        url: str,
        *,
        http: HttpClient,
        type_name: str,
        version: str = "2.0.0",
        bbox: Sequence[float] | None = None,
        bbox_crs: str | None = None,
        srs: str | None = None,
        count: int | None = None,
    ) -> None:
        if version not in ("2.0.0", "1.1.0"):
            raise OptionError(f"WFS version {version!r} is not supported (use 2.0.0 or 1.1.0)", name="version")
        if not type_name:
            raise OptionError("type_name is required (the feature type to read, e.g. ms:cities)", name="type_name")
        if count is not None and count < 1:
            raise OptionError(f"count must be >= 1, got {count}", name="count")
        parts = urlsplit(url)
        keep = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in _WFS_KEYS]
        self.service_url = urlunsplit(parts._replace(query=urlencode(keep)))
        self.http = http
        self.type_name = type_name
        self.version = version
        self.bbox = _bbox_text(bbox, "bbox") if bbox is not None else None
        self._bbox_raw = list(bbox) if bbox is not None else None
        self.bbox_crs = bbox_crs
        self.srs = srs
        self.count = count
        self._caps: Any = None

    # -- capabilities ---------------------------------------------------------------------------------------
    def capabilities(self) -> Any:
        """The owslib ``WebFeatureService`` of the server's capabilities (fetched once, parsed safely)."""
        if self._caps is None:
            from lxml import etree
            from owslib.wfs import WebFeatureService

            from ..safexml import parse_xml

            url = _with_query(self.service_url, {"SERVICE": "WFS", "REQUEST": "GetCapabilities",
                                                 "VERSION": self.version, "ACCEPTVERSIONS": self.version})
            body = self.http.get(url, headers={"Accept": "application/xml, text/xml"}).content
            try:
                root = parse_xml(body)
            except ParseError as exc:
                raise ConnectorError(f"capabilities are not safe, well-formed XML: {exc}", url=url,
                                     body=body[:200].decode("utf-8", "replace")) from None
            _raise_exception_report(root, url)
            try:
                wfs = WebFeatureService(self.service_url, version=self.version, xml=etree.tostring(root))
            except Exception as exc:  # owslib raises whatever its parser meets
                raise ConnectorError(f"capabilities could not be read as WFS {self.version}: {exc}", url=url) from None
            self._caps = wfs
            self._caps_root = root
        return self._caps

    def _constraint(self, name: str) -> str | None:
        self.capabilities()
        for ns in _OWS_NS.values():
            for el in self._caps_root.iter(f"{{{ns}}}Constraint"):
                if el.get("name") != name:
                    continue
                for child in el:
                    tag = child.tag.rsplit("}", 1)[-1]
                    if tag == "DefaultValue" and child.text:
                        return child.text.strip()
                    if tag == "AllowedValues":
                        values = [v.text.strip() for v in child if v.text]
                        if values:
                            return values[0]
        return None

    @property
    def paging(self) -> bool:
        """True when the server advertises ``ImplementsResultPaging`` (WFS 2.0)."""
        return self.version == "2.0.0" and (self._constraint("ImplementsResultPaging") or "").upper() == "TRUE"

    def feature_type(self) -> Any:
        """owslib's content metadata of ``type_name``; a name the server does not offer is a ConnectorError."""
        contents = self.capabilities().contents
        if self.type_name in contents:
            return contents[self.type_name]
        local = [k for k in contents if k.split(":", 1)[-1] == self.type_name.split(":", 1)[-1]]
        if len(local) == 1:
            return contents[local[0]]
        raise ConnectorError(f"feature type {self.type_name!r} is not offered by this WFS; available: "
                             f"{', '.join(sorted(contents)) or 'none'}", url=self.service_url)

    def default_srs(self) -> str | None:
        """The feature type's DefaultCRS as the server spells it (e.g. ``urn:ogc:def:crs:EPSG::4326``)."""
        crs = self.feature_type().crsOptions
        return _crs_text(crs[0]) if crs else None

    def schema(self) -> str:
        """The DescribeFeatureType XSD of the type: pass it as ``schema=`` to type properties exactly."""
        name = self.feature_type().id
        key = "TYPENAMES" if self.version == "2.0.0" else "TYPENAME"
        url = _with_query(self.service_url, {"SERVICE": "WFS", "VERSION": self.version,
                                             "REQUEST": "DescribeFeatureType", key: name})
        response = self.http.get(url, headers={"Accept": "application/xml, text/xml"})
        from ..safexml import parse_xml

        _raise_exception_report(parse_xml(response.content), url)
        return response.text

    def _srs_name(self) -> str | None:
        if self.srs is None:
            return self.default_srs()
        offered = [_crs_text(c) for c in self.feature_type().crsOptions]
        if offered and not any(_same_crs(self.srs, o) for o in offered):
            raise CapabilityError(f"{self.service_url}: feature type {self.type_name} is not offered in {self.srs} "
                                  f"(offered: {', '.join(offered)})")
        return self.srs

    def _bbox_param(self, default_srs: str | None) -> str | None:
        if self._bbox_raw is None:
            return None
        if self.bbox_crs and self.bbox_crs not in _CRS84_NAMES:
            return f"{self.bbox},{self.bbox_crs}"
        # lon/lat given: send it in the CRS of the type (WGS 84), in that CRS's axis order
        crs = default_srs if default_srs and _is_4326(default_srs) else "urn:ogc:def:crs:EPSG::4326"
        b = self._bbox_raw
        nums = [b[1], b[0], b[3], b[2]] if axis_order(crs) == "yx" else b[:4]
        return f"{_bbox_text(nums, 'bbox')},{crs}"

    def request_url(self, *, start_index: int = 0, count: int | None = None) -> str:
        """The GetFeature URL of one page."""
        name = self.feature_type().id
        srs = self._srs_name()
        v2 = self.version == "2.0.0"
        params: dict[str, Any] = {
            "SERVICE": "WFS", "VERSION": self.version, "REQUEST": "GetFeature",
            "TYPENAMES" if v2 else "TYPENAME": name,
            "SRSNAME": srs,
            "BBOX": self._bbox_param(self.default_srs()),
        }
        if count is not None:
            params["COUNT" if v2 else "MAXFEATURES"] = count
            if v2 and start_index:
                params["STARTINDEX"] = start_index
        return _with_query(self.service_url, params)

    def pages(self, *, start: str | None = None) -> Iterator[Page]:
        """Yield GetFeature responses (GML text); ``start`` is a next link from a checkpoint."""
        from lxml import etree

        paging = self.paging
        count = self.count if self.count is not None else (_DEFAULT_PAGE if paging else None)
        cap = self._constraint("CountDefault")
        index = _start_index(start) if start else 0
        url = start or self.request_url(start_index=index, count=count)
        while True:
            response = self.http.get(url, headers={"Accept": _XML_ACCEPT})
            text = response.text
            root = _gml_root(response.content, url)
            if _relabel(root, _param(url, "srsname")):
                text = etree.tostring(root, encoding="unicode")
            returned = _returned(root)
            matched = root.get("numberMatched")
            total = int(matched) if matched and matched.isdigit() else None
            nxt = None
            if count is not None and paging and returned >= count:
                nxt = self.request_url(start_index=index + returned, count=count)
            elif count is None and cap and cap.isdigit() and returned >= int(cap) and (total or 0) != returned:
                raise ConnectorError(f"the server capped the response at {cap} features (CountDefault) and does "
                                     "not implement result paging; narrow the request with bbox=", url=url)
            yield Page(text, url=url, next_link=nxt, count=returned, total=total)
            if nxt is None:
                return
            index += returned
            url = nxt


def _crs_text(crs: Any) -> str:
    return getattr(crs, "id", None) or str(crs)


def _is_4326(srs: str) -> bool:
    return re.search(r"(?:^|[:/#])4326$", srs.strip()) is not None


def _same_crs(a: str, b: str) -> bool:
    from ..geometry import epsg_code

    ca, cb = epsg_code(a), epsg_code(b)
    return a == b or (ca is not None and ca == cb)


def _param(url: str, name: str) -> str | None:
    for k, v in parse_qsl(urlsplit(url).query):
        if k.lower() == name:
            return v
    return None


def _start_index(url: str) -> int:
    v = _param(url, "startindex")
    return int(v) if v and v.isdigit() else 0


def _relabel(root: Any, requested: str | None) -> bool:
    """Give geometries whose axis order the request decides the requested (authority) srsName.

    The axis order is the one rule of :func:`mimbridge.geometry_gml.axis_rule`
    that the ``wfs-gml`` reader applies to the page; the request is the one
    thing the page does not say: a short label ``EPSG:4326`` answering a
    request for ``urn:ogc:def:crs:EPSG::4326`` is relabelled so that the page,
    read on its own, gives the same coordinates.
    """
    from ..geometry_gml import axis_rule

    if requested is None or axis_order(requested) == "xy":
        return False
    own, asked = axis_rule(root), axis_rule(root, requested=requested)
    changed = False
    for el in root.iter():
        name = el.get("srsName")
        if name and name != requested and asked.order(name) == "yx" and own.order(name) != "yx":
            el.set("srsName", requested)
            changed = True
    return changed


def _raise_exception_report(root: Any, url: str) -> None:
    if root.tag.rsplit("}", 1)[-1] != "ExceptionReport":
        return
    texts = [t.strip() for t in root.itertext() if t.strip()]
    codes = [el.get("exceptionCode") for el in root.iter() if el.get("exceptionCode")]
    what = f"{codes[0]}: " if codes else ""
    raise ConnectorError(f"the WFS answered with an exception: {what}{' '.join(texts)[:300]}", url=url)


def _gml_root(body: bytes, url: str) -> Any:
    from ..safexml import parse_xml

    try:
        root = parse_xml(body)
    except ParseError as exc:
        raise ParseError(f"{url}: GetFeature response: {exc.message}", pointer=exc.pointer,
                         expected=exc.expected) from None
    _raise_exception_report(root, url)
    if root.tag.rsplit("}", 1)[-1] not in ("FeatureCollection", "SimpleFeatureCollection"):
        raise ParseError(f"{url}: GetFeature response is a {root.tag.rsplit('}', 1)[-1]}, not a FeatureCollection",
                         pointer="line 1", expected="wfs:FeatureCollection")
    return root


def _returned(root: Any) -> int:
    n = root.get("numberReturned") or root.get("numberOfFeatures")
    if n and n.isdigit():
        return int(n)
    return sum(1 for el in root if el.tag.rsplit("}", 1)[-1] in ("member", "featureMember")) + sum(
        len(el) for el in root if el.tag.rsplit("}", 1)[-1] == "featureMembers")


# -- endpoint table entry points ----------------------------------------------------------------------------
def open_source(url: str, *, http: HttpClient, kind: str, **options: Any) -> OgcApiSource | WfsSource:
    """Open ``ogcapi`` (collection URL) or ``wfs`` (service URL; ``typeNames=`` in it or ``type_name=``).

    >>> open_source("http://h.test/mapserv?map=x.map&typeNames=ms:cities", http=HttpClient(), kind="wfs").type_name
    'ms:cities'
    """
    options = _coerce(options)
    if kind == "ogcapi":
        return OgcApiSource(url, http=http, **check_options(OgcApiSource, options, where="ogcapi source "))
    if kind == "wfs":
        if "type_name" not in options:
            names = [v for k, v in parse_qsl(urlsplit(url).query) if k.lower() in ("typenames", "typename")]
            if not names:
                raise OptionError(f"{url}: name the feature type (typeNames= in the URL or type_name=)",
                                  name="type_name")
            options["type_name"] = names[0]
        return WfsSource(url, http=http, **check_options(WfsSource, options, where="wfs source "))
    raise CapabilityError(f"endpoint kind {kind!r} is not served by {__name__}")


def _coerce(options: dict[str, Any]) -> dict[str, Any]:
    """Options given as text (command line ``-O bbox=0,45,6,53``) -> numbers."""
    out = dict(options)
    if isinstance(out.get("bbox"), str):
        out["bbox"] = [v for v in out["bbox"].split(",") if v.strip()]
    for key in ("limit", "count"):
        if isinstance(out.get(key), str):
            try:
                out[key] = int(out[key])
            except ValueError:
                raise OptionError(f"{key} must be an integer, got {out[key]!r}", name=key) from None
    return out


def open_sink(url: str, *, http: HttpClient, kind: str, **options: Any) -> Any:
    """OGC API Features / Records and WFS endpoints are read here, never written.

    >>> open_sink("http://h.test/collections/x", http=HttpClient(), kind="ogcapi")
    Traceback (most recent call last):
    ...
    mimbridge.errors.CapabilityError: ogcapi endpoints are read-only in mimbridge (use them as a source)
    """
    raise CapabilityError(f"{kind} endpoints are read-only in mimbridge (use them as a source)")
