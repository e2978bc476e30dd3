"""Analysts' corrections, replayed over automatic grouping so they survive every rebuild.

Actions are stored anchored to report ids, never to event ids (which change
as events regroup), and replayed in the order they were made:
  merge    the groups holding any of the reports become one
  split    the reports leave their group and form one of their own
  set      a field's value, as a claim by "analyst:NAME" that wins the ledger
  reject   the event is not a launch (kept, marked rejected)
  confirm  an analyst vouches for the event
"""
from __future__ import annotations

from collections import Counter

from launchwatch.resolve.model import Claim, Report, Review

ACTIONS = ("merge", "split", "set", "reject", "confirm")


def apply_grouping(groups: list[list[Report]], reviews: list[Review]) -> list[list[Report]]:
    """Replay merges and splits over `groups`; returns new groups sorted by smallest report id."""
    sets = [list(g) for g in groups]
    for review in sorted(reviews, key=lambda r: r.id):
        where = {r.id: i for i, g in enumerate(sets) for r in g}
        present = [rid for rid in review.report_ids if rid in where]
        if review.action == "merge" and present:
            keep, *others = sorted({where[rid] for rid in present})
            for i in others:
                sets[keep] += sets[i]
                sets[i] = []
        elif review.action == "split" and present:
            moved = [r for g in sets for r in g if r.id in set(present)]
            sets = [[r for r in g if r.id not in set(present)] for g in sets] + [moved]
    return sorted((sorted(g, key=lambda r: r.id) for g in sets if g), key=lambda g: g[0].id)


def reviews_by_group(groups: list[list[Report]], reviews: list[Review]) -> dict[str, list[Review]]:
    """The set/reject/confirm actions of each group (keyed by its smallest report id): an action
    lands where most of its reports are now."""
    landing = [r for r in reviews if r.action in ("set", "reject", "confirm")]
    if not landing:
        return {}
    home = {r.id: g[0].id for g in groups for r in g}
    out: dict[str, list[Review]] = {}
    for review in landing:
        votes = Counter(home[rid] for rid in review.report_ids if rid in home)
        if votes:
            winner = max(votes.items(), key=lambda kv: (kv[1], _neg(kv[0])))[0]
            out.setdefault(winner, []).append(review)
    return out


def _neg(text: str) -> str:
    return "".join(chr(0x10FFFF - ord(ch)) for ch in text)


def analyst_claims(reviews: list[Review]) -> list[Claim]:
    return [Claim(field=r.field, value=r.value, report_id=None, doc_id=None, document=None,
                  published=r.created_at[:10], source=f"analyst:{r.analyst}", reason=r.reason)
            for r in sorted(reviews, key=lambda r: r.id) if r.action == "set"]


def review_state(reviews: list[Review]) -> str | None:
    """The latest reject/confirm decision, if any."""
    decisions = [r for r in sorted(reviews, key=lambda r: r.id) if r.action in ("reject", "confirm")]
    if not decisions:
        return None
    return "rejected" if decisions[-1].action == "reject" else "confirmed"
