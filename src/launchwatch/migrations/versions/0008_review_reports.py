"""The reports each analyst's action is anchored to, one row each, indexed by report.

An event's audit trail is every action on it or on any of its reports (the
reports keep their actions when events are regrouped). reviews.report_ids
holds them as a JSON list, which no index reads: the event page had to read
every review ever made. review_reports holds the same pairs, indexed by
report, filled here from reviews and written with each new action.

Revision ID: 0008_review_reports
Revises: 0007_event_search
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_review_reports"
down_revision = "0007_event_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_reports",
        sa.Column("review_id", sa.Integer, sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("report_id", sa.String(16), primary_key=True),
    )
    op.create_index("ix_review_reports_report_id", "review_reports", ["report_id"])
    op.execute(BACKFILL[op.get_context().dialect.name])


# Every (review, report) pair of reviews.report_ids (a JSON list of report ids).
BACKFILL = {
    "sqlite": "INSERT INTO review_reports (review_id, report_id) "
              "SELECT DISTINCT r.id, j.value FROM reviews r, json_each(r.report_ids) j",
    "postgresql": "INSERT INTO review_reports (review_id, report_id) "
                  "SELECT DISTINCT r.id, j FROM reviews r, json_array_elements_text(r.report_ids::json) j",
}


def downgrade() -> None:
    op.drop_index("ix_review_reports_report_id", table_name="review_reports")
    op.drop_table("review_reports")
