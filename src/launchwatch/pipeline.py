"""One document through every stage: read -> clean -> extract.

Stages, in order:
  1. sources.read_sources    paths / manifest / stdin -> RawDocument
  2. article.make_article    RawDocument -> Article (boilerplate gone, dates, credits)
  3. extract.extract_events  Article -> list[Event] with evidence per field

`process` is pure (no I/O beyond what the record carries), so it runs the
same in one process, a pool or a distributed engine.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from launchwatch.errors import DocumentError
from launchwatch.records import Article, Event, RawDocument
from launchwatch.settings import Settings


@dataclass
class Result:
    raw: RawDocument
    article: Article | None = None
    events: list[Event] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def process(raw: RawDocument, settings: Settings | None = None, knowledge=None) -> Result:
    """Clean and extract one document; a DocumentError becomes Result.error."""
    from launchwatch.article import make_article
    from launchwatch.extract import extract_events
    from launchwatch.knowledge import load_knowledge

    settings = settings or Settings()
    if raw.error:
        return Result(raw, error=raw.error)
    try:
        article = make_article(raw, settings)
    except DocumentError as err:
        return Result(raw, error=str(err))
    knowledge = knowledge or load_knowledge(settings.knowledge_dirs)
    return Result(raw, article, extract_events(article, knowledge))
