"""The FastAPI application: one Store per app, routers from api, pages, auth and alerts.

Every HTML page has a JSON twin built by the same query function (pages.py
calls what api.py serves, both from web/queries.py), and every error, HTML or
JSON, has one shape (web/errors.py). The OpenAPI spec is at /api/openapi.json;
FastAPI's /docs page is off, because it loads Swagger UI from a CDN.

`launchwatch serve --workers N` starts N processes, each building its app with
`create_served_app()` from the environment (uvicorn's factory mode).
"""
from __future__ import annotations

import gc

import anyio.to_thread
from fastapi import FastAPI

from launchwatch.store import Store
from launchwatch.web.settings import WebSettings


# Synchronous routes run in a thread pool. Fewer threads than the database pool's
# 15 connections (SQLAlchemy's default 5 + 10 overflow), so a request that needs a
# second connection always gets one; with Python's GIL more threads would not
# answer faster anyway.
THREADS = 8


def _limit_threads() -> None:
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS


def _freeze_startup_objects() -> None:
    """Keep what start-up built (modules, knowledge, compiled templates) out of the garbage
    collector's full passes, which otherwise walk it all again and again under load."""
    gc.collect()
    gc.freeze()


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()
    app = FastAPI(title="launchwatch", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json",
                  description="Missile launch events resolved from news reports, with every claim "
                              "sourced. Errors: {\"error\": {\"status\", \"code\", \"message\", \"details\"}}.")
    app.state.settings = settings
    app.state.store = Store(settings.core.db_url)
    from launchwatch.web import alerts, api, auth, errors, pages  # each module adds its routes and middleware
    api.install(app)
    auth.install(app)
    pages.install(app)
    alerts.install(app)
    errors.install(app)   # last: its middleware is then the outermost, catching every crash

    app.router.on_startup.append(_limit_threads)
    app.router.on_shutdown.append(app.state.store.close)
    return app


def create_served_app(settings: WebSettings | None = None) -> FastAPI:
    """create_app for a `launchwatch serve` worker, a process of its own: the objects built by
    start-up are frozen out of the garbage collector's passes (a process-wide setting, so not
    for an app embedded elsewhere)."""
    app = create_app(settings)
    app.router.on_startup.append(_freeze_startup_objects)
    return app
