"""Bulk writes for the importer (and the benchmark's seeding): ids reserved up front, one
driver-level executemany (SQLite) or COPY (PostgreSQL) per chunk, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, text, update
from sqlmodel import Session

from services.ipam.addressing.models import IpAddress, Prefix
from services.ipam.base import Base
from services.ipam.changelog.models import ChangeLog

PREFIX_TABLE: Table = Base.metadata.tables[Prefix.__tablename__]
ADDRESS_TABLE: Table = Base.metadata.tables[IpAddress.__tablename__]
CHANGE_LOG_TABLE: Table = Base.metadata.tables[ChangeLog.__tablename__]
_UPDATE_CHUNK = 5000


def reserve_ids(*, session: Session, table: str, n: int) -> list[int]:
    """Ids for ``n`` new rows of ``table`` (a sequence on PostgreSQL; past MAX(id) under SQLite's write lock)."""
    if n <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"), {"t": table, "n": n}
        ).scalars()
        return [int(v) for v in rows]
    # past sqlite_sequence too (AUTOINCREMENT tables): an id once handed out and deleted stays unused
    start = int(session.execute(
        text(f"SELECT max(COALESCE((SELECT MAX(id) FROM {table}), 0), COALESCE((SELECT seq FROM sqlite_sequence WHERE name = :t), 0))"),  # noqa: S608 - table name is ours
        {"t": table},
    ).scalar_one()) + 1
    return list(range(start, start + n))


def fast_insert(*, session: Session, table: Table, rows: list[dict[str, Any]], chunk: int = 10_000) -> None:
    """Insert many rows with one driver-level executemany per chunk (bind processing only where a type needs it)."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    columns = list(rows[0])
    processors: list[Callable[[Any], Any] | None] = [table.c[name].type._cached_bind_processor(dialect) for name in columns]
    cache: dict[int, Any] = {}

    def convert(proc: Callable[[Any], Any] | None, value: Any) -> Any:
        if proc is None or value is None:
            return value
        if isinstance(value, datetime):  # one timestamp shared by the batch: process it once
            key = id(value)
            if key not in cache:
                cache[key] = proc(value)
            return cache[key]
        return proc(value)

    head = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "  # noqa: S608 - names are ours
    if dialect.paramstyle == "qmark":  # SQLite: executemany is a C loop over one prepared statement
        sql = head + "(" + ", ".join(["?"] * len(columns)) + ")"
        for i in range(0, len(rows), chunk):
            conn.exec_driver_sql(sql, [tuple(convert(p, r[c]) for p, c in zip(processors, columns, strict=True)) for r in rows[i : i + chunk]])
        return
    # PostgreSQL: COPY over the same connection (same transaction)
    raw: Any = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row(tuple(convert(p, r[c]) for p, c in zip(processors, columns, strict=True)))


def set_column_by_id(*, session: Session, table: Table, column: str, pairs: list[tuple[int, int | None]]) -> None:
    """Set ``column`` of many rows of ``table`` at once: (id, value) pairs, one executemany per chunk."""
    stmt = update(table).where(table.c.id == bindparam("row_id")).values({column: bindparam("new_value")})
    for i in range(0, len(pairs), _UPDATE_CHUNK):
        session.connection().execute(stmt, [{"row_id": a, "new_value": b} for a, b in pairs[i : i + _UPDATE_CHUNK]])
