"""``wfs-gml``: WFS 2.0 / 1.1 GML reading, and the safe XML parser (bombs and external entities refused)."""

from __future__ import annotations

import socket

import pytest
from lxml import etree

import mimbridge
from mimbridge.errors import ParseError
from mimbridge.report import Approximated, Dropped
from mimbridge.safexml import parse_xml, safe_parser
from mimbridge.testing import AdapterContract

WFS20 = ('xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" '
         'xmlns:ex="https://example.org/ns" xmlns:xlink="http://www.w3.org/1999/xlink"')
SMALL = (f'<wfs:FeatureCollection {WFS20} numberMatched="unknown" numberReturned="1" timeStamp="2026-01-01T00:00:00Z"'
         ' next="https://example.org/wfs?STARTINDEX=1"><wfs:member><ex:Stop gml:id="stop.1">'
         '<gml:name>Tour Eiffel</gml:name><ex:geom><gml:Point srsName="urn:ogc:def:crs:EPSG::4326">'
         '<gml:pos>48.8584 2.2945</gml:pos></gml:Point></ex:geom><ex:code>007</ex:code><ex:height uom="m">330.5'
         '</ex:height><ex:operator xlink:href="https://example.org/org/1"/><ex:note xsi:nil="true" '
         'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/></ex:Stop></wfs:member></wfs:FeatureCollection>')


class TestWFS(AdapterContract):
    format = "wfs-gml"
    samples = [SMALL]
    bad_samples = ["<wfs:FeatureCollection", '<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "not xml at all"]


def test_small_collection_mapping():
    g = mimbridge.read(SMALL, source="wfs-gml")
    (node,) = g.nodes
    assert node.id == "urn:ngsi-ld:Stop:stop.1"
    assert node.types == ["https://uri.etsi.org/ngsi-ld/default-context/Stop"]
    a = node.attrs
    dc = "https://uri.etsi.org/ngsi-ld/default-context/"
    assert a["https://uri.etsi.org/ngsi-ld/location"][0].value == {"type": "Point", "coordinates": [2.2945, 48.8584]}
    assert a[dc + "name"][0].value == "Tour Eiffel"
    assert a[dc + "code"][0].value == "007"  # leading zero: not a number
    h = a[dc + "height"][0]
    assert (h.value, h.unit_code) == (330.5, "MTR")
    assert (a[dc + "operator"][0].kind.value, a[dc + "operator"][0].value) == ("Relationship",
                                                                               "https://example.org/org/1")
    assert a[dc + "note"][0].kind.value == "JsonProperty" and a[dc + "note"][0].value is None
    assert g.meta["geojson:collection"] == {"numberReturned": 1, "timeStamp": "2026-01-01T00:00:00Z", "links": [
        {"rel": "next", "href": "https://example.org/wfs?STARTINDEX=1", "type": "application/gml+xml"}]}
    assert g.meta["wfs:collection"]["numberMatched"] == "unknown"


def test_infer_types_off_and_schema_typing():
    g = mimbridge.read(SMALL, source="wfs-gml", infer_types=False)
    h = g.nodes[0].attrs["https://uri.etsi.org/ngsi-ld/default-context/height"][0]
    assert h.value == "330.5"
    xsd = ('<schema xmlns="http://www.w3.org/2001/XMLSchema" xmlns:ex="https://example.org/ns">'
           '<element name="Stop" type="ex:StopType"/><complexType name="StopType"><sequence>'
           '<element name="code" type="integer"/><element name="height" type="string"/></sequence></complexType>'
           '</schema>')
    r = mimbridge.convert(SMALL, source="wfs-gml", target="geojson", schema=xsd)
    assert r.output["features"][0]["properties"]["code"] == 7
    assert r.output["features"][0]["properties"]["height"] == "330.5"
    assert not r.report.of_type(Approximated)


def test_wfs11_gml311_members_and_legacy_srs_names():
    doc = ('<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" xmlns:gml="http://www.opengis.net/gml" '
           'xmlns:ex="https://example.org/ns" numberOfFeatures="3">'
           '<gml:featureMember><ex:P gml:id="p.1"><ex:g><gml:Point srsName="EPSG:4326"><gml:pos>2.29 48.85</gml:pos>'
           '</gml:Point></ex:g></ex:P></gml:featureMember>'
           '<gml:featureMember><ex:P gml:id="p.2"><ex:g><gml:Point srsName="urn:x-ogc:def:crs:EPSG:4326">'
           '<gml:pos>48.85 2.29</gml:pos></gml:Point></ex:g></ex:P></gml:featureMember>'
           '<gml:featureMembers><ex:P fid="p.3"><ex:g><gml:Point srsName="http://www.opengis.net/gml/srs/epsg.xml#4326">'
           '<gml:coordinates>2.29,48.85</gml:coordinates></gml:Point></ex:g></ex:P></gml:featureMembers>'
           '</wfs:FeatureCollection>')
    out = mimbridge.convert(doc, source="wfs-gml", target="geojson").output
    assert out["numberReturned"] == 3
    assert [f["id"] for f in out["features"]] == ["p.1", "p.2", "p.3"]
    assert [f["geometry"]["coordinates"] for f in out["features"]] == [[2.29, 48.85]] * 3


def test_non_wgs84_crs_and_missing_srs_are_reported():
    doc = (f'<wfs:FeatureCollection {WFS20}><wfs:member><ex:P gml:id="p.1"><ex:g>'
           '<gml:Point srsName="urn:ogc:def:crs:EPSG::25832"><gml:pos>500000 5500000</gml:pos></gml:Point></ex:g>'
           '</ex:P></wfs:member><wfs:member><ex:P gml:id="p.2"><ex:g><gml:Point><gml:pos>1 2</gml:pos>'
           '</gml:Point></ex:g></ex:P></wfs:member></wfs:FeatureCollection>')
    r = mimbridge.convert(doc, source="wfs-gml", target="geojson")
    assert [f["geometry"]["coordinates"] for f in r.output["features"]] == [[500000, 5500000], [1, 2]]
    assert "CRS urn:ogc:def:crs:EPSG::25832 is not carried" in r.report.of_type(Dropped)[0].message
    assert any("no srsName" in e.message for e in r.report.of_type(Approximated))


def test_unsupported_geometry_dropped_with_line_and_exception_report():
    doc = (f'<wfs:FeatureCollection {WFS20}><wfs:member><ex:P gml:id="p.1"><ex:g>\n<gml:Curve><gml:segments>'
           '<gml:Arc><gml:posList>0 0 1 1 2 0</gml:posList></gml:Arc></gml:segments></gml:Curve></ex:g>'
           '<ex:n>1</ex:n></ex:P></wfs:member></wfs:FeatureCollection>')
    r = mimbridge.convert(doc, source="wfs-gml", target="geojson", infer_types=False)
    assert r.output["features"][0]["properties"] == {"n": "1"}
    ev = r.report.of_type(Dropped)[0]
    assert "not linear" in ev.message and ev.path == "line 2"
    exc = ('<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1"><ows:Exception exceptionCode="x">'
           '<ows:ExceptionText>TYPENAMES lakez unknown</ows:ExceptionText></ows:Exception></ows:ExceptionReport>')
    with pytest.raises(ParseError, match="TYPENAMES lakez unknown"):
        mimbridge.read(exc, source="wfs-gml")


def test_malformed_xml_names_the_line():
    with pytest.raises(ParseError) as info:
        mimbridge.read("<a>\n<b>\n</a>", source="wfs-gml")
    assert info.value.pointer == "line 3" and "malformed XML" in info.value.message


def test_encodings():
    doc = ('<?xml version="1.0" encoding="ISO-8859-1"?>\n'
           '<ex:P xmlns:ex="https://e.org/" fid="p"><ex:n>Zürich</ex:n></ex:P>')
    # text (already decoded) with an encoding declaration parses
    assert mimbridge.convert(doc, source="wfs-gml", target="geojson").output["properties"]["n"] == "Zürich"
    # the parser honours the declared encoding of bytes
    assert parse_xml(doc.encode("latin-1"))[0].text == "Zürich"
    assert parse_xml(doc.replace("ISO-8859-1", "UTF-16").encode("utf-16"))[0].text == "Zürich"
    # convert() hands XML bytes to the parser undecoded: the declared encoding is honoured there too
    out = mimbridge.convert(doc.encode("latin-1"), source="wfs-gml", target="geojson").output
    assert out["properties"]["n"] == "Zürich"


# -- XML safety -----------------------------------------------------------------------------
BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                  + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
                            for i in range(1, 10))
                  + ']>\n<lolz>&lol9;</lolz>')
QUADRATIC = '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "' + "x" * 50000 + '">]><q>' + "&a;" * 5000 + "</q>"


@pytest.fixture
def secret_file(tmp_path):
    p = tmp_path / "secret.txt"
    p.write_text("TOP-SECRET-CONTENT")
    return p


@pytest.fixture
def listener():
    """A local TCP socket: had a parser connected to it, accept() would return that connection."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.setblocking(False)
    yield srv
    srv.close()


def _url(srv: socket.socket) -> str:
    return f"http://127.0.0.1:{srv.getsockname()[1]}"


def _assert_nobody_connected(srv: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        srv.accept()


def _payloads(secret, url):
    return {
        "billion laughs": BILLION_LAUGHS,
        "quadratic blowup": QUADRATIC,
        "external file entity": f'<!DOCTYPE x [<!ENTITY s SYSTEM "file://{secret}">]><x>&s;</x>',
        "external http entity": f'<!DOCTYPE x [<!ENTITY s SYSTEM "{url}/xxe">]><x>&s;</x>',
        "parameter entity": f'<!DOCTYPE x [<!ENTITY % p SYSTEM "{url}/dtd"> %p;]><x/>',
        "external DTD": f'<?xml version="1.0"?>\n<!-- a comment -->\n<!DOCTYPE x SYSTEM "{url}/x.dtd"><x/>',
        "entity in attribute": '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                               '<x y="&b;&b;&b;"/>',
        "inside a WFS response": (f'<?xml version="1.0"?><!DOCTYPE wfs:FeatureCollection [<!ENTITY s SYSTEM '
                                  f'"file://{secret}">]><wfs:FeatureCollection {WFS20}><wfs:member>'
                                  '<ex:P gml:id="p"><ex:n>&s;</ex:n></ex:P></wfs:member></wfs:FeatureCollection>'),
    }


UNSAFE = ["billion laughs", "quadratic blowup", "external file entity", "external http entity", "parameter entity",
          "external DTD", "entity in attribute", "inside a WFS response"]


@pytest.mark.parametrize("name", UNSAFE)
def test_unsafe_xml_is_refused(name, secret_file, listener):
    payload = _payloads(secret_file, _url(listener))[name]
    with pytest.raises(ParseError) as info:
        mimbridge.convert(payload, source="wfs-gml", target="geojson")
    assert "DOCTYPE is refused" in info.value.message and info.value.pointer == "line 1"
    assert "TOP-SECRET" not in str(info.value)
    _assert_nobody_connected(listener)


@pytest.mark.parametrize("name", UNSAFE)
def test_unsafe_xml_refused_in_utf16_bytes_too(name, secret_file, listener):
    payload = _payloads(secret_file, _url(listener))[name].replace('<?xml version="1.0"?>', "")
    with pytest.raises(ParseError, match="DOCTYPE is refused"):
        parse_xml(payload.encode("utf-16"))
    _assert_nobody_connected(listener)


@pytest.mark.parametrize("name", UNSAFE)
def test_parser_itself_expands_nothing_and_fetches_nothing(name, secret_file, listener):
    """Defence in depth: the lxml parser configuration alone (without the DOCTYPE refusal) is safe."""
    payload = _payloads(secret_file, _url(listener))[name]
    try:
        root = etree.fromstring(payload.encode(), safe_parser())
    except etree.XMLSyntaxError:
        root = None  # refusing is fine too
    if root is not None:
        text = etree.tostring(root, encoding="unicode")
        assert "TOP-SECRET" not in text and len(text) < 10_000  # nothing fetched, nothing expanded
        assert "TOP-SECRET" not in "".join(str(v) for el in root.iter() for v in el.attrib.values())
    _assert_nobody_connected(listener)


def test_doctype_text_inside_content_is_not_refused():
    root = parse_xml("<x><!-- <!DOCTYPE y> --><![CDATA[<!DOCTYPE z>]]></x>")
    assert "".join(root.itertext()) == "<!DOCTYPE z>"


def test_feature_without_gml_id_gets_a_content_id():
    doc = ('<wfs:FeatureCollection xmlns:wfs="http://www.opengis.net/wfs" xmlns:ex="https://example.org/ns">'
           '<gml:featureMember xmlns:gml="http://www.opengis.net/gml"><ex:P><ex:n>a</ex:n></ex:P></gml:featureMember>'
           '<gml:featureMember xmlns:gml="http://www.opengis.net/gml"><ex:P><ex:n>b</ex:n></ex:P></gml:featureMember>'
           '</wfs:FeatureCollection>')
    r = mimbridge.convert(doc, source="wfs-gml", target="ngsi-ld")
    a, b = (e["id"] for e in r.output)
    assert a.startswith("urn:ngsi-ld:P:") and a != b
    assert a == mimbridge.convert(doc, source="wfs-gml", target="ngsi-ld").output[0]["id"]  # deterministic
    assert r.report.of_type(Approximated)[0].count == 2
    out = mimbridge.convert(doc, source="wfs-gml", target="geojson").output
    assert ["id" in f for f in out["features"]] == [False, False]
