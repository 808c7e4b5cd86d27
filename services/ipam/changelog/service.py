"""Writing and reading the change log: one row per create, update and delete, in the caller's transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlmodel import Session, SQLModel, col

from services.ipam import access
from services.ipam.addressing.models import IpAddress, IpRange, Prefix
from services.ipam.changelog.models import ChangeAction, ChangeLog
from services.ipam.rows import id_eq, page_of
from shared.auth import Principal
from shared.observability import request_id_var
from shared.pagination import Paging


def snapshot(obj: SQLModel | None) -> dict[str, Any] | None:
    """The row's columns as JSON-safe values."""
    if obj is None:
        return None
    out: dict[str, Any] = {}
    for key, value in obj.model_dump().items():
        if key in {"prefix_hint_hex", "ip_hint_hex"}:
            continue
        out[key] = value.isoformat() if isinstance(value, (datetime, date)) else value
    return out


def record_change(
    *,
    session: Session,
    principal: Principal,
    action: ChangeAction,
    obj: SQLModel,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Append one change-log row (who: the principal's subject and the request or event id)."""
    table = str(getattr(obj, "__tablename__", type(obj).__name__))
    label = getattr(obj, "prefix", None) or getattr(obj, "address", None) or getattr(obj, "name", None) or ""
    start, end = getattr(obj, "start_address", None), getattr(obj, "end_address", None)
    if not label and start:  # an IP range: start-end
        label = f"{start}-{end}"
    session.add(
        ChangeLog(
            actor=principal.sub,
            request_id=request_id_var.get(),
            action=action,
            object_type=table,
            object_id=int(getattr(obj, "id", 0) or 0),
            object_repr=str(label)[:300],
            before=before,
            after=after,
        )
    )


def list_changes(
    *,
    session: Session,
    principal: Principal,
    object_type: str | None,
    object_id: int | None,
    actor: str | None,
    since: datetime | None,
    until: datetime | None,
    paging: Paging,
) -> tuple[list[ChangeLog], int]:
    """Change-log rows, newest first, filtered; a non-administrator sees the history of what it may read now."""
    scope = access.scope_of(session=session, principal=principal)
    conds: list[ColumnElement[bool]] = []
    if not scope.everything:
        prefixes = access.readable(select(col(Prefix.id)), Prefix, scope)
        addresses = access.readable(select(col(IpAddress.id)), IpAddress, scope)
        ranges = access.readable(select(col(IpRange.id)), IpRange, scope)
        agencies = access.agency_condition(ChangeLog.object_id, scope)
        assert agencies is not None  # not everything: the caller's agencies, maybe none
        conds.append(or_(
            and_(col(ChangeLog.object_type) == "prefix", col(ChangeLog.object_id).in_(prefixes)),
            and_(col(ChangeLog.object_type) == "ip_address", col(ChangeLog.object_id).in_(addresses)),
            and_(col(ChangeLog.object_type) == "ip_range", col(ChangeLog.object_id).in_(ranges)),
            and_(col(ChangeLog.object_type) == "agency", agencies),
        ))
    if object_type:
        conds.append(col(ChangeLog.object_type) == object_type)
    if object_id is not None:
        conds.append(id_eq(ChangeLog.object_id, object_id))
    if actor:
        conds.append(col(ChangeLog.actor) == actor)
    if since:
        conds.append(col(ChangeLog.time) >= since)
    if until:
        conds.append(col(ChangeLog.time) < until)
    return page_of(session=session, model=ChangeLog, conds=conds, order=[col(ChangeLog.time).desc(), col(ChangeLog.id).desc()], paging=paging)
