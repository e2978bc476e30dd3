"""Shared fixtures: hand-built records, real stores, a stand-in pipeline.

Database fixtures:
    db_url     a fresh empty database, once on SQLite (a file in tmp_path) and once on
               PostgreSQL: a test that takes it runs on both backends ([sqlite], [postgresql])
    pg_url     a fresh empty PostgreSQL database only (postgresql+psycopg://...)
    store      a Store on a SQLite file (tmp_path / "lw.db")

PostgreSQL is a throwaway server (tests/pg_server.py) started once per session,
on first use, or the server at $LAUNCHWATCH_TEST_PG_URL (its user needs
CREATEDB). If it cannot start, PostgreSQL tests fail with the reason;
LAUNCHWATCH_SKIP_PG=1 skips them instead.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from launchwatch.pipeline import Result
from launchwatch.records import Article, Event, Evidence, RawDocument
from launchwatch.store import Store
from pg_server import PgServer, PgUnavailable

LAUNCH_RE = re.compile(
    r"(?P<actor>North Korea|Iran) fired (?P<count>one|two|three) "
    r"(?P<weapon_class>ballistic|cruise) missiles? on (?P<date>\d{4}(?:-\d{2}){0,2})"
    r"(?:, (?P<reported_by>[A-Z][\w ]+?) said)?"
)
ACTORS = {"North Korea": "KP", "Iran": "IR"}
NUMBERS = {"one": 1, "two": 2, "three": 3}


def span(text: str, match: re.Match, group: str, source=None) -> Evidence:
    return Evidence(match.start(group), match.end(group), match.group(group), source)


def toy_extract(article: Article) -> list[Event]:
    """One Event per "X fired N class missiles on DATE[, WHO said]" sentence."""
    events = []
    for m in LAUNCH_RE.finditer(article.text):
        who = m.group("reported_by")
        values = {"actor": ACTORS[m.group("actor")], "date": m.group("date"),
                  "weapon_class": m.group("weapon_class"), "count": NUMBERS[m.group("count")],
                  "reported_by": [who] if who else [], "is_primary": not events}
        evidence = {"actor": [span(article.text, m, "actor", who)],
                    "date": [span(article.text, m, "date", who)],
                    "weapon_class": [span(article.text, m, "weapon_class", who)],
                    "count": [span(article.text, m, "count", who)]}
        events.append(Event(values, evidence))
    return events


def make_result(text: str, source: str = "doc.txt", external_id: str | None = None,
                events: list[Event] | None = None, **article_fields) -> Result:
    raw = RawDocument(source=source, content=text.encode(), external_id=external_id)
    article = Article(doc_id=raw.doc_id, source=source, text=text, external_id=external_id,
                      **article_fields)
    return Result(raw, article, toy_extract(article) if events is None else events)


def failed_result(source: str = "missing.txt", error: str = "no such file") -> Result:
    return Result(RawDocument(source=source, error=error), error=error)


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No LAUNCHWATCH_* variables, and cwd in tmp_path (the default launchwatch.db lands there)."""
    for name in ("LAUNCHWATCH_DB", "LAUNCHWATCH_KNOWLEDGE", "LAUNCHWATCH_MAX_BYTES", "LAUNCHWATCH_PREFILTER",
                 "LAUNCHWATCH_ANALYST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'lw.db'}") as s:
        yield s


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL server, or the PgUnavailable that says why there is none."""
    if os.environ.get("LAUNCHWATCH_TEST_PG_URL"):
        yield PgServer.external(os.environ["LAUNCHWATCH_TEST_PG_URL"])
        return
    try:
        server = PgServer.start()
    except PgUnavailable as err:
        yield err  # each test that needs the server fails with this reason
        return
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(request):
    """A fresh, empty PostgreSQL database, dropped after the test."""
    if os.environ.get("LAUNCHWATCH_SKIP_PG") == "1":
        pytest.skip("LAUNCHWATCH_SKIP_PG=1")
    pg_server = request.getfixturevalue("pg_server")  # started only when not skipped
    if isinstance(pg_server, PgUnavailable):
        pytest.fail(f"PostgreSQL unavailable: {pg_server}\n(set LAUNCHWATCH_TEST_PG_URL to use "
                    "a running server, or LAUNCHWATCH_SKIP_PG=1 to skip these tests)", pytrace=False)
    url = pg_server.create_database()
    yield url
    pg_server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database URL on each backend in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lw.db'}"
    return request.getfixturevalue("pg_url")


def _toy_read_sources(paths, *, manifest=None, published=None, settings=None):
    entries = [(p, None) for p in paths]
    if manifest:
        base = Path(manifest).parent
        for line in Path(manifest).read_text().splitlines():
            item = json.loads(line)
            entries.append((str(base / item["path"]), item))
    for path, item in entries:
        files = sorted(Path(path).iterdir()) if Path(path).is_dir() else [Path(path)]
        for f in files:
            ext_id = item and item.get("id")
            if not f.exists():
                yield RawDocument(source=str(f), external_id=ext_id, error=f"no such file: {f}")
            elif not f.read_bytes().strip():
                yield RawDocument(source=str(f), external_id=ext_id, error="empty document")
            else:
                yield RawDocument(source=str(f), content=f.read_bytes(), external_id=ext_id,
                                  published=(item or {}).get("published") or published)


def _toy_process(raw, settings=None, knowledge=None) -> Result:
    if raw.error:
        return Result(raw, error=raw.error)
    text = raw.content.decode()
    article = Article(doc_id=raw.doc_id, source=raw.source, text=text, external_id=raw.external_id,
                      published=raw.published, title=text.splitlines()[0], publisher="Toy News",
                      url=f"https://news.example/{Path(raw.source).stem}")
    return Result(raw, article, toy_extract(article))


@pytest.fixture
def toy_pipeline(monkeypatch):
    """Stand-in sources + pipeline (plain files, LAUNCH_RE extraction), no knowledge."""
    import launchwatch.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "read_sources", _toy_read_sources)
    monkeypatch.setattr(ingest_module, "process", _toy_process)
    monkeypatch.setattr(ingest_module, "load_knowledge", lambda dirs: None)
