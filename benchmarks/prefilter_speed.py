#!/usr/bin/env python3
"""Prefilter throughput per core on news-sized HTML pages, and what a skip saves.

    .venv/bin/python benchmarks/prefilter_speed.py               # synthetic 50-300 KB pages, ~100 MB per group
    .venv/bin/python benchmarks/prefilter_speed.py --pages DIR   # your own .html files instead (recursive)
    .venv/bin/python benchmarks/prefilter_speed.py --compare     # + the designs not chosen, on the negatives
    .venv/bin/python benchmarks/prefilter_speed.py --mb 20 --json

Synthetic pages have a news site's weight: a <style> block, inline scripts,
JSON-LD, menus and a footer around the story (50-300 KB, most of it
chrome). Negatives tell unrelated news (sport, markets, weather...) in
chrome with no launch vocabulary, so the prefilter must read every byte:
the worst case. Positives carry a launch report from the dev set (or a
built-in one) in the same chrome. The mix is 2 % positives, about what a
general news archive holds. Each group cycles over its pages until --mb
megabytes have been tested, three times, and the fastest run counts; one
process, so the figures are per core.

--pipeline N also times pipeline.process on N negative pages with the
prefilter off (HTML parsing, cleaning, extraction) against on.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

from launchwatch.evaluation import find_eval_dir
from launchwatch.pipeline import process
from launchwatch.prefilter import could_report_launch
from launchwatch.records import RawDocument
from launchwatch.settings import Settings

MIN_PAGE, MAX_PAGE = 50_000, 300_000
DISTINCT_PAGES = 150          # per group; cycled until --mb is reached
POSITIVE_SHARE = 0.02
REPEATS = 3
MB = 1_000_000

NEWS = [
    "Stocks closed higher on Tuesday as bond yields eased and investors cheered strong retail earnings.",
    "The striker scored twice in the second half to give the visitors a deserved win at the stadium.",
    "Heavy rain and strong winds are expected along the coast until Thursday, forecasters said.",
    "The central bank kept interest rates unchanged and signalled that cuts could come later this year.",
    "Lawmakers approved the budget after a marathon session that ran late into the night.",
    "The festival drew record crowds, with tickets for the closing concert selling out in minutes.",
    "House prices fell for a fourth month in a row, the steepest drop since the financial crisis.",
    "The company said quarterly profit rose 12 percent on demand for its cloud services.",
]
LAUNCH = ("North Korea fired two short-range ballistic missiles off its east coast on Saturday, "
          "South Korea's Joint Chiefs of Staff said. The missiles flew about 300 km.")
WORDS = "data view item menu panel header footer layout grid track event user page slot media".split()


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    rng = random.Random(args.seed)
    if args.pages:
        groups = _own_pages(args.pages)
    else:
        positives = [_page(rng, story) for story in _stories(rng, _launch_texts(), DISTINCT_PAGES)]
        negatives = [_page(rng, story) for story in _stories(rng, NEWS, DISTINCT_PAGES)]
        groups = {"negative": negatives, "positive": positives, "mix 2 %": _mix(rng, negatives, positives)}
    rows = [_measure(name, pages, args.mb * MB) for name, pages in groups.items() if pages]
    if args.compare and "negative" in groups:
        rows += [_measure(f"negative: {name}", groups["negative"], args.mb * MB, check)
                 for name, check in _alternatives().items()]
    if args.pipeline and groups.get("negative"):
        rows += _pipeline_rows(groups["negative"][:args.pipeline])
    print(json.dumps(rows, indent=2) if args.json else _table(rows))
    return 0


def _arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="*", metavar="DIR", help="folders of .html pages to test instead")
    parser.add_argument("--mb", type=int, default=100, help="megabytes tested per group (default 100)")
    parser.add_argument("--compare", action="store_true", help="also time the designs not chosen")
    parser.add_argument("--pipeline", type=int, default=20, metavar="N",
                        help="negative pages through pipeline.process, prefilter off vs on (0: skip)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    return parser.parse_args(argv)


# --------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------

def _own_pages(folders: list[str]) -> dict[str, list[bytes]]:
    pages = [p.read_bytes() for folder in folders for p in sorted(Path(folder).rglob("*.htm*"))]
    passed = [p for p in pages if could_report_launch(p)]
    return {"all": pages, "passed": passed, "rejected": [p for p in pages if p not in passed]}


def _launch_texts() -> list[str]:
    """Paragraphs of the dev set's documents, else one built-in launch report."""
    eval_dir = find_eval_dir()
    docs = sorted((eval_dir / "dev" / "docs").glob("*.txt")) if eval_dir else []
    texts = [d.read_text(encoding="utf-8", errors="replace") for d in docs]
    return [t for t in texts if could_report_launch(t.encode())] or [LAUNCH]


def _stories(rng: random.Random, texts: list[str], count: int) -> list[str]:
    return [rng.choice(texts) + " " + " ".join(rng.choices(NEWS, k=rng.randint(3, 12))) for _ in range(count)]


def _page(rng: random.Random, story: str) -> bytes:
    """A story in a news site's chrome, padded with scripts and styles to 50-300 KB."""
    size = rng.randint(MIN_PAGE, MAX_PAGE)
    body = "".join(f"<p>{line}</p>\n" for line in re.split(r"\n+", story) if line.strip())
    head = f"<html><head><title>News</title><style>{_css(rng, 4000)}</style></head><body><nav>{_links(rng, 60)}</nav>"
    tail = f'<script type="application/ld+json">{{"@type": "NewsArticle"}}</script><footer>{_links(rng, 40)}</footer>'
    padding = size - len(head) - len(body) - len(tail)
    scripts = "".join(f"<script>{_js(rng, 6000)}</script>\n" for _ in range(max(0, padding // 6000)))
    return (head + f"<article>{body}</article>" + scripts + tail + "</body></html>").encode()


def _css(rng, size):
    return "".join(f".{rng.choice(WORDS)}-{rng.randint(1, 99)}{{margin:{rng.randint(0, 40)}px;color:#{rng.randint(0, 0xFFFFFF):06x}}}"
                   for _ in range(size // 45))


def _js(rng, size):
    return "".join(f"var {rng.choice(WORDS)}{rng.randint(1, 999)}=function(a,b){{return a.{rng.choice(WORDS)}(b,\"{rng.choice(WORDS)}\")}};"
                   for _ in range(size // 60))


def _links(rng, count):
    return " ".join(f'<a href="/{rng.choice(WORDS)}/{rng.randint(1, 9999)}">{rng.choice(WORDS).title()}</a>' for _ in range(count))


def _mix(rng, negatives, positives):
    return [rng.choice(positives) if rng.random() < POSITIVE_SHARE else page for page in negatives * 4]


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------

def _measure(name: str, pages: list[bytes], target_bytes: int, check=could_report_launch) -> dict:
    """The best of REPEATS runs: other work on the machine only ever slows a run down."""
    runs = [_run(pages, target_bytes, check) for _ in range(REPEATS)]
    docs, done, passed, wall, cpu = min(runs, key=lambda run: run[3])
    return {"group": name, "docs": docs, "MB": round(done / MB, 1), "passed": round(passed / docs, 3),
            "docs/s": round(docs / wall), "MB/s": round(done / MB / wall), "mean KB": round(done / docs / 1000),
            "wall s": round(wall, 2), "cpu s": round(cpu, 2)}


def _run(pages: list[bytes], target_bytes: int, check) -> tuple[int, int, int, float, float]:
    docs = done = passed = 0
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    while done < target_bytes:
        for page in pages:
            passed += bool(check(page))
            docs += 1
            done += len(page)
    return docs, done, passed, time.perf_counter() - start_wall, time.process_time() - start_cpu


# The prefilter's stems as plain words, for the designs compared against it.
WORD_STEMS = [b"missile", b"rocket", b"weapon", b"satellite", b"projectile", b"warhead", b"ballistic", b"hypersonic",
              b"icbm", b"slbm", b"srbm", b"irbm", b"mrbm", b"orbit", b"space launch", b"scud", b"rodong"]


def _alternatives() -> dict:
    """Designs measured and not chosen, on the same stems."""
    plain = WORD_STEMS
    ignorecase = re.compile(b"|".join(plain), re.IGNORECASE)
    alternation = re.compile(b"|".join(plain))
    variants = [v for stem in plain for v in {stem, stem.capitalize(), stem.upper()}]
    return {
        "one re, IGNORECASE": lambda page: ignorecase.search(page) is not None,
        "lower() + one re alternation": lambda page: alternation.search(page.lower()) is not None,
        "3 case variants, bytes.find": lambda page: any(v in page for v in variants),
    }


def _pipeline_rows(pages: list[bytes]) -> list[dict]:
    rows = []
    for label, settings in (("pipeline, prefilter off", Settings(prefilter=False)), ("pipeline, prefilter on", Settings())):
        process(RawDocument(source="warm.html", content=pages[0], kind="html"), settings)   # imports, knowledge
        start = time.perf_counter()
        for number, page in enumerate(pages):
            process(RawDocument(source=f"{number}.html", content=page, kind="html"), settings)
        wall = time.perf_counter() - start
        done = sum(map(len, pages))
        rows.append({"group": label, "docs": len(pages), "MB": round(done / MB, 1), "passed": None,
                     "docs/s": round(len(pages) / wall), "MB/s": round(done / MB / wall, 1),
                     "mean KB": round(done / len(pages) / 1000), "wall s": round(wall, 2), "cpu s": None})
    return rows


def _table(rows: list[dict]) -> str:
    columns = list(rows[0])
    widths = [max(len(str(c)), *(len(str(r[c])) for r in rows)) for c in columns]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(columns, widths))]
    lines += ["  ".join(str(r[c]).ljust(w) for c, w in zip(columns, widths)) for r in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
