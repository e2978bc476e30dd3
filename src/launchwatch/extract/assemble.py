"""Group sentence analyses into launch events and pick each field's value.

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
from launchwatch.extract import places
from launchwatch.extract.quantities import ranges
from launchwatch.extract.analyze import LOCATIVE, SOURCE_NOTE, Analysis, Group, source_label, statement_dates
from launchwatch.extract.spans import Mark
from launchwatch.records import Event, Evidence

BALLISTIC_KINDS = {"srbm", "mrbm", "irbm", "icbm", "slbm", "ballistic"}
# Classes that one sentence may name side by side for two different launches
# ("rockets along with a new short-range missile").
_SPLIT_APART = [({"rocket_artillery"}, BALLISTIC_KINDS), ({"cruise"}, BALLISTIC_KINDS), ({"space_launch"}, BALLISTIC_KINDS | {"cruise"})]
_SPECIFICITY = {"unknown": 0, "ballistic": 1, "hypersonic": 2, "rocket_artillery": 2, "cruise": 2, "space_launch": 2,
                "srbm": 3, "mrbm": 3, "irbm": 3, "icbm": 3, "slbm": 3}


@dataclass
class Draft:
    actor: str
    date: str | None
    date_mark: Mark | None
    order: int
    provisional: bool = False   # dated only by a statement ("said on Thursday")
    anaphor: tuple | None = None  # the system named just before ("The Sarmat ... Its first test")
    list_sources: list = field(default_factory=list)  # a timeline's source note: (Mark, label)
    analyses: list[tuple[Analysis, Group | None]] = field(default_factory=list)

    def mentions(self):
        return [(a, g) for a, g in self.analyses if g is not None]


def assemble(analyses: list[Analysis], published: date | None, doc_actor: str | None, skip_until: int = 0) -> list[Draft]:
    drafts: list[Draft] = []
    focus: Draft | None = None
    paragraph = -1
    recent_system = None
    list_note: list = []
    paragraph_of_note = -1
    for a in analyses:
        if a.sentence.start < skip_until:
            continue
        if a.sentence.paragraph != paragraph:
            paragraph, focus = a.sentence.paragraph, _paragraph_focus(drafts, focus)
        placed = False
        list_note = _list_note(a, list_note, a.sentence.paragraph != paragraph_of_note)
        paragraph_of_note = a.sentence.paragraph
        groups = sorted(_split(a.groups), key=lambda g: g.date is not None and g.date.kind in datemod.RELATIVE_TO_EVENT)
        sentence_dates: list[str] = []
        for group in groups:
            draft = _place(group, a, drafts, focus, published, doc_actor, sentence_dates)
            if draft is not None:
                draft.analyses.append((a, group))
                focus, placed = draft, True
                if group.list_item:
                    draft.list_sources = list_note
                if draft.anaphor is None and recent_system and recent_system[0].value.country == draft.actor:
                    draft.anaphor = recent_system
        recent_system = (a.systems[-1], a) if a.systems else None  # anaphora reach one sentence back
        if not placed and focus is not None and a.about_launch and not a.excluded:
            target = _dated_target(a, drafts, published) or _system_target(a, drafts) or _actor_target(a, drafts, focus) or focus
            target.analyses.append((a, None))
            _date_from_window(target, a, published)
    if published is not None:
        # Launches other than the lead are placed in time by the text; an undated
        # one is a stray actor ("Japan said the missile ...").
        drafts = [d for d in drafts if d.date is not None]
    return drafts


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
    if focus is not None and (focus.date is None or lead.date is None or _within_a_day(focus.date, lead.date)):
        return focus
    return lead


def _place(group: Group, a: Analysis, drafts: list[Draft], focus: Draft | None, published, doc_actor, sentence_dates) -> Draft | None:
    anchor = next(iter(sentence_dates), None) or (focus.date if focus else (drafts[0].date if drafts else None))
    when = datemod.resolve(group.date, published, anchor) if group.date else None
    actor = (group.actor or _system_country(group) or _state_media_country(a) or _actor_of_date(drafts, when, doc_actor)
             or (focus.actor if focus else None) or doc_actor)
    if actor is None:
        return None
    if when and group.date.kind not in datemod.RELATIVE_TO_EVENT:
        sentence_dates.append(when)
    if group.date is not None and when is not None:
        same = [d for d in drafts if d.actor == actor and _same_kind(d, group) and (d.date == when or _provisional_covers(d, when, focus, published))]
        if group.separate and same and same[0].date == when:
            same = []
        if same:
            if same[0].date != when:
                same[0].date, same[0].date_mark, same[0].provisional = when, _date_mark(group), False
            return same[0]
        return _new(drafts, actor, when, _date_mark(group))
    if focus is not None and focus.actor == actor:
        return focus
    previous = [d for d in drafts if d.actor == actor]
    if previous:
        return previous[-1]
    return _provisional(drafts, actor, a, published, _date_mark(group))


def _same_kind(draft: Draft, group: Group) -> bool:
    """One launch is one weapon type: rockets and a missile, cruise and ballistic missiles, or
    an ICBM and short-range missiles fired the same day are separate launches."""
    mine = _kinds(g for _, g in draft.mentions())
    theirs = _kinds([group])
    if any((mine & a and theirs & b and not theirs & a) or (mine & b and theirs & a and not theirs & b) for a, b in _SPLIT_APART):
        return False
    tiers_mine, tiers_theirs = {_TIER.get(k) for k in mine} - {None}, {_TIER.get(k) for k in theirs} - {None}
    return not (tiers_mine and tiers_theirs and not tiers_mine & tiers_theirs)


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
    named = {m.value for m in a.actors if not LOCATIVE.search(a.sentence.text[:m.start - a.sentence.start])}
    if not named or focus.actor in named:
        return None
    lead = drafts[0]
    day = [d for d in drafts if d.actor in named and (d.date is None or lead.date is None or _within_a_day(d.date, lead.date))]
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


# ---- choosing field values ------------------------------------------------

def to_event(draft: Draft, text: str, is_primary: bool, lex) -> Event:
    values: dict = {"actor": draft.actor, "date": draft.date, "is_primary": is_primary}
    evidence: dict[str, list[Evidence]] = {}

    def put(name, value, mark: Mark | None, analysis: Analysis | None = None, hedge=None):
        values[name] = value
        if mark is not None:
            source = _sources_of(analysis, draft.actor, lex)[:1] if analysis else []
            evidence[name] = [Evidence(mark.start, mark.end, text[mark.start:mark.end], source[0] if source else None, hedge or (analysis.hedge if analysis else None))]

    put("date_text", draft.date_mark.text if draft.date_mark else None, draft.date_mark)
    cls, cls_mark, cls_a = _weapon_class(draft)
    put("weapon_class", cls, cls_mark, cls_a)
    name = _first_system(draft)
    put("weapon_name", name[0].text if name else None, name[0] if name else None, name[1] if name else None)
    count = _count(draft)
    put("count", count[0] if count else None, count[1] if count else None, count[2] if count else None)
    for fld in ("distance_km", "apogee_km", "flight_time_s"):
        q = _quantity(draft, fld)
        put(fld, q[0].value if q else None, Mark(q[0].start, q[0].end, q[0].text) if q else None, q[1] if q else None, q[0].hedge if q else None)
    out = _outcome(draft)
    put("outcome", out[0].value if out else None, out[0] if out else None, out[1] if out else None)
    plat = _platform(draft)
    put("platform", plat[0].value if plat else None, plat[0] if plat else None, plat[1] if plat else None)
    site = places.launch_location(draft.mentions())
    put("launch_location", site.text if site else None, site)
    where = places.landing(draft.analyses)
    put("landing", where.text if where else None, where)
    values["reported_by"], evidence["reported_by"] = _reported_by(draft, text, lex)
    return Event(values, evidence)


def _weapon_class(draft: Draft):
    """The most specific class the text names; else the named system's class; else unknown."""
    named: list[tuple[Mark, Analysis]] = []
    systems: list[tuple[Mark, Analysis]] = []
    for a, g in draft.analyses:
        if g is not None:
            named += _not_included(g.classes, a)
            systems += [(s, a) for s in g.systems if s.value.country == draft.actor]
        elif a.names_class:
            named += [(c, a) for c in a.classes]
    if named:
        mark, a = _named_class(named)
        if mark.value == "ballistic":
            by_range = _class_by_range(draft)
            if by_range:
                return by_range, mark, a
        return mark.value, mark, a
    if systems:
        mark, a = systems[0]
        return mark.value.weapon_class, mark, a
    if draft.anaphor is not None:
        mark, a = draft.anaphor
        return mark.value.weapon_class, mark, a
    return "unknown", None, None


def _not_included(classes: list[Mark], a: Analysis) -> list[tuple[Mark, Analysis]]:
    whole = [c for c in classes if not _INCLUDED.search(a.sentence.text[:c.start - a.sentence.start])]
    return [(c, a) for c in (whole or classes)]


def _named_class(named: list[tuple[Mark, Analysis]]) -> tuple[Mark, Analysis]:
    """Votes by family: ballistic kinds together against hypersonic, cruise, ...; within the winner, the most specific."""
    def family(cls: str) -> str:
        return "ballistic" if cls in BALLISTIC_KINDS else cls
    votes: dict[str, int] = {}
    for mark, _ in named:
        votes[family(mark.value)] = votes.get(family(mark.value), 0) + 1
    specific = any(m.value in BALLISTIC_KINDS and m.value != "ballistic" for m, _ in named)
    best = "ballistic" if specific else max(votes, key=lambda f: (votes[f], f == "ballistic"))
    members = [x for x in named if family(x[0].value) == best]
    return max(members, key=lambda x: (_SPECIFICITY[x[0].value], -members.index(x)))


# Class limits by range (km), as the gold conventions and CNS use them.
RANGE_CLASSES = ((1000, "srbm"), (3000, "mrbm"), (5500, "irbm"), (float("inf"), "icbm"))


def _class_by_range(draft: Draft) -> str | None:
    for a, _ in draft.analyses:
        for km in ranges(a.sentence.text):
            return next(cls for limit, cls in RANGE_CLASSES if km < limit)
    return None


# "three ballistic missiles, including what Seoul believed was an ICBM": a part, not the whole.
_INCLUDED = re.compile(r"\bincluding\s+(?:[\w'’-]+\s+){0,8}$", re.IGNORECASE)


def _first_system(draft: Draft):
    for a, g in draft.mentions():
        for s in g.systems:
            if s.value.country == draft.actor:
                return s, a
    return None


def _count(draft: Draft):
    """A stated number; else one when the launch is told of in the singular ('a missile', 'the Simorgh')."""
    for a, g in draft.mentions():
        for c in g.counts:
            return c.value, Mark(c.start, c.end, c.text), a
    for a, g in draft.mentions():
        if g.systems and not _plural(g.systems[0].text):
            return 1, g.systems[0], a
        nouns = g.classes + _weapon_nouns(a)
        if not nouns:
            continue
        anchor = g.classes[0].start if g.classes else g.start  # a class split from its sentence counts itself
        first = min(nouns, key=lambda m: abs(m.start - anchor))
        if _plural(first.text):
            return None
        return 1, first, a
    return None


def _weapon_nouns(a: Analysis) -> list[Mark]:
    off = a.sentence.start
    return [Mark(m.start() + off, m.end() + off, m.group(0)) for m in _WEAPON_NOUN.finditer(a.sentence.text)]


_WEAPON_NOUN = re.compile(r"\b(?:missiles?|rockets?|projectiles?|ICBMs?|SRBMs?|IRBMs?|SLBMs?|launch|test|attempt|flight)\b", re.IGNORECASE)


def _plural(text: str) -> bool:
    return bool(re.search(r"(?:s|S)$", text.strip())) and not text.strip().endswith(("ss", "ATACMS"))


def _quantity(draft: Draft, fld: str):
    for a, g in draft.analyses:
        found = [q for q in (a.lengths if fld != "flight_time_s" else a.durations) if q.field == fld]
        if found:
            return max(found, key=lambda q: q.value), a
    return None


def _single(draft: Draft, attr: str):
    found = [(m, a) for a, g in draft.analyses for m in getattr(a, attr)]
    values = {m.value for m, _ in found}
    if attr == "outcomes" and values == {"success", "failure"}:
        found = [(m, a) for m, a in found if m.value == "failure"]
        values = {"failure"}
    return found[0] if len(values) == 1 else None


def _outcome(draft: Draft):
    """The outcome stated where the launch is reported; else in the sentences about it."""
    for want_mention in (True, False):
        for a, g in draft.analyses:
            if (g is not None) == want_mention and a.outcomes:
                return a.outcomes[0], a
    return None


def _platform(draft: Draft):
    """Majority of the sentences that tie one platform to the launch; a sentence naming several is no vote."""
    votes: dict[str, list] = {}
    for a, g in draft.analyses:
        tied = [m for m in a.platforms if _tied_to_launch(m, a, g)]
        kinds = {m.value for m in tied}
        if len(kinds) == 1:
            votes.setdefault(kinds.pop(), []).append((tied[0], a))
    if not votes:
        return None
    ranked = sorted(votes.values(), key=len, reverse=True)
    if len(ranked) > 1 and len(ranked[0]) == len(ranked[1]):
        return None
    return ranked[0][0]


def _tied_to_launch(m: Mark, a: Analysis, g: Group | None) -> bool:
    before = a.sentence.text[:m.start - a.sentence.start]
    if _NOT_THE_LAUNCHER.search(a.sentence.text):
        return False
    if _LAUNCHED_FROM.search(before) or re.match(r"(?:from|mounted|aboard)\b|[\w]+[- ](?:borne|based|mobile|launched)\b", m.text, re.IGNORECASE):
        return True
    # the platform as subject: "the frigate had launched", "the submarine ... fired"
    return g is not None and any(0 < t.start - m.end <= 40 and "," not in a.sentence.text[m.end - a.sentence.start:t.start - a.sentence.start] for t in g.triggers)


# Platforms that shoot down, track or carry nothing launched.
_NOT_THE_LAUNCHER = re.compile(r"\bwhether\b|\bunclear\b|\bnot\s+(?:say|clear|known)\b|\bshot\s+(?:\w+\s+){0,4}down\b|\bintercept|\bdowned\b|\btracked\s+by\b|\bdetected\s+by\b|\bmonitored\s+by\b", re.IGNORECASE)
# "... rising from a rail car": a platform in a sentence that tells no launch counts only when launched from.
_LAUNCHED_FROM = re.compile(r"\b(?:from|aboard|on\s+board|mounted\s+on|carried\s+by|by)\s+(?:an?\s+|the\s+|its\s+)?(?:[\w-]+\s+){0,3}$", re.IGNORECASE)


def _sources_of(a: Analysis, actor: str, lex) -> list[str]:
    labels = []
    for s in a.sources:
        label = source_label(s, actor, lex)
        if label and label not in labels:
            labels.append(label)
    return labels


def _reported_by(draft: Draft, text: str, lex):
    labels, evidence = [], []
    for m, label in draft.list_sources:
        labels.append(label)
        evidence.append(Evidence(m.start, m.end, text[m.start:m.end], label, None))
    for a, g in draft.analyses:
        for s in a.sources:
            label = source_label(s, draft.actor, lex)
            if label and label not in labels:
                labels.append(label)
                evidence.append(Evidence(s.start, s.end, text[s.start:s.end], label, a.hedge))
    return labels, evidence


def primary_flags(drafts: list[Draft]) -> list[bool]:
    if not drafts:
        return []
    lead = drafts[0].date
    flags = []
    for i, d in enumerate(drafts):
        if i == 0 or d.date is None and lead is None:
            flags.append(True)
        elif d.date and lead and _within_a_day(d.date, lead):
            flags.append(True)
        else:
            flags.append(False)
    return flags


def _within_a_day(a: str, b: str) -> bool:
    if len(a) != 10 or len(b) != 10:
        return a == b
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days) <= 1
