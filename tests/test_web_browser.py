"""The web UI in a real browser: headless Debian Chromium driven by Playwright, against
`launchwatch serve`'s app in a thread (tests/web_server.py), on a database built from
tests/data/resolution and examples/ (tests/web_demo.py)."""
from __future__ import annotations

import re

import pytest

from launchwatch.resolve import list_events
from launchwatch.settings import Settings
from launchwatch.store import Store
from launchwatch.web.settings import WebSettings
from web_demo import build_demo_database, busiest_event
from web_server import LiveServer, browser_page


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('web-browser') / 'demo.db'}"
    build_demo_database(url)
    with Store(url) as store:
        events = list_events(store)
    with LiveServer(WebSettings(core=Settings(db_url=url))) as server:
        yield server, events, busiest_event(url)


@pytest.fixture(scope="module")
def page(demo):
    with browser_page() as p:
        p.set_default_timeout(15_000)
        yield p


def column(page, index: int) -> list[str]:
    """The text of one column of the event list, row by row."""
    return [t.strip() for t in page.locator(f"table.events tbody tr td:nth-child({index})").all_inner_texts()]


def test_browser_list_filters_by_actor(demo, page):
    server, events, _ = demo
    page.goto(server.url + "/events")
    assert len(column(page, 2)) == len(events)
    page.get_by_label("Actor").fill("IR")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"actor=IR"))
    assert column(page, 2) == ["IR"] * sum(1 for e in events if e["actor"] == "IR")
    assert page.get_by_label("Actor").input_value() == "IR"


def test_browser_list_follows_the_next_page(demo, page):
    server, events, _ = demo
    page.goto(server.url + "/events?limit=5")
    first = page.locator("a.event-link").all_inner_texts()
    page.get_by_role("link", name="Next page »").click()
    page.wait_for_url(re.compile(r"after="))
    second = page.locator("a.event-link").all_inner_texts()
    assert len(first) == 5 and second and not set(first) & set(second)


def test_browser_event_shows_highlighted_evidence(demo, page):
    server, _, event_id = demo
    page.goto(server.url + "/events")
    page.locator(f'a.event-link[href="/events/{event_id}"]').click()
    page.wait_for_url(f"**/events/{event_id}")
    chosen = page.locator("mark.evidence.chosen").all_inner_texts()
    for quote in ("1,050 km", "99.8 km", "outside Japan's exclusive economic zone"):
        assert any(quote in text for text in chosen), (quote, chosen)
    # A claim's quote links to its span in the article text, and the browser scrolls there.
    page.locator("#field-distance_km td.quote a").first.click()
    target = page.evaluate("location.hash").lstrip("#")
    assert page.locator(f"#{target} + mark").inner_text() in "1,050 km"
    assert page.locator("#field-distance_km .badge.conflict-disagree").is_visible()


def test_browser_document_page_from_the_event(demo, page):
    server, _, event_id = demo
    page.goto(server.url + f"/events/{event_id}")
    page.locator("article.doc h3 a", has_text="DPRK conducts test-fire").click()
    page.wait_for_url(re.compile(r"/documents/[0-9a-f]{64}$"))
    assert page.locator("h1").inner_text() == "DPRK conducts test-fire of new-type IRBM"
    assert "1,052 km" in page.locator("mark.evidence").all_inner_texts()
    assert page.locator(f'a[href="/events/{event_id}"]').count() >= 1


def test_browser_timeline_and_map_render(demo, page):
    server, _, _ = demo
    page.goto(server.url + "/timeline")
    assert page.locator("svg.chart").count() == 2
    assert page.locator("svg.chart rect[fill]").count() > 10
    page.locator("details.data-table summary").first.click()
    assert page.locator("details.data-table table").first.is_visible()
    page.goto(server.url + "/map?actor=KP")
    page.wait_for_load_state("networkidle")
    assert page.locator("svg.map .marker.launch").count() >= 1
    basemap = page.locator("svg.map image").get_attribute("href")
    reply = page.request.get(server.url + basemap)
    assert reply.ok and "North Korea" in reply.text()


def test_browser_table_headers_sort_with_the_bundled_script(demo, page):
    server, _, _ = demo
    page.goto(server.url + "/events")
    page.locator("table.events th", has_text="Actor").click()
    actors = column(page, 2)
    assert actors == sorted(actors)


def test_browser_pages_work_without_javascript(demo, page):
    server, events, event_id = demo
    context = page.context.browser.new_context(java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(server.url + "/events")
        plain.get_by_label("Class").select_option("icbm")
        plain.get_by_role("button", name="Filter").click()
        plain.wait_for_url(re.compile(r"class=icbm"))
        assert column(plain, 3) == ["icbm"] * sum(1 for e in events if e["weapon_class"] == "icbm")
        plain.goto(server.url + f"/events/{event_id}")
        assert plain.locator("mark.evidence.chosen").count() > 5
    finally:
        context.close()
