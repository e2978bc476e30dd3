"""An analyst reviews in a real browser: log in, edit a field on an event page, see it and its audit entry.

A live `launchwatch serve` (uvicorn in a thread) and Debian's headless
Chromium driven by Playwright (tests/web_server.py).
"""
from __future__ import annotations

from pathlib import Path

from launchwatch.ingest import ingest
from launchwatch.knowledge import load_knowledge
from launchwatch.resolve import list_events, resolve_pending
from launchwatch.resolve.actions import history
from launchwatch.settings import Settings
from launchwatch.store import Store
from launchwatch.web import users as accounts
from launchwatch.web.settings import WebSettings
from web_server import LiveServer, browser_page

DATA = Path(__file__).parent / "data" / "resolution"
PASSWORD = "analyst-passphrase-1"


def reviewed_database(tmp_path) -> tuple[str, dict]:
    """The resolution test set, an analyst and a viewer; returns the URL and the 2026-03-07 KP event."""
    db_url = f"sqlite:///{tmp_path / 'lw.db'}"
    with Store(db_url) as store:
        ingest([], store=store, settings=Settings(db_url=db_url), manifest=str(DATA / "manifest.jsonl"))
        resolve_pending(store, load_knowledge(()))
        accounts.add_user(store, "ana", PASSWORD, "analyst")
        accounts.add_user(store, "vic", "viewer-passphrase-1", "viewer")
        event = next(e for e in list_events(store) if e["actor"] == "KP" and e["date"] == "2026-03-07")
    return db_url, event


def log_in(page, base: str, name: str, password: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#login-name", name)
    page.fill("#login-password", password)
    page.click("form.login-form button[type=submit]")


def test_review_browser_analyst_edits_a_field_and_sees_the_audit_log(tmp_path):
    db_url, event = reviewed_database(tmp_path)
    with LiveServer(WebSettings(core=Settings(db_url=db_url), secret_key="browser-test")) as server, \
            browser_page() as page:
        event_path = f"/events/{event['id']}"
        page.goto(server.url + event_path)
        assert page.locator("#review form").count() == 0   # anonymous: a link to log in, no forms
        assert page.locator("#review a[href^='/login']").count() == 1

        log_in(page, server.url, "ana", PASSWORD, event_path)
        page.wait_for_url(f"**{event_path}")
        assert "ana" in page.locator("header.site .account").inner_text()

        edit = page.locator("form[aria-label='Edit a field']")
        edit.locator("select[name=field]").select_option("distance_km")
        edit.locator("input[name=value]").fill("365")
        edit.locator("input[name=reason]").fill("JCS revised figure")
        edit.locator("button[type=submit]").click()
        page.wait_for_url(f"**{event_path}#review")

        assert page.locator(".chosen-value[data-field=distance_km]").inner_text().startswith("365")
        assert "set recorded by ana" in page.locator("#review .flash").inner_text()
        audit = page.locator("table.audit tbody tr")
        assert audit.count() == 1
        row = audit.first.inner_text()
        assert "ana" in row and "set" in row and "Distance" in row and "365" in row
        assert "JCS revised figure" in row

        page.reload()   # the message was shown once; the value and the log stay
        assert page.locator("#review .flash").count() == 0
        assert page.locator("table.audit tbody tr").count() == 1

        page.click("header.site .account button")   # log out
        page.goto(server.url + event_path)
        assert page.locator("#review form").count() == 0
    with Store(db_url) as store:
        entries = history(store)
    assert [(h["action"], h["analyst"], h["field"], h["value"]) for h in entries] == [
        ("set", "ana", "distance_km", 365.0)]


def test_review_browser_viewer_sees_no_review_forms(tmp_path):
    db_url, event = reviewed_database(tmp_path)
    with LiveServer(WebSettings(core=Settings(db_url=db_url), secret_key="browser-test")) as server, \
            browser_page() as page:
        event_path = f"/events/{event['id']}"
        log_in(page, server.url, "vic", "viewer-passphrase-1", event_path)
        page.wait_for_url(f"**{event_path}")
        assert page.locator("#review form").count() == 0
        assert "needs the analyst or admin role" in page.locator("#review").inner_text()
