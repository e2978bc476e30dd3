"""Event output formats: JSON lines / CSV listings and CNS-style exports.

`listing_row` is the flat shape of `launchwatch events --format json|csv`
(SCHEMA fields + id + the document's external id). `cns_row` maps an event to
columns modelled on the CNS North Korea Missile Test Database. `export`
writes every event of a Store as CNS CSV or as a JSON list with evidence.
"""
from __future__ import annotations

import csv
import json
from typing import IO, Any, Iterable

from launchwatch.errors import LaunchwatchError
from launchwatch.records import EVENT_FIELDS

LISTING_COLUMNS = ("id", *EVENT_FIELDS, "external_id")

CNS_COLUMNS = (
    "Date", "Launch Time (UTC)", "Missile Name", "Missile Type", "Facility Name",
    "Facility Location", "Landing Location", "Apogee (km)", "Distance Travelled (km)",
    "Test Outcome", "Sources", "Actor", "Count", "Platform", "Flight Time (s)", "Event ID",
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


def sources_cell(event: dict[str, Any]) -> str:
    """reported_by joined with "; ", then the publishing document (publisher, url)."""
    parts = list(event.get("reported_by") or [])
    doc = event.get("document") or {}
    publisher = doc.get("publisher")
    if doc.get("original_publisher") and doc.get("original_publisher") != publisher:
        publisher = f"{publisher} via {doc['original_publisher']}" if publisher else doc["original_publisher"]
    where = " ".join(p for p in (publisher, f"<{doc['url']}>" if doc.get("url") else None) if p)
    if where:
        parts.append(where)
    return "; ".join(parts)


def cns_row(event: dict[str, Any]) -> dict[str, str]:
    """One event as a CNS-database-style row (needs store.events(evidence=True) dicts)."""
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
    }


def export(store, fmt: str, fp: IO[str]) -> int:
    """Write every event as CNS CSV ("csv") or a JSON list with evidence ("json"); returns the count."""
    events = store.events(evidence=True)
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
