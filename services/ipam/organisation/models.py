"""Tables of the organisation domain: agencies, the N1 catalogue, subscriptions and demand."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field

from services.ipam.base import Base, utcnow
from shared.db import EnumText


class AgencyLevel(StrEnum):
    province = "province"
    district = "district"
    commune = "commune"


class AccessLevel(StrEnum):
    I = "I"  # noqa: E741 - the regulation's name for the level
    II = "II"


class ServiceCategory(StrEnum):
    network = "network"
    application = "application"


class Agency(Base, table=True):
    """A user agency (đơn vị sử dụng) in the province -> district -> commune hierarchy (N2)."""

    __tablename__ = "agency"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True)
    name: str = Field(max_length=300, index=True)
    level: AgencyLevel = Field(sa_type=EnumText(AgencyLevel, 20))
    parent_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    access_level: AccessLevel = Field(default=AccessLevel.II, sa_type=EnumText(AccessLevel, 4))
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=200)
    #: [{role: operation|incident|general, name, title, phone, email}] (N15 focal points)
    contacts: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: the gateway organisation this agency is: tokens whose ``org`` claim equals it act for the agency
    org_id: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class NetworkService(Base, table=True):
    """An entry of the N1 catalogue: a network service or an application carried on the network."""

    __tablename__ = "network_service"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True)
    name: str = Field(max_length=300)
    category: ServiceCategory = Field(sa_type=EnumText(ServiceCategory, 20), index=True)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class Subscription(Base, table=True):
    """An agency uses a service: the Mẫu 01 connection fields live here."""

    __tablename__ = "subscription"
    __table_args__ = (UniqueConstraint("agency_id", "service_id"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    service_id: int = Field(foreign_key="network_service.id", index=True)
    channels: int = Field(default=1)
    bandwidth_mbps: float = Field(default=0)
    connection_site: str = Field(default="", max_length=500)
    planned_date: date | None = None
    # free text the agency writes (the API has always accepted any short label), not a state machine
    status: str = Field(default="active", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)


class IpDemand(Base, table=True):
    """An agency's declared yearly demand (for the N3 technical information)."""

    __tablename__ = "ip_demand"
    __table_args__ = (UniqueConstraint("agency_id", "year"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    year: int
    ipv4_addresses: int = 0
    ipv6_prefixes: int = 0
    bandwidth_mbps: float = 0
    justification: str = Field(default="", max_length=2000)
