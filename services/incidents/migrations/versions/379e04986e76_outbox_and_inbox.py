"""outbox and inbox (the tables of shared.events.outbox.event_tables)

Revision ID: 379e04986e76
Revises: 
Create Date: 2026-11-21 09:21:15.641820
"""
from collections.abc import Sequence

from shared.migrations import create_event_tables, drop_event_tables

revision: str = '379e04986e76'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_event_tables()


def downgrade() -> None:
    drop_event_tables()
