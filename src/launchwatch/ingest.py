"""Batch runs: sources -> pipeline -> store, one document at a time.

`process_all` reads the sources and yields one pipeline Result per document
(knowledge loaded once; any per-document error becomes Result.error, never
an exception). `ingest` stores each Result and returns a Summary.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from launchwatch.errors import StoreError
from launchwatch.knowledge import load_knowledge
from launchwatch.pipeline import Result, process
from launchwatch.settings import Settings
from launchwatch.sources import read_sources


@dataclass
class Summary:
    read: int = 0
    added: int = 0
    duplicates: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)   # (source, reason)
    events: int = 0
    skipped: int = 0   # ruled out by the prefilter (recorded without text)

    def line(self) -> str:
        line = (f"read {self.read}, added {self.added}, duplicates skipped {self.duplicates}, "
                f"failed {len(self.failed)}, events found {self.events}")
        return line + (f", skipped by prefilter {self.skipped}" if self.skipped else "")

    def count(self, result: Result, status: str) -> None:
        """Count one document by what storing it gave: 'added', 'duplicate', 'failed' or 'skipped'."""
        self.read += 1
        if status == "failed":
            self.failed.append((result.raw.source, result.error or "unknown error"))
        elif status == "skipped":
            self.skipped += 1
        else:
            self.events += len(result.events)
            self.added += status == "added"
            self.duplicates += status == "duplicate"

    @property
    def exit_code(self) -> int:
        """0 all succeeded, 1 some failed, 2 nothing could be read."""
        if self.read == 0 or len(self.failed) == self.read:
            return 2
        return 1 if self.failed else 0


def process_all(paths: Iterable[str], *, settings: Settings, manifest: str | None = None,
                published: str | None = None) -> Iterator[Result]:
    """One Result per document read; errors stay on the Result."""
    knowledge = load_knowledge(settings.knowledge_dirs)
    for raw in read_sources(list(paths), manifest=manifest, published=published, settings=settings):
        try:
            yield process(raw, settings, knowledge)
        except Exception as err:  # noqa: BLE001 - one bad document never stops the batch
            yield Result(raw, error=f"{type(err).__name__}: {err}")


def ingest(paths: Iterable[str], *, store, settings: Settings, manifest: str | None = None,
           published: str | None = None,
           progress: Callable[[Result, str], None] | None = None) -> Summary:
    """Read, process and store every document; `progress(result, status)` after each."""
    summary = Summary()
    for result in process_all(paths, settings=settings, manifest=manifest, published=published):
        status = store_result(store, result)
        summary.count(result, status)
        if progress:
            progress(result, status)
    return summary


def store_result(store, result: Result) -> str:
    """Store a Result; one whose evidence does not check is recorded as failed.

    A skipped Result is recorded with status 'skipped' and its reason, without text.
    """
    try:
        return store.add_result(result)
    except StoreError as err:
        if not result.ok:
            raise
        result.error = f"not stored: {err}"
    return store.add_result(Result(result.raw, error=result.error))


def result_object(result: Result) -> dict:
    """The SCHEMA.md document object for a Result (failed ones carry "error", skipped ones "skipped")."""
    from launchwatch.dates_meta import given_date
    from launchwatch.records import document_object

    if result.ok and result.article is not None:
        return document_object(result.article, result.events)
    if result.skipped:
        return {"id": result.raw.external_id or result.raw.doc_id, "published": given_date(result.raw.published),
                "events": [], "skipped": result.skipped}
    return {"id": result.raw.external_id or result.raw.doc_id, "published": None, "events": [],
            "error": result.error, "source": result.raw.source}
