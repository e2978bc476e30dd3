#!/usr/bin/env python3
"""Prefilter throughput per core on news-sized HTML pages, for each engine, and what a skip saves.

    .venv/bin/python benchmarks/prefilter_speed.py               # make_archive.py pages (50-300 KB), ~100 MB per row
    .venv/bin/python benchmarks/prefilter_speed.py --pages DIR   # your own .html files instead (recursive)
    .venv/bin/python benchmarks/prefilter_speed.py --compare     # + the designs not chosen, on the pages with no stem
    .venv/bin/python benchmarks/prefilter_speed.py --mb 20 --json

Pages are those of benchmarks/make_archive.py (the archive of issue 5),
made in memory: whole news pages of 50-300 KB (mean 157 KB), most of the
weight chrome and script, 2 % launch reports, and a "most read" sidebar
that puts a launch headline on about one ordinary page in ten. Groups:
"archive" is the pages as they come; "no stem" the pages the prefilter
rules out, which it must read to the last byte (the worst case); "stem"
the others, where it stops at the first stem.

Each engine of launchwatch.prefilter (hyperscan, python) runs over each
group, cycling over its pages until --mb megabytes have been tested and a
second has passed, three times; the fastest run counts. One process, so the figures are per core:
docs/s is wall-clock, "docs/s cpu" documents per CPU second of this process
(what other jobs on the machine lower least). The 1-minute load average is
printed first: on a shared machine, a load above the number of idle cores
means the figures are low.

--pipeline N also times pipeline.process on N no-stem pages with the
prefilter off (HTML parsing, cleaning, extraction) against on.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_archive  # noqa: E402  (benchmarks/ is not a package)

from launchwatch import prefilter  # noqa: E402
from launchwatch.pipeline import process  # noqa: E402
from launchwatch.records import RawDocument  # noqa: E402
from launchwatch.settings import Settings  # noqa: E402

DISTINCT_PAGES = 400          # made once (~60 MB), cycled until --mb and MIN_SECONDS are reached
REPEATS = 3
MIN_SECONDS = 1.0             # per run, so that a fast engine is not timed over a few milliseconds
MB = 1_000_000


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    load = os.getloadavg()[0]
    groups = _own_pages(args.pages) if args.pages else _archive_pages(args.seed, DISTINCT_PAGES)
    rows = [_measure(group, name, pages, args.mb * MB, check)
            for name, check in prefilter.ENGINES.items() for group, pages in groups.items() if pages]
    if args.compare and groups.get("no stem"):
        rows += [_measure("no stem", name, groups["no stem"], args.mb * MB, check)
                 for name, check in _alternatives().items()]
    if args.pipeline and groups.get("no stem"):
        rows += _pipeline_rows(groups["no stem"][:args.pipeline])
    header = {"load average (1 min) before": round(load, 2), "after": round(os.getloadavg()[0], 2),
              "cores": os.cpu_count(),
              "engine chosen": prefilter.ENGINE, "hyperscan": _hyperscan_version()}
    if args.json:
        print(json.dumps({**header, "rows": rows}, indent=2))
    else:
        print("  ".join(f"{key}: {value}" for key, value in header.items()))
        print(_table(rows))
    return 0


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="*", metavar="DIR", help="folders of .html pages to test instead")
    parser.add_argument("--mb", type=int, default=100, help="megabytes tested per row (default 100)")
    parser.add_argument("--compare", action="store_true", help="also time the designs not chosen")
    parser.add_argument("--pipeline", type=int, default=20, metavar="N",
                        help="no-stem pages through pipeline.process, prefilter off vs on (0: skip)")
    parser.add_argument("--seed", type=int, default=1, help="make_archive.py seed (default 1)")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


def _hyperscan_version() -> str | None:
    try:
        from importlib.metadata import version
        return version("hyperscan")
    except Exception:
        return None


# --------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------

def _archive_pages(seed: int, count: int) -> dict[str, list[bytes]]:
    sites = make_archive.build_sites(seed)
    return _split([make_archive.make_document(seed, index, sites)[1] for index in range(count)])


def _own_pages(folders: list[str]) -> dict[str, list[bytes]]:
    return _split([p.read_bytes() for folder in folders for p in sorted(Path(folder).rglob("*.htm*"))])


def _split(pages: list[bytes]) -> dict[str, list[bytes]]:
    passed = [prefilter.could_report_launch_python(page) for page in pages]
    return {"archive": pages, "no stem": [p for p, ok in zip(pages, passed) if not ok],
            "stem": [p for p, ok in zip(pages, passed) if ok]}


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------

def _measure(group: str, engine: str, pages: list[bytes], target_bytes: int, check) -> dict:
    """The best of REPEATS runs: other work on the machine only ever slows a run down."""
    runs = [_run(pages, target_bytes, check) for _ in range(REPEATS)]
    docs, done, passed, wall, cpu = min(runs, key=lambda run: run[3])
    return {"group": group, "engine": engine, "docs": docs, "MB": round(done / MB, 1),
            "passed": round(passed / docs, 3), "docs/s": round(docs / wall), "docs/s cpu": round(docs / cpu),
            "MB/s": round(done / MB / wall), "mean KB": round(done / docs / 1000),
            "wall s": round(wall, 2), "cpu s": round(cpu, 2)}


def _run(pages: list[bytes], target_bytes: int, check) -> tuple[int, int, int, float, float]:
    docs = done = passed = 0
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    while done < target_bytes or time.perf_counter() - start_wall < MIN_SECONDS:
        for page in pages:
            passed += bool(check(page))
            docs += 1
            done += len(page)
    return docs, done, passed, time.perf_counter() - start_wall, time.process_time() - start_cpu


# The stems as plain words, for the `re` designs compared against the Python engine.
WORD_STEMS = [b"missile", b"rocket", b"weapon", b"satellite", b"projectile", b"warhead", b"ballistic", b"hypersonic",
              b"icbm", b"slbm", b"srbm", b"irbm", b"mrbm", b"orbit", b"space launch", b"scud"]


def _alternatives() -> dict:
    """Designs measured and not chosen, on the same stems."""
    plain = WORD_STEMS
    ignorecase = re.compile(b"|".join(plain), re.IGNORECASE)
    alternation = re.compile(b"|".join(plain))
    variants = [v for stem in plain for v in {stem, stem.capitalize(), stem.upper()}]
    designs = {
        "re: one re, IGNORECASE": lambda page: ignorecase.search(page) is not None,
        "re: lower() + one re alternation": lambda page: alternation.search(page.lower()) is not None,
        "re: 3 case variants, bytes.find": lambda page: any(v in page for v in variants),
    }
    if "hyperscan" in prefilter.ENGINES:
        designs["hyperscan: stems only, no padding (Teddy)"] = _hyperscan_design(padding=False, breaks=False)
        designs["hyperscan: stems + padding (FDR)"] = _hyperscan_design(breaks=False)
    return designs


def _hyperscan_design(padding: bool = True, breaks: bool = True):
    """The hyperscan engine's database without its padding literals or its word-break markers."""
    import hyperscan
    expressions = [w.encode() for w in prefilter.STEM_WORDS]
    expressions += list(prefilter._BREAK_MARKERS) if breaks else []
    expressions += list(prefilter._PADDING) if padding else []
    database = hyperscan.Database()
    database.compile(expressions=expressions, ids=list(range(len(expressions))), elements=len(expressions),
                     flags=hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_DOTALL)
    scratch = hyperscan.Scratch(database)

    def check(page: bytes) -> bool:
        try:
            database.scan(page, match_event_handler=lambda number, *_: number < len(prefilter.STEM_WORDS),
                          scratch=scratch)
        except hyperscan.ScanTerminated:
            return True
        return False
    return check


def _pipeline_rows(pages: list[bytes]) -> list[dict]:
    rows = []
    for label, settings in (("prefilter off", Settings(prefilter=False)), ("prefilter on", Settings())):
        process(RawDocument(source="warm.html", content=pages[0], kind="html"), settings)   # imports, knowledge
        start, start_cpu = time.perf_counter(), time.process_time()
        for number, page in enumerate(pages):
            process(RawDocument(source=f"{number}.html", content=page, kind="html"), settings)
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        done = sum(map(len, pages))
        rows.append({"group": "no stem", "engine": f"pipeline, {label}", "docs": len(pages),
                     "MB": round(done / MB, 1), "passed": None, "docs/s": round(len(pages) / wall),
                     "docs/s cpu": round(len(pages) / cpu), "MB/s": round(done / MB / wall, 1),
                     "mean KB": round(done / len(pages) / 1000), "wall s": round(wall, 2), "cpu s": round(cpu, 2)})
    return rows


def _table(rows: list[dict]) -> str:
    columns = list(rows[0])
    widths = [max(len(str(c)), *(len(str(r[c])) for r in rows)) for c in columns]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(str(r[c]).ljust(w) for c, w in zip(columns, widths)) for r in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
