#!/usr/bin/env python3
"""Consistency checks for the project's own gold sets (tests/data/holdout, tests/data/clusters).

Usage: python3 tests/data/check_gold.py SET_DIR

Gold files: parse; keys id/source/published/note/events; every event has the
15 EVENT fields with valid enums and types; dates not later than `published`;
date_text, weapon_name, launch_location, landing verbatim (case-insensitive,
whitespace-normalised) in the visible text (HTML: head/script/style and tags
removed). Manifest lists every document; HTML article:published_time agrees.
clusters.json (when the set has one): every member (doc, event_index) exists; every gold event
belongs to exactly one launch; member actor equals the truth actor and the
member date is compatible with the truth date; distractors are launch ids.
"""
import html, json, os, re, sys

FIELDS = ["actor", "date", "date_text", "weapon_class", "weapon_name", "count", "platform",
          "launch_location", "landing", "distance_km", "apogee_km", "flight_time_s",
          "outcome", "reported_by", "is_primary"]
TRUTH = FIELDS[:2] + FIELDS[3:14]
CLASSES = {"icbm", "irbm", "mrbm", "srbm", "slbm", "ballistic", "cruise", "hypersonic",
           "space_launch", "rocket_artillery", "unknown"}
PLATFORMS = {None, "rail", "road_mobile", "submarine", "ship", "aircraft", "fixed"}
OUTCOMES = {None, "success", "failure"}
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def visible(raw, is_html):
    if is_html:
        raw = re.sub(r"(?is)<(head|script|style)\b.*?</\1>", " ", raw)
        raw = re.sub(r"(?s)<[^>]+>", " ", raw)
    return re.sub(r"\s+", " ", html.unescape(raw)).strip().lower()


def check_event(ev, pub, text, err):
    if list(ev) != FIELDS:
        return err(f"keys {list(ev)}")
    if not re.fullmatch(r"[A-Z]{2}", str(ev["actor"])):
        err("actor")
    d = ev["date"]
    if d is not None and (not DATE_RE.match(d) or (pub and d > pub[:len(d)])):
        err(f"date {d}")
    if ev["weapon_class"] not in CLASSES:
        err("weapon_class")
    if ev["platform"] not in PLATFORMS:
        err("platform")
    if ev["outcome"] not in OUTCOMES:
        err("outcome")
    if ev["count"] is not None and (type(ev["count"]) is not int or ev["count"] < 1):
        err("count")
    for k in ("distance_km", "apogee_km", "flight_time_s"):
        if ev[k] is not None and (type(ev[k]) not in (int, float) or ev[k] <= 0):
            err(k)
    if not isinstance(ev["reported_by"], list) or not all(isinstance(x, str) for x in ev["reported_by"]):
        err("reported_by")
    if type(ev["is_primary"]) is not bool:
        err("is_primary")
    for k in ("date_text", "weapon_name", "launch_location", "landing"):
        v = ev[k]
        if text is not None and v is not None and re.sub(r"\s+", " ", v).strip().lower() not in text:
            err(f"{k} {v!r} not in visible text")


def main(root):
    errs = []
    man = {}
    for line in open(os.path.join(root, "manifest.jsonl"), encoding="utf-8"):
        if line.strip():
            m = json.loads(line)
            man[m["id"]] = m
    golds = {}
    for fn in sorted(os.listdir(os.path.join(root, "gold"))):
        if not fn.endswith(".json"):
            continue
        e = lambda msg, fn=fn: errs.append(f"{fn}: {msg}")
        try:
            g = json.load(open(os.path.join(root, "gold", fn), encoding="utf-8"))
        except Exception as x:  # noqa: BLE001
            e(f"does not parse: {x}")
            continue
        if list(g) != ["id", "source", "published", "note", "events"]:
            e(f"keys {list(g)}")
            continue
        golds[g["id"]] = g
        src = os.path.join(root, "docs", g["source"])
        if g["id"] != fn[:-5] or not os.path.exists(src):
            e("id/source mismatch or source missing")
            continue
        raw = open(src, encoding="utf-8").read()
        is_html = src.endswith(".html")
        text = visible(raw, is_html)
        m = man.get(g["id"])
        if not m or m["path"] != "docs/" + g["source"]:
            e("not (correctly) listed in manifest.jsonl")
        elif "published" in m and m["published"][:10] != g["published"]:
            e("manifest published differs from gold")
        if is_html:
            mt = re.search(r'article:published_time"\s+content="(\d{4}-\d{2}-\d{2})', raw)
            if not mt or mt.group(1) != g["published"]:
                e("article:published_time missing or differs")
        for i, ev in enumerate(g["events"]):
            check_event(ev, g["published"], text, lambda msg, i=i: e(f"event {i}: {msg}"))
    if len(man) != len(golds):
        errs.append(f"manifest has {len(man)} entries, gold has {len(golds)} files")

    nev = sum(len(g["events"]) for g in golds.values())
    if not os.path.exists(os.path.join(root, "clusters.json")):
        for x in errs:
            print("ERROR", x)
        print(f"{len(golds)} gold files, {nev} events")
        return 1 if errs else 0
    c = json.load(open(os.path.join(root, "clusters.json"), encoding="utf-8"))
    seen = {}
    ids = set()
    for L in c["launches"]:
        ids.add(L["id"])
        tr = L["truth"]
        if list(tr) != TRUTH:
            errs.append(f"{L['id']}: truth keys {list(tr)}")
            continue
        if tr["weapon_class"] not in CLASSES or tr["platform"] not in PLATFORMS or tr["outcome"] not in OUTCOMES:
            errs.append(f"{L['id']}: truth enum")
        if not L["members"]:
            errs.append(f"{L['id']}: no members")
        for mb in L["members"]:
            g = golds.get(mb["doc"])
            k = (mb["doc"], mb["event_index"])
            if g is None or not 0 <= mb["event_index"] < len(g["events"]):
                errs.append(f"{L['id']}: member {k} does not exist")
                continue
            if k in seen:
                errs.append(f"{L['id']}: member {k} already in {seen[k]}")
            seen[k] = L["id"]
            ev = g["events"][mb["event_index"]]
            if ev["actor"] != tr["actor"]:
                errs.append(f"{L['id']}: member {k} actor {ev['actor']}")
            d, td = ev["date"], tr["date"]
            if d and td and d[:min(len(d), len(td))] != td[:min(len(d), len(td))]:
                errs.append(f"{L['id']}: member {k} date {d} vs truth {td}")
        for cf in L.get("conflicts", []):
            if cf["field"] not in TRUTH or len(cf["values"]) != len(cf["sources"]):
                errs.append(f"{L['id']}: bad conflict {cf}")
    for did, g in golds.items():
        for i in range(len(g["events"])):
            if (did, i) not in seen:
                errs.append(f"{did} event {i} in no launch")
    for d in c.get("distractors", []):
        if d not in ids:
            errs.append(f"distractor {d} not a launch")
    for x in errs:
        print("ERROR", x)
    print(f"{len(golds)} gold files, {nev} events, {len(c['launches'])} launches "
          f"({len(c.get('distractors', []))} distractors), {len(seen)} members")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
