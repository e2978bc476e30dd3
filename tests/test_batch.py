"""Batch runs: the same stored results in-process, on a process pool and on Dask;
resume, interruption, per-document timeout, bad documents, lost batches."""
from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text as sql

from launchwatch.batch import BatchOptions, BatchSummary, RunInterrupted, run_batch
from launchwatch.batch_workers import StageTimeout, time_limit
from launchwatch.cli import cli
from launchwatch.ingest import ingest
from launchwatch.pipeline import Result, process
from launchwatch.records import RawDocument
from launchwatch.resolve import list_events
from launchwatch.runs import list_runs
from launchwatch.settings import Settings
from launchwatch.store import Store
from launchwatch.store.models import claims as claims_table

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
N_EXAMPLES = 6  # documents in examples/ (e-records.jsonl holds two)
# Worker processes import the stage by this name (tests/ is on their sys.path).
TRAPS = "test_batch:stage_with_traps"
COUNTING = "test_batch:counting_stage"
MODES = {
    "in-process": {},
    "pool": {"workers": 2, "batch_size": 2},
    "dask": {"workers": 2, "batch_size": 2, "dask": "local"},
}
EMPTY = "EmptyError: empty: document has no text (only whitespace)"
CALLS: list[str] = []
CLAIMS = select(*(claims_table.c[name] for name in claims_table.c.keys() if name != "id"))  # documents counting_stage saw (in-process runs only)


def stage_with_traps(raw, settings=None, knowledge=None):
    """The pipeline, except: SLOW hangs in a regex, CRASH raises, DIE kills the worker process."""
    if b"SLOW" in raw.content:
        re.match(r"(a+)+$", "a" * 64 + "b")  # catastrophic backtracking: hours, in C
    if b"CRASH" in raw.content:
        raise RuntimeError("stage crashed")
    if b"DIE" in raw.content:
        os._exit(3)
    return process(raw, settings, knowledge)


def counting_stage(raw, settings=None, knowledge=None):
    CALLS.append(raw.source)
    return process(raw, settings, knowledge)


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(EXAMPLES, folder)
    return folder


def trap(folder: Path, marker: str) -> Path:
    """A copy of a real article with `marker` appended (its own content hash)."""
    path = folder / f"trap-{marker.lower()}.txt"
    path.write_text((EXAMPLES / "b-iran-wire.txt").read_text() + f"\n{marker}\n")
    return path


def batch(url: str, paths, **options) -> BatchSummary:
    settings = Settings(db_url=url)
    with Store(url) as store:
        return run_batch([str(p) for p in paths], store=store, settings=settings,
                         options=BatchOptions(**options))


def snapshot(url: str) -> tuple:
    """Stored documents, reports with their claims, and resolved events, without timestamps."""
    with Store(url) as store:
        documents = sorted((d["id"], d["status"], d["error"]) for d in store.documents())
        reports = sorted(store.reports(), key=lambda r: r["id"])
        with store.engine.connect() as conn:
            claims = sorted(map(tuple, conn.execute(CLAIMS).all()), key=repr)
        events = [{k: v for k, v in e.items() if k != "updated_at"} for e in list_events(store)]
    return documents, reports, claims, events


def runs(url: str) -> list[dict]:
    with Store(url) as store:
        return list_runs(store.engine)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> tuple:
    """examples/ stored by plain `ingest`, one document at a time."""
    url = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'ref.db'}"
    with Store(url) as store:
        ingest([str(EXAMPLES)], store=store, settings=Settings(db_url=url))
        from launchwatch.resolve import resolve_pending
        resolve_pending(store)
    return snapshot(url)


@pytest.mark.parametrize("mode", MODES)
def test_batch_every_executor_stores_what_ingest_stores(db_url, mode, reference, docs):
    summary = batch(db_url, [docs], **MODES[mode])
    assert (summary.read, summary.added, summary.failed, summary.exit_code) == (N_EXAMPLES, N_EXAMPLES, [], 0)
    stored = snapshot(db_url)
    assert stored == reference
    reports = stored[1]
    assert summary.events == len(reports) > 0


def test_batch_rerun_processes_nothing_again(db_url, docs):
    CALLS.clear()
    first = batch(db_url, [docs], stage=COUNTING, batch_size=4)
    assert len(CALLS) == N_EXAMPLES and first.added == N_EXAMPLES
    before = snapshot(db_url)
    second = batch(db_url, [docs], stage=COUNTING, batch_size=4)
    assert len(CALLS) == N_EXAMPLES  # no document went through the pipeline again
    assert (second.read, second.already_stored, second.added, second.exit_code) == (N_EXAMPLES, N_EXAMPLES, 0, 0)
    assert snapshot(db_url) == before
    latest, earlier = runs(db_url)
    assert latest["status"] == earlier["status"] == "finished"
    assert (latest["read"], latest["already_stored"], latest["added"]) == (N_EXAMPLES, N_EXAMPLES, 0)
    assert (earlier["read"], earlier["added"], earlier["events"]) == (N_EXAMPLES, N_EXAMPLES, first.events)
    assert earlier["inputs"]["paths"] == [str(docs)] and earlier["options"]["stage"] == COUNTING
    assert earlier["finished_at"] and earlier["duration_s"] > 0
    assert earlier["resolution"]["reports"] == first.events


@pytest.mark.parametrize("mode", ["in-process", "pool"])
def test_batch_interrupted_run_keeps_a_consistent_db_and_rerun_completes(tmp_path, docs, reference, mode):
    url = f"sqlite:///{tmp_path / 'i.db'}"
    seen = []

    def ctrl_c_after_three(result, status):
        seen.append(status)
        if len(seen) == 3:
            raise KeyboardInterrupt

    options = BatchOptions(**{**MODES[mode], "batch_size": 2})
    with Store(url) as store:
        with pytest.raises(RunInterrupted) as stop:
            run_batch([str(docs)], store=store, settings=Settings(db_url=url), options=options,
                      progress=ctrl_c_after_three)
        counts = store.counts()
        with store.engine.connect() as conn:
            orphans = conn.execute(sql(
                "SELECT COUNT(*) FROM reports WHERE doc_id NOT IN (SELECT id FROM documents)")).scalar()
    # Ctrl-C came as the second batch was reported, after it was stored: two batches are in.
    assert stop.value.summary.read == 4 and counts["ok"] == 4 and orphans == 0
    [interrupted] = runs(url)
    assert (interrupted["status"], interrupted["read"], interrupted["added"]) == ("interrupted", 4, 4)
    assert interrupted["finished_at"] is not None

    resumed = batch(url, [docs], **MODES[mode])
    assert (resumed.already_stored, resumed.added, resumed.exit_code) == (4, N_EXAMPLES - 4, 0)
    assert snapshot(url)[:3] == reference[:3]


def test_batch_interrupted_while_writing_a_batch_stores_none_of_it(tmp_path, docs, reference, monkeypatch):
    from launchwatch.store import store as store_module

    url = f"sqlite:///{tmp_path / 'w.db'}"
    real, calls = store_module._claim_rows, []

    def ctrl_c_in_second_batch(*args):
        calls.append(args)
        if args[0] != calls[0][0] and len({c[0] for c in calls}) == 3:  # the second batch's 2nd document
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(store_module, "_claim_rows", ctrl_c_in_second_batch)
    with pytest.raises(RunInterrupted):
        batch(url, [docs], batch_size=2)
    with Store(url) as store:
        assert store.counts()["documents"] == 2  # the first batch only
    assert runs(url)[0]["status"] == "interrupted" and runs(url)[0]["added"] == 2

    monkeypatch.setattr(store_module, "_claim_rows", real)
    assert batch(url, [docs]).added == N_EXAMPLES - 2
    assert snapshot(url)[:3] == reference[:3]


def test_store_add_results_writes_what_add_result_writes(db_url, tmp_path):
    from launchwatch.ingest import process_all

    results = list(process_all([str(EXAMPLES)], settings=Settings()))
    results += [results[0],                                             # the same document twice
                Result(results[1].raw, skipped="no launch words"),      # a duplicate, skipped
                Result(RawDocument("gone.txt", error="ReadError: missing"), error="ReadError: missing")]
    one_by_one = f"sqlite:///{tmp_path / 'one.db'}"
    with Store(one_by_one) as store:
        expected = [store.add_result(r) for r in results]
    with Store(db_url) as store:
        store.add_result(Result(results[2].raw, error="crashed before"))  # replaced when it succeeds
        assert store.add_results(results) == expected
        assert store.add_results(results[:2]) == ["duplicate", "duplicate"]
    assert snapshot(db_url) == snapshot(one_by_one)


@pytest.mark.parametrize("mode", MODES)
def test_batch_timeout_fails_the_slow_document_only(tmp_path, docs, mode):
    url = f"sqlite:///{tmp_path / 't.db'}"
    slow = trap(docs, "SLOW")
    started = time.monotonic()
    summary = batch(url, [docs], stage=TRAPS, timeout=1, **MODES[mode])
    assert time.monotonic() - started < 60
    assert summary.failed == [(str(slow), "TimeoutError: no result within 1 s")]
    assert (summary.added, summary.exit_code) == (N_EXAMPLES, 1)
    with Store(url) as store:
        [failed] = store.documents(status="failed")
    assert failed["error"] == "TimeoutError: no result within 1 s"
    assert runs(url)[0]["failed"] == 1


def test_batch_bad_documents_fail_alone_and_rerun_retries_them(tmp_path, docs):
    url = f"sqlite:///{tmp_path / 'b.db'}"
    crash = trap(docs, "CRASH")
    (docs / "empty.txt").write_text("  \n")
    first = batch(url, [docs], stage=TRAPS, batch_size=3)
    assert sorted(first.failed) == [(str(docs / "empty.txt"), EMPTY), (str(crash), "RuntimeError: stage crashed")]
    assert (first.added, first.exit_code) == (N_EXAMPLES, 1)

    again = batch(url, [docs])  # failed documents count as finished work ...
    assert (again.already_stored, again.added, again.exit_code) == (N_EXAMPLES + 2, 0, 0)
    retried = batch(url, [docs], rerun=True)  # ... unless --rerun
    assert (retried.already_stored, retried.added) == (N_EXAMPLES, 1)
    assert [reason for _, reason in retried.failed] == [EMPTY]


def test_batch_worker_death_loses_its_batches_unstored_and_the_run_goes_on(tmp_path, docs):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    die = trap(docs, "DIE")
    summary = batch(url, [docs], stage=TRAPS, workers=2, batch_size=1)
    lost = [source for source, _ in summary.errors]
    assert str(die) in lost and all("BrokenProcessPool" in reason for _, reason in summary.errors)
    assert summary.read == N_EXAMPLES + 1 and summary.added == N_EXAMPLES + 1 - len(lost)
    assert summary.exit_code == 1 and runs(url)[0]["errors"] == len(lost)
    with Store(url) as store:
        assert store.counts()["documents"] == summary.added  # lost documents are not recorded

    resumed = batch(url, [docs])  # the real pipeline: the DIE document is fine
    assert (resumed.already_stored, resumed.added, resumed.exit_code) == (summary.added, len(lost), 0)


def test_batch_prefilter_skips_are_finished_work_unless_the_prefilter_is_off(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    (tmp_path / "recipe.txt").write_text("A recipe for kimchi stew. Simmer the cabbage with tofu.\n")
    assert batch(url, [tmp_path / "recipe.txt"]).skipped == 1
    assert batch(url, [tmp_path / "recipe.txt"]).already_stored == 1
    with Store(url) as store:
        off = run_batch([str(tmp_path / "recipe.txt")], store=store,
                        settings=Settings(db_url=url, prefilter=False), options=BatchOptions())
    assert off.already_stored == 0 and off.read == 1


def test_batch_prefilter_runs_in_the_driver_so_skipped_documents_never_reach_a_worker(tmp_path, docs):
    (docs / "recipe.txt").write_text("A recipe for kimchi stew. Simmer the cabbage with tofu.\n")
    CALLS.clear()
    summary = batch(f"sqlite:///{tmp_path / 'd.db'}", [docs], stage=COUNTING, batch_size=2)
    assert summary.skipped == 1 and summary.added == N_EXAMPLES
    assert len(CALLS) == N_EXAMPLES and not any(c.endswith("recipe.txt") for c in CALLS)


def test_time_limit_outside_the_main_thread_interrupts_python_code():
    outcome = []

    def spin(seconds_allowed):
        try:
            with time_limit(seconds_allowed):
                while True:
                    pass
        except StageTimeout:
            outcome.append("timed out")

    def quick():
        with time_limit(0.2):
            pass
        time.sleep(0.5)  # past the deadline: nothing may fire now
        outcome.append("quick ok")

    for target, arg in ((spin, 0.2), (quick, None)):
        thread = threading.Thread(target=target, args=(arg,) if arg else ())
        thread.start()
        thread.join(10)
    assert outcome == ["timed out", "quick ok"]


# -- command line -------------------------------------------------------------

def run_cli(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("command", ["batch", "runs"])
def test_batch_cli_help_has_example(command):
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and "launchwatch" in result.output
    assert "--db" in result.output and "--knowledge" in result.output


def test_batch_cli_runs_resumes_and_lists_runs(tmp_path, docs, clean_env):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    first = run_cli("--db", url, "batch", str(docs), "--workers", "2", "--batch-size", "3")
    assert first.exit_code == 0, first.output
    assert f"read {N_EXAMPLES}, added {N_EXAMPLES}, duplicates skipped 0, already stored 0, failed 0" in first.stdout
    again = run_cli("--db", url, "batch", str(docs))
    assert again.exit_code == 0 and f"already stored {N_EXAMPLES}" in again.stdout

    table = run_cli("--db", url, "runs")
    assert table.exit_code == 0 and "finished" in table.stdout and str(docs) in table.stdout
    rows = [json.loads(line) for line in run_cli("--db", url, "runs", "--format", "json").stdout.splitlines()]
    assert [r["id"] for r in rows] == [2, 1] and rows[1]["options"]["workers"] == 2


def test_batch_cli_exit_codes(tmp_path, clean_env, monkeypatch):
    url = f"sqlite:///{tmp_path / 'e.db'}"
    (tmp_path / "empty.txt").write_text("\n")
    nothing = run_cli("--db", url, "batch", str(tmp_path / "empty.txt"))
    assert nothing.exit_code == 2 and "empty.txt: EmptyError" in nothing.output
    assert run_cli("--db", url, "batch").exit_code == 2  # no PATH, no --manifest

    def interrupted(*args, **kwargs):
        raise RunInterrupted(BatchSummary(run_id=7))

    monkeypatch.setattr("launchwatch.batch_cli.run_batch", interrupted)
    stopped = run_cli("--db", url, "batch", str(tmp_path / "empty.txt"))
    assert stopped.exit_code == 130 and "run 7" in stopped.output
