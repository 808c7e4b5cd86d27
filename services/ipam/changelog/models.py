"""The change-log table."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from services.ipam.base import Base, utcnow
from shared.db import EnumText


class ChangeAction(StrEnum):
    create = "create"
    update = "update"
    delete = "delete"


class ChangeLog(Base, table=True):
    """Every create, update and delete; kept at least two years (no purge below that)."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_object", "object_type", "object_id"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    time: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=200)
    request_id: str | None = Field(default=None, max_length=128)
    action: ChangeAction = Field(sa_type=EnumText(ChangeAction, 20))
    object_type: str = Field(max_length=50)
    object_id: int
    object_repr: str = Field(default="", max_length=300)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
