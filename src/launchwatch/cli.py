"""The `launchwatch` command: a thin layer over the library.

Each command builds Settings (env, then --db/--knowledge/--max-bytes given on
the group or on the command), calls one library function, and turns a
LaunchwatchError into a one-line message and a non-zero exit.
"""
from __future__ import annotations

import json
import sys
from typing import Any

import click

from launchwatch.errors import LaunchwatchError
from launchwatch.export import (
    export, render_event, write_events_csv, write_events_jsonl, write_listing_csv, write_listing_jsonl,
)
from launchwatch.ingest import Summary, ingest, process_all, result_object
from launchwatch.knowledge import load_knowledge
from launchwatch.resolve import get_event, list_events, resolve_pending
from launchwatch.settings import Settings
from launchwatch.store import Store

EXIT_SOME_FAILED, EXIT_NOTHING_READ = 1, 2
STATUSES = ("confirmed", "single-source", "state-media-only", "self-reported", "unattributed")


class LaunchwatchGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except LaunchwatchError as err:
            raise click.ClickException(str(err)) from None


def _remember(key: str):
    def callback(ctx: click.Context, _param, value):
        state = ctx.ensure_object(dict)
        if key == "knowledge_dirs":
            state[key] = (*state.get(key, ()), *value) if value else state.get(key)
        elif value is not None:
            state[key] = value
        return value
    return callback


def common_options(func):
    """--db, --knowledge, --max-bytes: accepted on the group and on every command."""
    options = [
        click.option("--db", metavar="URL", expose_value=False, callback=_remember("db_url"),
                     help="SQLAlchemy database URL, e.g. sqlite:///path/to.db (default: "
                          "$LAUNCHWATCH_DB, else sqlite:///launchwatch.db); a bare path means SQLite."),
        click.option("--knowledge", metavar="DIR", multiple=True, expose_value=False,
                     callback=_remember("knowledge_dirs"),
                     help="Extra knowledge folder (repeatable; default: $LAUNCHWATCH_KNOWLEDGE)."),
        click.option("--max-bytes", metavar="N", type=click.IntRange(min=1), expose_value=False,
                     callback=_remember("max_bytes"),
                     help="Refuse documents larger than N bytes (default: 10 MB)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def input_options(func):
    func = click.option("--published", metavar="DATE",
                        help="Publication date (YYYY-MM-DD) for documents that do not carry one.")(func)
    func = click.option("--manifest", metavar="FILE", type=click.Path(dir_okay=False),
                        help="A manifest.jsonl of {id, path, published} lines to read.")(func)
    return click.argument("paths", nargs=-1, metavar="PATH...")(func)


def get_settings(ctx: click.Context) -> Settings:
    try:
        settings = Settings.from_env()
    except ValueError as err:
        raise click.UsageError(f"bad LAUNCHWATCH_MAX_BYTES: {err}") from None
    state = ctx.ensure_object(dict)
    return settings.with_(db_url=state.get("db_url"), knowledge_dirs=state.get("knowledge_dirs"),
                          max_bytes=state.get("max_bytes"))


def open_store(ctx: click.Context) -> Store:
    return Store(get_settings(ctx).db_url)


def _require_input(paths, manifest) -> None:
    if not paths and not manifest:
        click.echo("Error: give at least one PATH or --manifest FILE", err=True)
        sys.exit(EXIT_NOTHING_READ)


@click.group(cls=LaunchwatchGroup)
@common_options
@click.version_option(package_name="launchwatch")
def cli():
    """Turn news reports of missile launches into a sourced event database.

    Example:

    \b
        launchwatch --db sqlite:///launches.db ingest articles/
        launchwatch --db sqlite:///launches.db events --actor KP
    """


@cli.command(name="ingest")
@input_options
@common_options
@click.pass_context
def ingest_command(ctx, paths, manifest, published):
    """Read, extract and store documents (files, folders, manifests).

    Re-ingesting the same document changes nothing. Failures are kept in the
    database with their error and listed on stderr. Exit code: 0 all
    succeeded, 1 some failed, 2 none could be read.

    Example:

    \b
        launchwatch ingest articles/ --published 2022-03-24
        launchwatch --db sqlite:///launches.db ingest --manifest set/manifest.jsonl
    """
    _require_input(paths, manifest)
    settings = get_settings(ctx)
    with Store(settings.db_url) as store:
        with _progress() as report:
            summary = ingest(paths, store=store, settings=settings, manifest=manifest,
                             published=published, progress=report)
        resolved = resolve_pending(store, load_knowledge(settings.knowledge_dirs))
    if resolved.reports:
        click.echo(resolved.line())
    click.echo(summary.line())
    sys.exit(summary.exit_code)


class _progress:
    """A rich progress bar on a terminal stderr; failures printed as they happen."""

    def __enter__(self):
        self.bar = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
            self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("ingesting", total=None)
        return self.report

    def report(self, result, status: str) -> None:
        if status == "failed":
            line = f"{result.raw.source}: {result.error}"
            if self.bar:
                self.bar.console.print(line, markup=False, highlight=False)
            else:
                click.echo(line, err=True)
        if self.bar:
            self.bar.update(self.task, advance=1, description=result.raw.source[-40:])

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()


@cli.command(name="extract")
@input_options
@common_options
@click.pass_context
def extract_command(ctx, paths, manifest, published):
    """Print one JSON document object per line (SCHEMA.md); no database writes.

    Failed documents print {"id", "published": null, "events": [], "error"}.
    Exit code: 0 all succeeded, 1 some failed, 2 none could be read.

    Example:

    \b
        launchwatch extract --manifest eval/dev/manifest.jsonl > pred.jsonl
        launchwatch extract article.html --published 2021-09-16
    """
    _require_input(paths, manifest)
    summary = Summary()
    for result in process_all(paths, settings=get_settings(ctx), manifest=manifest, published=published):
        summary.read += 1
        if not result.ok:
            summary.failed.append((result.raw.source, result.error))
            click.echo(f"{result.raw.source}: {result.error}", err=True)
        click.echo(json.dumps(result_object(result), ensure_ascii=False))
    sys.exit(summary.exit_code)


@cli.command(name="events")
@click.option("--actor", metavar="CC", help="Launching state, ISO 3166 alpha-2 (KP, IR, RU, ...).")
@click.option("--since", metavar="DATE", help="On or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", metavar="DATE", help="On or before DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--class", "weapon_class", metavar="CLASS", help="Weapon class: srbm, icbm, cruise, ...")
@click.option("--status", type=click.Choice(STATUSES), help="Verification status.")
@click.option("--all", "include_rejected", is_flag=True, help="Include events an analyst rejected.")
@click.option("--reports", "per_report", is_flag=True,
              help="List each article's reports instead of resolved events.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="table; JSON lines (one event with its claims per line); CSV.")
@common_options
@click.pass_context
def events_command(ctx, actor, since, until, weapon_class, status, include_rejected, per_report, fmt):
    """List events (one per launch, reports of many articles resolved), ordered by date.

    JSON lines carry the SCHEMA.md fields (chosen values) plus id, documents,
    claims, conflicts, status, sources, copies and choices (why each value).

    Example:

    \b
        launchwatch events --actor KP --since 2022-01 --class icbm
        launchwatch events --format json > events.jsonl
        launchwatch events --reports --format csv > reports.csv
    """
    with open_store(ctx) as store:
        if per_report:
            rows = store.reports(actor=actor, since=since, until=until, weapon_class=weapon_class)
        else:
            rows = list_events(store, actor=actor, since=since, until=until, weapon_class=weapon_class,
                               status=status, include_rejected=include_rejected, with_claims=fmt == "json")
    if per_report and fmt != "table":
        (write_listing_jsonl if fmt == "json" else write_listing_csv)(rows, sys.stdout)
    elif fmt == "json":
        write_events_jsonl(rows, sys.stdout)
    elif fmt == "csv":
        write_events_csv(rows, sys.stdout)
    else:
        _events_table(rows, per_report)


def _cell(value: Any) -> str:
    from launchwatch.export import number
    if isinstance(value, list):
        return ", ".join(value)
    return number(value)


def _events_table(rows: list[dict[str, Any]], per_report: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=220)
    table = Table(box=None, header_style="bold")
    columns = [("date", "date"), ("actor", "actor"), ("class", "weapon_class"),
               ("name", "weapon_name"), ("count", "count"), ("platform", "platform"),
               ("distance km", "distance_km"), ("apogee km", "apogee_km"),
               ("outcome", "outcome"), ("reported by", "reported_by")]
    if not per_report:
        columns += [("status", "status"), ("docs", "n_docs"), ("conflicts", "conflict_fields")]
    columns.append(("id", "id"))
    for title, key in columns:
        table.add_column(title, no_wrap=key in ("id", "date"),
                         justify="right" if key in ("count", "distance_km", "apogee_km", "n_docs") else "left")
    for row in rows:
        if not per_report:
            row = dict(row, n_docs=len(row["documents"]),
                       conflict_fields=[c["field"] for c in row["conflicts"]])
        table.add_row(*(_cell(row[key]) for _, key in columns))
    console.print(table)
    noun = "report" if per_report else "event"
    console.print(f"{len(rows)} {noun}{'s' if len(rows) != 1 else ''}", style="dim")


@cli.command(name="show")
@click.argument("event_id")
@common_options
@click.pass_context
def show_command(ctx, event_id):
    """Show one event: each field's chosen value and why, every claim with its source and quote,
    conflicts, sources, copies and the analysts' audit trail.

    EVENT_ID may also be an old id of the event or the id of one of its reports.

    Example:

    \b
        launchwatch show ev-3f2a9c0d41b7
    """
    from launchwatch.resolve.actions import history

    with open_store(ctx) as store:
        event = get_event(store, event_id)
        if event is None:
            raise click.ClickException(f"no event with id {event_id!r} (see `launchwatch events`)")
        trail = history(store, event["id"])
    for line in render_event(event, trail):
        click.echo(line)


@cli.command(name="export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True,
              help="csv: CNS-database-style columns; json: a list of events with evidence.")
@click.option("--output", "-o", metavar="FILE", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE instead of stdout.")
@common_options
@click.pass_context
def export_command(ctx, fmt, output):
    """Export every event, CNS-style CSV or JSON with evidence.

    Example:

    \b
        launchwatch export --format csv --output launches.csv
        launchwatch export --format json > launches.json
    """
    with open_store(ctx) as store:
        if not output:
            export(store, fmt, sys.stdout)
            return
        with open(output, "w", encoding="utf-8", newline="") as fp:
            count = export(store, fmt, fp)
    click.echo(f"exported {count} events to {output}", err=True)


from launchwatch.cli_review import resolve_command, review_group  # noqa: E402

cli.add_command(resolve_command)
cli.add_command(review_group)

from launchwatch.batch_cli import batch_command, runs_command  # noqa: E402
from launchwatch import cli_alerts, cli_users, cli_web  # noqa: E402  serve, user, watch, webhook

for _command in (*cli_web.COMMANDS, *cli_users.COMMANDS, *cli_alerts.COMMANDS):
    cli.add_command(_command)

cli.add_command(batch_command)
cli.add_command(runs_command)

main = cli

__all__ = ["cli", "main"]
