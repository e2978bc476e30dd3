"""Launch sites and landing areas, as the text words them."""
from __future__ import annotations

import re

from launchwatch.extract.analyze import Analysis
from launchwatch.extract.spans import Mark

_PLACE = r"(?P<place>(?:the\s+|an?\s+)?(?:(?:area|vicinity|region|waters|sea|coast)\s+(?:of|off|near)\s+)?(?:[\w'’-]+\s+){0,6}?(?:[A-Z][\w'’-]+|region|area|province|peninsula|coast|sea|Sea|waters|zone|site|base|airport|range|Ocean|target))"
_STOP = r"(?=\s*(?:[,.;:]|\s+(?:at|on|and|in\s+(?:a|an|the)\s+(?:drill|test|show)|into|toward|towards|before|after|around|about|early|late|shortly|which|while|when|according|to\s+(?!the\s+(?:east|west|north|south)))\b|$))"
LAUNCH_FROM = re.compile(r"\b(?:launched|fired|test-fired|lifted\s+off|took\s+off|blasted\s+off|launches?|came|flew)\s+(?:[\w-]+\s+){0,6}?from\s+(?:near\s+|around\s+)?" + _PLACE + _STOP)
LANDING = re.compile(r"\b(?:land(?:ed|ing)|fell|splash(?:ed|ing)\s+down|came\s+down|crash(?:ed)?\s+(?:in|into)|plunged|impacted|hit|struck|into)\s+(?:(?:in|into|inside|within|outside|off|near|at)\s+)?" + _PLACE + _STOP)


def launch_location(mentions: list[tuple[Analysis, object]]) -> Mark | None:
    return _first(LAUNCH_FROM, mentions)


def landing(analyses: list[tuple[Analysis, object]]) -> Mark | None:
    return _first(LANDING, analyses)


def _first(rx: re.Pattern, analyses) -> Mark | None:
    for a, _ in analyses:
        for m in rx.finditer(a.sentence.text):
            place = m.group("place").strip()
            if len(place) < 4 or re.fullmatch(r"(?:the|a|an)\s+\w+", place) and not re.search(r"sea|Sea|coast|target|zone", place):
                continue
            start = a.sentence.start + m.start("place")
            return Mark(start, start + len(m.group("place")), m.group("place"))
    return None
