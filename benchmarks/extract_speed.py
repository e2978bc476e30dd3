#!/usr/bin/env python3
"""Extraction and ingest throughput, per core, on the dev documents.

    .venv/bin/python benchmarks/extract_speed.py               # 2,000 documents per group
    .venv/bin/python benchmarks/extract_speed.py --docs 500 --json
    .venv/bin/python benchmarks/extract_speed.py --profile     # + cProfile of plain-text extract

The documents of a set's manifest (default <shared>/eval/dev) are copied into
a temp folder, repeated until each group has --docs documents: plain text
(.txt), HTML (.html) and all. Every copy gets a unique, whitespace-neutral
marker (a trailing line of spaces and tabs for text, an HTML comment for
HTML) so its content hash differs: re-ingesting identical bytes is a
duplicate and would measure nothing.

Per group, in this one process (one process = one core):
  extract  sources.read_sources -> pipeline.process -> records.document_object
           -> JSON, via ingest.process_all + ingest.result_object, i.e.
           exactly what `launchwatch extract --manifest` runs
  ingest   ingest.ingest into a fresh SQLite file in the temp folder, i.e.
           exactly what `launchwatch ingest --manifest` runs (the store is
           opened and migrated before the clock starts)

documents/s and words/s are wall-clock; words are those of the cleaned
article text (what the extractor reads), counted once per source document in
a warm-up pass that also loads the knowledge and imports trafilatura. Peak
RSS is the process's high-water mark so far (resource.getrusage).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from machine_info import machine  # benchmarks/ is on sys.path when this script runs

from launchwatch.evaluation import find_eval_dir
from launchwatch.ingest import ingest, process_all, result_object
from launchwatch.settings import Settings
from launchwatch.store import Store

GROUPS = {"plain": (".txt",), "html": (".html", ".htm"), "all": (".txt", ".html", ".htm")}
TARGET_PLAIN_DOCS_PER_S = 200   # the goal: plain text, end to end, per core
PROFILE_TOP = 15


@dataclass
class Row:
    group: str
    stage: str
    docs: int
    words: int
    seconds: float
    cpu_seconds: float
    failed: int
    peak_rss_mb: float

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds if self.seconds else 0.0

    @property
    def words_per_s(self) -> float:
        return self.words / self.seconds if self.seconds else 0.0

    def as_json(self) -> dict:
        return {**asdict(self), "docs_per_s": round(self.docs_per_s, 1),
                "words_per_s": round(self.words_per_s), "seconds": round(self.seconds, 3),
                "cpu_seconds": round(self.cpu_seconds, 3), "peak_rss_mb": round(self.peak_rss_mb, 1)}


def peak_rss_mb() -> float:
    """High-water resident set size of this process (ru_maxrss: KB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def read_manifest(set_dir: Path) -> list[dict]:
    lines = (set_dir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def marker(kind_suffix: str, copy: int) -> bytes:
    """A unique tail that changes the bytes but not the article text."""
    if kind_suffix in (".html", ".htm"):
        return f"\n<!-- launchwatch benchmark copy {copy} -->\n".encode()
    return b"\n" + format(copy, "b").replace("0", " ").replace("1", "\t").encode() + b"\n"


def build_group(entries: list[dict], set_dir: Path, out_dir: Path, group: str, n_docs: int) -> Path:
    """n_docs unique copies of the group's documents and a manifest listing them."""
    chosen = [e for e in entries if Path(e["path"]).suffix.lower() in GROUPS[group]]
    if not chosen:
        raise SystemExit(f"no {group} documents in {set_dir / 'manifest.jsonl'}")
    folder = out_dir / group
    folder.mkdir()
    lines = []
    for copy in range(n_docs):
        entry = chosen[copy % len(chosen)]
        source = set_dir / entry["path"]
        name = f"{copy:05d}-{source.name}"
        (folder / name).write_bytes(source.read_bytes() + marker(source.suffix.lower(), copy))
        lines.append(json.dumps({"id": f"{entry['id']}#{copy}", "path": name,
                                 "published": entry.get("published"), "words_of": entry["id"]}))
    manifest = folder / "manifest.jsonl"
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def words_per_doc(set_dir: Path, settings: Settings) -> dict[str, int]:
    """Words of each source document's cleaned text (also the warm-up pass)."""
    counts = {}
    for result in process_all([], settings=settings, manifest=str(set_dir / "manifest.jsonl")):
        counts[result.raw.external_id] = len(result.article.text.split()) if result.article else 0
    return counts


def group_words(manifest: Path, counts: dict[str, int]) -> int:
    lines = manifest.read_text(encoding="utf-8").splitlines()
    return sum(counts.get(json.loads(line)["words_of"], 0) for line in lines if line.strip())


def run_extract(manifest: Path, settings: Settings) -> tuple[int, int, float, float]:
    """(documents, failed, wall s, cpu s) for `launchwatch extract --manifest` in-process."""
    sink = io.StringIO()
    docs = failed = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for result in process_all([], settings=settings, manifest=str(manifest)):
        sink.write(json.dumps(result_object(result), ensure_ascii=False) + "\n")
        docs += 1
        failed += not result.ok
    return docs, failed, time.perf_counter() - wall, time.process_time() - cpu


def run_ingest(manifest: Path, db_path: Path, settings: Settings) -> tuple[int, int, float, float]:
    """(documents, failed, wall s, cpu s) for `launchwatch ingest --manifest` into a fresh SQLite file."""
    settings = settings.with_(db_url=f"sqlite:///{db_path}")
    with Store(settings.db_url) as store:
        wall, cpu = time.perf_counter(), time.process_time()
        summary = ingest([], store=store, settings=settings, manifest=str(manifest))
        elapsed, cpu_elapsed = time.perf_counter() - wall, time.process_time() - cpu
    if summary.duplicates:
        raise SystemExit(f"{summary.duplicates} copies were duplicates: the markers did not make them unique")
    return summary.read, len(summary.failed), elapsed, cpu_elapsed


def profile_extract(manifest: Path, settings: Settings, top: int = PROFILE_TOP) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    run_extract(manifest, settings)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    out.write(f"--- top {top} by own time (tottime) ---\n")
    stats.sort_stats("tottime").print_stats(top)
    out.write(f"--- top {top} by cumulative time ---\n")
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def print_table(rows: list[Row], info: dict, set_dir: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=120)     # piped into a file: keep every column whole
    table = Table(title=f"launchwatch throughput, one process (= per core), set {set_dir}")
    for title in ("group", "stage", "docs", "words", "seconds", "cpu s", "docs/s", "words/s",
                  "failed", "peak RSS MB"):
        table.add_column(title, justify="left" if title in ("group", "stage") else "right")
    for r in rows:
        table.add_row(r.group, r.stage, str(r.docs), f"{r.words:,}", f"{r.seconds:.2f}",
                      f"{r.cpu_seconds:.2f}", f"{r.docs_per_s:.1f}", f"{r.words_per_s:,.0f}",
                      str(r.failed), f"{r.peak_rss_mb:.0f}")
    console.print(table)
    console.print(f"{info['date']}  {info['cpu']}  ({info['cores']} cores)  Python {info['python']}",
                  style="dim")
    plain = [r for r in rows if r.group == "plain" and r.stage == "extract"]
    if plain:
        verdict = "meets" if plain[0].docs_per_s >= TARGET_PLAIN_DOCS_PER_S else "is below"
        console.print(f"plain-text extract: {plain[0].docs_per_s:.0f} docs/s per core {verdict} "
                      f"the target of {TARGET_PLAIN_DOCS_PER_S}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="documents per group (default 2000)")
    parser.add_argument("--set", type=Path, help="set folder with manifest.jsonl (default <shared>/eval/dev)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--profile", action="store_true",
                        help=f"also cProfile plain-text extract and print the top {PROFILE_TOP} functions")
    parser.add_argument("--groups", default="plain,html,all", help="comma-separated: plain, html, all")
    args = parser.parse_args(argv)

    set_dir = args.set
    if set_dir is None:
        eval_dir = find_eval_dir()
        if eval_dir is None:
            parser.error("no shared eval folder found; give --set PATH or set LAUNCHWATCH_EVAL_DIR")
        set_dir = eval_dir / "dev"
    set_dir = set_dir.resolve()
    if not (set_dir / "manifest.jsonl").is_file():
        parser.error(f"{set_dir} has no manifest.jsonl")
    if args.docs < 1:
        parser.error("--docs must be at least 1")
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        parser.error(f"unknown group {', '.join(unknown)}: use plain, html, all")

    settings = Settings()
    counts = words_per_doc(set_dir, settings)            # warm-up: imports, knowledge, trafilatura
    entries = read_manifest(set_dir)
    rows: list[Row] = []
    profile = None
    with tempfile.TemporaryDirectory(prefix="launchwatch-bench-") as tmp:
        for group in groups:
            manifest = build_group(entries, set_dir, Path(tmp), group, args.docs)
            words = group_words(manifest, counts)
            docs, failed, wall, cpu = run_extract(manifest, settings)
            rows.append(Row(group, "extract", docs, words, wall, cpu, failed, peak_rss_mb()))
            docs, failed, wall, cpu = run_ingest(manifest, Path(tmp) / f"{group}.db", settings)
            rows.append(Row(group, "ingest", docs, words, wall, cpu, failed, peak_rss_mb()))
            if args.profile and group == "plain":
                profile = profile_extract(manifest, settings)
    info = machine()
    if args.json:
        print(json.dumps({"machine": info, "set": str(set_dir), "docs_per_group": args.docs,
                          "rows": [r.as_json() for r in rows]}, indent=2))
    else:
        print_table(rows, info, set_dir)
    if profile:
        print(profile, file=sys.stderr if args.json else sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
