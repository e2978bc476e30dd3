"""`launchwatch serve --workers N`: N uvicorn processes, each with its own listening socket.

uvicorn's own multi-process mode shares one listening socket among the
workers, and measured two faults there (benchmarks/serve_latency.py):

- asyncio accepts up to a hundred waiting connections per wake-up, so the
  worker that wakes first takes a whole burst of new clients (all 50 of the
  benchmark's) and the others stay idle;
- the shared socket is made with protocol number 0, and asyncio switches
  Nagle's algorithm off (TCP_NODELAY) only on connections whose protocol is
  TCP, so every response waited for the client's delayed ACK: 44 ms each.

Here each worker binds its own TCP socket with SO_REUSEPORT, and the kernel
spreads new connections evenly over them. The parent restarts a worker that
dies and stops them all on SIGINT or SIGTERM. Where SO_REUSEPORT is missing
(not Linux or BSD), uvicorn's own mode runs, with the TCP protocol set.
"""
from __future__ import annotations

import multiprocessing
import signal
import socket
import threading
import time

APP = "launchwatch.web.app:create_served_app"   # each worker builds its app from the environment
BACKLOG = 2048
QUICK_DEATH_S = 10      # a worker that exits sooner than this after starting failed to start
MAX_QUICK_DEATHS = 3    # in a row: then the server stops instead of restarting them forever


class WorkerError(Exception):
    """The workers cannot serve: the address is taken, or they keep dying as they start."""


def run(host: str, port: int, workers: int, log_level: str) -> None:
    """Serve until SIGINT or SIGTERM; WorkerError when the workers cannot serve."""
    if not hasattr(socket, "SO_REUSEPORT"):
        _run_uvicorn_multiprocess(host, port, workers, log_level)
        return
    port = _check_address(host, port)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    spawn = multiprocessing.get_context("spawn")
    procs = [_start(spawn, host, port, log_level) for _ in range(workers)]
    quick_deaths = 0
    try:
        while not stop.wait(0.5):
            for n, (proc, started) in enumerate(procs):
                if not proc.is_alive():
                    quick_deaths = quick_deaths + 1 if time.monotonic() - started < QUICK_DEATH_S else 0
                    if quick_deaths >= MAX_QUICK_DEATHS:
                        raise WorkerError(f"the workers keep exiting as they start (exit code {proc.exitcode})")
                    procs[n] = _start(spawn, host, port, log_level)
    finally:
        _stop_all([proc for proc, _ in procs])


def _check_address(host: str, port: int) -> int:
    """The port to serve on (a free one for 0), after checking nothing else listens there."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:   # no SO_REUSEPORT: any listener there refuses it
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            raise WorkerError(f"cannot listen on {host}:{port}: {err.strerror}") from None
        return probe.getsockname()[1]


def _start(spawn, host: str, port: int, log_level: str):
    proc = spawn.Process(target=_worker, args=(host, port, log_level), daemon=False)
    proc.start()
    return proc, time.monotonic()


def _stop_all(procs) -> None:
    for proc in procs:
        proc.terminate()   # SIGTERM: uvicorn finishes the requests in flight
    for proc in procs:
        proc.join(timeout=30)
        if proc.is_alive():
            proc.kill()


def _worker(host: str, port: int, log_level: str) -> None:
    import uvicorn

    config = uvicorn.Config(APP, factory=True, host=host, port=port, log_level=log_level)
    uvicorn.Server(config).run(sockets=[listening_socket(host, port)])


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) with SO_REUSEPORT, listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def _run_uvicorn_multiprocess(host: str, port: int, workers: int, log_level: str) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(APP, factory=True, host=host, port=port, workers=workers, log_level=log_level)
    sock = config.bind_socket()
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    Multiprocess(config, sockets=[sock]).run()
