"""The alerts feed's query: each event's latest new-or-updated change, newest first, filtered like the list.

    entries = latest_changes(store, actor="KP", weapon_class="irbm", since="2026", limit=50)
    # [{"event": {...listing...}, "seq", "kind", "changed_fields", "at"}, ...]

Each current event appears once, with the time of its latest material change;
the event itself is read as it is now. Events an analyst rejected are left
out, as in the event list; removed events have no page to link to and are
left out too (webhooks tell of them).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from launchwatch.alerts.changes import listing
from launchwatch.alerts.tables import event_changes
from launchwatch.store.models import events
from launchwatch.store.sql import chunks, launch_filter

DEFAULT_LIMIT = 50
MATERIAL = ("new", "updated")
MAX_LIMIT = 500


def latest_changes(store, *, actor: str | None = None, weapon_class: str | None = None, since: str | None = None,
                   until: str | None = None, status: str | None = None,
                   limit: int = DEFAULT_LIMIT) -> list[dict[str, Any]]:
    """Events by their latest material change, newest first (date filters on the launch date)."""
    material = event_changes.c.kind.in_(MATERIAL)
    later = event_changes.alias("later")
    newer = (select(later.c.seq).where(later.c.event_id == event_changes.c.event_id, later.c.seq > event_changes.c.seq,
                                       later.c.kind.in_(MATERIAL)))
    # Newest change first, each event at its latest one: the outbox is read backwards and stops
    # after `limit` events, instead of grouping every change ever recorded.
    query = (select(events, event_changes.c.seq.label("change_seq"))
             .join(events, events.c.id == event_changes.c.event_id)
             .where(material, ~newer.exists(), or_(events.c.review.is_(None), events.c.review != "rejected"))
             .order_by(event_changes.c.seq.desc()).limit(max(1, min(limit, MAX_LIMIT))))
    query = launch_filter(query, events, actor, weapon_class, status, since, until)
    with store.engine.connect() as conn:
        rows = [dict(row) for row in conn.execute(query).mappings()]
        found = _changes(conn, [row["change_seq"] for row in rows])
    return [dict(found[row["change_seq"]], event=listing(row)) for row in rows]


def _changes(conn, seqs: list[int]) -> dict[int, dict[str, Any]]:
    cols = [event_changes.c[name] for name in ("seq", "kind", "changed_fields", "at")]
    out = {}
    for chunk in chunks(sorted(seqs)):
        for row in conn.execute(select(*cols).where(event_changes.c.seq.in_(chunk))).mappings():
            out[row["seq"]] = dict(row)
    return out
