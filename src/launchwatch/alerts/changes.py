"""Change tracking: which events a resolution run made new, changed materially, or removed.

    before = snapshot(conn, ids)                  # the events about to be rewritten (None: all)
    ... resolution deletes and writes events ...
    record(conn, before, rows, gone, moved)       # outbox rows, same transaction

A change is material when the chosen value of a SCHEMA field (the date words
and the primary flag aside), the status, the set of conflicting fields or the
analyst's review differ. A new citation, a syndicated copy or `updated_at`
alone is no change, so `resolve --rebuild` and re-ingesting add nothing, and
since events are a pure function of the stored reports, any arrival order
ends in the same states. An event id that disappears (its reports merged
into or regrouped under another id) is `removed`, with `replaced_by` naming
the event that now holds its smallest report.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import insert, select

from launchwatch.alerts.tables import event_changes
from launchwatch.records import EVENT_FIELDS
from launchwatch.store.models import events
from launchwatch.store.sql import chunks

# The date words and the primary flag restate other fields; they never make a change on their own.
MATERIAL_FIELDS = tuple(f for f in EVENT_FIELDS if f not in ("date_text", "is_primary"))
MATERIAL_KEYS = (*MATERIAL_FIELDS, "status", "review", "conflicts")
LISTING_EXTRAS = ("status", "review", "n_reports", "first_published", "last_published")
NUMBER_FIELDS = {"count": int, "distance_km": float, "apogee_km": float, "flight_time_s": float}
_COLUMNS = ("id", *EVENT_FIELDS, *LISTING_EXTRAS, "conflicts")


def listing(row: dict[str, Any]) -> dict[str, Any]:
    """An event's listing fields (the webhook payload's `event`): chosen values, status, conflicting fields."""
    out = {"id": row["id"]}
    out.update({name: _typed(name, row.get(name)) for name in EVENT_FIELDS})
    out["reported_by"] = list(out["reported_by"] or [])
    out["is_primary"] = bool(out["is_primary"])
    out.update({name: row.get(name) for name in LISTING_EXTRAS})
    out["conflict_fields"] = sorted({c["field"] for c in row.get("conflicts") or []})
    return out


def material(event: dict[str, Any]) -> dict[str, Any]:
    """What a consumer is told about; the sources as a set (their ranking is no change)."""
    out = {name: event.get(name) for name in MATERIAL_KEYS}
    out["conflicts"] = event.get("conflict_fields")
    out["reported_by"] = sorted(out["reported_by"] or [])
    return out


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before, after = material(old), material(new)
    return [name for name in MATERIAL_KEYS if before[name] != after[name]]


def snapshot(conn, ids: Iterable[str] | None) -> dict[str, dict[str, Any]]:
    """Listings of stored events by id: the given ids, or every event when None."""
    query = select(*(events.c[name] for name in _COLUMNS))
    if ids is None:
        return {row["id"]: listing(row) for row in conn.execute(query).mappings()}
    out = {}
    for chunk in chunks(sorted(ids)):
        out.update({row["id"]: listing(row) for row in conn.execute(query.where(events.c.id.in_(chunk))).mappings()})
    return out


def record(conn, before: dict[str, dict], rows: list[dict], gone: set[str], moved: dict[str, str]) -> int:
    """Append the run's changes to the outbox: new and updated events, then removed ones; returns how many."""
    at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out = []
    for row in sorted(rows, key=lambda r: r["id"]):
        new, old = listing(row), before.get(row["id"])
        if old is None:
            fields = [name for name, value in material(new).items() if value not in (None, [], "")]
            out.append(_change(new["id"], "new", fields, new, None, at))
        elif fields := changed_fields(old, new):
            out.append(_change(new["id"], "updated", fields, new, None, at))
    for old_id in sorted(gone):
        last = before.get(old_id) or {"id": old_id}
        out.append(_change(old_id, "removed", [], last, moved.get(old_id), at))
    for chunk in chunks(out, 1000):
        conn.execute(insert(event_changes), chunk)
    return len(out)


def _change(event_id: str, kind: str, fields: list[str], event: dict, replaced_by: str | None,
            at: str) -> dict[str, Any]:
    return {"event_id": event_id, "kind": kind, "changed_fields": fields, "event": event,
            "replaced_by": replaced_by, "at": at}


def _typed(name: str, value: Any) -> Any:
    """Numbers in their column's type: a figure chosen as 1050 and read back as 1050.0 is one value."""
    if value is None or name not in NUMBER_FIELDS:
        return value
    return NUMBER_FIELDS[name](value)
