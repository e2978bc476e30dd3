"""Alerts: the event_changes outbox, webhooks and their deliveries, a delivery lease, watched feed items.

Revision ID: 0005_alerts
Revises: 0004_users
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0005_alerts"
down_revision = "0004_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "event_changes",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("changed_fields", sa.JSON, nullable=False),
        sa.Column("event", sa.JSON, nullable=False),
        sa.Column("replaced_by", sa.String(16)),
        sa.Column("at", sa.String(32), nullable=False),
    )
    op.create_index("ix_event_changes_event_id", "event_changes", ["event_id"])
    op.create_table(
        "webhooks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("filters", sa.JSON, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("event_id", sa.String(16), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("next_attempt_at", sa.String(32)),
    )
    op.create_index("ix_webhook_deliveries_webhook_seq", "webhook_deliveries", ["webhook_id", "seq"])
    op.create_table(
        "alert_leases",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "watch_seen",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("feed", sa.Text, nullable=False),
        sa.Column("item", sa.Text, nullable=False),
        sa.Column("doc_id", sa.String(64)),
        sa.Column("seen_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("watch_seen")
    op.drop_table("alert_leases")
    op.drop_index("ix_webhook_deliveries_webhook_seq", table_name="webhook_deliveries")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhooks")
    op.drop_index("ix_event_changes_event_id", table_name="event_changes")
    op.drop_table("event_changes")
