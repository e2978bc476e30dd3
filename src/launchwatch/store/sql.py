"""Small query helpers shared by the store and by resolution (no launchwatch imports beyond errors)."""
from __future__ import annotations

import re
from typing import Iterator

from sqlalchemy import or_

from launchwatch.errors import StoreError

_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def date_filter(query, column, since: str | None, until: str | None):
    """`query` limited to dates in [since, until], compared at the coarser precision:
    since="2022-03" keeps "2022-03-05", "2022-04" and "2022" (which may fall in range)."""
    if since:
        since = _check_date(since)
        query = query.where(or_(column >= since, column.in_(_prefixes(since))))
    if until:
        until = _check_date(until)
        query = query.where(or_(column <= until, column.startswith(until, autoescape=True)))
    return query


def launch_filter(query, table, actor: str | None = None, weapon_class: str | None = None,
                  status: str | None = None, since: str | None = None, until: str | None = None):
    """`query` limited to one state, class and status (when given) and to a date range, on a
    table with the SCHEMA columns (reports or events)."""
    if actor:
        query = query.where(table.c.actor == actor.upper())
    if weapon_class:
        query = query.where(table.c.weapon_class == weapon_class.lower())
    if status:
        query = query.where(table.c.status == status)
    return date_filter(query, table.c.date, since, until)


def _check_date(value: str) -> str:
    if not _DATE_RE.match(value):
        raise StoreError(f"bad date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    return value


def _prefixes(date: str) -> list[str]:
    """The coarser forms of a date: "2022-03-05" -> ["2022", "2022-03"]."""
    return [date[:n] for n in (4, 7) if n < len(date)]


def chunks(items: list, size: int = 500) -> Iterator[list]:
    """Slices of `items` small enough for an IN (...) list on every backend."""
    for i in range(0, len(items), size):
        yield items[i:i + size]
