"""shared/migrations.py: the shared migration steps build exactly the tables the models declare.

Every service's first migration creates ``outbox`` and ``inbox`` with
:func:`shared.migrations.create_event_tables` and a later one ``revoked_grant`` with
:func:`shared.migrations.create_revoked_grant_table`; the models declare the same tables with
:func:`shared.events.outbox.event_tables`. The schema the migrations leave must be the
metadata's, to the constraint and index names, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, inspect

from shared import migrations
from shared.db import make_engine

SERVICES = ("gateway", "ipam", "ngo_registry", "devices", "incidents")
EVENT_TABLE_NAMES = ("outbox", "inbox", "revoked_grant")


def _declared(table: Table, dialect: Any) -> dict[str, Any]:
    """What the metadata says about ``table``, in the words of :func:`_reflected`."""
    return {
        "columns": [(c.name, str(c.type.compile(dialect=dialect)), c.nullable) for c in table.columns],
        "primary_key": (table.primary_key.name, [c.name for c in table.primary_key.columns]),
        "unique": sorted(
            (u.name, [c.name for c in u.columns]) for u in table.constraints if u.__class__.__name__ == "UniqueConstraint"
        ),
        "indexes": sorted((i.name, [c.name for c in i.columns], bool(i.unique)) for i in table.indexes),
    }


def _reflected(inspector: Any, name: str, dialect: Any) -> dict[str, Any]:
    """What the migrated database says about table ``name``."""
    pk = inspector.get_pk_constraint(name)
    return {
        "columns": [(c["name"], str(c["type"].compile(dialect=dialect)), c["nullable"]) for c in inspector.get_columns(name)],
        "primary_key": (pk["name"], pk["constrained_columns"]),
        "unique": sorted((u["name"], u["column_names"]) for u in inspector.get_unique_constraints(name)),
        "indexes": sorted(
            (i["name"], i["column_names"], bool(i["unique"]))
            for i in inspector.get_indexes(name)
            if not i.get("duplicates_constraint")  # PostgreSQL shows a unique constraint's index too
        ),
    }


@pytest.mark.parametrize("service", SERVICES)
def test_migrated_event_tables_are_the_models_tables(service: str, db_url: str) -> None:
    metadata: MetaData = importlib.import_module(f"services.{service}.models").Base.metadata
    migrations.upgrade(service, db_url)
    engine = make_engine(db_url, pool_size=1)
    try:
        with engine.connect() as conn:
            inspector = inspect(conn)
            for name in EVENT_TABLE_NAMES:
                assert _reflected(inspector, name, conn.dialect) == _declared(metadata.tables[name], conn.dialect), name
            # and Alembic's own comparison finds nothing to add, drop or alter in them
            diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
            touching = [d for d in diffs if name_of(d) in EVENT_TABLE_NAMES]
            assert touching == []
    finally:
        engine.dispose()


def name_of(diff: Any) -> str | None:
    """The table an Alembic diff entry is about (entries are tuples, or lists of tuples for columns)."""
    entry = diff[0] if isinstance(diff, list) else diff
    for part in entry[1:]:
        if isinstance(part, Table):
            return part.name
        table = getattr(part, "table", None)
        if isinstance(table, Table):
            return table.name
        if isinstance(part, str) and part in EVENT_TABLE_NAMES:
            return part
    return None


@pytest.mark.parametrize("service", SERVICES)
def test_event_tables_downgrade_cleanly(service: str, db_url: str) -> None:
    migrations.upgrade(service, db_url)
    migrations.downgrade(service, db_url, "base")
    engine = make_engine(db_url, pool_size=1)
    try:
        with engine.connect() as conn:
            assert not set(inspect(conn).get_table_names()) & set(EVENT_TABLE_NAMES)
    finally:
        engine.dispose()
