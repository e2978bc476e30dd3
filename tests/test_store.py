"""Store tests. Most take `db_url` (via `store`), so they run on SQLite and on PostgreSQL."""
from __future__ import annotations

import json

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, inspect, text as sql

from conftest import failed_result, make_result
from pg_server import free_port
from launchwatch.errors import StoreError
from launchwatch.pipeline import Result
from launchwatch.records import Event, Evidence
from launchwatch.store import Store, event_id
from launchwatch.store import store as store_module

TEXT = ("Seoul, March 5. North Korea fired two ballistic missiles on 2022-03-05, "
        "South Korea JCS said. It was the ninth launch this year.")
TWO = ("North Korea fired one ballistic missile on 2022-01-05, JCS said. "
       "Iran fired three cruise missiles on 2022-02, IRNA said.")


@pytest.fixture
def store(db_url):
    with Store(db_url) as s:
        yield s


def table_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        out = {t: conn.execute(sql(f"SELECT COUNT(*) FROM {t}")).scalar() for t in
               ("documents", "reports", "claims")}
    engine.dispose()
    return out


def test_store_add_result_writes_document_events_and_claims(store):
    result = make_result(TEXT, external_id="seed", title="Launch", url="https://x.example/a")
    assert store.add_result(result) == "added"
    assert store.counts() == {"documents": 1, "ok": 1, "failed": 0, "skipped": 0, "reports": 1, "events": 0, "claims": 4}
    [doc] = store.documents()
    assert doc["id"] == result.article.doc_id and doc["status"] == "ok"
    assert doc["external_id"] == "seed" and doc["url"] == "https://x.example/a"
    assert store.document_text(doc["id"]) == TEXT
    [ev] = store.reports()
    assert ev["id"] == event_id(result.article.doc_id, 0)
    assert (ev["actor"], ev["date"], ev["count"], ev["reported_by"]) == ("KP", "2022-03-05", 2, ["South Korea JCS"])
    assert ev["is_primary"] is True and ev["external_id"] == "seed"


def test_store_reingest_same_document_is_duplicate_and_changes_nothing(store, db_url):
    result = make_result(TEXT)
    store.add_result(result)
    before = (store.documents(), store.reports(evidence=True))
    assert store.add_result(make_result(TEXT)) == "duplicate"
    assert (store.documents(), store.reports(evidence=True)) == before
    assert table_counts(db_url) == {"documents": 1, "reports": 1, "claims": 4}


def test_store_failed_result_recorded_once(store):
    assert store.add_result(failed_result("gone.txt", "no such file: gone.txt")) == "failed"
    first = store.documents(status="failed")
    assert store.add_result(failed_result("gone.txt", "no such file: gone.txt")) == "failed"
    assert store.documents(status="failed") == first
    [doc] = first
    assert (doc["source"], doc["status"], doc["error"]) == ("gone.txt", "failed", "no such file: gone.txt")
    assert store.counts()["reports"] == 0


def test_store_failed_then_ok_replaces_failed_row(store):
    ok = make_result(TEXT, source="a.txt")
    store.add_result(Result(ok.raw, error="parser crashed"))  # same content, failed earlier
    assert store.documents()[0]["status"] == "failed"
    assert store.add_result(ok) == "added"
    [doc] = store.documents()
    assert doc["status"] == "ok" and doc["error"] is None
    assert store.counts()["reports"] == 1


def test_store_ok_document_not_downgraded_by_later_failure(store):
    ok = make_result(TEXT)
    store.add_result(ok)
    assert store.add_result(Result(ok.raw, error="boom")) == "failed"
    assert store.documents()[0]["status"] == "ok"
    assert store.counts()["reports"] == 1


def test_store_rejects_evidence_that_does_not_quote_text(store):
    bad = Event({"actor": "KP", "count": 2, "is_primary": True},
                {"count": [Evidence(0, 3, "two")]})  # text[0:3] is "Seo"
    with pytest.raises(StoreError, match="does not quote"):
        store.add_result(make_result(TEXT, events=[bad]))
    assert store.counts()["documents"] == 0


def test_store_rejects_evidence_outside_text(store):
    bad = Event({"actor": "KP", "is_primary": True},
                {"actor": [Evidence(len(TEXT), len(TEXT) + 5, "")]})
    with pytest.raises(StoreError):
        store.add_result(make_result(TEXT, events=[bad]))
    assert store.counts() == {"documents": 0, "ok": 0, "failed": 0, "skipped": 0, "reports": 0, "events": 0, "claims": 0}


def test_store_crash_mid_claims_leaves_db_consistent_and_rerun_completes(store, db_url, monkeypatch):
    result = make_result(TWO)
    assert len(result.events) == 2
    real = store_module._claim_rows
    calls = []

    def crash_on_second_event(*args):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(*args)

    monkeypatch.setattr(store_module, "_claim_rows", crash_on_second_event)
    with pytest.raises(RuntimeError, match="power cut"):
        store.add_result(result)
    assert table_counts(db_url) == {"documents": 0, "reports": 0, "claims": 0}

    monkeypatch.setattr(store_module, "_claim_rows", real)
    assert store.add_result(result) == "added"
    assert table_counts(db_url) == {"documents": 1, "reports": 2, "claims": 8}


def test_store_event_ids_are_stable_across_databases(db_url, tmp_path):
    ids = []
    for url in (db_url, str(tmp_path / "other.db")):
        with Store(url) as s:
            s.add_result(make_result(TWO))
            ids.append([e["id"] for e in s.reports()])
    assert ids[0] == ids[1] and all(i.startswith("ev-") and len(i) == 15 for i in ids[0])


def _filled(store):
    store.add_result(make_result(TWO, source="two.txt"))
    store.add_result(make_result(TEXT, source="text.txt"))
    store.add_result(make_result("Iran fired one ballistic missile on 2021, IRNA said.", source="y.txt"))
    return {(e["actor"], e["date"]) for e in store.reports()}


def test_store_events_ordered_by_date_then_id(store):
    _filled(store)
    dates = [e["date"] for e in store.reports()]
    assert dates == ["2021", "2022-01-05", "2022-02", "2022-03-05"]


@pytest.mark.parametrize("filters, expected", [
    ({"actor": "KP"}, ["2022-01-05", "2022-03-05"]),
    ({"actor": "ir"}, ["2021", "2022-02"]),
    ({"weapon_class": "cruise"}, ["2022-02"]),
    ({"since": "2022-02"}, ["2022-02", "2022-03-05"]),
    ({"since": "2022-02-10"}, ["2022-02", "2022-03-05"]),   # month "2022-02" may fall after the 10th
    ({"until": "2022-02"}, ["2021", "2022-01-05", "2022-02"]),
    ({"until": "2022-01-04"}, ["2021"]),
    ({"since": "2022", "until": "2022-01"}, ["2022-01-05"]),
    ({"since": "2021-06", "actor": "IR"}, ["2021", "2022-02"]),
])
def test_store_events_filters(store, filters, expected):
    _filled(store)
    assert [e["date"] for e in store.reports(**filters)] == expected


def test_store_events_bad_date_raises_store_error(store):
    with pytest.raises(StoreError, match="bad date"):
        store.reports(since="March 2022")


def test_store_event_has_evidence_sentence_and_document(store):
    store.add_result(make_result(TEXT, external_id="seed", title="Two missiles", publisher="Wire",
                                 original_publisher="Reuters"))
    ev = store.report(store.reports()[0]["id"])
    [count] = ev["evidence"]["count"]
    assert count["quote"] == "two" and count["value"] == 2 and count["source"] == "South Korea JCS"
    assert TEXT[count["start"]:count["end"]] == "two"
    assert count["sentence"] == "North Korea fired two ballistic missiles on 2022-03-05, South Korea JCS said."
    assert ev["document"]["title"] == "Two missiles"
    assert ev["document"]["original_publisher"] == "Reuters"
    assert list(ev["evidence"]) == ["actor", "date", "weapon_class", "count"]
    assert store.report("ev-000000000000") is None


def test_store_bare_path_and_sqlite_url_open_same_file(tmp_path):
    with Store(str(tmp_path / "x.db")) as s:
        s.add_result(make_result(TEXT))
    with Store(f"sqlite:///{tmp_path / 'x.db'}") as s:
        assert s.counts()["reports"] == 1


def test_store_postgresql_url_without_driver_opens_same_database(pg_url):
    with Store(pg_url) as s:
        s.add_result(make_result(TEXT))
    with Store(pg_url.replace("postgresql+psycopg://", "postgresql://", 1)) as s:
        assert s.counts()["reports"] == 1


def _head_revision() -> str:
    from importlib import resources

    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(resources.files("launchwatch") / "migrations")).get_current_head()


def test_store_records_named_migration_and_reopens(db_url):
    Store(db_url).close()
    Store(db_url).close()  # second open: already at head, nothing to do
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.execute(sql("SELECT version_num FROM alembic_version")).scalars().all() == [_head_revision()]
    assert {"documents", "reports", "events", "claims"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_store_migration_0008_indexes_the_reports_of_earlier_reviews(db_url):
    """Reviews recorded before migration 0008 get their review_reports rows."""
    from importlib import resources

    from alembic import command
    from alembic.config import Config

    engine = create_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("launchwatch") / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007_event_search")
        anchors = "CAST(:r AS json)" if engine.dialect.name == "postgresql" else ":r"
        for n, report_ids in enumerate((["ev-a", "ev-b", "ev-a"], [], ["ev-c"])):
            conn.execute(sql("INSERT INTO reviews (created_at, analyst, action, event_id, report_ids) "
                             f"VALUES ('2026-01-01', 'kim', 'confirm', :e, {anchors})"),
                         {"e": f"ev-{n}", "r": json.dumps(report_ids)})
    engine.dispose()
    with Store(db_url) as store, store.engine.connect() as conn:
        pairs = conn.execute(sql("SELECT review_id, report_id FROM review_reports ORDER BY 1, 2")).all()
    assert [tuple(p) for p in pairs] == [(1, "ev-a"), (1, "ev-b"), (3, "ev-c")]


def test_store_models_match_migrations(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from launchwatch.store.models import FULLTEXT_OBJECTS, metadata

    def described(obj, name, type_, reflected, compare_to):
        return not (name or "").startswith(FULLTEXT_OBJECTS)

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": described})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_store_migrations_render_for_postgresql(capsys):
    from importlib import resources

    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("launchwatch") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", "postgresql://localhost/launchwatch")
    command.upgrade(cfg, "head", sql=True)
    ddl = capsys.readouterr().out
    assert "CREATE TABLE documents" in ddl and "CREATE TABLE claims" in ddl
    assert "SERIAL" in ddl and "JSON" in ddl  # claims.id autoincrement, JSON columns


def test_store_unusable_url_raises_store_error(tmp_path):
    with pytest.raises(StoreError):
        Store(f"sqlite:///{tmp_path / 'no' / 'such' / 'dir' / 'x.db'}")
    with pytest.raises(StoreError):
        Store("nosuchdialect://x/y")
    with pytest.raises(StoreError, match="cannot open database") as err:
        Store(f"postgresql+psycopg://nobody:s3cret@127.0.0.1:{free_port()}/x")  # nothing listens there
    assert "s3cret" not in str(err.value) and "nobody:***@" in str(err.value)


def _launch(day: int):
    return make_result(f"North Korea fired one ballistic missile on 2022-01-{day:02d}, JCS said.",
                       source=f"day{day}.txt")


_start = None  # the barrier both writers wait at, set in each worker


def _set_start(barrier) -> None:
    global _start
    _start = barrier


def _write_days(url: str, days: list[int]) -> list[str]:
    _start.wait(timeout=60)  # open (and migrate) the fresh database at the same time, too
    with Store(url) as s:
        return [s.add_result(_launch(day) if day else failed_result("gone.txt")) for day in days]


@pytest.mark.parametrize("workers", ["threads", "processes"])
def test_store_concurrent_writers_store_each_document_once(pg_url, workers):
    if workers == "threads":
        pool = ThreadPoolExecutor(2, initializer=_set_start, initargs=(threading.Barrier(2),))
    else:  # like two `launchwatch ingest` runs
        # fork skips re-importing everything (3 s), but is safe only in a single-threaded parent
        ctx = multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")
        pool = ProcessPoolExecutor(2, mp_context=ctx, initializer=_set_start, initargs=(ctx.Barrier(2),))
    shared = [0, *range(1, 21)]  # 0: a document that failed; both race on every shared one
    with pool:
        a = pool.submit(_write_days, pg_url, shared + list(range(21, 25)))
        b = pool.submit(_write_days, pg_url, shared + list(range(25, 29)))
        outcomes = a.result(timeout=120) + b.result(timeout=120)
    assert (outcomes.count("added"), outcomes.count("duplicate"), outcomes.count("failed")) == (28, 20, 2)
    with Store(pg_url) as s:
        assert s.counts() == {"documents": 29, "ok": 28, "failed": 1, "skipped": 0, "reports": 28, "events": 0, "claims": 112}
        assert len({e["doc_id"] for e in s.reports()}) == 28
