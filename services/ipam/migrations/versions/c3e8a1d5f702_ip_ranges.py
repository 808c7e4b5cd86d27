"""IP ranges (NetBox's): start–end in a VRF, never overlapping another range of that VRF

On PostgreSQL the rule is an exclusion constraint over the hex keys as an ``ipam_hex_range``
(the C-collated text range type the prefix constraint uses), so it holds for concurrent writers.

Revision ID: c3e8a1d5f702
Revises: b7d2e4f1a3c9
Create Date: 2026-12-02 14:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'c3e8a1d5f702'
down_revision: str | None = 'b7d2e4f1a3c9'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'ip_range',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('start_address', sa.String(length=64), nullable=False),
        sa.Column('end_address', sa.String(length=64), nullable=False),
        sa.Column('vrf_id', sa.Integer(), nullable=True),
        sa.Column('vrf_key', sa.Integer(), nullable=False),
        sa.Column('family', sa.Integer(), nullable=False),
        sa.Column('start_hex', sa.String(length=32), nullable=False),
        sa.Column('end_hex', sa.String(length=32), nullable=False),
        sa.Column('mask_length', sa.Integer(), nullable=False),
        sa.Column('size', sa.Float(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('description', sa.String(length=2000), nullable=False),
        sa.Column('mark_populated', sa.Boolean(), nullable=False),
        sa.Column('mark_utilized', sa.Boolean(), nullable=False),
        sa.Column('prefix_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint('start_hex <= end_hex', name=op.f('ck_ip_range_start_before_end')),
        sa.ForeignKeyConstraint(['prefix_id'], ['prefix.id'], name=op.f('fk_ip_range_prefix_id_prefix')),
        sa.ForeignKeyConstraint(['vrf_id'], ['vrf.id'], name=op.f('fk_ip_range_vrf_id_vrf')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_ip_range')),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_ip_range_start', 'ip_range', ['vrf_key', 'family', 'start_hex'], unique=False)
    op.create_index('ix_ip_range_prefix', 'ip_range', ['prefix_id', 'start_hex'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE ip_range ADD CONSTRAINT ex_ip_range_overlap EXCLUDE USING gist "
            "(vrf_key WITH =, family WITH =, ipam_hex_range(start_hex, end_hex, '[]') WITH &&)"
        )


def downgrade() -> None:
    op.drop_index('ix_ip_range_prefix', table_name='ip_range')
    op.drop_index('ix_ip_range_start', table_name='ip_range')
    op.drop_table('ip_range')
