"""Settings of the web server, from the environment (and `launchwatch serve` options)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from launchwatch.settings import Settings


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() not in ("0", "false", "no", "off", "")


@dataclass(frozen=True)
class WebSettings:
    """What the server needs besides the core Settings (database URL, knowledge)."""

    core: Settings = field(default_factory=Settings.from_env)
    # Anonymous visitors may read events, documents and the feed; writes always need an account.
    anonymous_read: bool = field(default_factory=lambda: _flag("LAUNCHWATCH_ANONYMOUS_READ", True))
    # Signs session cookies and CSRF tokens; None means one is made and kept in the database.
    secret_key: str | None = field(default_factory=lambda: os.environ.get("LAUNCHWATCH_SECRET_KEY"))
    # Fetching private, loopback or link-local addresses (webhooks, watched feeds) is refused unless allowed.
    allow_private_urls: bool = field(default_factory=lambda: _flag("LAUNCHWATCH_ALLOW_PRIVATE_URLS", False))
    # Cookies get the Secure flag behind HTTPS.
    https: bool = field(default_factory=lambda: _flag("LAUNCHWATCH_HTTPS", False))
