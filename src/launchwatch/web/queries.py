"""The read queries behind the web server: the JSON API and the HTML pages call the same functions.

    events_page(store, EventFilters(actor="KP", q="hwasong"))  # {"events": [row, ...], "next": cursor}
    event_detail(store, "ev-58fd2bf327b5")     # the event contract + history + documents_detail
    document_detail(store, "kcna-0304")        # a document by id or external id, its reports
    search(store, "Sohae")                     # events and documents whose text holds the words
    stats(store)                               # counts, launches per month by class and actor

Events are listed newest first (date descending, then id descending), undated
ones last, and paged by keyset: `next` is an opaque cursor holding the last
row's (date, id), so a page costs the same however deep it is. Each filter
reads an index in list order (migration 0006: (actor, date), (weapon_class,
date), (status, date), (actor, weapon_class, date)) and stops after one page. Text search reads
SQLite's list-ordered FTS5 index of migration 0007 a batch at a time (_searched), or joins
PostgreSQL's tsvector + GIN index of 0006 (fulltext.py).
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Hashable

from sqlalchemy import func, null, or_, select, text
from sqlalchemy.sql import Select

from launchwatch.errors import LaunchwatchError
from launchwatch.records import EVENT_FIELDS
from launchwatch.resolve.actions import event_history
from launchwatch.resolve.query import read_event
from launchwatch.store.models import claims, documents, events, reports
from launchwatch.web import fulltext

MAX_LIMIT = 500
STATUSES = ("confirmed", "single-source", "state-media-only", "self-reported", "unattributed")
REJECTED = "rejected"   # an analyst's review, also accepted as a status filter
ROW_FIELDS = ("id", "date", "actor", "weapon_class", "weapon_name", "count", "status", "review",
              "launch_location", "landing", "outcome", "distance_km")
DOCUMENT_FIELDS = ("id", "external_id", "title", "publisher", "original_publisher", "published", "url")
DATE_RE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")

class QueryError(LaunchwatchError):
    """A request the queries cannot answer as asked (bad cursor, date, limit or status)."""


@dataclass(frozen=True)
class EventFilters:
    """What the event list is narrowed to; every field is optional."""

    actor: str | None = None
    weapon_class: str | None = None
    since: str | None = None
    until: str | None = None
    status: str | None = None
    q: str | None = None
    limit: int = 50
    after: str | None = None   # the opaque keyset cursor of the previous page's `next`

    def query_params(self) -> dict[str, Any]:
        """The filters as URL query parameters (API names), without limit/after defaults."""
        params = {"actor": self.actor, "class": self.weapon_class, "since": self.since,
                  "until": self.until, "status": self.status, "q": self.q}
        return {k: v for k, v in params.items() if v not in (None, "")}


# -- the event list --------------------------------------------------------

def events_page(store, f: EventFilters) -> dict[str, Any]:
    """One page of events, newest first, undated last; `next` continues after its last row."""
    if not 1 <= f.limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {f.limit}")
    after = decode_cursor(f.after) if f.after else None
    with store.engine.connect() as conn:
        base = _filtered(conn, f)
        if f.q is not None and conn.dialect.name == "sqlite":
            rows = _searched(conn, f, base, after)
        else:
            rows = _listed(conn, f, base, after)
    more, rows = len(rows) > f.limit, rows[:f.limit]
    return {"events": rows, "next": encode_cursor(rows[-1]["date"], rows[-1]["id"]) if more else None}


def is_slow(store, f: EventFilters) -> bool:
    """Whether a page may take long enough to belong in a worker thread (api.run): a text search
    on PostgreSQL. SQLite's reads one batch of its list-ordered index, as quick as a plain page."""
    return f.q is not None and store.engine.dialect.name != "sqlite"


def _listed(conn, f: EventFilters, base: Select, after: tuple[str | None, str] | None) -> list[dict[str, Any]]:
    """Up to limit + 1 events after the cursor: dated ones by the date index, then undated ones."""
    rows: list[dict[str, Any]] = []
    if after is None or after[0] is not None:
        rows = _fetch(conn, _dated_after(base, after).limit(f.limit + 1))
    if len(rows) <= f.limit and not (f.since or f.until):   # a date range leaves undated events out
        undated = base.where(events.c.date.is_(None)).order_by(events.c.id.desc())
        if after is not None and after[0] is None:
            undated = undated.where(events.c.id < after[1])
        rows += _fetch(conn, undated.limit(f.limit + 1 - len(rows)))
    return rows


def _dated_after(base: Select, after: tuple[str | None, str] | None) -> Select:
    """Dated events after the cursor, in list order: one range scan of the date index."""
    query = base.where(events.c.date.is_not(None))
    if after is not None:
        date, event_id = after
        query = query.where(events.c.date <= date, or_(events.c.date < date, events.c.id < event_id))
    return query.order_by(events.c.date.desc(), events.c.id.desc())


def _filtered(conn, f: EventFilters) -> Select:
    e = events
    query = select(*(e.c[name] for name in ROW_FIELDS), e.c.documents, e.c.conflicts)
    wanted = {"weapon_class": f.weapon_class and f.weapon_class.strip().lower(),
              "actor": f.actor and f.actor.strip().upper(),
              "status": f.status if f.status != REJECTED else None}
    # SQLite's search reads events by id, a batch of the index's matches at a time: no filter's
    # index may look better to its planner than the ids.
    by_ids = f.q is not None and conn.dialect.name == "sqlite"
    indexed = set() if by_ids else _indexed_filters(conn, wanted, f.q)
    for name, value in wanted.items():
        if value:
            column = e.c[name] if name in indexed else func.coalesce(e.c[name], "")
            query = query.where(column == value)
    if f.status is not None and f.status not in (*STATUSES, REJECTED):
        raise QueryError(f"unknown status {f.status!r}: use one of {', '.join((*STATUSES, REJECTED))}")
    query = _without_rejected(query, f.status == REJECTED)
    query = _date_range(query, f.since, f.until, indexed=not by_ids)
    if f.q is not None and not by_ids:   # SQLite: _searched reads its own index
        query = query.where(fulltext.event_condition(conn, fulltext.terms(f.q)))
    return query


def _searched(conn, f: EventFilters, base: Select, after: tuple[str | None, str] | None) -> list[dict[str, Any]]:
    """SQLite's text search: the events of the matching reports, read from the list-ordered
    index (migration 0007) a batch at a time and narrowed by the other filters, until the page
    and every event dated as its last row are in. Undated events come last, as in the list."""
    words = fulltext.terms(f.q or "")
    if not words:
        return []
    lower = fulltext.date_key(min(f.since[:n] for n in (4, 7, 10))) if f.since else 0
    upper = fulltext.date_key(after[0]) + 1 if after else 1 << 30
    if f.until:
        upper = min(upper, fulltext.date_key((f.until + "-99-99")[:10]) + 1)
    start = (fulltext.date_key(after[0]), after[1]) if after else None
    found: dict[str, tuple[int, str]] = {}   # event id -> its place in the list
    for event_ids, oldest in fulltext.list_order_batches(conn, words, lower, upper, 2 * (f.limit + 1)):
        query = base.with_only_columns(events.c.id, events.c.date).where(events.c.id.in_(event_ids))
        for event_id, date in conn.execute(query):
            place = (fulltext.date_key(date), event_id)
            if start is None or place < start:
                found[event_id] = place
        complete = [place for place in found.values() if oldest is not None and place[0] > oldest]
        if len(complete) > f.limit:
            break
    page = [event_id for _, event_id in sorted(found.values(), reverse=True)[:f.limit + 1]]
    rows = {row["id"]: row for row in _fetch(conn, base.where(events.c.id.in_(page)))}
    return [rows[event_id] for event_id in page if event_id in rows]   # one may go as resolution runs


def _indexed_filters(conn, wanted: dict[str, str | None], q: str | None) -> set[str]:
    """The filters whose index the database may read ((column, date), or (actor, class, date)).

    SQLite keeps no statistics unless ANALYZE runs, and would as soon read the
    status index (5 values) as the class index (11): it gets actor and class
    together, else the first given of class, actor and status, and the other
    filters are wrapped in coalesce(), which no index serves. PostgreSQL plans
    with statistics of its own, and a text search starts from the full-text
    index: there every filter stays plain.
    """
    if conn.dialect.name != "sqlite" or q is not None:
        return set(wanted)
    if wanted["actor"] and wanted["weapon_class"]:
        return {"actor", "weapon_class"}
    return {next((name for name, value in wanted.items() if value), "")}


def _date_range(query: Select, since: str | None, until: str | None, indexed: bool = True) -> Select:
    """store.sql.date_filter's rule (dates compare at the coarser precision) as one index range.

    since 2022-03-05 keeps 2022-03-05 and later, and the coarser 2022 and 2022-03
    (which may fall in range): the range starts at the coarsest, and the others
    between are filtered out row by row. until 2023-06 keeps every date up to
    it and every finer date inside it (2023-06-30): all are <= "2023-06~".
    Not `indexed`: the date is wrapped so that no index serves it (NULL stays NULL).
    """
    column = events.c.date if indexed else func.coalesce(events.c.date, null())
    for value in (since, until):
        if value and not DATE_RE.match(value):
            raise QueryError(f"bad date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    if since:
        coarser = [since[:n] for n in (4, 7) if n < len(since)]
        query = query.where(column >= (coarser[0] if coarser else since))
        if coarser:   # coalesce: checked row by row, so the range above stays the index's
            query = query.where(or_(func.coalesce(column, "") >= since, func.coalesce(column, "").in_(coarser)))
    if until:
        query = query.where(column <= until + "~")   # "~" sorts after every digit and "-"
    return query


def _without_rejected(query: Select, only_rejected: bool) -> Select:
    """Events an analyst rejected are left out, unless they are what is asked for."""
    if only_rejected:
        return query.where(events.c.review == REJECTED)
    return query.where(or_(events.c.review.is_(None), events.c.review != REJECTED))


def _fetch(conn, query: Select) -> list[dict[str, Any]]:
    return [_row(r) for r in conn.execute(query).mappings()]


def _row(r) -> dict[str, Any]:
    row = {name: r[name] for name in ROW_FIELDS}
    row["n_docs"] = len(r["documents"] or [])
    row["conflict_fields"] = [c["field"] for c in r["conflicts"] or []]
    return row


def encode_cursor(date: str | None, event_id: str) -> str:
    raw = json.dumps([date, event_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str | None, str]:
    """(date, id) from a cursor made by encode_cursor; QueryError for anything else."""
    try:
        date, event_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error):
        raise QueryError(f"bad cursor {cursor[:40]!r}: pass the `next` of a previous page") from None
    if not isinstance(event_id, str) or not (date is None or isinstance(date, str)):
        raise QueryError(f"bad cursor {cursor[:40]!r}: pass the `next` of a previous page")
    return date, event_id


# -- full-text search --------------------------------------------------------

def search(store, q: str, limit: int = 50) -> dict[str, Any]:
    """Events (list rows) and documents whose text or title holds every word of `q`."""
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    found = events_page(store, EventFilters(q=q, limit=limit))["events"]
    with store.engine.connect() as conn:
        docs = fulltext.found_documents(conn, fulltext.terms(q), limit)
    return {"events": found, "documents": docs}


# -- one event, one document -------------------------------------------------

def event_detail(store, some_id: str) -> dict[str, Any] | None:
    """The event found by any id get_event accepts, with its audit trail and documents' text.

    `requested_id` is the id asked for; when it is an old (aliased) id or a
    report id, `id` is the event's id now. One connection reads it all.
    """
    if "\x00" in some_id:   # no id holds one, and PostgreSQL refuses it in a query
        return None
    texts: dict[str, str] = {}
    doc_of: dict[str, str] = {}
    with store.engine.connect() as conn:
        event = read_event(conn, some_id, texts, doc_of)
        if event is None:
            return None
        event["requested_id"] = some_id
        event["history"] = event_history(conn, event["id"])
    event["documents_detail"] = _documents_detail(event, doc_of, texts)
    return event


def _documents_detail(event: dict[str, Any], doc_of: dict[str, str], texts: dict[str, str]) -> list[dict[str, Any]]:
    """Each document of the event with its text and the spans of its claims, in reading order."""
    out = [{**{k: d[k] for k in DOCUMENT_FIELDS}, "text": texts.get(d["id"])}
           for d in sorted(event["document_details"], key=lambda d: (d["published"] is None, d["published"] or "", d["id"]))]
    spans: dict[str, list] = {d["id"]: [] for d in out}
    for claim in event["claims"]:
        if claim.get("report") in doc_of and claim.get("start") is not None:
            spans[doc_of[claim["report"]]].append(
                {k: claim[k] for k in ("start", "end", "field", "value", "source", "hedge", "chosen")})
    for doc in out:
        doc["spans"] = sorted(spans[doc["id"]], key=lambda s: (s["start"], s["end"], s["field"]))
    return out


def document_detail(store, some_id: str) -> dict[str, Any] | None:
    """A document by id (sha256) or external id, with its reports and their evidence."""
    if "\x00" in some_id:
        return None
    cols = (*DOCUMENT_FIELDS, "status", "error", "text")
    with store.engine.connect() as conn:
        doc = None
        for key in (documents.c.id, documents.c.external_id):
            query = select(*(documents.c[k] for k in cols)).where(key == some_id)
            doc = conn.execute(query.order_by(documents.c.ingested_at).limit(1)).mappings().first()
            if doc is not None:
                break
        if doc is None:
            return None
        doc = dict(doc)
        doc["reports"] = _document_reports(conn, doc["id"])
    doc["events"] = sorted({r["event_id"] for r in doc["reports"] if r["event_id"]})
    return doc


def _document_reports(conn, doc_id: str) -> list[dict[str, Any]]:
    query = select(reports).where(reports.c.doc_id == doc_id).order_by(reports.c.index)
    out = [{"id": r["id"], "event_id": r["event_id"], "index": r["index"],
            **{name: r[name] for name in EVENT_FIELDS}, "evidence": []}
           for r in conn.execute(query).mappings()]
    by_id = {r["id"]: r for r in out}
    query = select(claims).where(claims.c.doc_id == doc_id).order_by(claims.c.start, claims.c.id)
    for c in conn.execute(query).mappings():
        by_id[c["report_id"]]["evidence"].append(
            {k: c[k] for k in ("field", "start", "end", "quote", "source", "hedge", "value", "unit",
                               "invalid")})
    for r in out:
        r["reported_by"] = list(r["reported_by"] or [])
        r["is_primary"] = bool(r["is_primary"])
    return out


# -- statistics --------------------------------------------------------------

# stats() reads every event and counts every document and claim: a second on 100,000
# events; the map's places take 140 ms. Such figures are kept per store until the data
# changes: a new document (the count of documents) or a changed event (the last entry of
# the alerts' event_changes outbox, written with every new, updated or removed event).
_CHANGE_MARK = text("SELECT (SELECT count(*) FROM documents), (SELECT max(seq) FROM event_changes)")
KEPT_MAX = 64
_kept: OrderedDict[tuple, tuple[tuple, Any]] = OrderedDict()
_kept_lock = threading.Lock()


def kept_until_change(store, name: Hashable, compute: Callable[[], Any]) -> Any:
    """compute(), or what it gave last for this store and name if no data has changed since.

    What it returns is shared with later calls: read it, do not change it.
    """
    with store.engine.connect() as conn:
        mark = tuple(conn.execute(_CHANGE_MARK).one())
    key = (id(store), store.url, name)
    with _kept_lock:
        found = _kept.get(key)
        if found is not None and found[0] == mark:
            _kept.move_to_end(key)
            return found[1]
    value = compute()   # outside the lock and the connection: it opens its own
    with _kept_lock:
        _kept[key] = (mark, value)
        while len(_kept) > KEPT_MAX:
            _kept.popitem(last=False)
    return value


def stats(store) -> dict[str, Any]:
    """Row counts and launches (events, rejected ones left out) by month, actor, class and status.

    The lists and dicts inside are shared with later calls: read them, do not change them.
    """
    def compute() -> dict[str, Any]:
        with store.engine.connect() as conn:
            return _stats(conn, store)

    return dict(kept_until_change(store, "stats", compute))


def _stats(conn, store) -> dict[str, Any]:
    e = events
    month = func.substr(e.c.date, 1, 7)
    query = (select(month.label("month"), func.length(e.c.date).label("precision"), e.c.weapon_class, e.c.actor,
                    e.c.status, func.count().label("n"))
             .where(or_(e.c.review.is_(None), e.c.review != REJECTED))
             .group_by(month, func.length(e.c.date), e.c.weapon_class, e.c.actor, e.c.status))
    by_month: dict[tuple, int] = {}
    totals: dict[str, dict[str, int]] = {"by_actor": {}, "by_class": {}, "by_status": {}}
    for r in conn.execute(query).mappings():
        if (r["precision"] or 0) >= 7:   # a year alone names no month
            key = (r["month"], r["weapon_class"], r["actor"])
            by_month[key] = by_month.get(key, 0) + r["n"]
        for name, value in (("by_actor", r["actor"]), ("by_class", r["weapon_class"]), ("by_status", r["status"])):
            totals[name][value or "unknown"] = totals[name].get(value or "unknown", 0) + r["n"]
    months = [{"month": m, "weapon_class": c, "actor": a, "n": n}
              for (m, c, a), n in sorted(by_month.items(), key=lambda kv: tuple(x or "" for x in kv[0]))]
    return {"counts": store.counts(), "by_month": months, **totals}
