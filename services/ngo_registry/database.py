"""The metadata every table of the ngo_registry service registers on, and row loading by id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel

from shared.db import make_base
from shared.db import utcnow as utcnow  # one clock for every timestamp column
from shared.events import event_tables

if TYPE_CHECKING:  # mypy needs a class, not a variable, as a base
    from sqlmodel import SQLModel as Base
else:
    Base = make_base("NgoRegistryBase")
EVENT_TABLES = event_tables(Base.metadata)

#: ids are 32-bit INTEGER columns on PostgreSQL: a larger id (the API accepts up to 2^63-1, like
#: IPAM) names nothing and must not reach the database, which would refuse even to compare it
MAX_DB_ID = 2**31 - 1
#: 64-bit on PostgreSQL, INTEGER on SQLite (only INTEGER PRIMARY KEY autoincrements there)
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
RowT = TypeVar("RowT", bound=SQLModel)




def timestamp(**kw: Any) -> Any:
    """A timezone-aware timestamp column defaulting to now."""
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), **kw)


def association_fk() -> Any:
    """An indexed foreign key to the association, deleted with it."""
    return Field(sa_column_args=[sa.ForeignKey("association.id", ondelete="CASCADE")], index=True)


def get_row(session: Session, model: type[RowT], row_id: int) -> RowT | None:
    """The row of ``model`` with ``row_id``, or None (also for an id no column can hold)."""
    return session.get(model, row_id) if 1 <= row_id <= MAX_DB_ID else None


__all__ = ["BIGINT", "EVENT_TABLES", "MAX_DB_ID", "Base", "association_fk", "get_row", "timestamp", "utcnow"]
