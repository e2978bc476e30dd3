"""`launchwatch resolve` and `launchwatch review ...`: regrouping events and analysts' corrections."""
from __future__ import annotations

import getpass
import os

import click

from launchwatch.knowledge import load_knowledge
from launchwatch.resolve import rebuild, resolve_pending
from launchwatch.resolve.actions import SETTABLE, history, parse_value, record


def _cli():
    from launchwatch import cli as cli_module
    return cli_module


def common_options(func):
    return _cli().common_options(func)


@click.command(name="resolve")
@click.option("--rebuild", "full", is_flag=True,
              help="Recompute every event from stored reports, claims and analysts' reviews.")
@common_options
@click.pass_context
def resolve_command(ctx, full):
    """Group reports of the same launch from many documents into events.

    `ingest` resolves new reports itself; run this after changing knowledge
    files or to rebuild everything. Analysts' merges, splits and corrections
    are replayed, so they survive a rebuild.

    Example:

    \b
        launchwatch resolve --rebuild
    """
    cli = _cli()
    settings = cli.get_settings(ctx)
    with cli.open_store(ctx) as store:
        knowledge = load_knowledge(settings.knowledge_dirs)
        summary = rebuild(store, knowledge) if full else resolve_pending(store, knowledge)
    click.echo(summary.line())


def _analyst_option(func):
    func = click.option("--reason", metavar="TEXT", help="Why: kept in the audit trail.")(func)
    return click.option("--analyst", metavar="NAME", envvar="LAUNCHWATCH_ANALYST",
                        default=lambda: os.environ.get("USER") or getpass.getuser(),
                        show_default="$LAUNCHWATCH_ANALYST, else your user name",
                        help="Who makes the correction (recorded as analyst:NAME).")(func)


@click.group(name="review")
@common_options
def review_group():
    """Analysts' corrections: merge, split, set a field, reject, confirm; `log` shows the trail.

    Each action is recorded with the analyst's name, time and reason, and
    kept through `launchwatch resolve --rebuild`.

    Example:

    \b
        launchwatch review merge ev-1a2b3c4d5e6f ev-6f5e4d3c2b1a --reason "same launch, UTC date"
        launchwatch review set ev-1a2b3c4d5e6f distance_km 1050 --reason "JCS revised figure"
    """


def _run(ctx, action: str, event_ids: list[str], analyst: str, reason: str | None, **extra) -> None:
    cli = _cli()
    settings = cli.get_settings(ctx)
    with cli.open_store(ctx) as store:
        summary = record(store, action, event_ids, analyst=analyst, reason=reason,
                         knowledge=load_knowledge(settings.knowledge_dirs), **extra)
    click.echo(f"{action} recorded by analyst:{analyst}; {summary.line()}")


@review_group.command(name="merge")
@click.argument("event_ids", nargs=-1, required=True, metavar="EVENT EVENT...")
@_analyst_option
@common_options
@click.pass_context
def merge_command(ctx, event_ids, analyst, reason):
    """Make two or more events one launch.

    Example:

    \b
        launchwatch review merge ev-1a2b3c4d5e6f ev-6f5e4d3c2b1a --reason "same launch"
    """
    _run(ctx, "merge", list(event_ids), analyst, reason)


@review_group.command(name="split")
@click.argument("event_id", metavar="EVENT")
@click.argument("report_ids", nargs=-1, required=True, metavar="REPORT...")
@_analyst_option
@common_options
@click.pass_context
def split_command(ctx, event_id, report_ids, analyst, reason):
    """Move reports (ids from `launchwatch show EVENT`) out of an event into a new one.

    Example:

    \b
        launchwatch review split ev-1a2b3c4d5e6f ev-99aa88bb77cc --reason "a second launch that day"
    """
    _run(ctx, "split", [event_id], analyst, reason, report_ids=list(report_ids))


@review_group.command(name="set")
@click.argument("event_id", metavar="EVENT")
@click.argument("field", type=click.Choice(SETTABLE), metavar="FIELD")
@click.argument("value", metavar="VALUE")
@_analyst_option
@common_options
@click.pass_context
def set_command(ctx, event_id, field, value, analyst, reason):
    """Override a field's value ("none" clears it); the analyst's claim wins the ledger.

    Example:

    \b
        launchwatch review set ev-1a2b3c4d5e6f weapon_class irbm --reason "KCNA named it"
    """
    _run(ctx, "set", [event_id], analyst, reason, field=field, value=parse_value(field, value))


@review_group.command(name="reject")
@click.argument("event_id", metavar="EVENT")
@_analyst_option
@common_options
@click.pass_context
def reject_command(ctx, event_id, analyst, reason):
    """Mark an event as not a launch (kept, hidden from `events` unless --all).

    Example:

    \b
        launchwatch review reject ev-1a2b3c4d5e6f --reason "an exercise scenario"
    """
    _run(ctx, "reject", [event_id], analyst, reason)


@review_group.command(name="confirm")
@click.argument("event_id", metavar="EVENT")
@_analyst_option
@common_options
@click.pass_context
def confirm_command(ctx, event_id, analyst, reason):
    """Vouch for an event after checking it.

    Example:

    \b
        launchwatch review confirm ev-1a2b3c4d5e6f
    """
    _run(ctx, "confirm", [event_id], analyst, reason)


@review_group.command(name="log")
@click.argument("event_id", required=False, metavar="[EVENT]")
@common_options
@click.pass_context
def log_command(ctx, event_id):
    """The audit trail: every action, or those touching one event.

    Example:

    \b
        launchwatch review log ev-1a2b3c4d5e6f
    """
    with _cli().open_store(ctx) as store:
        rows = history(store, event_id)
    for r in rows:
        what = f" {r['field']}={r['value']!r}" if r["action"] == "set" else ""
        why = f"  reason: {r['reason']}" if r.get("reason") else ""
        click.echo(f"{r['id']:>4}  {r['created_at']}  analyst:{r['analyst']}  {r['action']}{what}  "
                   f"{r['event_id']}  reports: {', '.join(r['report_ids'])}{why}")
    if not rows:
        click.echo("no review actions recorded", err=True)
