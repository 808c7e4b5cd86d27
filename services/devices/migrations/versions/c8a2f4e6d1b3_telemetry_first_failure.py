"""telemetry: the first failed poll of a device's current failure streak (outages start there)

Revision ID: c8a2f4e6d1b3
Revises: b3f1c7d2e9a4
Create Date: 2026-12-02 14:46:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'c8a2f4e6d1b3'
down_revision: str | None = 'b3f1c7d2e9a4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("telemetry_device_state") as batch:
        batch.add_column(sa.Column("first_failure_ms", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("telemetry_device_state") as batch:
        batch.drop_column("first_failure_ms")
