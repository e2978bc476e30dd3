"""Cross-article resolution: per-article reports under resolved events.

The per-article `events` table becomes `reports` (each gains the id of the
resolved event it belongs to); claims point at reports and carry the unit a
figure was stated in and why a claim is invalid; documents keep a MinHash
signature for syndicated copies; new tables hold resolved `events`, the ids
they had before (`event_aliases`) and analysts' `reviews`.

Revision ID: 0002_resolution
Revises: 0001_initial_schema
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0002_resolution"
down_revision = "0001_initial_schema"
branch_labels = None
depends_on = None

_EVENT_FIELD_COLUMNS = (
    ("actor", sa.String(8)), ("date", sa.String(10)), ("date_text", sa.Text),
    ("weapon_class", sa.String(32)), ("weapon_name", sa.String(255)), ("count", sa.Integer),
    ("platform", sa.String(32)), ("launch_location", sa.Text), ("landing", sa.Text),
    ("distance_km", sa.Float), ("apogee_km", sa.Float), ("flight_time_s", sa.Float),
    ("outcome", sa.String(16)), ("reported_by", sa.JSON),
)


def upgrade() -> None:
    for name in ("doc_id", "date", "actor"):
        op.drop_index(f"ix_events_{name}", table_name="events")
    op.rename_table("events", "reports")
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("event_id", sa.String(16)))
    for name in ("doc_id", "date", "actor", "event_id"):
        op.create_index(f"ix_reports_{name}", "reports", [name])

    op.drop_index("ix_claims_event_id", table_name="claims")
    with op.batch_alter_table("claims") as batch:
        batch.alter_column("event_id", new_column_name="report_id",
                           existing_type=sa.String(16), existing_nullable=False)
        batch.add_column(sa.Column("unit", sa.String(16)))
        batch.add_column(sa.Column("invalid", sa.Text))
    op.create_index("ix_claims_report_id", "claims", ["report_id"])

    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("minhash", sa.LargeBinary))

    op.create_table(
        "events",
        sa.Column("id", sa.String(16), primary_key=True),
        *(sa.Column(name, kind) for name, kind in _EVENT_FIELD_COLUMNS),
        sa.Column("is_primary", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("review", sa.String(16)),
        sa.Column("documents", sa.JSON),
        sa.Column("sources", sa.JSON),
        sa.Column("copies", sa.JSON),
        sa.Column("conflicts", sa.JSON),
        sa.Column("choices", sa.JSON),
        sa.Column("n_reports", sa.Integer, nullable=False),
        sa.Column("first_published", sa.String(10)),
        sa.Column("last_published", sa.String(10)),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    for name in ("date", "actor", "weapon_class", "status"):
        op.create_index(f"ix_events_{name}", "events", [name])
    op.create_table(
        "event_aliases",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("event_id", sa.String(16), nullable=False),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("analyst", sa.String(255), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(16)),
        sa.Column("report_ids", sa.JSON, nullable=False),
        sa.Column("field", sa.String(32)),
        sa.Column("value", sa.JSON(none_as_null=True)),
        sa.Column("reason", sa.Text),
    )
    op.create_index("ix_reviews_event_id", "reviews", ["event_id"])


def downgrade() -> None:
    op.drop_table("reviews")
    op.drop_table("event_aliases")
    for name in ("date", "actor", "weapon_class", "status"):
        op.drop_index(f"ix_events_{name}", table_name="events")
    op.drop_table("events")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("minhash")
    op.drop_index("ix_claims_report_id", table_name="claims")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("invalid")
        batch.drop_column("unit")
        batch.alter_column("report_id", new_column_name="event_id",
                           existing_type=sa.String(16), existing_nullable=False)
    op.create_index("ix_claims_event_id", "claims", ["event_id"])
    for name in ("doc_id", "date", "actor", "event_id"):
        op.drop_index(f"ix_reports_{name}", table_name="reports")
    with op.batch_alter_table("reports") as batch:
        batch.drop_column("event_id")
    op.rename_table("reports", "events")
    for name in ("doc_id", "date", "actor"):
        op.create_index(f"ix_events_{name}", "events", [name])
