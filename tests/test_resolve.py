"""Cross-article resolution on real extraction: tests/data/resolution holds eight reports
written for these tests (a wire flash, its syndicated copy, an update with two militaries'
figures, the state-media claim, a Washington-dated report a day early, a later analysis,
a distractor launch three days later and another state's launch the same day)."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from launchwatch.cli import cli
from launchwatch.ingest import ingest
from launchwatch.knowledge import load_knowledge
from launchwatch.resolve import find_event_id, get_event, list_events, rebuild, resolve_pending
from launchwatch.resolve.actions import ReviewError, history, record
from launchwatch.settings import Settings
from launchwatch.store import Store

SET = Path(__file__).parent / "data" / "resolution"
MANIFEST = [json.loads(line) for line in (SET / "manifest.jsonl").read_text().splitlines()]
MAIN_DOCS = ["analysis", "copy", "flash", "kcna", "update", "washington"]
KNOWLEDGE = load_knowledge()


def _ingest(store: Store, entries: list[dict], tmp_path: Path, name: str = "m.jsonl") -> None:
    manifest = tmp_path / name
    manifest.write_text("".join(json.dumps({**e, "path": str(SET / e["path"])}) + "\n" for e in entries))
    ingest([], store=store, settings=Settings(), manifest=str(manifest))
    resolve_pending(store, KNOWLEDGE)


def _comparable(events: list[dict]) -> list[dict]:
    return [{k: v for k, v in e.items() if k != "updated_at"} for e in events]


@pytest.fixture
def resolved(tmp_path, db_url):
    store = Store(db_url)
    _ingest(store, MANIFEST, tmp_path)
    yield store
    store.close()


def _main_event(store: Store) -> dict:
    [event] = [e for e in list_events(store, with_claims=True) if "flash" in e["documents"]]
    return event


def test_reports_of_one_launch_become_one_event_and_distractors_stay_apart(resolved):
    events = list_events(resolved)
    assert [(e["actor"], e["date"], e["weapon_class"]) for e in events] == [
        ("IR", "2026-03-04", "cruise"), ("KP", "2026-03-04", "irbm"), ("KP", "2026-03-07", "srbm")]
    main = _main_event(resolved)
    # the Washington report dates the launch a day early (Tuesday evening ET): still the same launch
    assert main["documents"] == MAIN_DOCS
    assert main["n_reports"] == 6 and main["date"] == "2026-03-04"
    assert "time zone" not in main["choices"]["date"]["reason"] or "local date" in main["choices"]["date"]["reason"]


def test_ledger_chooses_by_policy_and_says_why(resolved):
    main = _main_event(resolved)
    # the tracking authority's later, unhedged figure over its first "about 1,000 km"
    assert main["distance_km"] == 1050
    assert main["choices"]["distance_km"]["source"] == "South Korea JCS"
    assert "tracking authority" in main["choices"]["distance_km"]["reason"]
    # KCNA's precise apogee over Japan's rounded "about 100 km"
    assert main["apogee_km"] == 99.8 and "precise figure from KCNA" in main["choices"]["apogee_km"]["reason"]
    assert main["weapon_class"] == "irbm" and main["outcome"] == "success"
    chosen = [c for c in main["claims"] if c["chosen"] and c["field"] == "distance_km"]
    assert [(c["value"], c["source"], c["document"], c["quote"]) for c in chosen] == [
        (1050, "South Korea JCS", "update", "1,050 km")]
    every_distance = {(c["value"], c["source"], c["unit"]) for c in main["claims"] if c["field"] == "distance_km"}
    assert {(1000, "South Korea JCS", "km"), (1100, "Japan Ministry of Defense", "km"), (1052, "KCNA", "km")} <= every_distance
    assert all(c["published"] for c in main["claims"] if c["document"])


def test_conflicts_are_flagged_with_their_sources(resolved):
    main = _main_event(resolved)
    conflicts = {c["field"]: c for c in main["conflicts"]}
    assert set(conflicts["distance_km"]["values"]) == {1000, 1050, 1052, 1100}
    assert set(conflicts["apogee_km"]["values"]) == {99.8, 100}
    assert conflicts["distance_km"]["chosen"] == 1050
    assert {"Japan Ministry of Defense", "South Korea JCS", "KCNA"} <= {c["source"] for c in conflicts["distance_km"]["claims"]}
    # a day's difference between Seoul and Washington dates is a time zone, not a conflict
    assert "date" not in conflicts
    assert conflicts["distance_km"]["kind"] == "disagree"
    # every wording of the landing is shown; a flash's bare "ballistic" only says less than "irbm"
    assert "outside Japan's exclusive economic zone" in conflicts["landing"]["values"]
    assert conflicts["weapon_class"]["kind"] == "detail" and conflicts["weapon_class"]["chosen"] == "irbm"


def test_copies_are_citations_and_status_counts_independent_official_sources(resolved):
    main = _main_event(resolved)
    assert [(c["document"], c["copy_of"]) for c in main["copies"]] == [("copy", "flash")]
    assert main["copies"][0]["similarity"] >= 0.5
    jcs = next(s for s in main["sources"] if s["name"] == "South Korea JCS")
    assert "copy" not in jcs["documents"] and jcs["citations"] > len(jcs["documents"])
    assert main["status"] == "confirmed"
    by_doc = {e["documents"][0]: e["status"] for e in list_events(resolved) if e["n_reports"] == 1}
    assert by_doc == {"iran": "state-media-only", "weekend": "single-source"}


def test_resolution_is_order_independent(tmp_path):
    reference = None
    for seed in range(4):
        entries = list(MANIFEST)
        random.Random(seed).shuffle(entries)
        with Store(f"sqlite:///{tmp_path / f'order{seed}.db'}") as store:
            _ingest(store, entries, tmp_path, f"order{seed}.jsonl")
            got = _comparable(list_events(store, with_claims=True))
        if reference is None:
            reference = got
        assert got == reference, f"permutation {seed} resolved differently"


def test_incremental_updates_equal_a_rebuild_and_old_ids_still_find_their_event(tmp_path, db_url):
    with Store(db_url) as store:
        first_ids = {}
        for i, entry in enumerate(MANIFEST):  # one document at a time, each resolved on arrival
            _ingest(store, [entry], tmp_path, f"one{i}.jsonl")
            first_ids.setdefault(entry["id"], [e["id"] for e in list_events(store) if entry["id"] in e["documents"]])
        incremental = _comparable(list_events(store, with_claims=True))
        summary = rebuild(store, KNOWLEDGE)
        assert summary.events == len(incremental)
        assert _comparable(list_events(store, with_claims=True)) == incremental
        main = _main_event(store)
        for doc in MAIN_DOCS:
            for old in first_ids[doc]:
                assert find_event_id(store, old) == main["id"]


def test_reingest_changes_nothing(resolved, tmp_path):
    before = _comparable(list_events(resolved, with_claims=True))
    _ingest(resolved, MANIFEST, tmp_path, "again.jsonl")
    assert _comparable(list_events(resolved, with_claims=True)) == before


def test_analyst_corrections_survive_rebuild(resolved):
    main = _main_event(resolved)
    washington = next(c["report"] for c in main["claims"] if c["document"] == "washington")
    record(resolved, "split", [main["id"]], analyst="kim", reason="a different launch", report_ids=[washington])
    split_off = find_event_id(resolved, washington)
    assert split_off != find_event_id(resolved, main["id"])
    record(resolved, "set", [main["id"]], analyst="kim", field="distance_km", value=1000.0, reason="JCS final")
    iran = next(e for e in list_events(resolved) if e["actor"] == "IR")
    record(resolved, "reject", [iran["id"]], analyst="lee", reason="a drill scenario")
    record(resolved, "merge", [main["id"], split_off], analyst="lee", reason="same launch after all")

    def state():
        event = _main_event(resolved)
        return (event["documents"], event["distance_km"], event["choices"]["distance_km"]["source"],
                [e["actor"] for e in list_events(resolved)], [e["review"] for e in list_events(resolved, include_rejected=True)])

    before = state()
    assert before[:3] == (MAIN_DOCS, 1000.0, "analyst:kim")
    assert "IR" not in before[3] and "rejected" in before[4]
    rebuild(resolved, KNOWLEDGE)
    assert state() == before
    trail = history(resolved, _main_event(resolved)["id"])
    assert [(r["analyst"], r["action"]) for r in trail] == [("kim", "split"), ("kim", "set"), ("lee", "merge")]
    analyst_claim = [c for c in _main_event(resolved)["claims"] if c["source"] == "analyst:kim"]
    assert analyst_claim and analyst_claim[0]["chosen"] and "JCS final" in analyst_claim[0]["reason"]


def test_review_refuses_bad_actions(resolved):
    main = _main_event(resolved)
    with pytest.raises(ReviewError, match="no event"):
        record(resolved, "reject", ["ev-000000000000"], analyst="kim")
    with pytest.raises(ReviewError, match="two or more"):
        record(resolved, "merge", [main["id"]], analyst="kim")
    with pytest.raises(ReviewError, match="at least one report"):
        record(resolved, "split", [main["id"]], analyst="kim",
               report_ids=sorted({c["report"] for c in main["claims"] if c["report"]}))
    assert history(resolved) == []


def test_cli_events_json_is_the_scoring_contract_and_show_prints_the_ledger(resolved):
    runner = CliRunner()
    out = runner.invoke(cli, ["--db", resolved.url, "events", "--format", "json"])
    assert out.exit_code == 0, out.output
    events = [json.loads(line) for line in out.stdout.splitlines()]
    for event in events:
        assert {"id", "documents", "claims", "conflicts", "status", "actor", "date", "weapon_class", "count",
                "platform", "distance_km", "apogee_km", "outcome", "reported_by", "is_primary"} <= set(event)
    main = next(e for e in events if "flash" in e["documents"])
    shown = runner.invoke(cli, ["--db", resolved.url, "show", main["id"]])
    assert shown.exit_code == 0, shown.output
    assert "distance_km: 1050  [CONFLICT]" in shown.stdout
    assert "Copies (citations, not independent sources):" in shown.stdout and "copy copies flash" in shown.stdout
    assert "1,100 km" in shown.stdout and "Japan Ministry of Defense" in shown.stdout
    csv_out = runner.invoke(cli, ["--db", resolved.url, "events", "--format", "csv"]).stdout
    assert "distance_km: 1050 (" in csv_out and "1100 (Japan Ministry of Defense, update)" in csv_out
    review = runner.invoke(cli, ["--db", resolved.url, "review", "set", main["id"], "count", "2",
                                 "--analyst", "kim", "--reason", "two fired"])
    assert review.exit_code == 0, review.output
    log = runner.invoke(cli, ["--db", resolved.url, "review", "log", main["id"]])
    assert "analyst:kim  set count=2" in log.stdout and "two fired" in log.stdout
    bad = runner.invoke(cli, ["--db", resolved.url, "review", "set", main["id"], "apogee_km", "0"])
    assert bad.exit_code == 1 and "must be positive" in bad.stderr


def test_invalid_claims_are_kept_marked_and_never_chosen(tmp_path):
    from conftest import make_result
    from launchwatch.records import Event, Evidence

    text = ("North Korea fired a missile on 2026-03-09 that reached 12,000 km altitude, "
            "a blog claimed; officials said it flew 800 km.")
    at = lambda s: Evidence(text.index(s), text.index(s) + len(s), s)  # noqa: E731
    event = Event({"actor": "KP", "date": "2026-03-09", "weapon_class": "ballistic", "count": 1,
                   "apogee_km": 12000.0, "distance_km": 800.0, "reported_by": [], "is_primary": True},
                  {"date_text": [at("2026-03-09")], "apogee_km": [at("12,000 km")], "distance_km": [at("800 km")]})
    with Store(f"sqlite:///{tmp_path / 'bad.db'}") as store:
        store.add_result(make_result(text, events=[event], published="2026-03-05", external_id="blog"))
        resolve_pending(store, KNOWLEDGE)
        [listed] = list_events(store)
        shown = get_event(store, listed["id"])
    claims = {c["field"]: c for c in shown["claims"]}
    assert "apogee above 10,000 km is impossible" in claims["apogee_km"]["invalid"]
    assert "after the publication date 2026-03-05" in claims["date"]["invalid"]
    assert claims["distance_km"]["invalid"] is None and shown["distance_km"] == 800
    assert shown["apogee_km"] is None and shown["date"] is None
    assert not claims["apogee_km"]["chosen"]


def test_an_undated_flash_joins_the_launch_of_the_days_before_it_appeared(tmp_path):
    flash = tmp_path / "undated.txt"
    flash.write_text("North Korea fires missile\n\nNorth Korea fired an intermediate-range ballistic missile "
                     "toward the sea, South Korea's Joint Chiefs of Staff said, without giving details.\n")
    stray = tmp_path / "stray.txt"
    stray.write_text("Iran fires missile\n\nIran fired a ballistic missile from its northwest, Iranian state TV "
                     "said, without giving details.\n")
    extra = [{"id": "undated", "path": str(flash), "published": "2026-03-05"},
             {"id": "stray", "path": str(stray), "published": "2026-03-20"}]
    with Store(f"sqlite:///{tmp_path / 'u.db'}") as store:
        _ingest(store, MANIFEST, tmp_path)
        manifest = tmp_path / "extra.jsonl"
        manifest.write_text("".join(json.dumps(e) + "\n" for e in extra))
        ingest([], store=store, settings=Settings(), manifest=str(manifest))
        resolve_pending(store, KNOWLEDGE)
        main = _main_event(store)
        assert "undated" in main["documents"] and main["date"] == "2026-03-04"
        [alone] = [e for e in list_events(store) if "stray" in e["documents"]]
        assert alone["documents"] == ["stray"] and alone["date"] is None
