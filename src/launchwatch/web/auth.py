"""Accounts on the web: who is asking, what they may do, CSRF, login, and analysts' review actions.

Each request passes, outermost first:
  SessionMiddleware  the signed cookie (itsdangerous; HttpOnly, SameSite=Lax, Secure behind HTTPS)
                     holding {"sid": session token, "csrf": CSRF token, "flash": [...]}
  AccessMiddleware   request.state.user from the `sessions` table (None when logged out, removed
                     or disabled); with anonymous read off, everything but the open paths needs
                     a user; every POST/PUT/PATCH/DELETE needs a user (except logging in) and the
                     session's CSRF token, as the form field `csrf_token` or the X-CSRF-Token header
then the routes: /login, /logout, /api/session (the JSON twin of logging in and out), and
/events/{id}/review with its JSON twin /api/events/{id}/review (role analyst or admin), which
record actions through launchwatch.resolve.actions, the audit trail.
"""
from __future__ import annotations

import hmac
import logging
import secrets
from typing import Literal
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, FastAPI, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from launchwatch.knowledge import load_knowledge
from launchwatch.resolve.actions import SETTABLE, ReviewError, parse_value, record
from launchwatch.resolve.query import find_event_id
from launchwatch.resolve.review import ACTIONS
from launchwatch.store.models import reports
from launchwatch.web import users as accounts
from launchwatch.web.errors import ErrorBody, error_response, wants_html

log = logging.getLogger(__name__)

SESSION_COOKIE = "launchwatch_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOGIN_PATHS = frozenset({"/login", "/api/session"})          # writable without a user (CSRF still needed)
OPEN_PATHS = LOGIN_PATHS | {"/api/health"}                     # readable with anonymous read off
MAX_FORM_BYTES = 1024 * 1024                                   # forms here are a few fields
REVIEW_ROLE = "analyst"


def install(app: FastAPI) -> None:
    """Sessions, the access middleware, the login and review routes, and the Jinja helpers."""
    settings, store = app.state.settings, app.state.store
    secret = settings.secret_key or accounts.app_secret(store, "session_key")
    app.add_middleware(AccessMiddleware, store=store, anonymous_read=settings.anonymous_read)
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                       max_age=accounts.SESSION_LIFETIME_S, same_site="lax", https_only=settings.https)
    app.include_router(router)
    _register_template_globals()


# -- the access middleware -------------------------------------------------

class AccessMiddleware:
    """Sets request.state.user and refuses what the visitor may not do (pure ASGI: no body copy on reads)."""

    def __init__(self, app, store, anonymous_read: bool):
        self.app, self.store, self.anonymous_read = app, store, anonymous_read

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        user = await self._user(request)
        scope.setdefault("state", {})["user"] = user
        refusal = self._read_refusal(request, user)
        if refusal is None and request.method in UNSAFE_METHODS:
            refusal, receive = await self._write_refusal(request, user, receive)
        if refusal is not None:
            return await refusal(scope, receive, send)
        await self.app(scope, receive, send)

    async def _user(self, request: Request) -> accounts.User | None:
        token = request.session.get("sid")
        if not token:
            return None
        user = await run_in_threadpool(accounts.session_user, self.store, token)
        if user is None:
            request.session.pop("sid", None)   # logged out elsewhere, removed or disabled: forget it
        return user

    def _read_refusal(self, request: Request, user) -> Response | None:
        path = request.url.path
        if user is not None or self.anonymous_read or path in OPEN_PATHS or path.startswith("/static/"):
            return None
        if path == "/feed.atom" or not wants_html(request):   # feed readers and API clients cannot use a form
            return error_response(request, 401, "unauthorized", "log in to read (anonymous read is off)")
        return RedirectResponse("/login?next=" + quote(_path_with_query(request), safe="/"), status_code=303)

    async def _write_refusal(self, request: Request, user, receive):
        if user is None and request.url.path not in LOGIN_PATHS:
            return error_response(request, 401, "unauthorized", "log in to change anything"), receive
        given = request.headers.get(CSRF_HEADER)
        if given is None and _is_form(request):
            body = await _read_body(receive, MAX_FORM_BYTES)
            if body is None:
                return error_response(request, 413, "too_large", "the form is too large"), receive
            try:
                given = await _form_field(request.scope, _replay(body, receive), CSRF_FIELD)
            except StarletteHTTPException:
                return error_response(request, 400, "bad_request", "the form cannot be read"), receive
            receive = _replay(body, receive)
        if not _same_token(request.session.get("csrf"), given):
            return error_response(request, 403, "csrf_failed",
                                  "missing or wrong CSRF token: reload the page and try again"), receive
        return None, receive


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind in ("application/x-www-form-urlencoded", "multipart/form-data")


def _same_token(expected, given) -> bool:
    if not expected or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


async def _read_body(receive, limit: int) -> bytes | None:
    """The whole request body, or None when it is larger than `limit`."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > limit:
            return None
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive):
    """A receive callable that gives `body` (already read) once, then waits on the client as before."""
    sent = False

    async def replay():
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}
    return replay


async def _form_field(scope, receive, name: str):
    form = await Request(scope, receive).form()
    try:
        return form.get(name)
    finally:
        await form.close()


def _path_with_query(request: Request) -> str:
    query = request.url.query
    return request.url.path + ("?" + query if query else "")


def _with_headers(response: Response, headers: dict) -> Response:
    for name, value in headers.items():
        response.headers[name] = value
    return response


# -- CSRF tokens, flash messages and the templates' helpers ----------------

def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


def flash(request: Request, kind: Literal["ok", "error"], text: str, link: str | None = None) -> None:
    """A message shown once on the next page (after the redirect that follows a form)."""
    request.session["flash"] = [*request.session.get("flash", []), {"kind": kind, "text": text, "link": link}]


def take_flashes(request: Request) -> list[dict]:
    return request.session.pop("flash", []) if "flash" in request.session else []


def _register_template_globals() -> None:
    from launchwatch.web.templating import templates

    @jinja2.pass_context
    def csrf_input(context) -> Markup:
        token = csrf_token(context["request"])
        return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, token)

    @jinja2.pass_context
    def flashes(context) -> list[dict]:
        return take_flashes(context["request"])

    env = getattr(templates, "env", templates)
    env.globals.update(csrf_input=csrf_input, flashes=flashes, review_fields=SETTABLE,
                       review_role=REVIEW_ROLE)


# -- logging in and out ----------------------------------------------------

router = APIRouter()


def _local_target(target: str | None, default: str = "/events") -> str:
    """Where to go after logging in: a path on this site only (no //host, no scheme)."""
    if (target and target.startswith("/") and not target.startswith("//") and "\\" not in target
            and target.isprintable()):
        return target
    return default


def _login_keys(request: Request, name: str) -> list[str]:
    host = request.client.host if request.client else "unknown"
    return [f"ip:{host}", f"user:{name.strip().lower()}"]


class LoginRefused(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: int = 0):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


def _log_in(request: Request, name: str, password: str) -> accounts.User:
    """Check the rate limit and the password, then start a fresh session; raises LoginRefused."""
    store, keys = request.app.state.store, _login_keys(request, name)
    wait = accounts.login_retry_after(store, keys)
    if wait:
        log.warning("login refused for %r from %s: too many failures", name, keys[0][3:])
        raise LoginRefused(429, "too_many_attempts", f"too many failed logins: try again in {wait} s", wait)
    user = accounts.authenticate(store, name, password)
    if user is None:
        accounts.record_login_failure(store, keys)
        log.info("login failed for %r from %s", name, keys[0][3:])
        raise LoginRefused(401, "login_failed", "wrong user name or password")
    accounts.clear_login_failures(store, keys[1])  # the address keeps its count: spraying names stays slow
    old = request.session.get("sid")
    if old:
        accounts.close_session(store, old)
    request.session.clear()   # a new session and CSRF token: nothing carried over from before
    request.session["sid"] = accounts.open_session(store, user.name)
    csrf_token(request)
    log.info("login: %s (%s)", user.name, user.role)
    return user


def _log_out(request: Request) -> None:
    token = request.session.get("sid")
    if token:
        accounts.close_session(request.app.state.store, token)
    request.session.clear()


def _login_page(request: Request, next_path: str, error: str | None = None, status: int = 200,
                headers: dict | None = None) -> Response:
    from launchwatch.web.templating import render

    response = render(request, "login.html", {"next": next_path, "error": error}, status_code=status)
    return _with_headers(response, headers) if headers else response


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str | None = None) -> Response:
    return _login_page(request, _local_target(next))


@router.post("/login", include_in_schema=False)
def login_submit(request: Request, name: str = Form(""), password: str = Form(""),
                 next: str = Form("")) -> Response:
    target = _local_target(next)
    try:
        _log_in(request, name, password)
    except LoginRefused as refused:
        headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else None
        return _login_page(request, target, refused.message, refused.status, headers)
    return RedirectResponse(target, status_code=303)


@router.post("/logout", include_in_schema=False)
def logout_submit(request: Request) -> Response:
    _log_out(request)
    return RedirectResponse("/events" if request.app.state.settings.anonymous_read else "/login", status_code=303)


class UserOut(BaseModel):
    name: str
    role: str


class SessionOut(BaseModel):
    user: UserOut | None
    csrf_token: str = Field(description="Send it back as the X-CSRF-Token header on every write.")


class LoginIn(BaseModel):
    name: str
    password: str


def _session_out(request: Request) -> SessionOut:
    user = request.state.user
    return SessionOut(user=UserOut(name=user.name, role=user.role) if user else None,
                      csrf_token=csrf_token(request))


def _errors(**descriptions: str) -> dict:
    """OpenAPI `responses` for error statuses, each in the one error shape."""
    return {int(status[1:]): {"model": ErrorBody, "description": text} for status, text in descriptions.items()}


_SESSION_ERRORS = _errors(s400="a body that is not JSON", s401="wrong name or password",
                          s403="missing or wrong CSRF token", s429="too many failed logins (see Retry-After)")


@router.get("/api/session", response_model=SessionOut, tags=["accounts"])
def session_info(request: Request) -> SessionOut:
    """Who is logged in, and the CSRF token to send as X-CSRF-Token on writes."""
    return _session_out(request)


@router.post("/api/session", response_model=SessionOut, tags=["accounts"], responses=_SESSION_ERRORS)
def session_login(request: Request, body: LoginIn) -> Response | SessionOut:
    """Log in (needs the X-CSRF-Token from GET /api/session); the answer carries the new CSRF token."""
    try:
        user = _log_in(request, body.name, body.password)
    except LoginRefused as refused:
        headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else None
        return error_response(request, refused.status, refused.code, refused.message, headers=headers)
    request.state.user = user
    return _session_out(request)


@router.delete("/api/session", response_model=SessionOut, tags=["accounts"],
               responses=_errors(s401="not logged in", s403="missing or wrong CSRF token"))
def session_logout(request: Request) -> SessionOut:
    """Log out: the session ends on the server, not only in this browser."""
    _log_out(request)
    request.state.user = None
    return _session_out(request)


# -- analysts' review actions ----------------------------------------------

class ReviewIn(BaseModel):
    """One review action on an event; which fields count depends on the action."""

    action: Literal["merge", "split", "set", "reject", "confirm"]
    reason: str | None = Field(None, description="Why: kept in the audit trail (required to reject).")
    field: str | None = Field(None, description=f"set: the field, one of {', '.join(SETTABLE)}.")
    value: str | float | None = Field(None, description='set: the new value; null or "none" clears it.')
    merge_with: list[str] = Field(default_factory=list, description="merge: the other events' ids.")
    report_ids: list[str] = Field(default_factory=list, description="split: the reports to move out.")


class ReviewOut(BaseModel):
    action: str
    event: dict = Field(description="The event after the action, as GET /api/events/{id} gives it.")
    split_event_id: str | None = Field(None, description="split: the new event holding the moved reports.")


def _reviewer(request: Request) -> accounts.User:
    user = request.state.user
    if user is None:
        raise HTTPException(401, "log in to review events")
    if not user.can(REVIEW_ROLE):
        raise HTTPException(403, f"reviewing needs the {REVIEW_ROLE} or admin role; {user.name} is a {user.role}")
    return user


def _apply_review(request: Request, event_id: str, review: ReviewIn) -> tuple[str, str | None]:
    """Record the action as the logged-in analyst; returns (the event's id now, a split-off event's id)."""
    user = _reviewer(request)
    store, settings = request.app.state.store, request.app.state.settings
    current = find_event_id(store, event_id)
    if current is None:
        raise HTTPException(404, f"no event with id {event_id!r}")
    moved = set(review.report_ids) if review.action == "split" else set()
    staying = next((r for r in _reports_of(store, current) if r not in moved), None)
    reason = (review.reason or "").strip() or None
    if review.action == "reject" and not reason:
        raise ReviewError("say why the event is rejected: the reason is kept in the audit trail")
    if review.action == "set" and not review.field:
        raise ReviewError("choose the field to set")
    value = parse_value(review.field, None if review.value is None else str(review.value)) \
        if review.action == "set" else None
    record(store, review.action, [current, *(review.merge_with if review.action == "merge" else [])],
           analyst=user.name, reason=reason, field=review.field if review.action == "set" else None,
           value=value, report_ids=review.report_ids if review.action == "split" else None,
           knowledge=load_knowledge(settings.core.knowledge_dirs))
    log.info("review: %s %s by %s", review.action, current, user.name)
    # Event ids follow their reports (a split may give the old id to the moved ones): find the
    # event again by a report that stayed.
    split_off = find_event_id(store, review.report_ids[0]) if review.action == "split" else None
    return (find_event_id(store, staying) if staying else None) or current, split_off


def _reports_of(store, event_id: str) -> list[str]:
    with store.engine.connect() as conn:
        return sorted(conn.execute(select(reports.c.id).where(reports.c.event_id == event_id)).scalars())


def _ids(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").split() if part]


@router.post("/events/{event_id}/review", include_in_schema=False)
def review_form(request: Request, event_id: str, action: str = Form(...), reason: str = Form(""),
                field: str = Form(""), value: str = Form(""), merge_with: str = Form(""),
                report_ids: list[str] = Form(default_factory=list)) -> Response:
    """The review forms of the event page: record, then show the event with a message."""
    if action not in ACTIONS:
        raise HTTPException(422, f"unknown action {action!r}: use {', '.join(ACTIONS)}")
    review = ReviewIn(action=action, reason=reason, field=field or None, value=value,
                      merge_with=_ids(merge_with), report_ids=report_ids)
    try:
        now, split_off = _apply_review(request, event_id, review)
    except ReviewError as err:
        flash(request, "error", f"{action} not recorded: {err}")
        return RedirectResponse(f"/events/{quote(event_id)}#review", status_code=303)
    flash(request, "ok", f"{action} recorded by {request.state.user.name}"
          + (f"; the moved reports are now event {split_off}" if split_off else ""),
          link=f"/events/{split_off}" if split_off else None)
    return RedirectResponse(f"/events/{quote(now)}#review", status_code=303)


_REVIEW_ERRORS = _errors(s400="a body that is not JSON", s401="not logged in",
                         s403="not an analyst or admin, or a missing or wrong CSRF token",
                         s404="no such event", s422="the action cannot be applied (the reason is the message)")


@router.post("/api/events/{event_id}/review", response_model=ReviewOut, tags=["review"], responses=_REVIEW_ERRORS)
def review_json(request: Request, event_id: str, review: ReviewIn) -> ReviewOut:
    """Confirm, reject, set a field, merge or split an event (analyst or admin; X-CSRF-Token header)."""
    from launchwatch.web.queries import event_detail

    try:
        now, split_off = _apply_review(request, event_id, review)
    except ReviewError as err:
        raise HTTPException(422, str(err)) from None
    return ReviewOut(action=review.action, event=event_detail(request.app.state.store, now),
                     split_event_id=split_off)
