"""Regular expressions compiled once per Knowledge: systems, actors, agencies, terms."""
from __future__ import annotations

import re
from dataclasses import dataclass

from launchwatch.folding import Alternatives, Folded
from launchwatch.extract.gazetteer import Gazetteer

# Class phrases named by the text, most specific first. Values are weapon classes.
CLASS_PHRASES: list[tuple[str, str]] = [
    (r"submarine[- ]launched\s+ballistic\s+missiles?|SLBMs?|sub-launched\s+(?:ballistic\s+)?missiles?", "slbm"),
    (r"intercontinental[- ](?:range\s+)?(?:hypersonic\s+)?ballistic\s+missiles?|intercontinental[- ]range\s+missiles?|ICBMs?", "icbm"),
    (r"intermediate[- ]range\s+(?:hypersonic\s+)?(?:ballistic\s+)?missiles?|IRBMs?", "irbm"),
    (r"medium[- ]range\s+(?:hypersonic\s+)?(?:ballistic\s+)?missiles?|MRBMs?|medium-range\s+Rodongs?", "mrbm"),
    (r"short[- ]range\s+(?:hypersonic\s+)?(?:ballistic\s+)?missiles?|SRBMs?|close[- ]range\s+ballistic\s+missiles?|tactical\s+ballistic\s+missiles?|short-range\s+Scuds?", "srbm"),
    (r"(?:anti-ship\s+|land-attack\s+|strategic\s+|long-range\s+)?cruise\s+missiles?", "cruise"),
    (r"hypersonic\s+(?:glide\s+vehicles?|missiles?|weapons?|warheads?)|hypersonic", "hypersonic"),
    (r"(?:space\s+launch\s+vehicles?|satellite\s+launch(?:es|ers?|ing)?|satellite[- ]carrying\s+rockets?|carrier\s+rockets?|(?:reconnaissance|spy|military|observation|weather|communications?|imaging)\s+satellites?|satellites?\s+(?:carrier|launch\s+vehicle)|space\s+rockets?|rocket\s+carrying\s+(?:a|an|the|its|three|two)\s+(?:\w+\s+)?satellites?|(?:put|placed|place|launched|launch|send|sent)\s+(?:a|an|the|its|three|two)\s+(?:\w+\s+)?satellites?|satellites?\s+into\s+orbit|orbital\s+launch)", "space_launch"),
    (r"(?:multiple[- ]rocket\s+launchers?|artillery\s+rockets?|rocket\s+artillery|\d{3}\s*mm\s+(?:and\s+\d{3}\s*mm\s+)?(?:guided\s+)?rockets?|rocket\s+launchers?|barrage\s+of\s+rockets)", "rocket_artillery"),
    (r"ballistic\s+missiles?|ballistic", "ballistic"),
]
# "ballistic missile technology", "cruise missile programme": the field, not a weapon fired.
_NOT_A_WEAPON = r"(?!\s+(?:missiles?\s+)?(?:technology|technologies|programs?|programmes?|capabilit\w*|capable|development|defen[cs]es?|shield|interceptors?|tests?\s+sites?|forces|units?|brigades?|regiments?|bases?))"
# Words for the weapon itself (class unknown unless something else says more).
WEAPON_WORDS = r"missiles?|rockets?|projectiles?|warheads?|weapons?|ICBMs?|SRBMs?|IRBMs?|SLBMs?"


@dataclass(frozen=True)
class Lexicon:
    systems: Gazetteer
    actors: Gazetteer
    agencies: Gazetteer
    sites: Gazetteer
    classes: Folded   # one alternation, a named group per class, most specific first
    triggers: Folded
    weapon: Folded
    modal: Folded
    negation: Folded
    excluded: Folded
    reporting: Folded
    success: Folded
    failure: Folded
    platforms: Alternatives   # a named group per platform
    hedges: Folded
    generic_sources: "Labelled"   # sources that name no agency ("analysts", "US officials")
    role_sources: "Labelled"      # sources named by role, resolved by state
    role_labels: dict[str, dict[str, str]]


def build(knowledge) -> Lexicon:
    return knowledge._cached("extract.lexicon", lambda: _build(knowledge))


class Labelled:
    """Several labelled pattern lists as one alternation: one pass yields (match, label)."""

    def __init__(self, table: dict[str, list[str]], flags: int = 0):
        self._labels = {f"g{i}": label for i, label in enumerate(table)}
        self._rx = Alternatives({f"g{i}": "|".join(rxs) for i, rxs in enumerate(table.values())}, flags)

    def finditer(self, text: str):
        for m in self._rx.finditer(text):
            yield m, self._labels[m.lastgroup]


def _class_pattern() -> re.Pattern:
    """(?P<slbm_0>...)|(?P<icbm_1>...)...: leftmost match wins, ties go to the most specific class."""
    parts = []
    for i, (rx, cls) in enumerate(CLASS_PHRASES):
        parts.append(rf"(?P<{cls}_{i}>(?:{rx})(?!\w|-(?!class\b|type\b)){_NOT_A_WEAPON})")  # "SRBM-class" names a class
    # one leading \b for all alternatives: measured 25% faster than a lookbehind in each
    return Folded(r"\b(?:" + "|".join(parts) + ")", gated=True)


def class_of(match: re.Match) -> str:
    return match.lastgroup.rsplit("_", 1)[0]


def _terms(knowledge, table: str, key: str) -> list[str]:
    return list(knowledge.terms.get(table, {}).get(key, []))


def _words(knowledge, table: str, key: str, gated: bool = False) -> Folded:
    """One case-insensitive alternation of a term list (`gated`: see Folded)."""
    words = _terms(knowledge, table, key)
    return Folded("|".join(f"(?:{w})" for w in words) or r"(?!x)x", gated)


def _build(knowledge) -> Lexicon:
    actor_names = [(n, a.code) for a in knowledge.actors for n in a.names]
    actor_names += [("The" + n[3:], code) for n, code in actor_names if n.startswith("the ")]
    platforms = Alternatives({name: "|".join(rxs) for name, rxs in knowledge.terms.get("platform", {}).items()}, folded=True)
    return Lexicon(
        systems=Gazetteer((n, s) for s in knowledge.systems for n in (s.name, *s.aliases)),
        actors=Gazetteer(actor_names),
        agencies=Gazetteer((n, a) for a in knowledge.agencies for n in (a.label, *a.aliases)),
        sites=Gazetteer((n, s) for s in knowledge.sites for n in (s.name, *s.aliases)),
        classes=_class_pattern(),
        triggers=_words(knowledge, "launch", "triggers"),
        weapon=Folded(rf"\b(?:{WEAPON_WORDS})\b"),
        modal=_words(knowledge, "launch", "modal"),
        negation=_words(knowledge, "launch", "negation"),
        excluded=_words(knowledge, "launch", "excluded"),
        reporting=_words(knowledge, "launch", "reporting"),
        success=_words(knowledge, "outcome", "success"),
        failure=_words(knowledge, "outcome", "failure", gated=True),   # few words, rarely there
        platforms=platforms,
        hedges=_words(knowledge, "attribution", "hedges", gated=True),
        generic_sources=Labelled(knowledge.terms.get("sources", {})),
        role_sources=Labelled(knowledge.terms.get("actor_sources", {})),
        role_labels={role: dict(item.split("=", 1) for item in items) for role, items in knowledge.terms.get("actor_source_labels", {}).items()},
    )
