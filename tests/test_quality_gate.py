"""Quality gate: every gold set in shared/eval scores at or above its pinned floors.

The floors and corpus hashes live in eval/floors.json; `python -m
launchwatch.evaluation pin` re-measures and raises them (see README, "Quality
gate"). The second half unit-tests the pin logic on fake scores.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from launchwatch import evaluation as ev

ROOT = Path(__file__).resolve().parents[1]
FLOORS = ROOT / ev.FLOORS_FILE


def _find_eval_dir() -> tuple[Path | None, str | None]:
    try:
        return ev.find_eval_dir(ROOT), None
    except ev.EvaluationError as err:
        return None, str(err)


EVAL_DIR, EVAL_DIR_ERROR = _find_eval_dir()
SETS = ev.gate_sets(EVAL_DIR, ROOT) if EVAL_DIR else []
NO_EVAL_DIR = (f"no shared eval folder at {ROOT.parent / 'shared' / 'eval'} and {ev.EVAL_DIR_ENV} unset: "
               "the gold sets cannot be scored here")


def _gate_params():
    if EVAL_DIR is None:
        return [pytest.param(None, id="no-eval-dir")]
    return [pytest.param(gold_set, id=gold_set.name) for gold_set in SETS]


def _require_eval_dir() -> None:
    if EVAL_DIR_ERROR:
        pytest.fail(EVAL_DIR_ERROR)
    if EVAL_DIR is None:
        pytest.skip(NO_EVAL_DIR)


# --------------------------------------------------------------------------
# The gate
# --------------------------------------------------------------------------

def test_quality_gate_finds_gold_sets():
    _require_eval_dir()
    assert SETS, f"{EVAL_DIR} holds no set (a folder with manifest.jsonl and gold/)"


@pytest.mark.parametrize("gold_set", _gate_params())
def test_quality_gate_set_meets_floors(gold_set):
    _require_eval_dir()
    entry = ev.load_floors(FLOORS)["sets"].get(gold_set.name)
    corpus_hash = ev.set_hash(gold_set.folder)
    if entry is None or entry.get("hash") != corpus_hash:
        problems = ev.check(gold_set.name, entry, {}, corpus_hash)
        pytest.fail("\n".join(problems))
    result = ev.score_set(gold_set, EVAL_DIR)
    problems = ev.check(gold_set.name, entry, ev.measure(result), corpus_hash)
    failed = result["extraction"]["failed"]
    if problems and failed:
        problems.append("documents that failed extraction: "
                        + "; ".join(f"{source}: {error}" for source, error in failed))
    assert not problems, "\n".join(problems)


def test_quality_gate_floors_file_is_well_formed():
    doc = ev.load_floors(FLOORS)
    assert doc["sets"], f"{FLOORS} pins no set"
    for name, entry in doc["sets"].items():
        assert len(entry["hash"]) == 64, name
        floors = ev.flatten(entry["floors"])
        assert {"events_f1", "primary_f1", "unsupported_ratio_max"} <= set(floors), name
        for key, value in floors.items():
            assert value is None or 0.0 <= value <= 1.0 or key in ev.MAX_KEYS, (name, key, value)
    for record in doc["history"]:
        assert {"date", "set", "action", "hash", "changes"} <= set(record)
        if record["action"] == "lower":
            assert record.get("reason"), record


# --------------------------------------------------------------------------
# Pin logic, on fake scores
# --------------------------------------------------------------------------

FIELDS = ("date", "weapon_class", "count", "platform", "distance_km", "apogee_km", "outcome", "reported_by")


def fake_result(events_f1=0.8, primary_f1=0.9, accuracy=0.75, tp=40, unsupported=2, **per_field):
    """A score.py --json result with the given figures."""
    fields = {}
    for name in FIELDS:
        acc = per_field.get(name, accuracy)
        fields[name] = {"accuracy": acc, "right": 0, "asked": 0 if acc is None else 10,
                        "unsupported": unsupported if name == "platform" else 0}
    return {"documents": 10, "events": {"precision": 0.8, "recall": 0.8, "f1": events_f1, "tp": tp,
                                        "pred": 50, "gold": 50},
            "primary_events": {"precision": 0.9, "recall": 0.9, "f1": primary_f1}, "fields": fields}


HASH_A, HASH_B = "a" * 64, "b" * 64
TODAY = date(2024, 5, 1)


@pytest.fixture
def floors_file(tmp_path):
    """A floors file with set 'dev' pinned from fake_result() defaults."""
    path = tmp_path / "floors.json"
    doc = ev.load_floors(path)
    ev.pin(doc, "dev", ev.measure(fake_result()), HASH_A, today=TODAY)
    doc["sets"]["dev"]["target"] = {"events_f1": 0.9}
    ev.save_floors(path, doc)
    return path


def test_evaluation_measure_flattens_score():
    measured = ev.measure(fake_result(events_f1=0.7654, apogee_km=None))
    assert measured["events_f1"] == 0.7654 and measured["primary_f1"] == 0.9
    assert measured["fields.apogee_km"] is None and measured["fields.date"] == 0.75
    assert measured["unsupported_ratio_max"] == 0.05          # 2 unsupported / 40 matched pairs


def test_evaluation_round_to_grid_floors_down_and_ceilings_up():
    assert ev.round_to_grid("events_f1", 0.6962) == 0.69
    assert ev.round_to_grid("events_f1", 0.7) == 0.7           # no float drift to 0.69
    assert ev.round_to_grid("fields.date", 1.0) == 1.0
    assert ev.round_to_grid("unsupported_ratio_max", 0.2529) == 0.26
    assert ev.round_to_grid("unsupported_ratio_max", 0.05) == 0.05


def test_evaluation_first_pin_records_floors_and_history(floors_file):
    doc = json.loads(floors_file.read_text())
    entry = doc["sets"]["dev"]
    assert entry["hash"] == HASH_A
    assert entry["floors"]["events_f1"] == 0.8 and entry["floors"]["fields"]["date"] == 0.75
    assert entry["floors"]["unsupported_ratio_max"] == 0.05
    assert doc["history"][0]["action"] == "first pin" and doc["history"][0]["date"] == "2024-05-01"


def test_evaluation_pin_raises_floors_and_keeps_target(floors_file):
    doc = ev.load_floors(floors_file)
    outcome = ev.pin(doc, "dev", ev.measure(fake_result(events_f1=0.8571, unsupported=1)), HASH_A, today=TODAY)
    floors = doc["sets"]["dev"]["floors"]
    assert floors["events_f1"] == 0.85 and floors["unsupported_ratio_max"] == 0.03
    assert outcome.changes == {"events_f1": [0.8, 0.85], "unsupported_ratio_max": [0.05, 0.03]}
    assert not outcome.refused
    assert doc["sets"]["dev"]["target"] == {"events_f1": 0.9}
    assert doc["history"][-1]["action"] == "raise"


def test_evaluation_pin_never_lowers_without_flag(floors_file):
    doc = ev.load_floors(floors_file)
    worse = fake_result(events_f1=0.6, primary_f1=0.95, unsupported=8, date=0.5)
    outcome = ev.pin(doc, "dev", ev.measure(worse), HASH_A, today=TODAY)
    floors = doc["sets"]["dev"]["floors"]
    assert floors["events_f1"] == 0.8 and floors["fields"]["date"] == 0.75     # kept
    assert floors["unsupported_ratio_max"] == 0.05                            # ceiling kept
    assert floors["primary_f1"] == 0.95                                        # still raised
    assert set(outcome.refused) == {"events_f1", "fields.date", "unsupported_ratio_max"}
    assert outcome.refused["events_f1"] == [0.8, 0.6]


def test_evaluation_pin_small_dip_above_floor_is_no_change(floors_file):
    doc = ev.load_floors(floors_file)
    before = len(doc["history"])
    outcome = ev.pin(doc, "dev", ev.measure(fake_result(events_f1=0.8049)), HASH_A, today=TODAY)
    assert not outcome.changes and not outcome.refused
    assert len(doc["history"]) == before


def test_evaluation_pin_lower_needs_reason(floors_file):
    doc = ev.load_floors(floors_file)
    with pytest.raises(ev.EvaluationError, match="reason"):
        ev.pin(doc, "dev", ev.measure(fake_result(events_f1=0.6)), HASH_A, lower=True)
    with pytest.raises(ev.EvaluationError, match="reason"):
        ev.pin(doc, "dev", ev.measure(fake_result(events_f1=0.6)), HASH_A, lower=True, reason="  ")
    assert doc["sets"]["dev"]["floors"]["events_f1"] == 0.8


def test_evaluation_pin_lower_with_reason_records_history(floors_file):
    doc = ev.load_floors(floors_file)
    worse = fake_result(events_f1=0.6123, apogee_km=None)
    outcome = ev.pin(doc, "dev", ev.measure(worse), HASH_B, lower=True, reason="gold fix in dev-007", today=TODAY)
    floors = doc["sets"]["dev"]["floors"]
    assert floors["events_f1"] == 0.61 and floors["fields"]["apogee_km"] is None
    assert floors["fields"]["date"] == 0.75                                    # untouched ones stay
    record = doc["history"][-1]
    assert record["action"] == "lower" and record["reason"] == "gold fix in dev-007"
    assert record["date"] == "2024-05-01" and record["previous_hash"] == HASH_A
    assert record["changes"]["events_f1"] == [0.8, 0.61]
    assert outcome.hash_changed and doc["sets"]["dev"]["hash"] == HASH_B


def test_evaluation_check_reports_breaches_hash_and_missing_set(floors_file):
    entry = ev.load_floors(floors_file)["sets"]["dev"]
    ok = ev.measure(fake_result())
    assert ev.check("dev", entry, ok, HASH_A) == []
    bad = ev.check("dev", entry, ev.measure(fake_result(events_f1=0.7, unsupported=9, apogee_km=None)), HASH_A)
    text = "\n".join(bad)
    assert "events_f1 0.7 is below the floor 0.8" in text
    assert "unsupported_ratio_max 0.225 is above the ceiling 0.05" in text
    assert "fields.apogee_km n/a" in text and "--lower --reason" in text
    assert "re-pin" in ev.check("dev", entry, ok, HASH_B)[0]
    assert "must be pinned" in ev.check("clusters", None, ok, HASH_A)[0]


def test_evaluation_pin_command_refuses_and_keeps_file(floors_file, monkeypatch, tmp_path, capsys):
    gold_set = _fake_set(tmp_path / "eval", "dev")
    monkeypatch.setattr(ev, "find_eval_dir", lambda *a, **k: gold_set.folder.parent)
    monkeypatch.setattr(ev, "set_hash", lambda folder: HASH_A)
    monkeypatch.setattr(ev, "score_set", lambda *a, **k: fake_result(events_f1=0.5))
    assert ev.main(["--floors", str(floors_file), "pin", "--lower"]) == 2
    assert "--reason" in capsys.readouterr().err
    assert ev.main(["--floors", str(floors_file), "pin", "--set", "nope"]) == 2
    assert ev.main(["--floors", str(floors_file), "pin"]) == 1
    assert "refused to lower events_f1" in capsys.readouterr().err
    assert json.loads(floors_file.read_text())["sets"]["dev"]["floors"]["events_f1"] == 0.8
    assert ev.main(["--floors", str(floors_file), "pin", "--lower", "--reason", "new scorer"]) == 0
    doc = json.loads(floors_file.read_text())
    assert doc["sets"]["dev"]["floors"]["events_f1"] == 0.5
    assert doc["history"][-1]["reason"] == "new scorer"


def _fake_set(eval_dir: Path, name: str) -> ev.GoldSet:
    folder = eval_dir / name
    (folder / "gold").mkdir(parents=True)
    (folder / "docs").mkdir()
    (folder / "manifest.jsonl").write_text('{"id": "d1", "path": "docs/d1.txt"}\n')
    (folder / "docs" / "d1.txt").write_text("North Korea fired a missile.\n")
    (folder / "gold" / "d1.json").write_text('{"id": "d1", "events": []}\n')
    return ev.GoldSet(name, folder)


def test_evaluation_discover_sets_and_hash(tmp_path):
    eval_dir = tmp_path / "eval"
    dev = _fake_set(eval_dir, "dev")
    (eval_dir / "notes").mkdir()                      # no manifest, no gold: not a set
    (eval_dir / "score.py").write_text("")
    assert [s.name for s in ev.discover_sets(eval_dir)] == ["dev"]
    first = ev.set_hash(dev.folder)
    assert first == ev.set_hash(dev.folder)
    for path, text in (("gold/d1.json", '{"id": "d1", "events": [{}]}\n'),
                       ("docs/d1.txt", "Iran fired a missile.\n"),
                       ("manifest.jsonl", '{"id": "d1", "path": "docs/d1.txt", "published": "2024-01-01"}\n')):
        saved = (dev.folder / path).read_text()
        (dev.folder / path).write_text(text)
        assert ev.set_hash(dev.folder) != first, path
        (dev.folder / path).write_text(saved)
    assert ev.set_hash(dev.folder) == first
    (dev.folder / "gold" / "d1.json").rename(dev.folder / "gold" / "d2.json")
    assert ev.set_hash(dev.folder) != first


def test_evaluation_find_eval_dir_env_and_default(tmp_path):
    shared_eval = tmp_path / "shared" / "eval"
    shared_eval.mkdir(parents=True)
    (shared_eval / "score.py").write_text("")
    repo = tmp_path / "repo"
    repo.mkdir()
    assert ev.find_eval_dir(repo, environ={}) == shared_eval.resolve()
    assert ev.find_eval_dir(tmp_path / "elsewhere" / "repo", environ={}) is None
    for given in (shared_eval, shared_eval.parent):
        assert ev.find_eval_dir(tmp_path, environ={ev.EVAL_DIR_ENV: str(given)}) == shared_eval.resolve()
    with pytest.raises(ev.EvaluationError, match=ev.EVAL_DIR_ENV):
        ev.find_eval_dir(repo, environ={ev.EVAL_DIR_ENV: str(tmp_path / "missing")})
