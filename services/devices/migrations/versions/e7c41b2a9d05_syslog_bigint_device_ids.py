"""syslog: device ids 64-bit (BIGINT on PostgreSQL) like the inventory's

syslog_message.device_id, security_event.device_id and device_monitoring.device_id. SQLite's
INTEGER is already 64-bit, so only PostgreSQL changes.

Revision ID: e7c41b2a9d05
Revises: dbbe6164ea26
Create Date: 2026-12-02 14:31:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'e7c41b2a9d05'
down_revision: str | None = 'dbbe6164ea26'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (("syslog_message", True), ("security_event", True), ("device_monitoring", False))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, nullable in COLUMNS:
        op.alter_column(table, "device_id", type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=nullable)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, nullable in COLUMNS:
        op.alter_column(table, "device_id", type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=nullable)
