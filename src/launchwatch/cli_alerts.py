"""`launchwatch watch` (poll folders and feeds) and `launchwatch webhook ...` (receivers of event changes)."""
from __future__ import annotations

import signal
import sys
import threading
from datetime import datetime

import click

from launchwatch.alerts.delivery import Deliverer
from launchwatch.alerts.watch import SETTLE_S, Watcher, is_feed_url
from launchwatch.alerts.webhooks import FILTER_KEYS, add_webhook, delivery_log, list_webhooks, remove_webhook
from launchwatch.knowledge import load_knowledge
from launchwatch.web.fetch import shown_url

STATUSES = ("confirmed", "single-source", "state-media-only", "self-reported", "unattributed")


def _cli():
    from launchwatch import cli as cli_module
    return cli_module


def common_options(func):
    return _cli().common_options(func)


def _allow_private_option(func):
    return click.option("--allow-private-urls", "allow_private", is_flag=True, default=None,
                        help="Allow private, loopback and link-local addresses "
                             "(default: $LAUNCHWATCH_ALLOW_PRIVATE_URLS, else refused).")(func)


def _allow_private(flag: bool | None) -> bool:
    from launchwatch.web.settings import WebSettings
    return bool(flag) or WebSettings().allow_private_urls


@click.command(name="watch")
@click.argument("sources", nargs=-1, required=True, metavar="PATH|FEED_URL...")
@click.option("--interval", type=click.FloatRange(min=1), default=60.0, show_default=True, metavar="SECONDS",
              help="Time between polls.")
@click.option("--once", is_flag=True, help="Poll once (files as they are now, even if just written) and exit.")
@_allow_private_option
@common_options
@click.pass_context
def watch_command(ctx, sources, interval, once, allow_private):
    """Poll folders and RSS/Atom feeds; ingest new documents, resolve them, deliver webhooks.

    Folders are read like `ingest` reads them; a file is ingested when it is
    new or changed. Each feed item is ingested once: its content, or the page
    its link points to when the feed gives only a summary. Feeds and pages
    are fetched from public addresses only (see --allow-private-urls).
    Errors are printed and the watch goes on; Ctrl-C stops it. Exit code
    with --once: 0 no errors, 1 some errors.

    Example:

    \b
        launchwatch watch inbox/ https://news.example/feed.rss --interval 300
        launchwatch watch inbox/ --once
    """
    bad = [s for s in sources if "://" in s and not is_feed_url(s)]
    if bad:
        raise click.UsageError(f"only folders, files and http(s) feed URLs can be watched, not {bad[0]!r}")
    cli = _cli()
    settings = cli.get_settings(ctx)
    with cli.open_store(ctx) as store:
        private = _allow_private(allow_private)
        watcher = Watcher(store, settings, list(sources), allow_private=private, settle_s=0 if once else SETTLE_S,
                          knowledge=load_knowledge(settings.knowledge_dirs),
                          deliverer=Deliverer(store, allow_private=private))
        if once:
            poll = watcher.poll_once()
            _report(poll)
            sys.exit(1 if poll.errors else 0)
        _run_until_stopped(watcher, interval)


def _run_until_stopped(watcher: Watcher, interval: float) -> None:
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    click.echo(f"watching {len(watcher.sources)} source(s) every {interval:g} s; Ctrl-C stops", err=True)
    try:
        watcher.run(interval, stop, _report_news)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("watch stopped", err=True)


def _report_news(poll) -> None:
    """A poll that found, failed or delivered something (quiet polls print nothing)."""
    if poll.read or poll.errors or (poll.delivery and (poll.delivery.delivered or poll.delivery.failed)):
        _report(poll)


def _report(poll) -> None:
    stamp = datetime.now().isoformat(timespec="seconds")
    for error in poll.errors:
        click.echo(f"{stamp} error: {error}", err=True)
    click.echo(f"{stamp} {poll.line()}")


@click.group(name="webhook")
@common_options
def webhook_group():
    """Receivers of event changes: each new, updated or removed event is POSTed as signed JSON.

    Deliveries run in `launchwatch serve`, after each poll of `launchwatch
    watch`, and with `webhook deliver`. See docs/alerts.md for the payload
    and how to check its X-Launchwatch-Signature.

    Example:

    \b
        launchwatch webhook add https://ops.example/hooks/launches --actor KP
        launchwatch webhook log --limit 20
    """


@webhook_group.command(name="add")
@click.argument("url")
@click.option("--secret", metavar="S", help="The HMAC key shared with the receiver (default: a random one, printed once).")
@click.option("--actor", multiple=True, metavar="CC", help="Only events of this launching state (repeatable).")
@click.option("--class", "classes", multiple=True, metavar="CLASS", help="Only events of this class (repeatable).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES),
              help="Only events of this status (repeatable).")
@common_options
@click.pass_context
def add_command(ctx, url, secret, actor, classes, statuses):
    """Add a receiver; it gets the changes recorded from now on.

    Example:

    \b
        launchwatch webhook add https://ops.example/hooks/launches --actor KP --actor IR
        launchwatch webhook add https://ops.example/hooks/icbm --class icbm --secret "$HOOK_SECRET"
    """
    filters = dict(zip(FILTER_KEYS, (actor, classes, statuses)))
    with _cli().open_store(ctx) as store:
        hook, key = add_webhook(store, url, secret, filters)
    click.echo(f"webhook {hook.id} added: {shown_url(hook.url)}{_filters_text(hook.filters)}")
    if not secret:
        click.echo(f"secret: {key}")
        click.echo("(shown once: give it to the receiver to check X-Launchwatch-Signature)", err=True)


@webhook_group.command(name="list")
@click.option("--all", "include_removed", is_flag=True, help="Include removed webhooks.")
@common_options
@click.pass_context
def list_command(ctx, include_removed):
    """List webhooks (never their secrets).

    Example:

    \b
        launchwatch webhook list
    """
    with _cli().open_store(ctx) as store:
        hooks = list_webhooks(store, include_removed)
    for hook in hooks:
        state = "" if hook.active else "  (removed)"
        click.echo(f"{hook.id:>4}  {hook.url}{_filters_text(hook.filters)}  since change {hook.last_seq}  "
                   f"added {hook.created_at}{state}")
    if not hooks:
        click.echo("no webhooks", err=True)


@webhook_group.command(name="remove")
@click.argument("hook_id", type=int, metavar="ID")
@common_options
@click.pass_context
def remove_command(ctx, hook_id):
    """Stop deliveries to a webhook (its delivery log is kept).

    Example:

    \b
        launchwatch webhook remove 3
    """
    with _cli().open_store(ctx) as store:
        remove_webhook(store, hook_id)
    click.echo(f"webhook {hook_id} removed")


@webhook_group.command(name="deliver")
@_allow_private_option
@common_options
@click.pass_context
def deliver_command(ctx, allow_private):
    """Run one delivery pass now (retries that are due included). Exit code 1 if an attempt failed.

    Example:

    \b
        launchwatch webhook deliver
    """
    with _cli().open_store(ctx) as store:
        summary = Deliverer(store, allow_private=_allow_private(allow_private)).run_once()
    click.echo(summary.line())
    sys.exit(1 if summary.failed or summary.gave_up else 0)


@webhook_group.command(name="log")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True, help="How many attempts.")
@click.option("--webhook", "hook_id", type=int, metavar="ID", help="Only this webhook's attempts.")
@common_options
@click.pass_context
def log_command(ctx, limit, hook_id):
    """Delivery attempts, newest first: time, webhook, change, event, attempt, outcome.

    Example:

    \b
        launchwatch webhook log --limit 20
    """
    with _cli().open_store(ctx) as store:
        rows = delivery_log(store, limit, hook_id)
    for r in rows:
        outcome = f"ok {r['status_code']}" if r["ok"] else f"FAILED {r['error']}"
        retry = f"  retry at {r['next_attempt_at']}" if r["next_attempt_at"] else ""
        click.echo(f"{r['created_at']}  webhook {r['webhook_id']}  change {r['seq']}  {r['event_id']}  "
                   f"attempt {r['attempt']}  {outcome}{retry}")
    if not rows:
        click.echo("no deliveries yet", err=True)


def _filters_text(filters: dict) -> str:
    return "".join(f"  {key}={','.join(values)}" for key, values in sorted(filters.items()))


COMMANDS: list[click.Command] = [watch_command, webhook_group]
