"""Event output formats: JSON lines / CSV listings, CNS-style exports, the `show` text.

Resolved events (one per launch) are written by `write_events_jsonl` (the
output contract: SCHEMA fields + id, documents, claims, conflicts, status,
...) and `write_events_csv` (flat, conflicts spelled out). `listing_row` is
the flat shape of per-article reports (`launchwatch events --reports`).
`cns_row` maps an event to columns modelled on the CNS North Korea Missile
Test Database. `render_event` is the text of `launchwatch show`.
"""
from __future__ import annotations

import csv
import json
from typing import IO, Any, Iterable

from launchwatch.errors import LaunchwatchError
from launchwatch.records import EVENT_FIELDS

LISTING_COLUMNS = ("id", *EVENT_FIELDS, "external_id")
EVENT_COLUMNS = ("id", *EVENT_FIELDS, "status", "review", "documents", "independent_documents",
                 "copies", "conflicts")

CNS_COLUMNS = (
    "Date", "Launch Time (UTC)", "Missile Name", "Missile Type", "Facility Name",
    "Facility Location", "Landing Location", "Apogee (km)", "Distance Travelled (km)",
    "Test Outcome", "Sources", "Actor", "Count", "Platform", "Flight Time (s)", "Event ID",
    "Status", "Conflicts",
)

MISSILE_TYPES = {
    "icbm": "ICBM", "irbm": "IRBM", "mrbm": "MRBM", "srbm": "SRBM", "slbm": "SLBM",
    "ballistic": "Ballistic Missile", "cruise": "Cruise Missile",
    "hypersonic": "Hypersonic Missile", "space_launch": "Satellite Launch Vehicle",
    "rocket_artillery": "Rocket Artillery", "unknown": "Unknown",
}
OUTCOMES = {"success": "Success", "failure": "Failure"}


def number(value: Any) -> str:
    """60.0 -> "60", 1.5 -> "1.5", None -> ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def listing_row(event: dict[str, Any]) -> dict[str, Any]:
    """The flat listing shape: SCHEMA fields + id + external_id (doc hash when none)."""
    row = {name: event.get(name) for name in LISTING_COLUMNS}
    row["external_id"] = event.get("external_id") or event.get("doc_id")
    return row


def _csv_cell(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return number(value)


def write_listing_csv(events: Iterable[dict[str, Any]], fp: IO[str]) -> None:
    writer = csv.writer(fp, lineterminator="\n")
    writer.writerow(LISTING_COLUMNS)
    for event in events:
        row = listing_row(event)
        writer.writerow([_csv_cell(row[c]) for c in LISTING_COLUMNS])


def write_listing_jsonl(events: Iterable[dict[str, Any]], fp: IO[str]) -> None:
    for event in events:
        fp.write(json.dumps(listing_row(event), ensure_ascii=False) + "\n")


def conflicts_cell(event: dict[str, Any]) -> str:
    """'distance_km: 1000 (South Korea JCS, doc-1) | 1100 (Japan Ministry of Defense, doc-2); ...'."""
    parts = []
    for conflict in event.get("conflicts") or []:
        said = []
        for value in conflict["values"]:
            who = [f"{c['source'] or 'unnamed'}, {c['document']}" for c in conflict["claims"] if c["value"] == value]
            said.append(f"{_csv_cell(value)} ({'; '.join(who[:3])}{'; ...' if len(who) > 3 else ''})")
        parts.append(f"{conflict['field']}: " + " | ".join(said))
    return "; ".join(parts)


def event_csv_row(event: dict[str, Any]) -> dict[str, str]:
    independent = {d for s in event.get("sources") or [] for d in s["documents"]}
    row = {name: _csv_cell(event.get(name)) for name in ("id", *EVENT_FIELDS, "status", "review")}
    row.update(documents="; ".join(event.get("documents") or []),
               independent_documents=str(len(independent - {c["document"] for c in event.get("copies") or []})),
               copies="; ".join(f"{c['document']} copies {c['copy_of']}" for c in event.get("copies") or []),
               conflicts=conflicts_cell(event))
    return row


def write_events_csv(events: Iterable[dict[str, Any]], fp: IO[str]) -> None:
    writer = csv.DictWriter(fp, fieldnames=EVENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(event_csv_row(e) for e in events)


def write_events_jsonl(events: Iterable[dict[str, Any]], fp: IO[str]) -> None:
    for event in events:
        fp.write(json.dumps(event, ensure_ascii=False) + "\n")


def sources_cell(event: dict[str, Any]) -> str:
    """The event's named sources, then how many documents report it."""
    parts = [s["name"] for s in event.get("sources") or []] or list(event.get("reported_by") or [])
    docs = event.get("documents") or []
    if docs:
        parts.append(f"{len(docs)} document{'s' if len(docs) != 1 else ''}: {', '.join(docs)}")
    return "; ".join(parts)


def cns_row(event: dict[str, Any]) -> dict[str, str]:
    """One resolved event as a CNS-database-style row."""
    return {
        "Date": event.get("date") or "",
        "Launch Time (UTC)": "",  # no launch-time field yet
        "Missile Name": event.get("weapon_name") or "",
        "Missile Type": MISSILE_TYPES.get(event.get("weapon_class") or "", event.get("weapon_class") or ""),
        "Facility Name": event.get("launch_location") or "",
        "Facility Location": event.get("launch_location") or "",
        "Landing Location": event.get("landing") or "",
        "Apogee (km)": number(event.get("apogee_km")),
        "Distance Travelled (km)": number(event.get("distance_km")),
        "Test Outcome": OUTCOMES.get(event.get("outcome") or "", "Unknown"),
        "Sources": sources_cell(event),
        "Actor": event.get("actor") or "",
        "Count": number(event.get("count")),
        "Platform": event.get("platform") or "",
        "Flight Time (s)": number(event.get("flight_time_s")),
        "Event ID": event["id"],
        "Status": event.get("status") or "",
        "Conflicts": conflicts_cell(event),
    }


def render_event(event: dict[str, Any], trail: list[dict[str, Any]] = ()) -> list[str]:
    """The lines of `launchwatch show`: chosen values with reasons, claims, conflicts, sources."""
    review = f", reviewed: {event['review']}" if event.get("review") else ""
    lines = [f"Event {event['id']}  ({event['status']}{review}; {event['n_reports']} reports in "
             f"{len(event['documents'])} documents: {', '.join(event['documents'])})", ""]
    conflicted = {c["field"] for c in event["conflicts"]}
    for name in EVENT_FIELDS:
        choice = event["choices"].get(name, {})
        mark = "  [CONFLICT]" if name in conflicted else ""
        lines.append(f"{name}: {_shown(event.get(name))}{mark}")
        if choice.get("reason"):
            lines.append(f"    chosen: {choice['reason']}")
        for claim in event.get("claims", []):
            if claim["field"] == name:
                lines.append("    " + _claim_line(claim))
    if event.get("document_details"):
        lines += ["", "Documents:"]
        for d in event["document_details"]:
            via = f" via {d['original_publisher']}" if d.get("original_publisher") else ""
            about = ", ".join(x for x in (d.get("publisher") and d["publisher"] + via, d.get("published"),
                                          d.get("url")) if x)
            lines.append(f"  {d['external_id'] or d['id']}: {d.get('title') or '(untitled)'}"
                         f"{f' ({about})' if about else ''}")
    if event["conflicts"]:
        lines += ["", "Conflicts:"] + [f"  {part}" for part in conflicts_cell(event).split("; ")]
    if event["sources"]:
        lines += ["", "Sources:"]
        for s in event["sources"]:
            kind = ", ".join(x for x in (s["kind"], s["country"]) if x)
            lines.append(f"  {s['name']}{f' ({kind})' if kind else ''}: {', '.join(s['documents'])}"
                         f" ({s['citations']} citing)")
    if event["copies"]:
        lines += ["", "Copies (citations, not independent sources):"]
        lines += [f"  {c['document']} copies {c['copy_of']} (similarity {c['similarity']:.2f})" for c in event["copies"]]
    if trail:
        lines += ["", "Audit trail:"]
        for r in trail:
            what = f" {r['field']}={_shown(r['value'])}" if r["action"] == "set" else ""
            why = f": {r['reason']}" if r.get("reason") else ""
            lines.append(f"  {r['created_at']} {r['analyst']} {r['action']}{what} ({r['event_id']}){why}")
    return lines


def _claim_line(claim: dict[str, Any]) -> str:
    flag = "*" if claim.get("chosen") else "-"
    unit = f" [{claim['unit']}]" if claim.get("unit") else ""
    who = claim.get("source") or "unnamed"
    where = f"{claim['document']}, {claim['published'] or 'date unknown'}" if claim.get("document") else "review"
    quote = f" quote {claim['quote']!r}" if claim.get("quote") else ""
    hedge = f" (hedge: {claim['hedge']})" if claim.get("hedge") else ""
    invalid = f"  INVALID: {claim['invalid']}" if claim.get("invalid") else ""
    line = f"{flag} {_shown(claim['value'])}{unit} by {who} in {where}{quote}{hedge}{invalid}"
    if claim.get("sentence"):
        line += f"\n        \"{claim['sentence']}\""
    return line


def _shown(value: Any) -> str:
    if value is None or value == []:
        return "-"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return str(value).lower()
    return number(value)


def export(store, fmt: str, fp: IO[str]) -> int:
    """Write every event as CNS CSV ("csv") or a JSON list with its claims ("json"); returns the count."""
    from launchwatch.resolve import list_events

    events = list_events(store, with_claims=fmt == "json")
    if fmt == "csv":
        writer = csv.DictWriter(fp, fieldnames=CNS_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(cns_row(e) for e in events)
    elif fmt == "json":
        json.dump(events, fp, ensure_ascii=False, indent=2)
        fp.write("\n")
    else:
        raise LaunchwatchError(f"unknown export format {fmt!r}: use csv or json")
    return len(events)
