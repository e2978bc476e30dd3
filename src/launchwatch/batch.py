"""Batch runs over many documents, resumable, on local processes or a Dask cluster.

`run_batch` stages, in order:
  1. sources.read_sources     read lazily, cut into batches (count and bytes bounded)
  2. skip stored documents    one existence query per batch on the content hashes,
                              so a rerun never redoes finished work
  3. pipeline.process         in an executor (batch_workers): this process, a
                              process pool or Dask, at most 2 x workers batches in flight
  4. Store.add_results        in this (the driver) process, one transaction per batch
  5. resolve_pending          cross-article resolution of the reports added
The run is one row of the `runs` table (runs.py), updated after every batch.
"""
from __future__ import annotations

import itertools
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import select

from launchwatch.batch_workers import DEFAULT_STAGE, Finished, Outcome, WorkSpec, open_executor
from launchwatch.errors import StoreError
from launchwatch.ingest import Summary
from launchwatch.knowledge import load_knowledge
from launchwatch.pipeline import Result
from launchwatch.prefilter import SKIP_REASON, worth_reading
from launchwatch.records import RawDocument
from launchwatch.resolve import resolve_pending
from launchwatch.runs import RunLog
from launchwatch.settings import Settings
from launchwatch.sources import read_sources
from launchwatch.store import check_evidence
from launchwatch.store.models import documents

# 100 documents of the dev set take ~1 s on one core: short enough to spread
# work evenly and lose little on Ctrl-C, long enough that per-task overhead
# (~2 ms on Dask) is noise.
DEFAULT_BATCH_SIZE = 100
DEFAULT_TIMEOUT_S = 60.0
# A batch is also cut at 8 MB of content, under Dask's 10 MB large-task warning.
MAX_BATCH_BYTES = 8 * 1024 * 1024
# Doc ids per existence query: under SQLite's oldest bound-parameter limit (999).
IDS_PER_QUERY = 500

Progress = Callable[[Result, str], None]


@dataclass(frozen=True)
class BatchOptions:
    workers: int = 1                     # processes (or Dask LocalCluster workers)
    dask: str | None = None              # a scheduler address, or "local"
    batch_size: int = DEFAULT_BATCH_SIZE
    timeout: float | None = DEFAULT_TIMEOUT_S   # per document; None or 0: no limit
    rerun: bool = False                  # also reprocess documents stored as failed
    stage: str = DEFAULT_STAGE           # the per-document function, "module:function"


@dataclass
class BatchSummary(Summary):
    already_stored: int = 0              # stored before this run: not processed again
    errors: list[tuple[str, str]] = field(default_factory=list)  # lost with their batch: not stored
    run_id: int | None = None
    duration_s: float = 0.0
    resolved: Any = None                 # resolve_pending's ResolveSummary

    def count(self, result: Result, status: str) -> None:
        """As Summary.count, plus 'stored' (finished before this run) and 'error' (lost with its batch)."""
        if status == "stored":
            self.read += 1
            self.already_stored += 1
        elif status == "error":
            self.read += 1
            self.errors.append((result.raw.source, result.error or "unknown error"))
        else:
            super().count(result, status)

    def counts(self) -> dict[str, int]:
        """The runs-table counts."""
        return {"read": self.read, "added": self.added, "duplicates": self.duplicates,
                "already_stored": self.already_stored, "skipped": self.skipped,
                "failed": len(self.failed), "events": self.events, "errors": len(self.errors)}

    @property
    def docs_per_s(self) -> float:
        """Documents processed (not already stored) per second of the run."""
        return (self.read - self.already_stored) / self.duration_s if self.duration_s else 0.0

    def line(self) -> str:
        extra = "".join(f", {label} {n}" for label, n in (
            ("skipped by prefilter", self.skipped), ("lost to a worker error", len(self.errors))) if n)
        return (f"read {self.read}, added {self.added}, duplicates skipped {self.duplicates}, "
                f"already stored {self.already_stored}, failed {len(self.failed)}, "
                f"events found {self.events}{extra} in {self.duration_s:.1f} s "
                f"({self.docs_per_s:.1f} docs/s), run {self.run_id}")

    @property
    def exit_code(self) -> int:
        """0 all succeeded, 1 some failed, 2 nothing could be read."""
        failures = len(self.failed) + len(self.errors)
        if self.read == 0 or failures == self.read:
            return 2
        return 1 if failures else 0


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C during a run, after the run was recorded as 'interrupted'; carries the summary."""

    def __init__(self, summary: BatchSummary):
        super().__init__(f"run {summary.run_id} interrupted")
        self.summary = summary


def run_batch(paths: Iterable[str], *, store, settings: Settings,
              options: BatchOptions = BatchOptions(), manifest: str | None = None,
              published: str | None = None, progress: Progress | None = None) -> BatchSummary:
    """Process and store every document not stored yet, recorded as one run.

    `progress(result, status)` is called per document, status 'added',
    'duplicate', 'failed', 'skipped' (by the prefilter) or 'stored' (before
    this run). Ctrl-C raises RunInterrupted; the database keeps every
    document stored so far, and a rerun resumes.
    """
    paths = list(paths)
    knowledge = load_knowledge(settings.knowledge_dirs)  # a bad --knowledge folder stops here
    inputs = {"paths": paths, "manifest": manifest, "published": published, "cwd": os.getcwd()}
    log = RunLog.start(store.engine, inputs, _run_options(options, settings))
    spec = WorkSpec(settings, options.timeout, options.stage)
    run = _Run(store, options, spec, BatchSummary(run_id=log.id), log, progress)
    started, status, error = time.monotonic(), "failed", None
    try:
        run.process(read_sources(paths, manifest=manifest, published=published, settings=settings))
        run.summary.resolved = resolve_pending(store, knowledge)
        status = "finished"
    except KeyboardInterrupt:
        status = "interrupted"
        raise RunInterrupted(run.summary) from None
    except Exception as err:
        error = f"{type(err).__name__}: {err}"
        raise
    finally:
        run.summary.duration_s = time.monotonic() - started
        resolved = run.summary.resolved
        log.finish(status, run.summary.counts(), run.summary.duration_s,
                   resolved.as_dict() if resolved is not None else None, error)
    return run.summary


def _run_options(options: BatchOptions, settings: Settings) -> dict[str, Any]:
    # Not the database URL: it may hold a password, and the row lives in that database.
    return {**asdict(options), "knowledge_dirs": list(settings.knowledge_dirs),
            "max_bytes": settings.max_bytes}


def _cut(raws: Iterable[RawDocument], size: int) -> Iterator[list[RawDocument]]:
    """Batches of at most `size` documents and about MAX_BATCH_BYTES of content."""
    batch, nbytes = [], 0
    for raw in raws:
        batch.append(raw)
        nbytes += len(raw.content)
        if len(batch) >= size or nbytes >= MAX_BATCH_BYTES:
            yield batch
            batch, nbytes = [], 0
    if batch:
        yield batch


def stored_statuses(engine, doc_ids: list[str]) -> dict[str, str]:
    """{doc_id: status} ('ok', 'failed', 'skipped') for those of `doc_ids` in the documents table."""
    found = {}
    with engine.connect() as conn:
        for start in range(0, len(doc_ids), IDS_PER_QUERY):
            chunk = doc_ids[start:start + IDS_PER_QUERY]
            query = select(documents.c.id, documents.c.status).where(documents.c.id.in_(chunk))
            found.update(conn.execute(query).all())
    return found


@dataclass
class _Run:
    """The driver's side of one run: skip, send out, store, count."""

    store: Any
    options: BatchOptions
    spec: WorkSpec
    summary: BatchSummary
    log: RunLog
    progress: Progress | None

    def process(self, raws: Iterable[RawDocument]) -> None:
        size = self.options.batch_size
        batches = _cut(self.worth_sending(self.pending(_cut(raws, size))), size)
        first = next(batches, None)
        if first is None:  # all stored already: no workers or cluster to start
            return
        with open_executor(self.spec, workers=self.options.workers, dask=self.options.dask) as executor:
            for finished in executor.map(itertools.chain([first], batches)):
                self.store_batch(finished)
                self.log.update(self.summary.counts())

    def pending(self, batches: Iterable[list[RawDocument]]) -> Iterator[list[RawDocument]]:
        """Each batch without the documents stored before, as far as they are finished work."""
        done = self.finished_statuses()
        for batch in batches:
            ids = [raw.doc_id for raw in batch]  # a sha256 each: computed once
            stored = stored_statuses(self.store.engine, ids)
            finished = [stored.get(doc_id) in done for doc_id in ids]
            self.count([(Result(raw), "stored") for raw, skip in zip(batch, finished) if skip])
            todo = [raw for raw, skip in zip(batch, finished) if not skip]
            if todo:
                yield todo

    def worth_sending(self, batches: Iterable[list[RawDocument]]) -> Iterator[RawDocument]:
        """The documents worth a worker's time. The prefilter (the pipeline's first stage) runs
        here, so the ~90% of an archive it skips is stored by the driver, never copied to a worker."""
        for batch in batches:
            if not self.spec.settings.prefilter:
                yield from batch
                continue
            skipped = [Result(raw, skipped=SKIP_REASON) for raw in batch if not raw.error and not worth_reading(raw)]
            if skipped:
                self.count(list(zip(skipped, self.store.add_results(skipped))))
            gone = {id(r.raw) for r in skipped}
            yield from (raw for raw in batch if id(raw) not in gone)

    def finished_statuses(self) -> set[str]:
        """Stored statuses a rerun leaves alone: 'ok'; 'failed' unless --rerun; a
        prefilter 'skipped' unless the prefilter is now off."""
        done = {"ok"}
        if not self.options.rerun:
            done.add("failed")
        if self.spec.settings.prefilter:
            done.add("skipped")
        return done

    def store_batch(self, finished: Finished) -> None:
        if finished.error:  # the batch was lost (a worker died): nothing stored, a rerun retries it
            self.count([(Result(raw, error=finished.error), "error") for raw in finished.batch])
            return
        results = [_result(raw, outcome) for raw, outcome in zip(finished.batch, finished.outcomes)]
        self.count(list(zip(results, self.store.add_results(results))))

    def count(self, done: list[tuple[Result, str]]) -> None:
        """Count a batch, then report it: Ctrl-C in `progress` leaves the counts right."""
        for result, status in done:
            self.summary.count(result, status)
        if self.progress:
            for result, status in done:
                self.progress(result, "failed" if status == "error" else status)



def _result(raw: RawDocument, outcome: Outcome) -> Result:
    """The worker's outcome as a Result again; one whose evidence does not quote
    its text becomes a failure, as in ingest."""
    result = Result(raw, outcome.article, outcome.events, outcome.error, outcome.skipped)
    if result.ok and result.article is not None:
        try:
            check_evidence(result.article, result.events)
        except StoreError as err:
            return Result(raw, error=f"not stored: {err}")
    return result
