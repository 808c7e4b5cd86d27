"""The ipam service's table base: one metadata for every domain's tables, its outbox/inbox tables,
and the base of its request models.

Every domain's ``models.py`` derives from :data:`Base`, so ``services/ipam/models.py`` (which
imports them all) gives Alembic and ``create_all`` the whole schema.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict
from sqlmodel import SQLModel

from shared.db import make_base
from shared.events import event_tables

if TYPE_CHECKING:  # make_base returns a class object; type checkers see plain SQLModel
    Base = SQLModel
else:
    Base = make_base("IpamBase")
EVENT_TABLES = event_tables(Base.metadata)

def utcnow() -> datetime:
    """Now, in UTC (every timestamp column's default)."""
    return datetime.now(UTC)


class Strict(BaseModel):
    """A request body that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid")
