"""The ipam service's table base: one metadata for every domain's tables, its outbox/inbox tables,
the column types they share, and the base of its request models.

Every domain's ``models.py`` derives from :data:`Base`, so ``services/ipam/models.py`` (which
imports them all) gives Alembic and ``create_all`` the whole schema.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import AutoString, SQLModel

from shared.db import make_base
from shared.events import event_tables

if TYPE_CHECKING:  # make_base returns a class object; type checkers see plain SQLModel
    Base = SQLModel
else:
    Base = make_base("IpamBase")
EVENT_TABLES = event_tables(Base.metadata)

E = TypeVar("E", bound=StrEnum)


def utcnow() -> datetime:
    """Now, in UTC (every timestamp column's default)."""
    return datetime.now(UTC)


class EnumText(TypeDecorator[E], Generic[E]):
    """A StrEnum stored as its plain text value (VARCHAR, no database enum type), read back as the enum.

    The stored values and the column type are what they were when these columns were ``str``,
    so no migration is needed; an unknown stored value is refused on read, as it would be on write.
    """

    impl = AutoString
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length=length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum(value)


class Strict(BaseModel):
    """A request body that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid")
