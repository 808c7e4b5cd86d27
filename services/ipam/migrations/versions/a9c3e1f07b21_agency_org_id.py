"""agency.org_id: the gateway organisation an agency is (object-level authorisation)

Revision ID: a9c3e1f07b21
Revises: 07ed13255403
Create Date: 2026-12-02 13:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'a9c3e1f07b21'
down_revision: str | None = '07ed13255403'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org_id', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_agency_org_id'), ['org_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_org_id'))
        batch_op.drop_column('org_id')
