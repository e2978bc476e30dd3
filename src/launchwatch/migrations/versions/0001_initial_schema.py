"""Initial schema: documents, events, claims.

Revision ID: 0001_initial_schema
Revises:
Create Date: 2024-01-01
"""
from alembic import op
import sqlalchemy as sa

revision = "0001_initial_schema"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("external_id", sa.String(255)),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("publisher", sa.String(255)),
        sa.Column("original_publisher", sa.String(255)),
        sa.Column("published", sa.String(10)),
        sa.Column("published_from", sa.String(32)),
        sa.Column("title", sa.Text),
        sa.Column("text", sa.Text),
        sa.Column("captions", sa.JSON),
        sa.Column("warnings", sa.JSON),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("ingested_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("doc_id", sa.String(64),
                  sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("index", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(8)),
        sa.Column("date", sa.String(10)),
        sa.Column("date_text", sa.Text),
        sa.Column("weapon_class", sa.String(32)),
        sa.Column("weapon_name", sa.String(255)),
        sa.Column("count", sa.Integer),
        sa.Column("platform", sa.String(32)),
        sa.Column("launch_location", sa.Text),
        sa.Column("landing", sa.Text),
        sa.Column("distance_km", sa.Float),
        sa.Column("apogee_km", sa.Float),
        sa.Column("flight_time_s", sa.Float),
        sa.Column("outcome", sa.String(16)),
        sa.Column("reported_by", sa.JSON),
        sa.Column("is_primary", sa.Boolean, nullable=False),
    )
    op.create_index("ix_events_doc_id", "events", ["doc_id"])
    op.create_index("ix_events_date", "events", ["date"])
    op.create_index("ix_events_actor", "events", ["actor"])
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(16),
                  sa.ForeignKey("events.id", ondelete="CASCADE"), nullable=False),
        sa.Column("doc_id", sa.String(64),
                  sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("value", sa.JSON(none_as_null=True)),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("quote", sa.Text, nullable=False),
        sa.Column("source", sa.String(255)),
        sa.Column("hedge", sa.String(255)),
    )
    op.create_index("ix_claims_event_id", "claims", ["event_id"])
    op.create_index("ix_claims_doc_id", "claims", ["doc_id"])


def downgrade() -> None:
    op.drop_table("claims")
    op.drop_table("events")
    op.drop_table("documents")
