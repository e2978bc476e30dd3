"""Publication dates: from the caller, from HTML metadata, from a byline line.

All results are local calendar dates "YYYY-MM-DD": an ISO date-time keeps
its own date part ("2012-04-13T10:05:00+09:00" -> "2012-04-13") and is never
converted to UTC, because launch dates are resolved against the local day
the article was published.

Byline dates are searched only in the document head (first HEAD_LINES
non-empty lines) and only in metadata-like lines, never in body sentences,
so "On March 24, 2022, North Korea fired..." in a lede cannot become the
publication date. A dateline without a year ("SEOUL, March 24 (APW) -")
gives no year, so it never sets the date on its own.
"""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Iterable

import dateparser
from lxml import html as lxml_html

# How far into a document a byline/timestamp line may sit. The dev set's
# latest is line 6 (after masthead, section, headline, dek, byline); 12 leaves
# room for taglines and breadcrumbs without reaching into the body.
HEAD_LINES = 12
# A line with at least this many words that ends like a sentence is body
# prose, and its dates are events, not the publication date.
PROSE_MIN_WORDS = 10
# Longer than this, a line is body text whatever its punctuation.
META_MAX_WORDS = 30
MIN_YEAR, MAX_YEAR = 1900, 2100

# Numeric dates with both day and month <= 12 are ambiguous. Most outlets
# that print numeric dates (Europe, Asia, South Asia, the dev set's
# `31/10/2024` and `28.05.2024`) put the day first; US outlets spell the
# month out. So the day comes first unless the first number cannot be a day.
AMBIGUOUS_NUMERIC_ORDER = "DMY"

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
MONTH_RE = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
            r"aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
ORDINAL = r"(?:st|nd|rd|th)?"

# Candidate date strings, each with named groups y / m|mon / d.
DATE_PATTERNS = (
    re.compile(r"\b(?P<y>\d{4})[-./](?P<m>\d{1,2})[-./](?P<d>\d{1,2})\b"),
    re.compile(r"\b(?P<a>\d{1,2})[./-](?P<b>\d{1,2})[./-](?P<y>\d{4})\b"),
    re.compile(rf"\b(?P<d>\d{{1,2}}){ORDINAL}\s+(?:of\s+)?{MONTH_RE},?\s+(?P<y>\d{{4}})\b", re.I),
    re.compile(rf"\b{MONTH_RE}\s+(?P<d>\d{{1,2}}){ORDINAL},?\s+(?P<y>\d{{4}})\b", re.I),
)

# A label before a date says which date it is. Updated/modified dates are
# used only when no published date is shown.
UPDATED_LABEL = re.compile(r"\b(updated?|modified|edited|last updated|revised)\b\W*$", re.I)
LABEL_LOOKBACK = 30

# Dateline at the start of a lede: "SEOUL, March 24 (APW) -", "NEW DELHI, March 11:".
DATELINE = re.compile(
    rf"^(?P<place>[A-Z][A-Z .'’-]+(?:,\s*[A-Z][A-Za-z.]+)*),\s+(?i:{MONTH_RE})\s+(?P<d>\d{{1,2}})\b(?!,?\s*\d{{4}})",
)

# HTML metadata that carries the publication date, most specific first.
PUBLISHED_META_KEYS = (
    "article:published_time", "og:published_time", "og:article:published_time",
    "datepublished", "date_published", "publishdate", "publish-date", "publish_date",
    "pubdate", "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued",
    "dc.date", "dcterms.date", "date", "article.published", "cxenseparse:recs:publishtime",
)
DATEPARSER_SETTINGS = {"DATE_ORDER": AMBIGUOUS_NUMERIC_ORDER, "STRICT_PARSING": True,
                       "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}
ISO_DATE_PREFIX = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")


# --------------------------------------------------------------------------
# Given by the caller
# --------------------------------------------------------------------------

def given_date(value: str | None) -> str | None:
    """A caller's date or ISO date-time -> its local "YYYY-MM-DD", else None."""
    if not value or not value.strip():
        return None
    match = ISO_DATE_PREFIX.match(value)
    if match:
        return _iso(*(int(part) for part in match.groups()))
    found = find_dates(value)
    if found:
        return found[0][1]
    parsed = dateparser.parse(value, settings=DATEPARSER_SETTINGS)
    return parsed.date().isoformat() if parsed else None


# --------------------------------------------------------------------------
# HTML metadata
# --------------------------------------------------------------------------

def meta_date(tree: lxml_html.HtmlElement) -> str | None:
    """Publication date from <meta>, JSON-LD or <time> markup, local date part."""
    for finder in (_meta_tag_date, _json_ld_date, _time_tag_date):
        found = finder(tree)
        if found:
            return found
    return None


def _meta_tag_date(tree) -> str | None:
    values: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in PUBLISHED_META_KEYS and meta.get("content"):
            values.setdefault(key, meta.get("content"))
    for key in PUBLISHED_META_KEYS:
        found = given_date(values.get(key))
        if found:
            return found
    return None


def _json_ld_date(tree) -> str | None:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text_content())
        except (json.JSONDecodeError, TypeError):
            continue
        for value in _json_values(data, "datePublished"):
            found = given_date(str(value))
            if found:
                return found
    return None


def _json_values(data, key: str) -> Iterable:
    """Every value stored under `key` anywhere in a parsed JSON-LD block."""
    if isinstance(data, dict):
        if key in data:
            yield data[key]
        for value in data.values():
            yield from _json_values(value, key)
    elif isinstance(data, list):
        for value in data:
            yield from _json_values(value, key)


def _time_tag_date(tree) -> str | None:
    for node in tree.xpath('//time[@itemprop="datePublished" or @pubdate][@datetime]'):
        found = given_date(node.get("datetime"))
        if found:
            return found
    return None


# --------------------------------------------------------------------------
# Byline / timestamp lines in the text
# --------------------------------------------------------------------------

def byline_date(lines: list[str]) -> str | None:
    """The publication date shown on a byline/timestamp line of the head.

    A date labelled as published/posted wins over one labelled updated; among
    equals the first in reading order wins.
    """
    head = [line.strip() for line in lines if line.strip()][:HEAD_LINES]
    updated: str | None = None
    for line in head:
        if not is_meta_line(line):
            continue
        for kind, found in _labelled_dates(line):
            if kind == "published":
                return found
            updated = updated or found
    return updated


def is_meta_line(line: str) -> bool:
    """Short or sentence-less lines: bylines, timestamps, breadcrumbs, headlines."""
    words = line.split()
    if len(words) > META_MAX_WORDS:
        return False
    ends_like_sentence = line.rstrip().endswith((".", "!", "?", '"', "”"))
    return not (len(words) >= PROSE_MIN_WORDS and ends_like_sentence)


def _labelled_dates(line: str) -> list[tuple[str, str]]:
    out = []
    for start, found in find_dates(line):
        before = line[max(0, start - LABEL_LOOKBACK):start]
        out.append(("updated" if UPDATED_LABEL.search(before) else "published", found))
    return out


def find_dates(text: str) -> list[tuple[int, str]]:
    """(position, "YYYY-MM-DD") for every full date (with a year) in `text`."""
    found: dict[int, str] = {}
    taken: list[range] = []
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() in span for span in taken):
                continue
            iso = _match_to_iso(match)
            if iso:
                found[match.start()] = iso
                taken.append(range(match.start(), match.end()))
    return sorted(found.items())


def _match_to_iso(match: re.Match) -> str | None:
    parts = match.groupdict()
    year = int(parts["y"])
    if "a" in parts and parts.get("a") is not None:
        day, month = _numeric_day_month(int(parts["a"]), int(parts["b"]))
    else:
        day = int(parts["d"])
        month = _month(parts["mon"]) if parts.get("mon") else int(parts["m"])
    return _iso(year, month, day)


def _numeric_day_month(first: int, second: int) -> tuple[int, int]:
    """(day, month) of a numeric date: whichever order is possible, else the default."""
    if first > 12:
        return first, second
    if second > 12:
        return second, first
    return (first, second) if AMBIGUOUS_NUMERIC_ORDER == "DMY" else (second, first)


def _month(name: str) -> int:
    return MONTHS[name.lower()[:3]]


def _iso(year: int, month: int, day: int) -> str | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# --------------------------------------------------------------------------
# Datelines
# --------------------------------------------------------------------------

def dateline_month_day(paragraph: str) -> str | None:
    """"March 24" from a year-less dateline opening a lede, else None."""
    match = DATELINE.match(paragraph.strip())
    if not match:
        return None
    month = _month(match.group("mon"))
    day = int(match.group("d"))
    if not 1 <= day <= 31:
        return None
    return f"{date(2000, month, 1).strftime('%B')} {day}"
