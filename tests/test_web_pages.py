"""The HTML pages (pages.py), their JSON twins /api/timeline and /api/map, and the pieces
they are drawn with (highlight, charts, geo), on a real database built from
tests/data/resolution and examples/ (tests/web_demo.py), through the real app."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from launchwatch.knowledge import load_knowledge
from launchwatch.resolve.actions import record
from launchwatch.resolve.query import list_events
from launchwatch.settings import Settings
from launchwatch.store import Store
from launchwatch.web import charts, geo
from launchwatch.web.app import create_app
from launchwatch.web.highlight import highlight
from launchwatch.web.settings import WebSettings
from launchwatch.web.templating import http_url, show_value, weapon_class_label
from web_demo import build_demo_database, busiest_event

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('web-pages') / 'demo.db'}"
    build_demo_database(url)
    return url


@pytest.fixture(scope="module")
def client(demo_url):
    with TestClient(create_app(WebSettings(core=Settings(db_url=demo_url)))) as c:
        yield c


@pytest.fixture(scope="module")
def rich_event(demo_url):
    return busiest_event(demo_url)


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each <mark>."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.marks: list[tuple[dict, str]] = []
        self._mark: list | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "mark":
            self._mark = [dict(attrs), ""]

    def handle_data(self, data):
        if self._mark is not None:
            self._mark[1] += data

    def handle_endtag(self, tag):
        if tag == "mark" and self._mark is not None:
            self.marks.append(tuple(self._mark))
            self._mark = None

    def find(self, tag: str, **attrs) -> list[dict]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def rows_of(html: str) -> list[str]:
    """The event ids of the list's rows, in order."""
    return re.findall(r'class="event-link" href="/events/(ev-[0-9a-f]+)"', html)


# -- the list ---------------------------------------------------------------------------

def test_pages_home_redirects_to_the_list(client):
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/events"


def test_pages_list_shows_every_event_with_status_and_conflicts(client, demo_url):
    with Store(demo_url) as store:
        expected = list_events(store)
    html = client.get("/events").text
    assert sorted(rows_of(html)) == sorted(e["id"] for e in expected)
    assert "Launch events" in html and 'class="badge status-confirmed"' in html
    conflicted = [e for e in expected if e["conflicts"]]
    assert conflicted and html.count("badge conflict-field") == sum(len(e["conflicts"]) for e in conflicted)


def test_pages_list_filters_by_actor_and_class_and_keeps_the_form(client, demo_url):
    with Store(demo_url) as store:
        expected = {e["id"] for e in list_events(store, actor="KP", weapon_class="irbm")}
    html = client.get("/events", params={"actor": "KP", "class": "irbm"}).text
    assert set(rows_of(html)) == expected and expected
    assert 'name="actor" value="KP"' in html
    assert '<option value="irbm" selected>' in html
    assert 'href="/api/events?actor=KP&amp;class=irbm"' in html    # the JSON twin, same filters


def test_pages_list_pages_by_keyset_with_a_next_link(client):
    first = client.get("/events", params={"actor": "KP", "limit": 3}).text
    link = re.search(r'rel="next" class="next" href="([^"]+)"', first)
    assert link, "a next link on a full page"
    second = client.get(link.group(1).replace("&amp;", "&")).text
    assert len(rows_of(first)) == 3 and rows_of(second)
    assert not set(rows_of(first)) & set(rows_of(second))
    assert "actor=KP" in link.group(1) and "limit=3" in link.group(1)


def test_pages_list_text_search_finds_the_articles_words(client):
    html = client.get("/events", params={"q": "Minuteman"}).text
    assert len(rows_of(html)) == 1 and "Minuteman III" in html


def test_pages_list_bad_filter_is_an_error_page(client):
    r = client.get("/events", params={"since": "last week"}, headers=HTML)
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "since" in r.text


# -- one event --------------------------------------------------------------------------

def test_pages_event_shows_each_field_its_choice_and_competing_claims(client, rich_event):
    html = client.get(f"/events/{rich_event}").text
    page = Elements(html)
    assert page.find("section", id="field-distance_km", **{"class": "field field-disagree"})
    assert page.find("section", id="field-weapon_class", **{"class": "field field-detail"})
    assert "South Korea JCS (tracking authority) over" in html          # the reason of a choice
    assert "hedged: about" in html                                       # a hedge
    for source in ("Japan Ministry of Defense", "KCNA", "US INDOPACOM"):
        assert source in html
    assert "copies <strong>flash</strong>" in html                      # syndicated copy
    assert "No analyst has changed this event." in html


def test_pages_event_highlights_evidence_and_links_claims_to_it(client, demo_url, rich_event):
    html = client.get(f"/events/{rich_event}").text
    page = Elements(html)
    chosen = [text for attrs, text in page.marks if "chosen" in attrs["class"]]
    assert "1,050 km" in chosen and "99.8 km" in chosen
    anchors = {a["id"] for a in page.find("span") if a.get("class") == "anchor"}
    links = re.findall(r'<td class="quote"><a href="#([^"]+)"', html)
    assert links and set(links) <= anchors                                # every quote link lands on a span
    assert any("distance_km" in attrs.get("data-fields", "") for attrs, _ in page.marks)


def test_pages_event_by_old_or_report_id_redirects(client, demo_url, rich_event):
    with Store(demo_url) as store:
        report_id = next(r["id"] for r in store.reports() if r["external_id"] == "kcna")
    r = client.get(f"/events/{report_id}", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == f"/events/{rich_event}"


def test_pages_unknown_event_is_a_404_page(client):
    r = client.get("/events/ev-000000000000", headers=HTML)
    assert r.status_code == 404 and "no event with id" in r.text and "<html" in r.text


def test_pages_event_shows_the_audit_log(tmp_path):
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    build_demo_database(url)
    event_id = busiest_event(url)
    with Store(url) as store:
        record(store, "set", [event_id], analyst="kim", field="distance_km", value=1060.0,
               reason="JCS <b>revised</b> figure")
        event_id = busiest_event(url)
    with TestClient(create_app(WebSettings(core=Settings(db_url=url)))) as c:
        html = c.get(f"/events/{event_id}").text
    audit = html[html.index('id="history-h"'):]
    assert "kim" in audit and "badge action-set" in audit and "1,060 km" in audit
    assert "JCS &lt;b&gt;revised&lt;/b&gt; figure" in audit


# -- one document -------------------------------------------------------------------------

def test_pages_document_shows_text_spans_and_the_events_it_feeds(client, rich_event):
    html = client.get("/documents/kcna").text
    page = Elements(html)
    assert "DPRK conducts test-fire of new-type IRBM" in html
    assert {"1,052 km", "99.8 km"} <= {text for _, text in page.marks}
    assert page.find("a", href=f"/events/{rich_event}")
    assert client.get("/documents/no-such-doc", headers=HTML).status_code == 404


# -- timeline and map ---------------------------------------------------------------------

def test_pages_timeline_draws_both_charts_and_tables_from_its_twin(client, demo_url):
    data = client.get("/api/timeline").json()
    with Store(demo_url) as store:
        events = list_events(store)
    monthly = [e for e in events if e["date"] and len(e["date"]) >= 7]
    assert data["total"] == len(monthly) and data["undated"] == len(events) - len(monthly)
    assert sum(sum(s["counts"]) for s in data["by_actor"]) == data["total"]
    html = client.get("/timeline").text
    assert html.count('<svg class="chart"') == 2 and 'role="img"' in html and "<desc" in html
    assert html.count("<details class=\"data-table\">") == 2
    assert "KP (" in html and "icbm (" in html


def test_pages_map_places_sites_and_lists_the_rest_apart(client):
    data = client.get("/api/map").json()
    names = {(p["name"], p["role"]) for p in data["points"]}
    assert ("Vandenberg Space Force Base", "launch") in names and ("Pyongyang", "launch") in names
    assert {u["text"] for u in data["unmatched"]} >= {"central Iran"}
    assert "Japan's exclusive economic zone" in {p["name"] for p in data["without_coords"]}
    html = client.get("/map").text
    assert '<svg class="map"' in html and 'class="marker launch"' in html
    assert f'/map/basemap.svg?extent={geo.extent_param(data["extent"])}' in html
    assert "Places that match no known site" in html and "central Iran" in html


def test_pages_map_filter_zooms_to_the_actor(client):
    kp = client.get("/api/map", params={"actor": "KP"}).json()
    assert {p["name"] for p in kp["points"]} == {"Pyongyang", "Korean Peninsula", "Sea of Japan"}
    west, south, east, north = kp["extent"]
    assert 110 < west < 125 < 135 < east < 150 and east - west < 40


def test_pages_basemap_is_a_cacheable_svg_of_the_extent(client):
    r = client.get("/map/basemap.svg", params={"extent": "118,30,140,45"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert "max-age" in r.headers["cache-control"]
    assert "<title>North Korea</title>" in r.text and "<title>Brazil</title>" not in r.text
    assert client.get("/map/basemap.svg", params={"extent": "140,30,118,45"}).status_code == 422


def test_pages_map_counts_places_on_both_backends(db_url):
    build_demo_database(db_url)
    with Store(db_url) as store:
        counts = geo.place_counts(store, geo.MapFilters(actor="KP"))
        assert dict(counts["launch"])["an area near Pyongyang"] == 1
        assert geo.place_counts(store, geo.MapFilters(actor="ZZ")) == {"launch": [], "landing": []}


def test_pages_map_is_kept_until_an_event_changes(tmp_path):
    """The map's places are read once per state of the data: a rejected event leaves it at once."""
    url = f"sqlite:///{tmp_path / 'map.db'}"
    build_demo_database(url)
    app = create_app(WebSettings(core=Settings(db_url=url), secret_key="test-secret-key"))
    with Store(url) as store, TestClient(app) as client:
        def pyongyang() -> int:
            points = client.get("/api/map", params={"actor": "KP"}).json()["points"]
            return sum(p["n"] for p in points if p["name"] == "Pyongyang")

        before = pyongyang()
        assert before >= 1 and pyongyang() == before
        [victim] = [e["id"] for e in list_events(store, actor="KP") if e["launch_location"] == "an area near Pyongyang"]
        record(store, "reject", [victim], analyst="kim", reason="a drill")
        assert pyongyang() == before - 1


def test_pages_send_security_headers(client):
    for path in ("/events", "/api/timeline", "/static/launchwatch.css"):
        headers = client.get(path).headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"]


def test_pages_load_nothing_from_other_hosts(client, rich_event):
    for path in ("/events", f"/events/{rich_event}", "/documents/kcna", "/timeline", "/map"):
        page = Elements(client.get(path).text)
        sources = [a.get("src") for t, a in page.tags if t in ("script", "img")] + \
                  [a.get("href") for t, a in page.tags if t == "link"]
        assert all(s.startswith("/") for s in sources if s), (path, sources)


# -- the pieces ------------------------------------------------------------------------------

def test_highlight_overlapping_spans_never_nest_and_escape_text():
    text = "<b>x</b> fired two missiles about 1,000 km"
    spans = [{"start": 14, "end": 26, "field": "count", "chosen": True},
             {"start": 18, "end": 26, "field": "weapon_class"},
             {"start": 27, "end": 41, "field": "distance_km", "invalid": "too far"},
             {"start": 40, "end": 99, "field": "stale"}]                       # past the end: dropped
    out = str(highlight(text, spans, "d0"))
    assert out.startswith("&lt;b&gt;x&lt;/b&gt;")
    assert '<mark class="evidence chosen" data-fields="count" ' in out
    assert '<mark class="evidence chosen" data-fields="count weapon_class" ' in out
    assert '<mark class="evidence invalid" data-fields="distance_km"' in out
    assert out.count('<span class="anchor" id="d0-14-26">') == 1 and "stale" not in out
    assert re.sub(r"<sup[^>]*>[^<]*</sup>|<[^>]+>", "", out) == str(highlight(text, [], "d0"))   # text intact


def test_templating_links_only_http_urls_and_shows_values():
    assert http_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "/relative", "http://", None):
        assert http_url(bad) is None
    assert show_value(1050.0, "distance_km") == "1,050 km" and show_value(None) == "—"
    assert show_value(["KCNA", "JCS"]) == "KCNA, JCS" and weapon_class_label("irbm") == "IRBM"


def test_charts_months_run_without_gaps_and_steps_are_round():
    assert charts.month_range("2023-11", "2024-02") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert [charts.nice_step(n) for n in (1, 3, 9, 40, 130)] == [1, 1, 5, 10, 50]
    data = charts.timeline_data([{"month": "2024-01", "weapon_class": "srbm", "actor": "KP", "n": 2},
                                 {"month": "2024-03", "weapon_class": "icbm", "actor": "KP", "n": 1},
                                 {"month": None, "weapon_class": "icbm", "actor": "US", "n": 4}])
    assert data["months"] == ["2024-01", "2024-02", "2024-03"] and data["undated"] == 4
    assert [s["key"] for s in data["by_class"]] == ["icbm", "srbm"]
    assert next(s for s in data["by_class"] if s["key"] == "srbm")["counts"] == [2, 0, 0]
    svg = str(charts.stacked_bars(data["months"], data["by_class"], "T <x>", "c"))
    assert "<title id=\"c-title\">T &lt;x&gt;</title>" in svg and svg.count("<rect x=") == 2


def test_charts_many_actors_share_an_other_stack():
    rows = [{"month": "2024-01", "weapon_class": "srbm", "actor": f"A{i}", "n": i + 1} for i in range(10)]
    keys = [s["key"] for s in charts.timeline_data(rows)["by_actor"]]
    assert len(keys) == charts.TOP_ACTORS and keys[-1] == "other" and keys[0] == "A9"


def test_geo_finds_the_most_specific_site_in_a_place_text():
    kb = load_knowledge()
    site, words = geo.find_site("an area near Pyongyang", kb)
    assert site.name == "Pyongyang" and words == "Pyongyang"
    site, _ = geo.find_site("the Sohae launch site in North Pyongan", kb)
    assert site.kind == "launch_site"
    assert geo.find_site("somewhere at sea", kb) is None


def test_geo_extent_fits_the_points_with_the_maps_shape():
    west, south, east, north = geo.extent([(125.7, 39.0), (134.0, 40.0)])
    assert west < 125.7 and east > 134.0 and south < 39.0 and north > 40.0
    assert geo.extent([]) == [-180.0, -60.0, 180.0, 84.0]
    project = geo.Projection([west, south, east, north])
    assert project(west, north) == (0, 0) and round(project(east, south)[0]) == geo.WIDTH


def test_pages_every_link_leads_somewhere(client, rich_event):
    seen: set[str] = set()
    for path in ("/events", f"/events/{rich_event}", "/documents/kcna", "/timeline", "/map", "/map?actor=KP"):
        page = Elements(client.get(path).text)
        seen |= {a["href"].split("#")[0] for a in page.find("a") if a.get("href", "").startswith("/")}
        seen |= {a["href"] for t, a in page.tags if t == "image"}
    assert len(seen) > 20
    broken = [(href, status) for href in sorted(seen - {""})
              if (status := client.get(href, follow_redirects=True).status_code) >= 400]
    assert broken == []


def test_anonymous_event_pages_are_cached_per_version_of_the_event(tmp_path):
    """A page is rendered once per version of its event; a review makes a new version."""
    from fastapi.testclient import TestClient

    from launchwatch.resolve.actions import record
    from launchwatch.settings import Settings
    from launchwatch.store import Store
    from launchwatch.web.app import create_app
    from launchwatch.web.settings import WebSettings
    from web_demo import build_demo_database, busiest_event

    url = f"sqlite:///{tmp_path / 'cache.db'}"
    build_demo_database(url)
    app = create_app(WebSettings(core=Settings(db_url=url), secret_key="test"))
    with TestClient(app) as client:
        event_id = busiest_event(url)
        first = client.get(f"/events/{event_id}")
        assert first.status_code == 200 and len(app.state.event_pages) == 1
        assert client.get(f"/events/{event_id}").text == first.text
        with Store(url) as store:
            record(store, "confirm", [event_id], analyst="ana", reason="checked")
        after = client.get(f"/events/{event_id}").text
        assert "checked" in after and after != first.text
