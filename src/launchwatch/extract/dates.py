"""Date expressions in a sentence, and their resolution to SCHEMA dates.

The extractor finds date words with its own patterns (fast) and resolves them
against the publication date; a parser library is only needed for odd
metadata formats, which article.py handles. Resolved dates keep the precision
the text supports: "YYYY-MM-DD", "YYYY-MM" or "YYYY".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from launchwatch.folding import Folded, Gated, fold, folds_like_ignorecase

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50,
}

_MONTH = r"(?P<month>(?:january|february|april|june|july|august|september|october|november|december|January|February|March|April|May|June|July|August|September|October|November|December)(?![\w-])|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEPT|SEP|OCT|NOV|DEC)\.?)"
_WEEKDAY = r"(?P<weekday>[Mm]onday|[Tt]uesday|[Ww]ednesday|[Tt]hursday|[Ff]riday|[Ss]aturday|[Ss]unday)"
_PART = r"(?:\s+(?:morning|afternoon|evening|night))?"
_NUM = r"(?P<n>\d+|" + "|".join(w for w in NUMBER_WORDS if len(w) > 2) + ")"
_TIME = r"(?:(?:at\s+)?(?:about\s+|around\s+)?\d{1,2}(?::\d{2}){0,2}\s*[ap]\.?m\.?\s+(?:\([^)]*\)\s+)?(?:on\s+)?)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

# Each pattern: (kind, regex). Order matters: longer, more specific first.
_PATTERNS: list[tuple[str, str]] = [
    ("window", rf"\bbetween\s+{_MONTH}\s+\d{{1,2}}\s+and\s+(?:\w+\.?\s+)?\d{{1,2}}(?:,\s*{_YEAR})?"),
    ("two_days", rf"\b(?:on\s+)?{_WEEKDAY}\s+and\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"),
    ("month_day", rf"\b(?:(?:on|On)\s+)?{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+{_YEAR}|(?P<last>\s+last\s+year))?(?!\s*(?:km|kilomet|miles|%))"),
    ("day_month", rf"\b(?:(?:on|On)\s+)?(?P<day>\d{{1,2}})\s+{_MONTH}(?:,?\s+{_YEAR})?\b"),
    ("month_year", rf"\b(?:(?:in|In|since|Since|of)\s+)?(?:late\s+|early\s+|mid-)?{_MONTH}\s+(?:of\s+)?{_YEAR}\b"),
    ("month_last_year", rf"\b(?:(?:in|In)\s+)?{_MONTH}\s+(?:of\s+)?last\s+year\b"),
    ("month_that_year", rf"\b(?:(?:in|In)\s+)?{_MONTH}\s+(?:of\s+)?that\s+year\b"),
    ("month_this_year", rf"\b(?:(?:in|In)\s+)?{_MONTH}\s+(?:of\s+)?this\s+year\b"),
    ("month_only", rf"\b(?:in|In|since|Since|earlier in|Earlier in|last|Last|in\s+mid-|in\s+early|in\s+late)\s*{_MONTH}(?![\w-])"),
    ("ordinal_day", r"\b(?:on|On)\s+the\s+(?P<day>\d{1,2})(?:st|nd|rd|th)\b(?:\s+of\s+(?:this|the|last)\s+month)?(?!\s+(?:round|time|test|launch|anniversary|day|century))"),
    ("year", rf"\b(?:in|In|since|Since|of|during)\s+(?:late\s+|early\s+|mid-)?{_YEAR}\b(?![-,]\d|\s*(?:km|kilomet))"),
    ("years_ago", rf"\b{_NUM}\s+years?\s+ago\b"),
    ("days_ago", rf"\b{_NUM}\s+days?\s+ago\b"),
    ("days_offset", rf"\b{_NUM}\s+days?\s+(?P<dir>after|before|later|earlier)\b"),
    ("last_week", r"\b(?:last|past|previous)\s+week\b|\b(?:in|over|during)\s+the\s+(?:past|last)\s+(?:few|two|three|\d)\s+weeks\b"),
    ("last_month", r"\blast\s+month\b"),
    ("this_month", r"\b(?:earlier\s+)?this\s+month\b"),
    ("weekend", r"\b(?:over|at|during)\s+the\s+weekend\b"),
    ("weekday", rf"\b(?:{_TIME})(?:(?:[Ee]arly|[Ll]ate|[Ll]ater)\s+(?:on\s+)?|(?:on|On|last|Last|since|Since|earlier\s+on|earlier)\s+)?{_WEEKDAY}(?:['’]s)?{_PART}(?:\s+local\s+time)?"),
    ("today", r"\b(?:today|this\s+morning|this\s+afternoon|this\s+evening|tonight)\b"),
    ("yesterday", r"\byesterday\b"),
    ("same_day", r"\b(?:(?:hours|minutes)\s+(?:after|before|later|earlier)|within\s+(?:minutes|hours)|later\s+that\s+day|the\s+same\s+day|(?:the\s+)?rest\s+of\s+the\s+day|less\s+than\s+\w+\s+hours\s+after)\b"),
    ("day_before", r"\bthe\s+(?:day|night)\s+before\b|\ba\s+day\s+after\b(?=\s+(?:the\s+)?\w+\s+(?:\w+\s+)?(?:fired|launched|test-fired|tested|launch|test)\b)"),
    ("day_after", r"\b(?:the\s+(?:next|following)\s+day|a\s+day\s+later|the\s+day\s+after)\b"),
]
# Month and weekday patterns are case-sensitive ("may" is a verb); the rest match on folded text.
_CASE_SENSITIVE = ("ordinal_day", "month_day", "day_month", "month_year", "month_only", "year", "weekday", "two_days", "window")
_COMPILED = [(kind, re.compile(rx) if kind in _CASE_SENSITIVE else Folded(rx)) for kind, rx in _PATTERNS]

# Kinds that place a launch only relative to another launch in the article.
RELATIVE_TO_EVENT = {"same_day", "day_before", "day_after", "days_offset", "month_that_year"}


@dataclass(frozen=True)
class DateExpr:
    start: int
    end: int
    text: str
    kind: str
    groups: tuple

    def group(self, name: str):
        return dict(self.groups).get(name)


# Cheap gate: most sentences hold no date word at all, and 20 patterns cost more than one.
_DATE_WORDS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "day", "week",
               "month", "year", "today", "tonight", "morning", "afternoon", "evening", "hours", "minutes", "later", "earlier")
_ANY_DATE_WORD = re.compile(r"\d|" + "|".join(_DATE_WORDS), re.IGNORECASE)
_DIGIT = re.compile(r"\d")


def _may_hold_date(text: str) -> bool:
    """_ANY_DATE_WORD.search, answered by substring tests on the folded text where they say the same."""
    if not folds_like_ignorecase(text):
        return _ANY_DATE_WORD.search(text) is not None
    if _DIGIT.search(text):
        return True
    folded = fold(text)
    return any(word in folded for word in _DATE_WORDS)


# Which cheap cue each pattern needs before it is worth running.
_NEEDS = {
    "window": "month", "two_days": "weekday", "month_day": "month", "day_month": "month",
    "month_year": "month", "month_last_year": "last_year", "month_this_year": "this_year", "month_that_year": "that_year", "month_only": "month",
    "ordinal_day": "ordinal", "year": "year", "years_ago": "ago", "days_ago": "ago", "days_offset": "day", "last_week": "week",
    "last_month": "month_word", "this_month": "month_word", "weekend": "weekend", "weekday": "weekday",
    "today": "today", "yesterday": "yesterday", "same_day": "hours", "day_before": "day", "day_after": "day",
}
# Lower-case words whose presence makes a cue; substring tests cost far less than regexes.
_CUE_WORDS = {
    "weekday": ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "ago": ("ago",), "week": ("week",), "month_word": ("month",), "weekend": ("weekend",),
    "today": ("today", "this morning", "this afternoon", "this evening", "tonight"),
    "yesterday": ("yesterday",), "hours": ("hours", "minutes", "later", "same day", "rest of"),
    "day": ("day after", "days after", "day before", "days before", "days later", "day later", "days earlier",
            "night before", "next day", "following day"),
    "last_year": ("last year",), "this_year": ("this year",), "that_year": ("that year",),
}
_CUE_OF = {word: cue for cue, words in _CUE_WORDS.items() for word in words}


def _by_first_letter(words: list[str]) -> str:
    """'weekend|wednesday|week' as 'w(?:eekend|ednesday|eek)': the same matches (words keep their order
    within a letter; words of two letters never match at one place), and `re` tries fewer words."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(word[1:])
    return "|".join(re.escape(first) + "(?:" + "|".join(map(re.escape, rests)) + ")" for first, rests in groups.items())


# One pass over the lower-cased sentence finds every cue word ("weekend" before "week").
_CUE_SCAN = re.compile(_by_first_letter(sorted(_CUE_OF, key=len, reverse=True)))
_MONTH_CUE = Gated(re.compile(_MONTH.replace("(?P<month>", "(?:")))
_YEAR_CUE = Gated(re.compile(r"\b(?:19|20)\d\d\b"))
_ORDINAL_CUE = re.compile(r"\d(?:st|nd|rd|th)\b")


def _cues(text: str) -> set[str]:
    found = {_CUE_OF[m.group(0)] for m in _CUE_SCAN.finditer(fold(text))}
    if _MONTH_CUE.search(text):
        found.add("month")
    if _YEAR_CUE.search(text):
        found.add("year")
    if _ORDINAL_CUE.search(text):
        found.add("ordinal")
    return found


def find_dates(text: str, offset: int = 0) -> list[DateExpr]:
    """Non-overlapping date expressions in `text`, earliest first; offsets shifted by `offset`."""
    found: list[DateExpr] = []
    if not _may_hold_date(text):
        return found
    present = _cues(text)
    taken: list[tuple[int, int]] = []
    for kind, rx in _COMPILED:
        if _NEEDS[kind] not in present:
            continue
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            groups = tuple((k, v) for k, v in m.groupdict().items() if v is not None)
            found.append(DateExpr(m.start() + offset, m.end() + offset, text[m.start():m.end()], kind, groups))
    return sorted(found, key=lambda d: d.start)


def number(word: str | None) -> int | None:
    if word is None:
        return None
    word = word.lower().replace(",", "")
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)


def month_number(name: str | None) -> int | None:
    return MONTHS.get(name[:3].lower()) if name else None


def parse_iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def resolve(expr: DateExpr, published: date | None, anchor: str | None = None) -> str | None:
    """SCHEMA date for `expr`; None when the text or the publication date cannot place it.

    `anchor` is the date of the launch the expression is relative to (for
    "hours after", "eight days after"), itself a SCHEMA date string.
    """
    kind, g = expr.kind, expr.group
    year = int(g("year")) if g("year") else None
    month = month_number(g("month"))
    if kind in ("month_day", "day_month"):
        if g("last") and published:
            year = published.year - 1  # "on June 6 last year"
        return _month_day(year, month, int(g("day")), published)
    if kind == "month_year":
        return f"{year:04d}-{month:02d}"
    if kind == "year":
        return f"{year:04d}"
    if kind == "window":
        year = year or (published.year if published else None)
        return f"{year:04d}-{month:02d}" if year else None
    if kind in RELATIVE_TO_EVENT:
        return _relative_to_anchor(expr, anchor)
    if published is None:
        return None
    return _relative_to_published(expr, published, month)


def _month_day(year, month, day, published):
    if year is None:
        if published is None:
            return None
        year = published.year
        if (month, day) > (published.month, published.day):
            year -= 1
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _relative_to_published(expr: DateExpr, published: date, month: int | None) -> str | None:
    kind, g = expr.kind, expr.group
    if kind == "ordinal_day":
        return _ordinal_day(int(g("day")), published, "last month" in expr.text.lower())
    if kind == "weekday":
        strictly_before = expr.text.lower().lstrip().startswith("last")
        return _last_weekday(published, WEEKDAYS[g("weekday").lower()], strictly_before).isoformat()
    if kind == "two_days":
        day = _last_weekday(published, WEEKDAYS[g("weekday").lower()], False)
        return day.strftime("%Y-%m")
    if kind in ("month_only", "month_this_year"):
        last = expr.text.lower().startswith("last")  # "last September" in September is a year ago
        year = published.year - (1 if month > published.month or (last and month == published.month) else 0)
        return f"{year:04d}-{month:02d}"
    if kind == "month_last_year":
        return f"{published.year - 1:04d}-{month:02d}"
    if kind == "years_ago":
        return f"{published.year - number(g('n')):04d}"
    if kind == "days_ago":
        return (published - timedelta(days=number(g("n")))).isoformat()
    if kind == "last_week":
        return (published - timedelta(days=7)).strftime("%Y-%m")
    if kind == "last_month":
        first = published.replace(day=1) - timedelta(days=1)
        return first.strftime("%Y-%m")
    if kind in ("this_month", "weekend"):
        return published.strftime("%Y-%m")
    if kind == "today":
        return published.isoformat()
    if kind == "yesterday":
        return (published - timedelta(days=1)).isoformat()
    return None


def _ordinal_day(day: int, published: date, last_month: bool) -> str | None:
    """'on the 14th': that day of the publication's month, or of the month before when it is still to come."""
    first = published.replace(day=1)
    if last_month or day > published.day:
        first = (first - timedelta(days=1)).replace(day=1)
    try:
        return first.replace(day=day).isoformat()
    except ValueError:
        return None


def _relative_to_anchor(expr: DateExpr, anchor: str | None) -> str | None:
    if expr.kind == "month_that_year":  # "in July that year": the year of the launch just told
        return f"{anchor[:4]}-{month_number(expr.group('month')):02d}" if anchor else None
    base = parse_iso(anchor) if anchor and len(anchor) == 10 else None
    if expr.kind == "same_day":
        return anchor
    if base is None:
        return None
    if expr.kind == "day_before":
        return (base - timedelta(days=1)).isoformat()
    if expr.kind == "day_after":
        return (base + timedelta(days=1)).isoformat()
    # "X came eight days after <this launch>": this launch is N days before X;
    # "five days later, <this launch>": N days after the launch in focus.
    n = number(expr.group("n")) or 0
    sign = {"after": -1, "later": 1, "before": 1, "earlier": -1}[expr.group("dir").lower()]
    return (base + timedelta(days=sign * n)).isoformat()


def weekday_date(name: str, published: date) -> str | None:
    """'Tuesday': the most recent such day on or before publication."""
    day = WEEKDAYS.get(name.lower())
    return None if day is None else _last_weekday(published, day, False).isoformat()


def _last_weekday(published: date, weekday: int, strictly_before: bool) -> date:
    back = (published.weekday() - weekday) % 7
    if strictly_before and back <= 1:
        back += 7  # "last Tuesday" written on a Wednesday is a week back: yesterday would be "Tuesday"
    return published - timedelta(days=back)
