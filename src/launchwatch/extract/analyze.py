"""What one sentence says: launch mentions, dates, actors, sources and facts.

Pure functions over a Sentence; assemble.py groups their output into events.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from launchwatch.extract import quantities
from launchwatch.extract.dates import DateExpr, find_dates
from launchwatch.folding import Folded, Gated, Holds, fold, folds_like_ignorecase
from launchwatch.extract.gazetteer import tokenize
from launchwatch.extract.spans import Mark
from launchwatch.extract.lexicon import Lexicon, class_of
from launchwatch.extract.text import Sentence

# Words before an actor name that make it a place, not the launching state.
LOCATIVE = re.compile(r"\b(?:over|into|toward|towards|near|off|at|against|on|to|from|in|inside|of|across|beyond|reach|hit|threatens?|with|between|than|by|for)\s+(?:the\s+)?(?:coast\s+of\s+|mainland\s+)?$", re.IGNORECASE)
_AGENCY_SUBJECT = re.compile(r"^\s*(?:(?:has|have|had|also|successfully|on\s+\w+)\s+)*$", re.IGNORECASE)
_BY_ACTOR = re.compile(r"^\s*(?:\w+\s+){0,2}(?:by|from)\s+(?:the\s+)?$", re.IGNORECASE)
# "the weapon the North first tested in 2019" describes a system's debut, not a launch report.
_WEAPON_HISTORY = re.compile(r"\b(?:which|that|weapon|system|missile|design)\s+(?:\w+\s+){0,2}first\s+$", re.IGNORECASE)
_GENERIC_PLURAL = re.compile(r"(?:launches|tests|flights|firings)$", re.IGNORECASE)
_SPECIFIC_DET = re.compile(r"(?:\b(?:the|these|those|its|their|both|two|three|four|five|six|several|latest|recent|weekend)\b|['’]s)\s+(?:[\w-]+\s+){0,4}$", re.IGNORECASE)
# "after two failed attempts", "a string of failures": other launches' outcomes.
_OTHER_FAILURES = re.compile(r"\bfailed\s+(?:repeatedly|several\s+times|many\s+times|\w+\s+times)\b|\b(?:(?:second|third|fourth|fifth|another)\s+time\s+(?:that\s+)?(?:\w+\s+){0,4}(?:had\s+|has\s+)?failed|failed\s+(?:in\s+)?(?:\w+\s+){0,2}(?:attempts|launches|tests|tries|flights)|failures|(?:previous|earlier|prior|past|two|three|several|repeated|string\s+of|series\s+of)\s+(?:\w+\s+)?(?:failed|failures?))\b", re.IGNORECASE)
# A dated list item: "Aug. 2 — Two more from Yonghung, flying about 220 km".
_TIMELINE_ITEM = re.compile(r"^((?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8})(?:,\s*\d{4})?)\s*[—–:-]+\s*(?=.*\b(?:\d+\s*km|missiles?|projectiles?|rockets?|more|fired|launched)\b)")
# "would begin its mission in December", "is expected to brief reporters on Thursday": a date of what is to come.
_FUTURE_CLAUSE = re.compile(r"\b(?:will|would|shall|expected\s+to|plans?\s+to|planning\s+to|scheduled\s+to|set\s+to|due\s+to|is\s+to|are\s+to|intends?\s+to)\s+(?:(?!\b(?:said|says|and|but|after|when)\b)[^,.;:])*$", re.IGNORECASE)
# "since September 2017, when a Hwasong-12 crossed Hokkaido": the when-clause tells that launch.
_WHEN_CLAUSE = re.compile(r",?\s*when\b")
_IN_SINCE_CLAUSE = re.compile(r"\bsince\s+(?:[\w'’.-]+\s+){1,5}$", re.IGNORECASE)
# "discuss the launch", "condemned Sunday's test": a reference to a launch already told, not a new report.
_REFERENCE = re.compile(r"\b(?:on|about|of|over|following|confirmed|watched|oversaw|observed|supervised|attended|guided|hailed|praised|condemn(?:ed|s)?|denounc(?:ed|es)?|discuss|criticis(?:ed|es)|criticiz(?:ed|es)|protest(?:ed)?|call(?:ed)?)\s+(?:the|this|that|these|its|their|[A-Z]\w+day['’]s)\s+(?:latest\s+|recent\s+|missile\s+)?$", re.IGNORECASE)
_DATED_AFTER = re.compile(r"\s+(?:on|in)\s+[A-Z0-9]")  # "watched the second test on Jan. 11" tells a launch
# Discourse cues that the day's next launch is told: "Separately, ...", "fired 20 more missiles".
_SEPARATE = re.compile(r"(?:Separately|In\s+a\s+separate\s+\w+|In\s+another\s+\w+)\b")
_MORE = re.compile(r"\b(?:more|additional|further|another)\b", re.IGNORECASE)
_SINCE = re.compile(r"^(?:since|Since)\b")
_MONTH_KINDS = ("month_year", "month_day", "day_month", "month_last_year")
# "its first intercontinental launch since October 2024": that month had the previous one.
_FIRST_SINCE = re.compile(r"\bfirst\s+(?:[\w-]+\s+){0,4}(?:launch|test|flight|firing|test-firing)\s+(?:of\s+(?:an?\s+)?[\w-]+\s+)?(?:since\s+)?$", re.IGNORECASE)
# Weapon anaphors: facts in a sentence that speaks of "the missile" belong to the launch in focus.
_ABOUT_LAUNCH = Folded(r"\b(?:targets?|missiles?|rockets?|projectiles?|launch(?:es)?|tests?|flight|weapons?|ICBMs?|SLBMs?|IRBMs?|SRBMs?|satellites?|warheads?)\b")
_COPULA_CLASS = Folded(r"^\s*(?:system|weapon|missile|type)\b[^:]{0,12}:|\b(?:detected|identified|assessed)\b|\b(?:the|this|that|these|those|both)\s+(?:missiles?|weapons?|projectiles?|rockets?)\s+(?:was|were|is|are|as)\b|\bidentified\s+(?:it|them|the\s+\w+)\s+as\b|\b(?:called|calls?)\s+(?:it|them)\b|\b(?:describ(?:e|es|ed)|classif(?:y|ies|ied))\s+(?:it|them)\s+as\b", gated=True)
_PERSON_OFFICE = Gated(re.compile(r"\b(?:President\s+)?([A-Z][a-z]+)['’]s\s+office\b"))


@dataclass
class Group:
    """Launch triggers in a sentence that share one actor: one launch mention."""

    actor: str | None
    actor_mark: Mark | None
    triggers: list[Mark]
    date: DateExpr | None = None
    classes: list[Mark] = field(default_factory=list)
    systems: list[Mark] = field(default_factory=list)
    counts: list[quantities.Count] = field(default_factory=list)
    separate: bool = False  # "Separately, ...", "fired two more": another launch the same day
    list_item: bool = False  # a dated line of a timeline box
    row: bool = False  # a digest's row ("1. RUSSIA | Tuesday, May 18")
    aside: bool = False  # "fired from Hainan, as it was in September 2024": an earlier launch told in passing
    launched: list[Mark] = field(default_factory=list)  # systems the launch verb governs ("launched a Sineva")

    @property
    def start(self) -> int:
        return self.triggers[0].start


class lazy:  # noqa: N801 -- reads like functools.cached_property, which it replaces
    """functools.cached_property without its lock: worked out on first use, then an attribute.
    An Analysis belongs to one document's extraction, never shared between threads, and the
    lock cost about a microsecond for each of the dozen facts of every sentence."""

    def __init__(self, func):
        self.func = func
        self.name = func.__name__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


@dataclass
class Analysis:
    """What one sentence says. Everything but the launch mentions (`groups`) is worked out on
    first use: most sentences are never asked for their facts."""

    sentence: Sentence
    groups: list[Group] = field(default_factory=list)
    lex: Lexicon | None = field(default=None, repr=False)

    @lazy
    def _words(self) -> list:
        return tokenize(self.sentence.text)

    @lazy
    def _names(self) -> list[str]:  # the words' strings, shared by the gazetteers
        return [w.group(0) for w in self._words]

    def names_in(self, gazetteer) -> list[Mark]:
        """The gazetteer's names in the sentence (its words are found once for all gazetteers)."""
        return gazetteer.find(self.sentence.text, self.sentence.start, self._words, self._names)

    @lazy
    def systems(self) -> list[Mark]:
        return self.names_in(self.lex.systems) if self.lex else []

    @lazy
    def agencies(self) -> list[Mark]:
        return self.names_in(self.lex.agencies) if self.lex else []

    @lazy
    def actors(self) -> list[Mark]:
        if not self.lex:
            return []
        return [a for a in self.names_in(self.lex.actors) if not _inside(a, self.agencies)]

    @lazy
    def classes(self) -> list[Mark]:
        text = self.sentence.text
        if not self.lex or not _CLASS_CUE.search(text):
            return []
        return [c for c in self.all_classes if not _inside(c, self.systems)]

    @lazy
    def all_classes(self) -> list[Mark]:
        """Class phrases, those inside a system's name included."""
        text = self.sentence.text
        if not self.lex or not _CLASS_CUE.search(text):
            return []
        return _class_marks(text, self.sentence.start, self.lex)

    @lazy
    def dates(self) -> list[DateExpr]:
        return find_dates(self.sentence.text, self.sentence.start) if self.lex else []

    @lazy
    def excluded(self) -> bool:
        return bool(self.lex and self.lex.excluded.search(self.sentence.text))

    @lazy
    def sources(self) -> list[Mark]:
        return _sources(self.sentence.text, self.sentence.start, self.agencies, self.actors, self.lex) if self.lex else []

    @lazy
    def lengths(self) -> list[quantities.Quantity]:
        return quantities.lengths(self.sentence.text, self.sentence.start) if self._digits else []

    @lazy
    def durations(self) -> list[quantities.Quantity]:
        worth_it = self._digits or self.lex is not None and _time_word(self.sentence.text)  # "about four minutes"
        return quantities.durations(self.sentence.text, self.sentence.start) if worth_it else []

    @lazy
    def counts(self) -> list[quantities.Count]:
        return quantities.counts(self.sentence.text, self.sentence.start) if self.lex else []

    @lazy
    def outcomes(self) -> list[Mark]:
        return _outcomes(self.sentence.text, self.sentence.start, self.lex) if self.lex else []

    @lazy
    def platforms(self) -> list[Mark]:
        if not self.lex:
            return []
        off = self.sentence.start
        text = self.sentence.text
        return [Mark(m.start() + off, m.end() + off, text[m.start():m.end()], m.lastgroup) for m in self.lex.platforms.finditer(text)]

    @lazy
    def hedge(self) -> str | None:
        return _first(self.lex.hedges, self.sentence.text) if self.lex else None

    @lazy
    def _digits(self) -> bool:
        return self.lex is not None and _DIGIT.search(self.sentence.text) is not None

    @property
    def about_launch(self) -> bool:
        return bool(self.groups or _ABOUT_LAUNCH.search(self.sentence.text) or self.systems or self.classes or self.lengths or self.durations)

    @lazy
    def names_class(self) -> bool:
        return bool(_COPULA_CLASS.search(self.sentence.text))


def analyze(sentence: Sentence, lex: Lexicon) -> Analysis:
    text, off = sentence.text, sentence.start
    if not (_maybe_relevant(text) or lex.triggers.search(text) or SOURCE_NOTE.match(text)):
        return Analysis(sentence)
    analysis = Analysis(sentence, lex=lex)
    if "|" in text:
        row = _digest_row(analysis := Analysis(sentence, lex=lex))
        if row is not None:
            analysis.groups = [row]
            return analysis
    item = _TIMELINE_ITEM.match(text)
    asks = text.rstrip("\"'”’) ").endswith("?")  # "Wasn't there a K-15 launch years ago?" reports nothing
    triggers = [] if _is_subhead(text) or asks else _triggers(text, off, lex, lambda: analysis.dates)
    if item and not triggers:
        triggers = [Mark(off + item.end(1), off + item.end(), item.group(0)[item.end(1):])]
    if not triggers or analysis.excluded:
        return analysis
    # "Pakistan last flew one in November 2026": the weapon is the one just named
    has_weapon = bool(item or analysis.systems or analysis.classes or lex.weapon.search(text) or _FIRED_ONE.search(text))
    launch_noun = any(_LAUNCH_NOUN.match(t.text) for t in triggers)
    if not (has_weapon or (launch_noun and analysis.dates)):
        return analysis
    analysis.groups = _group(analysis, triggers, text, off)
    for g in analysis.groups:
        g.launched = [s for s in g.systems if any(_governs(t, s, text, off) for t in g.triggers)]
        g.separate = bool(_SEPARATE.match(text)) or any(_MORE.search(c.text) for c in g.counts)
        g.list_item = item is not None
    return analysis


_LAUNCH_NOUN = re.compile(r"launch|test|salvo|barrage|flight|firing|attempt", re.IGNORECASE)
_FIRED_ONE = re.compile(r"\b(?:fired|flew|launched|tested|test-fired)\s+(?:one|another)\b(?!\s+of\b)")
_ROW_DATE_KINDS = ("month_day", "day_month", "weekday")


def _digest_row(analysis: Analysis) -> Group | None:
    """A digest's row is one launch: '1. RUSSIA | Tuesday, May 18', '- Thu 25 Jun | RUSSIA | Bulava SLBM',
    'Tue 20 Feb, 23:02 PST | USA | Minuteman III (ICBM), 1 missile | Vandenberg SFB | ...'.
    The state and the day are in the first cells; the rest of the row lends its facts."""
    text, off = analysis.sentence.text, analysis.sentence.start
    cells = [m for m in re.finditer(r"[^|]+", text)][:3]
    if len(cells) < 2:
        return None
    actor = date = None
    for cell in cells:
        date = date or min((d for d in analysis.dates if d.kind in _ROW_DATE_KINDS
                            and cell.start() <= d.start - off < cell.end()), key=lambda d: DATE_RANK[d.kind], default=None)
        if actor is None:
            actor = _row_actor(text, cell, off, analysis.lex)
    if actor is None or date is None:
        return None
    group = Group(actor.value, actor, [actor], date, row=True)
    group.classes = list(analysis.classes)
    group.systems = list(analysis.systems)
    in_dates = [(d.start, d.end) for d in analysis.dates]
    group.counts = [c for c in analysis.counts if not any(s <= c.start < e for s, e in in_dates)]
    return group


def _row_actor(text: str, cell: re.Match, off: int, lex: Lexicon) -> Mark | None:
    raw = cell.group(0)
    label = raw.strip(" \t-•*").lstrip("0123456789.) ").strip()
    if not label:
        return None
    start = cell.start() + raw.index(label)
    for candidate in (label, label.title()):
        found = lex.actors.find(candidate, 0)
        if found and found[0].start == 0 and found[0].end == len(candidate):
            return Mark(start + off, start + off + len(label), text[start:start + len(label)], found[0].value)
    return None


_DIGIT = re.compile(r"\d")
_TIME_WORD = re.compile(r"\b(?:minutes?|seconds?|hours?)\b", re.IGNORECASE)


def _time_word(text: str) -> bool:
    """_TIME_WORD.search, run only when a substring test on the folded text finds its word."""
    if folds_like_ignorecase(text) and not any(w in fold(text) for w in ("minute", "second", "hour")):
        return False
    return _TIME_WORD.search(text) is not None
# Class phrases need one of these words; most sentences have none.
_CLASS_CUE = Holds("missile", "ICBM", "SRBM", "IRBM", "MRBM", "SLBM", "rocket", "satellite", "hypersonic", "cruise", "ballistic",
                   "launcher", "artillery", "orbit")
# A sentence with none of these (nor a trigger or system name) can neither report a launch nor lend a fact.
_RELEVANT_WORDS = Holds("missile", "rocket", "projectile", "weapon", "launch", "ICBM", "SLBM", "SRBM", "IRBM", "MRBM", "satellite",
                        "ballistic", "cruise", "hypersonic", "warhead")


def _maybe_relevant(text: str) -> bool:
    return _DIGIT.search(text) is not None or _RELEVANT_WORDS.search(text)


# "(Figures from South Korea's Joint Chiefs of Staff)": the source of the list that follows.
SOURCE_NOTE = re.compile(r"^\(?\s*(?:Figures|Data|Numbers|Source|Sources|Dates)\b[^()]{0,30}?(?:from|:|according\s+to)", re.IGNORECASE)


def _is_subhead(text: str) -> bool:
    """'Third test in ten days': a short unpunctuated line heads a section; it reports nothing itself."""
    return len(text.split()) <= 8 and not re.search(r"[.!?\"'”’]$", text.strip()) and not _TIMELINE_ITEM.match(text)


def launch_dates(analysis: Analysis) -> list[DateExpr]:
    """Dates that can place a launch: not the date of a statement, not a 'since' bound."""
    text, off = analysis.sentence.text, analysis.sentence.start
    out = []
    for d in analysis.dates:
        before = text[max(0, d.start - off - 25):d.start - off]
        since = _SINCE.match(d.text) or re.search(r"(?<!shortly\s)(?<!just\s)\b(?:since|until|by|before)\s+$", before) or _IN_SINCE_CLAUSE.search(before)
        if since and not _WHEN_CLAUSE.match(text, d.end - off) and not (
                d.kind in _MONTH_KINDS and _FIRST_SINCE.search(text[:d.start - off])):
            continue
        if is_statement_date(analysis, d) or _DATELINE.match(text[:d.start - off]) or _is_dateline(text, d, off):
            continue
        if d.kind in ("same_day", "days_offset", "day_before", "day_after") \
                and not (d.kind == "same_day" and d.text.endswith("later")) and _relative_to_other_news(text, d.end - off):
            continue
        if d.kind in ("this_month", "month_this_year", "last_week") and _ORDINAL_TALLY.search(before):
            continue
        if _FOREIGN_CLOCK.match(text, d.end - off):
            continue  # "on Tuesday afternoon in Washington": the launch's local day is told elsewhere
        if _OTHER_OCCASION.search(before) or _OCCASION_AFTER.match(text, d.end - off) or _FUTURE_CLAUSE.search(text[max(0, d.start - off - 90):d.start - off]):
            continue
        out.append(d)
    return out


_REPORTED = re.compile(r"\b(?:said|says|reported|announced|told|confirmed|claimed|disclosed|revealed|acknowledged)\b")


def statement_dates(analysis: Analysis) -> list[DateExpr]:
    """Dates of statements ('Russia said on Wednesday it had ...'): a launch's date only when nothing better is said."""
    return [d for d in analysis.dates if is_statement_date(analysis, d)]


def is_statement_date(analysis: Analysis, d: DateExpr) -> bool:
    text, off = analysis.sentence.text, analysis.sentence.start
    before = text[max(0, d.start - off - 25):d.start - off]
    if re.search(r"\b(?:said|says|reported|announced|told\s+\w+|stated|confirmed|statement|added|published)\s+(?:on\s+|late\s+|early\s+)?$", before):
        return True
    return _dates_a_statement(analysis, d)


def _dates_a_statement(analysis: Analysis, d: DateExpr) -> bool:
    """'On Friday, however, the JCS said ... flew 600 km': the date is the statement's."""
    if d.kind not in ("weekday", "today", "yesterday", "month_day", "day_month", "day_after", "day_before"):
        return False  # a vague period ("over the weekend") describes the activity, not a statement
    text, off = analysis.sentence.text, analysis.sentence.start
    if d.start - off > 3:
        return False  # only a sentence-initial date can belong to the statement that follows it
    verbs = [m.start() + off for m in _TRIGGER_VERBS.finditer(text)]
    later = [v for v in verbs if v > d.end]
    if not later or any(v < d.start for v in verbs):
        return False
    between = text[d.end - off:min(later) - off]
    verb = _REPORTED.search(between)
    if not verb or re.search(r"\b(?:that|when|as)\b", between[:8]):
        return False
    return len(between[:verb.start()].split()) <= 6  # "On Friday, however, the JCS said"


# "VANDENBERG SPACE FORCE BASE, Calif., Nov. 2 -": the dateline dates the story.
_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]{2,}(?:,\s*[A-Z][\w.]*\.?)*,\s*$")
# "Balasore (Odisha), Jun 8 (PTI) India on Wednesday ...": a place, the date, then a credit or a dash.
_DATELINE_PLACE = re.compile(r"^[A-Z][\w .'’()/-]{1,40}(?:,\s*[\w.]+\.?)*(?:,|\s[-—–])\s*$")
_DATELINE_CREDIT = re.compile(r"\s*(?:\([A-Za-z][\w.&/ ]{0,40}\)\s*)?[-—–:]|\s*\([A-Za-z][\w.&/ ]{0,40}\)")


# "Rawalpindi - November 18, 2026:" or "Dated: November 18, 2026" on a line of its own: a
# release's head dates it. A wire dateline running into the lead ("SEOUL, March 4 (Reuters) -
# North Korea fired ...") dates the story only: an undated flash stays undated.
_HEAD_DATE_BEFORE = re.compile(r"^(?:[A-Z][\w .'’()/-]{1,40}(?:,\s*[\w.]+\.?)*(?:,|\s[-—–])|.*\bDated:)\s*$")
_HEAD_DATE_AFTER = re.compile(r"\s*(?:\([A-Za-z][\w.&/ ]{0,15}\)\s*)?[-—–:]?\s*$")
_DAY_KINDS = ("month_day", "day_month")
HEAD_PARAGRAPHS = 3


def story_date(analyses: list[Analysis], published, skip_until: int = 0) -> tuple[str, Mark] | None:
    """The date a dateline gives the story, with its mark; None when the head has none."""
    from launchwatch.extract.dates import resolve

    for a in analyses:
        if a.sentence.start < skip_until:
            continue
        if a.sentence.paragraph > HEAD_PARAGRAPHS:
            return None
        text, off = a.sentence.text, a.sentence.start
        for d in a.dates:
            if d.kind in _DAY_KINDS and _HEAD_DATE_BEFORE.match(text[:d.start - off]) \
                    and _HEAD_DATE_AFTER.match(text, d.end - off):
                when = resolve(d, published)
                if when:
                    return when, Mark(d.start, d.end, d.text)
    return None


def _is_dateline(text: str, d: DateExpr, off: int) -> bool:
    return bool(_DATELINE_PLACE.match(text[:d.start - off]) and _DATELINE_CREDIT.match(text, d.end - off))
# Preference among a sentence's dates: calendar dates, then weekdays, then vaguer ones.
DATE_RANK = {"month_day": 0, "day_month": 0, "month_year": 1, "window": 1, "weekday": 2, "today": 3, "yesterday": 3,
             "two_days": 3, "month_only": 4, "month_last_year": 4, "year": 5, "years_ago": 5, "days_ago": 3,
             "same_day": 6, "day_before": 6, "day_after": 6, "days_offset": 6, "last_week": 7, "last_month": 7,
             "this_month": 8, "weekend": 7}
# "an election on April 10": a date of some other occasion.
_OTHER_OCCASION = re.compile(r"\b(?:election|elections|summit|meeting|talks|visit|anniversary|holiday|ceremony|congress|plenum|session|conference|birthday|inauguration|deadline|vote|speech|parade|trip|funeral|hearing|imagery|images|photos|photographs|pictures|warnings?|notices?|NOTAMs?)\s+(?:\w+\s+)?$"
                             # "maritime warnings issued by China on Sept. 21": the date of a document
                             r"|\b(?:issued|published|released|posted|taken|circulated|dated)\s+(?:by\s+(?:[\w.-]+\s+){1,4})?(?:on\s+)?$", re.IGNORECASE)
# "Wednesday's announcement": the date of a statement or meeting, not of a launch.
_OCCASION_AFTER = re.compile(r"\s*(?:(?:\w+\s+)?(?:announcement|statement|report|briefing|meeting|talks|summit|speech|parade|session|vote|election|visit|remarks|press\s+conference|news\s+conference|broadcast))\b", re.IGNORECASE)
# "its third weapons test this month": a tally, not the launch's date.
_ORDINAL_TALLY = re.compile(r"\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))\s+(?:[\w-]+\s+){0,3}$", re.IGNORECASE)
_FOREIGN_CLOCK = re.compile(r"\s*(?:afternoon|morning|evening|night)?\s*(?:in\s+Washington|here\b|\(?(?:Washington|U\.?S\.?|Eastern|Pacific|East\s+Coast|GMT|UTC)\s+time\b)")
_LAUNCH_WORD = re.compile(r"\b(?:launch|launches|launched|test|tests|tested|missiles?|rockets?|firing|fired|failure|attempt|flight|salvo|barrage|ICBMs?|SRBMs?|IRBMs?|SLBMs?|exploded|failed|crashed|orbit)\b", re.IGNORECASE)


def _split_at_offset(groups: list[Group], dated: list[DateExpr], text: str, off: int) -> Group | None:
    """'fired an Emad on Saturday, four days after the Guards test-fired two Sejjils': the
    clause after "N days after" tells an earlier launch; its triggers become their own group."""
    if len(dated) < 2:
        return None
    for d in dated:
        offset = d.kind == "days_offset" and (d.group("dir") or "").lower() in ("after", "before")
        # "the first test since November, when a missile launched from Vandenberg was destroyed"
        when = d.kind in _MONTH_KINDS + ("month_only", "year") and _WHEN_CLAUSE.match(text, d.end - off) is not None
        if not (offset or when):
            continue
        told = [g for g in groups if g.triggers[0].start >= d.end and g.date is None]
        told = told if any(t.end <= d.start for g in groups for t in g.triggers) and not any(e.start > d.end for e in dated) else []
        if told:  # "Saturday's launch came three days after the North fired a Hwasong-18": the launch the clause tells
            told[0].date, told[0].separate = d, True
            return told[0]
        for g in groups:
            before = [t for t in g.triggers if t.end <= d.start]
            after = [t for t in g.triggers if t.start >= d.end]
            if before and after:
                g.triggers = before
                return Group(g.actor, g.actor_mark, after, d, separate=True)
    return None


def _relative_to_other_news(text: str, end: int) -> bool:
    """'two days after Seoul announced ...' places nothing; 'hours after the launch' does."""
    tail = re.match(r"[^,.;]{0,80}", text[end:]).group(0)
    if not re.match(r"\s*(?:after|before|of)?\s*\w", tail) or re.match(r"\s*[,.;]", tail):
        return False
    return not _LAUNCH_WORD.search(tail)


_TRIGGER_VERBS = re.compile(r"\b(?:fired|launched|test-fired|flew|landed|exploded|tested|launch|launches|test|tests)\b")
_ABSOLUTE = ("month_day", "day_month", "month_year", "window", "year", "month_only", "month_last_year")


def _group(analysis: Analysis, triggers: list[Mark], text: str, off: int) -> list[Group]:
    groups: list[Group] = []
    for trig in triggers:
        actor = _actor_for(trig, analysis.actors, text, off, analysis.agencies)
        same = next((g for g in groups if g.actor == (actor.value if actor else None)), None)
        if same:
            same.triggers.append(trig)
        else:
            groups.append(Group(actor.value if actor else None, actor, [trig]))
    if not groups:
        return groups
    dated = launch_dates(analysis)
    groups = [part for g in groups for part in _split_possessive_dates(g, dated, text, off)]
    dated = [d for d in dated if not any(g.date is d for g in groups)]
    coordinated = _coordinated_dates(dated, text, off)
    dated = [d for d in dated if d not in coordinated[1:]]
    split = _split_at_offset(groups, dated, text, off)
    if split is not None:
        dated.remove(split.date)
        if all(split is not g for g in groups):
            groups.append(split)
    for d in sorted(dated, key=lambda d: DATE_RANK.get(d.kind, 9)):
        target = groups[-1] if d.kind in ("same_day", "days_offset", "day_before") and "later" not in d.text.lower() else _nearest(groups, d.start)
        target.date = target.date or d
    for i, g in enumerate(groups):
        g.aside = g.date is not None and (bool(_AS_BEFORE.search(text[:g.date.start - off])) or (
            # "Pakistan fired a Shaheen-III, hours after India flight-tested its Agni-5": the clause's launch is told in passing
            i > 0 and g.date.kind in ("same_day", "days_offset") and groups[0].triggers[0].end <= g.date.start
            and g.date.end <= g.triggers[0].start
            and re.search(r"\b(?:after|before)$", g.date.text) is not None))
    for c in analysis.classes:
        _closest(groups, c).classes.append(c)
    for s in analysis.systems:
        _nearest(groups, s.start).systems.append(s)
    in_dates = [(d.start, d.end) for d in analysis.dates]
    for c in analysis.counts:
        if any(s <= c.start < e for s, e in in_dates):
            continue  # "on 18 FEB" is a date
        _nearest(groups, c.start).counts.append(c)
    if split is not None:
        _inherit_kind(split, analysis, text, off)
    _conjoined_actors(groups, analysis, text, off)
    for extra in coordinated[1:]:
        g = next((g for g in groups if g.date is coordinated[0]), None)
        if g:
            groups.append(Group(g.actor, g.actor_mark, list(g.triggers), extra, list(g.classes), list(g.systems), list(g.counts)))
    return groups


_AS_BEFORE = re.compile(r"\b(?:as\s+(?:it|they|one|that)\s+(?:was|were|did|had)|just\s+as|like\s+(?:the\s+one|that|those))\s+$", re.IGNORECASE)


def _split_possessive_dates(group: Group, dated: list[DateExpr], text: str, off: int) -> list[Group]:
    """'Saturday's launch followed Wednesday's test': each day's launch is its own mention."""
    pairs = []
    for d in dated:
        if not d.text.endswith(("'s", "’s")):
            continue
        trig = next((t for t in group.triggers if 0 <= t.start - d.end <= 12 and re.fullmatch(r"\s*(?:[\w-]+\s+)?", text[d.end - off:t.start - off])), None)
        if trig is not None:
            pairs.append((trig, d))
    if len(pairs) < 2:
        return [group]
    rest = [t for t in group.triggers if all(t is not trig for trig, _ in pairs)]
    out = [Group(group.actor, group.actor_mark, [trig], d) for trig, d in pairs]
    out[0].triggers += rest
    out[0].triggers.sort(key=lambda t: t.start)
    return out


def _inherit_kind(split: Group, analysis: Analysis, text: str, off: int) -> None:
    """'the first IRBM test since Jan. 14, when it fired ...': the launch of Jan. 14 was an IRBM too."""
    first = _FIRST_SINCE.search(text[:split.date.start - off])
    if first is None:
        return
    start, end = first.start() + off, split.date.start
    split.classes += [c for c in analysis.classes if start <= c.start < end and c not in split.classes]
    split.systems += [x for x in analysis.systems if start <= x.start < end and x not in split.systems]


def _coordinated_dates(dated: list[DateExpr], text: str, off: int) -> list[DateExpr]:
    """'launches in January 2019 and February 2020': two calendar dates joined by 'and' are two launches."""
    calendar = [d for d in dated if d.kind in _ABSOLUTE]
    for first, second in zip(calendar, calendar[1:]):
        if re.fullmatch(r"\s*(?:,|and|,\s*and|or)(?:\s+again)?\s*", text[first.end - off:second.start - off]):
            return [first, second]
    return []


def _conjoined_actors(groups: list[Group], analysis: Analysis, text: str, off: int) -> None:
    """'South Korea and the United States fired ...': one mention per actor."""
    for g in list(groups):
        if not g.actor_mark:
            continue
        before = text[:g.actor_mark.start - off]
        m = re.search(r"(?:^|[^\w])([\w .'’-]{2,40}?)\s+and\s+(?:the\s+)?$", before)
        if not m:
            continue
        other = next((a for a in analysis.actors if a.end - off <= g.actor_mark.start - off and a.value != g.actor and a.start - off >= m.start(1)), None)
        if other and not any(x.actor == other.value for x in groups):
            # "X and Y fired four missiles" says nothing of each one's share
            g.counts = []
            groups.append(Group(other.value, other, list(g.triggers), g.date, list(g.classes), list(g.systems), []))


def _closest(groups: list[Group], mark: Mark) -> Group:
    """The launch a class phrase describes: 'fired an ICBM' (before it) or 'its first ICBM test' (right after it)."""
    def gap(g: Group) -> int:
        t = g.triggers[0]
        return mark.start - t.end if t.end <= mark.start else (t.start - mark.end) * 3
    return min(groups, key=gap)


def _nearest(groups: list[Group], pos: int) -> Group:
    before = [g for g in groups if g.start <= pos]
    return max(before, key=lambda g: g.start) if before else min(groups, key=lambda g: g.start)


# "South Korea's military said the North fired": the actor speaks about another's launch.
# "The Indian missile, which New Delhi says ..., was fired": the speaker is inside a relative clause.
_RELATIVE = re.compile(r"(?:['’]s)?\s*(?:[\w-]+\s+){0,2}?[\w-]+,\s*(?:which|who)\b")
_SPEAKER = re.compile(r"^(?:['’]s)?\s*(?:[\w,-]+\s+){0,5}?(?:said|says|reported|announced|told|confirmed|believes|believed|assessed|detected|added|warned|feared|argued|insisted|noted|accused|called|claimed)\b(?!.*\b(?:it|they|its|their)\b)", re.IGNORECASE | re.DOTALL)
_SELF_REPORT = re.compile(r"^\s*(?:said|says|announced|reported|confirmed)\s+(?:that\s+)?(?:it|they)\s+(?:had\s+|has\s+|have\s+)?(?:successfully\s+|also\s+)?$", re.IGNORECASE)
_OTHER_SUBJECT = re.compile(r"\b(?:the|a|an|this|that|its|their)\s+(?:[\w-]+\s+){0,3}(?:missiles?|rockets?|projectiles?|ICBMs?|SRBMs?|IRBMs?|SLBMs?|weapons?)\b", re.IGNORECASE)


def _actor_for(trig: Mark, actors: list[Mark], text: str, off: int, agencies: list[Mark] = ()) -> Mark | None:
    if _REFERENCE.search(text[max(0, trig.start - off - 40):trig.start - off]):
        return None
    own = [g for g in agencies if g.end <= trig.start and g.value and _SELF_REPORT.match(text[g.end - off:trig.start - off])]
    if own:
        g = own[-1]
        return Mark(g.start, g.end, g.text, g.value.country)
    owner = [a for a in actors if a.start >= trig.end and re.fullmatch(r"\s+of\s+(?:the\s+)?", text[trig.end - off:a.start - off])
             and text[a.end - off:a.end - off + 2] in ("'s", "’s")]
    if owner:  # "two night trials of India's Prithvi-II": the owner of the weapon launched it
        return owner[0]
    subjects = [a for a in actors if a.end <= trig.start and not LOCATIVE.search(text[max(0, a.start - off - 40):a.start - off])
                and (not _SPEAKER.match(text[a.end - off:trig.start - off]) or _RELATIVE.match(text, a.end - off))]
    after = [a for a in actors if a.start >= trig.end and _BY_ACTOR.match(text[trig.end - off:a.start - off])]
    if not subjects:
        # "Russia's military test-fired", "the IRGC launched": a state's forces as the subject
        forces = [g for g in agencies if g.end <= trig.start and g.value and g.value.kind in ("military", "government")
                  and _AGENCY_SUBJECT.match(text[g.end - off:trig.start - off])]
        if forces:
            g = forces[-1]
            return Mark(g.start, g.end, g.text, g.value.country)
    if subjects:
        between = text[subjects[-1].end - off:trig.start - off]
        own = re.search(r"\b(?:that\s+|which\s+)?(?:it|they)\s+(?:had\s+|has\s+|have\s+)?(?:successfully\s+)?$", between)
        if _OTHER_SUBJECT.search(between) and not own:
            if after:  # "Israel's defences intercepted a missile fired from Yemen": not the launcher
                return after[0]
            if not re.match(r"^['’]s\b|^n\b", between):
                return None
        return subjects[-1]
    return after[0] if after else None


def _triggers(text: str, off: int, lex: Lexicon, dates=lambda: []) -> list[Mark]:
    out = []
    for m in lex.triggers.finditer(text):
        before = text[max(0, m.start() - 70):m.start()]
        if before.endswith("-"):  # "rail-fired", "air-launched": an adjective, not a report
            continue
        word = text[m.start():m.end()]
        if _GENERIC_PLURAL.match(word) and not _SPECIFIC_DET.search(before) and not _dated_near(dates(), m.start() + off):
            continue  # "missile launches" in general; "launches were carried out on Tuesday" are told
        if _REFERENCE.search(before[-40:]) and not _DATED_AFTER.match(text, m.end()):
            continue  # "called the launch a success": the launch is already told
        history = _WEAPON_HISTORY.search(before) and not _DATED_AFTER.match(text, m.end())  # "first flew on January 14" is dated
        if _modal(lex, before) or _negated(lex, before) or history:
            continue
        out.append(Mark(m.start() + off, m.end() + off, word))
    return out


def _modal(lex: Lexicon, before: str) -> bool:
    """'would launch' is no launch; 'the May 25 launch' is one (the month, not the verb)."""
    m = lex.modal.search(before)
    return m is not None and not re.match(r"May\s+\d", before[m.start():])


def _negated(lex: Lexicon, before: str) -> bool:
    """'has not conducted a test' is negated; 'lists no new object from the May 25 launch' is not:
    the negation ends at the preposition."""
    m = lex.negation.search(before)
    return m is not None and not _PREPOSITION.search(before, m.start())


_PREPOSITION = re.compile(r"\b(?:from|of|after|since|during)\s")


def _governs(trigger: Mark, system: Mark, text: str, off: int) -> bool:
    """'launched a Sineva', 'a Yars ... was launched': close, with no 'would' or 'after' between."""
    first, second = (trigger, system) if trigger.start < system.start else (system, trigger)
    between = text[first.end - off:second.start - off]
    return len(between) <= 50 and not _NOT_GOVERNED.search(between)


_NOT_GOVERNED = re.compile(r"\b(?:would|could|might|may|will|after|before|since|than|like|as)\b|[;:]", re.IGNORECASE)


def _dated_near(dates: list[DateExpr], pos: int, reach: int = 60) -> bool:
    return any(abs(d.start - pos) <= reach or abs(d.end - pos) <= reach for d in dates)


def _class_marks(text: str, off: int, lex: Lexicon) -> list[Mark]:
    return [Mark(m.start() + off, m.end() + off, text[m.start():m.end()], class_of(m)) for m in lex.classes.finditer(text)]


def _sources(text: str, off: int, agencies: list[Mark], actors: list[Mark], lex: Lexicon) -> list[Mark]:
    if not _ATTRIBUTION.search(text):
        return []  # "launched in a trial by the Strategic Forces Command" attributes nothing
    out = [Mark(a.start, a.end, a.text, a.value.label) for a in agencies if a.value and not _SILENT.match(text, a.end - off)]
    for m in _PERSON_OFFICE.finditer(text):
        out.append(Mark(m.start() + off, m.end() + off, m.group(0), m.group(0).replace("President ", "")))
    for m, label in lex.generic_sources.finditer(text):
        out.append(Mark(m.start() + off, m.end() + off, m.group(0), label))
    for a in actors:  # "Iran said", "Seoul believed": the state speaks for itself
        if _STATE_SAYS.match(text, a.end - off):
            out.append(Mark(a.start, a.end, a.text, RoleSource("self", a.value)))
    for m, role in lex.role_sources.finditer(text):
        if any(o.start <= m.start() + off < o.end for o in out):
            continue
        # "Seoul believed", "North Korean state media": the state named in or just before the role
        country = next((a.value for a in actors if m.start() - 12 <= a.end - off and a.start - off < m.end()), None)
        out.append(Mark(m.start() + off, m.end() + off, m.group(0), RoleSource(role, country)))
    return sorted(out, key=lambda mk: mk.start)


# "the Russian Defence Ministry has made no comment": named, but attributes nothing.
_SILENT = re.compile(r"\s*(?:has|have|had|did|does)\s+(?:not|made\s+no|given\s+no)\b|\s*declined\b|\s*(?:did\s+not|didn't)\s+(?:say|comment|confirm)", re.IGNORECASE)
_STATE_SAYS = re.compile(r"\s+(?:has\s+|had\s+|also\s+)?(?:said|says|claimed|claims|announced|reported|believed|believes|assessed|estimated|blamed|admitted|acknowledged)\b")
_ATTRIBUTION = Folded(r"\b(?:show|shows|suggest|suggests|indicate|indicates|said|says|say|according|reported|reports|announced|statement|told|confirmed|claimed|claims|stated|added|showed|released|published|disclosed|assessed|estimated|believes?|believed|blamed|admitted|acknowledged|quoted|cited|briefing|described|called|put\s+(?:the|its|their)\s+(?:[\w-]+\s+){0,3}at)\b")


_IT_SAID = re.compile(r"^(?:It|The\s+(?:ministry|agency|military|command))\s+(?:also\s+)?(?:said|says|added|reported|estimated)\b")


def resolve_it_said(analyses: list[Analysis], lex: Lexicon) -> None:
    """'Japan's Defense Ministry gave a longer figure. It said ...': "it" is the agency that
    opens the sentence before, not the launching state."""
    for before, a in zip(analyses, analyses[1:]):
        said = _IT_SAID.match(a.sentence.text)
        if not said:
            continue
        opener = next(iter(lex.agencies.find(before.sentence.text[:40], before.sentence.start)), None)
        if opener is None or opener.start - before.sentence.start > 25 or not opener.value:
            continue
        start = a.sentence.start
        keep = [s for s in a.sources if not s.start < start + said.end() or s.start < start]
        a.sources = [Mark(start, start + said.end(), said.group(0), opener.value.label), *keep]


@dataclass(frozen=True)
class RoleSource:
    """A source named by its role ("the Defence Ministry"); its label depends on the state."""

    role: str
    country: str | None


def source_label(mark: Mark, actor: str | None, lex: Lexicon) -> str | None:
    value = mark.value
    if not isinstance(value, RoleSource):
        return value
    return lex.role_labels.get(value.role, {}).get(value.country or actor or "")


def _outcomes(text: str, off: int, lex: Lexicon) -> list[Mark]:
    out = []
    for rx, value in ((lex.success, "success"), (lex.failure, "failure")):
        for m in rx.finditer(text):
            before = text[max(0, m.start() - 40):m.start()]
            if re.search(r"\b(?:not|no|never|without|whether|if|could|would|may|might)\s+(?:\w+\s+){0,2}$", before, re.I):
                continue
            if value == "failure" and (_OTHER_FAILURES.search(text[max(0, m.start() - 30):m.end() + 40])
                                       or _IN_THE_PAST.search(text, 0, m.start())):
                continue  # "has in the past counted a launch that failed on the pad": another launch
            if value == "success" and (_AIM.search(before) or before.rstrip().lower().endswith("partial")):
                continue  # "an attempt to put a satellite into orbit failed": the aim, not the result
            if re.search(r"\b(?:before|after|since|than|like)\s+(?:the|its|a|an)\s+$|\bone\s+of\s+(?:them|the\s+\w+)\s+(?:\w+\s+){0,2}$", before, re.I):
                continue  # "before the successful launch", "one of them blew up": another launch, or a part
            out.append(Mark(m.start() + off, m.end() + off, text[m.start():m.end()], value))
    return sorted(out, key=lambda mk: mk.start)


_IN_THE_PAST = re.compile(r"\b(?:in\s+the\s+past|previously|in\s+earlier\s+years)\b", re.IGNORECASE)
_AIM = re.compile(r"\b(?:attempts?|bid|effort|tried|try|trying|aims?|aimed|plans?|planned|failed|fails|designed|meant|intended|seeks?|sought|hopes?|hoped|able|unable)\s+to\s+$", re.IGNORECASE)


def _first(rx, text: str) -> str | None:
    m = rx.search(text)
    return m.group(0).lower() if m else None


def _inside(mark: Mark, others: list[Mark]) -> bool:
    return any(o.start <= mark.start and mark.end <= o.end for o in others)
