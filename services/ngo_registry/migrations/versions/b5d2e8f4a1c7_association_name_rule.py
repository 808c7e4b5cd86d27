"""the name rule: association.name_key (folded name), one live holder per name

Decree 45/2010/NĐ-CP Art. 4 (Decree 126/2024/NĐ-CP tightens it): an association's name may not
duplicate that of another lawfully established one. ``name_key`` is the Vietnamese name folded
as the rule compares it (``services.ngo_registry.text.fold_name``: case, diacritics, punctuation
and spacing ignored). A partial unique index allows one live (not dissolved) holder per key.

Existing databases may already hold the same name more than once (the demo data did). The
migration never fails on them and never renames or deletes a record: for each folded name the
oldest live record (lowest id) keeps it; every later live record sharing it gets
``name_duplicate_of`` = that record's id, which leaves it outside the unique index. Those records
are listed in the migration log for the NGO Department to resolve; a rename clears the mark.

Revision ID: b5d2e8f4a1c7
Revises: 4ddbbee5dd1e
Create Date: 2026-12-02 14:10:00.000000
"""
import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# the service's own folding, as of this revision; a later change to it needs a migration that refills name_key
from services.ngo_registry.text import fold_name

revision: str = "b5d2e8f4a1c7"
down_revision: str | None = "4ddbbee5dd1e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")
LIVE_NAME = "status <> 'dissolved' AND name_duplicate_of IS NULL"
BATCH = 1000


def upgrade() -> None:
    op.add_column("association", sa.Column("name_key", sa.String(length=600), nullable=False, server_default=""))
    op.add_column("association", sa.Column("name_duplicate_of", sa.Integer(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name_vi, status FROM association ORDER BY id")).all()
    holders: dict[str, int] = {}
    updates: list[dict[str, object]] = []
    duplicates: list[tuple[int, int, str]] = []
    for row_id, name_vi, status in rows:
        key = fold_name(name_vi)
        duplicate_of = None
        if status != "dissolved":
            duplicate_of = holders.setdefault(key, row_id)
            if duplicate_of == row_id:
                duplicate_of = None
            else:
                duplicates.append((row_id, duplicate_of, name_vi))
        updates.append({"i": row_id, "k": key, "d": duplicate_of})
    statement = sa.text("UPDATE association SET name_key = :k, name_duplicate_of = :d WHERE id = :i")
    for start in range(0, len(updates), BATCH):
        conn.execute(statement, updates[start : start + BATCH])
    for row_id, holder, name_vi in duplicates:
        log.warning("association %s shares its name %r with the older live association %s: marked name_duplicate_of, to be resolved by the NGO Department", row_id, name_vi, holder)
    op.create_index("ix_association_name_key", "association", ["name_key"])
    op.create_index(
        "uq_association_live_name_key",
        "association",
        ["name_key"],
        unique=True,
        sqlite_where=sa.text(LIVE_NAME),
        postgresql_where=sa.text(LIVE_NAME),
    )


def downgrade() -> None:
    op.drop_index("uq_association_live_name_key", table_name="association")
    op.drop_index("ix_association_name_key", table_name="association")
    # ALTER TABLE ... DROP COLUMN on both backends (SQLite >= 3.35): no table rebuild, so the
    # FTS triggers and AUTOINCREMENT of the association table stay as they are
    op.execute("ALTER TABLE association DROP COLUMN name_duplicate_of")
    op.execute("ALTER TABLE association DROP COLUMN name_key")
