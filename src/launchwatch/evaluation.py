"""The quality gate: score extraction on the gold sets and pin quality floors.

Stages, in order:
  1. find_eval_dir     the shared eval folder: $LAUNCHWATCH_EVAL_DIR, else
                       <repo>/../shared/eval (CI clones the repo beside a copy
                       of shared/)
  2. gate_sets         every folder there with manifest.jsonl and gold/, and
                       the project's own sets under tests/data/
                       (seed, dev, and any later set of the same layout)
  3. set_hash          sha256 of the set's gold files, manifest and docs
  4. score_set         extract in-process (the code path of `launchwatch
                       extract --manifest`), then run the official score.py
                       on the predictions as a subprocess
  5. measure / check   the gated figures of a score, and the floors they break
  6. pin_entry         new floors for a set: raise-only unless lowering is
                       asked for with a reason

eval/floors.json (at the repo root) keeps, per set, the corpus hash, the
floors (events_f1, primary_f1, per-field accuracy, unsupported_ratio_max)
and the issue's targets for reference; every change is appended to
"history". tests/test_quality_gate.py fails when a floor is broken, a
corpus changed since it was pinned, or a set has no floors.

Script mode:

    python -m launchwatch.evaluation report             # scorer output per set
    python -m launchwatch.evaluation pin [--set NAME]   # raise floors to what is measured
    python -m launchwatch.evaluation pin --set dev --lower --reason "gold fix in dev-007"
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable

from launchwatch.errors import LaunchwatchError

EVAL_DIR_ENV = "LAUNCHWATCH_EVAL_DIR"
SCORER = "score.py"
MANIFEST = "manifest.jsonl"
GOLD = "gold"
DOCS = "docs"
FLOORS_FILE = Path("eval") / "floors.json"

# Floors live on a 0.01 grid: a measured 0.6962 pins 0.69, so a change that
# moves a figure by less than a hundredth (one more match in a 100-pair set)
# does not break the gate, and a real regression does.
FLOOR_STEP = 0.01
# Keys of the flattened floors: the two F1 figures and the unsupported ratio;
# the per-field accuracies are "fields.<name>" (names come from the scorer).
MAX_KEYS = ("unsupported_ratio_max", "resolution_distractors_merged_max")
PIN_COMMAND = "python -m launchwatch.evaluation pin"


class EvaluationError(LaunchwatchError):
    """The eval folder, a set, the scorer or the floors file is unusable."""


@dataclass(frozen=True)
class GoldSet:
    name: str
    folder: Path

    @property
    def manifest(self) -> Path:
        return self.folder / MANIFEST

    @property
    def gold(self) -> Path:
        return self.folder / GOLD


# --------------------------------------------------------------------------
# Finding the sets
# --------------------------------------------------------------------------

def repo_root() -> Path:
    """The checkout this module lives in (src layout: <root>/src/launchwatch/)."""
    return Path(__file__).resolve().parents[2]


def find_eval_dir(root: Path | None = None, environ: dict[str, str] | None = None) -> Path | None:
    """The shared eval folder (the one holding score.py), or None when absent.

    $LAUNCHWATCH_EVAL_DIR may name the eval folder or the shared folder above
    it; when it is set but wrong that is an error, not a skip.
    """
    env = os.environ if environ is None else environ
    given = env.get(EVAL_DIR_ENV)
    if given:
        path = Path(given).expanduser()
        for candidate in (path, path / "eval"):
            if (candidate / SCORER).is_file():
                return candidate.resolve()
        raise EvaluationError(f"{EVAL_DIR_ENV}={given} holds no {SCORER} (nor does {path / 'eval'})")
    default = (root or repo_root()).resolve().parent / "shared" / "eval"
    return default if default.is_dir() else None


def discover_sets(eval_dir: Path) -> list[GoldSet]:
    """Every folder in `eval_dir` with a manifest.jsonl and a gold/ folder, by name."""
    return [GoldSet(folder.name, folder) for folder in sorted(Path(eval_dir).iterdir())
            if folder.is_dir() and (folder / MANIFEST).is_file() and (folder / GOLD).is_dir()]


PROJECT_SETS = Path("tests") / "data"


def gate_sets(eval_dir: Path, root: Path | None = None) -> list[GoldSet]:
    """The shared sets, then the project's own (tests/data/*: written blind to the extractor)."""
    own = (root or repo_root()) / PROJECT_SETS
    return discover_sets(eval_dir) + (discover_sets(own) if own.is_dir() else [])


def set_hash(folder: Path) -> str:
    """sha256 over the gold files (sorted by name), the manifest and the docs.

    Each file enters as its relative name, its length and its bytes, so a
    renamed, moved or edited file changes the hash; hidden files are ignored.
    """
    folder = Path(folder)
    digest = hashlib.sha256()
    files = _files(folder / GOLD) + [folder / MANIFEST] + _files(folder / DOCS)
    for path in files:
        data = path.read_bytes()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.rglob("*") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts)),
                  key=lambda p: p.relative_to(folder).as_posix())


# --------------------------------------------------------------------------
# Extracting and scoring
# --------------------------------------------------------------------------

def extract_set(gold_set: GoldSet, out_path: Path, settings=None) -> dict[str, Any]:
    """Write one SCHEMA.md object per document of the set's manifest to `out_path`.

    Same code path as `launchwatch extract --manifest` (ingest.process_all +
    result_object). Default Settings, not the environment: the gate measures
    the shipped knowledge, whatever $LAUNCHWATCH_KNOWLEDGE says.
    """
    from launchwatch.ingest import process_all, result_object
    from launchwatch.settings import Settings

    documents, failed = 0, []
    with open(out_path, "w", encoding="utf-8") as fp:
        for result in process_all([], settings=settings or Settings(), manifest=str(gold_set.manifest)):
            documents += 1
            if not result.ok:
                failed.append([result.raw.source, result.error])
            fp.write(json.dumps(result_object(result), ensure_ascii=False) + "\n")
    return {"documents": documents, "failed": failed}


def resolve_set(gold_set: GoldSet, db_url: str, settings=None) -> list[dict[str, Any]]:
    """Ingest the set into `db_url`, resolve, and return `launchwatch events --format json` objects."""
    from launchwatch.ingest import ingest
    from launchwatch.knowledge import load_knowledge
    from launchwatch.resolve import list_events, resolve_pending
    from launchwatch.settings import Settings
    from launchwatch.store import Store

    settings = settings or Settings()
    with Store(db_url) as store:
        ingest([], store=store, settings=settings, manifest=str(gold_set.manifest))
        resolve_pending(store, load_knowledge(settings.knowledge_dirs))
        return list_events(store, with_claims=True)


def score_resolution(gold_set: GoldSet, tmp: Path) -> dict[str, Any] | None:
    """cluster_score's result for a set with a clusters.json, else None."""
    from launchwatch import cluster_score

    if not (gold_set.folder / cluster_score.CLUSTERS_FILE).is_file():
        return None
    events = resolve_set(gold_set, f"sqlite:///{tmp / (gold_set.name + '.db')}")
    gold_docs, clusters = cluster_score.load_set(gold_set.folder)
    result = cluster_score.score(gold_docs, clusters, events)
    result["text"] = "\n".join(cluster_score.report_lines(result))
    return result


def run_scorer(eval_dir: Path, gold_dir: Path, pred: Path, *flags: str) -> str:
    """stdout of the official score.py, run by this interpreter."""
    command = [sys.executable, str(Path(eval_dir) / SCORER), str(gold_dir), str(pred), *flags]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise EvaluationError(f"{SCORER} failed (exit {done.returncode}): {done.stderr.strip()}")
    return done.stdout


def score_set(gold_set: GoldSet, eval_dir: Path, *, text: bool = False) -> dict[str, Any]:
    """Extract the set and score it: score.py's --json result, plus "extraction"
    ({documents, failed}) and, when `text`, "text" (the --per-doc printout)."""
    with tempfile.TemporaryDirectory(prefix="launchwatch-eval-") as tmp:
        pred = Path(tmp) / f"{gold_set.name}.pred.jsonl"
        extraction = extract_set(gold_set, pred)
        try:
            result = json.loads(run_scorer(eval_dir, gold_set.gold, pred, "--json"))
        except json.JSONDecodeError as err:
            raise EvaluationError(f"{SCORER} --json printed no JSON: {err}") from None
        if text:
            result["text"] = run_scorer(eval_dir, gold_set.gold, pred, "--per-doc")
        resolution = score_resolution(gold_set, Path(tmp))
        if resolution is not None:
            result["resolution"] = resolution
    result["extraction"] = extraction
    return result


# --------------------------------------------------------------------------
# Gated figures, floors and checks
# --------------------------------------------------------------------------

def measure(result: dict[str, Any]) -> dict[str, float | None]:
    """The gated figures of a score.py result, flat: events_f1, primary_f1,
    fields.<name> (None where no matched pair asks for the field) and
    unsupported_ratio_max (unsupported values over matched pairs)."""
    fields = result["fields"]
    matched = result["events"]["tp"]
    unsupported = sum(v["unsupported"] for v in fields.values())
    flat: dict[str, float | None] = {
        "events_f1": result["events"]["f1"],
        "primary_f1": result["primary_events"]["f1"],
    }
    flat.update({f"fields.{name}": v["accuracy"] for name, v in fields.items()})
    flat["unsupported_ratio_max"] = round(unsupported / matched, 4) if matched else 0.0
    resolution = result.get("resolution")
    if resolution:
        conflicts = resolution["conflicts"]
        flat.update({
            "resolution_bcubed_f1": resolution["bcubed"]["f1"],
            "resolution_fields": resolution["fields"]["accuracy"],
            "resolution_conflicts": round(conflicts["surfaced"] / conflicts["total"], 4) if conflicts["total"] else None,
            "resolution_distractors_merged_max": float(resolution["distractors"]["merged"]),
        })
    return flat


def flatten(floors: dict[str, Any]) -> dict[str, float | None]:
    """{"fields": {"date": x}} -> {"fields.date": x}; other keys as they are."""
    flat = {key: value for key, value in floors.items() if key != "fields"}
    flat.update({f"fields.{name}": value for name, value in floors.get("fields", {}).items()})
    return flat


def nest(flat: dict[str, float | None]) -> dict[str, Any]:
    """The inverse of `flatten`, in a stable order (F1s, fields, ratio)."""
    out: dict[str, Any] = {k: v for k, v in flat.items() if "." not in k and k not in MAX_KEYS}
    out["fields"] = {k.split(".", 1)[1]: v for k, v in flat.items() if k.startswith("fields.")}
    out.update({k: flat[k] for k in MAX_KEYS if k in flat})
    return out


def breaks(key: str, value: float | None, floor: float | None) -> bool:
    """Does a measured value break its floor (or, for *_max keys, its ceiling)?

    A field with a floor that no matched pair asks for any more (None) breaks it.
    """
    if floor is None:
        return False
    if value is None:
        return True
    return value > floor + 1e-9 if key in MAX_KEYS else value < floor - 1e-9


def check(name: str, entry: dict[str, Any] | None, measured: dict[str, float | None],
          corpus_hash: str) -> list[str]:
    """Why set `name` fails the gate (empty list: it passes)."""
    if entry is None:
        return [f"set {name!r} has no floors in {FLOORS_FILE}: new sets must be pinned "
                f"(`{PIN_COMMAND} --set {name}`)"]
    if entry.get("hash") != corpus_hash:
        return [f"set {name!r} changed since its floors were pinned (hash {str(entry.get('hash'))[:12]} "
                f"pinned, {corpus_hash[:12]} now): re-measure and re-pin with `{PIN_COMMAND} --set {name}` "
                f"(a floor that must go down needs --lower --reason '...')"]
    problems = []
    for key, floor in flatten(entry.get("floors", {})).items():
        value = measured.get(key)
        if breaks(key, value, floor):
            relation = "above the ceiling" if key in MAX_KEYS else "below the floor"
            problems.append(f"{name}: {key} {_show(value)} is {relation} {_show(floor)}")
    if problems:
        problems.append(f"(a lower floor needs `{PIN_COMMAND} --set {name} --lower --reason '...'`)")
    return problems


def round_to_grid(key: str, value: float | None) -> float | None:
    """Floors round down to 0.01, ceilings (*_max) round up."""
    if value is None:
        return None
    steps = value / FLOOR_STEP
    steps = math.ceil(steps - 1e-6) if key in MAX_KEYS else math.floor(steps + 1e-6)
    return round(steps * FLOOR_STEP, 2)


def _tighter(key: str, a: float, b: float) -> bool:
    """Is floor `a` stricter than floor `b`?"""
    return a < b if key in MAX_KEYS else a > b


@dataclass
class PinOutcome:
    entry: dict[str, Any]
    changes: dict[str, list]          # key -> [old, new]
    refused: dict[str, list]          # key -> [floor kept, measured]
    hash_changed: bool


def pin_entry(entry: dict[str, Any] | None, measured: dict[str, float | None], corpus_hash: str,
              *, lower: bool = False) -> PinOutcome:
    """New floors for one set from `measured` (see `measure`).

    Without `lower` floors only tighten: floor = measured on the 0.01 grid,
    never below the existing floor; a measurement that breaks a floor keeps
    the floor and is listed in `refused`. With `lower`, such floors follow the
    measurement down (the caller records the reason). The entry's "target"
    is kept; its hash becomes `corpus_hash`.
    """
    entry = dict(entry or {})
    old = flatten(entry.get("floors", {}))
    new, changes, refused = dict(old), {}, {}
    for key, value in measured.items():
        proposal, current = round_to_grid(key, value), old.get(key)
        if current is None:
            new[key] = proposal
        elif not breaks(key, value, current):
            if proposal is not None and _tighter(key, proposal, current):
                new[key] = proposal
        elif lower:
            new[key] = proposal
        else:
            refused[key] = [current, value]
        if new.get(key) != current and not (current is None and new.get(key) is None):
            changes[key] = [current, new[key]]
    previous_hash = entry.get("hash")
    entry = {"hash": corpus_hash, "floors": nest(new), "target": entry.get("target", {})}
    return PinOutcome(entry, changes, refused, previous_hash not in (None, corpus_hash))


def history_record(name: str, outcome: PinOutcome, previous_hash: str | None, *,
                   lower: bool, reason: str | None, today: date | None = None) -> dict[str, Any]:
    if previous_hash is None:
        action = "first pin"
    elif lower and any(_loosened(k, *v) for k, v in outcome.changes.items()):
        action = "lower"
    else:
        action = "raise"
    record: dict[str, Any] = {"date": (today or date.today()).isoformat(), "set": name, "action": action,
                              "hash": outcome.entry["hash"]}
    if outcome.hash_changed:
        record["previous_hash"] = previous_hash
    record["changes"] = outcome.changes
    if reason:
        record["reason"] = reason
    return record


def _loosened(key: str, old: float | None, new: float | None) -> bool:
    if old is None:
        return False
    return new is None or _tighter(key, old, new)


# --------------------------------------------------------------------------
# The floors file
# --------------------------------------------------------------------------

def floors_path(root: Path | None = None) -> Path:
    return (root or repo_root()) / FLOORS_FILE


def load_floors(path: Path) -> dict[str, Any]:
    """The floors document; an absent file is an empty one."""
    path = Path(path)
    if not path.exists():
        return {"sets": {}, "history": []}
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise EvaluationError(f"{path}: not JSON: {err}") from None
    doc.setdefault("sets", {})
    doc.setdefault("history", [])
    return doc


# A list of numbers or nulls ([old, new] in the history) is kept on one line.
_NUMBER_LIST = re.compile(r"\[\s*((?:-?[\d.eE+]+|null)(?:,\s*(?:-?[\d.eE+]+|null))*)\s*\]")


def save_floors(path: Path, doc: dict[str, Any]) -> None:
    """Write the floors document (through a temp file, so a crash leaves the old one)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    text = _NUMBER_LIST.sub(lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",")) + "]", text)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)


def pin(doc: dict[str, Any], name: str, measured: dict[str, float | None], corpus_hash: str, *,
        lower: bool = False, reason: str | None = None, today: date | None = None) -> PinOutcome:
    """Pin set `name` in the floors document `doc` (in place); history grows by
    one record when anything changed. Lowering needs a reason."""
    if lower and not (reason and reason.strip()):
        raise EvaluationError("lowering a floor needs --reason TEXT (it is recorded in the history)")
    previous = doc["sets"].get(name)
    outcome = pin_entry(previous, measured, corpus_hash, lower=lower)
    doc["sets"][name] = outcome.entry
    if outcome.changes or outcome.hash_changed or previous is None:
        doc["history"].append(history_record(name, outcome, previous and previous.get("hash"),
                                             lower=lower, reason=reason, today=today))
    return outcome


# --------------------------------------------------------------------------
# Script mode
# --------------------------------------------------------------------------

def _show(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _selected(eval_dir: Path, names: Iterable[str] | None) -> list[GoldSet]:
    sets = gate_sets(eval_dir)
    if not sets:
        raise EvaluationError(f"no gold sets (folders with {MANIFEST} and {GOLD}/) in {eval_dir}")
    if not names:
        return sets
    known = {s.name: s for s in sets}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise EvaluationError(f"unknown set {', '.join(unknown)}; sets in {eval_dir}: {', '.join(known)}")
    return [known[n] for n in names]


def _require_eval_dir() -> Path:
    eval_dir = find_eval_dir()
    if eval_dir is None:
        raise EvaluationError(f"no shared eval folder at {repo_root().parent / 'shared' / 'eval'}; "
                              f"set {EVAL_DIR_ENV}")
    return eval_dir


def _target_lines(target: dict[str, Any], measured: dict[str, float | None], result: dict) -> list[str]:
    """'target' entries the measurement does not reach yet."""
    figures = dict(measured, events_recall=result["events"]["recall"])
    short = []
    for key, goal in flatten(target).items():
        value = figures.get(key)
        if goal is not None and breaks(key, value, goal):
            short.append(f"{key} {_show(value)} (target {_show(goal)})")
    return short


def command_report(args) -> int:
    eval_dir = _require_eval_dir()
    doc = load_floors(args.floors)
    failing = 0
    for gold_set in _selected(eval_dir, args.set):
        result = score_set(gold_set, eval_dir, text=True)
        measured, corpus_hash = measure(result), set_hash(gold_set.folder)
        entry = doc["sets"].get(gold_set.name)
        print(f"== {gold_set.name}  ({gold_set.folder}, hash {corpus_hash[:12]})")
        print(result["text"].rstrip())
        for source, error in result["extraction"]["failed"]:
            print(f"  extraction failed: {source}: {error}")
        print(f"  unsupported values per matched pair {_show(measured['unsupported_ratio_max'])}")
        if "resolution" in result:
            print("-- cross-article resolution (cluster_score)")
            print(result["resolution"]["text"])
        problems = check(gold_set.name, entry, measured, corpus_hash)
        failing += bool(problems)
        print("gate: " + ("ok" if not problems else "FAILS\n  " + "\n  ".join(problems)))
        target = (entry or {}).get("target") or {}
        short = _target_lines(target, measured, result)
        print("target: " + ("none recorded" if not target else "met" if not short
                            else "not yet: " + "; ".join(short)))
        print()
    return 1 if failing else 0


def command_pin(args) -> int:
    if args.lower and not (args.reason and args.reason.strip()):
        raise EvaluationError("--lower needs --reason TEXT (it is recorded in the history)")
    eval_dir = _require_eval_dir()
    doc = load_floors(args.floors)
    refusals = 0
    for gold_set in _selected(eval_dir, args.set):
        measured = measure(score_set(gold_set, eval_dir))
        outcome = pin(doc, gold_set.name, measured, set_hash(gold_set.folder),
                      lower=args.lower, reason=args.reason)
        print(f"{gold_set.name}: " + (", ".join(f"{k} {_show(a)} -> {_show(b)}"
                                                for k, (a, b) in outcome.changes.items()) or "no change")
              + (" (corpus changed: new hash pinned)" if outcome.hash_changed else ""))
        for key, (floor, value) in outcome.refused.items():
            refusals += 1
            print(f"  refused to lower {key}: measured {_show(value)}, floor {_show(floor)} kept "
                  f"(to lower it: --lower --reason '...')", file=sys.stderr)
    save_floors(args.floors, doc)
    print(f"wrote {args.floors}")
    return 1 if refusals else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launchwatch.evaluation",
                                     description="Score extraction on the shared gold sets; pin quality floors.")
    parser.add_argument("--floors", type=Path, default=floors_path(),
                        help=f"floors file (default: {FLOORS_FILE} in the repo)")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="print the scorer output (--per-doc) and gate status per set")
    report.add_argument("--set", action="append", metavar="NAME", help="only this set (repeatable)")
    report.set_defaults(run=command_report)
    pin_parser = commands.add_parser("pin", help="re-measure and raise floors (lower only with --lower --reason)")
    pin_parser.add_argument("--set", action="append", metavar="NAME", help="only this set (repeatable)")
    pin_parser.add_argument("--lower", action="store_true", help="allow floors to go down (needs --reason)")
    pin_parser.add_argument("--reason", metavar="TEXT", help="why; recorded with the date in the history")
    pin_parser.set_defaults(run=command_pin)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except EvaluationError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
