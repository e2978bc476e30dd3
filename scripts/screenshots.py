#!/usr/bin/env python3
"""Regenerate the screenshots of the web UI in docs/screenshots/ (committed PNGs).

    .venv/bin/python scripts/screenshots.py            # all pages
    .venv/bin/python scripts/screenshots.py --out /tmp/shots

Builds a throwaway SQLite database from tests/data/resolution and examples/,
serves it with the real app (tests/web_server.py: uvicorn in a thread) and
photographs each page in headless Chromium (Debian's /usr/bin/chromium).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from launchwatch.settings import Settings  # noqa: E402
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/screens.db"
        build_demo_database(url)
        event = busiest_event(url)
        with LiveServer(WebSettings(core=Settings(db_url=url))) as server, browser_page() as page:
            page.set_viewport_size({"width": 1280, "height": 900})
            for name, path, ready in PAGES:
                page.goto(server.url + path.format(event=event))
                page.wait_for_selector(ready)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(args.out / name), full_page=name not in ("event.png",))
                print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
