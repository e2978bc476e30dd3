"""Choose each field's value for a drafted launch, keeping the span that states it.

Conventions (SCHEMA.md, the gold sets' README): the class the text names wins
over a system's class; a stated range sets a generic ballistic missile's class;
figures are the first stated; outcome and platform only where the text ties
them to the launch.
"""
from __future__ import annotations

import re
from dataclasses import replace

from launchwatch.extract import places
from launchwatch.extract.analyze import Analysis, Group, source_label
from launchwatch.extract.assemble import BALLISTIC_KINDS, Draft, within_a_day
from launchwatch.extract.quantities import ranges
from launchwatch.extract.spans import Mark
from launchwatch.records import Event, Evidence

_SPECIFICITY = {"unknown": 0, "ballistic": 1, "hypersonic": 2, "rocket_artillery": 2, "cruise": 2, "space_launch": 2,
                "srbm": 3, "mrbm": 3, "irbm": 3, "icbm": 3, "slbm": 3}


def to_event(draft: Draft, text: str, is_primary: bool, lex, credit: Mark | None = None) -> Event:
    values: dict = {"actor": draft.actor, "date": draft.date, "is_primary": is_primary}
    evidence: dict[str, list[Evidence]] = {}

    def put(name, value, mark: Mark | None, analysis: Analysis | None = None, hedge=None):
        values[name] = value
        if mark is not None:
            source = _sources_of(analysis, draft.actor, lex, mark.start)[:1] if analysis else []
            evidence[name] = [Evidence(mark.start, mark.end, text[mark.start:mark.end], source[0] if source else None, hedge or (analysis.hedge if analysis else None))]

    put("date_text", draft.date_mark.text if draft.date_mark else None, draft.date_mark)
    cls, cls_mark, cls_a = _weapon_class(draft)
    plat = _platform(draft)
    if cls == "ballistic" and plat and plat[0].value == "submarine":
        cls = "slbm"  # a ballistic missile fired from a submarine is a submarine-launched one
    put("weapon_class", cls, cls_mark, cls_a)
    if cls_mark is not None:
        evidence["weapon_class"] += _other_classes(draft, cls, text, lex) + _system_class(draft, cls, text, lex)
    name = _first_system(draft)
    put("weapon_name", name[0].text if name else None, name[0] if name else None, name[1] if name else None)
    count = _count(draft)
    put("count", count[0] if count else None, count[1] if count else None, count[2] if count else None)
    if count and count[2] is not None:
        evidence["count"] += _competing_counts(draft, count, text, lex)
    for fld in ("distance_km", "apogee_km", "flight_time_s"):
        q = _quantity(draft, fld)
        put(fld, q[0].value if q else None, Mark(q[0].start, q[0].end, q[0].text) if q else None, q[1] if q else None, q[0].hedge if q else None)
        if q:
            evidence[fld][0] = replace(evidence[fld][0], unit=q[0].unit)
            evidence[fld] += _competing(draft, fld, q[0], text, lex)
    out = _outcome(draft)
    put("outcome", out[0].value if out else None, out[0] if out else None, out[1] if out else None)
    put("platform", plat[0].value if plat else None, plat[0] if plat else None, plat[1] if plat else None)
    site = places.launch_location(draft.mentions(), lex, draft.actor, [x for x in draft.analyses if x[1] is None])
    put("launch_location", site.text if site else None, site)
    if site is not None:
        evidence["launch_location"] += _competing_places(draft, site, places.launch_places(draft.analyses, lex), text, lex)
    where = places.landing(draft.analyses)
    put("landing", where.text if where else None, where)
    if where is not None:
        evidence["landing"] += _competing_places(draft, where, places.landings(draft.analyses), text, lex)
    values["reported_by"], evidence["reported_by"] = _reported_by(draft, text, lex)
    if not values["reported_by"] and credit is not None:  # a state agency's own release speaks for every line
        values["reported_by"] = [credit.value]
        evidence["reported_by"] = [Evidence(credit.start, credit.end, text[credit.start:credit.end], credit.value, None)]
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
    # "two Palestine-2 hypersonic ballistic missiles": a ballistic missile the launcher calls hypersonic
    adjective = [(m, a) for m, a in named if m.value == "hypersonic" and re.match(r"\s+ballistic\b", a.sentence.text[m.end - a.sentence.start:])]
    named = [x for x in named if x not in adjective] or named
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


def _system_class(draft: Draft, chosen: str, text: str, lex) -> list[Evidence]:
    """'the Toufan ballistic missile': the article says only 'ballistic', the named system is an MRBM.
    The article's word stays its value; the system's class is a claim for the ledger."""
    named = {s.value.name for _, g in draft.mentions() for s in g.systems if s.value.country == draft.actor}
    if _SPECIFICITY.get(chosen, 0) > 1 or len(named) != 1:
        return []  # an exercise with Emad and Ghadr missiles is no one system's launch
    for a, g in draft.mentions():
        for s in g.systems:
            if s.value.country == draft.actor and _SPECIFICITY.get(s.value.weapon_class, 0) > 1:
                source = _sources_of(a, draft.actor, lex, s.start)[:1]
                return [Evidence(s.start, s.end, text[s.start:s.end], source[0] if source else None, a.hedge,
                                 value=s.value.weapon_class)]
    return []


def _not_included(classes: list[Mark], a: Analysis) -> list[tuple[Mark, Analysis]]:
    """Leave out a part ("including what Seoul believed was an ICBM") and a label the launching state
    gave ("what it called tests for a reconnaissance satellite") when the sentence offers nothing else."""
    before = lambda c: a.sentence.text[max(0, c.start - a.sentence.start - 80):c.start - a.sentence.start]
    whole = [c for c in classes if not _INCLUDED.search(before(c)) and not _SO_CALLED.search(before(c))]
    return [(c, a) for c in (whole or [c for c in classes if not _SO_CALLED.search(before(c))])]


_SO_CALLED = re.compile(r"\b(?:what\s+(?:it|they|\w+)\s+(?:called|described\s+as|calls)|so-called)\s+(?:[\w'’-]+\s+){0,6}$", re.IGNORECASE)


def _other_classes(draft: Draft, chosen: str, text: str, lex) -> list[Evidence]:
    """Other specific classes the launch's sentences name ("analysts called it an ICBM"):
    competing claims for the ledger, each once."""
    seen, out = {chosen}, []
    for a, g in draft.analyses:
        # a class inside a system's name is a claim too: "its 'super-large multiple rocket launcher'"
        named = [c for c in a.all_classes if any(s.start <= c.start < s.end for s in g.systems)] if g is not None else []
        for c in (g.classes + named if g is not None else a.classes if a.names_class else []):
            if c.value in seen or _SPECIFICITY.get(c.value, 0) < 2:
                continue
            seen.add(c.value)
            source = _sources_of(a, draft.actor, lex)[:1]
            out.append(Evidence(c.start, c.end, text[c.start:c.end], source[0] if source else None, a.hedge,
                                value=c.value))
    return out


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
    """A known system of the launching state; else the name the text quotes ('a "new-type tactical guided weapon"')."""
    for a, g in draft.mentions():
        for s in g.systems:
            if s.value.country == draft.actor:
                return s, a
    for a, g in draft.analyses:  # "System: Bulava submarine-launched ballistic missile"
        if g is None and a.names_class:
            for s in a.systems:
                if s.value.country == draft.actor:
                    return s, a
    for a, _ in draft.analyses:
        for m in _QUOTED_NAME.finditer(a.sentence.text):
            start = a.sentence.start + m.start(1)
            return Mark(start, start + len(m.group(1)), m.group(1)), a
    return None


# A quoted weapon name of at most eight words: "super-large multiple rocket launcher".
_QUOTED_NAME = re.compile(r'"((?!(?:a|an|the|some|several)\s)(?:newly[- ]developed\s+)?(?:[\w-]+\s+){0,6}?(?:missiles?|weapons?|rockets?|launchers?|projectiles?))"', re.IGNORECASE)


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
        found = [q for q in (a.lengths if fld != "flight_time_s" else a.durations) if q.field == fld and not q.hypothetical]
        if found:  # the largest of several missiles' figures; a conversion only restates the first
            distinct = [q for q in found if q is found[0] or not _restates(q, found[0])]
            return max(distinct, key=lambda q: q.value), a
    return None


def _competing(draft: Draft, fld: str, chosen, text: str, lex) -> list[Evidence]:
    """Other figures for the same field in the launch's sentences: claims for the ledger.

    A figure restating one already kept (the same value, or a conversion into
    another unit within 2%) is not a competing claim; nor is another figure
    from the same source or one far from the chosen figure: in a salvo those
    are different missiles, not a disagreement.
    """
    kept, out = [chosen], []
    chosen_in = next((a for a, _g in draft.analyses if chosen in (a.lengths if fld != "flight_time_s" else a.durations)), None)
    chosen_source = _sources_of(chosen_in, draft.actor, lex, chosen.start)[:1] if chosen_in else []
    for a, _g in draft.analyses:
        for q in (a.lengths if fld != "flight_time_s" else a.durations):
            if q.field != fld or any(_restates(q, k) for k in kept):
                continue
            source = _sources_of(a, draft.actor, lex, q.start, same_clause=q.rival)[:1]
            # unnamed in two sentences is not known to be one source ("the official's round number" against
            # the author's own reading of the warnings)
            same = source == chosen_source and (source or a is chosen_in)
            if (same and not q.rival) or not 0.5 <= q.value / chosen.value <= 2:
                continue
            kept.append(q)
            out.append(Evidence(q.start, q.end, text[q.start:q.end], source[0] if source else None,
                                q.hedge or a.hedge, value=q.value, unit=q.unit))
    return out


def _competing_places(draft: Draft, chosen: Mark, found, text: str, lex) -> list[Evidence]:
    """Other wordings of the place from other sources ("the suburbs of Pyongyang", KCNA, against
    the JCS's "the Pyongyang area"): claims for the ledger, each wording once."""
    chosen_source = next((_sources_of(a, draft.actor, lex, chosen.start)[:1] for a, _g in draft.analyses
                          if a.sentence.start <= chosen.start < a.sentence.end), [])
    seen, out = {chosen.text.lower()}, []
    for mark, a in found:
        source = _sources_of(a, draft.actor, lex, mark.start)[:1]
        if mark.text.lower() in seen or source == chosen_source:
            continue
        seen.add(mark.text.lower())
        out.append(Evidence(mark.start, mark.end, text[mark.start:mark.end], source[0] if source else None,
                            a.hedge, value=mark.text))
    return out


def _competing_counts(draft: Draft, chosen, text: str, lex) -> list[Evidence]:
    """Other stated numbers of missiles from other sources ("the Houthis said three; CENTCOM
    said two"): claims for the ledger."""
    chosen_source = _sources_of(chosen[2], draft.actor, lex, chosen[1].start)[:1]
    seen, out = {chosen[0]}, []
    for a, g in draft.mentions():
        for c in g.counts:
            source = _sources_of(a, draft.actor, lex, c.start)[:1]
            if c.value in seen or source == chosen_source:
                continue
            seen.add(c.value)
            out.append(Evidence(c.start, c.end, text[c.start:c.end], source[0] if source else None, a.hedge,
                                value=c.value))
    if 1 not in seen:
        out += _singular_claims(draft, chosen_source, text, lex)
    return out


# "a US official said American sensors saw a single missile": one, against another source's two.
_ONE_BEFORE = re.compile(r"\b(?:a|an|a\s+single|one|only\s+one|just\s+one)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_SINGLE = re.compile(r"\b(?:a\s+single|only\s+one|just\s+one)\s+(?:[\w-]+\s+){0,2}?(?:missile|rocket|projectile)\b", re.IGNORECASE)


def _singular_claims(draft: Draft, chosen_source: list[str], text: str, lex) -> list[Evidence]:
    for a, g in draft.mentions():
        off = a.sentence.start
        marks = [m for m in g.classes if _ONE_BEFORE.search(a.sentence.text[:m.start - off]) and not _plural(m.text)]
        marks += [Mark(m.start() + off, m.end() + off, m.group(0)) for m in _SINGLE.finditer(a.sentence.text)]
        for mark in marks:
            source = _sources_of(a, draft.actor, lex, mark.start)[:1]
            if source and source != chosen_source:
                return [Evidence(mark.start, mark.end, text[mark.start:mark.end], source[0], a.hedge, value=1)]
    return []


def _restates(q, kept) -> bool:
    if q.value == kept.value:
        return True
    close = abs(q.value - kept.value) <= 0.005 * max(q.value, kept.value)  # a conversion, rounded
    return close and q.unit != kept.unit


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
_LAUNCHED_FROM = re.compile(r"\b(?:from:?|aboard|on\s+board|mounted\s+on|carried\s+by|by)\s+(?:an?\s+|the\s+|its\s+)?(?:[\w-]+\s+){0,3}$", re.IGNORECASE)


def _sources_of(a: Analysis, actor: str, lex, near: int | None = None, same_clause: bool = False) -> list[str]:
    """The sentence's sources; nearest to the value at `near` first ("X flew 1,000 miles, a US
    official said, while the Guards said they launched two"); only its own clause's if `same_clause`."""
    labels = []
    marks = a.sources
    if near is not None:
        clause = _clause_of(a, near)
        marks = sorted(a.sources, key=lambda m: (_clause_of(a, m.start) != clause, min(abs(m.start - near), abs(m.end - near))))
        if same_clause:
            marks = [m for m in marks if _clause_of(a, m.start) == clause]
    for s in marks:
        label = source_label(s, actor, lex)
        if label and label not in labels:
            labels.append(label)
    return labels


# "the Guards said 550 km, while US Space Command put it at 480 km": each clause has its own source.
_CLAUSE_BREAK = re.compile(r",\s*(?:while|whereas|but)\b|;\s")


def _clause_of(a: Analysis, pos: int) -> int:
    """How many clause breaks end before `pos` (the breaks are found once per sentence)."""
    breaks = a.__dict__.get("_clause_breaks")
    if breaks is None:
        breaks = a.__dict__["_clause_breaks"] = [m.end() + a.sentence.start for m in _CLAUSE_BREAK.finditer(a.sentence.text)]
    return sum(1 for end in breaks if end <= pos)


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
        elif d.date and lead and within_a_day(d.date, lead) or d.row and drafts[0].row:
            flags.append(True)  # every row of a digest is the week's news
        else:
            flags.append(False)
    return flags
