"""the revoked_grant table

revoked_grant keeps the gateway grants this service was told are revoked across restarts.
This service has no table with integer ids yet, so nothing to rebuild for ids.

Revision ID: 897741d5eff7
Revises: 379e04986e76
Create Date: 2026-12-02 13:30:00.000000
"""
from collections.abc import Sequence

from shared.migrations import create_revoked_grant_table, drop_revoked_grant_table

revision: str = '897741d5eff7'
down_revision: str | None = '379e04986e76'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_revoked_grant_table()


def downgrade() -> None:
    drop_revoked_grant_table()
