"""The resolver's HTML pages in a real browser: Debian chromium driven by Playwright (headless).

Any request the page makes to a host other than 127.0.0.1 is aborted and fails the test.
"""

from __future__ import annotations

import importlib.util
from urllib.parse import urlsplit

import pytest

from .conftest import need, system_exe
from .test_resolver_service import build_store, start_server, stop_server

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SENSOR_PATH = "/doc/Sensor/43a1af27-4aa7-44fe-bee9-fe76d56978a4"


@pytest.fixture(scope="module")
def browser_server(corpus, tmp_path_factory):
    need(system_exe("chromium") is not None, "Debian chromium is not installed (apt-get install chromium)")
    need(importlib.util.find_spec("playwright") is not None, "Playwright is not installed (pip install playwright)")
    tmp = tmp_path_factory.mktemp("resolver-browser")
    server = start_server(str(build_store(corpus, tmp / "store")), tmp / "server.log")
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture()
def page(browser_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=system_exe("chromium"), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            outside: list[str] = []

            def only_loopback(route):
                if urlsplit(route.request.url).hostname == "127.0.0.1":
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            context.route("**/*", only_loopback)
            pg = context.new_page()
            errors: list[str] = []
            # console errors (CSP violations among them), except HTTP errors a test provokes on purpose
            pg.on("console", lambda m: errors.append(m.text)
                  if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
            pg.on("pageerror", lambda e: errors.append(str(e)))
            yield pg, f"http://127.0.0.1:{browser_server.port}"
            assert not outside, outside
            assert not errors, errors
        finally:
            browser.close()


def test_page_renders_the_entity_and_links_navigate(page):
    pg, root = page
    resp = pg.goto(root + "/Building/randomUUID")  # the thing URI: 303 to the document
    assert resp is not None and resp.status == 200
    assert urlsplit(pg.url).path == "/doc/Building/randomUUID"
    assert pg.locator("h1#title").inner_text() == "Eiffel Tower"
    assert pg.title() == "Eiffel Tower"
    table = pg.locator("#attributes").inner_text()
    assert "POLYGON ((13.2865906 52.5648645" in table  # geometry as text
    assert "tourism" in table and "C62" in table
    # the relationship is a link to the related entity's resolver page
    link = pg.locator("a.rel", has_text="urn:ngsi-ld:Sensor:43a1af27-4aa7-44fe-bee9-fe76d56978a4")
    assert link.count() == 1
    link.click()
    pg.wait_for_url("**" + SENSOR_PATH)
    assert pg.locator("h1#title").inner_text() == "Weather sensor 43a1"
    # markup in the data is shown as text, not interpreted
    assert "<script>alert(1)</script> & <b>bold</b>" in pg.locator("#attributes").inner_text()
    assert pg.locator("#attributes b").count() == 0 and pg.locator("script").count() == 0
    # and back through "Referenced by"
    pg.locator("#referrers a", has_text="urn:ngsi-ld:Building:randomUUID").click()
    pg.wait_for_url("**/doc/Building/randomUUID")
    assert pg.locator("h1#title").inner_text() == "Eiffel Tower"


def test_alternate_format_links(page):
    pg, root = page
    pg.goto(root + "/doc/Building/randomUUID")
    hrefs = pg.locator("#formats a").evaluate_all("els => els.map(e => [e.textContent, e.getAttribute('href')])")
    assert [label for label, _ in hrefs] == ["Turtle", "JSON-LD", "N-Triples", "RDF/XML"]
    for label, href in hrefs:
        r = pg.request.get(root + href)
        assert r.status == 200, label
        assert r.headers["content-type"].split(";")[0] in (
            "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
        assert "urn:ngsi-ld:Building:randomUUID" in r.text()


def test_unknown_relationship_target_is_a_404_page(page):
    pg, root = page
    pg.goto(root + "/doc/Vehicle/randomUUID")
    link = pg.locator("a.rel", has_text="urn:ngsi-ld:Person:Bob")
    assert link.count() == 1
    with pg.expect_response(lambda r: urlsplit(r.url).path == "/Person/Bob") as info:
        link.click()
    assert info.value.status == 404
