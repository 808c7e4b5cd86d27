"""outbox and inbox (the tables of shared.events.outbox.event_tables)

Revision ID: 93452f51ec18
Revises: 
Create Date: 2026-11-21 09:21:14.741243
"""
from collections.abc import Sequence

from shared.migrations import create_event_tables, drop_event_tables

revision: str = '93452f51ec18'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_event_tables()


def downgrade() -> None:
    drop_event_tables()
