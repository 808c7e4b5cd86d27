"""Request and response models of the ipam service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from services.ipam.models import (
    AccessLevel,
    AddressStatus,
    AgencyLevel,
    PrefixKind,
    PrefixStatus,
    ServiceCategory,
)
from shared.types import Id, Name, PatchModel, Text

T = TypeVar("T")

#: bounds of the yearly figures (the columns are 32-bit integers on PostgreSQL)
MAX_INT32 = 2**31 - 1
MAX_BANDWIDTH_MBPS = 1_000_000.0  # 1 Tbit/s: far above any connection of the network
MAX_CHANNELS = 10_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- agencies -------------------------------------------------------------------------------
class Contact(Strict):
    role: str = Field(description="operation | incident | general (N15 focal points)", pattern="^(operation|incident|general)$")
    name: Name = Field(min_length=1, max_length=200)
    title: Text = Field(default="", max_length=200)
    phone: Text = Field(default="", max_length=50)
    email: Name | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AgencyCreate(Strict):
    code: Name = Field(min_length=1, max_length=50)
    name: Name = Field(min_length=1, max_length=300)
    level: AgencyLevel
    parent_id: Id | None = None
    access_level: AccessLevel = AccessLevel.II
    address: Text = Field(default="", max_length=500)
    phone: Text = Field(default="", max_length=50)
    email: Text = Field(default="", max_length=200)
    contacts: list[Contact] = Field(default_factory=list, max_length=50)
    org_id: Name | None = Field(
        default=None, min_length=1, max_length=64,
        description="The gateway organisation this agency is (its tokens' `org` claim); set by ipam:admin only",
    )


class AgencyUpdate(PatchModel):
    nullable = frozenset({"parent_id", "org_id"})
    name: Name | None = Field(default=None, min_length=1, max_length=300)
    level: AgencyLevel | None = None
    parent_id: Id | None = None
    access_level: AccessLevel | None = None
    address: Text | None = Field(default=None, max_length=500)
    phone: Text | None = Field(default=None, max_length=50)
    email: Text | None = Field(default=None, max_length=200)
    contacts: list[Contact] | None = Field(default=None, max_length=50)
    org_id: Name | None = Field(default=None, min_length=1, max_length=64, description="Set by ipam:admin only")


class AgencyPublic(BaseModel):
    id: int
    code: str
    name: str
    level: str
    parent_id: int | None
    access_level: str
    address: str
    phone: str
    email: str
    contacts: list[dict[str, Any]]
    org_id: str | None = None
    created_at: datetime
    updated_at: datetime


# -- catalogue and subscriptions -------------------------------------------------------------
class ServiceCreate(Strict):
    code: Name = Field(min_length=1, max_length=50)
    name: Name = Field(min_length=1, max_length=300)
    description: Text = Field(default="", max_length=2000)


class ServiceUpdate(PatchModel):
    name: Name | None = Field(default=None, min_length=1, max_length=300)
    description: Text | None = Field(default=None, max_length=2000)


class ServicePublic(BaseModel):
    id: int
    code: str
    name: str
    category: ServiceCategory
    description: str


class SubscriptionCreate(Strict):
    agency_id: Id
    service_id: Id
    channels: int = Field(default=1, ge=0, le=MAX_CHANNELS)
    bandwidth_mbps: float = Field(default=0, ge=0, le=MAX_BANDWIDTH_MBPS)
    connection_site: Text = Field(default="", max_length=500)
    planned_date: date | None = None
    status: Name = Field(default="active", min_length=1, max_length=20)


class SubscriptionPublic(BaseModel):
    id: int
    agency_id: int
    service_id: int
    channels: int
    bandwidth_mbps: float
    connection_site: str
    planned_date: date | None
    status: str


class DemandUpsert(Strict):
    agency_id: Id
    year: int = Field(ge=2000, le=2100)
    ipv4_addresses: int = Field(default=0, ge=0, le=MAX_INT32)
    ipv6_prefixes: int = Field(default=0, ge=0, le=MAX_INT32)
    bandwidth_mbps: float = Field(default=0, ge=0, le=MAX_BANDWIDTH_MBPS)
    justification: Text = Field(default="", max_length=2000)


class DemandPublic(BaseModel):
    id: int
    agency_id: int
    year: int
    ipv4_addresses: int
    ipv6_prefixes: int
    bandwidth_mbps: float
    justification: str


# -- vrfs, prefixes, addresses ----------------------------------------------------------------
class VrfCreate(Strict):
    name: Name = Field(min_length=1, max_length=100)
    rd: Name | None = Field(default=None, max_length=50)
    service_id: Id | None = None
    description: Text = Field(default="", max_length=2000)


class VrfPublic(BaseModel):
    id: int
    name: str
    rd: str | None
    service_id: int | None
    description: str


class PrefixCreate(Strict):
    prefix: str = Field(max_length=64, description="CIDR, e.g. 10.0.0.0/24 or 2001:db8::/48")
    vrf_id: Id | None = None
    kind: PrefixKind = PrefixKind.allocation
    status: PrefixStatus = PrefixStatus.active
    parent_id: Id | None = Field(default=None, description="Optional: the prefix this one must lie inside")
    agency_id: Id | None = None
    service_id: Id | None = None
    purpose: Text = Field(default="", max_length=500)
    description: Text = Field(default="", max_length=2000)


class PrefixUpdate(PatchModel):
    # owner and service may be cleared on pools and containers (an allocation still needs them: 422)
    nullable = frozenset({"agency_id", "service_id"})
    status: PrefixStatus | None = None
    agency_id: Id | None = None
    service_id: Id | None = None
    purpose: Text | None = Field(default=None, max_length=500)
    description: Text | None = Field(default=None, max_length=2000)


class PrefixPublic(BaseModel):
    id: int
    prefix: str
    family: int
    prefix_length: int
    vrf_id: int | None
    kind: str
    status: str
    parent_id: int | None
    agency_id: int | None
    service_id: int | None
    purpose: str
    description: str
    utilization: float = Field(description="Percentage of the prefix in use (child prefixes and addresses)")
    created_at: datetime
    updated_at: datetime


class PrefixRequest(Strict):
    """Allocate the first free aligned prefix of ``prefix_length`` inside a pool or container."""

    prefix_length: int = Field(ge=0, le=128)
    kind: PrefixKind = PrefixKind.allocation
    status: PrefixStatus = PrefixStatus.active
    agency_id: Id | None = None
    service_id: Id | None = None
    purpose: Text = Field(default="", max_length=500)
    description: Text = Field(default="", max_length=2000)


class AddressFields(Strict):
    status: AddressStatus = AddressStatus.active
    assigned_object_type: Name | None = Field(default=None, max_length=50)
    assigned_object_id: Name | None = Field(default=None, max_length=100)
    dns_name: Name = Field(default="", max_length=255)
    description: Text = Field(default="", max_length=2000)


class AddressCreate(AddressFields):
    address: str = Field(max_length=64)
    vrf_id: Id | None = None


class AddressUpdate(PatchModel):
    nullable = frozenset({"assigned_object_type", "assigned_object_id"})
    status: AddressStatus | None = None
    assigned_object_type: Name | None = Field(default=None, max_length=50)
    assigned_object_id: Name | None = Field(default=None, max_length=100)
    dns_name: Name | None = Field(default=None, max_length=255)
    description: Text | None = Field(default=None, max_length=2000)


class AddressRequest(AddressFields):
    """Assign the next ``count`` free addresses of a prefix."""

    count: int = Field(default=1, ge=1, le=1000)


class AddressPublic(BaseModel):
    id: int
    address: str
    family: int
    vrf_id: int | None
    prefix_id: int | None
    status: str
    assigned_object_type: str | None
    assigned_object_id: str | None
    dns_name: str
    description: str
    created_at: datetime
    updated_at: datetime


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


# -- responses that are not rows ------------------------------------------------------------------
class Page(BaseModel, Generic[T]):
    """One page of a list (NetBox's shape)."""

    count: int
    next: str | None
    previous: str | None
    results: list[T]


class FreePrefix(BaseModel):
    prefix: str
    family: int
    prefix_length: int
    vrf_id: int | None


class FreeAddress(BaseModel):
    address: str
    family: int
    vrf_id: int | None


class Lookup(BaseModel):
    address: str
    vrf_id: int | None
    chain: list[PrefixPublic] = Field(description="Containing prefixes you may see, outermost first")
    allocation: PrefixPublic | None
    ip_address: AddressPublic | None


class UtilizationRow(BaseModel):
    agency_id: int | None = Field(default=None, description="With group_by=agency")
    service_id: int | None = Field(default=None, description="With group_by=service")
    name: str | None
    family: int
    allocations: int
    allocated_addresses: float
    used_addresses: int
    utilization: float


class Utilization(BaseModel):
    group_by: str
    results: list[UtilizationRow]


class ImportResult(BaseModel):
    created: int = Field(description="Prefixes created")
    rows: int = Field(description="Data rows read")
