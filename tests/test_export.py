from __future__ import annotations

import csv
import io
import json

from conftest import make_result
from launchwatch.export import CNS_COLUMNS, LISTING_COLUMNS, cns_row, export, write_listing_csv
from launchwatch.records import EVENT_FIELDS, Event, Evidence
from launchwatch.resolve import list_events, resolve_pending

TEXT = "North Korea fired two ballistic missiles on 2022-03-24, South Korea JCS said."


def _hwasong(store):
    text = TEXT + " The Hwasong-17 flew 1,090 km and reached 6,248.5 km."
    name = text.index("Hwasong-17")
    event = Event(
        {"actor": "KP", "date": "2022-03-24", "weapon_class": "icbm", "weapon_name": "Hwasong-17",
         "count": 1, "platform": "road_mobile", "launch_location": "Sunan", "landing": "Japan's EEZ",
         "distance_km": 1090.0, "apogee_km": 6248.5, "flight_time_s": 4020.0, "outcome": "success",
         "reported_by": ["South Korea JCS", "KCNA"], "is_primary": True},
        {"weapon_name": [Evidence(name, name + 10, "Hwasong-17", "KCNA")]},
    )
    store.add_result(make_result(text, events=[event], publisher="Yonhap", original_publisher="AP",
                                 url="https://news.example/a", external_id="yonhap-1"))
    resolve_pending(store)
    return list_events(store, with_claims=True)[0]


def test_export_cns_row_maps_every_column(store):
    row = cns_row(_hwasong(store))
    assert tuple(row) == CNS_COLUMNS
    assert row["Date"] == "2022-03-24" and row["Launch Time (UTC)"] == ""
    assert (row["Missile Name"], row["Missile Type"]) == ("Hwasong-17", "ICBM")
    assert row["Facility Name"] == row["Facility Location"] == "Sunan"
    assert (row["Apogee (km)"], row["Distance Travelled (km)"]) == ("6248.5", "1090")
    assert row["Test Outcome"] == "Success" and row["Flight Time (s)"] == "4020"
    assert row["Sources"] == "South Korea JCS; KCNA; 1 document: yonhap-1"
    assert row["Event ID"].startswith("ev-") and row["Status"] == "confirmed" and row["Conflicts"] == ""


def test_export_csv_has_cns_header_and_one_row_per_event(store):
    _hwasong(store)
    store.add_result(make_result("Iran fired three cruise missiles on 2023-01, IRNA said."))
    resolve_pending(store)
    out = io.StringIO()
    assert export(store, "csv", out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == CNS_COLUMNS
    assert [r["Actor"] for r in rows] == ["KP", "IR"]
    assert rows[1]["Test Outcome"] == "Unknown" and rows[1]["Missile Type"] == "Cruise Missile"
    assert rows[1]["Count"] == "3" and rows[1]["Apogee (km)"] == ""


def test_export_json_lists_events_with_claims_and_documents(store):
    _hwasong(store)
    out = io.StringIO()
    export(store, "json", out)
    [event] = json.loads(out.getvalue())
    assert set(EVENT_FIELDS) <= set(event)
    [name] = [c for c in event["claims"] if c["field"] == "weapon_name"]
    assert (name["quote"], name["source"], name["document"], name["chosen"]) == ("Hwasong-17", "KCNA", "yonhap-1", True)
    assert event["documents"] == ["yonhap-1"] and event["status"] == "confirmed"


def test_export_listing_csv_columns(store):
    store.add_result(make_result(TEXT, external_id="wire-1"))
    out = io.StringIO()
    write_listing_csv(store.reports(), out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == LISTING_COLUMNS
    assert rows[0]["external_id"] == "wire-1" and rows[0]["reported_by"] == "South Korea JCS"
    assert rows[0]["is_primary"] == "true" and rows[0]["count"] == "2"
