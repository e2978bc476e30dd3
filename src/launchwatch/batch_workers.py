"""Where batch work runs: in this process, a local process pool, or a Dask cluster.

Every executor runs the same worker function, `process_batch` (the pipeline's
`process` on each RawDocument of a batch), and yields a `Finished` per batch as
batches complete, with at most 2 x workers batches in flight, so sources are
read only as fast as the workers take them.

The per-document timeout (`time_limit`) raises StageTimeout in the thread that
runs the stage. In a main thread it is SIGALRM, which also interrupts a long
regular-expression match (the re module checks for signals). In another thread
it is an asynchronous exception, delivered only between Python bytecodes: a
long C call (a regex, a parser) runs to its end first. Local pool workers run
batches in their main thread. Dask runs tasks in worker threads, so each Dask
worker process hands its batches to a helper process of its own, whose main
thread takes the alarm (this needs non-daemonic Dask workers; see docs/scale.md).
"""
from __future__ import annotations

import concurrent.futures
import ctypes
import functools
import importlib
import itertools
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, NamedTuple

from launchwatch.errors import LaunchwatchError
from launchwatch.knowledge import load_knowledge
from launchwatch.records import Article, Event, RawDocument
from launchwatch.settings import Settings

DEFAULT_STAGE = "launchwatch.pipeline:process"
# Batches in flight per worker: one running, one queued, so a worker never
# waits for the driver, and memory stays bounded on any archive size.
IN_FLIGHT_PER_WORKER = 2
# Seconds to wait for a Dask scheduler to answer and for its first worker.
DASK_CONNECT_TIMEOUT_S = 60
# How often a pool worker checks that its parent is alive.
PARENT_CHECK_S = 1.0
# spawn, not fork: the driver holds database connections and rich's refresh
# thread, neither of which a forked child should inherit.
_MP_CONTEXT = multiprocessing.get_context("spawn")
log = logging.getLogger(__name__)


class ClusterError(LaunchwatchError):
    """The Dask scheduler cannot be reached or has no workers."""


class StageTimeout(BaseException):
    """The stage ran out of time. A BaseException, so a stage's own broad
    `except Exception` (article.py has one around trafilatura) cannot swallow it."""


@dataclass(frozen=True)
class WorkSpec:
    """What every worker needs, sent with each batch: settings, timeout, stage."""

    settings: Settings = field(default_factory=Settings)
    timeout: float | None = 60.0     # seconds per document; None or 0 means no limit
    stage: str = DEFAULT_STAGE       # "module:function", imported by name in each worker


class Outcome(NamedTuple):
    """A Result without its RawDocument: the driver holds the batch, so the
    document bytes are not sent back."""

    article: Article | None
    events: list[Event]
    error: str | None
    skipped: str | None = None   # why the prefilter ruled the document out


class Finished(NamedTuple):
    """A batch back from a worker: its outcomes, or the error that lost it."""

    batch: list[RawDocument]
    outcomes: list[Outcome] | None
    error: str | None


# --------------------------------------------------------------------------
# Worker side
# --------------------------------------------------------------------------

def process_batch(batch: list[RawDocument], spec: WorkSpec) -> list[Outcome]:
    """Run the stage on each document; an error or timeout fails only its document."""
    stage = load_stage(spec.stage)
    knowledge = load_knowledge(spec.settings.knowledge_dirs)  # cached: once per worker process
    return [_process_one(stage, raw, spec, knowledge) for raw in batch]


def _process_one(stage: Callable, raw: RawDocument, spec: WorkSpec, knowledge) -> Outcome:
    try:
        with time_limit(spec.timeout):
            result = stage(raw, spec.settings, knowledge)
    except StageTimeout:
        return Outcome(None, [], f"TimeoutError: no result within {spec.timeout:g} s")
    except Exception as err:  # noqa: BLE001 - one bad document never stops the batch
        return Outcome(None, [], f"{type(err).__name__}: {err}")
    return Outcome(result.article, result.events, result.error, result.skipped)


@functools.cache
def load_stage(name: str) -> Callable:
    """"module:function" -> the function (by name, so any worker process can import it)."""
    module, _, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)


def _warm_up(spec: WorkSpec) -> None:
    """Pool initializer: import the stage and load the knowledge once per worker."""
    _exit_with_parent(os.getppid())
    load_stage(spec.stage)
    load_knowledge(spec.settings.knowledge_dirs)


def _exit_with_parent(parent_pid: int) -> None:
    # A pool worker waits on a queue whose write end it holds itself, so it
    # would outlive a parent that is killed (a Dask nanny kills slow workers).
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(1)

    threading.Thread(target=watch, name="launchwatch-parent-watch", daemon=True).start()


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise StageTimeout in this thread when the block runs over `seconds`."""
    if not seconds:
        yield
    elif threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds):
            yield
    else:
        with _AsyncDeadline(seconds):
            yield


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    def ring(_signum, _frame):
        raise StageTimeout()

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _AsyncDeadline:
    """A timer thread that raises StageTimeout in the calling thread, unless it left first."""

    def __init__(self, seconds: float):
        self.thread_id = threading.get_ident()
        self.lock = threading.Lock()
        self.done = self.fired = False
        self.timer = threading.Timer(seconds, self._fire)
        self.timer.daemon = True

    def __enter__(self) -> None:
        self.timer.start()

    def _fire(self) -> None:
        with self.lock:
            if not self.done:
                self.fired = True
                _set_async_exc(self.thread_id, StageTimeout)

    def __exit__(self, *exc) -> None:
        with self.lock:
            self.done = True
            self.timer.cancel()
            if self.fired:  # not delivered yet: drop it, the block is over
                _set_async_exc(self.thread_id, None)


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else None)


# --------------------------------------------------------------------------
# Dask worker side: a helper process per worker, so the alarm has a main thread
# --------------------------------------------------------------------------

_helper: ProcessPoolExecutor | None = None
_helper_lock = threading.Lock()


def process_batch_in_helper(batch: list[RawDocument], spec: WorkSpec) -> list[Outcome]:
    """Dask task: run the batch in this worker's helper process (main thread: SIGALRM)."""
    global _helper
    if multiprocessing.current_process().daemon:
        return process_batch(batch, spec)  # no children allowed: async-exception timeout
    with _helper_lock:
        if _helper is None:
            _helper = ProcessPoolExecutor(os.cpu_count(), mp_context=_MP_CONTEXT,
                                          initializer=_warm_up, initargs=(spec,))
        helper = _helper
    try:
        return helper.submit(process_batch, batch, spec).result()
    except BrokenProcessPool:
        with _helper_lock:  # the helper died (a crash, the OOM killer): start another next time
            _helper = None
        raise


def shutdown_helper() -> None:
    """Stop this worker's helper process (when the Dask worker closes)."""
    global _helper
    with _helper_lock:
        helper, _helper = _helper, None
    if helper is not None:
        helper.shutdown(wait=True, cancel_futures=True)


def _helper_shutdown_plugin():
    """A Dask WorkerPlugin that stops the helper as its worker closes: a worker
    waits for its non-daemonic children at exit, so the nanny would kill it."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class HelperShutdown(WorkerPlugin):
        name = "launchwatch-helper-shutdown"

        def teardown(self, worker) -> None:
            shutdown_helper()

    return HelperShutdown()


# --------------------------------------------------------------------------
# Driver side: executors
# --------------------------------------------------------------------------

def bounded_map(submit: Callable, wait_any: Callable, batches: Iterable[list], limit: int
                ) -> Iterator[tuple[list, object]]:
    """Submit batches as they come, at most `limit` in flight; yield (batch, future) as each is done."""
    in_flight: dict = {}
    batches = iter(batches)

    def top_up() -> None:
        for batch in itertools.islice(batches, max(limit - len(in_flight), 0)):
            in_flight[submit(batch)] = batch

    top_up()
    while in_flight:
        for future in wait_any(list(in_flight)):
            batch = in_flight.pop(future)
            top_up()
            yield batch, future


def _finished(pairs: Iterator[tuple[list, object]]) -> Iterator[Finished]:
    for batch, future in pairs:
        try:
            outcomes = future.result()
        except Exception as err:  # noqa: BLE001 - a lost batch is reported, its documents retried by a rerun
            yield Finished(batch, None, f"{type(err).__name__}: {err}")
        else:
            yield Finished(batch, outcomes, None)


class InProcess:
    """--workers 1: batches one after the other in this process."""

    workers = 1

    def __init__(self, spec: WorkSpec):
        self.spec = spec

    def map(self, batches: Iterable[list[RawDocument]]) -> Iterator[Finished]:
        for batch in batches:
            yield Finished(batch, process_batch(batch, self.spec), None)

    def close(self) -> None:
        pass


class LocalPool:
    """--workers N: a pool of N processes, each loading the stage and knowledge once."""

    def __init__(self, spec: WorkSpec, workers: int):
        self.spec, self.workers = spec, workers
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=_MP_CONTEXT,
                                   initializer=_warm_up, initargs=(self.spec,))

    def map(self, batches: Iterable[list[RawDocument]]) -> Iterator[Finished]:
        limit = IN_FLIGHT_PER_WORKER * self.workers
        yield from _finished(bounded_map(self._submit, _wait_any, batches, limit))

    def _submit(self, batch: list[RawDocument]):
        try:
            return self.pool.submit(process_batch, batch, self.spec)
        except BrokenProcessPool:  # a worker died: its batches were lost, go on with a new pool
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new_pool()
            return self.pool.submit(process_batch, batch, self.spec)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _wait_any(futures: list) -> set:
    return concurrent.futures.wait(futures, return_when=concurrent.futures.FIRST_COMPLETED).done


class DaskCluster:
    """--dask ADDRESS (a running scheduler) or --dask local (a LocalCluster of N processes)."""

    def __init__(self, spec: WorkSpec, address: str, workers: int):
        from distributed import Client

        self.spec, self.cluster = spec, None
        try:
            if address == "local":
                self.cluster = _local_cluster(workers)
            self.client = Client(self.cluster or address, timeout=DASK_CONNECT_TIMEOUT_S)
            self.client.wait_for_workers(1, timeout=DASK_CONNECT_TIMEOUT_S)
            self.client.register_plugin(_helper_shutdown_plugin())
        except (OSError, TimeoutError) as err:
            self.close()
            raise ClusterError(f"cannot use Dask scheduler {address!r}: {err}") from err
        self.workers = sum(self.client.nthreads().values())
        self._warn_if_daemonic()

    def _warn_if_daemonic(self) -> None:
        daemonic = [addr for addr, flag in self.client.run(_is_daemonic).items() if flag]
        if daemonic:
            log.warning(
                "%d Dask worker(s) are daemonic and cannot start a helper process: there the "
                "--timeout cannot stop a stage stuck in C code (a runaway regex). Start workers with "
                "DASK_DISTRIBUTED__WORKER__DAEMON=False (see docs/scale.md).", len(daemonic))

    def map(self, batches: Iterable[list[RawDocument]]) -> Iterator[Finished]:
        from distributed import wait

        def wait_any(futures: list) -> set:
            return wait(futures, return_when="FIRST_COMPLETED").done

        limit = IN_FLIGHT_PER_WORKER * self.workers
        yield from _finished(bounded_map(self._submit, wait_any, batches, limit))

    def _submit(self, batch: list[RawDocument]):
        return self.client.submit(process_batch_in_helper, batch, self.spec, pure=False)

    def close(self) -> None:
        if getattr(self, "client", None) is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _is_daemonic() -> bool:
    return multiprocessing.current_process().daemon


def _local_cluster(workers: int):
    import dask
    from distributed import LocalCluster

    # Non-daemonic workers may start the helper process that takes the timeout
    # alarm. Workers ignore Ctrl-C (the disposition is inherited): the driver
    # takes it, records the run and closes the cluster, without a traceback
    # from every worker process.
    with dask.config.set({"distributed.worker.daemon": False}), _sigint_ignored():
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                            dashboard_address=":0")  # any free port: 8787 may be taken


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def open_executor(spec: WorkSpec, *, workers: int = 1, dask: str | None = None):
    """The executor for the options: Dask when `dask` is given, else a pool when workers > 1."""
    if dask:
        executor = DaskCluster(spec, dask, workers)
    elif workers > 1:
        executor = LocalPool(spec, workers)
    else:
        executor = InProcess(spec)
    try:
        yield executor
    finally:
        executor.close()
