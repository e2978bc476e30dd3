"""Latency of `launchwatch serve` on 100,000 events: 50 concurrent clients on loopback.

    python benchmarks/serve_latency.py                       # build (once) and measure, 2 workers
    python benchmarks/serve_latency.py --events 20000 --seconds 10 --workers 1
    python benchmarks/serve_latency.py --rebuild --json benchmarks/out/serve_latency.json

1. Builds a SQLite database (benchmarks/out/serve-N.db, kept for the next run)
   with N resolved events written straight into the real schema (migrations
   run first, so the full-text index fills through its triggers): each event
   has 1-4 documents (about 1.3 KB of text each, words drawn from a Zipf-like
   vocabulary), one report per document, 9-10 claims per report whose spans
   quote the text, sources, choices, and conflicts where the documents' figures
   differ. Dates spread over 1990-2026; 3 % are undated, 5 % known to the month.
2. Starts `launchwatch serve` (uvicorn, --workers) on a free loopback port.
3. For each scenario, 50 connections (clients) send requests back to back for
   --seconds (after a 2-second warm-up): the request paths are drawn at random
   from the scenario's list. The load comes from wrk (Debian package `wrk`,
   installed by this script with apt-get when missing and run as root) or, with
   --tool python or without wrk, from an asyncio/httpx client in this process.
   Latency is measured by the client, request sent to response read.
4. Prints p50/p90/p99/max latency and requests per second per scenario, and
   writes them with the machine, date and commit to --json.

Scenarios: the first page of /api/events; filtered first pages (actor, class,
status, dates); deep pages (keyset cursors collected by walking the list);
text search (q); one event as JSON (/api/events/{id}); the event page
(/events/{id}, HTML) of 2,000 events, and of 20,000 (most of them not in the
server's page cache).
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine_info import checkout, machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
CLIENTS = 50
TARGET_P99_MS = 100

ACTORS = {  # code: (weight, country name, sources (name, kind, country))
    "KP": (45, "North Korea", [("South Korea JCS", "military", "KR"), ("KCNA", "state_media", "KP"),
                               ("Japan Ministry of Defense", "military", "JP"), ("Yonhap", "news_agency", "KR")]),
    "IR": (15, "Iran", [("IRNA", "state_media", "IR"), ("IRGC", "military", "IR"), ("US CENTCOM", "military", "US")]),
    "RU": (12, "Russia", [("Russian Defence Ministry", "military", "RU"), ("TASS", "state_media", "RU")]),
    "CN": (10, "China", [("Xinhua", "state_media", "CN"), ("Taiwan MND", "military", "TW")]),
    "IN": (5, "India", [("DRDO", "government", "IN"), ("PTI", "news_agency", "IN")]),
    "PK": (4, "Pakistan", [("ISPR", "military", "PK")]),
    "US": (4, "United States", [("US Air Force", "military", "US"), ("US Space Force", "military", "US")]),
    "YE": (5, "the Houthis", [("Yahya Saree", "military", "YE"), ("US CENTCOM", "military", "US")]),
}
CLASSES = {"srbm": "short-range ballistic missile", "mrbm": "medium-range ballistic missile",
           "irbm": "intermediate-range ballistic missile", "icbm": "intercontinental ballistic missile",
           "slbm": "submarine-launched ballistic missile", "cruise": "cruise missile",
           "hypersonic": "hypersonic missile", "ballistic": "ballistic missile", "space_launch": "space rocket"}
SITES = ["Sunan", "Sohae", "Tongchang-ri", "Semnan", "Plesetsk", "Jiuquan", "Abdul Kalam Island",
         "Vandenberg", "Sinpo", "Kapustin Yar", "Hodeidah", "Shahroud"]
LANDINGS = ["the East Sea", "the Sea of Japan", "outside Japan's exclusive economic zone", "the Pacific Ocean",
            "the Red Sea", "the Bay of Bengal", "the Barents Sea", "the Yellow Sea"]
STATUSES = ["confirmed"] * 4 + ["single-source"] * 3 + ["state-media-only"] * 2 + ["unattributed"]
NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four"}


# -- the database --------------------------------------------------------------------

def vocabulary(rng: random.Random, size: int = 4000) -> tuple[list[str], list[float]]:
    syllables = ["ka", "ro", "mi", "sen", "to", "ra", "vel", "dan", "ko", "li", "mar", "est", "un", "po", "ser",
                 "at", "ion", "ter", "ba", "gu", "ne", "sh", "qu", "or", "fi", "lo"]
    words = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(size * 2)})
    words = words[:size]
    rng.shuffle(words)
    return words, [1 / (rank + 1) for rank in range(len(words))]   # Zipf-like frequencies


class Doc:
    """A document's text built piece by piece, remembering the span of each claimed value."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.claims: list[dict] = []

    def add(self, piece: str, field: str | None = None, value=None, source: str | None = None,
            hedge: str | None = None, unit: str | None = None) -> None:
        if field:
            self.claims.append({"field": field, "value": value, "start": self.length,
                                "end": self.length + len(piece), "quote": piece, "source": source,
                                "hedge": hedge, "unit": unit, "invalid": None})
        self.parts.append(piece)
        self.length += len(piece)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def launch(rng: random.Random, i: int) -> dict:
    actor = rng.choices(list(ACTORS), weights=[a[0] for a in ACTORS.values()])[0]
    day = date(1990, 1, 1) + timedelta(days=rng.randrange(36 * 365))
    roll = rng.random()
    when = None if roll < 0.03 else day.isoformat()[:7] if roll < 0.08 else day.isoformat()
    return {"n": i, "actor": actor, "day": day, "date": when, "weapon_class": rng.choice(list(CLASSES)),
            "count": rng.choice((1, 1, 1, 2, 2, 3, 4)), "distance_km": float(rng.randrange(80, 13000, 10)),
            "apogee_km": float(rng.randrange(20, 6000, 5)), "site": rng.choice(SITES),
            "landing": rng.choice(LANDINGS), "documents": rng.choice((1, 1, 1, 2, 2, 2, 3, 4)),
            "status": rng.choice(STATUSES)}


def document(ev: dict, k: int, rng: random.Random, words: tuple[list[str], list[float]]) -> tuple[Doc, dict]:
    """The k-th article about launch `ev`; its figures differ from the others' now and then."""
    name, sources = ACTORS[ev["actor"]][1], ACTORS[ev["actor"]][2]
    source = sources[k % len(sources)][0]
    distance = ev["distance_km"] if k == 0 or rng.random() < 0.7 else ev["distance_km"] + rng.choice((-50, 50, 100))
    published = ev["day"] + timedelta(days=k)
    doc = Doc()
    doc.add(f"{name} fires {CLASSES[ev['weapon_class']]}, {source} says\n\n")
    doc.add(f"SEOUL, {published:%B %d} - ")
    doc.add(name, "actor", ev["actor"], source)
    doc.add(" fired ")
    doc.add(NUMBERS[ev["count"]], "count", ev["count"], source)
    doc.add(" ")
    doc.add(CLASSES[ev["weapon_class"]], "weapon_class", ev["weapon_class"], source)
    if ev["date"]:
        doc.add(" on ")
        doc.add(f"{ev['day']:%B %d, %Y}", "date_text", f"on {ev['day']:%B %d, %Y}", source)
    doc.add(" from ")
    doc.add(ev["site"], "launch_location", ev["site"], source)
    doc.add(", ")
    doc.add(source, "reported_by", [source], source)
    doc.add(" said. The missile flew ")
    doc.add(f"about {distance:,.0f} km", "distance_km", distance, source, "about", "km")
    doc.add(" at an altitude of ")
    doc.add(f"{ev['apogee_km']:,.0f} km", "apogee_km", ev["apogee_km"], source, None, "km")
    doc.add(" before it came down in ")
    doc.add(ev["landing"], "landing", ev["landing"], source)
    doc.add(". ")
    filler = rng.choices(words[0], weights=words[1], k=rng.randint(140, 190))
    for start in range(0, len(filler), 14):
        doc.add(" ".join(filler[start:start + 14]).capitalize() + ". ")
    meta = {"source": source, "published": published.isoformat(), "distance_km": distance}
    return doc, meta


def rows_for(ev: dict, rng: random.Random, words, now: str) -> tuple[list, list, list, dict]:
    docs, reports, claims, metas = [], [], [], []
    for k in range(ev["documents"]):
        doc, meta = document(ev, k, rng, words)
        text = doc.text
        doc_id = hashlib.sha256(text.encode()).hexdigest()
        external = f"bench-{ev['n']}-{k}"
        report_id = "ev-" + hashlib.sha1(f"{doc_id}:0".encode()).hexdigest()[:12]
        docs.append({"id": doc_id, "external_id": external, "source": f"bench/{external}.txt",
                     "url": f"https://news.example/{external}", "publisher": meta["source"],
                     "original_publisher": None, "published": meta["published"], "published_from": "given",
                     "title": text.split("\n", 1)[0], "text": text, "captions": [], "warnings": [],
                     "status": "ok", "error": None, "ingested_at": now, "minhash": None})
        values = {"actor": ev["actor"], "date": ev["date"], "date_text": None, "weapon_class": ev["weapon_class"],
                  "weapon_name": None, "count": ev["count"], "platform": None, "launch_location": ev["site"],
                  "landing": ev["landing"], "distance_km": meta["distance_km"], "apogee_km": ev["apogee_km"],
                  "flight_time_s": None, "outcome": None, "reported_by": [meta["source"]], "is_primary": True}
        reports.append({"id": report_id, "doc_id": doc_id, "index": 0, **values, "event_id": None})
        claims += [{"report_id": report_id, "doc_id": doc_id, **c} for c in doc.claims]
        metas.append({**meta, "external": external, "report_id": report_id, "doc": doc})
    event_id = "ev-" + hashlib.sha1(f"event:{min(r['id'] for r in reports)}".encode()).hexdigest()[:12]
    for r in reports:
        r["event_id"] = event_id
    return docs, reports, claims, event_row(ev, event_id, metas, now)


def event_row(ev: dict, event_id: str, metas: list[dict], now: str) -> dict:
    first = metas[0]
    sources: dict[str, dict] = {}
    for m in metas:
        kind, country = next((k, c) for n, k, c in ACTORS[ev["actor"]][2] if n == m["source"])
        entry = sources.setdefault(m["source"], {"name": m["source"], "kind": kind, "country": country,
                                                 "documents": [], "citations": 0})
        entry["documents"].append(m["external"])
        entry["citations"] += 1
    conflicts = []
    distances = sorted({m["distance_km"] for m in metas})
    if len(distances) > 1:
        conflicts.append({"field": "distance_km", "kind": "disagree", "values": distances,
                          "chosen": first["distance_km"],
                          "claims": [{"value": m["distance_km"], "unit": "km", "source": m["source"],
                                      "document": m["external"], "quote": f"about {m['distance_km']:,.0f} km"}
                                     for m in metas]})
    choices = {f: {"reason": f"{first['source']} (first report)", "source": first["source"],
                   "document": first["external"]}
               for f in ("actor", "date", "weapon_class", "count", "launch_location", "landing", "distance_km",
                         "apogee_km")}
    published = sorted(m["published"] for m in metas)
    return {"id": event_id, "actor": ev["actor"], "date": ev["date"], "date_text": None,
            "weapon_class": ev["weapon_class"], "weapon_name": None, "count": ev["count"], "platform": None,
            "launch_location": ev["site"], "landing": ev["landing"], "distance_km": first["distance_km"],
            "apogee_km": ev["apogee_km"], "flight_time_s": None, "outcome": None,
            "reported_by": list(sources), "is_primary": True, "status": ev["status"], "review": None,
            "documents": [m["external"] for m in metas], "sources": list(sources.values()), "copies": [],
            "conflicts": conflicts, "choices": choices, "n_reports": len(metas),
            "first_published": published[0], "last_published": published[-1], "updated_at": now}


def build(path: Path, n_events: int, seed: int = 4) -> dict:
    """A fresh database of n_events events at `path`; returns row counts and the seconds it took."""
    from sqlalchemy import insert

    from launchwatch.store import Store
    from launchwatch.store.models import claims, documents, events, reports

    started = time.monotonic()
    path.unlink(missing_ok=True)
    rng = random.Random(seed)
    words = vocabulary(rng)
    now = "2026-11-25T00:00:00+00:00"
    counts = {"events": 0, "documents": 0, "claims": 0}
    with Store(f"sqlite:///{path}") as store:
        for first in range(0, n_events, 2000):
            batch = {"documents": [], "reports": [], "claims": [], "events": []}
            for i in range(first, min(first + 2000, n_events)):
                d, r, c, e = rows_for(launch(rng, i), rng, words, now)
                batch["documents"] += d
                batch["reports"] += r
                batch["claims"] += c
                batch["events"].append(e)
            with store.atomic() as conn:
                for table in (documents, reports, claims, events):
                    conn.execute(insert(table), batch[table.name])
            counts = {k: counts.get(k, 0) + len(batch[k]) for k in ("events", "documents", "claims")}
            print(f"\r  built {counts['events']:,} events", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return {**counts, "seconds": round(time.monotonic() - started, 1),
            "size_mb": round(path.stat().st_size / 1e6, 1)}


# -- the scenarios -----------------------------------------------------------------------

def scenarios(db: Path, rng: random.Random) -> dict[str, list[str]]:
    """Request paths per scenario, drawn from the database."""
    import sqlite3

    conn = sqlite3.connect(db)
    ids = [r[0] for r in conn.execute("SELECT id FROM events ORDER BY random() LIMIT 2000")]
    # Pages of 20,000 events: each worker's page cache (2,048 pages) then misses nine times in ten.
    many = [r[0] for r in conn.execute("SELECT id FROM events ORDER BY random() LIMIT 20000")]
    conn.close()
    filters = []
    for _ in range(300):
        params = {"actor": rng.choice(list(ACTORS)), "class": rng.choice([None, *CLASSES]),
                  "status": rng.choice([None, None, "confirmed", "single-source"]),
                  "since": rng.choice([None, None, f"{rng.randrange(1990, 2026)}"]),
                  "until": rng.choice([None, None, f"{rng.randrange(2000, 2027)}-06"])}
        filters.append("/api/events?" + urlencode({k: v for k, v in params.items() if v}))
    words = vocabulary(random.Random(4))[0]   # the build's words, most frequent first
    # Words of every frequency: one in ten among the 40 commonest (in most documents),
    # the rest anywhere in the vocabulary; a quarter of the queries have two words.
    picks = [rng.choice(words[:40]) if rng.random() < 0.1 else rng.choice(words) for _ in range(400)]
    searches = [f"/api/events?q={w}" + (f"+{rng.choice(words)}" if n % 4 == 0 else "")
                for n, w in enumerate(picks)]
    return {"events first page": ["/api/events"], "events filtered": filters, "events deep pages": [],
            "events text search": searches, "event JSON": [f"/api/events/{i}" for i in ids],
            "event page (HTML)": [f"/events/{i}" for i in ids],
            "event page, 20,000 events": [f"/events/{i}" for i in many]}


def deep_pages(base: str, pages: int = 400) -> list[str]:
    """Cursor URLs of the event list, collected by walking it (every 5th of `pages` pages, 50 rows each)."""
    import httpx

    out, url = [], f"{base}/api/events?limit=50"
    with httpx.Client(timeout=30) as client:
        for n in range(pages):
            body = client.get(url).json()
            if not body.get("next"):
                break
            url = body["next"]
            if n % 5 == 0:
                out.append(url[len(base):])
    return out


# -- the server and the load ---------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen:
    exe = Path(sys.executable).parent / "launchwatch"
    env = {**os.environ, "LAUNCHWATCH_ANONYMOUS_READ": "1"}
    proc = subprocess.Popen([str(exe), "--db", f"sqlite:///{db}", "serve", "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers), "--log-level", "warning"],
                            env=env, start_new_session=True)
    import httpx
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("the server did not start")


def stop_server(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)   # our own process group (start_new_session): uvicorn and its workers
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


WRK_SCRIPT = r"""
local paths = {}
local think = 0
init = function(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  think = tonumber(args[2])
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1e6))
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
delay = function()
  return think   -- ms each client waits after a response before its next request
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nRESULT {"requests": %d, "seconds": %.3f, "non_2xx": %d, "socket_errors": %d, "p50_ms": %.2f, "p90_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "mean_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3, latency.mean / 1e3))
end
"""


def ensure_wrk() -> str | None:
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("  installing wrk (apt-get install wrk)", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-q"], capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], capture_output=True)
    return shutil.which("wrk")


def wait_idle(base: str, timeout: float = 120) -> None:
    """Until the server answers at once again: requests left over from a scenario must not slow the next."""
    import httpx
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        start = time.perf_counter()
        httpx.get(f"{base}/api/health", timeout=timeout)
        if time.perf_counter() - start < 0.02:
            return
        time.sleep(0.5)


def run_wrk(base: str, paths: list[str], seconds: int, tmp: Path, think_ms: int) -> dict:
    script, listing = tmp / "load.lua", tmp / "paths.txt"
    script.write_text(WRK_SCRIPT)
    listing.write_text("\n".join(paths) + "\n")
    command = ["wrk", "-t", "2", "-c", str(CLIENTS), "-d", f"{seconds}s", "--timeout", "10s", "-s", str(script),
               base, "--", str(listing), str(think_ms)]
    subprocess.run([*command[:6], "2s", *command[7:]], capture_output=True)   # warm-up
    done = subprocess.run(command, capture_output=True, text=True)
    line = next((l for l in done.stdout.splitlines() if l.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk failed: {done.stdout}\n{done.stderr}")
    result = json.loads(line[len("RESULT "):])
    result["rps"] = round(result["requests"] / result["seconds"], 1)
    return result


async def _python_load(base: str, paths: list[str], seconds: float, think_ms: int) -> dict:
    import httpx

    latencies, statuses = [], {"non_2xx": 0, "socket_errors": 0}
    deadline = time.monotonic() + seconds
    rng = random.Random(7)

    async def client_loop(client):
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                response = await client.get(rng.choice(paths))
                await response.aread()
                statuses["non_2xx"] += response.status_code >= 300
            except httpx.HTTPError:
                statuses["socket_errors"] += 1
                continue
            latencies.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(think_ms / 1000)

    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
        started = time.monotonic()
        await asyncio.gather(*(client_loop(client) for _ in range(CLIENTS)))
        elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 2) if latencies else 0.0

    return {"requests": len(latencies), "seconds": round(elapsed, 3), **statuses, "p50_ms": pct(50),
            "p90_ms": pct(90), "p99_ms": pct(99), "max_ms": round(latencies[-1], 2) if latencies else 0.0,
            "mean_ms": round(sum(latencies) / max(1, len(latencies)), 2),
            "rps": round(len(latencies) / elapsed, 1)}


def run_python(base: str, paths: list[str], seconds: int, think_ms: int) -> dict:
    asyncio.run(_python_load(base, paths, 2, think_ms))   # warm-up
    return asyncio.run(_python_load(base, paths, seconds, think_ms))


# -- main ------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="database file (default benchmarks/out/serve-N.db)")
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if it exists")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (default 2)")
    parser.add_argument("--seconds", type=int, default=20, help="measured seconds per scenario")
    parser.add_argument("--tool", choices=("wrk", "python"), default="wrk")
    parser.add_argument("--think", type=int, nargs="+", default=[0, 100], metavar="MS",
                        help="runs with each client waiting MS after every response (0: back to back)")
    parser.add_argument("--only", help="run only the scenarios whose name starts with this")
    parser.add_argument("--json", type=Path, default=OUT / "serve_latency.json")
    args = parser.parse_args()

    OUT.mkdir(parents=True, exist_ok=True)
    before = machine()   # the load average before this benchmark adds its own
    db = args.db or OUT / f"serve-{args.events}.db"
    built = None
    if args.rebuild or not db.exists():
        print(f"building {db} with {args.events:,} events", file=sys.stderr)
        built = build(db, args.events)
        print(f"  {built}", file=sys.stderr)
    tool = args.tool if args.tool == "python" or ensure_wrk() else "python"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(db, port, args.workers)
    results = {}
    try:
        paths = scenarios(db, random.Random(11))
        paths["events deep pages"] = deep_pages(base)
        with tempfile.TemporaryDirectory() as tmp:
            for think in args.think:
                for name, urls in paths.items():
                    if args.only and not name.startswith(args.only):
                        continue
                    wait_idle(base)
                    print(f"  {name}: {CLIENTS} clients, think {think} ms, {args.seconds} s ({tool})",
                          file=sys.stderr)
                    results[f"{name} | think {think} ms"] = (
                        run_wrk(base, urls, args.seconds, Path(tmp), think) if tool == "wrk"
                        else run_python(base, urls, args.seconds, think))
    finally:
        stop_server(proc)
    report(results, args, tool, db, built, before)


def report(results: dict, args, tool: str, db: Path, built: dict | None, before: dict) -> None:
    head = f"{'scenario':<36} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7}"
    print(head)
    for name, r in results.items():
        errors = r["non_2xx"] + r["socket_errors"]
        flag = "" if r["p99_ms"] < TARGET_P99_MS else "  (p99 over target)"
        print(f"{name:<36} {r['rps']:>8.1f} {r['p50_ms']:>8.1f} {r['p90_ms']:>8.1f} {r['p99_ms']:>8.1f} "
              f"{r['max_ms']:>8.1f} {errors:>7}{flag}")
    figures = {"machine": before, "load_1min_after": machine()["load_1min"], "checkout": checkout(ROOT), "events": args.events, "workers": args.workers,
               "clients": CLIENTS, "seconds": args.seconds, "tool": tool, "database": str(db),
               "database_mb": round(db.stat().st_size / 1e6, 1), "build": built, "results": results}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"figures written to {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
