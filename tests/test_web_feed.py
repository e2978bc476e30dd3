"""GET /feed.atom on the real app (FastAPI TestClient) over real extraction (tests/data/resolution):
valid Atom (xml.etree and the project's own feed reader), newest change first, absolute links,
filters like the event list, article-derived text escaped."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from launchwatch.ingest import ingest
from launchwatch.knowledge import load_knowledge
from launchwatch.resolve import list_events, resolve_pending
from launchwatch.resolve.actions import record
from launchwatch.settings import Settings
from launchwatch.sources import read_feed
from launchwatch.store import Store
from launchwatch.web.app import create_app
from launchwatch.web.settings import WebSettings

SET = Path(__file__).parent / "data" / "resolution"
MANIFEST = [json.loads(line) for line in (SET / "manifest.jsonl").read_text().splitlines()]
KNOWLEDGE = load_knowledge()
A = "{http://www.w3.org/2005/Atom}"


def _ingest(store: Store, names: list[str], tmp_path: Path) -> None:
    manifest = tmp_path / f"{'-'.join(names)}.jsonl"
    entries = [e for e in MANIFEST if e["id"] in names]
    manifest.write_text("".join(json.dumps({**e, "path": str(SET / e["path"])}) + "\n" for e in entries))
    ingest([], store=store, settings=Settings(), manifest=str(manifest))
    resolve_pending(store, KNOWLEDGE)


@pytest.fixture
def served(tmp_path, db_url):
    """A database with the resolution set ingested in three steps, and a client of the app over it."""
    with Store(db_url) as store:
        _ingest(store, ["flash", "weekend"], tmp_path)
        _ingest(store, ["iran"], tmp_path)
        _ingest(store, ["update"], tmp_path)         # the main launch changes again: newest
        settings = WebSettings(core=Settings(db_url=db_url), secret_key="test-key")
        yield store, TestClient(create_app(settings), base_url="http://feeds.example")


def _entries(response) -> list[ET.Element]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{A}feed"
    return root.findall(f"{A}entry")


def test_feed_is_valid_atom_newest_change_first_with_absolute_links(served, tmp_path):
    store, client = served
    response = client.get("/feed.atom")
    root = ET.fromstring(response.content)
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{A}{tag}") is not None, tag
    assert root.find(f"{A}link[@rel='self']").get("href") == "http://feeds.example/feed.atom"
    entries = _entries(response)
    main = next(e for e in list_events(store) if "update" in e["documents"])
    assert len(entries) == 3
    first = entries[0]
    for tag in ("id", "title", "updated", "link", "summary"):
        assert first.find(f"{A}{tag}") is not None, tag
    assert first.findtext(f"{A}id") == f"urn:launchwatch:event:{main['id']}"
    assert first.findtext(f"{A}title").startswith("KP irbm 2026-03-04")
    assert first.find(f"{A}link").get("href") == f"http://feeds.example/events/{main['id']}"
    summary = first.findtext(f"{A}summary")
    assert summary.startswith("Updated: ") and "distance_km: 1050" in summary
    assert f"status: {main['status']}" in summary and "conflicts: " in summary
    assert root.findtext(f"{A}updated") == first.findtext(f"{A}updated")
    # the project's own feed reader takes it too
    path = tmp_path / "feed.atom"
    path.write_bytes(response.content)
    items = list(read_feed(path, Settings()))
    assert [i.external_id for i in items] == [e.findtext(f"{A}id") for e in entries]
    assert items[0].url == f"http://feeds.example/events/{main['id']}" and items[0].error is None


def test_feed_filters_like_the_event_list(served):
    _, client = served
    assert {e.findtext(f"{A}title")[:2] for e in _entries(client.get("/feed.atom?actor=IR"))} == {"IR"}
    assert [e.findtext(f"{A}title").split()[1] for e in _entries(client.get("/feed.atom?class=srbm"))] == ["srbm"]
    assert len(_entries(client.get("/feed.atom?since=2026-03-05"))) == 1
    assert len(_entries(client.get("/feed.atom?until=2026-03-04&actor=kp"))) == 1
    assert len(_entries(client.get("/feed.atom?limit=1"))) == 1
    statuses = ("confirmed", "single-source", "state-media-only", "self-reported", "unattributed")
    per_status = {s: len(_entries(client.get(f"/feed.atom?status={s}"))) for s in statuses}
    assert sum(per_status.values()) == 3 and per_status["self-reported"] == 0
    filtered = client.get("/feed.atom?actor=IR")
    alternate = ET.fromstring(filtered.content).find(f"{A}link[@rel='alternate']").get("href")
    assert alternate == "http://feeds.example/events?actor=IR"


@pytest.mark.parametrize("query", ["since=March", "until=2026-3-4", "status=rumour", "limit=0", "limit=100000"])
def test_feed_refuses_bad_filters_in_the_one_error_shape(served, query):
    _, client = served
    response = client.get(f"/feed.atom?{query}")
    assert response.status_code == 422
    assert response.json()["error"]["status"] == 422


def test_feed_escapes_article_text_and_leaves_out_rejected_events(served):
    store, client = served
    main = next(e for e in list_events(store) if "flash" in e["documents"])
    hostile = "<script>alert(1)</script> & <a href=\"javascript:alert(2)\">x</a>\x07"
    record(store, "set", [main["id"]], analyst="kim", field="weapon_name", value=hostile, knowledge=KNOWLEDGE)
    response = client.get("/feed.atom")
    assert b"<script>" not in response.content and b"<a href" not in response.content
    assert b"&lt;script&gt;" in response.content
    [first, *_] = _entries(response)
    assert first.findtext(f"{A}title").endswith("— <script>alert(1)</script> & <a href=\"javascript:alert(2)\">x</a>")
    assert "Updated: weapon_name." in first.findtext(f"{A}summary")
    iran = next(e for e in list_events(store) if e["actor"] == "IR")
    record(store, "reject", [iran["id"]], analyst="kim", reason="not a launch", knowledge=KNOWLEDGE)
    titles = [e.findtext(f"{A}title") for e in _entries(client.get("/feed.atom"))]
    assert len(titles) == 2 and not any(t.startswith("IR") for t in titles)


def test_feed_of_an_empty_database_is_valid(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    client = TestClient(create_app(WebSettings(core=Settings(db_url=url), secret_key="k")))
    response = client.get("/feed.atom")
    assert _entries(response) == []
    assert ET.fromstring(response.content).findtext(f"{A}updated") == "1970-01-01T00:00:00+00:00"


def test_feed_needs_an_account_when_anonymous_read_is_off(tmp_path):
    url = f"sqlite:///{tmp_path / 'closed.db'}"
    settings = WebSettings(core=Settings(db_url=url), secret_key="k", anonymous_read=False)
    response = TestClient(create_app(settings)).get("/feed.atom", follow_redirects=False)
    assert response.status_code in (401, 303, 307) and b"<feed" not in response.content
