"""Request and response models of the ipam service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.ipam.models import (
    AccessLevel,
    AddressStatus,
    AgencyLevel,
    PrefixKind,
    PrefixStatus,
    ServiceCategory,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- agencies -------------------------------------------------------------------------------
class Contact(Strict):
    role: str = Field(description="operation | incident | general (N15 focal points)", pattern="^(operation|incident|general)$")
    name: str = Field(min_length=1, max_length=200)
    title: str = ""
    phone: str = ""
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AgencyCreate(Strict):
    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=300)
    level: AgencyLevel
    parent_id: int | None = None
    access_level: AccessLevel = AccessLevel.II
    address: str = ""
    phone: str = ""
    email: str = ""
    contacts: list[Contact] = Field(default_factory=list)


class AgencyUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    level: AgencyLevel | None = None
    parent_id: int | None = None
    access_level: AccessLevel | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    contacts: list[Contact] | None = None


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
    created_at: datetime
    updated_at: datetime


# -- catalogue and subscriptions -------------------------------------------------------------
class ServiceCreate(Strict):
    code: str = Field(min_length=1, max_length=50)
    name: str = Field(min_length=1, max_length=300)
    description: str = ""


class ServiceUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = None


class ServicePublic(BaseModel):
    id: int
    code: str
    name: str
    category: ServiceCategory
    description: str


class SubscriptionCreate(Strict):
    agency_id: int
    service_id: int
    channels: int = Field(default=1, ge=0)
    bandwidth_mbps: float = Field(default=0, ge=0)
    connection_site: str = ""
    planned_date: date | None = None
    status: str = "active"


class SubscriptionPublic(SubscriptionCreate):
    model_config = ConfigDict(extra="ignore")
    id: int


class DemandUpsert(Strict):
    agency_id: int
    year: int = Field(ge=2000, le=2100)
    ipv4_addresses: int = Field(default=0, ge=0)
    ipv6_prefixes: int = Field(default=0, ge=0)
    bandwidth_mbps: float = Field(default=0, ge=0)
    justification: str = ""


class DemandPublic(DemandUpsert):
    model_config = ConfigDict(extra="ignore")
    id: int


# -- vrfs, prefixes, addresses ----------------------------------------------------------------
class VrfCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    rd: str | None = None
    service_id: int | None = None
    description: str = ""


class VrfPublic(VrfCreate):
    model_config = ConfigDict(extra="ignore")
    id: int


class PrefixCreate(Strict):
    prefix: str = Field(description="CIDR, e.g. 10.0.0.0/24 or 2001:db8::/48")
    vrf_id: int | None = None
    kind: PrefixKind = PrefixKind.allocation
    status: PrefixStatus = PrefixStatus.active
    parent_id: int | None = Field(default=None, description="Optional: the prefix this one must lie inside")
    agency_id: int | None = None
    service_id: int | None = None
    purpose: str = ""
    description: str = ""


class PrefixUpdate(Strict):
    status: PrefixStatus | None = None
    agency_id: int | None = None
    service_id: int | None = None
    purpose: str | None = None
    description: str | None = None


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
    agency_id: int | None = None
    service_id: int | None = None
    purpose: str = ""
    description: str = ""


class AddressFields(Strict):
    status: AddressStatus = AddressStatus.active
    assigned_object_type: str | None = Field(default=None, max_length=50)
    assigned_object_id: str | None = Field(default=None, max_length=100)
    dns_name: str = Field(default="", max_length=255)
    description: str = ""


class AddressCreate(AddressFields):
    address: str
    vrf_id: int | None = None


class AddressUpdate(Strict):
    status: AddressStatus | None = None
    assigned_object_type: str | None = None
    assigned_object_id: str | None = None
    dns_name: str | None = None
    description: str | None = None


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
