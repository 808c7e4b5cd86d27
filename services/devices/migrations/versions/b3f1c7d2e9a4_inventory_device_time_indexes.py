"""inventory: (device_id, at) indexes for a device's latest reading and its notices in a year

Revision ID: b3f1c7d2e9a4
Revises: e7c41b2a9d05
Create Date: 2026-12-02 14:35:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = 'b3f1c7d2e9a4'
down_revision: str | None = 'e7c41b2a9d05'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_environment_reading_device_at', 'environment_reading', ['device_id', 'at'], unique=False)
    op.create_index('ix_device_notice_device_at', 'device_notice', ['device_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_device_notice_device_at', table_name='device_notice')
    op.drop_index('ix_environment_reading_device_at', table_name='environment_reading')
