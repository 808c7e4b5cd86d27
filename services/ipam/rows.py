"""Row helpers every ipam domain uses: ids the database can hold, load-or-404, PATCH application."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, false, func, select
from sqlmodel import Session, SQLModel

from services.ipam.base import utcnow
from shared.db import enum_eq as enum_eq  # the one filter for enum columns, re-exported for IPAM's modules
from shared.errors import NotFound
from shared.pagination import Paging

T = TypeVar("T", bound=SQLModel)

#: ids are 32-bit INTEGER columns on PostgreSQL: a larger id (the API accepts up to 2^63-1) names
#: nothing, and must not reach the database, which would refuse to even compare it
MAX_DB_ID = 2**31 - 1

#: the list route of each kind of object, for the hint in a 404
_LIST_PATHS = {
    "Agency": "agencies", "Prefix": "prefixes", "IP address": "ip-addresses", "VRF": "vrfs",
    "Network service": "network-services", "Subscription": "subscriptions",
}


def not_found(label: str, obj_id: int) -> NotFound:
    """The 404 for object ``label`` ``obj_id``, naming where to list them."""
    path = _LIST_PATHS.get(label, label.lower().replace(" ", "-") + "s")
    return NotFound(f"{label} {obj_id} does not exist; list them at /api/v1/ipam/{path}.")


def id_eq(column: Any, value: int) -> ColumnElement[bool]:
    """``column = value``, or false when no row can have that id."""
    return column == value if value <= MAX_DB_ID else false()


def get_or_404(*, session: Session, model: type[T], obj_id: int, label: str) -> T:
    """The row of ``model`` with id ``obj_id``, or a 404 naming ``label``."""
    obj = session.get(model, obj_id) if obj_id <= MAX_DB_ID else None
    if obj is None:
        raise not_found(label, obj_id)
    return obj


def apply_changes(obj: SQLModel, changes: dict[str, Any]) -> None:
    """Set the changed fields, and ``updated_at`` where the table has one."""
    for key, value in changes.items():
        setattr(obj, key, value)
    if hasattr(obj, "updated_at"):
        obj.updated_at = utcnow()


def page_of(
    *, session: Session, model: type[T], conds: Sequence[ColumnElement[bool]], order: Sequence[Any], paging: Paging
) -> tuple[list[T], int]:
    """One window of ``model``'s rows matching every condition, in ``order``, and how many match in all."""
    where = and_(True, *conds)
    count = session.execute(select(func.count()).select_from(model).where(where)).scalar_one()
    rows = session.execute(select(model).where(where).order_by(*order).limit(paging.limit).offset(paging.offset)).scalars().all()
    return list(rows), int(count)
