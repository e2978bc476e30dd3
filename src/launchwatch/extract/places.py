"""Launch sites and landing areas, as the text words them."""
from __future__ import annotations

import re

from launchwatch.extract.analyze import Analysis
from launchwatch.folding import Gated
from launchwatch.extract.spans import Mark

# Words that end a place phrase rather than belong to it.
_NOT_PLACE_WORD = r"(?!(?:failed|exploded|late|early|and|before|after|on|at|when|while|which|but)\b)"
_PLACE = (r"(?P<place>(?:the\s+|an?\s+)?(?:(?:area|vicinity|region|waters|sea|coast)\s+(?:of|off|near)\s+)?"
          rf"(?:{_NOT_PLACE_WORD}[\w'’-]+\s+){{0,8}}?"
          r"(?:[A-Z][\w'’-]+(?:\s+(?:missile\s+|launch\s+|space\s+|test\s+)?(?:complex|facility|centre|center|range))?"
          r"|region|area|province|peninsula|coast|sea|Sea|waters|zone|site|base|airport|range|Ocean|target|complex|facility))")
_STOP = r"(?=\s*(?:[,.;:\"“”(]|\s+(?:at|on|and|for|in\s+(?:a|an|the)\s+(?:drill|test|show)|into|toward|towards|before|after|around|about|early|late|shortly|which|while|when|according|to\s+(?!the\s+(?:east|west|north|south)))\b|$))"
LAUNCH_FROM = Gated(re.compile(r"\b(?:(?:[Ll]aunched|[Ff]ired|test-fired|lifted\s+off|took\s+off|blasted\s+off|launches?|came|flew)\s+(?:[\w-]+\s+|\d[\d,.]*\s+){0,6}?from|launch(?:es)?,\s+from|launched\s+near)(?::\s*|\s+)(?:near\s+|around\s+)?"
                         # "from a mobile launching pad in the suburbs of Pyongyang", "from: MiG-31K aircraft, over the Barents Sea"
                         r"(?:(?:(?:an?|the|its)\s+)?(?:[\w-]+\s+){0,3}?(?:pad|launcher|platform|vehicle|truck|aircraft|jet|bomber|submarine|ship|frigate|destroyer|boat)"
                         r"(?:\s+[A-Z][\w-]*){0,3}(?:,?\s+(?:submerged\s+|surfaced\s+|flying\s+)?(?:in|at|near|over|off)\s+|,\s+(?=[A-Z])))?"
                         + _PLACE + _STOP))  # Gated: only sentences with "from" or "near" can say where a launch was
LANDING = re.compile(r"\b(?:land(?:ed|ing)|arrived|fell|splash(?:ed|ing)\s+down|came\s+down|crash(?:ed)?\s+(?:in|into)|plunged|impacted|hit|struck|destroyed|into|to(?=\s+(?:the\s+)?waters\b))\s+(?:\w+ly\s+)?(?:(?:in|into|at)\s+)?"
                     # "fell outside Japan's exclusive economic zone": the preposition is part of the place
                     + _PLACE.replace("(?P<place>", r"(?P<place>(?:(?:inside|outside|within|off|near)\s+)?", 1) + _STOP)
# A known site named where no "launched from" says so: not after words that place a landing.
_LANDING_BEFORE = re.compile(r"\b(?:into|off|toward|towards|over|in|inside|near|landed|fell|reached|hit|struck)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
# "launched from a mobile launching pad in the suburbs of Pyongyang": the place after the platform.
_PLATFORM_AT = re.compile(r"(?:,?\s+(?:submerged\s+|surfaced\s+|positioned\s+|deployed\s+|flying\s+)?(?:in|at|near|over|off)\s+|,\s+(?=[A-Z]))" + _PLACE + _STOP)


def _launch_sites_in(a: Analysis, lex) -> list[Mark]:
    """The "launched from <place>" places of one sentence (worked out once: each launch drafted from it asks)."""
    cached = a.__dict__.get("_launch_sites")
    if cached is None:
        cached = a.__dict__["_launch_sites"] = list(_launch_sites(a, lex))
    return cached


def _launch_sites(a: Analysis, lex):
    for m in LAUNCH_FROM.finditer(a.sentence.text):
        if not lex.platforms.match(m.group("place").removeprefix("the ").removeprefix("a ")):
            yield _mark(a, m)
            continue
        at = _PLATFORM_AT.match(a.sentence.text, m.end("place"))
        if at:
            yield _mark(a, at)


def launch_location(mentions: list[tuple[Analysis, object]], lex, actor: str,
                    related: list[tuple[Analysis, object]] = ()) -> Mark | None:
    """'fired from near Wonsan' where the launch is told, else in the sentences about it; else a
    known launch site of the launching state named in its report (capitals and cities are left
    out: "Pyongyang" is more often the government than the place)."""
    for a, _ in [*mentions, *related]:
        for mark in _launch_sites_in(a, lex):
            return mark
    for a, _ in mentions:
        for site in a.names_in(lex.sites):
            if site.value.kind == "launch_site" and site.value.country == actor and not _LANDING_BEFORE.search(a.sentence.text[:site.start - a.sentence.start]):
                return site
    return None


# "placed the satellite into an orbit about 500 km above the Earth": the orbit is where it went.
LANDING_ORBIT = re.compile(r"\b(?:into|in)\s+(?P<place>(?:an?\s+|its\s+)(?:[\w-]+\s+)?orbit(?:\s+(?:about|of|at|some|roughly|around)\s+[^,.;]{0,40}(?:Earth|high|altitude|kilometres|kilometers|km)\b)?)")
# A digest's labelled line: "Claimed target: Kura test range, Kamchatka", "Landed: South China Sea".
LANDING_LABEL = re.compile(r"^\s*(?i:(?:claimed\s+)?target|landed|landing(?:\s+area)?|impact(?:\s+area)?|splashdown)\s*:\s*" + _PLACE + _STOP)
# Where maritime warnings put the impact: "closed a box of ocean north of the Cook Islands",
# "the impact zone lay in the North Atlantic".
LANDING_ZONE = re.compile(r"\b(?:(?:closed|declared|reserved|covered)\s+(?:a|an|the)\s+(?:box|area|zone|stretch|swath)\s+of\s+(?:ocean|sea|water)"
                          r"|(?:re-?entry|impact|splashdown|drop|danger)\s+(?:zone|area|box)\s+(?:lay|lies|was|is)(?:\s+(?:a\s+box\s+)?(?:centred|centered|located))?)"
                          r"\s+(?:(?:in|at|roughly|about|some)\s+)?" + _PLACE + _STOP)


def landing(analyses: list[tuple[Analysis, object]]) -> Mark | None:
    return next((mark for mark, _ in landings(analyses)), None)


def landings(analyses: list[tuple[Analysis, object]]):
    """Every landing place the sentences word, in text order, with its sentence."""
    for a, _ in analyses:
        for mark in landing_marks(a):
            yield mark, a


def landing_marks(a: Analysis) -> list[Mark]:
    """The landing places one sentence words (worked out once: every launch drafted from it asks)."""
    cached = a.__dict__.get("_landings")
    if cached is None:
        text = a.sentence.text
        found = [*LANDING.finditer(text)]
        if any(word in text for word in _ZONE_WORDS):
            found += [*LANDING_ZONE.finditer(text)]
        if "orbit" in text:
            found += [*LANDING_ORBIT.finditer(text)]
        if ":" in text:  # LANDING_LABEL needs its colon
            found += [*LANDING_LABEL.finditer(text)]
        cached = [_mark(a, m) for m in sorted(found, key=lambda m: m.start()) if _is_place(m.group("place").strip())]
        a.__dict__["_landings"] = cached
    return cached


# Every LANDING_ZONE match holds one of these words (the pattern is case-sensitive); most sentences hold none.
_ZONE_WORDS = ("zone", "area", "box", "stretch", "swath")


def _is_place(place: str) -> bool:
    return len(place) >= 4 and not (re.fullmatch(r"(?:the|a|an)\s+\w+", place) and not re.search(r"sea|Sea|coast|target|zone|orbit", place))


def launch_places(analyses: list[tuple[Analysis, object]], lex):
    """Every "launched from <place>" the sentences word, with its sentence."""
    for a, _ in analyses:
        for mark in _launch_sites_in(a, lex):
            yield mark, a


def _mark(a: Analysis, m: re.Match) -> Mark:
    start = a.sentence.start + m.start("place")
    return Mark(start, start + len(m.group("place")), m.group("place"))
