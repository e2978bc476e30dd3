"""Launch-event extraction: Article -> list[Event] (placeholder until the extractor lands)."""
from __future__ import annotations

from launchwatch.records import Article, Event


def extract_events(article: Article, knowledge=None) -> list[Event]:
    return []
