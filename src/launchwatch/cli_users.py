"""`launchwatch user ...`: accounts of the web server (add, list, remove, passwd, role, disable, enable)."""
from __future__ import annotations

import sys

import click

from launchwatch.web import users as accounts


def _cli():
    from launchwatch import cli as cli_module
    return cli_module


def common_options(func):
    return _cli().common_options(func)


def _password_stdin_option(func):
    return click.option("--password-stdin", is_flag=True,
                        help="Read the password from the first line of stdin instead of prompting.")(func)


def _read_password(from_stdin: bool) -> str:
    """From stdin's first line, or a hidden prompt asked twice; never echoed."""
    if from_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise click.UsageError("--password-stdin: stdin gave no password")
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group(name="user")
@common_options
def user_group():
    """Accounts for `launchwatch serve`: viewers read, analysts review, admins do both.

    Passwords are hashed with argon2id; they are never printed or logged.
    Exit codes: 0 done, 1 refused (unknown or existing user, short password),
    2 bad usage.

    Example:

    \b
        launchwatch user add kim --role analyst
        printf '%s\\n' "$PASSWORD" | launchwatch user add ci-bot --role viewer --password-stdin
        launchwatch user list
    """


@user_group.command(name="add")
@click.argument("name")
@click.option("--role", type=click.Choice(accounts.ROLES), required=True,
              help="viewer: read only; analyst: also review events; admin: everything.")
@_password_stdin_option
@common_options
@click.pass_context
def add_command(ctx, name, role, password_stdin):
    """Add a user with a role; the password is prompted for (twice) or read from stdin.

    Example:

    \b
        launchwatch --db sqlite:///launches.db user add kim --role analyst
    """
    password = _read_password(password_stdin)
    with _cli().open_store(ctx) as store:
        accounts.add_user(store, name, password, role)
    click.echo(f"added user {name} ({role})")


@user_group.command(name="list")
@common_options
@click.pass_context
def list_command(ctx):
    """Every user with role, creation time and whether disabled.

    Example:

    \b
        launchwatch user list
    """
    with _cli().open_store(ctx) as store:
        rows = accounts.list_users(store)
    for row in rows:
        state = "  disabled" if row["disabled"] else ""
        click.echo(f"{row['name']:<24} {row['role']:<8} {row['created_at']}{state}")
    if not rows:
        click.echo("no users (add one with `launchwatch user add NAME --role analyst`)", err=True)


@user_group.command(name="remove")
@click.argument("name")
@common_options
@click.pass_context
def remove_command(ctx, name):
    """Delete a user; their sessions end at once. Their reviews stay in the audit trail.

    Example:

    \b
        launchwatch user remove kim
    """
    with _cli().open_store(ctx) as store:
        accounts.remove_user(store, name)
    click.echo(f"removed user {name}")


@user_group.command(name="passwd")
@click.argument("name")
@_password_stdin_option
@common_options
@click.pass_context
def passwd_command(ctx, name, password_stdin):
    """Set a new password; the user's sessions end.

    Example:

    \b
        launchwatch user passwd kim
    """
    password = _read_password(password_stdin)
    with _cli().open_store(ctx) as store:
        accounts.set_password(store, name, password)
    click.echo(f"password of {name} changed")


@user_group.command(name="role")
@click.argument("name")
@click.argument("role", type=click.Choice(accounts.ROLES))
@common_options
@click.pass_context
def role_command(ctx, name, role):
    """Give a user another role (takes effect on their next request).

    Example:

    \b
        launchwatch user role kim admin
    """
    with _cli().open_store(ctx) as store:
        accounts.set_role(store, name, role)
    click.echo(f"{name} is now {role}")


@user_group.command(name="disable")
@click.argument("name")
@common_options
@click.pass_context
def disable_command(ctx, name):
    """Refuse the user's logins and end their sessions, keeping the account.

    Example:

    \b
        launchwatch user disable kim
    """
    with _cli().open_store(ctx) as store:
        accounts.set_disabled(store, name, True)
    click.echo(f"disabled user {name}")


@user_group.command(name="enable")
@click.argument("name")
@common_options
@click.pass_context
def enable_command(ctx, name):
    """Let a disabled user log in again.

    Example:

    \b
        launchwatch user enable kim
    """
    with _cli().open_store(ctx) as store:
        accounts.set_disabled(store, name, False)
    click.echo(f"enabled user {name}")


COMMANDS: list[click.Command] = [user_group]
