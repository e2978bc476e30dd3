"""`launchwatch serve`: the REST API, the analysts' web UI and the alerts, served by uvicorn."""
from __future__ import annotations

import os

import click

UVICORN_LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def _cli():
    from launchwatch import cli as cli_module
    return cli_module


def common_options(func):
    return _cli().common_options(func)


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "(unparsable URL)"


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes; each opens the database and answers requests on its own.")
@click.option("--log-level", default="info", show_default=True, type=click.Choice(UVICORN_LOG_LEVELS),
              help="uvicorn's log level (access lines at info).")
@common_options
@click.pass_context
def serve_command(ctx, host, port, workers, log_level):
    """Serve the REST API (/api/), the web UI (/events), the Atom feed and webhooks.

    Settings come from the environment (docs/web.md): LAUNCHWATCH_ANONYMOUS_READ,
    LAUNCHWATCH_SECRET_KEY, LAUNCHWATCH_ALLOW_PRIVATE_URLS, LAUNCHWATCH_HTTPS.
    The OpenAPI spec is at /api/openapi.json. Stop with Ctrl-C.

    Example:

    \b
        launchwatch --db sqlite:///launches.db serve --port 8000
        launchwatch serve --host 0.0.0.0 --workers 2 --db postgresql+psycopg://lw@dbhost/lw
    """
    import uvicorn

    from launchwatch.web.app import create_served_app
    from launchwatch.web.settings import WebSettings

    core = _cli().get_settings(ctx)
    # The workers build their own app from the environment, so what was given on the command line goes there.
    os.environ.update(LAUNCHWATCH_DB=core.db_url, LAUNCHWATCH_KNOWLEDGE=os.pathsep.join(core.knowledge_dirs),
                      LAUNCHWATCH_MAX_BYTES=str(core.max_bytes))
    app = create_served_app(WebSettings(core=core))   # opens (and migrates) the database once, before any worker
    click.echo(f"launchwatch: serving http://{host}:{port}/events and /api/ from {_shown(core.db_url)} "
               f"with {workers} worker{'s' if workers > 1 else ''}", err=True)
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level=log_level)
    else:
        app.state.store.close()
        from launchwatch.web import workers as worker_processes
        try:
            worker_processes.run(host, port, workers, log_level)
        except worker_processes.WorkerError as err:
            raise click.ClickException(str(err)) from None


COMMANDS: list[click.Command] = [serve_command]
