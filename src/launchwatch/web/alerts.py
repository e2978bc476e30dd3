"""Alerts on the web server: the Atom feed `/feed.atom`, and the thread delivering webhooks.

    GET /feed.atom?actor=KP&class=irbm&since=2026-01&until=2026-06&status=confirmed&limit=50

The feed lists new and materially updated events (alerts/feed.py), newest
change first, each entry linking to the event's page on the server that
answered (absolute URLs from the request). Article-derived values are text
nodes written by ElementTree, so they are escaped, and characters XML cannot
carry are dropped. Webhook deliveries run in a daemon thread from the app's
startup to its shutdown; the delivery lease lets only one of several server
processes deliver at a time.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from launchwatch.alerts.delivery import DeliveryLoop
from launchwatch.alerts.feed import DEFAULT_LIMIT, MAX_LIMIT, latest_changes
from launchwatch.export import number

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
STATUS_PATTERN = r"^(confirmed|single-source|state-media-only|self-reported|unattributed)$"
EPOCH = "1970-01-01T00:00:00+00:00"
# XML 1.0 forbids most C0 control characters, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Values told in an entry's summary, in this order.
SUMMARY_FIELDS = ("date", "weapon_class", "weapon_name", "count", "platform", "launch_location", "landing",
                  "distance_km", "apogee_km", "flight_time_s", "outcome")

ET.register_namespace("", ATOM_NS)


def install(app: FastAPI) -> None:
    """Add GET /feed.atom, and start/stop the webhook delivery thread with the app."""
    app.add_api_route("/feed.atom", feed_atom, methods=["GET"], include_in_schema=False,
                      response_class=Response)

    def start_deliveries() -> None:
        app.state.webhook_loop = DeliveryLoop(app.state.store, allow_private=app.state.settings.allow_private_urls)
        app.state.webhook_loop.start()

    def stop_deliveries() -> None:
        loop = getattr(app.state, "webhook_loop", None)
        if loop is not None:
            loop.stop()

    app.router.on_startup.append(start_deliveries)
    app.router.on_shutdown.append(stop_deliveries)


def feed_atom(request: Request,
              actor: str | None = Query(None, max_length=8, description="Launching state (KP, IR, ...)"),
              weapon_class: str | None = Query(None, alias="class", max_length=32),
              since: str | None = Query(None, pattern=DATE_PATTERN),
              until: str | None = Query(None, pattern=DATE_PATTERN),
              status: str | None = Query(None, pattern=STATUS_PATTERN),
              limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)) -> Response:
    """New and materially updated events as an Atom feed, filterable like the event list."""
    filters = {"actor": actor, "class": weapon_class, "since": since, "until": until, "status": status}
    entries = latest_changes(request.app.state.store, actor=actor, weapon_class=weapon_class, since=since,
                             until=until, status=status, limit=limit)
    base = str(request.base_url)
    body = render_atom(entries, base_url=base, self_url=str(request.url), filters=filters)
    return Response(body, media_type=ATOM_TYPE)


def render_atom(entries: list[dict[str, Any]], *, base_url: str, self_url: str,
                filters: dict[str, str | None]) -> bytes:
    """The Atom document (RFC 4287) for feed entries from alerts.feed.latest_changes."""
    query = urlencode({k: v for k, v in filters.items() if v})
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _text(feed, "id", "urn:launchwatch:feed" + (f"?{query}" if query else ""))
    _text(feed, "title", "launchwatch: new and updated launch events" + (f" ({query})" if query else ""))
    _text(feed, "updated", entries[0]["at"] if entries else EPOCH)
    _link(feed, self_url, "self", ATOM_TYPE.split(";")[0])
    _link(feed, base_url + "events" + (f"?{query}" if query else ""), "alternate", "text/html")
    _text(ET.SubElement(feed, f"{{{ATOM_NS}}}author"), "name", "launchwatch")
    _text(feed, "generator", "launchwatch")
    for entry in entries:
        _entry(feed, entry, base_url)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def entry_title(event: dict[str, Any]) -> str:
    """'KP irbm 2026-03-04 — Hwasong-16B'."""
    head = " ".join([event.get("actor") or "??", event.get("weapon_class") or "unknown", event.get("date") or "undated"])
    return f"{head} — {event['weapon_name']}" if event.get("weapon_name") else head


def entry_summary(entry: dict[str, Any]) -> str:
    """The change, then the chosen values, the status and the conflicting fields, as plain text."""
    event = entry["event"]
    change = "New event." if entry["kind"] == "new" else f"Updated: {', '.join(entry['changed_fields'])}."
    values = [f"{name}: {_value(event.get(name))}" for name in SUMMARY_FIELDS if event.get(name) not in (None, "")]
    lines = [change, "; ".join(values), f"status: {event.get('status')}"]
    if event.get("review"):
        lines.append(f"review: {event['review']}")
    if event.get("conflict_fields"):
        lines.append(f"conflicts: {', '.join(event['conflict_fields'])}")
    if event.get("reported_by"):
        lines.append(f"reported by: {', '.join(event['reported_by'])}")
    return "\n".join(line for line in lines if line)


def _entry(feed: ET.Element, entry: dict[str, Any], base_url: str) -> None:
    event = entry["event"]
    node = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
    _text(node, "id", f"urn:launchwatch:event:{event['id']}")
    _text(node, "title", entry_title(event))
    _text(node, "updated", entry["at"])
    _link(node, f"{base_url}events/{event['id']}", "alternate", "text/html")
    if event.get("weapon_class"):
        ET.SubElement(node, f"{{{ATOM_NS}}}category", term=_clean(event["weapon_class"]))
    _text(node, "summary", entry_summary(entry)).set("type", "text")


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}")
    node.text = _clean(value)
    return node


def _link(parent: ET.Element, href: str, rel: str, media_type: str) -> None:
    ET.SubElement(parent, f"{{{ATOM_NS}}}link", rel=rel, type=media_type, href=_clean(href))


def _value(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else number(value)


def _clean(text: str) -> str:
    return _NOT_XML.sub("", str(text))
