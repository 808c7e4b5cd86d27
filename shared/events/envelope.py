"""The CloudEvents 1.0 envelope, structured JSON mode."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field


def _now() -> datetime:
    return datetime.now(UTC)


class CloudEvent(BaseModel):
    """One event. ``subject`` is the entity id and also the Kafka key (per-entity order)."""

    specversion: str = "1.0"
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    subject: str
    time: datetime = Field(default_factory=_now)
    datacontenttype: str = "application/json"
    data: dict[str, Any] = Field(default_factory=dict)

    def to_bytes(self) -> bytes:
        """The event as a Kafka message value (JSON, UTF-8)."""
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> CloudEvent:
        """Parse a Kafka message value; raises on anything that is not a CloudEvent."""
        return cls.model_validate_json(raw)
