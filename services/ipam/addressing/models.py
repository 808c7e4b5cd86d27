"""Tables of the addressing domain: VRFs, prefixes and addresses.

Prefixes and addresses keep their CIDR/address text plus integer keys as fixed-width hex
(``first_hex``/``last_hex``/``value_hex``, 32 hex digits for both families) so range
comparisons are plain indexed string comparisons on SQLite and PostgreSQL alike. Prefixes in a
VRF form a laminar family (any two either nest or are disjoint); ``parent_id`` is the smallest
containing prefix and ``prefix_id`` of an address its innermost prefix. On PostgreSQL the
migration adds a generated ``cidr`` column and the exclusion constraint that forbids two
overlapping allocations in one VRF.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, UniqueConstraint, false, text
from sqlmodel import Field

from services.ipam.base import Base, utcnow
from shared.db import EnumText


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


class AddressRole(StrEnum):
    """NetBox's address roles: what an address is for besides plain assignment."""

    loopback = "loopback"
    secondary = "secondary"
    anycast = "anycast"
    vip = "vip"
    vrrp = "vrrp"
    hsrp = "hsrp"
    glbp = "glbp"
    carp = "carp"


#: roles whose address is meant to live on several devices at once (a gateway, a virtual IP):
#: only addresses whose every copy has one of these may exist more than once in a VRF
SHARED_ROLES = frozenset({AddressRole.anycast, AddressRole.vip, AddressRole.vrrp, AddressRole.hsrp, AddressRole.glbp, AddressRole.carp})
_SHARED_SQL = ", ".join(f"'{r.value}'" for r in sorted(SHARED_ROLES))


def is_shared(role: AddressRole | str | None) -> bool:
    """True when an address with ``role`` may share its value with other copies of that kind."""
    return role is not None and AddressRole(role) in SHARED_ROLES


class Vrf(Base, table=True):
    """A routing domain; each VPN service can be its own VRF."""

    __tablename__ = "vrf"
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    rd: str | None = Field(default=None, max_length=50)
    service_id: int | None = Field(default=None, foreign_key="network_service.id")
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)


class Prefix(Base, table=True):
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
    kind: PrefixKind = Field(sa_type=EnumText(PrefixKind, 20), index=True)
    status: PrefixStatus = Field(default=PrefixStatus.active, sa_type=EnumText(PrefixStatus, 20))
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


class IpAddress(Base, table=True):
    """One address with one owner per VRF, unless every copy of it has a shared role (anycast, VRRP, …).

    ``shared`` mirrors the role (a CHECK keeps them together) so that the database can hold the rule:
    a partial unique index lets only shared copies repeat, and on PostgreSQL an exclusion constraint
    (migration ``b7d2e4f1a3c9``) forbids a shared copy next to an unshared one."""

    __tablename__ = "ip_address"
    __table_args__ = (
        Index("uq_ip_address_unshared", "vrf_key", "family", "value_hex", unique=True, sqlite_where=text("NOT shared"), postgresql_where=text("NOT shared")),
        Index("ix_ip_address_value", "vrf_key", "family", "value_hex"),
        CheckConstraint(f"shared = (role IS NOT NULL AND role IN ({_SHARED_SQL}))", name="shared_role"),
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
    #: the mask as engineers write it (10.1.2.5/24); defaults to the containing prefix's length
    mask_length: int = Field(sa_column_kwargs={"server_default": "32"})
    role: AddressRole | None = Field(default=None, sa_type=EnumText(AddressRole, 20))
    shared: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    prefix_id: int | None = Field(default=None, foreign_key="prefix.id")
    status: AddressStatus = Field(default=AddressStatus.active, sa_type=EnumText(AddressStatus, 20))
    assigned_object_type: str | None = Field(default=None, max_length=50)
    assigned_object_id: str | None = Field(default=None, max_length=100)
    dns_name: str = Field(default="", max_length=255)
    description: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RangeStatus(StrEnum):
    active = "active"
    reserved = "reserved"
    deprecated = "deprecated"


class IpRange(Base, table=True):
    """A start–end run of addresses in a VRF (NetBox's IP range), e.g. a DHCP pool.

    ``mark_populated``: its addresses are in use as a whole (free space and next-free skip them);
    ``mark_utilized``: it counts as fully used toward its prefix's utilisation. ``prefix_id`` is the
    innermost prefix holding the whole range (None when none does), kept as prefixes come and go.
    Ranges of one VRF never overlap: checked under the VRF's lock, and on PostgreSQL an exclusion
    constraint (migration ``c3e8a1d5f702``) refuses any other writer."""

    __tablename__ = "ip_range"
    __table_args__ = (
        Index("ix_ip_range_start", "vrf_key", "family", "start_hex"),
        Index("ix_ip_range_prefix", "prefix_id", "start_hex"),
        CheckConstraint("start_hex <= end_hex", name="start_before_end"),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    start_address: str = Field(max_length=64)
    end_address: str = Field(max_length=64)
    vrf_id: int | None = Field(default=None, foreign_key="vrf.id")
    vrf_key: int = 0
    family: int
    start_hex: str = Field(max_length=32)
    end_hex: str = Field(max_length=32)
    mask_length: int
    #: number of addresses, as a float (an IPv6 range may exceed 2^63)
    size: float
    status: RangeStatus = Field(default=RangeStatus.active, sa_type=EnumText(RangeStatus, 20))
    description: str = Field(default="", max_length=2000)
    mark_populated: bool = False
    mark_utilized: bool = False
    prefix_id: int | None = Field(default=None, foreign_key="prefix.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
