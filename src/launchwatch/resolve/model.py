"""Plain records resolution works on: reports of launches, their claims, analysts' actions.

A Report is one launch as one article reports it (a row of `reports`); its
Claims are the ledger rows behind its fields. Resolution groups Reports into
events and consolidates their Claims; it never changes either.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any


@dataclass(frozen=True)
class Claim:
    """One value for one field, as one source in one document states it."""

    field: str
    value: Any
    report_id: str | None
    doc_id: str | None
    document: str | None            # the document's external id (else its doc id)
    published: str | None           # the document's publication date
    source: str | None = None       # attributed source label, "analyst:NAME" for a correction
    unit: str | None = None
    hedge: str | None = None
    start: int | None = None
    end: int | None = None
    quote: str | None = None
    invalid: str | None = None      # why it cannot be true; None = valid
    reason: str | None = None       # an analyst's stated reason

    @property
    def by_analyst(self) -> bool:
        return bool(self.source and self.source.startswith("analyst:"))


@dataclass
class Report:
    """One launch reported by one document, with the claims behind its fields."""

    id: str
    doc_id: str
    document: str
    published: str | None
    values: dict[str, Any]
    claims: list[Claim] = field(default_factory=list)
    old_event: str | None = None    # the event it belonged to before this resolution

    @property
    def actor(self) -> str | None:
        return self.values.get("actor")

    @property
    def date(self) -> str | None:
        return self.values.get("date")


@dataclass(frozen=True)
class Review:
    """An analyst's action, anchored to report ids so it survives regrouping."""

    id: int
    action: str                     # merge | split | set | reject | confirm
    analyst: str
    report_ids: tuple[str, ...]
    created_at: str
    event_id: str | None = None
    field: str | None = None
    value: Any = None
    reason: str | None = None


def date_span(value: str | None) -> tuple[date, date] | None:
    """The first and last day a YYYY, YYYY-MM or YYYY-MM-DD date can mean; None if undated."""
    if not value:
        return None
    try:
        parts = [int(p) for p in value.split("-")]
        if len(parts) == 3:
            day = date(*parts)
            return day, day
        if len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            following = date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
            return first, following - timedelta(days=1)
        return date(parts[0], 1, 1), date(parts[0], 12, 31)
    except (ValueError, TypeError):
        return None
