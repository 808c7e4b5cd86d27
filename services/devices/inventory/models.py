"""Tables of the inventory: sites, devices, interfaces, uplinks, notices, readings, credentials (N6, N10, N13, N14)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field

from shared.db import EnumText
from shared.db import utcnow as utcnow  # one clock for every timestamp column

if TYPE_CHECKING:  # make_base returns a class object; type checkers see plain SQLModel
    from sqlmodel import SQLModel as Base
else:
    from services.devices.models import Base


#: ids are 64-bit (shared.types.Id reaches 2^63-1); SQLite's rowid alias must be spelled INTEGER
BIGID = BigInteger().with_variant(Integer(), "sqlite")




class RoomType(StrEnum):
    phong_may = "phong_may"
    phong_lam_viec = "phong_lam_viec"


class AccessLevel(StrEnum):
    I = "I"  # noqa: E741 - the regulation's name for the level
    II = "II"


class Role(StrEnum):
    terminal_router = "terminal_router"
    switch = "switch"
    server = "server"
    workstation = "workstation"
    firewall = "firewall"
    ups = "ups"
    sensor = "sensor"


class ManagementProtocol(StrEnum):
    ssh = "ssh"
    https = "https"
    snmpv3_authpriv = "snmpv3_authpriv"
    telnet = "telnet"
    http = "http"


class DeviceStatus(StrEnum):
    planned = "planned"
    active = "active"
    faulty = "faulty"
    decommissioned = "decommissioned"


class NoticeKind(StrEnum):
    power = "power"
    temperature = "temperature"
    relocation = "relocation"
    other = "other"


class Site(Base, table=True):
    """Where terminal equipment is installed: an agency's machine room or office (Art. 6.2)."""

    __tablename__ = "site"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True, sa_type=BIGID)
    agency_id: int = Field(index=True, sa_type=BIGID)
    """The agency's id in IPAM."""
    org_id: str | None = Field(default=None, max_length=64, index=True)
    """The owning gateway organisation (the creator's token ``org``): scopes reads and writes."""
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=500)
    room_type: RoomType = Field(sa_type=EnumText(RoomType, 20))
    ups_present: bool = False
    contact_name: str = Field(default="", max_length=200)
    contact_phone: str = Field(default="", max_length=50)
    contact_email: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Device(Base, table=True):
    """A piece of terminal equipment at a site (N13)."""

    __tablename__ = "device"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True, sa_type=BIGID)
    site_id: int = Field(foreign_key="site.id", index=True, sa_type=BIGID)
    agency_id: int = Field(index=True, sa_type=BIGID)
    org_id: str | None = Field(default=None, max_length=64, index=True)
    name: str = Field(max_length=200)
    access_level: AccessLevel = Field(default=AccessLevel.II, sa_type=EnumText(AccessLevel, 4))
    role: Role = Field(sa_type=EnumText(Role, 20), index=True)
    vendor: str = Field(default="", max_length=100)
    model: str = Field(default="", max_length=100)
    serial: str = Field(default="", max_length=100)
    firmware: str = Field(default="", max_length=100)
    lan_ports: int | None = None
    wan_ports: int | None = None
    snmp_v2c: bool | None = None
    snmp_v3: bool | None = None
    syslog: bool | None = None
    ipv6: bool | None = None
    management_protocols: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    management_address: str | None = Field(default=None, max_length=64, index=True)
    status: DeviceStatus = Field(default=DeviceStatus.planned, sa_type=EnumText(DeviceStatus, 20), index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Interface(Base, table=True):
    """One interface of a device, as SNMP discovery or an operator saw it."""

    __tablename__ = "device_interface"
    __table_args__ = (UniqueConstraint("device_id", "if_index"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True, sa_type=BIGID)
    device_id: int = Field(foreign_key="device.id", index=True, sa_type=BIGID)
    if_index: int
    if_name: str = Field(default="", max_length=200)
    if_alias: str = Field(default="", max_length=200)
    if_high_speed: int | None = None
    """Mb/s, as ifHighSpeed reports it."""


class Uplink(Base, table=True):
    """A link of the provincial data-integration centre (N6): a device interface toward a provider."""

    __tablename__ = "uplink"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True, sa_type=BIGID)
    device_id: int = Field(foreign_key="device.id", index=True, sa_type=BIGID)
    interface_id: int = Field(foreign_key="device_interface.id", index=True, sa_type=BIGID)
    provider: str = Field(max_length=200)
    contracted_mbps: int | None = None
    route_id: str = Field(default="", max_length=100)
    """The physical route (two links over one route are one route)."""


class DeviceNotice(Base, table=True):
    """An agency's notice that something affects a device (Art. 6.2)."""

    __tablename__ = "device_notice"
    __table_args__ = (Index("ix_device_notice_device_at", "device_id", "at"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True, sa_type=BIGID)
    device_id: int = Field(foreign_key="device.id", index=True, sa_type=BIGID)
    kind: NoticeKind = Field(sa_type=EnumText(NoticeKind, 20))
    text: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime
    created_by: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class EnvironmentReading(Base, table=True):
    """An agent's reading at a device: temperature, humidity, UPS state (N14)."""

    __tablename__ = "environment_reading"
    __table_args__ = (Index("ix_environment_reading_device_at", "device_id", "at"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True, sa_type=BIGID)
    device_id: int = Field(foreign_key="device.id", index=True, sa_type=BIGID)
    at: datetime = Field(index=True)
    temperature_c: float | None = None
    humidity_pct: float | None = None
    ups_on_mains: bool | None = None
    out_of_range: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class MonitoringCredential(Base, table=True):
    """A device's SNMP secrets (N10, Art. 9.1), encrypted at rest; only the poller reads them back."""

    __tablename__ = "monitoring_credential"
    device_id: int = Field(foreign_key="device.id", primary_key=True, sa_type=BIGID)
    ciphertext: str = Field(sa_column=Column(Text, nullable=False))
    changed_at: datetime = Field(default_factory=utcnow)
    changed_by: str = Field(default="", max_length=200)

