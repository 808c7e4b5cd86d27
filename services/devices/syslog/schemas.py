"""Responses and filters of the syslog and security-event routes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.devices.syslog.parse import Format


class SyslogMessageOut(BaseModel):
    """A stored syslog message."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    received_at: datetime
    sender: str
    transport: str
    device_id: int | None
    agency: str | None = Field(
        validation_alias="org_id", description="The device's agency (gateway organisation)"
    )
    format: Format
    facility: int | None
    severity: int | None
    timestamp: datetime | None = Field(
        description="The sender's own time (RFC 3164: year inferred, Asia/Ho_Chi_Minh)"
    )
    hostname: str | None
    app_name: str | None
    procid: str | None
    msgid: str | None
    structured_data: list[tuple[str, list[tuple[str, str]]]] = Field(default_factory=list)
    message: str
    truncated: bool

    @field_validator("structured_data", mode="before")
    @classmethod
    def _decode(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else (value or [])


class SenderOut(BaseModel):
    """A sender of syslog and what it maps to."""

    sender: str
    device_id: int | None
    known: bool
    messages: int
    last_received_at: datetime


class SecurityEventOut(BaseModel):
    """A group of security-relevant messages of one device (N11)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    event_id: str
    sender: str
    device_id: int | None
    agency: str | None = Field(validation_alias="org_id")
    category: str
    facility: int | None
    severity: int | None
    app_name: str | None
    message: str
    count: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class MessageFilter:
    """Filters of the syslog list and export."""

    device_id: int | None = None
    agency: str | None = None
    sender: str | None = None
    severity: int | None = None
    max_severity: int | None = None
    facility: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None
    unknown: bool | None = None


@dataclass(frozen=True)
class EventFilter:
    """Filters of the security-event feed."""

    device_id: int | None = None
    agency: str | None = None
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    after_id: int | None = None
