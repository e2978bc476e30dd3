"""Launch-event extraction: Article -> list[Event], every value with its evidence.

Stages: text.sentences -> analyze.analyze (per sentence) -> assemble.assemble
(group into launches) -> fields.to_event (choose values, keep spans).
"""
from __future__ import annotations

import re
from collections import Counter

from launchwatch.extract import lexicon
from launchwatch.extract.analyze import analyze, resolve_it_said, story_date
from launchwatch.extract.assemble import assemble
from launchwatch.extract.fields import primary_flags, to_event
from launchwatch.extract.dates import parse_iso
from launchwatch.extract.text import sentences
from launchwatch.extract.spans import Mark
from launchwatch.records import Article, Event


def extract_events(article: Article, knowledge=None) -> list[Event]:
    if knowledge is None:
        from launchwatch.knowledge import load_knowledge
        knowledge = load_knowledge()
    lex = lexicon.build(knowledge)
    analyses = [analyze(s, lex) for s in sentences(article.text)]
    resolve_it_said(analyses, lex)
    published = parse_iso(article.published)
    head = _headline_end(article)
    drafts = assemble(analyses, published, _main_actor(analyses), head, story_date(analyses, published))
    flags = primary_flags(drafts)
    credit = _dateline_credit(analyses, lex)
    return [to_event(d, article.text, flag, lex, credit) for d, flag in zip(drafts, flags)]


# "Pyongyang, February 22 (KCNA) --": the agency whose text the whole article is.
_CREDIT = re.compile(r"^[A-Z][\w .,'’/-]{2,60}?\(([^()]{2,40})\)\s*(?:--|[-—–:])\s")


def _dateline_credit(analyses, lex) -> Mark | None:
    for a in analyses[:4]:
        m = _CREDIT.match(a.sentence.text)
        if m:
            found = lex.agencies.find(m.group(1), a.sentence.start + m.start(1))
            return next((Mark(g.start, g.end, g.text, g.value.label) for g in found if g.value), None)
    return None


def _main_actor(analyses) -> str | None:
    """The state the article is mostly about: most named in sentences that report launches."""
    launchers = Counter(g.actor for a in analyses for g in a.groups if g.actor)
    if launchers:
        return launchers.most_common(1)[0][0]
    named = Counter(m.value for a in analyses if a.groups for m in a.actors)
    if not named:  # "the operation was carried out with three missiles": the statement's author named earlier
        named = Counter([m.value for a in analyses for m in a.actors]
                        + [g.value.country for a in analyses for g in a.agencies if g.value and g.value.kind == "military"])
    return named.most_common(1)[0][0] if named else None


def _headline_end(article: Article) -> int:
    """Skip a leading headline that repeats the title: the lead reports the same launch."""
    title = (article.title or "").strip()
    if title and article.text.startswith(title):
        return len(title)
    return 0
