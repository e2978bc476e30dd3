"""Accounts of `launchwatch serve`: users, login sessions, failed logins and the app's secrets.

    add_user(store, "kim", "a long passphrase", "analyst")
    user = authenticate(store, "kim", "a long passphrase")   # User("kim", "analyst") or None
    token = open_session(store, user.name)                   # the cookie carries the token
    session_user(store, token)                               # None once logged out, removed or disabled

Passwords are stored as argon2id hashes (argon2-cffi), never in clear. A
session's token lives in the signed cookie and only its sha256 in the
`sessions` table, so logging out, removing or disabling a user ends the
session on every worker at once. Failed logins are rows of `login_failures`,
kept in the database (not in memory) so that every worker and a restart see
the same count.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from launchwatch.errors import LaunchwatchError
from launchwatch.store.models import app_secrets, login_failures, sessions, users  # noqa: F401  (re-exported)

ROLES = ("viewer", "analyst", "admin")          # each role may do what the ones before it may
MIN_PASSWORD_LENGTH = 8
SESSION_LIFETIME_S = 14 * 24 * 3600             # also the cookie's Max-Age
LOGIN_WINDOW_S = 5 * 60                         # failures older than this are forgotten
LOGIN_MAX_FAILURES = 5                          # failures within the window before logins are refused
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")

class UserError(LaunchwatchError):
    """A user that cannot be added or changed (bad name, role or password; unknown or existing user)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can(self, role: str) -> bool:
        """True when this user's role is `role` or above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


_hasher = PasswordHasher()  # argon2id with the library's current recommended costs


@cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown users, so they take as long as known ones."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _check_name(name: str) -> str:
    if not NAME_RE.fullmatch(name or ""):
        raise UserError(f"bad user name {name!r}: 1-64 letters, digits, '.', '_', '@' or '-'")
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: use {', '.join(ROLES)}")
    return role


def _check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return password


# -- users ------------------------------------------------------------------

def add_user(store, name: str, password: str, role: str) -> User:
    row = {"name": _check_name(name), "role": _check_role(role),
           "password_hash": _hasher.hash(_check_password(password)), "created_at": _now(), "disabled": False}
    try:
        with store.atomic() as conn:
            conn.execute(insert(users), [row])
    except IntegrityError:
        raise UserError(f"user {name!r} already exists (`launchwatch user passwd` changes a password)") from None
    return User(name, role)


def list_users(store) -> list[dict]:
    """Every user: name, role, created_at, disabled (never the hash)."""
    cols = (users.c.name, users.c.role, users.c.created_at, users.c.disabled)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(*cols).order_by(users.c.name)).mappings()]


def remove_user(store, name: str) -> None:
    """Delete the user and end their sessions."""
    with store.atomic() as conn:
        conn.execute(delete(sessions).where(sessions.c.user_name == name))
        if conn.execute(delete(users).where(users.c.name == name)).rowcount == 0:
            raise UserError(f"no user {name!r} (see `launchwatch user list`)")


def set_password(store, name: str, password: str) -> None:
    """A new password; the user's sessions end, so a stolen session dies with the old password."""
    _change(store, name, password_hash=_hasher.hash(_check_password(password)))


def set_disabled(store, name: str, disabled: bool) -> None:
    """Disable (log out and refuse logins) or enable a user."""
    _change(store, name, disabled=disabled)


def set_role(store, name: str, role: str) -> None:
    _change(store, name, role=_check_role(role))


def _change(store, name: str, **values) -> None:
    with store.atomic() as conn:
        if conn.execute(update(users).where(users.c.name == name).values(**values)).rowcount == 0:
            raise UserError(f"no user {name!r} (see `launchwatch user list`)")
        if "role" not in values:
            conn.execute(delete(sessions).where(sessions.c.user_name == name))


def authenticate(store, name: str, password: str) -> User | None:
    """The user when the password is right and the account active; an argon2 check runs either way."""
    with store.engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == name)).mappings().first()
    try:
        _hasher.verify(row["password_hash"] if row else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row["disabled"]:
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):  # costs raised since it was hashed
        _change_hash_quietly(store, name, password)
    return User(row["name"], row["role"])


def _change_hash_quietly(store, name: str, password: str) -> None:
    with store.atomic() as conn:
        conn.execute(update(users).where(users.c.name == name).values(password_hash=_hasher.hash(password)))


# -- sessions ---------------------------------------------------------------

def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(store, name: str, now: float | None = None) -> str:
    """A new session for the user; returns the token for the cookie."""
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(32)
    with store.atomic() as conn:
        conn.execute(delete(sessions).where(sessions.c.expires_at < now))
        conn.execute(insert(sessions), [{"id": _token_id(token), "user_name": name, "created_at": _now(),
                                         "expires_at": now + SESSION_LIFETIME_S}])
    return token


def session_user(store, token: str, now: float | None = None) -> User | None:
    """The active user of a live session, or None."""
    now = time.time() if now is None else now
    query = (select(users.c.name, users.c.role).join(sessions, sessions.c.user_name == users.c.name)
             .where(sessions.c.id == _token_id(token), sessions.c.expires_at > now,
                    users.c.disabled.is_(False)))
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    return User(row.name, row.role) if row else None


def close_session(store, token: str) -> None:
    with store.atomic() as conn:
        conn.execute(delete(sessions).where(sessions.c.id == _token_id(token)))


# -- failed logins ----------------------------------------------------------

def login_retry_after(store, keys: list[str], now: float | None = None) -> int:
    """Seconds until a login may be tried again for any of `keys`; 0 when it may now."""
    now = time.time() if now is None else now
    wait = 0.0
    with store.engine.connect() as conn:
        for key in keys:
            times = list(conn.execute(
                select(login_failures.c.at).where(login_failures.c.key == key, login_failures.c.at > now - LOGIN_WINDOW_S)
                .order_by(login_failures.c.at.desc()).limit(LOGIN_MAX_FAILURES)).scalars())
            if len(times) >= LOGIN_MAX_FAILURES:
                wait = max(wait, times[-1] + LOGIN_WINDOW_S - now)  # when the oldest of them expires
    return int(wait) + 1 if wait > 0 else 0


def record_login_failure(store, keys: list[str], now: float | None = None) -> None:
    now = time.time() if now is None else now
    with store.atomic() as conn:
        conn.execute(delete(login_failures).where(login_failures.c.at <= now - LOGIN_WINDOW_S))
        conn.execute(insert(login_failures), [{"key": key, "at": now} for key in keys])


def clear_login_failures(store, key: str) -> None:
    with store.atomic() as conn:
        conn.execute(delete(login_failures).where(login_failures.c.key == key))


def count_login_failures(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(login_failures)).scalar_one()


# -- secrets ----------------------------------------------------------------

def app_secret(store, name: str) -> str:
    """The app's secret called `name`, made once and kept, so restarts and workers agree on it."""
    query = select(app_secrets.c.value).where(app_secrets.c.name == name)
    with store.engine.connect() as conn:
        value = conn.execute(query).scalar()
    if value:
        return value
    try:
        with store.atomic() as conn:
            conn.execute(insert(app_secrets), [{"name": name, "value": secrets.token_urlsafe(48), "created_at": _now()}])
    except IntegrityError:
        pass  # another worker made it first: use theirs
    with store.engine.connect() as conn:
        return conn.execute(query).scalar_one()
