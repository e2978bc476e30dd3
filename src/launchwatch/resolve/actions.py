"""Recording analysts' actions: each is a `reviews` row (the audit trail), then the events regroup.

    record(store, "merge", ["ev-1", "ev-2"], analyst="kim", reason="same launch")
    record(store, "split", ["ev-1"], analyst="kim", reports=["ev-9a..."])
    record(store, "set", ["ev-1"], analyst="kim", field="distance_km", value="1050")

An action is anchored to the reports of the events it names, so it survives
`launchwatch resolve --rebuild`. The touched reports are marked unresolved in
the same transaction and resolved again at once.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update

from launchwatch.errors import LaunchwatchError
from launchwatch.records import EVENT_FIELDS
from launchwatch.resolve.engine import ResolveSummary, resolve_pending
from launchwatch.resolve.query import current_event_id, find_event_id
from launchwatch.resolve.review import ACTIONS
from launchwatch.resolve.validity import invalid_reason
from launchwatch.store.models import reports, review_reports, reviews

SETTABLE = tuple(f for f in EVENT_FIELDS if f not in ("reported_by", "is_primary", "date_text"))
NUMBERS = {"count": int, "distance_km": float, "apogee_km": float, "flight_time_s": float}


class ReviewError(LaunchwatchError):
    """An analyst's action that cannot be applied (unknown event, bad field or value)."""


def parse_value(field: str, text: str | None) -> Any:
    """The typed value of `launchwatch review set` input; "none" clears the field."""
    if field not in SETTABLE:
        raise ReviewError(f"cannot set {field!r}: choose one of {', '.join(SETTABLE)}")
    if text is None or text.strip().lower() in ("", "none", "null"):
        return None
    value: Any = text.strip()
    if field in NUMBERS:
        try:
            value = NUMBERS[field](value.replace(",", ""))
        except ValueError:
            raise ReviewError(f"{field} must be a number, not {text!r}") from None
    if field in ("actor",):
        value = value.upper()
    problem = invalid_reason(field, value)
    if problem:
        raise ReviewError(f"{field} {text!r}: {problem}")
    return value


def record(store, action: str, event_ids: list[str], *, analyst: str, reason: str | None = None,
           field: str | None = None, value: Any = None, report_ids: list[str] | None = None,
           knowledge=None) -> ResolveSummary:
    """Store one action and regroup what it touches; raises ReviewError on bad input."""
    if action not in ACTIONS:
        raise ReviewError(f"unknown action {action!r}: use {', '.join(ACTIONS)}")
    if not analyst or not analyst.strip():
        raise ReviewError("an analyst name is required (--analyst or $LAUNCHWATCH_ANALYST)")
    ids = [_current(store, e) for e in event_ids]
    if action == "merge" and len(set(ids)) < 2:
        raise ReviewError("merge needs two or more different events")
    with store.atomic() as conn:
        members = _members(conn, ids)
        anchors = _anchors(action, members, ids, report_ids)
        review_id = conn.execute(insert(reviews).values(
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            analyst=analyst.strip(), action=action, event_id=ids[0],
            report_ids=anchors, field=field, value=value, reason=reason)).inserted_primary_key[0]
        if anchors:
            conn.execute(insert(review_reports), [{"review_id": review_id, "report_id": r} for r in sorted(set(anchors))])
        touched = sorted({r for rs in members.values() for r in rs})
        conn.execute(update(reports).where(reports.c.id.in_(touched)).values(event_id=None))
    return resolve_pending(store, knowledge)


def history(store, event_id: str | None = None) -> list[dict[str, Any]]:
    """The audit trail: every action (or those touching one event's reports), oldest first."""
    with store.engine.connect() as conn:
        if event_id is None:
            return [dict(r) for r in conn.execute(select(reviews).order_by(reviews.c.id)).mappings()]
        return event_history(conn, current_event_id(conn, event_id) or event_id)


def event_history(conn, event_id: str) -> list[dict[str, Any]]:
    """The actions on the event or on any of its reports (wherever they were then), oldest first."""
    return [dict(r) for r in conn.execute(_EVENT_HISTORY, {"id": event_id}).mappings()]


_ON_REPORTS = (select(review_reports.c.review_id).join(reports, reports.c.id == review_reports.c.report_id)
               .where(reports.c.event_id == bindparam("id")))
_EVENT_HISTORY = (select(reviews).where(or_(reviews.c.event_id == bindparam("id"), reviews.c.id.in_(_ON_REPORTS)))
                  .order_by(reviews.c.id))


def _current(store, some_id: str) -> str:
    found = find_event_id(store, some_id)
    if found is None:
        raise ReviewError(f"no event with id {some_id!r} (see `launchwatch events`)")
    return found


def _members(conn, ids: list[str]) -> dict[str, list[str]]:
    out = {}
    for event_id in ids:
        out[event_id] = sorted(conn.execute(select(reports.c.id).where(reports.c.event_id == event_id)).scalars())
    return out


def _anchors(action: str, members: dict[str, list[str]], ids: list[str], report_ids: list[str] | None) -> list[str]:
    if action != "split":
        return sorted({r for e in ids for r in members[e]})
    if not report_ids:
        raise ReviewError("split needs the report ids to move out (see `launchwatch show EVENT`)")
    own = set(members[ids[0]])
    unknown = [r for r in report_ids if r not in own]
    if unknown:
        raise ReviewError(f"not reports of {ids[0]}: {', '.join(unknown)}")
    if set(report_ids) == own:
        raise ReviewError("a split must leave at least one report in the event")
    return sorted(report_ids)
