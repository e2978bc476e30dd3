"""Cross-article resolution at scale: regroup N launches reported by 1-4 documents each.

    python benchmarks/resolve_speed.py --launches 10000 [--db sqlite:///tmp.db]

Writes synthetic reports straight into a fresh store (documents, reports and
claims rows, as ingest would, without the extractor: this measures resolution
only), then times `resolve --rebuild` over everything, an incremental
`resolve_pending` after 100 more documents arrive, and a second rebuild of
events that are already there. Launches spread over 20
years and 8 actors, so blocking by actor and date keeps comparisons local.
Prints a rich table; --json FILE writes the figures.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import insert

from launchwatch.knowledge import load_knowledge
from launchwatch.pipeline import Result
from launchwatch.records import Article, Event, Evidence, RawDocument
from launchwatch.resolve import rebuild, resolve_pending
from launchwatch.store import Store
from launchwatch.store.models import claims, documents, reports
from launchwatch.store.store import _claim_rows, _document_row, _event_row

ACTORS = {"KP": "South Korea JCS", "IR": "IRNA", "RU": "Russian Defence Ministry", "CN": "Xinhua",
          "IN": "India Defence Ministry", "PK": "ISPR", "YE": "US CENTCOM", "US": "US Air Force"}
CLASSES = ("srbm", "mrbm", "irbm", "icbm", "cruise", "ballistic", "slbm")
START = date(2006, 1, 1)


def launches(n: int, rng: random.Random) -> list[dict]:
    out = []
    for i in range(n):
        actor = rng.choice(list(ACTORS))
        out.append({"actor": actor, "date": START + timedelta(days=rng.randrange(20 * 365)),
                    "weapon_class": rng.choice(CLASSES), "distance_km": float(rng.randrange(100, 12000)),
                    "count": rng.choice((1, 1, 1, 2, 3)), "reports": rng.choice((1, 2, 2, 3, 4))})
    return out


def report_result(launch: dict, k: int, rng: random.Random) -> Result:
    """One document reporting one launch, with evidence spans that quote its text."""
    source = ACTORS[launch["actor"]]
    when = launch["date"] + timedelta(days=rng.choice((0, 0, 0, -1)) if k else 0)
    distance = launch["distance_km"] * rng.choice((1.0, 1.0, 0.95, 1.05))
    text = (f"{launch['actor']} fired {launch['count']} {launch['weapon_class']} missiles on {when.isoformat()}, "
            f"{source} said. They flew {distance:.0f} km. Report {k} of launch {id(launch)}-{rng.random()}.")

    def span(s: str) -> Evidence:
        start = text.index(s)
        return Evidence(start, start + len(s), s, source)

    values = {"actor": launch["actor"], "date": when.isoformat(), "date_text": when.isoformat(),
              "weapon_class": launch["weapon_class"], "count": launch["count"], "distance_km": round(distance),
              "reported_by": [source], "is_primary": True}
    evidence = {"date_text": [span(when.isoformat())], "weapon_class": [span(launch["weapon_class"])],
                "count": [span(str(launch["count"]))], "distance_km": [span(f"{distance:.0f} km")],
                "reported_by": [span(source)]}
    raw = RawDocument(source=f"bench-{id(launch)}-{k}.txt", content=text.encode())
    published = (when + timedelta(days=rng.choice((0, 1)))).isoformat()
    article = Article(doc_id=raw.doc_id, source=raw.source, text=text, external_id=raw.source, published=published)
    return Result(raw, article, [Event(values, evidence)])


def bulk_store(store: Store, results: list[Result]) -> None:
    docs, reps, cls = [], [], []
    for result in results:
        docs.append(_document_row(result, "ok"))
        for index, ev in enumerate(result.events):
            row = _event_row(result.article.doc_id, index, ev)
            reps.append(row)
            cls += _claim_rows(result.article.doc_id, row["id"], ev, result.article.published)
    with store.atomic() as conn:
        for table, rows in ((documents, docs), (reports, reps), (claims, cls)):
            for i in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[i:i + 5000])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--launches", type=int, default=10_000)
    ap.add_argument("--db", help="database URL (default: a fresh SQLite file in a temp folder)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix="launchwatch-resolve-")
    store = Store(args.db or f"sqlite:///{tmp}/bench.db")
    knowledge = load_knowledge()
    plan = launches(args.launches, rng)
    results = [report_result(launch, k, rng) for launch in plan for k in range(launch["reports"])]
    late = results[-100:]
    started = time.perf_counter()
    bulk_store(store, results[:-100])
    setup = time.perf_counter() - started

    rows = []
    cpu0, t0 = time.process_time(), time.perf_counter()
    full = rebuild(store, knowledge)
    rows.append(("rebuild", full.reports, full.events, time.perf_counter() - t0, time.process_time() - cpu0))
    bulk_store(store, late)
    cpu0, t0 = time.perf_counter(), time.perf_counter()
    cpu0 = time.process_time()
    step = resolve_pending(store, knowledge)
    rows.append(("incremental", step.reports, step.events, time.perf_counter() - t0,
                 time.process_time() - cpu0))
    cpu0, t0 = time.process_time(), time.perf_counter()
    again = rebuild(store, knowledge)   # every event replaced by itself: what `resolve --rebuild` usually does
    rows.append(("rebuild again", again.reports, again.events, time.perf_counter() - t0, time.process_time() - cpu0))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    table = Table(title=f"resolution: {args.launches:,} launches, {len(results):,} reports, then 100 more "
                        f"documents ({store.engine.dialect.name}; setup {setup:.1f} s)")
    for column in ("run", "reports regrouped", "events written", "seconds", "cpu s", "reports/s", "peak RSS MB"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for name, n_reports, n_events, secs, cpu in rows:
        table.add_row(name, f"{n_reports:,}", f"{n_events:,}", f"{secs:.2f}", f"{cpu:.2f}",
                      f"{n_reports / secs:,.0f}", f"{peak_mb:.0f}")
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps({"launches": args.launches, "reports": len(results), "runs": [
            dict(zip(("run", "reports", "events", "seconds", "cpu_seconds"), r)) for r in rows],
            "peak_rss_mb": round(peak_mb)}, indent=2))
    store.close()


if __name__ == "__main__":
    main()
