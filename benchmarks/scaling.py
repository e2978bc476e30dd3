#!/usr/bin/env python3
"""`launchwatch batch` with 1 and 2 local workers and a 2-worker Dask LocalCluster, on a WARC archive.

    .venv/bin/python benchmarks/scaling.py --archive benchmarks/out/archive100k                # 100,000 documents
    .venv/bin/python benchmarks/scaling.py --archive benchmarks/out/archive100k --n 5000 --json benchmarks/out/scaling.json
    .venv/bin/python benchmarks/scaling.py --n 2000 --configs w1,w2                              # makes a small archive first

The archive is one written by benchmarks/make_archive.py (--formats warc;
1,000 records per WARC file). The first --n documents are used: whole WARC
files, and for a partial last file a copy holding its first records. Each
configuration runs as its own command, into a fresh SQLite file:

  w1     launchwatch --db sqlite:///DB batch WARC... --workers 1
  w2     launchwatch --db sqlite:///DB batch WARC... --workers 2
  dask2  launchwatch --db sqlite:///DB batch WARC... --dask local --workers 2

While a command runs, its process tree is sampled every SAMPLE_SECONDS from
/proc: each process's VmHWM (peak resident set; for a forked worker this
counts the pages it shares with its parent too) is kept, the last value read
before the process ends being its peak. "worker peak" is the largest among
the worker processes (the descendants, or the main process when the command
made none). documents/s is wall-clock over --n documents; the load average
is recorded before each run, since other jobs on the machine share its cores.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIGS = {
    "w1": ["--workers", "1"],
    "w2": ["--workers", "2"],
    "dask2": ["--dask", "local", "--workers", "2"],
}
SAMPLE_SECONDS = 0.25
TARGET_SPEEDUP = 1.8          # 2 workers vs 1
TARGET_WORKER_RSS_MB = 300
REPORTED_RATE = re.compile(r"\(([\d.]+) docs/s\)")
HELPER_PROCESSES = re.compile(r"resource_tracker|semaphore_tracker|forkserver")   # not workers


# --------------------------------------------------------------------------
# Process tree sampling (/proc, Linux)
# --------------------------------------------------------------------------

def children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def descendants(pid: int) -> list[int]:
    tree, found, todo = children_map(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def vm_hwm_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


class TreeMonitor:
    """Peak VmHWM of a process and of every descendant it ever had."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peaks: dict[int, float] = {}
        self.commands: dict[int, str] = {}
        self.parents: dict[int, int | None] = {}

    def sample(self) -> None:
        for pid in [self.pid] + descendants(self.pid):
            peak = vm_hwm_mb(pid)
            if peak is None:
                continue
            if pid not in self.commands:
                self.commands[pid], self.parents[pid] = cmdline(pid), parent(pid)
            self.peaks[pid] = max(peak, self.peaks.get(pid, 0.0))

    def main_peak(self) -> float:
        return self.peaks.get(self.pid, 0.0)

    def worker_groups(self) -> dict[int, float]:
        """Per child of the main process: its peak plus its descendants' peaks (an upper bound
        of what one worker and the helper processes it starts hold at once)."""
        groups = {}
        for pid in self.workers():
            if self.parents.get(pid) != self.pid:
                continue
            members, todo = [pid], [pid]
            while todo:
                current = todo.pop()
                below = [p for p, parent in self.parents.items() if parent == current]
                members += below
                todo += below
            groups[pid] = sum(self.peaks.get(member, 0.0) for member in members)
        return groups

    def workers(self) -> dict[int, float]:
        return {pid: peak for pid, peak in self.peaks.items()
                if pid != self.pid and not HELPER_PROCESSES.search(self.commands.get(pid, ""))}


# --------------------------------------------------------------------------
# Archive: the first n documents as WARC files
# --------------------------------------------------------------------------

def warc_files(archive: Path) -> list[Path]:
    files = sorted((archive / "warc").glob("*.warc.gz"))
    if not files:
        raise SystemExit(f"no WARC files in {archive / 'warc'}: run make_archive.py with --formats warc")
    return files


def first_records(source: Path, count: int, target: Path) -> Path:
    """A copy of `source` with its warcinfo record and its first `count` response records."""
    from warcio.archiveiterator import ArchiveIterator

    with open(source, "rb") as stream:
        records = ArchiveIterator(stream)
        end = 0
        for record in records:
            count -= record.rec_type == "response"
            if count < 0:
                break
            records.read_to_end()
            end = records.get_record_offset() + records.get_record_length()
        stream.seek(0)
        target.write_bytes(stream.read(end))
    return target


def select_warcs(archive: Path, n: int, tmp: Path) -> list[Path]:
    """WARC files holding the archive's first n documents (a trimmed copy of a partial last file)."""
    in_file: Counter = Counter()
    chosen: Counter = Counter()
    with open(archive / "index.jsonl", encoding="utf-8") as index:
        for position, line in enumerate(index):
            name = json.loads(line)["warc"]
            in_file[name] += 1
            chosen[name] += position < n
    if sum(chosen.values()) < n:
        raise SystemExit(f"{archive} holds {sum(chosen.values())} documents, fewer than --n {n}")
    return [archive / name if count == in_file[name] else first_records(archive / name, count, tmp / Path(name).name)
            for name, count in chosen.items() if count]


def make_archive(folder: Path, n: int, seed: int) -> Path:
    subprocess.run([sys.executable, str(HERE / "make_archive.py"), str(folder), "--n", str(n), "--seed", str(seed),
                    "--formats", "warc"], check=True, stdout=subprocess.DEVNULL)
    return folder


# --------------------------------------------------------------------------
# Runs
# --------------------------------------------------------------------------

def launchwatch_command() -> list[str]:
    script = Path(sys.executable).with_name("launchwatch")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from launchwatch.cli import main; main()"]


def batch_available() -> tuple[bool, str]:
    done = subprocess.run(launchwatch_command() + ["batch", "--help"], capture_output=True, text=True)
    return done.returncode == 0, (done.stdout + done.stderr).strip()


def run_config(name: str, warcs: list[Path], n: int, tmp: Path, timeout: float) -> dict:
    db = tmp / f"{name}.db"
    log = tmp / f"{name}.log"
    command = launchwatch_command() + ["--db", f"sqlite:///{db}", "batch", *map(str, warcs), *CONFIGS[name]]
    load = os.getloadavg()[0]
    print(f"running {name}: {' '.join(command[:4])} ... {' '.join(CONFIGS[name])} (load {load:.2f})",
          file=sys.stderr, flush=True)
    before = os.times()
    started = time.perf_counter()
    with open(log, "w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        monitor = TreeMonitor(process.pid)
        while process.poll() is None:
            monitor.sample()
            if time.perf_counter() - started > timeout:
                process.kill()
                break
            time.sleep(SAMPLE_SECONDS)
    code = process.wait()
    seconds = time.perf_counter() - started
    after = os.times()
    workers = monitor.workers()
    output = log.read_text(errors="replace").strip().splitlines()
    return {"config": name, "command": " ".join(["launchwatch", "batch", "WARC..."] + CONFIGS[name]),
            "docs": n, "seconds": round(seconds, 2), "docs_per_s": round(n / seconds, 1),
            "cpu_seconds": round((after.children_user - before.children_user)
                                 + (after.children_system - before.children_system), 2),
            "exit_code": code, "timed_out": seconds > timeout, "load_before": round(load, 2),
            "main_peak_rss_mb": round(monitor.main_peak(), 1),
            "worker_peak_rss_mb": round(max(workers.values(), default=monitor.main_peak()), 1),
            "worker_group_peak_rss_mb": round(max(monitor.worker_groups().values(), default=monitor.main_peak()), 1),
            "workers_seen": len(workers),
            "batch_docs_per_s": reported_rate(output),
            "processes": [{"pid": pid, "parent": monitor.parents.get(pid), "peak_rss_mb": round(peak, 1),
                           "command": monitor.commands.get(pid, "")[:160]}
                          for pid, peak in sorted(monitor.peaks.items())],
            "last_output": output[-3:]}


def reported_rate(output: list[str]) -> float | None:
    """The docs/s that batch's summary line reports (its own clock: no start-up, no resolution)."""
    for line in reversed(output):
        match = REPORTED_RATE.search(line)
        if match:
            return float(match.group(1))
    return None


def verdicts(rows: list[dict]) -> dict:
    by = {r["config"]: r for r in rows if r["exit_code"] == 0}
    out = {}
    if "w1" in by and "w2" in by:
        speedup = by["w2"]["docs_per_s"] / by["w1"]["docs_per_s"]
        out["speedup_w2_vs_w1"] = {"value": round(speedup, 2), "target": TARGET_SPEEDUP, "met": speedup >= TARGET_SPEEDUP}
    if "w1" in by and "dask2" in by:
        out["speedup_dask2_vs_w1"] = {"value": round(by["dask2"]["docs_per_s"] / by["w1"]["docs_per_s"], 2)}
    if by:
        worst = max(r["worker_peak_rss_mb"] for r in by.values())
        out["worker_peak_rss_mb"] = {"value": worst, "target": TARGET_WORKER_RSS_MB, "met": worst <= TARGET_WORKER_RSS_MB}
    return out


def print_table(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console() if sys.stdout.isatty() else Console(width=150)
    table = Table(title=f"launchwatch batch on {result['docs']:,} documents ({result['warc_files']} WARC files, "
                        f"{result['megabytes']:,.0f} MB gzipped)")
    for title in ("config", "docs", "seconds", "docs/s", "speedup", "batch docs/s", "cpu s", "main peak MB",
                  "worker peak MB", "worker+children MB", "processes", "load", "exit"):
        table.add_column(title, justify="left" if title == "config" else "right")
    base = next((r["docs_per_s"] for r in result["rows"] if r["config"] == "w1" and r["exit_code"] == 0), None)
    for r in result["rows"]:
        speedup = f"{r['docs_per_s'] / base:.2f}x" if base and r["exit_code"] == 0 else "-"
        table.add_row(r["config"], f"{r['docs']:,}", f"{r['seconds']:.1f}", f"{r['docs_per_s']:.1f}", speedup,
                      f"{r['batch_docs_per_s'] or '-'}", f"{r['cpu_seconds']:.1f}", f"{r['main_peak_rss_mb']:.0f}",
                      f"{r['worker_peak_rss_mb']:.0f}", f"{r['worker_group_peak_rss_mb']:.0f}",
                      str(r["workers_seen"]), f"{r['load_before']:.2f}",
                      str(r["exit_code"]))
    console.print(table)
    for r in result["rows"]:
        console.print(f"{r['config']}: {r['last_output'][-1] if r['last_output'] else '(no output)'}", style="dim")
    info = result["machine"]
    console.print(f"{info['date']}  {info['cpu']}  ({info['cores']} cores)  Python {info['python']}", style="dim")
    for name, v in result["verdicts"].items():
        target = f" (target {'>=' if 'speedup' in name else '<='} {v['target']}: {'met' if v['met'] else 'MISSED'})" \
            if "target" in v else ""
        console.print(f"{name}: {v['value']}{target}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="folder written by make_archive.py with warc/ (default: a new one in a temp folder)")
    parser.add_argument("--n", type=int, default=100_000, help="documents (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the archive made when --archive is not given")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"comma-separated: {', '.join(CONFIGS)}")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per configuration (default 3600)")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    parser.add_argument("--keep", type=Path, help="keep the databases and logs in this folder")
    args = parser.parse_args(argv)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    if not configs or set(configs) - set(CONFIGS):
        parser.error(f"--configs takes {', '.join(CONFIGS)}")
    if args.n < 1:
        parser.error("--n must be at least 1")
    available, help_text = batch_available()
    if not available:
        print(f"`launchwatch batch` is not available in this checkout:\n{help_text[-400:]}", file=sys.stderr)
        return 2

    sys.path.insert(0, str(HERE))
    from machine_info import checkout, machine

    with tempfile.TemporaryDirectory(prefix="launchwatch-scaling-") as tmp_name:
        tmp = args.keep or Path(tmp_name)
        tmp.mkdir(parents=True, exist_ok=True)
        archive = args.archive or make_archive(tmp / "archive", args.n, args.seed)
        warcs = select_warcs(archive, args.n, tmp)
        rows = [run_config(name, warcs, args.n, tmp, args.timeout) for name in configs]
        megabytes = sum(p.stat().st_size for p in warcs) / 1e6
    result = {"machine": machine(), "checkout": checkout(HERE.parent),
              "archive": str(args.archive or f"make_archive.py --n {args.n} --seed {args.seed}"),
              "docs": args.n, "warc_files": len(warcs), "megabytes": round(megabytes, 1),
              "rows": rows, "verdicts": verdicts(rows)}
    print_table(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if all(r["exit_code"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
