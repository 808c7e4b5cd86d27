"""syslog: stored messages (syslog_message) and grouped security events (security_event), N11

Revision ID: 9a2af615f4d7
Revises: 5d1e7a3c9b20
Create Date: 2026-12-02 14:15:35.976910
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '9a2af615f4d7'
down_revision: str | None = '5d1e7a3c9b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('security_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('sender', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('org_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('facility', sa.Integer(), nullable=True),
    sa.Column('severity', sa.Integer(), nullable=True),
    sa.Column('app_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('first_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_event')),
    sa.UniqueConstraint('event_id', name=op.f('uq_security_event_event_id')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_event_device_id'), ['device_id'], unique=False)
        batch_op.create_index('ix_security_event_last_at', ['last_at'], unique=False)
        batch_op.create_index('ix_security_event_org_last', ['org_id', 'last_at'], unique=False)

    op.create_table('syslog_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sender', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('transport', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('org_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('format', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('facility', sa.Integer(), nullable=True),
    sa.Column('severity', sa.Integer(), nullable=True),
    sa.Column('timestamp', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('hostname', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('app_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('procid', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('msgid', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('structured_data', sa.Text(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('truncated', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_syslog_message')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('syslog_message', schema=None) as batch_op:
        batch_op.create_index('ix_syslog_message_device_received', ['device_id', 'received_at'], unique=False)
        batch_op.create_index('ix_syslog_message_org_received', ['org_id', 'received_at'], unique=False)
        batch_op.create_index('ix_syslog_message_received_at', ['received_at'], unique=False)
        batch_op.create_index('ix_syslog_message_sender', ['sender'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('syslog_message', schema=None) as batch_op:
        batch_op.drop_index('ix_syslog_message_sender')
        batch_op.drop_index('ix_syslog_message_received_at')
        batch_op.drop_index('ix_syslog_message_org_received')
        batch_op.drop_index('ix_syslog_message_device_received')

    op.drop_table('syslog_message')
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.drop_index('ix_security_event_org_last')
        batch_op.drop_index('ix_security_event_last_at')
        batch_op.drop_index(batch_op.f('ix_security_event_device_id'))

    op.drop_table('security_event')
