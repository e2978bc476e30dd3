"""Tables of the alerts (migration 0005_alerts), on the store's metadata.

event_changes       the outbox: one row per new, materially updated or removed event,
                    written in the transaction that writes the events
webhooks            configured receivers: URL, secret, filters, and the last change handled
webhook_deliveries  every delivery attempt, with its outcome (never the secret)
alert_leases        who runs deliveries now (one worker at a time, across processes)
watch_seen          feed items `launchwatch watch` has already ingested
"""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table, Text

from launchwatch.store.models import metadata

event_changes = Table(
    "event_changes", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(16), nullable=False),
    Column("kind", String(8), nullable=False),              # new | updated | removed
    Column("changed_fields", JSON, nullable=False),         # material fields that changed
    Column("event", JSON, nullable=False),                  # the event's listing fields at the time
    Column("replaced_by", String(16)),                      # removed: the event that now holds its reports
    Column("at", String(32), nullable=False),               # ISO 8601 UTC
    Index("ix_event_changes_event_id", "event_id"),
)

webhooks = Table(
    "webhooks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),
    Column("filters", JSON, nullable=False),                # {"actor": [...], "class": [...], "status": [...]}
    Column("active", Boolean, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("last_seq", Integer, nullable=False),            # changes up to here are delivered or given up
)

webhook_deliveries = Table(
    "webhook_deliveries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("webhook_id", Integer, nullable=False),
    Column("seq", Integer, nullable=False),                 # the event_changes row delivered
    Column("event_id", String(16), nullable=False),
    Column("attempt", Integer, nullable=False),             # 1, 2, ... for this change
    Column("status_code", Integer),                         # NULL: no HTTP answer
    Column("ok", Boolean, nullable=False),
    Column("error", Text),
    Column("created_at", String(32), nullable=False),
    Column("next_attempt_at", String(32)),                  # NULL: delivered, or given up
    Index("ix_webhook_deliveries_webhook_seq", "webhook_id", "seq"),
)

alert_leases = Table(
    "alert_leases", metadata,
    Column("name", String(32), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("expires_at", String(32), nullable=False),
)

watch_seen = Table(
    "watch_seen", metadata,
    Column("key", String(40), primary_key=True),            # sha1 of feed URL + item id or link
    Column("feed", Text, nullable=False),
    Column("item", Text, nullable=False),
    Column("doc_id", String(64)),
    Column("seen_at", String(32), nullable=False),
)
