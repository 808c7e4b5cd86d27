"""Alembic, one migration history per service (``services/<name>/migrations``).

Besides running migrations, this module holds the steps several services' migrations share:
:func:`create_event_tables` (the outbox and inbox every service has),
:func:`create_revoked_grant_table` and :func:`never_reuse_ids` (SQLite tables rebuilt with
AUTOINCREMENT so a deleted row's id is never handed out again). A step's DDL is frozen history:
a later change to the tables is a new step, never an edit of one a migration already calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command, context, op
from alembic.config import Config
from sqlalchemy import Connection, MetaData

from shared.db import is_sqlite, make_engine

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"


def alembic_config(service: str, url: str) -> Config:
    """The Alembic configuration of one service's database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["database_url"] = url
    return cfg


def upgrade(service: str, url: str, revision: str = "head") -> None:
    """Apply a service's migrations up to ``revision``."""
    command.upgrade(alembic_config(service, url), revision)


def downgrade(service: str, url: str, revision: str) -> None:
    """Revert a service's migrations down to ``revision``."""
    command.downgrade(alembic_config(service, url), revision)


def autogenerate(service: str, url: str, message: str) -> None:
    """Write a new revision from the difference between the models and the database."""
    command.revision(alembic_config(service, url), message=message, autogenerate=True)


def run_env(metadata: MetaData) -> None:
    """The body of every service's ``migrations/env.py``."""
    url = context.config.attributes.get("database_url") or context.config.get_main_option("sqlalchemy.url")
    assert url, "no database URL given to Alembic"
    sqlite = is_sqlite(url)
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, render_as_batch=sqlite, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as connection:
            if sqlite:
                # a batch rebuild drops and re-creates tables: with foreign keys on, dropping a
                # parent would delete (or cascade into) its children. The pragma only works
                # outside a transaction, so it is set on the raw connection before ours begins;
                # the check after the migrations proves nothing was orphaned.
                _sqlite_foreign_keys(connection, on=False)
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise RuntimeError(f"migration left rows with dangling foreign keys: {broken[:10]}")
            connection.commit()
            if sqlite:
                _sqlite_foreign_keys(connection, on=True)
    finally:
        engine.dispose()


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    """Switch SQLite's foreign-key enforcement on the raw connection (outside any transaction)."""
    raw = connection.connection.dbapi_connection
    assert raw is not None, "the connection was invalidated"
    raw.cursor().execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


# -- steps shared by the services' migrations ---------------------------------------------------
def create_event_tables() -> None:
    """The ``outbox`` and ``inbox`` tables of :func:`shared.events.outbox.event_tables`."""
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_inbox")),
    )
    op.create_index("ix_inbox_processed_at", "inbox", ["processed_at"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
    )


def drop_event_tables() -> None:
    """Undo :func:`create_event_tables`."""
    op.drop_table("outbox")
    op.drop_index("ix_inbox_processed_at", table_name="inbox")
    op.drop_table("inbox")


def create_revoked_grant_table() -> None:
    """The ``revoked_grant`` table of :func:`shared.events.outbox.event_tables` (grants a service refuses)."""
    op.create_table(
        "revoked_grant",
        sa.Column("grant_id", sa.String(length=100), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("grant_id", name=op.f("pk_revoked_grant")),
    )


def drop_revoked_grant_table() -> None:
    """Undo :func:`create_revoked_grant_table`."""
    op.drop_table("revoked_grant")


def _sqlite_objects(bind: Any, table: str, kind: str) -> dict[str, str]:
    rows = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = ? AND tbl_name = ? AND sql IS NOT NULL", (kind, table)
    ).all()
    return {name: sql for name, sql in rows}


def never_reuse_ids(tables: Sequence[str], *, change_log: str | None = None, autoincrement: bool = True) -> None:
    """Rebuild ``tables`` on SQLite with (or, for a downgrade, without) AUTOINCREMENT.

    Without it SQLite hands out max(id)+1, so deleting the newest row gives its id to the next
    one and a log or URL naming that id now means another object. The rebuild keeps every row,
    id, index and constraint (batch mode reflects the table); triggers die with the old table
    and are re-created here, as is any index reflection could not carry over (e.g. partial).
    ``change_log`` names a log table with ``object_type``/``object_id`` columns: ids it
    mentions are never handed out again either, even when their row was already deleted.
    PostgreSQL sequences never hand an id out twice, so there this is a no-op.
    """
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for table in tables:
        triggers = _sqlite_objects(bind, table, "trigger")
        indexes = _sqlite_objects(bind, table, "index")
        count = sa.select(sa.func.count()).select_from(sa.table(table))
        rows_before = bind.execute(count).scalar()
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass
        now = _sqlite_objects(bind, table, "index")
        for name, sql in indexes.items():
            if name not in now:
                bind.exec_driver_sql(sql)
        for sql in triggers.values():
            bind.exec_driver_sql(sql)
        rows_after = bind.execute(count).scalar()
        created = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).scalar() or ""
        if rows_after != rows_before or ("AUTOINCREMENT" in created.upper()) != autoincrement:
            raise RuntimeError(f"rebuilding {table} went wrong: {rows_before} rows before, {rows_after} after")
        if autoincrement and change_log:
            log = sa.table(change_log, sa.column("object_type"), sa.column("object_id"))
            floor = bind.execute(sa.select(sa.func.max(log.c.object_id)).where(log.c.object_type == table)).scalar()
            if floor is not None:
                # sqlite_sequence has a row once the copy inserted one; a table still empty has none
                updated = bind.exec_driver_sql(
                    "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", (floor, table)
                ).rowcount
                if not updated:
                    bind.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, floor))
