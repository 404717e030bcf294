"""Identifier normalisation as a table: input -> scheme, normalised text, stable URI, minted URI (or error).

Every valid row also checks the exact round trips identifier -> URI -> identifier
(through the global resolver URI and through the minted URI) and text -> identifier
-> text -> identifier.
"""

from __future__ import annotations

import re

import pytest

from mimbridge.errors import ResolutionError
from mimbridge.resolve import identifiers as ids
from mimbridge.resolve.minting import Rules

B = "https://id.example.city/"
STA = "https://sta.example.city/v1.1/"

RULES = Rules.from_dict({
    "version": 1,
    "base": B,
    "default_namespace": "code",
    "prefixes": {"sosa": "http://www.w3.org/ns/sosa/", "schema": "https://schema.org/",
                 "ex": "https://example.org/ns/", "exa": "https://example.org/ns/a/"},
    "namespaces": [
        {"name": "doi", "scheme": "doi", "template": "{base}doi/{local}"},
        {"name": "hdl", "scheme": "handle", "template": "{base}hdl/{local}"},
        {"name": "ark", "scheme": "ark", "template": "{base}ark/{local}"},
        {"name": "orcid", "scheme": "orcid", "template": "{base}orcid/{local}"},
        {"name": "urn", "scheme": "urn", "template": "{base}urn/{local}"},
        {"name": "sta", "scheme": "sta", "server": STA, "template": "{base}sta/{type}/{local}"},
        {"name": "sensor", "scheme": "local", "template": "{base}sensor/{local}"},
        {"name": "code", "scheme": "local", "template": "{base}code/{local}"},
        {"name": "ngsi-ld", "scheme": "ngsi-ld", "template": "{base}{type}/{local}"},
    ],
})

Z = ("doi", "doi:10.5281/zenodo.123", "https://doi.org/10.5281/zenodo.123", B + "doi/10.5281/zenodo.123")
ORC = ("orcid", "orcid:0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097",
       B + "orcid/0000-0002-1825-0097")
TF = ("ark", "ark:/13030/tf5p30086k", "https://n2t.net/ark:/13030/tf5p30086k", B + "ark/13030/tf5p30086k")
H = ("handle", "hdl:2381/12345", "https://hdl.handle.net/2381/12345", B + "hdl/2381/12345")
SICI = "10.1002/(sici)1097-4636(199706)35:4%3C473::aid-jbm6%3E3.0.co;2-p"

# input -> (scheme, str(identifier), stable URI, minted URI or None)
VALID: list[tuple[str, tuple[str, str, str, str | None]]] = [
    # DOI: every spelling, case-insensitive (ASCII), URL forms percent-decoded, label forms literal
    ("10.5281/zenodo.123", Z),
    ("doi:10.5281/zenodo.123", Z),
    ("DOI:10.5281/ZENODO.123", Z),
    ("doi: 10.5281/zenodo.123", Z),
    ("info:doi/10.5281/zenodo.123", Z),
    ("https://doi.org/10.5281/zenodo.123", Z),
    ("http://dx.doi.org/10.5281/Zenodo.123", Z),
    ("HTTPS://DOI.ORG/10.5281/ZENODO.123", Z),
    ("doi.org/10.5281/zenodo.123", Z),
    ("  10.5281/zenodo.123\n", Z),
    (B + "doi/10.5281/ZENODO.123", Z),
    ("https://doi.org/10.1000/a%3Cb%3E", ("doi", "doi:10.1000/a<b>", "https://doi.org/10.1000/a%3Cb%3E",
                                          B + "doi/10.1000/a%3Cb%3E")),
    ("doi:10.1000/100%", ("doi", "doi:10.1000/100%", "https://doi.org/10.1000/100%25", B + "doi/10.1000/100%25")),
    ("https://doi.org/10.1000/100%25", ("doi", "doi:10.1000/100%", "https://doi.org/10.1000/100%25",
                                       B + "doi/10.1000/100%25")),
    ("https://doi.org/10.1000/x%23y", ("doi", "doi:10.1000/x#y", "https://doi.org/10.1000/x%23y",
                                       B + "doi/10.1000/x%23y")),
    ("https://doi.org/10.1000/x%3Fy", ("doi", "doi:10.1000/x?y", "https://doi.org/10.1000/x%3Fy",
                                       B + "doi/10.1000/x%3Fy")),
    ("doi:10.1000/a+b", ("doi", "doi:10.1000/a+b", "https://doi.org/10.1000/a%2Bb", B + "doi/10.1000/a%2Bb")),
    ("https://doi.org/10.1000/a%2bb", ("doi", "doi:10.1000/a+b", "https://doi.org/10.1000/a%2Bb",
                                       B + "doi/10.1000/a%2Bb")),
    ("doi:10.1002/(SICI)1097-4636(199706)35:4<473::AID-JBM6>3.0.CO;2-P",
     ("doi", "doi:10.1002/(sici)1097-4636(199706)35:4<473::aid-jbm6>3.0.co;2-p", "https://doi.org/" + SICI,
      B + "doi/" + SICI)),
    ("doi:10.1000/Caf%C3%A9", ("doi", "doi:10.1000/caf%c3%a9", "https://doi.org/10.1000/caf%25c3%25a9",
                               B + "doi/10.1000/caf%25c3%25a9")),
    ("https://doi.org/10.1000/CAF%C3%89", ("doi", "doi:10.1000/cafÉ", "https://doi.org/10.1000/caf%C3%89",
                                           B + "doi/10.1000/caf%C3%89")),
    ("10.1000.10/ABC", ("doi", "doi:10.1000.10/abc", "https://doi.org/10.1000.10/abc", B + "doi/10.1000.10/abc")),
    # Handle: case kept, URL forms decoded
    ("hdl:2381/12345", H),
    ("2381/12345", H),
    ("https://hdl.handle.net/2381/12345", H),
    ("http://hdl.handle.net/20.500.12345/Ab%7EC", ("handle", "hdl:20.500.12345/Ab~C",
                                                   "https://hdl.handle.net/20.500.12345/Ab~C",
                                                   B + "hdl/20.500.12345/Ab~C")),
    ("hdl:10.5281/ZENODO.123", ("handle", "hdl:10.5281/ZENODO.123", "https://hdl.handle.net/10.5281/ZENODO.123",
                                B + "hdl/10.5281/ZENODO.123")),
    ("hdl:0.NA/20.500.12345", ("handle", "hdl:0.NA/20.500.12345", "https://hdl.handle.net/0.NA/20.500.12345",
                               B + "hdl/0.NA/20.500.12345")),
    # ARK: ark:/ form, identity-inert hyphens and trailing structure characters dropped, any NMA host
    ("ark:/13030/tf5p30086k", TF),
    ("ark:13030/tf5p30086k", TF),
    ("ARK:/13030/tf5p-300-86k", TF),
    ("https://n2t.net/ark:/13030/tf5p30086k", TF),
    ("https://n2t.net/ark:13030/tf5p30086k/", TF),
    ("https://archive.example.org/ark:/12148/btv1b8449691v/f29",
     ("ark", "ark:/12148/btv1b8449691v/f29", "https://n2t.net/ark:/12148/btv1b8449691v/f29",
      B + "ark/12148/btv1b8449691v/f29")),
    ("ark:/b5072/Foo.Bar", ("ark", "ark:/b5072/Foo.Bar", "https://n2t.net/ark:/b5072/Foo.Bar",
                            B + "ark/b5072/Foo.Bar")),
    # ORCID: checksum, hyphens, upper-case X
    ("0000-0002-1825-0097", ORC),
    ("https://orcid.org/0000-0002-1825-0097", ORC),
    ("http://orcid.org/0000000218250097", ORC),
    ("orcid:0000-0002-1694-233x", ("orcid", "orcid:0000-0002-1694-233X", "https://orcid.org/0000-0002-1694-233X",
                                   B + "orcid/0000-0002-1694-233X")),
    ("0000-0001-5109-3700", ("orcid", "orcid:0000-0001-5109-3700", "https://orcid.org/0000-0001-5109-3700",
                             B + "orcid/0000-0001-5109-3700")),
    # URN, NGSI-LD URN: urn: and the NID lower-cased, NSS kept (hex of escapes upper-cased)
    ("urn:ngsi-ld:Building:b1", ("ngsi-ld", "urn:ngsi-ld:Building:b1", B + "Building/b1", B + "Building/b1")),
    ("URN:NGSI-LD:Building:b1", ("ngsi-ld", "urn:ngsi-ld:Building:b1", B + "Building/b1", B + "Building/b1")),
    ("urn:ngsi-ld:Vehicle:vehicle:WasteManagement:1",
     ("ngsi-ld", "urn:ngsi-ld:Vehicle:vehicle:WasteManagement:1", B + "Vehicle/vehicle:WasteManagement:1",
      B + "Vehicle/vehicle:WasteManagement:1")),
    ("urn:ngsi-ld:Ciudad:París", ("ngsi-ld", "urn:ngsi-ld:Ciudad:París", B + "Ciudad/Par%C3%ADs",
                                  B + "Ciudad/Par%C3%ADs")),
    ("urn:ngsi-ld:Room:a%2fb", ("ngsi-ld", "urn:ngsi-ld:Room:a%2Fb", B + "Room/a%252Fb", B + "Room/a%252Fb")),
    (B + "Building/b1", ("ngsi-ld", "urn:ngsi-ld:Building:b1", B + "Building/b1", B + "Building/b1")),
    ("urn:isbn:0451450523", ("urn", "urn:isbn:0451450523", B + "urn/isbn:0451450523", B + "urn/isbn:0451450523")),
    ("urn:uuid:6E8BC430-9C3A-11D9-9669-0800200C9A66",
     ("urn", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", B + "urn/uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
      B + "urn/uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66")),
    ("urn:ngsi-ld:Building", ("urn", "urn:ngsi-ld:Building", B + "urn/ngsi-ld:Building", B + "urn/ngsi-ld:Building")),
    # SensorThings ids: relative ids take the configured server; integers normalised; '' escapes kept
    ("Things(1)", ("sta", STA + "Things(1)", B + "sta/Things/1", B + "sta/Things/1")),
    ("Things(007)", ("sta", STA + "Things(7)", B + "sta/Things/7", B + "sta/Things/7")),
    ("Things('abc')", ("sta", STA + "Things('abc')", B + "sta/Things/'abc'", B + "sta/Things/'abc'")),
    # an unquoted OData GUID key (django-ogc-sensorthings self links), lower-cased like UUID URNs
    ("Things(01A23BF0-686A-712B-B7FF-9434A4AF24DD)", ("sta", STA + "Things(01a23bf0-686a-712b-b7ff-9434a4af24dd)",
                                                      B + "sta/Things/01a23bf0-686a-712b-b7ff-9434a4af24dd",
                                                      B + "sta/Things/01a23bf0-686a-712b-b7ff-9434a4af24dd")),
    ("Datastreams('O''Brien')", ("sta", STA + "Datastreams('O''Brien')", B + "sta/Datastreams/'O''Brien'",
                                 B + "sta/Datastreams/'O''Brien'")),
    (STA + "Observations('a%20b')", ("sta", STA + "Observations('a%20b')", B + "sta/Observations/'a%20b'",
                                     B + "sta/Observations/'a%20b'")),
    (B + "sta/Things/'abc'", ("sta", STA + "Things('abc')", B + "sta/Things/'abc'", B + "sta/Things/'abc'")),
    ("https://frost.example.org/FROST-Server/v1.1/Things(5)",
     ("sta", "https://frost.example.org/FROST-Server/v1.1/Things(5)",
      "https://frost.example.org/FROST-Server/v1.1/Things(5)", None)),
    # CURIEs: the longest matching prefix is the normal form; IRIs under a prefix read as CURIEs
    ("sosa:Sensor", ("curie", "sosa:Sensor", "http://www.w3.org/ns/sosa/Sensor", None)),
    ("http://www.w3.org/ns/sosa/Sensor", ("curie", "sosa:Sensor", "http://www.w3.org/ns/sosa/Sensor", None)),
    ("ex:a/b", ("curie", "exa:b", "https://example.org/ns/a/b", None)),
    ("schema:name", ("curie", "schema:name", "https://schema.org/name", None)),
    # local codes: ns:code, bare codes in the default namespace
    ("sensor:42", ("local", "sensor:42", B + "sensor/42", B + "sensor/42")),
    (B + "sensor/42", ("local", "sensor:42", B + "sensor/42", B + "sensor/42")),
    ("sensor:A 7", ("local", "sensor:A 7", B + "sensor/A%207", B + "sensor/A%207")),
    ("sensor:x/y%z", ("local", "sensor:x/y%z", B + "sensor/x/y%25z", B + "sensor/x/y%25z")),
    ("42", ("local", "code:42", B + "code/42", B + "code/42")),
    ("AQ-Station_07", ("local", "code:AQ-Station_07", B + "code/AQ-Station_07", B + "code/AQ-Station_07")),
    ("Thing(1)", ("local", "code:Thing(1)", B + "code/Thing(1)", B + "code/Thing(1)")),
    # other URIs stay what they are
    ("https://example.org/things/1", ("uri", "https://example.org/things/1", "https://example.org/things/1", None)),
    ("tag:example.org,2024:sensor-1", ("uri", "tag:example.org,2024:sensor-1", "tag:example.org,2024:sensor-1",
                                       None)),
    ("did:example:123", ("uri", "did:example:123", "did:example:123", None)),
]

# input -> words the error message must contain
INVALID: list[tuple[object, str]] = [
    ("", "empty identifier"),
    ("   ", "empty identifier"),
    ("doi:", "not a DOI"),
    ("doi:10.1234", "not a DOI"),
    ("doi:11.1234/x", "not a DOI"),
    ("10.1000/a b", "whitespace"),
    ("https://doi.org/10.1000/a%20b", "whitespace"),
    ("https://doi.org/10.1000/x?download=1", "query or fragment"),
    ("https://doi.org/10.1000/x#sec", "query or fragment"),
    ("https://doi.org/10.1000/%zz", "malformed percent-encoding"),
    ("https://doi.org/10.1000/%C3%28", "not UTF-8"),
    ("https://doi.org/", "not a DOI"),
    ("hdl:nosuffix", "not a Handle"),
    ("hdl:2381/", "not a Handle"),
    ("ark:/13030/", "empty or invalid name"),
    ("ark:/1AB3/x", "not betanumeric"),
    ("ark:13030", "not an ARK"),
    ("ark:/13030/x?info", "inflection"),
    ("0000-0002-1825-0098", "checksum or ORCID block"),
    ("0000-0000-0000-001X", "checksum or ORCID block"),
    ("0000-0001-2345-6789", "checksum or ORCID block"),
    ("https://orcid.org/0000-0002-1825-009", "not an ORCID"),
    ("orcid:1234", "not an ORCID"),
    ("urn:x", "not a URN"),
    ("urn:-bad:x", "not a URN"),
    ("urn:ngsi-ld:Room:a b", "cannot hold"),
    ("urn:ngsi-ld:Room:a?b", "cannot hold"),
    ("urn:ngsi-ld:Room:<x>", "cannot hold"),
    ("urn:uuid:not-a-uuid", "not a UUID"),
    ("Things(1.5)", "neither an integer, a quoted string nor a GUID"),
    ("Things('unterminated)", "neither an integer, a quoted string nor a GUID"),
    ("nope:x", "unknown prefix"),
    ("javascript:alert(1)", "unknown prefix"),
    ("https://example.org/a b", "not a valid URI"),
    ("https://example.org/<x>", "not a valid URI"),
    ("sensor:", "empty local code"),
    ("code\x00x", "control characters"),
    (B + "nothing", "no minting rule reads"),
    (B + "doc/Building/b1", "is a document URI"),
    (123, "is text"),
]


def test_table_is_large_enough():
    assert len(VALID) + len(INVALID) >= 60
    assert len({row[0] for row in VALID}) == len(VALID)


@pytest.mark.parametrize(("text", "expected"), VALID, ids=[repr(r[0])[:60] for r in VALID])
def test_valid_identifier(text, expected):
    scheme, norm, uri, minted = expected
    ident = RULES.parse(text)
    assert (ident.scheme, str(ident), RULES.uri(ident)) == (scheme, norm, uri)
    if minted is None:
        assert RULES.namespace_for(ident) is None
    else:
        assert RULES.mint(ident) == minted
        assert RULES.identify(minted) == ident  # minted URI -> identifier, exact
        assert RULES.document_uri(minted) == B + "doc/" + minted[len(B):]
    # text -> identifier -> text -> identifier is exact
    assert RULES.parse(str(ident)) == ident
    # identifier -> own URI -> identifier is exact (local codes have no URI of their own)
    if scheme != "local":
        assert ids.from_uri(ids.to_uri(ident), RULES.context) == ident


@pytest.mark.parametrize(("text", "words"), INVALID, ids=[repr(r[0])[:60] for r in INVALID])
def test_invalid_identifier(text, words):
    with pytest.raises(ResolutionError) as info:
        RULES.parse(text)
    assert words in str(info.value)


# -- ambiguity: documented precedence, reported alternatives -------------------------------------------------

@pytest.mark.parametrize(("text", "scheme", "also"), [
    ("10.5281/zenodo.123", "doi", "handle"),        # every DOI is a Handle: DOI wins
    ("hdl:10.5281/zenodo.123", "handle", "doi"),    # an explicit label wins over detection
    ("0000-0002-1825-0097", "orcid", "isni"),       # every ORCID iD is an ISNI
    ("https://archive.example.org/ark:/12148/x", "ark", "uri"),
])
def test_ambiguity_is_resolved_and_reported(text, scheme, also):
    ident = RULES.parse(text)
    assert ident.scheme == scheme
    assert also in ident.alternatives


def test_unambiguous_forms_report_nothing():
    for text in ("doi:10.5281/zenodo.123", "https://doi.org/10.5281/zenodo.123", "urn:ngsi-ld:Building:b1"):
        assert RULES.parse(text).alternatives == ()


def test_alternatives_do_not_change_identity():
    assert RULES.parse("10.5281/zenodo.123") == RULES.parse("doi:10.5281/zenodo.123")


# -- percent-encoding ------------------------------------------------------------------------------------

URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+$")


@pytest.mark.parametrize("ch", ['%', '"', "#", "?", "<", ">", "{", "}", "|", "\\", "^", "`", "[", "]", "+",
                                "é", "ü", "€", "\U0001d11e", "%2F"])
def test_doi_suffix_percent_encoding_round_trips(ch):
    doi = f"10.1000/a{ch}b"
    ident = ids.parse("doi:" + doi)
    uri = ids.to_uri(ident)
    assert uri.startswith("https://doi.org/10.1000/a")
    assert URI_CHARS.match(uri), uri  # only URI characters, everything else percent-encoded
    assert "%25" in uri or "%" not in ch  # a literal '%' is itself encoded
    assert ids.from_uri(uri) == ident
    assert RULES.identify(RULES.mint(ident)) == ident


def test_encoding_of_reserved_characters_is_exact():
    assert ids.to_uri(ids.parse("doi:10.1000/a b".replace(" ", "#"))) == "https://doi.org/10.1000/a%23b"
    assert ids.encode("a/b c", safe="") == "a%2Fb%20c"
    assert ids.decode("a%2Fb%20c") == "a/b c"


def test_doi_case_folding_is_ascii_only():
    assert ids.parse("doi:10.1000/ÄBC").value == "10.1000/Äbc"


# -- context ---------------------------------------------------------------------------------------------

def test_relative_sta_id_needs_a_server():
    with pytest.raises(ResolutionError, match="needs a server base"):
        ids.parse("Things(1)")
    assert ids.parse("Things(1)", ids.Context(sta_servers=("https://s.example/v1.1",))).namespace == \
        "https://s.example/v1.1/"


def test_bare_code_needs_a_default_namespace():
    with pytest.raises(ResolutionError, match="no default namespace"):
        ids.parse("42")
    assert ids.parse("42", ids.Context(namespaces=frozenset({"s"}), default_namespace="s")).value == "s:42"


def test_curie_without_prefix_map_is_an_error():
    with pytest.raises(ResolutionError, match="unknown prefix 'sosa'"):
        ids.parse("sosa:Sensor")


def test_reserved_labels_are_never_curie_prefixes():
    # a prefix map entry named 'doi' cannot turn doi: identifiers into CURIEs
    ctx = ids.Context(prefixes={"doi": "https://example.org/doi/"})
    assert ids.parse("doi:10.1000/x", ctx).scheme == "doi"


def test_local_code_has_no_uri_of_its_own():
    with pytest.raises(ResolutionError, match="local code"):
        ids.to_uri(RULES.parse("sensor:42"))
