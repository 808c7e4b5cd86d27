"""The one place that says what a caller of the access API may read and act on (G7, G13).

Administrators (``gateway:admin`` still backed by a grant in force) see every organisation and
may narrow a list to one with ``org_id``; anyone else sees only their own organisation's rows,
whatever ``org_id`` they send, and may act only for their own organisation.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session, func, select
from sqlmodel.sql.expression import SelectOfScalar

from shared.auth import Principal
from shared.errors import Forbidden
from shared.pagination import Paging

ADMIN_SCOPE = "gateway:admin"
T = TypeVar("T")


def is_admin(principal: Principal) -> bool:
    """True when the caller administers the gateway."""
    return principal.is_admin("gateway")


def readable(stmt: SelectOfScalar[T], column: Any, *, principal: Principal, org_id: str | None = None) -> SelectOfScalar[T]:
    """``stmt`` narrowed to the rows whose organisation ``column`` the caller may read."""
    if not is_admin(principal):
        return stmt.where(column == principal.org)
    return stmt.where(column == org_id) if org_id else stmt


def ensure_may_act_for(*, principal: Principal, org_id: str) -> None:
    """A representative acts only for their own organisation; 403 otherwise."""
    if not is_admin(principal) and principal.org != org_id:
        raise Forbidden("You may only act for your own organisation.")


def window(*, session: Session, stmt: SelectOfScalar[T], paging: Paging) -> tuple[list[T], int]:
    """The rows of ``stmt`` inside ``paging``'s window, and how many rows the whole list has."""
    count = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = list(session.exec(stmt.limit(paging.limit).offset(paging.offset)))
    return rows, int(count)
