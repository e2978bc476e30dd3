"""Who says so: how much a source's claim weighs for one actor's launch, and an event's status.

Tiers, best first (docs/resolution.md):
  0  an analyst's correction ("analyst:NAME")
  1  the actor's tracking authority (actors.toml `trackers`: South Korea JCS for KP)
  2  another state's military or government
  3  the launching state's own officials and state media (a claim, marked as such)
  4  other named sources: media, analysts, experts
  5  no source named
"""
from __future__ import annotations

from dataclasses import dataclass

from launchwatch.knowledge import Knowledge, lookup_key

ANALYST, TRACKER, FOREIGN_OFFICIAL, CLAIMANT, OTHER, UNNAMED = range(6)
OFFICIAL_KINDS = {"military", "government", "state_media"}
TIER_NAMES = {ANALYST: "analyst correction", TRACKER: "tracking authority",
              FOREIGN_OFFICIAL: "foreign official source", CLAIMANT: "launching state's own claim",
              OTHER: "other named source", UNNAMED: "no source named"}


@dataclass(frozen=True)
class SourceInfo:
    name: str
    kind: str | None        # agencies.toml kind, None when the label is unknown
    country: str | None


class Authority:
    """Ranks sources for the launches of one actor."""

    def __init__(self, knowledge: Knowledge | None, actor: str | None):
        self.actor = actor
        self.agencies = {lookup_key(a.label): a for a in knowledge.agencies} if knowledge else {}
        names = {}
        trackers: tuple[str, ...] = ()
        for a in knowledge.actors if knowledge else ():
            for name in (a.code, *a.names):
                names.setdefault(lookup_key(name), a.code)
            if a.code == actor:
                trackers = a.trackers
        self.country_names = names
        self.trackers = {lookup_key(t) for t in trackers}
        self._info: dict[str | None, SourceInfo] = {}   # sources recur across events: look up once
        self._tier: dict[str | None, int] = {}

    def info(self, source: str | None) -> SourceInfo:
        known = self._info.get(source)
        if known is None:
            known = self._info[source] = self._lookup(source)
        return known

    def _lookup(self, source: str | None) -> SourceInfo:
        if not source:
            return SourceInfo("", None, None)
        agency = self.agencies.get(lookup_key(source))
        if agency:
            return SourceInfo(source, agency.kind, agency.country)
        country = self.country_names.get(lookup_key(source))
        return SourceInfo(source, "government" if country else None, country)

    def tier(self, source: str | None) -> int:
        known = self._tier.get(source)
        if known is None:
            known = self._tier[source] = self._rank(source)
        return known

    def _rank(self, source: str | None) -> int:
        if not source:
            return UNNAMED
        if source.startswith("analyst:"):
            return ANALYST
        if lookup_key(source) in self.trackers:
            return TRACKER
        info = self.info(source)
        if info.kind in OFFICIAL_KINDS and info.country == self.actor:
            return CLAIMANT
        if info.kind in ("military", "government"):
            return FOREIGN_OFFICIAL
        return OTHER

    def status(self, sources: list[str]) -> str:
        """confirmed | single-source | state-media-only | self-reported | unattributed.

        Official sources are grouped by state (the launching state's media and
        officials are one voice); two or more such groups confirm a launch.
        Only the launching state's voice: state-media-only when its media
        speak, self-reported when only its officials do (a US test announced
        by the US Air Force).
        """
        groups, own_media = set(), False
        for name in sources:
            info = self.info(name)
            if info.kind in OFFICIAL_KINDS and info.country:
                groups.add(info.country)
                own_media |= info.kind == "state_media" and info.country == self.actor
        if not sources:
            return "unattributed"
        if groups == {self.actor}:
            return "state-media-only" if own_media else "self-reported"
        return "confirmed" if len(groups) >= 2 else "single-source"
