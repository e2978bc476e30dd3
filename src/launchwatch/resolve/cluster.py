"""Which reports are one launch: blocking by actor and date, greedy complete-link merging.

Two reports can be one launch when they come from different documents (one
article's separate events are separate launches), name the same actor, are
dated at most a day apart (a 07:00 KST launch is the day before in
Washington), and their classes and system names agree. Among such pairs the
best-supported are merged first; a merge happens only while every report of
the merged group stays compatible with every other (complete link), so a
chain of one-day steps never glues a week of launches together.

Reports dated only to a month or year join the one day-dated launch they fit,
if exactly one fits best; so do undated reports, among the launches of the
two days before they were published; others stay events of their own.

Everything here is a pure function of the set of reports: any order of
arrival gives the same groups.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Callable, Iterable

from launchwatch.resolve.model import Report, date_span

BALLISTIC_KINDS = {"srbm", "mrbm", "irbm", "icbm", "slbm", "ballistic"}
GENERIC_CLASSES = {None, "unknown", "ballistic"}
FIGURES = ("distance_km", "apogee_km", "flight_time_s")
# Support a pair needs: a same-day pair needs nothing beyond compatibility;
# a pair a day apart needs one more agreeing detail (class, name, figure, site).
SAME_DAY, NEXT_DAY = 3.0, 1.0
MIN_SCORE = 2.0
UNDATED_REACH = 2      # days before publication an undated report may be about

NameKey = Callable[[str], str]


def classes_compatible(a: str | None, b: str | None) -> bool:
    if a == b or a in (None, "unknown") or b in (None, "unknown"):
        return True
    return {a, b} <= BALLISTIC_KINDS and "ballistic" in (a, b) or {a, b} == {"ballistic", "hypersonic"}


def names_compatible(a: str | None, b: str | None, key: NameKey) -> bool:
    if not a or not b:
        return True
    ka, kb = key(a), key(b)
    return ka == kb or ka.startswith(kb) or kb.startswith(ka)


def pair_score(a: Report, b: Report, key: NameKey) -> float | None:
    """How strongly two reports look like one launch; None when they cannot be."""
    va, vb = a.values, b.values
    if a.doc_id == b.doc_id or va.get("actor") != vb.get("actor"):
        return None
    if not classes_compatible(va.get("weapon_class"), vb.get("weapon_class")):
        return None
    if not names_compatible(va.get("weapon_name"), vb.get("weapon_name"), key):
        return None
    sa, sb = date_span(a.date), date_span(b.date)
    if sa is None or sb is None:
        return None
    gap = max((sb[0] - sa[1]).days, (sa[0] - sb[1]).days, 0)
    if gap > 1:
        return None
    score = SAME_DAY if gap == 0 else NEXT_DAY
    return score + _agreement(va, vb, key)


def _agreement(va: dict, vb: dict, key: NameKey) -> float:
    score = 0.0
    ca, cb = va.get("weapon_class"), vb.get("weapon_class")
    if ca == cb and ca not in GENERIC_CLASSES:
        score += 2
    if va.get("weapon_name") and vb.get("weapon_name") and key(va["weapon_name"]) == key(vb["weapon_name"]):
        score += 2
    if va.get("count") and va.get("count") == vb.get("count"):
        score += 0.5
    for name in FIGURES:
        x, y = va.get(name), vb.get(name)
        if x and y:
            ratio = max(x, y) / min(x, y)
            score += 1 if ratio <= 1.1 else (-1 if ratio > 1.6 else 0)
    la, lb = _place(va.get("launch_location")), _place(vb.get("launch_location"))
    if la and lb and (la in lb or lb in la):
        score += 1
    return score


def _place(text: str | None) -> str:
    words = [w for w in (text or "").lower().replace(",", " ").split() if w not in ("the", "area", "near", "vicinity", "of")]
    return " ".join(words)


class _Groups:
    """Union-find over reports that keeps each group's members for complete-link checks."""

    def __init__(self, reports: list[Report]):
        self.of = {r.id: i for i, r in enumerate(reports)}
        self.members = {i: [r] for i, r in enumerate(reports)}

    def root(self, report: Report) -> int:
        return self.of[report.id]

    def merge(self, x: int, y: int) -> None:
        keep, gone = min(x, y), max(x, y)
        for r in self.members.pop(gone):
            self.of[r.id] = keep
            self.members[keep].append(r)

    def groups(self) -> list[list[Report]]:
        return [sorted(m, key=lambda r: r.id) for m in self.members.values()]


def _fits(a: list[Report], b: list[Report], key: NameKey) -> bool:
    return all(pair_score(x, y, key) is not None for x in a for y in b)


def group_reports(reports: Iterable[Report], key: NameKey = str.lower) -> list[list[Report]]:
    """Groups of reports that are one launch each, sorted by their smallest report id."""
    reports = sorted(reports, key=lambda r: r.id)
    by_actor: dict[str | None, list[Report]] = defaultdict(list)
    for r in reports:
        by_actor[r.actor].append(r)
    out: list[list[Report]] = []
    for block in by_actor.values():
        out += _group_block(block, key)
    return sorted(out, key=lambda g: g[0].id)


def _group_block(block: list[Report], key: NameKey) -> list[list[Report]]:
    days = [r for r in block if r.date and len(r.date) == 10 and date_span(r.date)]
    coarse = [r for r in block if r.date and len(r.date) < 10 and date_span(r.date)]
    undated = [r for r in block if not date_span(r.date)]
    groups = _merge_days(days, key)
    groups = _attach_coarse(groups, coarse, key)
    return _attach_undated(groups, undated, key)


def _merge_days(days: list[Report], key: NameKey) -> list[list[Report]]:
    days = sorted(days, key=lambda r: (r.date, r.id))
    candidates = []
    for i, a in enumerate(days):
        for b in days[i + 1:]:
            if (date_span(b.date)[0] - date_span(a.date)[0]).days > 1:
                break
            score = pair_score(a, b, key)
            if score is not None and score >= MIN_SCORE:
                candidates.append((-score, min(a.id, b.id), max(a.id, b.id), a, b))
    candidates.sort(key=lambda c: c[:3])
    groups = _Groups(days)
    for _, _, _, a, b in candidates:
        x, y = groups.root(a), groups.root(b)
        if x != y and _fits(groups.members[x], groups.members[y], key):
            groups.merge(x, y)
    return groups.groups()


def _attach_coarse(groups: list[list[Report]], coarse: list[Report], key: NameKey) -> list[list[Report]]:
    """A month- or year-dated report joins the day-dated launch it fits best, if one is best."""
    extra: list[list[Report]] = []
    joins: dict[int, list[Report]] = defaultdict(list)
    for r in sorted(coarse, key=lambda r: r.id):
        scored = [(_group_score(r, g, key), i) for i, g in enumerate(groups)]
        scored = sorted(((s, -i) for s, i in scored if s is not None), reverse=True)
        scored = [(s, -i) for s, i in scored]
        if scored and (len(scored) == 1 or scored[0][0] > scored[1][0]):
            joins[scored[0][1]].append(r)
            continue
        home = next((g for g in extra if _fits(g, [r], key)), None)
        if home is None:
            extra.append([r])
        else:
            home.append(r)
    merged = [sorted(g + joins.get(i, []), key=lambda r: r.id) for i, g in enumerate(groups)]
    return merged + extra


def news_window(report: Report) -> tuple[date, date] | None:
    """Days an undated report can mean: news tells of the last day or two before it appeared."""
    span = date_span(report.published)
    if report.date or span is None:
        return None
    return span[0] - timedelta(days=UNDATED_REACH), span[1]


def _attach_undated(groups: list[list[Report]], undated: list[Report], key: NameKey) -> list[list[Report]]:
    """An undated report ("North Korea fired a missile, the JCS said") joins the one launch of
    its actor that fits it in the days before it was published; else it stays on its own."""
    extra: list[list[Report]] = []
    joins: dict[int, list[Report]] = defaultdict(list)
    for r in sorted(undated, key=lambda r: r.id):
        window = news_window(r)
        fits = []
        for i, g in enumerate(groups):
            spans = [date_span(x.date) for x in g]
            near = window and any(s and s[0] <= window[1] and s[1] >= window[0] and s[0] == s[1] for s in spans)
            if near and all(_undated_fits(r, x, key) for x in g):
                fits.append((sum(_agreement(r.values, x.values, key) for x in g), i))
        fits.sort(reverse=True)
        if fits and (len(fits) == 1 or fits[0][0] > fits[1][0]):
            joins[fits[0][1]].append(r)
        else:
            extra.append([r])
    merged = [sorted(g + joins.get(i, []), key=lambda r: r.id) for i, g in enumerate(groups)]
    return merged + extra


def _undated_fits(a: Report, b: Report, key: NameKey) -> bool:
    va, vb = a.values, b.values
    return (a.doc_id != b.doc_id and va.get("actor") == vb.get("actor")
            and classes_compatible(va.get("weapon_class"), vb.get("weapon_class"))
            and names_compatible(va.get("weapon_name"), vb.get("weapon_name"), key))


def _group_score(report: Report, group: list[Report], key: NameKey) -> float | None:
    scores = [pair_score(report, other, key) for other in group]
    if any(s is None for s in scores):
        return None
    return max(scores)


def linked(reports: Iterable[Report]) -> list[list[Report]]:
    """Reports that can influence each other's grouping: same actor, dates within a day.

    Resolution recomputes only the components holding new reports: grouping
    never crosses components, so the result equals a full rebuild.
    """
    out = []
    by_actor: dict[str | None, list[Report]] = defaultdict(list)
    for r in reports:
        by_actor[r.actor].append(r)
    for block in by_actor.values():
        dated = sorted((r for r in block if _reach(r)), key=lambda r: _reach(r))
        current, reach = [], None
        for r in dated:
            first, last = _reach(r)
            if current and (first - reach).days > 1:
                out.append(current)
                current, reach = [], None
            current.append(r)
            reach = last if reach is None else max(reach, last)
        if current:
            out.append(current)
        out += [[r] for r in block if not _reach(r)]
    return out


def _reach(report: Report) -> tuple[date, date] | None:
    return date_span(report.date) or news_window(report)


__all__ = ["group_reports", "linked", "pair_score", "classes_compatible", "names_compatible"]
