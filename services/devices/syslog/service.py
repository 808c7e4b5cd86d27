"""Queries of stored syslog and security events, narrowed to what the caller may read."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session, col

from services.devices.access import SERVICE
from services.devices.syslog.models import SecurityEvent, SyslogMessage
from services.devices.syslog.schemas import EventFilter, MessageFilter, SenderOut
from shared.auth import Principal, readable_by_org

EXPORT_LIMIT = 100_000


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _message_conditions(f: MessageFilter) -> list[ColumnElement[bool]]:
    """WHERE clauses of a message filter."""
    m = SyslogMessage
    out: list[ColumnElement[bool]] = []
    if f.device_id is not None:
        out.append(col(m.device_id) == f.device_id)
    if f.agency is not None:
        out.append(col(m.org_id) == f.agency)
    if f.sender is not None:
        out.append(col(m.sender) == f.sender)
    if f.severity is not None:
        out.append(col(m.severity) == f.severity)
    if f.max_severity is not None:
        out.append(col(m.severity) <= f.max_severity)
    if f.facility is not None:
        out.append(col(m.facility) == f.facility)
    if f.since is not None:
        out.append(col(m.received_at) >= f.since)
    if f.until is not None:
        out.append(col(m.received_at) < f.until)
    if f.text:
        out.append(func.lower(col(m.message)).like(_like(f.text.lower()), escape="\\"))
    if f.unknown is not None:
        out.append(col(m.device_id).is_(None) if f.unknown else col(m.device_id).is_not(None))
    return out


def list_messages(
    *, session: Session, principal: Principal, filters: MessageFilter, offset: int, limit: int
) -> tuple[list[SyslogMessage], int]:
    """A page of messages, newest first, and the count of all that match."""
    conds = _message_conditions(filters)
    base = readable_by_org(
        select(SyslogMessage).where(*conds), SyslogMessage.org_id, principal=principal, service=SERVICE
    )
    count_stmt = readable_by_org(
        select(func.count()).select_from(SyslogMessage).where(*conds),
        SyslogMessage.org_id,
        principal=principal,
        service=SERVICE,
    )
    count = session.execute(count_stmt).scalar_one()
    rows = (
        session.execute(base.order_by(col(SyslogMessage.id).desc()).offset(offset).limit(limit))
        .scalars()
        .all()
    )
    return list(rows), int(count)


def export_messages(
    *, session: Session, principal: Principal, filters: MessageFilter
) -> Sequence[SyslogMessage]:
    """The newest matching messages (at most EXPORT_LIMIT) for a file."""
    rows, _ = list_messages(
        session=session, principal=principal, filters=filters, offset=0, limit=EXPORT_LIMIT
    )
    return rows


def list_senders(
    *, session: Session, principal: Principal, unknown: bool | None, offset: int, limit: int
) -> tuple[list[SenderOut], int]:
    """Senders with their message count and last message, busiest first."""
    m = SyslogMessage
    conds: list[ColumnElement[bool]] = []
    if unknown is not None:
        conds.append(col(m.device_id).is_(None) if unknown else col(m.device_id).is_not(None))
    columns: Any = select(
        col(m.sender), col(m.device_id), func.count().label("n"), func.max(col(m.received_at)).label("last")
    )
    grouped = readable_by_org(
        columns.where(*conds),
        m.org_id,
        principal=principal,
        service=SERVICE,
    ).group_by(col(m.sender), col(m.device_id))
    sub = grouped.subquery()
    count = int(session.execute(select(func.count()).select_from(sub)).scalar_one())
    rows = session.execute(
        select(sub).order_by(sub.c.n.desc(), sub.c.sender, sub.c.device_id).offset(offset).limit(limit)
    ).all()
    out = [
        SenderOut(
            sender=r.sender,
            device_id=r.device_id,
            known=r.device_id is not None,
            messages=r.n,
            last_received_at=r.last,
        )
        for r in rows
    ]
    return out, count


def _event_conditions(f: EventFilter) -> list[ColumnElement[bool]]:
    """WHERE clauses of an event filter."""
    e = SecurityEvent
    out: list[ColumnElement[bool]] = []
    if f.device_id is not None:
        out.append(col(e.device_id) == f.device_id)
    if f.agency is not None:
        out.append(col(e.org_id) == f.agency)
    if f.category is not None:
        out.append(col(e.category) == f.category)
    if f.since is not None:
        out.append(col(e.last_at) >= f.since)
    if f.until is not None:
        out.append(col(e.first_at) < f.until)
    if f.after_id is not None:
        out.append(col(e.id) > f.after_id)
    return out


def list_events(
    *,
    session: Session,
    principal: Principal,
    filters: EventFilter,
    offset: int,
    limit: int,
    oldest_first: bool = False,
) -> tuple[list[SecurityEvent], int]:
    """A page of security events (newest first, or oldest first for a stream) and their count."""
    conds = _event_conditions(filters)
    stmt: Any = readable_by_org(
        select(SecurityEvent).where(*conds), SecurityEvent.org_id, principal=principal, service=SERVICE
    )
    count_stmt = readable_by_org(
        select(func.count()).select_from(SecurityEvent).where(*conds),
        SecurityEvent.org_id,
        principal=principal,
        service=SERVICE,
    )
    count = int(session.execute(count_stmt).scalar_one())
    order = col(SecurityEvent.id).asc() if oldest_first else col(SecurityEvent.id).desc()
    rows = session.execute(stmt.order_by(order).offset(offset).limit(limit)).scalars().all()
    return list(rows), count
