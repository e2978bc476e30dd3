"""Batch runs: one `runs` row per `launchwatch batch`, with its inputs, options and counts.

Revision ID: 0003_runs
Revises: 0002_resolution
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_runs"
down_revision = "0002_resolution"
branch_labels = None
depends_on = None

_COUNTS = ("read", "added", "duplicates", "already_stored", "skipped", "failed", "events", "errors")


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        *(sa.Column(name, sa.Integer, nullable=False) for name in _COUNTS),
        sa.Column("duration_s", sa.Float),
        sa.Column("resolution", sa.JSON),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_runs_started_at", "runs", ["started_at"])


def downgrade() -> None:
    op.drop_index("ix_runs_started_at", table_name="runs")
    op.drop_table("runs")
