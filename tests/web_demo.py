"""A small real database for the web UI's tests and screenshots.

    build_demo_database("sqlite:///demo.db")   # tests/data/resolution (6 reports of one
                                               # launch, and others) then examples/
"""
from __future__ import annotations

from pathlib import Path

from launchwatch.ingest import ingest
from launchwatch.knowledge import load_knowledge
from launchwatch.resolve import list_events, resolve_pending
from launchwatch.settings import Settings
from launchwatch.store import Store

ROOT = Path(__file__).resolve().parent.parent
RESOLUTION_MANIFEST = ROOT / "tests" / "data" / "resolution" / "manifest.jsonl"
EXAMPLES = ROOT / "examples"


def build_demo_database(url: str) -> None:
    settings = Settings(db_url=url)
    with Store(url) as store:
        ingest([], store=store, settings=settings, manifest=str(RESOLUTION_MANIFEST))
        ingest([str(EXAMPLES)], store=store, settings=settings)
        resolve_pending(store, load_knowledge())


def busiest_event(url: str) -> str:
    """The event told by the most documents (the richest event page)."""
    with Store(url) as store:
        return max(list_events(store), key=lambda e: (len(e["documents"]), e["id"]))["id"]
