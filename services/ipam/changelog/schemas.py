"""Response model of the change log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class ChangePublic(BaseModel):
    id: int
    time: datetime
    actor: str
    request_id: str | None
    action: str
    object_type: str
    object_id: int
    object_repr: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
