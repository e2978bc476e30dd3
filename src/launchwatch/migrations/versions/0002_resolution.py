"""Cross-article resolution: resolved events over per-document reports (placeholder).

Revision ID: 0002_resolution
Revises: 0001_initial_schema
Create Date: 2026-11-25
"""
revision = "0002_resolution"
down_revision = "0001_initial_schema"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
