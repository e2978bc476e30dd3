#!/usr/bin/env python3
"""Regenerate the screenshots of the web UI in docs/screenshots/ (committed PNGs).

    .venv/bin/python scripts/screenshots.py            # all pages
    .venv/bin/python scripts/screenshots.py --out /tmp/shots

Builds a throwaway SQLite database from tests/data/resolution and examples/,
serves it with the real app (tests/web_server.py: uvicorn in a thread) and
photographs each page in headless Chromium (Debian's /usr/bin/chromium), then
logs in as an analyst, corrects a field and photographs the audit log.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from launchwatch.settings import Settings  # noqa: E402
from launchwatch.store import Store  # noqa: E402
from launchwatch.web import users  # noqa: E402
from launchwatch.web.settings import WebSettings  # noqa: E402
from web_demo import build_demo_database, busiest_event  # noqa: E402
from web_server import LiveServer, browser_page  # noqa: E402

# (file name, path, what must be on the page before the picture is taken)
PAGES = [
    ("events.png", "/events", "table.events"),
    ("event.png", "/events/{event}", "mark.evidence"),
    ("document.png", "/documents/kcna", "mark.evidence"),
    ("timeline.png", "/timeline", "svg.chart"),
    ("map.png", "/map?actor=KP", "svg.map"),
]


ANALYST, PASSWORD = "ana", "screenshot-passphrase-1"


def review_as_analyst(page, base: str, event: str, out: Path) -> None:
    """Log in as an analyst, correct a field, and photograph the audit log and review forms."""
    page.goto(f"{base}/login?next=/events/{event}")
    page.screenshot(path=str(out / "login.png"))
    page.fill("#login-name", ANALYST)
    page.fill("#login-password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(f"**/events/{event}")
    edit = page.locator("form[aria-label='Edit a field']")
    edit.locator("select[name=field]").select_option("apogee_km")
    edit.locator("input[name=value]").fill("100")
    edit.locator("input[name=reason]").fill("Japan MoD figure confirmed by JCS briefing")
    edit.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    page.locator("#history-h").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('history-h').scrollIntoView()")
    page.screenshot(path=str(out / "event-review.png"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/screens.db"
        build_demo_database(url)
        event = busiest_event(url)
        with Store(url) as store:
            users.add_user(store, ANALYST, PASSWORD, "analyst")
        with LiveServer(WebSettings(core=Settings(db_url=url))) as server, browser_page() as page:
            page.set_viewport_size({"width": 1280, "height": 900})
            for name, path, ready in PAGES:
                page.goto(server.url + path.format(event=event))
                page.wait_for_selector(ready)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(args.out / name), full_page=name != "event.png")
                print(f"wrote {args.out / name}")
                if name == "event.png":   # the same page further down: the articles' highlighted evidence
                    page.evaluate("document.getElementById('articles-h').scrollIntoView()")
                    page.screenshot(path=str(args.out / "event-evidence.png"))
                    print(f"wrote {args.out / 'event-evidence.png'}")
            review_as_analyst(page, server.url, event, args.out)
            print(f"wrote {args.out / 'login.png'} and {args.out / 'event-review.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
