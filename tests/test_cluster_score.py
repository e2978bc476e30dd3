"""cluster_score: B-cubed grouping, distractor merges, consolidated fields, conflicts.

A synthetic set of four documents: launch A (KP IRBM, 2025-10-22) reported by
d1, d2 and back-referenced by d4; distractor B (KP SRBM, 2025-10-23) in d2 and
d3; launch C (IR space launch) in d4. System events are written by hand.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from launchwatch import cluster_score as cs
from launchwatch.evaluation import EvaluationError

ROOT = Path(__file__).resolve().parents[1]
REAL_SET = ROOT / "tests" / "data" / "clusters"


@pytest.fixture(autouse=True)
def _need_scorer():
    try:
        cs.scorer()
    except EvaluationError as err:
        pytest.skip(str(err))


def gold_event(actor, day, cls, **fields):
    return {"actor": actor, "date": day, "weapon_class": cls, "count": 1, "platform": None,
            "distance_km": None, "apogee_km": None, "outcome": None, "reported_by": [],
            "is_primary": True, **fields}


A = gold_event("KP", "2025-10-22", "irbm", distance_km=1050, reported_by=["South Korea JCS"])
B = gold_event("KP", "2025-10-23", "srbm", count=2, reported_by=["South Korea JCS"])
C = gold_event("IR", "2025-11-06", "space_launch", reported_by=["Iranian state TV"])
GOLD = {"d1": [A], "d2": [A, B], "d3": [B], "d4": [C, {**A, "is_primary": False}]}

CLUSTERS = {
    "launches": [
        {"id": "A", "role": "main",
         "truth": {"actor": "KP", "date": "2025-10-22", "weapon_class": "irbm", "count": 1, "platform": None,
                   "distance_km": 1050, "outcome": "success", "reported_by": ["South Korea JCS", "Japan"]},
         "members": [{"doc": "d1", "event_index": 0}, {"doc": "d2", "event_index": 0},
                     {"doc": "d4", "event_index": 1}],
         "conflicts": [{"field": "distance_km", "values": [1000, 1100], "sources": ["JCS", "Japan"]},
                       {"field": "flight_time_s", "values": [720, 754], "sources": ["Japan", "KCNA"]}]},
        {"id": "B", "role": "distractor",
         "truth": {"actor": "KP", "date": "2025-10-23", "weapon_class": "srbm", "count": 2},
         "members": [{"doc": "d2", "event_index": 1}, {"doc": "d3", "event_index": 0}], "conflicts": []},
        {"id": "C", "role": "main",
         "truth": {"actor": "IR", "date": "2025-11-06", "weapon_class": "space_launch", "count": 1},
         "members": [{"doc": "d4", "event_index": 0}], "conflicts": []},
    ],
    "distractors": ["B"],
}


def system_event(eid, docs, actor, day, cls, **fields):
    return {"id": eid, "documents": docs, "actor": actor, "date": day, "weapon_class": cls, "count": 1,
            "claims": [], "conflicts": [], "status": "single-source", **fields}


EA = system_event("EA", ["d1", "d2", "d4"], "KP", "2025-10-22", "irbm", distance_km=1050, outcome="success",
                  reported_by=["South Korea JCS"])
EB = system_event("EB", ["d2", "d3"], "KP", "2025-10-23", "srbm", count=2)
EC = system_event("EC", ["d4"], "IR", "2025-11-06", "space_launch")


@pytest.fixture
def set_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "set"
    (folder / "gold").mkdir(parents=True)
    lines = []
    for doc_id, events in GOLD.items():
        lines.append(json.dumps({"id": doc_id, "path": f"docs/{doc_id}.txt", "published": "2025-10-23"}))
        gold = {"id": doc_id, "source": f"{doc_id}.txt", "published": "2025-10-23", "note": "", "events": events}
        (folder / "gold" / f"{doc_id}.json").write_text(json.dumps(gold))
    (folder / "manifest.jsonl").write_text("\n".join(lines) + "\n")
    (folder / cs.CLUSTERS_FILE).write_text(json.dumps(CLUSTERS))
    return folder


def run(set_dir: Path, events: list[dict]) -> dict:
    path = set_dir.parent / "events.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return cs.score_paths(set_dir, path)


def test_perfect_grouping(set_dir):
    result = run(set_dir, [EA, EB, EC])
    assert result["problems"] == []
    assert result["items"] == 6 and result["unmatched_items"] == []
    assert result["bcubed"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert result["distractors"]["merged"] == 0


def test_over_merge_lowers_precision_and_counts_the_distractor(set_dir):
    merged = system_event("EM", ["d1", "d2", "d3", "d4"], "KP", "2025-10-22", "ballistic")
    result = run(set_dir, [merged, EC])
    # A items: 3/5 each, B items: 2/5 each, C: 1 -> (1.8 + 0.8 + 1) / 6
    assert result["bcubed"]["precision"] == 0.6
    assert result["bcubed"]["recall"] == 1.0
    assert result["distractors"] == {"total": 1, "merged": 1, "merged_ids": ["B"]}


def test_under_split_lowers_recall(set_dir):
    first = {**EA, "id": "EA1", "documents": ["d1", "d2"]}
    second = {**EA, "id": "EA2", "documents": ["d4"]}
    result = run(set_dir, [first, second, EB, EC])
    assert result["bcubed"]["precision"] == 1.0
    assert result["bcubed"]["recall"] == round((2 / 3 + 2 / 3 + 1 / 3 + 3) / 6, 4)
    assert result["per_launch"]["A"]["event"] == "EA1"  # two of its three items
    assert result["distractors"]["merged"] == 0


def test_incompatible_or_unlisted_event_leaves_a_singleton(set_dir):
    wrong_day = {**EA, "date": "2025-10-28"}
    result = run(set_dir, [wrong_day, EB, EC])
    assert result["unmatched_items"] == ["d1#0", "d2#0", "d4#1"]
    assert result["bcubed"]["precision"] == 1.0
    assert result["per_launch"]["A"]["event"] is None
    assert not any(result["per_launch"]["A"]["fields"].values())


def test_closest_compatible_event_is_chosen(set_dir):
    vague = system_event("EV", ["d1"], "KP", "2025-10-22", "ballistic")
    items = cs.gold_items({"d1": {"events": [A]}})
    assert cs.assign(items, [vague, EA]) == {("d1", 0): 1}


def test_conflicts_surfaced_and_missed(set_dir):
    ea = {**EA, "conflicts": [
        {"field": "distance_km", "values": [{"value": 1000, "source": "JCS"}, 1050, 1090]},
        {"field": "flight_time_s", "values": [754]},
    ]}
    result = run(set_dir, [ea, EB, EC])
    assert result["conflicts"] == {"surfaced": 1, "total": 2, "missed": ["A.flight_time_s"]}
    assert result["per_launch"]["A"]["conflicts"] == {"distance_km": True, "flight_time_s": False}


def test_one_system_value_cannot_stand_for_two_close_truth_values():
    truth = {"field": "apogee_km", "values": [400, 410]}
    assert not cs.conflict_surfaced(truth, {"conflicts": [{"field": "apogee_km", "values": [405]}]})
    assert cs.conflict_surfaced(truth, {"conflicts": [{"field": "apogee_km", "values": [410, 400]}]})


def test_conflict_needs_the_same_field_and_strings_match_exactly():
    truth = {"field": "launch_location", "values": ["Pyongyang", "Sunan"]}
    assert cs.conflict_surfaced(truth, {"conflicts": [{"field": "launch_location", "values": ["sunan", "PYONGYANG"]}]})
    assert not cs.conflict_surfaced(truth, {"conflicts": [{"field": "landing", "values": ["Pyongyang", "Sunan"]}]})
    assert not cs.conflict_surfaced(truth, None)


def test_consolidated_field_accuracy(set_dir):
    ea = {**EA, "distance_km": 1300, "outcome": None}
    result = run(set_dir, [ea, EB, EC])
    fields_a = result["per_launch"]["A"]["fields"]
    # truth gives date, class, count, distance, outcome, reported_by (platform is null)
    assert fields_a == {"date": True, "weapon_class": True, "count": True, "distance_km": False,
                        "outcome": False, "reported_by": True}
    assert result["fields"]["right"] == 4 + 3 + 3  # A 4/6, B 3/3, C 3/3 (actor is not scored)
    assert result["fields"]["asked"] == 6 + 3 + 3
    assert result["fields"]["accuracy"] == round(10 / 12, 4)
    assert result["fields"]["per_field"]["distance_km"] == {"accuracy": 0.0, "right": 0, "asked": 1}


def test_cli_report_and_json(set_dir, capsys):
    path = set_dir.parent / "events.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in [EA, EB, EC]) + "\n")
    assert cs.main([str(set_dir), str(path)]) == 0
    out = capsys.readouterr().out
    assert "B-cubed         P 1.000  R 1.000  F1 1.000" in out
    assert "distractors merged 0/1" in out
    assert cs.main([str(set_dir), str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["bcubed"]["f1"] == 1.0


def test_cli_rejects_a_set_without_clusters_json(tmp_path, capsys):
    events = tmp_path / "events.jsonl"
    events.write_text("")
    assert cs.main([str(tmp_path), str(events)]) == 2
    assert "clusters.json" in capsys.readouterr().err


def test_check_clusters_reports_unknown_members(set_dir):
    gold_docs, clusters = cs.load_set(set_dir)
    bad = {**clusters, "launches": clusters["launches"] + [
        {"id": "X", "members": [{"doc": "d9", "event_index": 0}, {"doc": "d1", "event_index": 0}]}]}
    problems = cs.check_clusters(gold_docs, bad)
    assert any("d9" in p for p in problems) and any("twice" in p for p in problems)


def test_real_clusters_json_is_well_formed_for_the_scorer():
    gold_docs, clusters = cs.load_set(REAL_SET)
    assert cs.check_clusters(gold_docs, clusters) == []
    items = cs.gold_items(gold_docs)
    members = [(m["doc"], m["event_index"]) for launch in clusters["launches"] for m in launch["members"]]
    assert sorted(members) == sorted(items)  # every gold event is in exactly one launch
    ids = {launch["id"] for launch in clusters["launches"]}
    assert clusters["distractors"] and set(clusters["distractors"]) <= ids
    for launch in clusters["launches"]:
        assert launch["truth"].get("actor")
        for conflict in launch.get("conflicts", []):
            assert conflict["field"] and len(conflict["values"]) >= 2
