"""search: stored tsvector column, GIN indexes without a pending list (PostgreSQL only)

The search ranks every match with ``ts_rank_cd``; with an expression index PostgreSQL had to
rebuild each matched row's tsvector twice (recheck and rank). A stored generated column holds it
once. ``fastupdate = off`` keeps the GIN indexes free of a pending list, which after a bulk load
(before autovacuum reaches the table) made every search scan thousands of unmerged entries.
SQLite is unchanged (FTS5).

Revision ID: 7c3e9a51d2b4
Revises: 244181b7193a
Create Date: 2026-11-21 10:00:00.000000
"""
from collections.abc import Sequence

from alembic import op

revision: str = "7c3e9a51d2b4"
down_revision: str | None = "244181b7193a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE association ADD COLUMN search_tsv tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text::text)) STORED"
    )
    op.execute("CREATE INDEX ix_association_search_tsvector ON association USING gin (search_tsv) WITH (fastupdate = off)")
    op.execute("DROP INDEX IF EXISTS ix_association_search_tsv")
    op.execute("SELECT gin_clean_pending_list('ix_association_search_trgm'::regclass)")
    op.execute("ALTER INDEX ix_association_search_trgm SET (fastupdate = off)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER INDEX ix_association_search_trgm RESET (fastupdate)")
    op.execute("CREATE INDEX ix_association_search_tsv ON association USING gin (to_tsvector('simple', search_text))")
    op.execute("DROP INDEX IF EXISTS ix_association_search_tsvector")
    op.execute("ALTER TABLE association DROP COLUMN IF EXISTS search_tsv")
