"""Article text is untrusted: an article carrying a <script>, an <img onerror> and a
javascript: link, with a javascript: URL and markup in its title, is ingested for real
and every page that shows it must show it as text, never run it."""
from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from launchwatch.ingest import ingest
from launchwatch.knowledge import load_knowledge
from launchwatch.resolve import list_events, resolve_pending
from launchwatch.settings import Settings
from launchwatch.store import Store
from launchwatch.web.app import create_app
from launchwatch.web.settings import WebSettings
from web_server import LiveServer, browser_page

HOSTILE_TEXT = """North Korea fires missiles <script>alert(1)</script>

SEOUL (Reuters) - North Korea fired two short-range ballistic missiles <script>alert(1)</script> into the sea off its east coast on Tuesday, South Korea's Joint Chiefs of Staff said.

<img src=x onerror=alert(1)> The missiles flew about 350 km before landing in the sea, the JCS said. Read more: <a href="javascript:alert(1)">the full statement</a>.

"<b onmouseover=alert(1)>" was painted on the launcher, analysts said.
"""
HOSTILE_TITLE = "North Korea fires missiles <script>alert(1)</script>"   # the text's first line


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A database holding the hostile article (external id `hostile`) and its event id."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    (folder / "manifest.jsonl").write_text(json.dumps({
        "id": "hostile", "path": "hostile.txt", "published": "2026-03-10", "url": "javascript:alert(1)"}) + "\n", encoding="utf-8")
    url = f"sqlite:///{folder / 'hostile.db'}"
    with Store(url) as store:
        ingest([], store=store, settings=Settings(db_url=url), manifest=str(folder / "manifest.jsonl"))
        resolve_pending(store, load_knowledge())
        found = list_events(store)
    assert found, "the hostile article must still yield its launch"
    return url, found[0]["id"]


class Audit(HTMLParser):
    """What would run in a browser: script tags, event-handler attributes, script URLs."""

    def __init__(self, html: str):
        super().__init__()
        self.scripts: list[str | None] = []
        self.handlers: list[tuple[str, str]] = []
        self.script_urls: list[str] = []
        self.images: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs.get("src"))
        if tag == "img":
            self.images.append(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if name in ("href", "src", "action", "formaction") and value and \
                    value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.script_urls.append(value)


def pages_of(event_id: str) -> list[str]:
    return [f"/events/{event_id}", "/documents/hostile", "/events", "/events?q=Reuters", "/map", "/timeline"]


def test_security_hostile_article_is_shown_as_text_on_every_page(hostile):
    url, event_id = hostile
    with TestClient(create_app(WebSettings(core=Settings(db_url=url)))) as client:
        for path in pages_of(event_id):
            html = client.get(path).text
            audit = Audit(html)
            assert all(src and src.startswith("/static/") for src in audit.scripts), (path, audit.scripts)
            assert audit.handlers == [] and audit.script_urls == [] and audit.images == [], path
        event_html = client.get(f"/events/{event_id}").text
        doc_html = client.get("/documents/hostile").text
    for html in (event_html, doc_html):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "&lt;a href=&#34;javascript:alert(1)&#34;&gt;" in html
    assert "<h1>North Korea fires missiles &lt;script&gt;alert(1)&lt;/script&gt;</h1>" in doc_html
    assert "<title>North Korea fires missiles &lt;script&gt;alert(1)&lt;/script&gt; · launchwatch</title>" in doc_html
    assert '<span class="url">javascript:alert(1)</span>' in doc_html       # shown, never a link
    assert "<mark" in event_html and 'data-fields="distance_km"' in event_html   # still highlighted


def test_security_the_json_twins_carry_the_text_unchanged(hostile):
    url, event_id = hostile
    with TestClient(create_app(WebSettings(core=Settings(db_url=url)))) as client:
        doc = client.get("/api/documents/hostile").json()
    assert doc["text"].count("<script>alert(1)</script>") == 2 and doc["title"] == HOSTILE_TITLE


def test_security_no_script_runs_in_the_browser(hostile):
    url, event_id = hostile
    with LiveServer(WebSettings(core=Settings(db_url=url))) as server, browser_page() as page:
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in pages_of(event_id):
            page.goto(server.url + path)
            page.wait_for_load_state("networkidle")
            page.locator("body").hover()
            assert page.locator("script:not([src])").count() == 0
            assert page.locator("img").count() == 0
        page.goto(server.url + f"/events/{event_id}")
        page.locator("mark.evidence").first.wait_for()
        page.get_by_text("<b onmouseover=alert(1)>", exact=False).first.hover()
        assert "<script>alert(1)</script>" in page.locator(".article-text").first.inner_text()
    assert dialogs == []
