"""Paragraphs and sentences of an article, as offsets into its text."""
from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? (optionally closed by a quote or bracket) followed by
# white space and a capital, digit or opening quote. Abbreviations that end in a
# period inside a sentence ("U.S.", "Sept.", "Col.") are protected below.
_BOUNDARY = re.compile(r"""[.!?]["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9])""")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Mr|Mrs|Ms|Dr|Col|Gen|Lt|Maj|Capt|Adm|Sgt|Rep|Sen|Gov|Prof|St|No|Vol|approx|vs|Inc|Corp|Co|Ltd|Jr|Sr|Calif|Fla|Va|Md|Wash)\.)$"
)
# Every abbreviation above is at most this long: only the end of a sentence need be searched.
_ABBREVIATION_REACH = 16
# "at 11:01 p.m. Pacific time": a clock time's period ends no sentence before a zone or day.
_CLOCK = re.compile(r"[ap]\.m\.$")
_TIME_GOES_ON = re.compile(r"(?:[A-Z][\w-]+\s+time\b|Pacific|Eastern|Central|Mountain|GMT|UTC|KST|JST|EST|EDT|PST|PDT|CET|Seoul|Tokyo|Pyongyang|Washington|Moscow|Beijing|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|local|Korea|Japan)\b")
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\S)")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int
    index: int


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty paragraph; a line break separates paragraphs."""
    spans, pos = [], 0
    for match in _PARAGRAPH.finditer(text):
        spans.append((pos, match.start()))
        pos = match.end()
    spans.append((pos, len(text)))
    return [(s, e) for s, e in (_strip(text, s, e) for s, e in spans) if e > s]


def sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    for p_index, (p_start, p_end) in enumerate(paragraphs(text)):
        start = p_start
        for match in _BOUNDARY.finditer(text, p_start, p_end):
            end = match.start() + 1
            if _ABBREVIATIONS.search(text, max(start, end - _ABBREVIATION_REACH), end) or _TIME_GOES_ON.match(text, match.end()) and _CLOCK.search(text, max(start, match.start() - 5), end):
                continue
            _add(out, text, start, match.start() + 1 + _closing(text, match), p_index)
            start = match.end()
        _add(out, text, start, p_end, p_index)
    return out


def _closing(text: str, match: re.Match) -> int:
    tail = text[match.start() + 1:match.end()]
    return len(tail) - len(tail.lstrip("\"'”’)]"))


def _add(out: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    start, end = _strip(text, start, end)
    if end > start:
        out.append(Sentence(start, end, text[start:end], paragraph, len(out)))


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
