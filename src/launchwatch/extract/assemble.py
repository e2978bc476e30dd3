"""Group sentence analyses into drafted launch events (fields.py picks their values).

Walks the article in reading order. A launch mention with a date selects or
opens the event of (actor, date); one without a date continues the launch in
focus. Sentences without a mention lend their facts to the launch in focus of
their paragraph. Every chosen value keeps the span that states it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from launchwatch.extract import dates as datemod
from launchwatch.extract.analyze import LOCATIVE, SOURCE_NOTE, Analysis, Group, analyze, launch_dates, statement_dates
from launchwatch.extract.text import Sentence
from launchwatch.extract.spans import Mark

BALLISTIC_KINDS = {"srbm", "mrbm", "irbm", "icbm", "slbm", "ballistic"}
# Classes that one sentence may name side by side for two different launches
# ("rockets along with a new short-range missile").
_SPLIT_APART = [({"rocket_artillery"}, BALLISTIC_KINDS), ({"cruise"}, BALLISTIC_KINDS), ({"space_launch"}, BALLISTIC_KINDS | {"cruise"})]

@dataclass
class Draft:
    actor: str
    date: str | None
    date_mark: Mark | None
    order: int
    provisional: bool = False   # dated only by a statement ("said on Thursday")
    anaphor: tuple | None = None  # the system named just before ("The Sarmat ... Its first test")
    list_sources: list = field(default_factory=list)  # a timeline's source note: (Mark, label)
    row: bool = False  # a digest's row: this week's news, in focus until the next row or a rule line
    analyses: list[tuple[Analysis, Group | None]] = field(default_factory=list)

    def mentions(self):
        return [(a, g) for a, g in self.analyses if g is not None]


def assemble(analyses: list[Analysis], published: date | None, doc_actor: str | None, skip_until: int = 0,
             story_date: tuple[str, Mark] | None = None) -> list[Draft]:
    drafts: list[Draft] = []
    focus: Draft | None = None
    paragraph = -1
    recent_system = None
    list_note: list = []
    paragraph_of_note = -1
    pair: list[Draft] = []  # two launches the last sentence dated side by side
    previous: Analysis | None = None
    closed = False
    last_placed: Draft | None = None
    for a in analyses:
        before, previous = previous, a
        if a.sentence.start < skip_until:
            continue
        if a.sentence.paragraph != paragraph:
            paragraph, focus = a.sentence.paragraph, None if closed else _paragraph_focus(drafts, focus)
        if _RULE_LINE.match(a.sentence.text):
            focus, closed = None, True  # "---" closes a digest's entry: what follows is about none of them
            continue
        placed = False
        list_note = _list_note(a, list_note, a.sentence.paragraph != paragraph_of_note)
        paragraph_of_note = a.sentence.paragraph
        parts = _first_and_second(a, pair) if not any(g.date for g in a.groups) else []
        for part, draft in parts:
            draft.analyses.append((part, next(iter(part.groups), None)))
        groups = [] if parts else sorted(_split(a.groups), key=lambda g: g.date is not None and g.date.kind in datemod.RELATIVE_TO_EVENT)
        sentence_dates: list[str] = []
        placed_here: list[Draft] = []
        for group in groups:
            that = group.date is None and _THAT_ONE.match(a.sentence.text) and last_placed is not None \
                and group.actor in (None, last_placed.actor)
            draft = last_placed if that else _place(group, a, drafts, focus, published, doc_actor, sentence_dates)
            if draft is not None:
                placed_here.append(draft)
                last_placed = draft
                draft.analyses.append((a, group))
                placed, closed = True, closed and not group.row
                if not (group.aside and focus is not None and focus is not draft):
                    focus = draft
                if group.list_item:
                    draft.list_sources = list_note
                draft.row = draft.row or group.row
                if draft.date is None and before is not None:
                    _date_from_operation(draft, a, before, published)
                if draft.anaphor is None and recent_system and recent_system[0].value.country == draft.actor:
                    draft.anaphor = recent_system
        recent_system = (a.systems[-1], a) if a.systems else None  # anaphora reach one sentence back
        if placed:
            distinct = [d for i, d in enumerate(placed_here) if all(d is not e for e in placed_here[:i])]
            pair = distinct if len(distinct) == 2 else []
        if not parts and not placed and focus is not None and (a.about_launch or focus.row) and not a.excluded:
            that = last_placed if _THAT_ONE.match(a.sentence.text) and last_placed is not None else None
            target = that or _dated_target(a, drafts, published) or _system_target(a, drafts) or _actor_target(a, drafts, focus) or focus
            target.analyses.append((a, None))
            _date_from_window(target, a, published)
    if published is not None:
        # Launches other than the lead are placed in time by the text; an undated
        # one is a stray actor ("Japan said the missile ...").
        drafts = [d for i, d in enumerate(drafts) if d.date is not None or (
            i == 0 and d.date_mark is None and (_reported_as_news(d) or story_date))]
    if drafts and drafts[0].date is None and drafts[0].date_mark is None and story_date:
        # "Rawalpindi - November 18, 2026: Pakistan conducted a training launch": the dateline dates the lead
        drafts[0].date, drafts[0].date_mark = story_date
    return drafts


_BOTH = re.compile(r"\b(?:both|the\s+two|these|those)\s+(?:[\w-]+\s+)?(?:launches|tests|missiles|firings|flights)\b", re.IGNORECASE)
# "That missile flew about 1,000 km": the launch told last, even in passing.
_THAT_ONE = re.compile(r"^That\s+(?:missile|launch|test|rocket|one|flight)\b")
_RULE_LINE = re.compile(r"^[-_=*~\s]{3,}$")


def _reported_as_news(draft: Draft) -> bool:
    """An undated lead is kept when a source reports it: a wire flash ("North Korea fired a
    missile, the JCS said") often gives no day; a generic remark has no source."""
    return any(a.sources for a, g in draft.mentions())


_SECOND = re.compile(r"[;,]?\s+(?:and\s+|while\s+)?the\s+(?:second|other|latter)\b")


def _first_and_second(a: Analysis, pair: list[Draft]) -> list[tuple[Analysis, Draft]]:
    """'On Feb. 27 and March 5 ...' then 'The first reached 620 km ...; the second reached 560 km':
    each half of the sentence lends its figures to its own launch."""
    if len(pair) != 2:
        return []
    text = a.sentence.text
    second = _SECOND.search(text)
    if not second or not re.search(r"\b[Tt]he\s+(?:first|former)\b", text[:second.start()]):
        return []
    halves = ((a.sentence.start, text[:second.start()]), (a.sentence.start + second.start(), text[second.start():]))
    return [(analyze(Sentence(start, start + len(part), part, a.sentence.paragraph, a.sentence.index), a.lex), draft)
            for (start, part), draft in zip(halves, pair)]


def _list_note(a: Analysis, note: list, new_paragraph: bool) -> list:
    """The agencies a source note names stand behind the list items after it, until a paragraph
    that is no list item ends the list."""
    if SOURCE_NOTE.match(a.sentence.text):
        return [(m, m.value.label) for m in a.agencies if m.value]
    if new_paragraph and not any(g.list_item for g in a.groups):
        return []
    return note


def _paragraph_focus(drafts: list[Draft], focus: Draft | None) -> Draft | None:
    """A new paragraph goes on with the day's news in focus; after a back-reference it returns to the lead."""
    if not drafts:
        return None
    lead = drafts[0]
    if focus is not None and (focus.row or focus.date is None or lead.date is None or within_a_day(focus.date, lead.date)):
        return focus
    return lead


def _place(group: Group, a: Analysis, drafts: list[Draft], focus: Draft | None, published, doc_actor, sentence_dates) -> Draft | None:
    anchor = next(iter(sentence_dates), None) or (focus.date if focus else (drafts[0].date if drafts else None))
    if group.date is not None and group.date.kind == "month_that_year" and drafts:
        anchor = drafts[-1].date or anchor  # "in July that year": the year of the launch told last
    when = datemod.resolve(group.date, published, anchor) if group.date else None
    actor = (group.actor or _system_country(group) or _state_media_country(a) or _actor_of_date(drafts, when, doc_actor)
             or (focus.actor if focus else None) or doc_actor)
    if actor is None:
        return None
    if when and group.date.kind not in datemod.RELATIVE_TO_EVENT:
        sentence_dates.append(when)
    if group.date is not None and when is not None and focus is not None and focus.actor == actor \
            and _local_day_of(focus, when, group.date, a):
        # "on Wednesday night ... 8:44 a.m. Thursday in Beijing": the launch site's day wins
        focus.date, focus.date_mark, focus.provisional = when, _date_mark(group), False
        return focus
    if group.date is not None and when is not None:
        same = [d for d in drafts if d.actor == actor and _same_kind(d, group) and (d.date == when or _provisional_covers(d, when, focus, published))]
        if not same and group.date.kind == "two_days" and published is not None:
            # "USA, Tuesday and Friday: two operational tests": the two launches already told for those days
            days = {datemod.weekday_date(w, published) for w in re.findall(r"[A-Z][a-z]+day", group.date.text)}
            told = [d for d in drafts if d.actor == actor and d.date in days]
            if told:
                return told[0]
        if not same and group.date.kind == "last_week":  # "Last week's launch" after "last Wednesday's launch"
            told = [d for d in drafts if d.actor == actor and _same_kind(d, group) and _in_last_week(d.date, published)]
            if told:
                return told[0]  # the first told is the story's own launch
        if group.separate and same and same[0].date == when:
            same = []
        if same:
            if same[0].date != when:
                same[0].date, same[0].date_mark, same[0].provisional = when, _date_mark(group), False
            return same[0]
        return _new(drafts, actor, when, _date_mark(group))
    earlier = _said_before(a, focus, actor, published)
    if earlier is not None:
        # "On Saturday, the IDF said it intercepted a missile" told after Monday's launch: Saturday's
        when, mark = earlier
        same = [d for d in drafts if d.actor == actor and d.date == when and _same_kind(d, group)]
        return same[0] if same else _new(drafts, actor, when, mark)
    if focus is not None and focus.actor == actor:
        if focus.date is None or not group.launched or _same_kind(focus, group):
            return focus
        if _BOTH.search(a.sentence.text):
            return focus  # "both launches had in fact involved the Hwasong-17": the launches just told
        # "the submarine fired a Bulava" in the Yars drill: the same day, another named launch
        sibling = [d for d in drafts if d.actor == actor and d.date == focus.date and _same_kind(d, group)]
        return sibling[0] if sibling else _new(drafts, actor, focus.date, focus.date_mark)
    previous = [d for d in drafts if d.actor == actor]
    if previous:
        return previous[-1]
    return _provisional(drafts, actor, a, published, _date_mark(group))


_LOCAL_CLOCK = re.compile(r"\s*(?:local\s+time|in\s+(?!Washington\b)[A-Z][\w-]+|\(?(?:KST|JST|IRST|PKT|IST|MSK|CST)\b|(?!Eastern|Pacific|Central|Mountain|GMT|UTC|Washington|U\.?S\.?)[A-Z][a-z]+\s+time)")


def _local_day_of(focus: Draft, when: str, expr, a: Analysis) -> bool:
    """A day stated at the launch site's clock, a day off the one the launch has so far."""
    if focus.date is None or focus.date == when or not within_a_day(focus.date, when) or len(when) != 10:
        return False
    return bool(_LOCAL_CLOCK.match(a.sentence.text, expr.end - a.sentence.start))


def _said_before(a: Analysis, focus: Draft | None, actor: str, published) -> tuple[str, Mark] | None:
    """A statement dated days before the launch in focus cannot be about it."""
    if focus is None or focus.actor != actor or not focus.date or len(focus.date) != 10:
        return None
    for d in statement_dates(a):
        when = datemod.resolve(d, published)
        if when and len(when) == 10 and (date.fromisoformat(focus.date) - date.fromisoformat(when)).days >= 2:
            return when, Mark(d.start, d.end, d.text)
    return None


def _same_kind(draft: Draft, group: Group) -> bool:
    """One launch is one weapon type: rockets and a missile, cruise and ballistic missiles, or
    an ICBM and short-range missiles fired the same day are separate launches."""
    mine = _kinds(g for _, g in draft.mentions())
    theirs = _kinds([group])
    if any((mine & a and theirs & b and not theirs & a) or (mine & b and theirs & a and not theirs & b) for a, b in _SPLIT_APART):
        return False
    tiers_mine, tiers_theirs = {_TIER.get(k) for k in mine} - {None}, {_TIER.get(k) for k in theirs} - {None}
    if tiers_mine and tiers_theirs and not tiers_mine & tiers_theirs:
        return False
    # a Yars and a Bulava in one drill: two named systems of the launching state are two launches
    named_mine = {s.value.name for _, g in draft.mentions() for s in g.launched if s.value.country == draft.actor}
    named_theirs = {s.value.name for s in group.launched if s.value.country == draft.actor}
    return not (named_mine and named_theirs and not named_mine & named_theirs)


def _kinds(groups) -> set[str]:
    return {c.value for g in groups for c in g.classes} | {s.value.weapon_class for g in groups for s in g.systems}


# Range tiers that one launch does not mix.
_TIER = {"srbm": "short", "mrbm": "short", "irbm": "long", "icbm": "long"}


def _actor_of_date(drafts: list[Draft], when: str | None, doc_actor: str | None) -> str | None:
    """'Tuesday's launch was the fifth in 10 days': the launch already told for that day."""
    same_day = [d.actor for d in drafts if when and d.date == when]
    if doc_actor in same_day:
        return doc_actor
    return same_day[0] if len(set(same_day)) == 1 else None


def _provisional_covers(draft: Draft, when: str, focus: Draft | None, published) -> bool:
    """An undated or statement-dated launch in focus takes the first launch date told of it."""
    if draft is not focus:
        return False
    if draft.date is None:
        return _recent(when, published)
    if not draft.provisional or len(when) != 10 or len(draft.date) != 10:
        return False
    gap = (date.fromisoformat(draft.date) - date.fromisoformat(when)).days
    return 0 <= gap <= 3


# An undated lead is the news of the day: a date more than this far back is another launch.
RECENT_DAYS = 10


def _in_last_week(when: str | None, published) -> bool:
    return bool(when and len(when) == 10 and published and 2 <= (published - date.fromisoformat(when)).days <= 13)


def _recent(when: str, published) -> bool:
    if published is None:
        return True
    if len(when) == 7:
        return (published.year, published.month) == (int(when[:4]), int(when[5:])) or _recent(when + "-28", published)
    return len(when) == 10 and 0 <= (published - date.fromisoformat(when)).days <= RECENT_DAYS


def _provisional(drafts: list[Draft], actor: str, a: Analysis, published, said: Mark | None) -> Draft | None:
    for d in statement_dates(a):
        when = datemod.resolve(d, published)
        if when:
            draft = _new(drafts, actor, when, Mark(d.start, d.end, d.text))
            draft.provisional = True
            return draft
    if drafts and published is not None:
        return None  # an undated launch after the lead is a stray actor, not a new event
    return _new(drafts, actor, None, said)  # the words stay even when no date can be resolved


def _new(drafts, actor, when, mark) -> Draft:
    draft = Draft(actor, when, mark, len(drafts))
    drafts.append(draft)
    return draft


# "carried out an operation yesterday targeting the ship ... The operation was carried out with
# three missiles": the launch is the operation the sentence before dated.
# "UKMTO received a report of an incident ... on 09 JUN 2027. ... the vessel was struck by a missile"
_AN_INCIDENT = re.compile(r"(?:\b(?:an?|the)\s+(?:\w+\s+){0,2}|['’]s\s+)(?:incident|attack|strike|operation)\b", re.IGNORECASE)
_THE_OPERATION = re.compile(r"\b(?:the|this)\s+(?:\w+\s+)?(?:operation|attack|strike|raid)\b", re.IGNORECASE)


def _date_from_operation(draft: Draft, a: Analysis, before: Analysis, published) -> None:
    told = _THE_OPERATION.search(a.sentence.text) or _AN_INCIDENT.search(before.sentence.text)
    if before.groups or not told:
        return
    if before.lex is None:  # a sentence without weapon words was never read for its dates
        before = Analysis(before.sentence, lex=a.lex)
    for d in launch_dates(before) or statement_dates(before):  # "announced on Wednesday that ... had carried out an operation"
        when = datemod.resolve(d, published)
        if when and len(when) == 10 and _recent(when, published):
            draft.date, draft.date_mark, draft.provisional = when, Mark(d.start, d.end, d.text), False
            draft.analyses.insert(0, (before, None))
            return


def _date_mark(group: Group) -> Mark | None:
    d = group.date
    return Mark(d.start, d.end, d.text) if d else None


def _date_from_window(draft: Draft, a: Analysis, published) -> None:
    """'We date it only to between Sept. 1 and Sept. 21': a window dates the undated launch in focus."""
    if draft.date is not None:
        return
    for d in a.dates:
        if d.kind == "window":
            draft.date, draft.date_mark = datemod.resolve(d, published), Mark(d.start, d.end, d.text)
            return


def _system_target(a: Analysis, drafts: list[Draft]) -> Draft | None:
    """'The Taepodong-2 failed about 40 seconds after launch': the launch of that system."""
    named = {s.value.name for s in a.systems}
    having = [d for d in drafts if named & {s.value.name for _, g in d.mentions() for s in g.systems}]
    return having[0] if len(having) == 1 else None


def _actor_target(a: Analysis, drafts: list[Draft], focus: Draft) -> Draft | None:
    """A sentence about the North's missiles belongs to the North's launch of the day, not the South's in focus."""
    named = {m.value for m in a.actors if not LOCATIVE.search(a.sentence.text[max(0, m.start - a.sentence.start - 40):m.start - a.sentence.start])}
    if not named or focus.actor in named:
        return None
    lead = drafts[0]
    day = [d for d in drafts if d.actor in named and (d.date is None or lead.date is None or within_a_day(d.date, lead.date))]
    return day[0] if day else None


def _dated_target(a: Analysis, drafts: list[Draft], published) -> Draft | None:
    for d in a.dates:
        when = datemod.resolve(d, published, drafts[0].date if drafts else None)
        match = [x for x in drafts if when and x.date == when]
        if match:
            return match[0]
    return None


def _state_media_country(a: Analysis) -> str | None:
    """'KCNA said the missile, fired from Panghyon ...': state media speak for their own state's launches."""
    for s in a.sources:
        if isinstance(s.value, str) and s.value in _STATE_MEDIA_COUNTRY:
            return _STATE_MEDIA_COUNTRY[s.value]
    return None


_STATE_MEDIA_COUNTRY = {"KCNA": "KP", "Rodong Sinmun": "KP", "Iranian state TV": "IR", "Xinhua": "CN"}


def _system_country(group: Group) -> str | None:
    return group.systems[0].value.country if group.systems else None


def _split(groups: list[Group]) -> list[Group]:
    """One group naming classes that cannot be one launch becomes one group per class."""
    out = []
    for g in groups:
        kinds = {c.value for c in g.classes}
        if not any(kinds & a and kinds & b for a, b in _SPLIT_APART) or len(g.classes) < 2:
            out.append(g)
            continue
        for c in g.classes:
            if c.value == "ballistic" and len(kinds) > 2:
                continue
            counts = [n for n in g.counts if n.start <= c.start <= n.end + 3]
            out.append(Group(g.actor, g.actor_mark, g.triggers, g.date, [c], [s for s in g.systems if s.value.weapon_class == c.value], counts))
    return out


def within_a_day(a: str, b: str) -> bool:
    if len(a) != 10 or len(b) != 10:
        return a == b
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) <= 1
