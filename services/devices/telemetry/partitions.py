"""Monthly partitions of ``telemetry_sample`` on PostgreSQL (SQLite keeps one table).

The migration creates the table ``PARTITION BY RANGE (ts)`` with a default partition; the poller
calls :func:`ensure_partitions` every cycle so this month and the next ones exist before their
samples arrive (a row never lands in the default partition, which would block creating its
month later). Retention can then drop whole months.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session


def month_start(year: int, month: int) -> int:
    """Epoch seconds of 00:00 UTC on the first of a month."""
    return int(datetime(year, month, 1, tzinfo=UTC).timestamp())


def next_month(year: int, month: int) -> tuple[int, int]:
    """The month after (year, month)."""
    return (year + 1, 1) if month == 12 else (year, month + 1)


def partition_ddl(year: int, month: int) -> str:
    """CREATE TABLE for one month's partition (idempotent)."""
    lo = month_start(year, month)
    hi = month_start(*next_month(year, month))
    return (
        f"CREATE TABLE IF NOT EXISTS telemetry_sample_{year:04d}{month:02d} "
        f"PARTITION OF telemetry_sample FOR VALUES FROM ({lo}) TO ({hi})"
    )


def ensure_partitions(conn: Session | Connection, *, now: float, ahead: int = 2) -> int:
    """On PostgreSQL create this month's partition and ``ahead`` more; the number of months checked."""
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    if bind.dialect.name != "postgresql":
        return 0
    at = datetime.fromtimestamp(now, UTC)
    year, month = at.year, at.month
    for _ in range(ahead + 1):
        conn.execute(text(partition_ddl(year, month)))
        year, month = next_month(year, month)
    return ahead + 1
