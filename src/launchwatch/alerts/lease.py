"""A lease row: one holder at a time does a job (webhook deliveries), across threads and processes.

    if acquire(store, "webhooks", holder, ttl_s=60):
        ...                                      # renew with acquire() before the ttl runs out
        release(store, "webhooks", holder)

Taking the lease is one conditional UPDATE (free, expired, or already ours),
or an INSERT of the first row; the database serialises both, on SQLite and
PostgreSQL alike, so no backend-specific locking is needed. A holder that
dies leaves the lease to expire after `ttl_s`.
"""
from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import insert, or_, update
from sqlalchemy.exc import IntegrityError

from launchwatch.alerts.tables import alert_leases

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def stamp(moment: datetime) -> str:
    """ISO 8601 UTC with milliseconds: strings that sort as the moments they name."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def new_holder() -> str:
    """A name for this worker, unique across hosts and processes."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(store, name: str, holder: str, ttl_s: float = 60.0, clock: Clock = utcnow) -> bool:
    """Take or renew the lease `name` for `ttl_s` seconds; False while another holder has it."""
    now = clock()
    expires = stamp(now + timedelta(seconds=ttl_s))
    with store.atomic() as conn:
        taken = conn.execute(
            update(alert_leases)
            .where(alert_leases.c.name == name)
            .where(or_(alert_leases.c.holder == holder, alert_leases.c.expires_at < stamp(now)))
            .values(holder=holder, expires_at=expires))
        if taken.rowcount == 1:
            return True
    try:
        with store.atomic() as conn:
            conn.execute(insert(alert_leases), [{"name": name, "holder": holder, "expires_at": expires}])
    except IntegrityError:
        return False   # the row exists and another holder's lease runs
    return True


def release(store, name: str, holder: str) -> None:
    """Give the lease up at once (if still ours)."""
    with store.atomic() as conn:
        conn.execute(update(alert_leases).where(alert_leases.c.name == name, alert_leases.c.holder == holder)
                     .values(expires_at=""))
