"""`launchwatch batch` and `launchwatch runs`: resumable batch runs and their record.

Loaded by launchwatch.cli, whose shared options and progress bar it uses.
"""
from __future__ import annotations

import json
import sys

import click

from launchwatch.batch import DEFAULT_BATCH_SIZE, DEFAULT_TIMEOUT_S, BatchOptions, RunInterrupted, run_batch
from launchwatch.cli import _progress, _require_input, common_options, get_settings, input_options, open_store
from launchwatch.runs import list_runs
from launchwatch.store import Store

EXIT_INTERRUPTED = 130  # the shell's code for a process stopped by Ctrl-C (128 + SIGINT)


@click.command(name="batch")
@input_options
@click.option("--workers", metavar="N", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes (1: in this process). With --dask local, the cluster's "
                   "workers; ignored with a scheduler address.")
@click.option("--dask", metavar="ADDRESS|local",
              help="Run on the Dask scheduler at ADDRESS (tcp://host:8786), or on a local "
                   "Dask cluster of --workers processes.")
@click.option("--batch-size", metavar="N", type=click.IntRange(min=1), default=DEFAULT_BATCH_SIZE,
              show_default=True, help="Documents sent to a worker at a time.")
@click.option("--timeout", metavar="SECONDS", type=click.FloatRange(min=0), default=DEFAULT_TIMEOUT_S,
              show_default=True, help="Fail a document that takes longer (0: no limit).")
@click.option("--rerun", is_flag=True,
              help="Also reprocess documents stored as failed (after a fix, or with a longer "
                   "--timeout). Documents stored ok are always skipped.")
@common_options
@click.pass_context
def batch_command(ctx, paths, manifest, published, workers, dask, batch_size, timeout, rerun):
    """Process many documents on local processes or a Dask cluster; resumable.

    Documents already in the database are skipped before any work, so the
    same command run again resumes an interrupted run. Every run is recorded
    (`launchwatch runs`). Exit code: 0 all succeeded, 1 some failed, 2 none
    could be read, 130 interrupted. Scaling out: docs/scale.md.

    Example:

    \b
        launchwatch batch archive/ --workers 2
        launchwatch --db postgresql+psycopg://lw@dbhost/lw batch --dask tcp://scheduler:8786 archive/
    """
    _require_input(paths, manifest)
    settings = get_settings(ctx)
    options = BatchOptions(workers=workers, dask=dask, batch_size=batch_size,
                           timeout=timeout or None, rerun=rerun)
    with Store(settings.db_url) as store:
        try:
            with _progress() as report:
                summary = run_batch(paths, store=store, settings=settings, options=options,
                                    manifest=manifest, published=published, progress=report)
        except RunInterrupted as stop:
            click.echo(stop.summary.line())
            click.echo(f"interrupted: run {stop.summary.run_id} kept what it stored; "
                       "run the same command again to resume", err=True)
            sys.exit(EXIT_INTERRUPTED)
    if summary.resolved is not None and summary.resolved.reports:
        click.echo(summary.resolved.line())
    click.echo(summary.line())
    sys.exit(summary.exit_code)


RUN_COLUMNS = (("id", "id"), ("status", "status"), ("started", "started_at"), ("s", "duration_s"),
               ("read", "read"), ("added", "added"), ("dup", "duplicates"),
               ("stored before", "already_stored"), ("prefilter", "skipped"), ("failed", "failed"),
               ("lost", "errors"), ("events", "events"), ("inputs", "inputs"))


@click.command(name="runs")
@click.option("--limit", metavar="N", type=click.IntRange(min=1), default=20, show_default=True,
              help="Show the N newest runs.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="table, or JSON lines (every column).")
@common_options
@click.pass_context
def runs_command(ctx, limit, fmt):
    """List batch runs, newest first: status, counts, duration and inputs.

    A run is 'running', 'finished', 'failed' (with its error) or
    'interrupted'; its counts are updated after every batch.

    Example:

    \b
        launchwatch runs --limit 5
        launchwatch runs --format json
    """
    with open_store(ctx) as store:
        rows = list_runs(store.engine, limit)
    if fmt == "json":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    else:
        _runs_table(rows)


def _inputs_cell(inputs: dict) -> str:
    items = list(inputs.get("paths") or [])
    if inputs.get("manifest"):
        items.append(f"--manifest {inputs['manifest']}")
    return " ".join(items)


def _runs_table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console() if sys.stdout.isatty() else Console(width=200)
    table = Table(box=None, header_style="bold")
    for title, key in RUN_COLUMNS:
        table.add_column(title, no_wrap=key != "inputs",
                         justify="left" if key in ("status", "started_at", "inputs") else "right")
    for row in rows:
        cells = {**row, "inputs": _inputs_cell(row["inputs"] or {}),
                 "duration_s": f"{row['duration_s']:.1f}" if row["duration_s"] is not None else "-"}
        table.add_row(*(str(cells[key]) for _, key in RUN_COLUMNS))
    console.print(table)
    console.print(f"{len(rows)} run{'s' if len(rows) != 1 else ''}", style="dim")
