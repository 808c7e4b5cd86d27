"""shared/migrations.py: the shared migration steps build exactly the tables the models declare,
and ids name one object for ever (issue 9, item 7).

Every service's first migration creates ``outbox`` and ``inbox`` with
:func:`shared.migrations.create_event_tables` and a later one ``revoked_grant`` with
:func:`shared.migrations.create_revoked_grant_table`; the models declare the same tables with
:func:`shared.events.outbox.event_tables`. The schema the migrations leave must be the
metadata's, to the constraint and index names, on SQLite and PostgreSQL.

SQLite tables are AUTOINCREMENT (no ROWID reuse after a delete), and the migration that made
them so (:func:`shared.migrations.never_reuse_ids`) keeps rows, indexes, constraints and
triggers on a database that already holds data.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, inspect, text

from shared import migrations
from shared.db import Database, is_sqlite, make_engine
from tests.support import SigningKeys

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


# -- ids never reused (issue 9, item 7) ------------------------------------------------------
ADMIN = "ipam:read ipam:write ipam:admin"
#: the revision before each service's item-7 migration, and that migration
PREVIOUS = {
    "ipam": "a9c3e1f07b21",
    "ngo_registry": "7c3e9a51d2b4",
    "gateway": "ed0ec391cc45",
    "devices": "93452f51ec18",
    "incidents": "379e04986e76",
}


def _changes(client: Any, headers: dict[str, str], object_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/ipam/changes?object_type=prefix&object_id={object_id}", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def test_hardening_7_deleted_prefix_id_is_never_reused(db_url: str, make_client: Any, keys: SigningKeys) -> None:
    client = make_client("ipam", db_url)
    headers = keys.headers(ADMIN)
    first = client.post("/api/v1/ipam/prefixes", json={"prefix": "10.0.0.0/16", "kind": "container"}, headers=headers)
    assert first.status_code == 201, first.text
    first_id = first.json()["id"]
    assert client.delete(f"/api/v1/ipam/prefixes/{first_id}", headers=headers).status_code == 204
    second = client.post("/api/v1/ipam/prefixes", json={"prefix": "172.16.0.0/16", "kind": "container"}, headers=headers)
    assert second.status_code == 201, second.text
    assert second.json()["id"] > first_id
    # the change log of the first id tells the first prefix's story and nothing else
    log = _changes(client, headers, first_id)
    assert sorted(row["action"] for row in log) == ["create", "delete"]
    assert all(row["object_repr"].startswith("10.0.0.0/16") for row in log), log
    assert all("172.16" not in repr(row) for row in log)


def _schema(url: str) -> dict[str, Any]:
    """Everything a rebuild could lose: columns, keys, indexes, constraints, triggers."""
    database = Database(url)
    try:
        insp = inspect(database.engine)
        shape: dict[str, Any] = {}
        for table in insp.get_table_names():
            shape[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)],
                "pk": insp.get_pk_constraint(table)["constrained_columns"],
                "fks": sorted(
                    (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
                    for fk in insp.get_foreign_keys(table)
                ),
                "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)),
                "uniques": sorted((u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(table)),
                "checks": sorted((c["name"], c["sqltext"]) for c in insp.get_check_constraints(table)),
            }
        with database.engine.connect() as conn:
            if is_sqlite(url):
                shape["triggers"] = sorted(
                    conn.execute(text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
                )
            else:
                shape["constraints"] = sorted(
                    conn.execute(
                        text(
                            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                            "WHERE connamespace = 'public'::regnamespace"
                        )
                    ).all()
                )
                shape["triggers"] = sorted(
                    conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).all()
                )
        return shape
    finally:
        database.dispose()


def _count(url: str, table: str) -> int:
    database = Database(url)
    try:
        with database.engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608 (test table names)
    finally:
        database.dispose()


def _autoincrement_tables(url: str) -> set[str]:
    database = Database(url)
    try:
        with database.engine.connect() as conn:
            rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all()
        return {name for name, sql in rows if "AUTOINCREMENT" in (sql or "").upper()}
    finally:
        database.dispose()


def test_hardening_7_ipam_migration_keeps_rows_constraints_and_stops_reuse(
    db_url: str, make_client: Any, keys: SigningKeys
) -> None:
    headers = keys.headers(ADMIN)
    client = make_client("ipam", db_url)
    fresh = _schema(db_url)
    for cidr in ("10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"):
        assert client.post("/api/v1/ipam/prefixes", json={"prefix": cidr, "kind": "container"}, headers=headers).status_code == 201
    ids = [p["id"] for p in client.get("/api/v1/ipam/prefixes", headers=headers).json()["results"]]
    assert len(ids) == 3
    last = max(ids)
    client.__exit__(None, None, None)

    # the database as it was before item 7 (the downgrade rebuilds the tables without
    # AUTOINCREMENT), holding data; then the upgrade under test
    migrations.downgrade("ipam", db_url, PREVIOUS["ipam"])
    if is_sqlite(db_url):
        assert "prefix" not in _autoincrement_tables(db_url)
    before = _schema(db_url)
    assert "revoked_grant" not in before
    migrations.upgrade("ipam", db_url)
    after = _schema(db_url)
    assert after == fresh  # nothing lost: columns, indexes, unique/check/exclusion constraints, FKs
    assert _count(db_url, "prefix") == 3 and _count(db_url, "change_log") >= 3
    if is_sqlite(db_url):
        assert {"agency", "prefix", "ip_address", "change_log", "vrf"} <= _autoincrement_tables(db_url)
    else:
        assert any(name == "ex_prefix_allocation_overlap" for _t, name, _d in after["constraints"])

    client = make_client("ipam", db_url)
    assert client.delete(f"/api/v1/ipam/prefixes/{last}", headers=headers).status_code == 204
    again = client.post("/api/v1/ipam/prefixes", json={"prefix": "10.9.0.0/16", "kind": "container"}, headers=headers)
    assert again.status_code == 201 and again.json()["id"] > last
    # the overlap rule still holds after the rebuild
    clash = client.post("/api/v1/ipam/prefixes", json={"prefix": "10.0.0.0/16", "kind": "container"}, headers=headers)
    assert clash.status_code in (409, 422), clash.text


def test_hardening_7_ngo_migration_keeps_rows_and_search_triggers(db_url: str, make_client: Any, keys: SigningKeys) -> None:
    client = make_client("ngo_registry", db_url)
    fresh = _schema(db_url)
    categories = _count(db_url, "category")
    assert categories > 0  # seeded by the registry's first migration
    client.__exit__(None, None, None)
    migrations.downgrade("ngo_registry", db_url, PREVIOUS["ngo_registry"])
    migrations.upgrade("ngo_registry", db_url)
    assert _schema(db_url) == fresh
    assert _count(db_url, "category") == categories
    if is_sqlite(db_url):
        tables = _autoincrement_tables(db_url)
        assert {"association", "category", "submission", "record_version", "classified_refusal"} <= tables
        triggers = {name for name, _t, _sql in fresh["triggers"]}
        assert triggers == {"association_fts_ai", "association_fts_ad", "association_fts_au"}


@pytest.mark.parametrize("service", ["gateway", "devices", "incidents"])
def test_hardening_7_other_services_migrate_up_and_down(service: str, db_url: str) -> None:
    migrations.upgrade(service, db_url)
    assert "revoked_grant" in _schema(db_url)
    migrations.downgrade(service, db_url, PREVIOUS[service])
    assert "revoked_grant" not in _schema(db_url)
    migrations.upgrade(service, db_url)


def test_hardening_7_csv_import_does_not_reuse_a_deleted_prefix_id(db_url: str, make_client: Any, keys: SigningKeys) -> None:
    """The import reserves ids itself (one bulk insert): it must skip deleted ids too."""
    client = make_client("ipam", db_url)
    headers = keys.headers(ADMIN)
    created = client.post("/api/v1/ipam/prefixes", json={"prefix": "10.0.0.0/16", "kind": "container"}, headers=headers)
    assert created.status_code == 201
    deleted_id = created.json()["id"]
    assert client.delete(f"/api/v1/ipam/prefixes/{deleted_id}", headers=headers).status_code == 204
    imported = client.post(
        "/api/v1/ipam/import",
        content="prefix,status\n10.50.0.0/16,container\n",
        headers={**headers, "Content-Type": "text/csv"},
    )
    assert imported.status_code == 201, imported.text
    ids = [p["id"] for p in client.get("/api/v1/ipam/prefixes", headers=headers).json()["results"]]
    assert ids and min(ids) > deleted_id
    log = _changes(client, headers, deleted_id)
    assert all(row["object_repr"].startswith("10.0.0.0/16") for row in log), log
