"""telemetry: raw samples (monthly partitions on PostgreSQL), daily roll-ups, counter and device state, outages

Revision ID: 5d1e7a3c9b20
Revises: 09376e1aa39b
Create Date: 2026-12-02 14:20:00.000000
"""
import time
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.devices.telemetry.partitions import ensure_partitions

revision: str = '5d1e7a3c9b20'
down_revision: str | None = '09376e1aa39b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.create_table(
        "telemetry_sample",
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.SmallInteger(), nullable=False),
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("octets", sa.BigInteger(), nullable=False),
        sa.Column("util_bp", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("link_id", "direction", "ts", name=op.f("pk_telemetry_sample")),
        **({"postgresql_partition_by": "RANGE (ts)"} if postgres else {}),
    )
    if postgres:
        op.execute("CREATE TABLE telemetry_sample_default PARTITION OF telemetry_sample DEFAULT")
        ensure_partitions(bind, now=time.time())
    op.create_table(
        "telemetry_daily",
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.SmallInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("max_bp", sa.Integer(), nullable=False),
        sa.Column("over_threshold", sa.Integer(), nullable=False),
        sa.Column("histogram", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("link_id", "direction", "day", name=op.f("pk_telemetry_daily")),
    )
    op.create_table(
        "telemetry_counter_state",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("if_index", sa.Integer(), nullable=False),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.Column("uptime_ticks", sa.BigInteger(), nullable=False),
        sa.Column("bits", sa.SmallInteger(), nullable=False),
        sa.Column("in_octets", sa.BigInteger(), nullable=True),
        sa.Column("out_octets", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("device_id", "if_index", name=op.f("pk_telemetry_counter_state")),
    )
    op.create_table(
        "telemetry_device_state",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("up", sa.Boolean(), nullable=True),
        sa.Column("since_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_poll_ms", sa.BigInteger(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_telemetry_device_state")),
    )
    op.create_table(
        "telemetry_outage",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("started_ms", sa.BigInteger(), nullable=False),
        sa.Column("ended_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("device_id", "started_ms", name=op.f("pk_telemetry_outage")),
    )


def downgrade() -> None:
    for table in ("telemetry_outage", "telemetry_device_state", "telemetry_counter_state", "telemetry_daily"):
        op.drop_table(table)
    op.execute("DROP TABLE telemetry_sample CASCADE" if op.get_bind().dialect.name == "postgresql" else "DROP TABLE telemetry_sample")
