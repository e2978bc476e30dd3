"""Server-rendered HTML pages, each built from the same query as its JSON twin.

    /                 -> /events
    /events           the list with its filter form           (twin: /api/events, api.py)
    /events/{id}      one event: fields, claims, evidence      (twin: /api/events/{id})
    /documents/{id}   one article with its evidence spans      (twin: /api/documents/{id})
    /timeline         launches per month by class and actor    (twin: /api/timeline, here)
    /map              launch sites and landing areas           (twin: /api/map, here)

Pages work without JavaScript; /static holds the CSS, the optional
click-to-sort script and the basemap. install() also adds the security headers.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy import bindparam, func, select

from launchwatch.errors import LaunchwatchError
from launchwatch.knowledge import load_knowledge
from launchwatch.records import EVENT_FIELDS, WEAPON_CLASSES
from launchwatch.store.models import events, reviews
from launchwatch.web import charts, geo, queries
from launchwatch.web.api import DATE_PATTERN, ERRORS, event_filters, run
from launchwatch.web.headers import SecurityHeaders
from launchwatch.web.templating import STATIC_DIR, render

# date_text is shown beside the date: its quotes are the date claims' own.
SHOWN_FIELDS = tuple(f for f in EVENT_FIELDS if f not in ("date_text", "reported_by", "is_primary"))
MAP_PARAMS = ("actor", "class", "since", "until")

router = APIRouter()


# -- the JSON twins' shapes (for the OpenAPI spec) ----------------------------------------

class Series(BaseModel):
    key: str             # a weapon class or an actor code ("other": the less busy actors)
    color: str
    counts: list[int]    # one per month of `months`
    total: int


class Timeline(BaseModel):
    months: list[str]    # YYYY-MM, without gaps
    by_class: list[Series]
    by_actor: list[Series]
    undated: int         # events dated only to a year, or not at all: not drawn
    total: int


class MapPlace(BaseModel):
    name: str
    role: Literal["launch", "landing"]
    site_kind: str | None
    country: str
    lat: float | None
    lon: float | None
    n: int               # events naming it
    texts: list[str]     # how the events word it
    events_link: str


class UnmatchedPlace(BaseModel):
    text: str
    role: Literal["launch", "landing"]
    n: int


class KnownSite(BaseModel):
    name: str
    site_kind: str | None
    country: str
    lat: float
    lon: float


class MapData(BaseModel):
    points: list[MapPlace]
    without_coords: list[MapPlace]
    unmatched: list[UnmatchedPlace]
    known_sites: list[KnownSite]
    sites_without_coords: list[str]
    extent: list[float]  # west, south, east, north


def install(app: FastAPI) -> None:
    """Add the pages, their JSON twins /api/timeline and /api/map, /static and the security headers."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(SecurityHeaders)


def _store(request: Request):
    return request.app.state.store


def _knowledge(request: Request):
    return load_knowledge(request.app.state.settings.core.knowledge_dirs)


def _actor_names(knowledge) -> dict[str, str]:
    """ISO code -> the actor's usual name ("KP" -> "North Korea")."""
    return knowledge._cached("web.actor_names", lambda: {a.code: a.names[0] for a in knowledge.actors if a.names})


def _actor_choices(knowledge) -> list[tuple[str, str]]:
    """(code, name) of every known actor, for the filter forms."""
    return knowledge._cached("web.actor_choices", lambda: sorted(
        (a.code, a.names[0] if a.names else a.code) for a in knowledge.actors))


def _form_context(request: Request, params: dict[str, Any]) -> dict[str, Any]:
    return {"params": params, "classes": WEAPON_CLASSES, "statuses": (*queries.STATUSES, queries.REJECTED),
            "actors": _actor_choices(_knowledge(request))}


# -- the event list (its filters are parsed by the API's own dependency) ------------------

@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    return RedirectResponse("/events", status_code=303)


# The pages run their queries as the API does (api.run): quick ones on the event loop, slow
# ones (queries.is_slow) in a worker thread.

@router.get("/events", response_class=HTMLResponse, include_in_schema=False)
async def events_list(request: Request, f: queries.EventFilters = Depends(event_filters)) -> HTMLResponse:
    page = await run(queries.events_page, _store(request), f, slow=queries.is_slow(_store(request), f))
    params = f.query_params()
    if f.limit != queries.EventFilters.limit:
        params["limit"] = f.limit
    return render(request, "events.html", {
        **_form_context(request, params), "after": f.after, "page": page, "json_url": "/api/events"})


# -- one event --------------------------------------------------------------------------

def _doc_index(event: dict[str, Any]) -> dict[str, int]:
    """Document reference (external id or content id) -> its position among the articles."""
    out = {}
    for i, doc in enumerate(event.get("documents_detail") or []):
        out[doc["id"]] = i
        if doc.get("external_id"):
            out[doc["external_id"]] = i
    return out


def _mark_invalid(event: dict[str, Any]) -> None:
    """Give each evidence span its claim's `invalid` reason, so the text shows it struck out."""
    invalid = {(c["field"], c["start"], c["end"], c["source"]): c["invalid"]
               for c in event.get("claims") or [] if c.get("invalid")}
    for doc in event.get("documents_detail") or []:
        for span in doc.get("spans") or []:
            span.setdefault("invalid", invalid.get((span["field"], span["start"], span["end"], span["source"])))


def _field_rows(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Per field: chosen value, why, its conflict and its claims (the chosen claim first)."""
    conflicts = {c["field"]: c for c in event.get("conflicts") or []}
    rows = []
    for name in SHOWN_FIELDS:
        claims = [c for c in event.get("claims") or [] if c["field"] == name]
        claims.sort(key=lambda c: (not c.get("chosen"), bool(c.get("invalid"))))
        rows.append({"field": name, "value": event.get(name), "choice": (event.get("choices") or {}).get(name),
                     "conflict": conflicts.get(name), "claims": claims})
    return rows


@router.get("/events/{event_id}", response_class=HTMLResponse, include_in_schema=False)
async def event_page(request: Request, event_id: str):
    return await run(_event_page, request, event_id)


def _event_page(request: Request, event_id: str):
    store = _store(request)
    anonymous = not request.cookies  # no session: no user, no flash message, the same page for everyone
    key = (event_id, *_event_version(store, event_id)) if anonymous else None
    cache = _page_cache(request)
    if key is not None and key in cache:
        cache.move_to_end(key)
        return HTMLResponse(cache[key])
    event = queries.event_detail(store, event_id)
    if event is None:
        raise HTTPException(status_code=404, detail=f"no event with id {event_id!r}")
    if event["id"] != event_id:   # an old id of a regrouped event, or a report id
        return RedirectResponse(f"/events/{event['id']}", status_code=301)
    _mark_invalid(event)
    response = render(request, "event.html", {
        "event": event, "fields": _field_rows(event), "doc_index": _doc_index(event),
        "actor_names": _actor_names(_knowledge(request)),
        "json_url": f"/api/events/{event['id']}"})
    if key is not None and key[1] is not None and response.status_code == 200:
        cache[key] = response.body
        while len(cache) > PAGE_CACHE_SIZE:
            cache.popitem(last=False)
    return response


# Anonymous event pages, rendered once per version of the event: rendering is most of a page's
# cost (benchmarks/serve_latency.py). The version is the event row's updated_at (resolution
# rewrites it when anything about the event changes) and the newest review (the audit log).
PAGE_CACHE_SIZE = 2048


def _page_cache(request: Request) -> OrderedDict:
    """One cache per app (per database)."""
    state = request.app.state
    if not hasattr(state, "event_pages"):
        state.event_pages = OrderedDict()
    return state.event_pages


_VERSION = select(events.c.updated_at, select(func.max(reviews.c.id)).scalar_subquery()).where(
    events.c.id == bindparam("id"))


def _event_version(store, event_id: str) -> tuple:
    with store.engine.connect() as conn:
        row = conn.execute(_VERSION, {"id": event_id}).first()
    return tuple(row) if row else (None, None)


# -- one document -------------------------------------------------------------------------

def document_spans(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every report's evidence in the document, as highlight spans tagged with the report's event."""
    return [{**ev, "event": report["event_id"], "report": report["id"]}
            for report in doc.get("reports") or [] for ev in report.get("evidence") or []]


@router.get("/documents/{doc_id:path}", response_class=HTMLResponse, include_in_schema=False)
async def document_page(request: Request, doc_id: str) -> HTMLResponse:
    doc = await run(queries.document_detail, _store(request), doc_id)
    if doc is None:
        raise HTTPException(status_code=404, detail=f"no document with id {doc_id!r}")
    return render(request, "document.html", {"doc": doc, "spans": document_spans(doc),
                                             "json_url": f"/api/documents/{doc['id']}"})


# -- timeline and map, with their JSON twins ------------------------------------------------

def timeline_data(request: Request) -> dict[str, Any]:
    found = queries.stats(_store(request))
    data = charts.timeline_data(found["by_month"])
    data["undated"] = max(sum(found["by_status"].values()) - data["total"], 0)   # dated to a year, or not at all
    return data


@router.get("/api/timeline", tags=["charts"], response_model=Timeline, responses={500: ERRORS[500]},
            summary="Launches per month by class and by actor")
def timeline_json(request: Request) -> dict[str, Any]:
    """Months without gaps from the first dated launch to the last; per class and per actor
    (the busiest actors, the rest as `other`) a count for each month."""
    return timeline_data(request)


@router.get("/timeline", response_class=HTMLResponse, include_in_schema=False)
def timeline_page(request: Request) -> HTMLResponse:
    data = timeline_data(request)
    charts_ = [
        {"id": "by-class", "title": "Launches per month by class", "series": data["by_class"]},
        {"id": "by-actor", "title": "Launches per month by actor", "series": data["by_actor"]},
    ]
    for chart in charts_:
        chart["svg"] = charts.stacked_bars(data["months"], chart["series"], chart["title"], chart["id"])
        chart["rows"] = charts.table_rows(data["months"], chart["series"])
    return render(request, "timeline.html", {"data": data, "charts": charts_, "json_url": "/api/timeline"})


def map_filters(
    actor: str | None = Query(None, pattern=r"^([A-Za-z]{2,8})?$", description="Launching state, e.g. KP"),
    weapon_class: str | None = Query(None, alias="class", pattern=r"^([A-Za-z_]{1,32})?$",
                                     description="Weapon class: srbm, irbm, icbm, cruise, ..."),
    since: str | None = Query(None, pattern=DATE_PATTERN, description="On or after: YYYY, YYYY-MM or YYYY-MM-DD"),
    until: str | None = Query(None, pattern=DATE_PATTERN, description="On or before: YYYY, YYYY-MM or YYYY-MM-DD"),
) -> geo.MapFilters:
    """The map's filters, named as the event list's; an empty value means no filter."""
    return geo.MapFilters(actor=actor or None, weapon_class=weapon_class or None, since=since or None,
                          until=until or None)


def map_data(request: Request, f: geo.MapFilters) -> dict[str, Any]:
    store, knowledge = _store(request), _knowledge(request)
    try:   # reads every event's places: kept until the data changes, as the statistics are
        return queries.kept_until_change(store, ("map", id(knowledge), f), lambda: geo.map_data(store, knowledge, f))
    except LaunchwatchError as e:
        raise HTTPException(status_code=422, detail=str(e)) from None


@router.get("/api/map", tags=["charts"], response_model=MapData, responses={422: ERRORS[422], 500: ERRORS[500]},
            summary="Launch sites and landing areas of events")
def map_json(request: Request, f: geo.MapFilters = Depends(map_filters)) -> dict[str, Any]:
    """Places of events matched to known sites: `points` (with coordinates), `without_coords`,
    `unmatched` place texts, the known launch sites, and the map's `extent` [west, south, east, north]."""
    return map_data(request, f)


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(request: Request, f: geo.MapFilters = Depends(map_filters)) -> HTMLResponse:
    data = map_data(request, f)
    params = {"actor": f.actor, "class": f.weapon_class, "since": f.since, "until": f.until}
    return render(request, "map.html", {
        **_form_context(request, {k: v for k, v in params.items() if v}), "data": data,
        "svg": geo.map_svg(data), "json_url": "/api/map"})


@router.get("/map/basemap.svg", include_in_schema=False)
def basemap_svg(extent: str = Query(..., pattern=geo.EXTENT_PATTERN)):
    """The country outlines of one extent, as a cacheable image under the map's markers."""
    return geo.basemap_response(extent)
