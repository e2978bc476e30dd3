"""The FastAPI application: one Store per app, routers from api, pages, auth and alerts.

Every HTML page has a JSON twin built by the same query function (pages.py
calls what api.py serves), and every error, HTML or JSON, has one shape
(api.error_response).
"""
from __future__ import annotations

from fastapi import FastAPI

from launchwatch.store import Store
from launchwatch.web.settings import WebSettings


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()
    app = FastAPI(title="launchwatch", version="1", docs_url="/api/docs", redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.settings = settings
    app.state.store = Store(settings.core.db_url)
    from launchwatch.web import alerts, api, auth, pages  # each module adds its routes and middleware
    api.install(app)
    auth.install(app)
    pages.install(app)
    alerts.install(app)

    @app.on_event("shutdown")
    def _close() -> None:
        app.state.store.close()

    return app
