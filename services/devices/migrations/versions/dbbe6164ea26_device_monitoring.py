"""device_monitoring: anti-malware state and central-monitoring heartbeats per device (N12)

Created only if missing: a regenerated inventory migration may already have picked the table up
from the models. The downgrade leaves the table (harmless, and an earlier revision may own it).

Revision ID: dbbe6164ea26
Revises: fe46e3145d77
Create Date: 2026-12-02 14:27:42.167014
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'dbbe6164ea26'
down_revision: str | None = 'fe46e3145d77'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("device_monitoring"):
        return
    op.create_table(
        'device_monitoring',
        sa.Column('device_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('antimalware_product', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column('antimalware_engine', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('signature_date', sa.Date(), nullable=True),
        sa.Column('last_heartbeat_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('last_syslog_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('device_id', name=op.f('pk_device_monitoring')),
    )


def downgrade() -> None:
    pass
