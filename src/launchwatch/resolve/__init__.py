"""Cross-article resolution: reports of one launch from many documents become one event.

    from launchwatch.resolve import resolve_pending, rebuild, list_events, get_event

Stages (each a pure function over plain records, docs/resolution.md):
  cluster.py      which reports are one launch (blocking by actor and date)
  review.py       analysts' merges, splits and corrections, replayed on top
  syndication.py  near-duplicate documents (MinHash): copies are citations
  authority.py    how much each source weighs; verification status
  ledger.py       every claim per field, the chosen value and why, conflicts
  validity.py     claims that cannot be true, kept but never chosen
engine.py reads and writes the store; query.py reads resolved events.
"""
from launchwatch.resolve.engine import ResolveSummary, rebuild, resolve_pending
from launchwatch.resolve.query import find_event_id, get_event, list_events

__all__ = ["ResolveSummary", "rebuild", "resolve_pending", "find_event_id", "get_event", "list_events"]
