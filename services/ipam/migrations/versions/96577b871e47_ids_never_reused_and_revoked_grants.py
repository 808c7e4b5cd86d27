"""ids never reused (SQLite AUTOINCREMENT) and the revoked_grant table

On SQLite every table whose integer ids appear in a log, an event or a URL is rebuilt with
AUTOINCREMENT, keeping its rows, indexes, constraints and triggers, so a deleted row's id is
never given to another object. PostgreSQL sequences never reuse an id: no change there.
revoked_grant keeps the gateway grants this service was told are revoked across restarts.

Revision ID: 96577b871e47
Revises: a9c3e1f07b21
Create Date: 2026-12-02 13:30:00.000000
"""
from collections.abc import Sequence

from shared.migrations import create_revoked_grant_table, drop_revoked_grant_table, never_reuse_ids

revision: str = '96577b871e47'
down_revision: str | None = 'a9c3e1f07b21'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: tables whose ids are named in the change log, events and URLs
TABLES = (
    "agency",
    "network_service",
    "subscription",
    "ip_demand",
    "vrf",
    "prefix",
    "ip_address",
    "change_log",
)


def upgrade() -> None:
    never_reuse_ids(TABLES, change_log="change_log")
    create_revoked_grant_table()


def downgrade() -> None:
    drop_revoked_grant_table()
    never_reuse_ids(TABLES, autoincrement=False)
