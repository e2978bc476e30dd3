"""Score cross-article event resolution against a clusters set (issue 3, items 5-6).

usage: python -m launchwatch.cluster_score SET_DIR EVENTS.jsonl [--json]

SET_DIR is a gold set with `manifest.jsonl`, `gold/` and `clusters.json`
(format: tests/data/clusters/README.md). EVENTS.jsonl holds one resolved event
per line, as `launchwatch events --format json` will print it: the SCHEMA.md
event fields (chosen values) plus `id`, `documents`, `claims`, `conflicts`,
`status`.

Items are the gold events of every document, as (doc, event_index). An item's
system event is the one that lists the item's document in `documents` and is
compatible with the gold event (score.py's `compatible`: same actor, dates
compatible, class compatible); among several, the one agreeing on most fields
(score.py's `closeness`, first in file order on a tie); with none, the item is
a singleton of its own. Reported:

* B-cubed precision, recall and F1 of that grouping against the launches'
  members in clusters.json;
* distractor merges: distractor launches whose items share a system event
  with items of another launch;
* consolidated fields: per launch, the system event most of its items map to,
  compared to `truth` with score.py's `field_agrees` on the fields truth gives;
* conflicts surfaced: truth conflicts for which that event has a `conflicts`
  entry of the same field holding every truth value (numbers within 10%,
  strings case-insensitively), each truth value matched by a distinct value.

The comparison helpers come from the official ../shared/eval/score.py, found
the way the quality gate finds it (`evaluation.find_eval_dir`).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

from launchwatch.evaluation import SCORER, EvaluationError, find_eval_dir

CLUSTERS_FILE = "clusters.json"
TRUTH_FIELDS = ["date", "weapon_class", "count", "platform", "distance_km", "apogee_km", "outcome",
                "reported_by"]
NUMBER_TOLERANCE = 0.10

Item = tuple[str, int]

_scorer: ModuleType | None = None


def scorer() -> ModuleType:
    """The official score.py, loaded once from the shared eval folder."""
    global _scorer
    if _scorer is None:
        eval_dir = find_eval_dir()
        if eval_dir is None or not (eval_dir / SCORER).is_file():
            raise EvaluationError(f"no shared eval folder with {SCORER}: cannot score clusters")
        spec = importlib.util.spec_from_file_location("launchwatch_official_score", eval_dir / SCORER)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _scorer = module
    return _scorer


# --- loading ---------------------------------------------------------------

def load_set(set_dir: Path) -> tuple[dict[str, dict], dict]:
    """(gold documents by id, clusters.json) of a clusters set."""
    set_dir = Path(set_dir)
    clusters_path = set_dir / CLUSTERS_FILE
    if not clusters_path.is_file():
        raise EvaluationError(f"{set_dir} has no {CLUSTERS_FILE}")
    return scorer().load_gold(set_dir / "gold"), json.loads(clusters_path.read_text())


def load_events(path: Path) -> list[dict]:
    """System events, one JSON object per line (blank lines skipped)."""
    events = []
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError as err:
            raise EvaluationError(f"{path}:{n}: not JSON: {err}") from err
    return events


def gold_items(gold_docs: dict[str, dict]) -> dict[Item, dict]:
    """Every gold event of every document, keyed by (doc, event_index)."""
    return {(doc_id, i): event for doc_id, doc in sorted(gold_docs.items())
            for i, event in enumerate(doc.get("events", []))}


def launch_of_items(clusters: dict, items: dict[Item, dict]) -> dict[Item, str]:
    """Gold launch id per item; an item no launch lists is a gold singleton."""
    owner = {(m["doc"], m["event_index"]): launch["id"]
             for launch in clusters.get("launches", []) for m in launch.get("members", [])}
    return {item: owner.get(item, f"unlisted:{item[0]}#{item[1]}") for item in items}


def check_clusters(gold_docs: dict[str, dict], clusters: dict) -> list[str]:
    """Problems that make clusters.json unusable for scoring (empty when fine)."""
    items = gold_items(gold_docs)
    problems, seen = [], set()
    for launch in clusters.get("launches", []):
        for m in launch.get("members", []):
            key = (m.get("doc"), m.get("event_index"))
            if key not in items:
                problems.append(f"{launch.get('id')}: member {key} is not a gold event")
            elif key in seen:
                problems.append(f"{launch.get('id')}: member {key} listed twice")
            seen.add(key)
    ids = {launch.get("id") for launch in clusters.get("launches", [])}
    problems += [f"distractor {d} is not a launch" for d in clusters.get("distractors", []) if d not in ids]
    return problems


# --- assignment --------------------------------------------------------------

def system_event_of(item: Item, gold_event: dict, events: list[dict]) -> int | None:
    """Index of the item's system event, or None when no event fits."""
    sc = scorer()
    candidates = [i for i, ev in enumerate(events)
                  if item[0] in (ev.get("documents") or []) and sc.compatible(gold_event, ev)]
    if not candidates:
        return None
    return max(candidates, key=lambda i: (sc.closeness(gold_event, events[i]), -i))


def assign(items: dict[Item, dict], events: list[dict]) -> dict[Item, int | None]:
    return {item: system_event_of(item, gold, events) for item, gold in items.items()}


def system_clusters(assignment: dict[Item, int | None]) -> dict[Item, Any]:
    """Cluster label per item: its system event, or the item itself when unmatched."""
    return {item: ("event", idx) if idx is not None else ("single", item) for item, idx in assignment.items()}


# --- measures ----------------------------------------------------------------

def bcubed(gold_label: dict[Item, Any], sys_label: dict[Item, Any]) -> dict[str, float]:
    """B-cubed precision, recall and F1 over the items."""
    if not gold_label:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    gold_groups, sys_groups = _groups(gold_label), _groups(sys_label)
    p = r = 0.0
    for item in gold_label:
        g, s = gold_groups[gold_label[item]], sys_groups[sys_label[item]]
        both = len(g & s)
        p += both / len(s)
        r += both / len(g)
    p, r = p / len(gold_label), r / len(gold_label)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _groups(label: dict[Item, Any]) -> dict[Any, set[Item]]:
    groups: dict[Any, set[Item]] = {}
    for item, key in label.items():
        groups.setdefault(key, set()).add(item)
    return groups


def distractor_merges(clusters: dict, gold_label: dict[Item, str],
                      assignment: dict[Item, int | None]) -> list[str]:
    """Distractor launches sharing a system event with another launch's items."""
    launches_of_event: dict[int, set[str]] = {}
    for item, idx in assignment.items():
        if idx is not None:
            launches_of_event.setdefault(idx, set()).add(gold_label[item])
    merged = []
    for d in clusters.get("distractors", []):
        events = {idx for item, idx in assignment.items() if gold_label[item] == d and idx is not None}
        if any(launches_of_event[idx] - {d} for idx in events):
            merged.append(d)
    return merged


def launch_event(launch: dict, assignment: dict[Item, int | None]) -> int | None:
    """The system event most of the launch's items map to (earliest on a tie)."""
    idxs = [assignment.get((m["doc"], m["event_index"])) for m in launch.get("members", [])]
    counts = Counter(i for i in idxs if i is not None)
    if not counts:
        return None
    return max(counts, key=lambda i: (counts[i], -i))


def field_results(truth: dict, event: dict | None) -> dict[str, bool]:
    """Per truth field (those truth gives): does the event's chosen value agree?"""
    sc = scorer()
    return {f: event is not None and sc.field_agrees(f, truth[f], event.get(f))
            for f in TRUTH_FIELDS if truth.get(f) not in (None, [])}


def value_matches(truth_value: Any, system_value: Any) -> bool:
    if isinstance(system_value, dict):
        system_value = system_value.get("value")
    if _is_number(truth_value):
        try:
            return abs(float(system_value) - float(truth_value)) <= NUMBER_TOLERANCE * abs(float(truth_value)) + 1e-9
        except (TypeError, ValueError):
            return False
    return str(system_value).strip().lower() == str(truth_value).strip().lower()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def conflict_surfaced(truth_conflict: dict, event: dict | None) -> bool:
    """Does the event list a conflict of the same field holding every truth value?"""
    if event is None:
        return False
    for entry in event.get("conflicts") or []:
        if entry.get("field") != truth_conflict["field"]:
            continue
        if covers(truth_conflict.get("values", []), entry.get("values") or []):
            return True
    return False


def covers(truth_values: list, system_values: list) -> bool:
    """Can every truth value be matched to a distinct system value?

    Distinct, so that one system value within 10% of two close truth figures
    (400 and 410 km) does not count as surfacing their conflict.
    """
    owner: dict[int, int] = {}  # system value index -> truth value index

    def place(t: int, seen: set[int]) -> bool:
        for s, value in enumerate(system_values):
            if s not in seen and value_matches(truth_values[t], value):
                seen.add(s)
                if s not in owner or place(owner[s], seen):
                    owner[s] = t
                    return True
        return False

    return all(place(t, set()) for t in range(len(truth_values)))


# --- the score ---------------------------------------------------------------

def score(gold_docs: dict[str, dict], clusters: dict, events: list[dict]) -> dict:
    items = gold_items(gold_docs)
    gold_label = launch_of_items(clusters, items)
    assignment = assign(items, events)
    merged = distractor_merges(clusters, gold_label, assignment)
    per_launch = {launch["id"]: _launch_result(launch, assignment, events) for launch in clusters.get("launches", [])}
    return {
        "items": len(items),
        "problems": check_clusters(gold_docs, clusters),
        "system_events": len(events),
        "unmatched_items": sorted(f"{d}#{i}" for (d, i), idx in assignment.items() if idx is None),
        "bcubed": bcubed(gold_label, system_clusters(assignment)),
        "distractors": {"total": len(clusters.get("distractors", [])), "merged": len(merged), "merged_ids": merged},
        "fields": _field_totals(per_launch),
        "conflicts": _conflict_totals(per_launch),
        "per_launch": per_launch,
    }


def _launch_result(launch: dict, assignment: dict[Item, int | None], events: list[dict]) -> dict:
    idx = launch_event(launch, assignment)
    event = events[idx] if idx is not None else None
    return {
        "role": launch.get("role"),
        "event": None if event is None else event.get("id", idx),
        "fields": field_results(launch.get("truth") or {}, event),
        "conflicts": {c["field"]: conflict_surfaced(c, event) for c in launch.get("conflicts", [])},
    }


def _field_totals(per_launch: dict[str, dict]) -> dict:
    per_field = {f: {"right": 0, "asked": 0} for f in TRUTH_FIELDS}
    for result in per_launch.values():
        for f, ok in result["fields"].items():
            per_field[f]["asked"] += 1
            per_field[f]["right"] += ok
    right = sum(v["right"] for v in per_field.values())
    asked = sum(v["asked"] for v in per_field.values())
    return {"accuracy": _ratio(right, asked), "right": right, "asked": asked,
            "per_field": {f: {"accuracy": _ratio(v["right"], v["asked"]), **v} for f, v in per_field.items()}}


def _conflict_totals(per_launch: dict[str, dict]) -> dict:
    results = [(lid, f, ok) for lid, r in per_launch.items() for f, ok in r["conflicts"].items()]
    surfaced = sum(ok for _, _, ok in results)
    return {"surfaced": surfaced, "total": len(results),
            "missed": [f"{lid}.{f}" for lid, f, ok in results if not ok]}


def _ratio(right: int, asked: int) -> float | None:
    return round(right / asked, 4) if asked else None


def score_paths(set_dir: Path, events_path: Path) -> dict:
    gold_docs, clusters = load_set(set_dir)
    return score(gold_docs, clusters, load_events(events_path))


# --- CLI ---------------------------------------------------------------------

def report_lines(result: dict) -> list[str]:
    b, d, f, c = result["bcubed"], result["distractors"], result["fields"], result["conflicts"]
    acc = "n/a" if f["accuracy"] is None else f"{f['accuracy']:.3f}"
    lines = [
        f"items {result['items']}  system events {result['system_events']}  unmatched {len(result['unmatched_items'])}",
        f"B-cubed         P {b['precision']:.3f}  R {b['recall']:.3f}  F1 {b['f1']:.3f}",
        f"distractors merged {d['merged']}/{d['total']}" + (f"  ({', '.join(d['merged_ids'])})" if d["merged"] else ""),
        f"consolidated fields accuracy {acc}  ({f['right']}/{f['asked']})",
    ]
    for name, v in f["per_field"].items():
        if v["asked"]:
            lines.append(f"  {name:<13} accuracy {v['accuracy']:.3f}  ({v['right']}/{v['asked']})")
    lines.append(f"conflicts surfaced {c['surfaced']}/{c['total']}")
    lines += [f"  missed {m}" for m in c["missed"]]
    lines += [f"clusters.json: {p}" for p in result["problems"]]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set_dir", type=Path, help="folder with manifest.jsonl, gold/ and clusters.json")
    ap.add_argument("events", type=Path, help="EVENTS.jsonl from `launchwatch events --format json`")
    ap.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = ap.parse_args(argv)
    try:
        result = score_paths(args.set_dir, args.events)
    except (EvaluationError, OSError) as err:
        print(f"cluster_score: {err}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2) if args.json else "\n".join(report_lines(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
