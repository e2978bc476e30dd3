"""The FastAPI application: one Store per app, routers from api, pages, auth and alerts.

Every HTML page has a JSON twin built by the same query function (pages.py
calls what api.py serves, both from web/queries.py), and every error, HTML or
JSON, has one shape (web/errors.py). The OpenAPI spec is at /api/openapi.json;
FastAPI's /docs page is off, because it loads Swagger UI from a CDN.

`launchwatch serve --workers N` starts N processes, each building its app with
`create_app()` from the environment (uvicorn's factory mode).
"""
from __future__ import annotations

from fastapi import FastAPI

from launchwatch.store import Store
from launchwatch.web.settings import WebSettings


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

    app.router.on_shutdown.append(app.state.store.close)
    return app
