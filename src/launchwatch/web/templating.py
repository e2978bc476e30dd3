"""Jinja2 templates of the web UI: autoescaped everywhere, rendered with the request's user.

    return render(request, "event.html", {"event": event})

Every stored string (article text, titles, quotes, source names, reasons) is
untrusted: the environment escapes all of it, whatever the template's name,
and the filters below never mark raw input safe. Only http(s) URLs become links.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from launchwatch.web.highlight import anchor_id, highlight

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"

# How each SCHEMA field is named on the pages.
FIELD_LABELS = {
    "actor": "Actor", "date": "Date", "date_text": "Date as stated", "weapon_class": "Class",
    "weapon_name": "System", "count": "Count", "platform": "Platform",
    "launch_location": "Launch location", "landing": "Landing area", "distance_km": "Distance",
    "apogee_km": "Apogee", "flight_time_s": "Flight time", "outcome": "Outcome",
    "reported_by": "Reported by", "is_primary": "Primary report",
}
UNITS = {"distance_km": "km", "apogee_km": "km", "flight_time_s": "s"}
ACRONYM_CLASSES = ("icbm", "irbm", "mrbm", "srbm", "slbm")


def http_url(url: Any) -> str | None:
    """The URL if it is http(s) with a host, else None: no javascript:, data: or relative links."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def show_value(value: Any, field: str | None = None) -> str:
    """A field value as text: numbers without a useless .0, lists joined, None as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(show_value(v) for v in value)
    unit = UNITS.get(field or "")
    return f"{value:,} {unit}" if unit and isinstance(value, (int, float)) else str(value)


def weapon_class_label(value: str | None) -> str:
    """"irbm" -> "IRBM", "space_launch" -> "space launch", None -> "missile"."""
    if not value or value == "unknown":
        return "missile"
    if value in ACRONYM_CLASSES:
        return value.upper()
    return value.replace("_", " ") + (" missile" if value in ("ballistic", "cruise", "hypersonic") else "")


def query_string(params: dict[str, Any], **changes: Any) -> str:
    """`?a=1&b=2` from the non-empty params, with `changes` applied (None drops a key)."""
    merged = {**params, **changes}
    pairs = [(k, v) for k, v in merged.items() if v not in (None, "")]
    return "?" + urlencode(pairs) if pairs else ""


class _Environment(jinja2.Environment):
    """Jinja with `row.field` read as a key first: the pages' rows are dicts, and Jinja's own
    order (attribute, then key) pays for a failed attribute lookup on every one, a third of a page."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def _environment() -> jinja2.Environment:
    # auto_reload off: templates ship in the package; checking their mtimes cost 10% of a page
    env = _Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.filters.update(http_url=http_url, value=show_value, highlight=highlight, weapon_class=weapon_class_label)
    env.globals.update(FIELD_LABELS=FIELD_LABELS, field_label=lambda f: FIELD_LABELS.get(f, f),
                       query_string=query_string, anchor_id=anchor_id)
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """The template rendered with `request` and `user` (None when nobody is logged in)."""
    full = {"request": request, "user": getattr(request.state, "user", None), **context}
    return templates.TemplateResponse(request, name, full, status_code=status_code)
