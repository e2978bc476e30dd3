#!/usr/bin/env python3
"""Consistency checks for the launchwatch held-out set.

Usage: python3 tests/data/holdout/check_gold.py [HOLDOUT_DIR]

For every gold/hold-NNN.json: parses; top-level keys id, source, published,
note, events; every event has exactly the 15 EVENT fields of SCHEMA.md with
valid types and enums; dates are YYYY[-MM[-DD]] and not later than
`published`; date_text, weapon_name, launch_location and landing occur
verbatim in the document's visible text (for HTML: <head>, <script>, <style>
and tags removed, entities decoded; case-insensitive, whitespace-normalised).
Also checks that manifest.jsonl lists every document, and that an HTML page's
article:published_time agrees with the gold `published`.
"""
import html, json, os, re, sys

TOP = ["id", "source", "published", "note", "events"]
FIELDS = ["actor", "date", "date_text", "weapon_class", "weapon_name", "count", "platform",
          "launch_location", "landing", "distance_km", "apogee_km", "flight_time_s",
          "outcome", "reported_by", "is_primary"]
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


def main(root):
    errs = []
    man = {}
    for line in open(os.path.join(root, "manifest.jsonl"), encoding="utf-8"):
        if line.strip():
            m = json.loads(line)
            man[m["id"]] = m
    n = ev_n = prim = neg = 0
    for fn in sorted(os.listdir(os.path.join(root, "gold"))):
        if not fn.endswith(".json"):
            continue
        e = lambda msg: errs.append(f"{fn}: {msg}")
        try:
            g = json.load(open(os.path.join(root, "gold", fn), encoding="utf-8"))
        except Exception as x:  # noqa: BLE001
            e(f"does not parse: {x}")
            continue
        n += 1
        if list(g) != TOP:
            e(f"keys {list(g)}")
            continue
        if g["id"] != fn[:-5] or not g["source"].startswith(g["id"] + "."):
            e("id/source mismatch")
        src = os.path.join(root, "docs", g["source"])
        if not os.path.exists(src):
            e("source missing")
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
                e("article:published_time missing or differs from gold published")
        pub = g["published"]
        if not g["events"]:
            neg += 1
        for i, ev in enumerate(g["events"]):
            ev_n += 1
            t = f"event {i}"
            if list(ev) != FIELDS:
                e(f"{t}: keys {list(ev)}")
                continue
            if not re.match(r"^[A-Z]{2}$", str(ev["actor"])):
                e(f"{t}: actor")
            d = ev["date"]
            if d is not None and (not DATE_RE.match(d) or (pub and d > pub[:len(d)])):
                e(f"{t}: date {d}")
            if ev["weapon_class"] not in CLASSES:
                e(f"{t}: weapon_class")
            if ev["platform"] not in PLATFORMS:
                e(f"{t}: platform")
            if ev["outcome"] not in OUTCOMES:
                e(f"{t}: outcome")
            c = ev["count"]
            if c is not None and (type(c) is not int or c < 1):
                e(f"{t}: count")
            for k in ("distance_km", "apogee_km", "flight_time_s"):
                v = ev[k]
                if v is not None and (type(v) not in (int, float) or v <= 0):
                    e(f"{t}: {k}")
            if not isinstance(ev["reported_by"], list) or not all(isinstance(x, str) for x in ev["reported_by"]):
                e(f"{t}: reported_by")
            if type(ev["is_primary"]) is not bool:
                e(f"{t}: is_primary")
            prim += ev["is_primary"] is True
            for k in ("date_text", "weapon_name", "launch_location", "landing"):
                v = ev[k]
                if v is not None and re.sub(r"\s+", " ", v).strip().lower() not in text:
                    e(f"{t}: {k} {v!r} not in visible text")
    if len(man) != n:
        errs.append(f"manifest has {len(man)} entries, gold has {n} files")
    for x in errs:
        print("ERROR", x)
    print(f"{n} gold files, {ev_n} events ({prim} primary), {neg} documents with no events")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))))
