"""Tables of syslog intake: stored messages and grouped security events (N11)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Column, Index, Integer, Text
from sqlmodel import Field

from services.devices.syslog.parse import Format
from shared.db import EnumText

if TYPE_CHECKING:  # make_base returns a class object; type checkers see plain SQLModel
    from sqlmodel import SQLModel as Base
else:
    from services.devices.models import Base


#: device ids are 64-bit like the inventory's (BIGINT on PostgreSQL; SQLite integers already are)
BIGID = BigInteger().with_variant(Integer(), "sqlite")


class SyslogMessage(Base, table=True):
    """One received syslog message, parsed (or kept raw), with the device its sender maps to."""

    __tablename__ = "syslog_message"
    __table_args__ = (
        Index("ix_syslog_message_received_at", "received_at"),
        Index("ix_syslog_message_device_received", "device_id", "received_at"),
        Index("ix_syslog_message_org_received", "org_id", "received_at"),
        Index("ix_syslog_message_sender", "sender"),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime
    sender: str = Field(max_length=64)
    transport: str = Field(max_length=8)
    device_id: int | None = Field(default=None, sa_type=BIGID)
    #: the gateway organisation (agency) of the device at receipt; NULL for an unknown sender
    org_id: str | None = Field(default=None, max_length=64)
    format: Format = Field(sa_type=EnumText(Format, 10))
    facility: int | None = Field(default=None)
    severity: int | None = Field(default=None)
    timestamp: datetime | None = Field(default=None)
    hostname: str | None = Field(default=None, max_length=255)
    app_name: str | None = Field(default=None, max_length=64)
    procid: str | None = Field(default=None, max_length=128)
    msgid: str | None = Field(default=None, max_length=32)
    structured_data: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    message: str = Field(sa_column=Column(Text, nullable=False))
    truncated: bool = Field(default=False)


class SecurityEvent(Base, table=True):
    """A group of security-relevant messages of one device: first, last and how many (N11)."""

    __tablename__ = "security_event"
    __table_args__ = (
        Index("ix_security_event_last_at", "last_at"),
        Index("ix_security_event_org_last", "org_id", "last_at"),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=64, unique=True)
    sender: str = Field(max_length=64)
    device_id: int | None = Field(default=None, index=True, sa_type=BIGID)
    org_id: str | None = Field(default=None, max_length=64)
    category: str = Field(max_length=64)
    facility: int | None = Field(default=None)
    severity: int | None = Field(default=None)
    app_name: str | None = Field(default=None, max_length=64)
    message: str = Field(sa_column=Column(Text, nullable=False))
    count: int
    first_at: datetime
    last_at: datetime


class DeviceMonitoring(Base, table=True):
    """A device's anti-malware and its last central-monitoring heartbeat (agent push or its own syslog)."""

    __tablename__ = "device_monitoring"
    device_id: int = Field(primary_key=True, sa_type=BIGID, sa_column_kwargs={"autoincrement": False})
    antimalware_product: str | None = Field(default=None, max_length=200)
    antimalware_engine: str | None = Field(default=None, max_length=100)
    signature_date: date | None = None
    last_heartbeat_at: datetime | None = None
    last_syslog_at: datetime | None = None
