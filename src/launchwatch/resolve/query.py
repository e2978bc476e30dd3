"""Reading resolved events: listings, one event with its claims ledger, id lookup.

An event dict has the SCHEMA.md fields (chosen values) plus `id`, `status`,
`review`, `documents`, `sources`, `copies`, `conflicts`, `choices`,
`n_reports`, `first_published`, `last_published`; `with_claims=True` adds
`claims` (every claim of every field, valid or not, with `chosen`) and
`reports` (the per-article report ids).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, or_, select

from launchwatch.records import EVENT_FIELDS
from launchwatch.resolve.validity import invalid_reason
from launchwatch.store.models import claims, documents, event_aliases, events, reports
from launchwatch.store.sql import chunks, launch_filter

EVENT_EXTRAS = ("status", "review", "documents", "sources", "copies", "conflicts", "choices",
                "n_reports", "first_published", "last_published")


def list_events(store, actor: str | None = None, since: str | None = None, until: str | None = None,
                weapon_class: str | None = None, status: str | None = None,
                include_rejected: bool = False, with_claims: bool = False) -> list[dict[str, Any]]:
    """Events ordered by date then id; dates compare at the coarser precision."""
    e = events
    query = select(e).order_by(e.c.date.is_(None), e.c.date, e.c.id)
    if not include_rejected:
        query = query.where(or_(e.c.review.is_(None), e.c.review != "rejected"))
    query = launch_filter(query, e, actor, weapon_class, status, since, until)
    with store.engine.connect() as conn:
        rows = [_event_dict(r) for r in conn.execute(query).mappings()]
        if with_claims:
            _attach_claims(conn, rows)
    return rows


# Built once: an event page runs them on every request, and building costs more than running.
_EVENT = select(events).where(events.c.id == bindparam("id"))
_EVENT_ID = select(events.c.id).where(events.c.id == bindparam("id"))
_ALIAS_OF = select(event_aliases.c.event_id).where(event_aliases.c.id == bindparam("id"))
_EVENT_OF_REPORT = select(reports.c.event_id).where(reports.c.id == bindparam("id"))


def find_event_id(store, some_id: str) -> str | None:
    """The current event id for an event id, an old (aliased) event id, or a report id."""
    with store.engine.connect() as conn:
        return current_event_id(conn, some_id)


def current_event_id(conn, some_id: str) -> str | None:
    """find_event_id in the caller's connection."""
    if conn.execute(_EVENT_ID, {"id": some_id}).scalar():
        return some_id
    return conn.execute(_ALIAS_OF, {"id": some_id}).scalar() or conn.execute(_EVENT_OF_REPORT, {"id": some_id}).scalar()


def get_event(store, some_id: str) -> dict[str, Any] | None:
    """One event with its claims and reports, found by any id `find_event_id` accepts."""
    with store.engine.connect() as conn:
        return read_event(conn, some_id)


def read_event(conn, some_id: str, texts: dict[str, str] | None = None,
               doc_of: dict[str, str] | None = None) -> dict[str, Any] | None:
    """get_event in the caller's connection. `texts` and `doc_of`, when given, receive each
    document's text by document id and each report's document id by report id."""
    event_id = current_event_id(conn, some_id)
    if event_id is None:
        return None
    rows = [_event_dict(r) for r in conn.execute(_EVENT, {"id": event_id}).mappings()]
    if not rows:
        return None
    _attach_claims(conn, rows)
    _attach_documents(conn, rows[0], {} if texts is None else texts, {} if doc_of is None else doc_of)
    return rows[0]


_DOCUMENT_COLUMNS = ("id", "external_id", "title", "url", "publisher", "original_publisher", "published")
_DOCUMENTS_OF_EVENT = (
    select(reports.c.id.label("report_id"), documents.c.text, *(documents.c[k] for k in _DOCUMENT_COLUMNS))
    .join(documents, documents.c.id == reports.c.doc_id).where(reports.c.event_id == bindparam("id"))
    .order_by(documents.c.published, documents.c.id))


def _attach_documents(conn, event: dict[str, Any], texts: dict[str, str], doc_of: dict[str, str]) -> None:
    """Each document's details, and the sentence around each claim's quote."""
    from launchwatch.store.store import sentence_around

    by_ref, event["document_details"] = {}, []
    for row in conn.execute(_DOCUMENTS_OF_EVENT, {"id": event["id"]}).mappings():
        doc_of[row["report_id"]] = row["id"]
        if row["id"] not in texts:
            texts[row["id"]] = by_ref[row["external_id"] or row["id"]] = row["text"] or ""
            event["document_details"].append({k: row[k] for k in _DOCUMENT_COLUMNS})
    for claim in event["claims"]:
        if claim.get("start") is not None and claim["document"] in by_ref:
            claim["sentence"] = sentence_around(by_ref[claim["document"]], claim["start"], claim["end"])


_CLAIMS_OF_EVENTS = (
    select(claims, reports.c.event_id, reports.c.date.label("report_date"), documents.c.external_id,
           documents.c.published)
    .join(reports, reports.c.id == claims.c.report_id).join(documents, documents.c.id == claims.c.doc_id)
    .where(reports.c.event_id.in_(bindparam("ids", expanding=True)))
    .order_by(documents.c.published, documents.c.external_id, claims.c.doc_id, claims.c.report_id,
              claims.c.field, claims.c.start, claims.c.end, claims.c.id))
_REPORTS_OF_EVENTS = select(reports.c.id, reports.c.event_id).where(
    reports.c.event_id.in_(bindparam("ids", expanding=True)))


def _attach_claims(conn, rows: list[dict[str, Any]]) -> None:
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row["claims"], row["reports"] = [], []
    for chunk in chunks(sorted(by_id)):
        for c in conn.execute(_CLAIMS_OF_EVENTS, {"ids": chunk}).mappings():
            row = by_id[c["event_id"]]
            row["claims"].append(_claim_dict(c, row))
            if c["field"] == "date_text" and c["report_date"]:   # the date words state the date
                row["claims"].append(_claim_dict(dict(
                    c, field="date", value=c["report_date"],
                    invalid=invalid_reason("date", c["report_date"], c["published"])), row))
            if c["report_id"] not in row["reports"]:
                row["reports"].append(c["report_id"])
        for report_id, event_id in conn.execute(_REPORTS_OF_EVENTS, {"ids": chunk}):
            if report_id not in by_id[event_id]["reports"]:
                by_id[event_id]["reports"].append(report_id)
    for row in rows:
        row["claims"] += _analyst_claims(row)
        row["reports"].sort()


def _claim_dict(c, event: dict[str, Any]) -> dict[str, Any]:
    choice = (event.get("choices") or {}).get(c["field"]) or {}
    chosen = (c["invalid"] is None and c["value"] == event.get(c["field"])
              and choice.get("source") == c["source"] and choice.get("document") == (c["external_id"] or c["doc_id"]))
    return {"field": c["field"], "value": c["value"], "unit": c["unit"], "source": c["source"],
            "document": c["external_id"] or c["doc_id"], "report": c["report_id"],
            "published": c["published"], "start": c["start"], "end": c["end"], "quote": c["quote"],
            "hedge": c["hedge"], "invalid": c["invalid"], "chosen": bool(chosen)}


def _analyst_claims(event: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, choice in (event.get("choices") or {}).items():
        if (choice.get("source") or "").startswith("analyst:"):
            out.append({"field": name, "value": event.get(name), "unit": None, "source": choice["source"],
                        "document": None, "report": None, "published": None, "start": None, "end": None,
                        "quote": None, "hedge": None, "invalid": None, "chosen": True,
                        "reason": choice.get("reason")})
    return out


def _event_dict(row) -> dict[str, Any]:
    out = {"id": row["id"]}
    out.update({name: row[name] for name in EVENT_FIELDS})
    out["reported_by"] = list(out["reported_by"] or [])
    out["is_primary"] = bool(out["is_primary"])
    out.update({name: row[name] for name in EVENT_EXTRAS})
    for name in ("documents", "sources", "copies", "conflicts"):
        out[name] = out[name] or []
    out["choices"] = out["choices"] or {}
    return out
