"""The claims ledger of one event: every claim per field, the chosen value and why, conflicts.

Policy (docs/resolution.md), applied to valid claims only:
  * an analyst's correction wins over everything;
  * figures (distance, apogee, flight time, count): the best-ranked source
    (tracking authority > other states' officials > the launching state's
    claim > others > unnamed), then the later report (an update over the
    first flash), then an unhedged, more precise figure; for apogee and flight
    time, a precise official figure beats another official's rounded one
    when they agree within 5%;
  * date: the day most independent documents give; a one-day split is a time
    zone, so the actor's local date (the later one east of UTC) wins;
  * class: the most specific; name: the launching state's own name;
  * outcome: a failure reported by anyone beats success (and is a conflict);
  * launch site and landing: the best-ranked source's most specific words;
  * reported_by: every source.
Copies of one text vote once.
"""
from __future__ import annotations

from typing import Any, Callable

from launchwatch.resolve.authority import TIER_NAMES, UNNAMED, Authority
from launchwatch.resolve.cluster import GENERIC_CLASSES

BALLISTIC_KINDS = {"srbm", "mrbm", "irbm", "icbm", "slbm"}
from launchwatch.resolve.model import Claim, Report, date_span

FIGURE_FIELDS = ("distance_km", "apogee_km", "flight_time_s", "count")
PLACE_FIELDS = ("launch_location", "landing")
CONFLICT_FIELDS = ("date", "weapon_class", "weapon_name", "count", "platform", "launch_location", "landing",
                   "distance_km", "apogee_km", "flight_time_s", "outcome")
CLASS_RANK = {None: 0, "unknown": 0, "ballistic": 1}
SAME_FIGURE = 0.005     # a unit conversion restates a figure within this share ("1,000 km (621 miles)"); 70 min against 4,153 s is a rival
CONSISTENT = 0.05       # a rounded and a precise figure of one measurement


Choice = tuple[Any, Claim | None, str]


def significant_digits(value: Any) -> int:
    text = f"{value:g}".replace(".", "").replace("-", "").lstrip("0") if isinstance(value, (int, float)) else ""
    return len(text.rstrip("0")) if "." not in f"{value:g}" else len(text)


def _hedged(c: Claim) -> bool:
    return bool(c.hedge)


class Ledger:
    """Claims of one event's reports, grouped by field, with the rules to choose among them."""

    def __init__(self, reports: list[Report], authority: Authority, family: dict[str, str],
                 analyst_claims: list[Claim] = (), utc_offset: float | None = None,
                 name_key: Callable[[str], str] = str.lower):
        self.reports = reports
        self.name_key = name_key
        self.auth = authority
        self.family = family                  # doc_id -> original doc_id (itself if not a copy)
        self.utc_offset = utc_offset
        self.by_field: dict[str, list[Claim]] = {}
        self.dates = {r.doc_id: r.published for r in reports}
        for r in reports:
            for c in r.claims:
                self.by_field.setdefault(c.field, []).append(c)
        for c in analyst_claims:
            self.by_field.setdefault(c.field, []).append(c)

    # -- helpers ------------------------------------------------------------

    def valid(self, field: str) -> list[Claim]:
        return [c for c in self.by_field.get(field, []) if c.invalid is None
                and (c.value not in (None, []) or c.by_analyst)]

    def published(self, c: Claim) -> str | None:
        """A copy's claim is as old as its original: a reprint is no later update."""
        root = self.family.get(c.doc_id, c.doc_id)
        return self.dates.get(root, c.published)

    def support(self, claims: list[Claim], same: Callable[[Any, Any], bool] = lambda a, b: a == b) -> Callable[[Claim], int]:
        """Independent documents (copies count once) whose claims restate a claim's value."""
        def count(c: Claim) -> int:
            return len({self.family.get(o.doc_id, o.doc_id) for o in claims if same(o.value, c.value)})
        return count

    def analyst(self, field: str) -> Choice | None:
        mine = [c for c in self.by_field.get(field, []) if c.by_analyst]
        if not mine:
            return None
        c = mine[-1]  # the latest correction (analyst claims arrive in the order they were made)
        note = f": {c.reason}" if c.reason else ""
        return c.value, c, f"set by {c.source} on {c.published}{note}"

    # -- choices ------------------------------------------------------------

    def choose(self, field: str) -> Choice:
        override = self.analyst(field)
        if override:
            return override
        if field in FIGURE_FIELDS:
            return self.figure(field)
        chooser = {"date": self.date, "weapon_class": self.weapon_class,
                   "weapon_name": self.weapon_name, "platform": self.majority,
                   "outcome": self.outcome}.get(field)
        if chooser:
            return chooser(field)
        if field in PLACE_FIELDS:
            return self.place(field)
        return None, None, "no claim"

    def figure(self, field: str) -> Choice:
        claims = self.valid(field)
        if not claims:
            return None, None, "no valid claim"
        support = self.support(claims, same=lambda a, b: _restates(a, b))
        key = lambda c: (self.auth.tier(c.source), _later_first(self.published(c)), _hedged(c),
                         -significant_digits(c.value), -support(c), c.value)
        best = min(claims, key=key)
        reason = self._why(best, claims)
        if field in ("apogee_km", "flight_time_s") and (_hedged(best) or significant_digits(best.value) <= 1):
            precise = [c for c in claims if not _hedged(c) and self.auth.tier(c.source) < UNNAMED
                       and significant_digits(c.value) > significant_digits(best.value)
                       and abs(c.value - best.value) <= CONSISTENT * best.value]
            if precise:
                better = min(precise, key=key)
                return better.value, better, (f"precise figure from {better.source} over the rounded "
                                              f"{_fmt(best.value)} from {best.source or 'an unnamed source'}")
        return best.value, best, reason

    def _why(self, best: Claim, claims: list[Claim]) -> str:
        tier = self.auth.tier(best.source)
        who = best.source or "an unnamed source"
        others = len({(c.source, c.value) for c in claims}) - 1
        text = f"{who} ({TIER_NAMES[tier]})"
        if others:
            text += f" over {others} other claim{'s' if others > 1 else ''}"
        if any(c.source == best.source and self.published(c) and self.published(best)
               and self.published(c) < self.published(best) for c in claims):
            text += f"; latest report ({self.published(best)})"
        return text

    def date(self, field: str) -> Choice:
        claims = self.valid(field)
        if not claims:
            return None, None, "no valid claim"
        finest = max(len(str(c.value)) for c in claims)
        fine = [c for c in claims if len(str(c.value)) == finest]
        support = self.support(fine)
        east = (self.utc_offset or 0) >= 0
        best = max(fine, key=lambda c: (support(c), c.value if east else _desc(c.value), -self.auth.tier(c.source)))
        n_docs = len({self.family.get(c.doc_id, c.doc_id) for c in fine})
        reason = f"given by {support(best)} of {n_docs} independent documents"
        rivals = [support(c) for c in fine if c.value != best.value]
        if rivals and max(rivals) == support(best):
            zone = f" (UTC{self.utc_offset:+g})" if self.utc_offset is not None else ""
            reason += f"; a day apart is a time zone: the launch site's local date{zone} wins"
        return best.value, best, reason

    def as_reported(self, field: str) -> list[Claim]:
        """Valid claims of the value each report settled on: other mentions only compete."""
        values = {r.id: r.values.get(field) for r in self.reports}
        return [c for c in self.valid(field) if c.report_id is None or values.get(c.report_id) == c.value]

    def weapon_class(self, field: str) -> Choice:
        claims = self.as_reported(field)
        if not claims:
            return None, None, "no valid claim"
        if all(c.value in GENERIC_CLASSES for c in claims):
            # every report says only "a (ballistic) missile": a specific class another claim in them
            # gives (the named system's, a rival source's) says more, and refines rather than contradicts
            refined = [c for c in self.valid(field) if c.value not in GENERIC_CLASSES
                       and (c.value in BALLISTIC_KINDS or all(x.value in (None, "unknown") for x in claims))]
            claims = claims + refined
        support = self.support(claims)
        best = max(claims, key=lambda c: (CLASS_RANK.get(c.value, 2), support(c), -self.auth.tier(c.source), _desc(c.value)))
        specific = {c.value for c in claims if c.value not in GENERIC_CLASSES}
        reason = "the most specific class" if best.value not in GENERIC_CLASSES else "no source names a specific class"
        if len(specific) > 1:
            reason = f"{best.source or 'unnamed source'} ({TIER_NAMES[self.auth.tier(best.source)]}), given by {support(best)} documents"
        return best.value, best, reason

    def weapon_name(self, field: str) -> Choice:
        claims = self.valid(field)
        if not claims:
            return None, None, "no valid claim"
        own = [c for c in claims if self.auth.info(c.source).country == self.auth.actor] if claims else []
        pool = own or claims
        support = self.support(pool)
        best = max(pool, key=lambda c: (support(c), -self.auth.tier(c.source), _desc(c.value)))
        reason = "the launching state's own name" if own else f"the name {support(best)} documents use"
        return best.value, best, reason

    def majority(self, field: str) -> Choice:
        claims = self.valid(field)
        if not claims:
            return None, None, "no valid claim"
        support = self.support(claims)
        best = max(claims, key=lambda c: (support(c), -self.auth.tier(c.source), _desc(c.value)))
        return best.value, best, f"given by {support(best)} independent documents"

    def outcome(self, field: str) -> Choice:
        claims = self.valid(field)
        if not claims:
            return None, None, "no valid claim"
        failures = [c for c in claims if c.value == "failure"]
        if failures:
            best = min(failures, key=lambda c: self.auth.tier(c.source))
            return "failure", best, f"{best.source or 'a report'} says it failed; a failure outweighs claims of success"
        best = min(claims, key=lambda c: self.auth.tier(c.source))
        return best.value, best, f"{best.source or 'reports'} say it succeeded; no source reports a failure"

    def place(self, field: str) -> Choice:
        claims = self.valid(field)
        if not claims:
            return None, None, "no valid claim"
        best = min(claims, key=lambda c: (self.auth.tier(c.source), -len(str(c.value)), str(c.value)))
        return best.value, best, f"{best.source or 'an unnamed source'} ({TIER_NAMES[self.auth.tier(best.source)]}), most specific wording"

    def reported_by(self) -> list[str]:
        seen: list[str] = []
        for r in self.reports:
            for name in r.values.get("reported_by") or []:
                if name not in seen:
                    seen.append(name)
        return sorted(seen, key=lambda s: (self.auth.tier(s), seen.index(s)))

    # -- conflicts ----------------------------------------------------------

    def conflicts(self, chosen: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for field in CONFLICT_FIELDS:
            claims = [c for c in self.valid(field) if not c.by_analyst]
            distinct = _distinct(field, claims, self.name_key)
            distinct.sort(key=lambda group: all(c.value != chosen.get(field) for c in group))
            if len(distinct) > 1:
                values = [d[0].value for d in distinct]
                out.append({"field": field, "kind": _conflict_kind(field, values), "values": values,
                            "chosen": chosen.get(field),
                            "claims": [{"value": c.value, "unit": c.unit, "source": c.source,
                                        "document": c.document, "quote": c.quote}
                                       for group in distinct for c in group]})
        return out


def _distinct(field: str, claims: list[Claim], name_key: Callable[[str], str]) -> list[list[Claim]]:
    """Claims grouped by what they say; more than one group is a conflict."""
    groups: list[list[Claim]] = []
    for c in claims:
        for g in groups:
            if _says_same(field, g[0], c, name_key):
                g.append(c)
                break
        else:
            groups.append([c])
    return groups


def _conflict_kind(field: str, values: list[Any]) -> str:
    """'disagree': the sources cannot all be right. 'detail': one only says less ("a missile"
    and "a ballistic missile"; "the Pyongyang area" and "the suburbs of Pyongyang")."""
    if field == "weapon_class":
        return "detail" if len({v for v in values if v not in GENERIC_CLASSES}) <= 1 else "disagree"
    if field in PLACE_FIELDS:
        words = [set(_words(v).split()) for v in values]
        shared = set.intersection(*words)
        return "detail" if shared and all(len(w - shared) <= 2 for w in words) else "disagree"
    return "disagree"


def _says_same(field: str, a: Claim, b: Claim, name_key: Callable[[str], str]) -> bool:
    if field in FIGURE_FIELDS:
        return a.value == b.value or (a.unit != b.unit and _restates(a.value, b.value))
    if field == "weapon_name" and name_key(str(a.value)) == name_key(str(b.value)):
        return True
    if field in PLACE_FIELDS:  # every wording is shown; _conflict_kind tells rewordings apart
        return _words(a.value) == _words(b.value)
    if field == "weapon_name":
        x, y = _words(a.value), _words(b.value)
        return x in y or y in x
    if field == "date":  # coarser dates that contain each other, or a time zone's day apart
        x, y = date_span(str(a.value)), date_span(str(b.value))
        return bool(x and y) and (y[0] - x[1]).days <= 1 and (x[0] - y[1]).days <= 1
    return a.value == b.value


def _restates(a: Any, b: Any) -> bool:
    try:
        return a == b or abs(a - b) <= SAME_FIGURE * max(abs(a), abs(b))
    except TypeError:
        return a == b


_SAME_WORD = {"waters": "sea", "water": "sea", "ocean": "sea"}


def _words(value: Any) -> str:
    words = str(value).lower().replace("-", " ").replace(",", " ").replace("'s", "").split()
    return " ".join(_SAME_WORD.get(w, w) for w in words
                    if w not in ("the", "a", "an", "area", "of", "near", "vicinity", "its"))


def _later_first(published: str | None) -> tuple:
    """Sort key: later publication dates first, unknown ones last."""
    return (0, _desc(published)) if published else (1, "")


def _desc(value: Any) -> Any:
    """A sort key that puts later strings first under min() (and earlier under max())."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return -value
    return "".join(chr(0x10FFFF - ord(ch)) for ch in str(value))


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


__all__ = ["Ledger", "significant_digits"]
