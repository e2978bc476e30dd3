"""A real `launchwatch serve` for tests: uvicorn in a thread on a free loopback port,
and a headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

    with LiveServer(settings) as server:      # server.url == "http://127.0.0.1:PORT"
        ...
    with browser_page() as page:              # a Playwright page in headless Chromium
        page.goto(server.url + "/events")

Browser tests skip (with the reason) when Chromium or Playwright is missing and
LAUNCHWATCH_SKIP_BROWSER=1 is set; otherwise they fail, so CI notices.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from launchwatch.web.app import create_app
from launchwatch.web.settings import WebSettings

CHROMIUM = os.environ.get("LAUNCHWATCH_CHROMIUM", "/usr/bin/chromium")
# Flags that keep Chromium from reaching out to the network it cannot reach (see the machine notes).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving create_app(settings) until the with-block ends."""

    def __init__(self, settings: WebSettings):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def require_browser() -> None:
    """Skip only when told to; a missing browser otherwise fails the test with why."""
    missing = None
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        missing = f"no Chromium at {CHROMIUM} (scripts/ensure-chromium installs Debian's chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright package is not installed (pip install -e '.[dev]')"
    if missing:
        if os.environ.get("LAUNCHWATCH_SKIP_BROWSER") == "1":
            pytest.skip(missing)
        pytest.fail(missing)


@contextlib.contextmanager
def browser_page():
    """A fresh page in headless Chromium, driven by Playwright."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()
