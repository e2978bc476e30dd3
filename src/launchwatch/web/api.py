"""The JSON API under /api/: events, one event, documents, search, stats, health.

Each route calls one function of web/queries.py (the HTML pages call the same
ones) and answers through a pydantic model, so /api/openapi.json describes
every response. Errors have one shape (web/errors.py).
"""
from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict
from sqlalchemy import text

from launchwatch.web import errors
from launchwatch.web.errors import ErrorBody
from launchwatch.web.queries import (
    MAX_LIMIT, REJECTED, STATUSES, EventFilters, document_detail, event_detail, events_page, is_slow,
    search, stats,
)

DATE_PATTERN = r"^([0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?)?$"
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Not found"},
    422: {"model": ErrorBody, "description": "Invalid request"},
    500: {"model": ErrorBody, "description": "Server error"},
}


class Open(BaseModel):
    """A record that may carry more keys than listed (they pass through unchanged)."""

    model_config = ConfigDict(extra="allow")


# -- response models -----------------------------------------------------------

class EventRow(BaseModel):
    id: str
    date: str | None
    actor: str | None
    weapon_class: str | None
    weapon_name: str | None
    count: int | None
    status: str
    review: str | None
    launch_location: str | None
    landing: str | None
    outcome: str | None
    distance_km: float | None
    n_docs: int
    conflict_fields: list[str]


class EventsPage(BaseModel):
    events: list[EventRow]
    next: str | None = None   # the URL of the next page, same filters; None on the last page


class Claim(Open):
    field: str
    value: Any = None
    unit: str | None = None
    source: str | None = None
    document: str | None = None
    report: str | None = None
    published: str | None = None
    start: int | None = None
    end: int | None = None
    quote: str | None = None
    hedge: str | None = None
    invalid: str | None = None
    chosen: bool


class Conflict(Open):
    field: str
    kind: str
    values: list[Any]
    chosen: Any = None
    claims: list[dict[str, Any]]


class Source(Open):
    name: str
    kind: str | None = None
    country: str | None = None
    documents: list[str] = []
    citations: int | None = None


class ReviewEntry(Open):
    id: int
    created_at: str
    analyst: str
    action: str
    event_id: str | None = None
    report_ids: list[str] = []
    field: str | None = None
    value: Any = None
    reason: str | None = None


class Span(BaseModel):
    start: int
    end: int
    field: str
    value: Any = None
    source: str | None = None
    hedge: str | None = None
    chosen: bool


class DocumentMeta(BaseModel):
    id: str
    external_id: str | None
    title: str | None
    publisher: str | None
    original_publisher: str | None
    published: str | None
    url: str | None


class EventDocument(DocumentMeta):
    text: str | None
    spans: list[Span]


class EventDetail(Open):
    id: str
    requested_id: str   # the id asked for: an old (merged) id or a report id answers with `id`
    actor: str | None
    date: str | None
    date_text: str | None
    weapon_class: str | None
    weapon_name: str | None
    count: int | None
    platform: str | None
    launch_location: str | None
    landing: str | None
    distance_km: float | None
    apogee_km: float | None
    flight_time_s: float | None
    outcome: str | None
    reported_by: list[str]
    status: str
    review: str | None
    documents: list[str]
    sources: list[Source]
    copies: list[dict[str, Any]]
    conflicts: list[Conflict]
    choices: dict[str, dict[str, Any]]
    n_reports: int
    claims: list[Claim]
    reports: list[str]
    history: list[ReviewEntry]
    documents_detail: list[EventDocument]


class Evidence(BaseModel):
    field: str
    start: int
    end: int
    quote: str
    source: str | None
    hedge: str | None
    value: Any = None
    unit: str | None = None
    invalid: str | None = None


class Report(Open):
    id: str
    event_id: str | None
    index: int
    evidence: list[Evidence]


class DocumentDetail(DocumentMeta):
    status: str
    error: str | None
    text: str | None
    reports: list[Report]
    events: list[str]


class FoundDocument(BaseModel):
    id: str
    external_id: str | None
    title: str | None
    published: str | None
    snippet: str


class SearchResult(BaseModel):
    events: list[EventRow]
    documents: list[FoundDocument]


class MonthCount(BaseModel):
    month: str
    weapon_class: str | None
    actor: str | None
    n: int


class Stats(BaseModel):
    counts: dict[str, int]
    by_month: list[MonthCount]
    by_actor: dict[str, int]
    by_class: dict[str, int]
    by_status: dict[str, int]


class Health(BaseModel):
    status: Literal["ok"]
    database: str


# -- routes ----------------------------------------------------------------------

router = APIRouter(prefix="/api", tags=["api"], responses={500: ERRORS[500]})


STATUS_PATTERN = "^(" + "|".join((*STATUSES, REJECTED)) + ")?$"


async def event_filters(
    actor: str | None = Query(None, pattern=r"^([A-Za-z]{2,8})?$", description="Launching state, e.g. KP"),
    weapon_class: str | None = Query(None, alias="class", pattern=r"^([A-Za-z_]{1,32})?$",
                                     description="Weapon class: srbm, irbm, icbm, cruise, ..."),
    since: str | None = Query(None, pattern=DATE_PATTERN, description="On or after: YYYY, YYYY-MM or YYYY-MM-DD"),
    until: str | None = Query(None, pattern=DATE_PATTERN, description="On or before: YYYY, YYYY-MM or YYYY-MM-DD"),
    status: str | None = Query(None, pattern=STATUS_PATTERN,
                               description="Verification status (" + ", ".join(STATUSES)
                               + "), or `rejected` for events an analyst rejected (left out otherwise)"),
    q: str | None = Query(None, max_length=500,
                          description="Every word in the text or title of one of the event's documents "
                                      "(`word*` matches a prefix)"),
    limit: int = Query(50, ge=1, le=MAX_LIMIT, description="Events per page"),
    after: str | None = Query(None, pattern=r"^[A-Za-z0-9_-]{0,400}$",
                              description="Cursor from a previous page's `next`: the page after it"),
) -> EventFilters:
    """The list's filters, parsed the same way for the API and the pages; an empty value means no filter.

    (async: pure parsing, so FastAPI need not hand it to a thread.)
    """
    return EventFilters(actor=actor or None, weapon_class=weapon_class or None, since=since or None,
                        until=until or None, status=status or None, q=q if q and q.strip() else None,
                        limit=limit, after=after or None)


def page_url(request: Request, f: EventFilters, cursor: str) -> str:
    """The full URL of the page after `cursor`, with the same filters."""
    params = {**f.query_params(), "limit": f.limit, "after": cursor}
    return str(request.url.replace(query=urlencode(params)))


def store_of(request: Request):
    return request.app.state.store


async def run(func, *args, slow: bool = False):
    """`func(*args)` on the event loop, or in a worker thread when it may take long.

    The quick queries (a few ms) answer faster without a hand-over to a thread;
    a text search on PostgreSQL or the statistics can take 100 ms and more, and would hold up
    every other request of this worker meanwhile.
    """
    return await run_in_threadpool(func, *args) if slow else func(*args)


@router.get("/events", response_model=EventsPage, responses={422: ERRORS[422]})
async def list_events(request: Request, f: EventFilters = Depends(event_filters)) -> dict[str, Any]:
    """Events newest first (undated last), filtered; `next` is the URL of the next page."""
    page = await run(events_page, store_of(request), f, slow=is_slow(store_of(request), f))
    return {"events": page["events"], "next": page_url(request, f, page["next"]) if page["next"] else None}


@router.get("/events/{event_id}", response_model=EventDetail, responses={404: ERRORS[404]})
async def get_event(request: Request, response: Response, event_id: str) -> dict[str, Any]:
    """One event with its claims, evidence spans, sources, conflicts, documents and audit trail.

    An old id (of events merged or split since) or a report id answers with
    the event it belongs to now: `requested_id` keeps the id asked for, and
    the Content-Location header names the event's own URL.
    """
    event = await run(event_detail, store_of(request), event_id)
    if event is None:
        raise HTTPException(404, f"no event with id {event_id!r}")
    if event["id"] != event_id:
        response.headers["Content-Location"] = f"/api/events/{event['id']}"
    return event


@router.get("/documents/{doc_id:path}", response_model=DocumentDetail, responses={404: ERRORS[404]})
async def get_document(request: Request, doc_id: str) -> dict[str, Any]:
    """A document by id (sha256 of its bytes) or external id: its text, reports and their evidence."""
    doc = await run(document_detail, store_of(request), doc_id)
    if doc is None:
        raise HTTPException(404, f"no document with id {doc_id!r}")
    return doc


@router.get("/search", response_model=SearchResult, responses={422: ERRORS[422]})
async def search_text(request: Request, q: str = Query(..., min_length=1, max_length=500),
                      limit: int = Query(50, ge=1, le=MAX_LIMIT)) -> dict[str, Any]:
    """Events and documents whose documents' text or title holds every word of `q` (`word*`: a prefix)."""
    return await run(search, store_of(request), q, limit, slow=is_slow(store_of(request), EventFilters(q=q)))


@router.get("/stats", response_model=Stats)
async def get_stats(request: Request) -> dict[str, Any]:
    """Row counts, and launches by month (with class and actor), by actor, class and status."""
    return await run(stats, store_of(request), slow=True)


@router.get("/health", response_model=Health, responses={503: {"model": ErrorBody}})
async def health(request: Request) -> Any:
    """Whether the server can reach its database."""
    try:
        with store_of(request).engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as err:
        errors.log_exception(request, err)
        return errors.error_response(request, 503, "unavailable", "the database cannot be reached")
    return {"status": "ok", "database": "ok"}


def install(app: FastAPI) -> None:
    """The /api/ routes."""
    app.include_router(router)
