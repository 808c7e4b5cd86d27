"""The transactional outbox: an event row commits in the same transaction as the state change.

Each service adds the ``outbox`` and ``inbox`` tables to its own metadata with
:func:`event_tables`, and emits with :meth:`Outbox.emit` inside the request's session. The same
helper declares ``revoked_grant``: the gateway grants a service has been told are revoked, kept
in the service's own database so a restart does not forget them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, Text, event
from sqlalchemy.orm import Session

from shared.config import source_of, topic_of
from shared.events.envelope import CloudEvent

_PK = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class EventTables:
    """The event tables of one service's metadata."""

    outbox: Table
    inbox: Table
    revoked_grants: Table


def event_tables(metadata: MetaData) -> EventTables:
    """Declare the outbox and inbox tables in a service's metadata."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", _PK, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("payload", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("topic", String(200), nullable=False),
        Column("type", String(200), nullable=False),
        Column("outcome", String(20), nullable=False),
        Column("error", Text),
        Column("processed_at", DateTime(timezone=True), nullable=False),
        Index("ix_inbox_processed_at", "processed_at"),
    )
    revoked_grants = Table(
        "revoked_grant",
        metadata,
        Column("grant_id", String(100), primary_key=True),
        Column("revoked_at", DateTime(timezone=True), nullable=False),
    )
    return EventTables(outbox=outbox, inbox=inbox, revoked_grants=revoked_grants)


_wakeups: list[Any] = []


def on_outbox_commit(callback: Any) -> None:
    """Call ``callback()`` after any session that emitted an event commits (wakes the relay)."""
    _wakeups.append(callback)


def remove_outbox_commit(callback: Any) -> None:
    """Stop calling ``callback`` after commits (a relay that stopped)."""
    if callback in _wakeups:
        _wakeups.remove(callback)


_PENDING = "govnet_outbox_rows"


def pending_count(session: Session) -> int:
    """How many events this session has queued for its outbox (a savepoint mark)."""
    return len(session.info.get(_PENDING, ()))


def discard_after(session: Session, mark: int) -> None:
    """Forget events queued after ``mark`` (their savepoint was rolled back)."""
    rows = session.info.get(_PENDING)
    if rows is not None:
        del rows[mark:]


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    # one executemany per outbox table instead of one INSERT per event
    rows = session.info.get(_PENDING)
    if not rows:
        return
    by_table: dict[Table, list[dict[str, Any]]] = {}
    for table, row in rows:
        by_table.setdefault(table, []).append(row)
    rows.clear()
    for table, values in by_table.items():
        session.execute(table.insert(), values)
    session.info["govnet_outbox_written"] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop("govnet_outbox_written", False):
        for callback in list(_wakeups):
            callback()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)
        session.info.pop("govnet_outbox_written", None)


class Outbox:
    """Emits one service's events into its outbox table."""

    def __init__(self, *, service: str, tables: EventTables) -> None:
        self.service = service
        self.tables = tables
        self.source = source_of(service)
        self.topic = topic_of(service)

    def emit(self, session: Session, type_: str, *, subject: str | int, data: dict[str, Any]) -> CloudEvent:
        """Add an event to the outbox in the caller's transaction."""
        evt = CloudEvent(source=self.source, type=type_, subject=str(subject), data=data)
        self.add(session, evt, topic=self.topic)
        return evt

    def add(self, session: Session, evt: CloudEvent, *, topic: str) -> None:
        """Queue an already built event for ``topic`` (used for dead letters too).

        The row is written just before the session commits, in the same transaction, together
        with every other event of that transaction (one executemany).
        """
        row = {
            "event_id": evt.id,
            "topic": topic,
            "key": evt.subject,
            "payload": json.dumps(evt.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")),
            "created_at": datetime.now(UTC),
            "attempts": 0,
        }
        session.info.setdefault(_PENDING, []).append((self.tables.outbox, row))
