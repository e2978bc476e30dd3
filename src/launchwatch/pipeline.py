"""One document through every stage: read -> clean -> extract.

Stages, in order:
  1. sources.read_sources    paths / manifest / stdin / WARC / feeds -> RawDocument
  2. prefilter               raw bytes with no launch vocabulary are skipped here
  3. article.make_article    RawDocument -> Article (boilerplate gone, dates, credits)
  4. extract.extract_events  Article -> list[Event] with evidence per field

`process` is pure (no I/O beyond what the record carries), so it runs the
same in one process, a pool or a distributed engine.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from launchwatch.errors import DocumentError
from launchwatch.prefilter import SKIP_REASON, worth_reading
from launchwatch.records import Article, Event, RawDocument
from launchwatch.settings import Settings


@dataclass
class Result:
    raw: RawDocument
    article: Article | None = None
    events: list[Event] = field(default_factory=list)
    error: str | None = None
    skipped: str | None = None   # why no article was made, for a document that is no failure

    @property
    def ok(self) -> bool:
        return self.error is None


def process(raw: RawDocument, settings: Settings | None = None, knowledge=None) -> Result:
    """Clean and extract one document; a DocumentError becomes Result.error.

    A document the prefilter rules out comes back `skipped`, with no article.
    """
    from launchwatch.article import make_article
    from launchwatch.extract import extract_events
    from launchwatch.knowledge import load_knowledge
    from launchwatch.resolve.syndication import signature

    settings = settings or Settings()
    if raw.error:
        return Result(raw, error=raw.error)
    if settings.prefilter and not worth_reading(raw):
        return Result(raw, skipped=SKIP_REASON)
    try:
        article = make_article(raw, settings)
    except DocumentError as err:
        return Result(raw, error=str(err))
    knowledge = knowledge or load_knowledge(settings.knowledge_dirs)
    events = extract_events(article, knowledge)
    if events:  # only documents that report launches are compared for copies
        article.minhash = signature(article.text)
    return Result(raw, article, events)
