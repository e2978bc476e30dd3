"""Table definitions (SQLAlchemy Core), portable to SQLite and PostgreSQL.

documents  one row per content hash; status 'ok' or 'failed' (with its error)
events     one row per event an article reports; id = "ev-" + sha1(doc_id:index)[:12]
claims     one row per Evidence of each field of each event

The schema itself is created by the named Alembic migrations in
launchwatch/migrations/versions; this module is the code's view of it, and a
test checks the two agree.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON, Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
)

metadata = MetaData()

documents = Table(
    "documents", metadata,
    Column("id", String(64), primary_key=True),          # sha256 of the content
    Column("external_id", String(255)),
    Column("source", Text, nullable=False),
    Column("url", Text),
    Column("publisher", String(255)),
    Column("original_publisher", String(255)),
    Column("published", String(10)),                     # YYYY-MM-DD
    Column("published_from", String(32)),
    Column("title", Text),
    Column("text", Text),
    Column("captions", JSON),
    Column("warnings", JSON),
    Column("status", String(16), nullable=False),        # 'ok' | 'failed'
    Column("error", Text),
    Column("ingested_at", String(32), nullable=False),   # ISO 8601 UTC
)

events = Table(
    "events", metadata,
    Column("id", String(16), primary_key=True),
    Column("doc_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("index", Integer, nullable=False),
    Column("actor", String(8)),
    Column("date", String(10)),                          # YYYY, YYYY-MM or YYYY-MM-DD
    Column("date_text", Text),
    Column("weapon_class", String(32)),
    Column("weapon_name", String(255)),
    Column("count", Integer),
    Column("platform", String(32)),
    Column("launch_location", Text),
    Column("landing", Text),
    Column("distance_km", Float),
    Column("apogee_km", Float),
    Column("flight_time_s", Float),
    Column("outcome", String(16)),
    Column("reported_by", JSON),
    Column("is_primary", Boolean, nullable=False),
    Index("ix_events_doc_id", "doc_id"),
    Index("ix_events_date", "date"),
    Index("ix_events_actor", "actor"),
)

claims = Table(
    "claims", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(16), ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
    Column("doc_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("field", String(32), nullable=False),
    Column("value", JSON(none_as_null=True)),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("quote", Text, nullable=False),
    Column("source", String(255)),
    Column("hedge", String(255)),
    Index("ix_claims_event_id", "event_id"),
    Index("ix_claims_doc_id", "doc_id"),
)
