"""The JSON API (/api/...) through FastAPI's TestClient, on SQLite and PostgreSQL (db_url).

The database holds tests/data/resolution (real extraction: one launch told by
six articles, a distractor, another state's launch) plus hand-built documents:
dated toy launches spread over two years and two undated ones.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import HTTPException
from sqlalchemy import func, select, text
from fastapi.testclient import TestClient

from conftest import failed_result, make_result
from launchwatch.ingest import ingest
from launchwatch.knowledge import load_knowledge
from launchwatch.records import Event, Evidence
from launchwatch.resolve import get_event, list_events, rebuild, resolve_pending
from launchwatch.resolve.actions import record
from launchwatch.settings import Settings
from launchwatch.store import Store
from launchwatch.store.models import events
from launchwatch.web.app import create_app
from launchwatch.web.settings import WebSettings

SET = Path(__file__).parent / "data" / "resolution"
KNOWLEDGE = load_knowledge()
TOY_LAUNCHES = [  # (actor, class, date, source)
    ("North Korea", "ballistic", "2023-01-05", "Yonhap"), ("Iran", "cruise", "2023-02-11", None),
    ("North Korea", "ballistic", "2023-03-19", None), ("North Korea", "cruise", "2023-05-02", "Yonhap"),
    ("Iran", "ballistic", "2023-07-30", "IRNA"), ("North Korea", "ballistic", "2023-09-14", None),
    ("Iran", "cruise", "2023-11-21", None), ("North Korea", "ballistic", "2024-01-08", "Yonhap"),
    ("North Korea", "cruise", "2024-02-26", None), ("Iran", "ballistic", "2024-04-13", "IRNA"),
    ("North Korea", "ballistic", "2024-06-01", None), ("North Korea", "ballistic", "2022-10", None),
    ("North Korea", "cruise", "2021", None),
]
RARE_WORD = "zanzibarite"   # only in the text of the 2023-09-14 toy document


def _toy_text(actor: str, weapon_class: str, date: str, source: str | None) -> str:
    said = f", {source} said" if source else ""
    extra = f" Observers watched from {RARE_WORD.title()} Point." if date == "2023-09-14" else ""
    return f"Report {date}. {actor} fired two {weapon_class} missiles on {date}{said}.{extra}\n"


def _undated(actor: str, text: str) -> Event:
    start = text.index("launched")
    return Event({"actor": actor, "weapon_class": "cruise", "count": 1, "reported_by": [], "is_primary": True},
                 {"weapon_class": [Evidence(start, start + 8, "launched")]})


def _load(store: Store, tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text("".join(json.dumps({**json.loads(line), "path": str(SET / json.loads(line)["path"])}) + "\n"
                                for line in (SET / "manifest.jsonl").read_text().splitlines()))
    ingest([], store=store, settings=Settings(), manifest=str(manifest))
    for n, launch in enumerate(TOY_LAUNCHES):
        store.add_result(make_result(_toy_text(*launch), source=f"toy{n}.txt", external_id=f"toy-{n}",
                                     published=launch[2] if len(launch[2]) == 10 else None,
                                     title=f"Toy launch {n}"))
    for actor in ("IN", "PK"):
        text = f"The {actor} navy launched something, officials said.\n"
        store.add_result(make_result(text, source=f"undated-{actor}.txt", external_id=f"undated-{actor}",
                                     events=[_undated(actor, text)]))
    resolve_pending(store, KNOWLEDGE)


@pytest.fixture
def store(db_url, tmp_path):
    with Store(db_url) as s:
        _load(s, tmp_path)
        yield s


@pytest.fixture
def client(store):
    app = create_app(WebSettings(core=Settings(db_url=store.url), anonymous_read=True,
                                 secret_key="test-secret-key"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def bare_client(tmp_path):
    """An app on an empty SQLite database: for what storage does not change (error shapes)."""
    app = create_app(WebSettings(core=Settings(db_url=f"sqlite:///{tmp_path / 'bare.db'}"), anonymous_read=True,
                                 secret_key="test-secret-key"))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _walk(client: TestClient, url: str) -> list[dict]:
    """Every event of a list, following `next` links; fails on a page seen twice."""
    rows, seen = [], set()
    while url:
        assert url not in seen
        seen.add(url)
        page = client.get(url)
        assert page.status_code == 200, page.text
        rows += page.json()["events"]
        url = page.json()["next"]
    return rows


def _expected_order(events: list[dict]) -> list[str]:
    dated = sorted((e for e in events if e["date"]), key=lambda e: (e["date"], e["id"]), reverse=True)
    return [e["id"] for e in dated] + sorted((e["id"] for e in events if not e["date"]), reverse=True)


# -- the list ---------------------------------------------------------------------

def test_web_api_lists_events_newest_first_undated_last(client, store):
    body = client.get("/api/events?limit=500").json()
    assert body["next"] is None
    assert [e["id"] for e in body["events"]] == _expected_order(list_events(store))
    assert len(body["events"]) == 3 + len(TOY_LAUNCHES) + 2
    assert {e["actor"] for e in body["events"][-2:]} == {"IN", "PK"}
    assert [e["date"] for e in body["events"][-2:]] == [None, None]
    main = next(e for e in body["events"] if e["n_docs"] == 6)
    assert main["actor"] == "KP" and main["date"] == "2026-03-04" and main["status"] == "confirmed"
    assert set(main["conflict_fields"]) >= {"distance_km", "apogee_km"}


@pytest.mark.parametrize("params, cli_filter", [
    ({"actor": "kp"}, {"actor": "KP"}),
    ({"class": "cruise"}, {"weapon_class": "cruise"}),
    ({"since": "2024"}, {"since": "2024"}),
    ({"since": "2021-05-02", "until": "2023-02"}, {"since": "2021-05-02", "until": "2023-02"}),   # 2021 and 2022-10
    ({"until": "2021-03"}, {"until": "2021-03"}),
    ({"until": "2023-06"}, {"until": "2023-06"}),
    ({"since": "2023-03", "until": "2023-09-14", "actor": "KP"},
     {"since": "2023-03", "until": "2023-09-14", "actor": "KP"}),
    ({"status": "confirmed"}, {"status": "confirmed"}),
    ({"status": "unattributed", "class": "ballistic"}, {"status": "unattributed", "weapon_class": "ballistic"}),
])
def test_web_api_filters_match_the_library_listing(client, store, params, cli_filter):
    expected = _expected_order(list_events(store, **cli_filter))
    assert expected, "a filter that keeps nothing tests nothing"
    got = _walk(client, "/api/events?limit=3&" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert [e["id"] for e in got] == expected


def test_web_api_rejected_events_are_left_out_unless_asked_for(client, store):
    victim = list_events(store, actor="IR")[0]["id"]
    record(store, "reject", [victim], analyst="kim", reason="an exercise")
    listed = [e["id"] for e in client.get("/api/events?limit=500").json()["events"]]
    assert victim not in listed
    assert [e["id"] for e in client.get("/api/events?status=rejected").json()["events"]] == [victim]


def test_web_api_keyset_pages_walk_every_event_once_and_keep_the_filters(client, store):
    everything = [e["id"] for e in client.get("/api/events?limit=500").json()["events"]]
    for limit in (1, 2, 5):
        walked = [e["id"] for e in _walk(client, f"/api/events?limit={limit}")]
        assert walked == everything and len(set(walked)) == len(walked)
    first = client.get("/api/events?actor=KP&class=ballistic&limit=2").json()
    query = parse_qs(urlsplit(first["next"]).query)
    assert first["next"].startswith("http://testserver/api/events?")
    assert query["actor"] == ["KP"] and query["class"] == ["ballistic"] and query["limit"] == ["2"]
    walked = _walk(client, "/api/events?actor=KP&class=ballistic&limit=2")
    assert [e["id"] for e in walked] == _expected_order(list_events(store, actor="KP", weapon_class="ballistic"))


def test_web_api_text_search_finds_an_event_by_a_word_only_in_its_article(client, store):
    [toy] = [e for e in list_events(store) if e["date"] == "2023-09-14"]
    assert RARE_WORD not in json.dumps(toy).lower()
    assert [e["id"] for e in client.get(f"/api/events?q={RARE_WORD}").json()["events"]] == [toy["id"]]
    assert [e["id"] for e in client.get(f"/api/events?q={RARE_WORD.upper()}&actor=KP").json()["events"]] == [toy["id"]]
    assert client.get(f"/api/events?q={RARE_WORD}&actor=IR").json()["events"] == []
    assert [e["id"] for e in client.get("/api/events?q=zanzib*").json()["events"]] == [toy["id"]]
    # every word must be there; stems match ("launches" finds "launched")
    assert client.get(f"/api/events?q={RARE_WORD}+hwasong").json()["events"] == []
    main = [e["id"] for e in client.get("/api/events?q=hwasong+pyongyang").json()["events"]]
    assert main == [e["id"] for e in list_events(store) if e["date"] == "2026-03-04" and e["actor"] == "KP"]
    undated = {e["actor"] for e in client.get("/api/events?q=launches+navy").json()["events"]}
    assert undated == {"IN", "PK"}
    assert client.get("/api/events?q=%22%29%28*+OR+NEAR").status_code == 200   # query syntax is not passed on


def _events_of_matching_documents(store, q: str) -> list[dict]:
    """The events one of whose documents the documents' index (migration 0006) finds for `q`."""
    from launchwatch.store.models import reports
    from launchwatch.web import fulltext

    with store.engine.connect() as conn:
        docs = fulltext.matching_doc_ids(conn, fulltext.terms(q))
        ids = set(conn.execute(select(reports.c.event_id).where(reports.c.doc_id.in_(docs))).scalars())
    return [e for e in list_events(store) if e["id"] in ids]


@pytest.mark.parametrize("q", [RARE_WORD, "hwasong", "launches", "missiles", "yonhap said", "zanzib*", "nosuch"])
@pytest.mark.parametrize("filters", ["", "&actor=KP", "&since=2023-03", "&until=2024-01-08", "&class=ballistic"])
def test_web_api_text_search_walks_the_events_of_the_matching_documents_in_list_order(client, store, q, filters):
    """Every page size gives the events of the matching documents, in list order, filters applied.

    (SQLite reads a second index kept in list order, migration 0007; PostgreSQL joins the first.)
    """
    narrowed = client.get(f"/api/events?limit=500{filters}").json()["events"]
    allowed = {e["id"] for e in narrowed}
    expected = [i for i in _expected_order(_events_of_matching_documents(store, q)) if i in allowed]
    for limit in (1, 2, 5, 500):
        assert [e["id"] for e in _walk(client, f"/api/events?q={q}&limit={limit}{filters}")] == expected


def _index_follows_events(store) -> None:
    """search_reports holds each report of an event under the event's date (none without an
    event), and the list-ordered index finds, for words of every kind, what the documents' index
    finds. (A report of an event since deleted may keep its old row until it moves.)"""
    from launchwatch.store.models import events, reports
    from launchwatch.web import fulltext
    from launchwatch.web.queries import EventFilters, events_page

    with store.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT s.key, s.indexed, s.event_id, e.id, e.date, r.event_id FROM search_reports s "
            "JOIN reports r ON r.id = s.report_id LEFT JOIN events e ON e.id = r.event_id")).all()
        assert len(rows) == conn.execute(select(func.count()).select_from(reports)).scalar_one()
        assert conn.execute(select(func.count()).select_from(events)).scalar_one() > 0
    for key, indexed, indexed_for, event_id, date, report_event in rows:
        if event_id is not None:
            assert (indexed, indexed_for) == ((fulltext.date_key(date) << 32) | key, event_id)
        elif report_event is None:
            assert (indexed, indexed_for) == (None, None)
    for q in ("missiles", "launches", "hwasong pyongyang", "yonhap", RARE_WORD, "quillmore"):
        found = [e["id"] for e in events_page(store, EventFilters(q=q, limit=500))["events"]]
        assert found == _expected_order(_events_of_matching_documents(store, q)), q


def test_web_api_list_ordered_index_follows_every_change_to_events(store):
    """Merges, splits, rejections, edited dates, a rebuild and a document stored again."""
    if store.engine.dialect.name != "sqlite":
        pytest.skip("the list-ordered index is SQLite's (PostgreSQL joins its GIN index)")
    _index_follows_events(store)
    kp = [e["id"] for e in list_events(store, actor="KP") if e["date"] and e["date"].startswith("2023")]
    record(store, "merge", kp[:2], analyst="kim", reason="same launch")
    _index_follows_events(store)
    merged = list_events(store, actor="KP", since="2023", until="2023")[0]["id"]
    record(store, "set", [merged], analyst="kim", reason="a later date", field="date", value="2025-12-30")
    _index_follows_events(store)
    moved = get_event(store, merged)["reports"][:1]
    record(store, "split", [merged], analyst="kim", reason="two launches after all", report_ids=moved)
    record(store, "reject", [kp[-1]], analyst="kim", reason="an exercise")
    _index_follows_events(store)
    late = make_result("Iran fired one cruise missile on 2022-08-08. Seen from Quillmore Ridge.\n",
                       source="late.txt", external_id="late", published="2022-08-08")
    failed = failed_result(source="late.txt", error="extractor bug")
    failed.raw = late.raw
    assert store.add_result(failed) == "failed" and store.add_result(late) == "added"
    resolve_pending(store, KNOWLEDGE)
    _index_follows_events(store)
    rebuild(store, KNOWLEDGE)
    _index_follows_events(store)


def test_web_api_list_ordered_index_takes_a_report_written_with_its_event(store):
    """A writer that stores reports already grouped (a copy, the latency benchmark) is indexed too."""
    from launchwatch.store.models import reports

    if store.engine.dialect.name != "sqlite":
        pytest.skip("the list-ordered index is SQLite's (PostgreSQL joins its GIN index)")
    with store.atomic() as conn:
        rows = [dict(r) for r in conn.execute(select(reports).where(reports.c.event_id.is_not(None))).mappings()]
        conn.execute(reports.delete())
        conn.execute(reports.insert(), rows)
    _index_follows_events(store)


def test_web_api_search_returns_events_and_documents_with_snippets(client):
    body = client.get(f"/api/search?q={RARE_WORD}").json()
    assert [e["date"] for e in body["events"]] == ["2023-09-14"]
    [doc] = body["documents"]
    assert doc["external_id"] == "toy-5" and doc["title"] == "Toy launch 5"
    assert RARE_WORD.title() in doc["snippet"]
    assert client.get("/api/search?q=nosuchwordanywhere").json() == {"events": [], "documents": []}


def test_web_api_search_index_follows_a_failed_document_stored_again(client, store):
    text = "Iran fired one cruise missile on 2022-08-08. Seen from Quillmore Ridge.\n"
    store.add_result(failed_result(source="late.txt", error="extractor bug"))
    good = make_result(text, source="late.txt", external_id="late", published="2022-08-08")
    failed = failed_result(source="late.txt", error="extractor bug")
    failed.raw = good.raw   # the same bytes failed first
    assert store.add_result(failed) == "failed"
    assert client.get("/api/search?q=quillmore").json()["documents"] == []
    assert store.add_result(good) == "added"   # replaces the failed row: delete, then insert
    resolve_pending(store, KNOWLEDGE)
    found = client.get("/api/search?q=quillmore").json()
    assert [d["external_id"] for d in found["documents"]] == ["late"]
    assert [e["date"] for e in found["events"]] == ["2022-08-08"]


@pytest.mark.parametrize("f", [
    {}, {"actor": "KP"}, {"weapon_class": "cruise"}, {"status": "confirmed"}, {"since": "2023"},
    {"actor": "KP", "weapon_class": "ballistic"}, {"actor": "KP", "status": "confirmed", "until": "2024-02"},
    {"weapon_class": "cruise", "status": "unattributed", "since": "2023-03-05"},
])
def test_web_api_event_list_reads_an_index_in_list_order(tmp_path, f):
    """On SQLite every filtered page is an index range read newest first, never a sort of every match."""
    from launchwatch.web.queries import EventFilters, _dated_after, _filtered

    with Store(f"sqlite:///{tmp_path / 'plan.db'}") as store, store.engine.connect() as conn:
        query = _dated_after(_filtered(conn, EventFilters(**f)), None).limit(51)
        sql = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
        plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    assert plan[0].startswith("SEARCH events USING INDEX ix_events_"), plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan   # only ties of one date are sorted


@pytest.mark.parametrize("f", [
    {}, {"actor": "KP"}, {"weapon_class": "cruise", "since": "2023"}, {"status": "confirmed", "until": "2024-02"},
    {"actor": "KP", "weapon_class": "ballistic", "status": "confirmed", "since": "2022-03-05", "until": "2024"},
])
def test_web_api_text_search_reads_the_matches_events_by_id(tmp_path, f):
    """SQLite's search narrows a batch of the index's matches: by their ids, never by a filter's
    index (which would read every event of a common actor)."""
    from launchwatch.web import fulltext
    from launchwatch.web.queries import EventFilters, _filtered

    with Store(f"sqlite:///{tmp_path / 'plan.db'}") as store, store.engine.connect() as conn:
        [(event_ids, _)] = list(fulltext.list_order_batches(conn, fulltext.terms("missile"), 0, 1 << 30, 10))
        query = _filtered(conn, EventFilters(q="missile", **f)).where(events.c.id.in_(event_ids))
        sql = str(query.compile(store.engine, compile_kwargs={"literal_binds": True}))
        plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    assert plan[0].startswith("SEARCH events USING INDEX sqlite_autoindex_events_1 (id=?)"), plan


# -- one event, one document ---------------------------------------------------------

def _main_id(store: Store) -> str:
    [main] = [e for e in list_events(store) if len(e["documents"]) == 6]
    return main["id"]


def test_web_api_event_detail_has_claims_evidence_sources_conflicts_and_history(client, store):
    event_id = _main_id(store)
    record(store, "set", [event_id], analyst="kim", reason="JCS revised figure", field="distance_km", value=1049.0)
    body = client.get(f"/api/events/{event_id}").json()
    assert body["id"] == body["requested_id"] == event_id
    assert body["distance_km"] == 1049.0
    assert {s["name"] for s in body["sources"]} >= {"South Korea JCS", "KCNA", "Japan Ministry of Defense"}
    assert {c["field"] for c in body["conflicts"]} >= {"distance_km", "apogee_km"}
    assert [c["source"] for c in body["claims"] if c["field"] == "distance_km" and c["chosen"]] == ["analyst:kim"]
    assert [(h["action"], h["analyst"], h["reason"]) for h in body["history"]] == [
        ("set", "kim", "JCS revised figure")]
    docs = body["documents_detail"]
    assert sorted(d["external_id"] for d in docs) == sorted(body["documents"])
    for doc in docs:
        assert doc["spans"], doc["external_id"]
        for span in doc["spans"]:
            assert 0 <= span["start"] < span["end"] <= len(doc["text"])
    quotes = {c["quote"] for c in body["claims"] if c["quote"]}
    spans = {d["text"][s["start"]:s["end"]] for d in docs for s in d["spans"]}
    assert spans == quotes


def test_web_api_old_event_id_answers_with_the_event_it_became(client, store):
    kp = [e["id"] for e in list_events(store, actor="KP", since="2026")]
    assert len(kp) == 2
    record(store, "merge", kp, analyst="kim", reason="same launch")
    [merged] = [e["id"] for e in list_events(store, actor="KP", since="2026")]
    old = next(i for i in kp if i != merged)
    response = client.get(f"/api/events/{old}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == merged and body["requested_id"] == old
    assert response.headers["content-location"] == f"/api/events/{merged}"
    assert [h["action"] for h in body["history"]] == ["merge"]


def test_web_api_document_by_id_or_external_id_with_reports_and_evidence(client, store):
    by_external = client.get("/api/documents/kcna").json()
    by_id = client.get(f"/api/documents/{by_external['id']}").json()
    assert by_id == by_external
    assert by_external["status"] == "ok" and by_external["original_publisher"] == "KCNA"
    assert by_external["events"] == [_main_id(store)]
    [report] = by_external["reports"]
    assert report["event_id"] == _main_id(store) and report["actor"] == "KP"
    for ev in report["evidence"]:
        assert by_external["text"][ev["start"]:ev["end"]] == ev["quote"]
    assert {ev["field"] for ev in report["evidence"]} >= {"distance_km", "apogee_km", "reported_by"}


def test_web_api_stats_counts_launches_by_month_actor_class_and_status(client, store):
    body = client.get("/api/stats").json()
    events = list_events(store)
    assert body["counts"] == store.counts()
    monthly = [e for e in events if e["date"] and len(e["date"]) >= 7]
    assert sum(row["n"] for row in body["by_month"]) == len(monthly)
    assert {"month": "2022-10", "weapon_class": "ballistic", "actor": "KP", "n": 1} in body["by_month"]
    assert sum(body["by_actor"].values()) == sum(body["by_status"].values()) == len(events)
    assert body["by_actor"]["KP"] == len([e for e in events if e["actor"] == "KP"])
    assert body["by_class"]["cruise"] == len([e for e in events if e["weapon_class"] == "cruise"])
    # the figures follow new documents and changed events at once
    store.add_result(make_result(_toy_text("Iran", "cruise", "2019-04-04", None), source="new.txt",
                                 published="2019-04-04"))
    resolve_pending(store, KNOWLEDGE)
    after = client.get("/api/stats").json()
    assert after["counts"]["documents"] == body["counts"]["documents"] + 1
    assert {"month": "2019-04", "weapon_class": "cruise", "actor": "IR", "n": 1} in after["by_month"]
    victim = list_events(store, actor="IR", since="2019-04", until="2019-04")[0]["id"]
    record(store, "reject", [victim], analyst="kim", reason="a drill")
    assert client.get("/api/stats").json()["by_actor"]["IR"] == after["by_actor"]["IR"] - 1


def test_web_api_health(client):
    assert client.get("/api/health").json() == {"status": "ok", "database": "ok"}


# -- errors: one shape -------------------------------------------------------------------

def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message", "details"}
    assert body["error"]["status"] == status and body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize("url, status, code", [
    ("/api/events/ev-000000000000", 404, "not_found"),
    ("/api/documents/no-such-document", 404, "not_found"),
    ("/api/nothing-here", 404, "not_found"),
    ("/api/events?since=2024-1", 422, "invalid_request"),
    ("/api/events?until=yesterday", 422, "invalid_request"),
    ("/api/events?limit=0", 422, "invalid_request"),
    ("/api/events?limit=501", 422, "invalid_request"),
    ("/api/events?limit=ten", 422, "invalid_request"),
    ("/api/events?status=probable", 422, "invalid_request"),
    ("/api/events?after=bm90LWEtY3Vyc29y", 422, "invalid_request"),
    ("/api/search", 422, "invalid_request"),
])
def test_web_api_every_error_has_one_shape(bare_client, url, status, code):
    error = _error(bare_client.get(url), status, code)
    if status == 422 and "after" not in url:
        assert error["details"] and error["details"][0]["loc"][0] == "query"


def test_web_api_wrong_method_is_the_error_shape(bare_client):
    _error(bare_client.options("/api/events"), 405, "method_not_allowed")


def test_web_api_server_error_says_nothing_and_logs_without_secrets(tmp_path, caplog):
    app = create_app(WebSettings(core=Settings(db_url=f"sqlite:///{tmp_path / 'e.db'}"), anonymous_read=True,
                                 secret_key="k"))

    @app.get("/api/boom")
    def boom():
        raise RuntimeError("cannot reach postgresql://lw:hunter2@db/lw with password=hunter2")

    @app.get("/api/teapot")
    def teapot():
        raise HTTPException(418, {"code": "teapot", "message": "short and stout", "details": {"spout": 1}})

    with TestClient(app, raise_server_exceptions=False) as c, caplog.at_level(logging.ERROR):
        response = c.get("/api/boom")
        error = _error(response, 500, "internal_error")
        assert "hunter2" not in response.text and "Traceback" not in response.text
        assert "RuntimeError" not in response.text
        logged = "\n".join(r.getMessage() for r in caplog.records)
        assert "RuntimeError" in logged and "/api/boom" in logged and "hunter2" not in logged
        assert error["details"] is None
        teapot_error = _error(c.get("/api/teapot"), 418, "teapot")
        assert teapot_error["details"] == {"spout": 1}


def test_web_api_browser_gets_an_html_error_page_outside_the_api(bare_client):
    client = bare_client
    response = client.get("/events/<script>alert(1)</script>", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<script>alert(1)</script>" not in response.text
    _error(client.get("/api/events/x", headers={"accept": "text/html"}), 404, "not_found")   # /api/ stays JSON


def test_web_api_spec_is_served_and_no_page_loads_a_cdn(bare_client):
    client = bare_client
    spec = client.get("/api/openapi.json").json()
    assert {"/api/events", "/api/events/{event_id}", "/api/documents/{doc_id}", "/api/search", "/api/stats",
            "/api/health"} <= set(spec["paths"])
    listing = spec["paths"]["/api/events"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"actor", "class", "since", "until", "status", "q",
                                                          "limit", "after"}
    assert "ErrorBody" in json.dumps(listing["responses"]["422"])
    assert client.get("/docs").status_code == 404 and client.get("/api/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


# -- launchwatch serve ------------------------------------------------------------------

def test_web_served_app_freezes_its_start_up_objects_and_a_plain_app_does_not(tmp_path):
    """gc.freeze() is process-wide: only `launchwatch serve`'s own processes do it."""
    import gc

    from launchwatch.web.app import create_served_app

    settings = WebSettings(core=Settings(db_url=f"sqlite:///{tmp_path / 'gc.db'}"), secret_key="test-secret-key")
    gc.unfreeze()
    try:
        with TestClient(create_app(settings)) as plain:
            assert plain.get("/api/health").status_code == 200 and gc.get_freeze_count() == 0
        with TestClient(create_served_app(settings)) as served:
            assert served.get("/api/health").status_code == 200 and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_web_serve_with_two_workers_answers_at_once_and_stops_on_sigterm(tmp_path):
    """Two worker processes on one port; no response waits for a delayed ACK (the 44 ms stall of a
    socket without TCP_NODELAY); SIGTERM stops them all with exit code 0; a taken port is exit code 1."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import httpx
    from web_server import free_port

    port = free_port()
    exe = Path(sys.executable).parent / "launchwatch"
    command = [str(exe), "--db", f"sqlite:///{tmp_path / 'serve.db'}", "serve", "--port", str(port),
               "--workers", "2", "--log-level", "warning"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if client.get("/api/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    assert time.monotonic() < deadline, "the server did not start"
                    time.sleep(0.2)
            took = []
            for _ in range(20):   # one keep-alive connection: a stalled response shows at once
                start = time.perf_counter()
                assert client.get("/api/events").status_code == 200
                took.append(time.perf_counter() - start)
        assert sorted(took)[10] < 0.030, took
        taken = subprocess.run(command[:-2] + ["--workers", "2"], capture_output=True, text=True, timeout=60)
        assert taken.returncode == 1 and "cannot listen" in taken.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=40) == 0
    assert "Traceback" not in proc.stderr.read()
    assert not os.path.exists(tmp_path / "serve.db-journal")
