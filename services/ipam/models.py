"""Tables of the ipam service.

Prefixes and addresses keep their CIDR/address text plus integer keys as fixed-width hex
(``first_hex``/``last_hex``/``value_hex``, 32 hex digits for both families) so range
comparisons are plain indexed string comparisons on SQLite and PostgreSQL alike. Prefixes in a
VRF form a laminar family (any two either nest or are disjoint); ``parent_id`` is the smallest
containing prefix and ``prefix_id`` of an address its innermost prefix. On PostgreSQL the
migration adds a generated ``cidr`` column and the exclusion constraint that forbids two
overlapping allocations in one VRF.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.db import make_base
from shared.events import event_tables

if TYPE_CHECKING:  # make_base returns a class object; type checkers see plain SQLModel
    Base = SQLModel
else:
    Base = make_base("IpamBase")
EVENT_TABLES = event_tables(Base.metadata)


def utcnow() -> datetime:
    return datetime.now(UTC)


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


class PrefixKind(StrEnum):
    container = "container"
    pool = "pool"
    allocation = "allocation"


class PrefixStatus(StrEnum):
    active = "active"
    reserved = "reserved"
    deprecated = "deprecated"


class AddressStatus(StrEnum):
    active = "active"
    reserved = "reserved"
    deprecated = "deprecated"


class Agency(Base, table=True):  # type: ignore[call-arg]
    """A user agency (đơn vị sử dụng) in the province -> district -> commune hierarchy (N2)."""

    __tablename__ = "agency"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True)
    name: str = Field(max_length=300, index=True)
    level: str = Field(max_length=20)
    parent_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    access_level: str = Field(default="II", max_length=4)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=200)
    #: [{role: operation|incident|general, name, title, phone, email}] (N15 focal points)
    contacts: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    #: the gateway organisation this agency is: tokens whose ``org`` claim equals it act for the agency
    org_id: str | None = Field(default=None, max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class NetworkService(Base, table=True):  # type: ignore[call-arg]
    """An entry of the N1 catalogue: a network service or an application carried on the network."""

    __tablename__ = "network_service"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True)
    name: str = Field(max_length=300)
    category: str = Field(max_length=20, index=True)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class Subscription(Base, table=True):  # type: ignore[call-arg]
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
    status: str = Field(default="active", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)


class IpDemand(Base, table=True):  # type: ignore[call-arg]
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


class Vrf(Base, table=True):  # type: ignore[call-arg]
    """A routing domain; each VPN service can be its own VRF."""

    __tablename__ = "vrf"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    rd: str | None = Field(default=None, max_length=50)
    service_id: int | None = Field(default=None, foreign_key="network_service.id")
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class Prefix(Base, table=True):  # type: ignore[call-arg]
    """An IPv4 or IPv6 prefix: a container, a pool, or an allocation to an agency for a service."""

    __tablename__ = "prefix"
    __table_args__ = (
        UniqueConstraint("vrf_key", "family", "first_hex", "last_hex"),
        Index("ix_prefix_parent_first", "parent_id", "first_hex"),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=64)
    vrf_id: int | None = Field(default=None, foreign_key="vrf.id")
    #: vrf_id or 0 for the global table: a NOT NULL key for constraints
    vrf_key: int = 0
    family: int
    prefix_length: int
    first_hex: str = Field(max_length=32)
    last_hex: str = Field(max_length=32)
    #: number of addresses, as a float (exact for powers of two; 2^128 fits)
    size: float
    kind: str = Field(max_length=20, index=True)
    status: str = Field(default="active", max_length=20)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    service_id: int | None = Field(default=None, foreign_key="network_service.id", index=True)
    purpose: str = Field(default="", max_length=500)
    description: str = Field(default="", max_length=2000)
    parent_id: int | None = Field(default=None, foreign_key="prefix.id")
    #: lower bounds of the first free space (a search may start here; never above the truth)
    prefix_hint_hex: str | None = Field(default=None, max_length=32)
    ip_hint_hex: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class IpAddress(Base, table=True):  # type: ignore[call-arg]
    """One address with one owner: unique per VRF."""

    __tablename__ = "ip_address"
    __table_args__ = (
        UniqueConstraint("vrf_key", "family", "value_hex"),
        Index("ix_ip_address_prefix_value", "prefix_id", "value_hex"),
        Index("ix_ip_address_assigned", "assigned_object_type", "assigned_object_id"),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    address: str = Field(max_length=64)
    vrf_id: int | None = Field(default=None, foreign_key="vrf.id")
    vrf_key: int = 0
    family: int
    value_hex: str = Field(max_length=32)
    prefix_id: int | None = Field(default=None, foreign_key="prefix.id")
    status: str = Field(default="active", max_length=20)
    assigned_object_type: str | None = Field(default=None, max_length=50)
    assigned_object_id: str | None = Field(default=None, max_length=100)
    dns_name: str = Field(default="", max_length=255)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ChangeLog(Base, table=True):  # type: ignore[call-arg]
    """Every create, update and delete; kept at least two years (no purge below that)."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_object", "object_type", "object_id"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    time: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=200)
    request_id: str | None = Field(default=None, max_length=128)
    action: str = Field(max_length=20)
    object_type: str = Field(max_length=50)
    object_id: int
    object_repr: str = Field(default="", max_length=300)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class DemoMarker(Base, table=True):  # type: ignore[call-arg]
    """Records that demo data was loaded, so it loads once."""

    __tablename__ = "demo_marker"
    name: str = Field(primary_key=True, max_length=50)
    loaded_at: datetime = Field(default_factory=utcnow)
