"""One shape for every error the server answers, JSON or HTML.

    {"error": {"status": 404, "code": "not_found", "message": "no event with id 'ev-x'", "details": null}}

Sources of errors and their codes:
  HTTPException (FastAPI/Starlette)   the status's code (404 not_found, 403 forbidden, ...); a detail
                                      given as {"code", "message", "details"} sets them itself
  RequestValidationError              422 invalid_request, details = the offending parameters
  QueryError (web/queries.py)         422 invalid_request (a bad cursor, date or status)
  any other exception                 500 internal_error; the body says nothing more, and the log
                                      gets the traceback with passwords and secrets masked

A browser (Accept: text/html) asking for a page outside /api/ gets the same
error as an HTML page: the `error.html` template when the UI has one, else a
minimal escaped page.
"""
from __future__ import annotations

import html
import logging
import re
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from launchwatch.web.queries import QueryError

log = logging.getLogger("launchwatch.web")

CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "too_large",
    415: "unsupported_media_type", 422: "invalid_request", 429: "too_many_requests",
    500: "internal_error", 502: "bad_gateway", 503: "unavailable",
}

# Masked in logged errors: a URL's password, and key=value pairs that name a secret.
_URL_PASSWORD = re.compile(r"(\w[\w+.-]*://[^:/@\s]+:)[^@\s]+@")
_SECRET_PAIR = re.compile(r"(?i)\b(password|passwd|secret|token|api_key|key|cookie|session)"
                          r"(['\"]?\s*[=:]\s*['\"]?)[^\s'\",;&]+")


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    """Every error response: {"error": {"status", "code", "message", "details"}}."""

    error: ErrorDetail


def error_body(status: int, code: str | None, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"status": status, "code": code or CODES.get(status, "error"),
                      "message": message, "details": details}}


def wants_html(request: Request) -> bool:
    """A browser asking for a page (not /api/): it prefers text/html to JSON."""
    if request.url.path.startswith("/api/") or request.url.path == "/api":
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split("text/html")[0]


def error_response(request: Request, status: int, code: str | None, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> Response:
    """The error as JSON, or as an HTML page for a browser asking for a page."""
    body = error_body(status, code, message, details)
    if wants_html(request):
        return _html_error(request, body["error"], headers)
    return JSONResponse(body, status_code=status, headers=headers)


def _html_error(request: Request, error: dict[str, Any], headers: dict[str, str] | None) -> Response:
    context = {k: error[k] for k in ("status", "code", "message")}
    try:
        from launchwatch.web import templating
        if (templating.TEMPLATES_DIR / "error.html").exists():
            response = templating.render(request, "error.html", context, status_code=error["status"])
            response.headers.update(headers or {})
            return response
    except Exception:   # a broken template must not hide the error itself
        log.warning("error.html could not be rendered:\n%s", redact(traceback.format_exc()))
    title = html.escape(f"{error['status']} {error['code']}")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1><p>{html.escape(error['message'])}</p>"
            f"<p><a href='/events'>Events</a></p></body></html>")
    return HTMLResponse(page, status_code=error["status"], headers=headers)


def redact(text: str) -> str:
    """`text` with URL passwords and secret-looking key=value pairs masked, for logs."""
    text = _URL_PASSWORD.sub(r"\1***@", text)
    return _SECRET_PAIR.sub(r"\1\2***", text)


# -- handlers ------------------------------------------------------------------

async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail
    if isinstance(detail, dict):
        code, message, details = detail.get("code"), str(detail.get("message", "")), detail.get("details")
    else:
        code, message, details = None, str(detail), None
    return error_response(request, exc.status_code, code, message, details, getattr(exc, "headers", None))


async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
    problems = [{"loc": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
                for e in exc.errors()]
    where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['message']}" for e in problems)
    return error_response(request, 422, "invalid_request", f"invalid request: {where}", problems)


async def _query_error(request: Request, exc: QueryError) -> Response:
    return error_response(request, 422, "invalid_request", str(exc))


async def _server_error(request: Request, exc: Exception) -> Response:
    log_exception(request, exc)
    return error_response(request, 500, "internal_error",
                          "internal server error: the error was logged on the server")


def log_exception(request: Request, exc: BaseException) -> None:
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("%s %s failed:\n%s", request.method, request.url.path, redact(trace))


class CatchErrors:
    """ASGI middleware: an unhandled exception becomes the 500 error shape, logged once, redacted.

    Starlette's own last-resort handler would answer the same but then re-raise,
    and the server would log the raw traceback (secrets and all) a second time.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watch(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:   # too late for an error page: the client sees the connection drop
                log_exception(Request(scope), exc)
                return
            response = await _server_error(Request(scope), exc)
            await response(scope, receive, send)


def install(app: FastAPI) -> None:
    """Every error handler, and the middleware that turns a crash into the error shape."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ResponseValidationError, _server_error)
    app.add_exception_handler(QueryError, _query_error)
    app.add_exception_handler(Exception, _server_error)
    app.add_middleware(CatchErrors)
