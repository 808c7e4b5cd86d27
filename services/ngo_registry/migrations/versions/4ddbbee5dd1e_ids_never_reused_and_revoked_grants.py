"""ids never reused (SQLite AUTOINCREMENT) and the revoked_grant table

On SQLite every table whose integer ids appear in a log, an event or a URL is rebuilt with
AUTOINCREMENT, keeping its rows, indexes, constraints and triggers, so a deleted row's id is
never given to another object. PostgreSQL sequences never reuse an id: no change there.
revoked_grant keeps the gateway grants this service was told are revoked across restarts.

Revision ID: 4ddbbee5dd1e
Revises: 7c3e9a51d2b4
Create Date: 2026-12-02 13:30:00.000000
"""
from collections.abc import Sequence

from shared.migrations import create_revoked_grant_table, drop_revoked_grant_table, never_reuse_ids

revision: str = '4ddbbee5dd1e'
down_revision: str | None = '7c3e9a51d2b4'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: tables whose ids are named in the change log, events and URLs
TABLES = (
    "category",
    "association",
    "leader",
    "congress",
    "member_count",
    "staff_allocation",
    "funding",
    "affiliated_unit",
    "status_change",
    "association_link",
    "record_version",
    "field_provenance",
    "submission",
    "raw_file",
    "party_document",
    "fee_schedule",
    "fee_meter",
    "classified_refusal",
)


def upgrade() -> None:
    never_reuse_ids(TABLES)
    create_revoked_grant_table()


def downgrade() -> None:
    drop_revoked_grant_table()
    never_reuse_ids(TABLES, autoincrement=False)
