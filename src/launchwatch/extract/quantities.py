"""Distances, altitudes, flight times and missile counts stated in a sentence."""
from __future__ import annotations

import re
from dataclasses import dataclass

from launchwatch.extract.dates import NUMBER_WORDS
from launchwatch.folding import Folded

KM_PER_UNIT = {"km": 1.0, "kilometre": 1.0, "kilometer": 1.0, "mile": 1.609, "nautical mile": 1.852, "nm": 1.852, "m": 0.001, "metre": 0.001, "meter": 0.001}
SECONDS_PER_UNIT = {"second": 1, "sec": 1, "minute": 60, "min": 60, "hour": 3600, "hr": 3600}

# "1,000", "1 000" (KCNA groups thousands with a space), "99.8"
_NUMBER = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d,.])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,])|\d+(?:\.\d+)?)"
_LENGTH_UNIT = r"(?P<unit>nautical\s+miles?|kilomet(?:re|er)s?|km|miles?|metres|meters|nm)\b"
_TIME_UNIT = r"(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?)\b"

# Numbers are found first (a digit is a cheap anchor); the hedge words before them are looked up after.
_LENGTH_BARE = Folded(_NUMBER + r"(?:\s*-\s*|\s+)?" + _LENGTH_UNIT, gated=True)  # most sentences name no unit
_WORD_NUMBER = "|".join(sorted((w for w in NUMBER_WORDS if len(w) > 2), key=len, reverse=True))
# "in about four minutes": flight times are often spelled out.
_DURATION_BARE = Folded(r"(?:" + _NUMBER + r"|(?<![\w-])(?P<word>" + _WORD_NUMBER + r"))\s*-?\s*" + _TIME_UNIT, gated=True)
_HEDGE_BEFORE = re.compile(r"(?P<hedge>about|around|some|roughly|approximately|nearly|almost|up\s+to|more\s+than|over|at\s+least|an\s+estimated|well\s+above|just\s+over|just\s+under|less\s+than|under|(?:closer|close|nearer)\s+to|nearer|in\s+the\s+region\s+of)\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class _Found:
    """A number with its unit, widened to the hedge before it ("about 600 km")."""

    start: int
    end: int
    text: str
    num: str
    unit: str
    hedge: str | None

    def group(self, name: str):
        return {"num": self.num, "unit": self.unit, "hedge": self.hedge, 0: self.text}[name]


def _with_hedges(rx: re.Pattern, sentence: str) -> list[_Found]:
    out = []
    for m in rx.finditer(sentence):
        hedge = _HEDGE_BEFORE.search(sentence, max(0, m.start() - 20), m.start())
        start = hedge.start() if hedge else m.start()
        num = m.group("num") or m.group("word")
        out.append(_Found(start, m.end(), sentence[start:m.end()], num, m.group("unit"), hedge.group("hedge") if hedge else None))
    return out

# Words just before/after a length that make it an altitude.
_ALTITUDE_CUE = re.compile(r"(altitude|apogee|height|high\b|peak|ceiling|orbit|soar|climb|rose|rising|lofted|elevation|reach(?:ed|es|ing)\s+(?:about\s+|around\s+|some\s+|roughly\s+|nearly\s+)?$)", re.IGNORECASE)
# Words that make a length a distance flown or to the target.
_DISTANCE_CUE = re.compile(r"(fl[eo]w|flown|flying|fly|travel|distance|covered|away|range\s+of\s+about|downrange|flight\s+of|trajectory\s+of|for\s+(?:about\s+|some\s+)?$|across|journey|to\s+a\s+target|into\s+the\s+sea|(?:flight|range|distance|trajectory)\s+at\s+(?:\w+\s+){0,2}$|tracked\s+(?:\w+\s+){0,2}(?:over|for)\s+$|short\s+of\s+(?:the\s+)?[\"“]?$)", re.IGNORECASE)
# A length followed by these is a place locator, not a flight ("150 km west of").
_LOCATOR_AFTER = re.compile(r"^\s*(?:\(\s*[\d,.]+\s*\w+\s*\)\s*)?(?:north|south|east|west|northeast|northwest|southeast|southwest|off|from|short\s+of|inside|outside|beyond|of\b|offshore|wide|in\s+diameter|long\b|-long|away\s+from)", re.IGNORECASE)
_COULD_HAVE_FLOWN = re.compile(r"\b(?:could|may|might)\s+have\s+(?:flown|travell?ed|gone)\s+(?:as\s+far\s+as\s+|up\s+to\s+)?$", re.IGNORECASE)
# "flew about 1,400 km from a launch site": a flight, though a locator's "from" follows.
_FLEW = re.compile(r"\b(?:flew|flown|travell?ed|covered)\s+$", re.IGNORECASE)
# A length preceded by these is a capability, not a flight ("a range of 2,200 km").
_CAPABILITY_BEFORE = re.compile(r"(range\s+of|ranges?\s+(?:up\s+to|between)|capable\s+of|could\s+reach|can\s+reach|able\s+to|range\s+is|ranged?|radius|within|as\s+far\s+as|put\s+all\s+of|maximum\s+range|distance\s+of\s+up\s+to|would\s+be\s+able|could\s+(?:fly|travel|hit|strike)|have\s+a\s+range|has\s+a\s+range|reach(?:es)?\s+up\s+to|\bmm\b)\s*(?:of\s+)?(?:about\s+|some\s+|up\s+to\s+|around\s+)?$", re.IGNORECASE)
# "could have flown more than 6,700 km on a normal trajectory": what might have been.
_HYPOTHETICAL = re.compile(r"\b(?:could|would|might|may)\s+(?:have\s+)?(?:\w+\s+){0,2}$", re.IGNORECASE)
# Durations that are not flight times ("two minutes later", "for 20 minutes before").
_TIME_NOT_FLIGHT = re.compile(r"^\s*(?:later|earlier|before|after\s+(?:the|it|that)|ago|of\s+warning|warning|delay|long\s+(?:meeting|call|speech))", re.IGNORECASE)
_FLIGHT_TIME_CUE = re.compile(r"(fl[eo]w|flight|flying|airborne|aloft|in\s+the\s+air|after\s+(?:launch|lift-?off|take-?off)|into\s+(?:its\s+)?flight|seconds?\s+after|for\s+(?:about\s+|some\s+|more\s+than\s+|around\s+)?$|lasted|duration|exploded|broke|failed|burn)", re.IGNORECASE)


# "was in the air for about 12 minutes before it fell": the flight's own length, whatever follows.
_FLIGHT_FOR = re.compile(r"\b(?:flew|flying|in\s+the\s+air|airborne|aloft|flight\s+time\s+of|flight\s+lasted|lasted)\s+(?:for\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    field: str          # "distance_km" | "apogee_km" | "flight_time_s"
    value: float
    start: int
    end: int
    text: str
    hedge: str | None
    unit: str | None = None     # as stated: "km", "mile", "nautical mile", "second", "minute", ...
    rival: bool = False         # set against an earlier figure ("while estimates come to ..."): another voice
    hypothetical: bool = False  # "could have flown as far as 1,900 km": a rival claim, never the launch's figure


def parse_number(text: str) -> float:
    return float(re.sub(r"[,\s]", "", text))


def _number_value(text: str) -> float:
    return float(NUMBER_WORDS[text.lower()]) if text.lower() in NUMBER_WORDS else parse_number(text)


def lengths(sentence: str, offset: int = 0) -> list[Quantity]:
    """Distances flown and apogees; locators, capabilities and diameters are skipped."""
    out = []
    for m in _with_hedges(_LENGTH_BARE, sentence):
        unit = _unit_key(m.group("unit"))
        value = parse_number(m.group("num")) * KM_PER_UNIT[unit]
        before, after = sentence[max(0, m.start - 60):m.start], sentence[m.end:m.end + 40]
        locator = _LOCATOR_AFTER.match(after) and not _FLEW.search(before)
        estimate = _COULD_HAVE_FLOWN.search(before[-40:])  # "could have flown as far as 1,900 km": an estimate of this flight
        hypothetical = estimate is not None or _HYPOTHETICAL.search(before[-35:]) is not None
        if locator or (_CAPABILITY_BEFORE.search(before) and not estimate) or _in_brackets(sentence, m):
            continue
        field = _length_field(before, after, m.group("hedge"))
        rival = None if field else _contrasted(out, sentence, m, value, offset)
        if (field or rival) and value > 0:
            voice = rival is not None and not _REVISED.search(sentence[max(0, m.start - 40):m.start])
            hedge = _hedge(m) or ("could have" if hypothetical else None)
            out.append(Quantity(field or rival, round(value, 1), m.start + offset, m.end + offset, m.text, hedge, unit,
                                rival=voice or hypothetical, hypothetical=hypothetical))
    return out


# "cited 5,800 km, while independent estimates come out nearer 5,700 km": a rival figure of the same kind.
_CONTRAST = re.compile(r"[,;]\s*(?:while|whereas|but|against|compared\s+with)\b|\b(?:while|whereas|estimat\w*|short\s+of)\b|;\s*[\w. ]{1,30}:\s*$", re.IGNORECASE)
# "revising an initial estimate of 1,000 km": the same source's earlier figure, not another voice.
_REVISED = re.compile(r"\b(?:revis\w*|initial|earlier|first|previous|original|preliminary)\b", re.IGNORECASE)
_NOT_A_FLIGHT = re.compile(r"\b(?:range|capab\w*|can|could|designed|maximum)\b", re.IGNORECASE)


def _contrasted(found: list[Quantity], sentence: str, m: _Found, value: float, offset: int) -> str | None:
    """The field of the figure this one is set against, or None."""
    last = found[-1] if found else None
    if last is None or not 0.5 <= value / last.value <= 2:
        return None
    between = sentence[last.end - offset:m.start]
    return last.field if _CONTRAST.search(between) and not _NOT_A_FLIGHT.search(between) else None


def ranges(sentence: str) -> list[float]:
    """Stated range capabilities ('a range of 2,200 km'), in km: they set a class, never a distance."""
    out = []
    for m in _LENGTH_BARE.finditer(sentence):
        before = sentence[max(0, m.start() - 60):m.start()]
        if _CAPABILITY_BEFORE.search(before) and not re.search(r"\bmm\b", before[-6:]):
            out.append(parse_number(m.group("num")) * KM_PER_UNIT[_unit_key(m.group("unit"))])
    return out


def durations(sentence: str, offset: int = 0) -> list[Quantity]:
    out = []
    for m in _with_hedges(_DURATION_BARE, sentence):
        before, after = sentence[max(0, m.start - 50):m.start], sentence[m.end:m.end + 40]
        not_flight = _TIME_NOT_FLIGHT.match(after) and not _FLIGHT_FOR.search(before)
        if not_flight or not (_FLIGHT_TIME_CUE.search(before) or _FLIGHT_TIME_CUE.match(after.strip())):
            continue
        if re.search(r"(?:within|in\s+less\s+than|every|per|each)\s*$", before, re.IGNORECASE):
            continue
        unit = _unit_key(m.group("unit"), SECONDS_PER_UNIT)
        value = _number_value(m.group("num")) * SECONDS_PER_UNIT[unit]
        out.append(Quantity("flight_time_s", value, m.start + offset, m.end + offset, m.text, _hedge(m), unit))
    return out


def _length_field(before: str, after: str, hedge: str | None) -> str | None:
    near_before, near_after = before[-35:], after[:30]
    if hedge and hedge.lower().replace(" ", "") in ("lessthan", "under", "justunder"):
        return None  # an upper bound is neither an apogee nor a distance flown
    altitude = _last_end(_ALTITUDE_CUE, near_before)
    distance = _last_end(_DISTANCE_CUE, near_before)
    if re.match(r"^\s*(?:high|in\s+altitude|into\s+space|altitude|up\b|(?:\w+\s+)?orbit)", near_after, re.IGNORECASE):
        return "apogee_km"
    if altitude > distance:
        return "apogee_km"
    if hedge and hedge.lower().replace(" ", "") in ("lessthan", "under"):
        return None
    if distance >= 0 or re.match(r"^\s*(?:away|downrange|flight|journey|trajectory|across\s+the|before\s+(?:landing|falling|splashing|crashing|plunging|hitting|striking)|and\s+(?:landed|fell|splashed|crashed))", near_after, re.IGNORECASE):
        return "distance_km"
    return None


def _last_end(rx: re.Pattern, text: str) -> int:
    """End of the cue's last match in `text`, or -1: the nearer cue decides."""
    ends = [m.end() for m in rx.finditer(text)]
    return ends[-1] if ends else -1


def _in_brackets(sentence: str, m: _Found) -> bool:
    """'1,000 kilometers (621 miles)': the bracketed conversion repeats the first figure; a
    source named in the bracket ('(U.S.: about 1,400 miles)') gives its own."""
    return sentence[:m.start].rstrip().endswith("(") and not _NAMED_BEFORE.search(sentence[:m.start])


_NAMED_BEFORE = re.compile(r"[(;]\s*[\w. ]{1,30}:\s*$")


def _unit_key(unit: str, table=KM_PER_UNIT) -> str:
    unit = re.sub(r"\s+", " ", unit.lower())
    if unit.startswith("nautical"):
        return "nautical mile"
    if unit.startswith("kilomet"):
        return "km"
    for key in sorted(table, key=len, reverse=True):
        if unit.startswith(key):
            return key
    return unit.rstrip("s")


def _hedge(m: _Found) -> str | None:
    hedge = m.hedge
    return re.sub(r"\s+", " ", hedge.lower()) if hedge else None


# ---- counts ---------------------------------------------------------------

_COUNT_WORDS = "|".join(sorted((w for w in NUMBER_WORDS if w not in ("a", "an")), key=len, reverse=True))
_MISSILE_NOUN = r"(?:(?!(?:of|from|in|at|by|for|with)\b)[\w-]+\s+){0,5}?(?:missiles?|rockets?|projectiles?|ICBMs?|SRBMs?|IRBMs?|MRBMs?|SLBMs?|ATACMS|weapons?)\b"
COUNT = Folded(
    r"\b(?P<lead>at\s+least\s+|as\s+many\s+as\s+|about\s+|around\s+|some\s+|more\s+than\s+|a\s+(?:barrage|salvo|volley|total)\s+of\s+|a\s+pair\s+of\s+|another\s+|up\s+to\s+)?"
    r"(?<![-\w.])(?<!one\sof\s)(?P<n>\d{1,3}(?:,\d{3})*|" + _COUNT_WORDS + r")(?!\s+(?:days?|weeks?|months?|years?|hours?|minutes?|seconds?|times|decades?|km|kilomet|miles|percent|per\s+cent)\b)(?:(?<=\w)(?:\s+more)?(?=\s+(?:from|into|at|in|on)\b)(?P<bare>)|\s+(?:more\s+|additional\s+|other\s+|different\s+|of\s+(?:its|the|their)\s+)?(?P<noun>" + _MISSILE_NOUN + "))",

)


@dataclass(frozen=True)
class Count:
    value: int
    start: int
    end: int
    text: str
    hedge: str | None


def counts(sentence: str, offset: int = 0) -> list[Count]:
    out = []
    for m in COUNT.finditer(sentence):
        n = m.group("n").lower().replace(",", "")
        value = int(n) if n.isdigit() else NUMBER_WORDS.get(n)
        lead = (m.group("lead") or "").strip().lower() or None
        if value is None or value > 5000 or lead == "up to" or m.group("n").lower() == "one" and sentence[m.end("n"):m.end("n") + 4] == " of ":
            continue
        if re.match(r"\d{4}$", n) and 1900 < value < 2100:
            continue
        if m.group("bare") is not None and not ((lead or "").startswith("a ") or m.group(0).lower().endswith("more")):
            continue
        if re.search(r"(?:mm|millimet)", m.group("noun") or "", re.IGNORECASE) or lead == "another":
            continue
        out.append(Count(value, m.start() + offset, m.end() + offset, sentence[m.start():m.end()], lead))
    return out
