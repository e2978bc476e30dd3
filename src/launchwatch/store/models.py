"""Table definitions (SQLAlchemy Core), portable to SQLite and PostgreSQL.

documents  one row per content hash; status 'ok' or 'failed' (with its error)
reports    one row per launch an article reports; id = "ev-" + sha1(doc_id:index)[:12]
claims     one row per Evidence of each field of each report (the claims ledger)
events     resolved launches: the reports of one launch from many articles, with
           the chosen value of each field, its sources, copies and conflicts
event_aliases  ids an event had before resolution regrouped it -> its id now
reviews    analysts' merge/split/set/reject/confirm actions: the audit trail

The schema itself is created by the named Alembic migrations in
launchwatch/migrations/versions; this module is the code's view of it, and a
test checks the two agree.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON, Boolean, Column, Float, ForeignKey, Index, Integer, LargeBinary, MetaData, String, Table,
    Text,
)

metadata = MetaData()


def event_field_columns() -> list[Column]:
    """The SCHEMA.md fields, as reports and resolved events both store them (new Columns each call)."""
    return [
        Column("actor", String(8)),
        Column("date", String(10)),                      # YYYY, YYYY-MM or YYYY-MM-DD
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
    ]

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
    Column("minhash", LargeBinary),                      # text signature, for syndicated copies
)

reports = Table(
    "reports", metadata,
    Column("id", String(16), primary_key=True),
    Column("doc_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("index", Integer, nullable=False),
    *event_field_columns(),
    Column("event_id", String(16)),                      # resolved event; NULL until resolved
    Index("ix_reports_doc_id", "doc_id"),
    Index("ix_reports_date", "date"),
    Index("ix_reports_actor", "actor"),
    Index("ix_reports_event_id", "event_id"),
)

claims = Table(
    "claims", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("report_id", String(16), ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("doc_id", String(64), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("field", String(32), nullable=False),
    Column("value", JSON(none_as_null=True)),
    Column("unit", String(16)),                          # as stated, when converted ("mile")
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("quote", Text, nullable=False),
    Column("source", String(255)),
    Column("hedge", String(255)),
    Column("invalid", Text),                             # why the claim cannot be true; NULL = valid
    Index("ix_claims_report_id", "report_id"),
    Index("ix_claims_doc_id", "doc_id"),
)

events = Table(
    "events", metadata,
    Column("id", String(16), primary_key=True),          # "ev-" + sha1("event:" + anchor report id)[:12]
    *event_field_columns(),
    Column("status", String(24), nullable=False),        # confirmed | single-source | state-media-only | ...
    Column("review", String(16)),                        # NULL | confirmed | rejected (by an analyst)
    Column("documents", JSON),                           # external ids (or doc ids) of every document
    Column("sources", JSON),                             # independent sources with their documents
    Column("copies", JSON),                              # near-duplicate documents and what they copy
    Column("conflicts", JSON),
    Column("choices", JSON),                             # field -> why its value was chosen
    Column("n_reports", Integer, nullable=False),
    Column("first_published", String(10)),
    Column("last_published", String(10)),
    Column("updated_at", String(32), nullable=False),
    Index("ix_events_date", "date"),
    Index("ix_events_actor", "actor"),
    Index("ix_events_weapon_class", "weapon_class"),
    Index("ix_events_status", "status"),
    # the web list's filters, each read in date order (migration 0006_web_search)
    Index("ix_events_actor_date", "actor", "date"),
    Index("ix_events_weapon_class_date", "weapon_class", "date"),
    Index("ix_events_status_date", "status", "date"),
    Index("ix_events_actor_class_date", "actor", "weapon_class", "date"),
)

# Full-text search (migrations 0006_web_search, 0007_event_search) is dialect SQL the models do
# not describe: SQLite's search_documents and search_reports tables, their FTS5 indexes and
# triggers; PostgreSQL's GIN index.
FULLTEXT_OBJECTS = ("search_documents", "search_reports", "ix_documents_fulltext")

event_aliases = Table(
    "event_aliases", metadata,
    Column("id", String(16), primary_key=True),
    Column("event_id", String(16), nullable=False),
)

reviews = Table(
    "reviews", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", String(32), nullable=False),
    Column("analyst", String(255), nullable=False),
    Column("action", String(16), nullable=False),        # merge | split | set | reject | confirm
    Column("event_id", String(16)),                      # as shown to the analyst at the time
    Column("report_ids", JSON, nullable=False),          # the reports the action is anchored to
    Column("field", String(32)),
    Column("value", JSON(none_as_null=True)),
    Column("reason", Text),
    Index("ix_reviews_event_id", "event_id"),
)

# The reports each review is anchored to (reviews.report_ids, one row each), so an event's
# audit trail is found by its reports (migration 0008_review_reports).
review_reports = Table(
    "review_reports", metadata,
    Column("review_id", Integer, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    Column("report_id", String(16), primary_key=True),
    Index("ix_review_reports_report_id", "report_id"),
)

# Batch runs (launchwatch batch): one row per run, counts updated after each
# batch, so an interrupted or failed run shows how far it got.
runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(32), nullable=False),    # ISO 8601 UTC
    Column("finished_at", String(32)),
    Column("status", String(16), nullable=False),        # running | finished | failed | interrupted
    Column("inputs", JSON, nullable=False),              # {"paths", "manifest", "published"}
    Column("options", JSON, nullable=False),             # workers, dask, batch_size, timeout, rerun, ...
    Column("read", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("duplicates", Integer, nullable=False),
    Column("already_stored", Integer, nullable=False),   # stored before the run: not processed again
    Column("skipped", Integer, nullable=False),          # ruled out by the prefilter
    Column("failed", Integer, nullable=False),           # stored as failed, with their error
    Column("events", Integer, nullable=False),
    Column("errors", Integer, nullable=False),           # lost to a worker error: not stored
    Column("duration_s", Float),
    Column("resolution", JSON),                          # resolve_pending's summary, when it ran
    Column("error", Text),                               # why a failed run stopped
    Index("ix_runs_started_at", "started_at"),
)

# ---- accounts (launchwatch serve; migration 0004_users; used by web/users.py) ----

users = Table(
    "users", metadata,
    Column("name", String(64), primary_key=True),
    Column("password_hash", Text, nullable=False),       # argon2id, PHC string
    Column("role", String(16), nullable=False),          # viewer | analyst | admin
    Column("created_at", String(32), nullable=False),
    Column("disabled", Boolean, nullable=False),
)

sessions = Table(
    "sessions", metadata,
    Column("id", String(64), primary_key=True),          # sha256 of the cookie's token
    Column("user_name", String(64), ForeignKey("users.name", ondelete="CASCADE"), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", Float, nullable=False),         # Unix time
    Index("ix_sessions_user_name", "user_name"),
)

login_failures = Table(
    "login_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(255), nullable=False),          # "ip:ADDRESS" or "user:NAME"
    Column("at", Float, nullable=False),                 # Unix time
    Index("ix_login_failures_key_at", "key", "at"),
)

app_secrets = Table(
    "app_secrets", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)
