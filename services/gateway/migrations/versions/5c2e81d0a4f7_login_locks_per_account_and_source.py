"""login_locks: failed logins counted per account and source address (issue 9 item 11)

Failures used to be counted on the account itself, so anyone could lock the administrator out
from anywhere. Counts already on accounts are not carried over (they reset on the next
successful login anyway); ``users.locked_until`` stays as the latest lock from any source.

Revision ID: 5c2e81d0a4f7
Revises: 0942c6bfcb64
Create Date: 2026-12-02 13:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '5c2e81d0a4f7'
down_revision: str | None = '0942c6bfcb64'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('login_locks',
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_locks_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'source', name=op.f('pk_login_locks'))
    )


def downgrade() -> None:
    op.drop_table('login_locks')
