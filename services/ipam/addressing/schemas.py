"""Request and response models of the addressing domain (NetBox vocabulary)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, computed_field

from services.ipam.addressing.models import AddressRole, AddressStatus, PrefixKind, PrefixStatus, RangeStatus
from services.ipam.base import BodyBool, BodyId, BodyInt, Strict
from shared.types import Name, PatchModel, Text


class VrfCreate(Strict):
    name: Name = Field(min_length=1, max_length=100)
    rd: Name | None = Field(default=None, max_length=50)
    service_id: BodyId | None = None
    description: Text = Field(default="", max_length=2000)


class VrfPublic(BaseModel):
    id: int
    name: str
    rd: str | None
    service_id: int | None
    description: str


class PrefixCreate(Strict):
    prefix: str = Field(max_length=64, description="CIDR, e.g. 10.0.0.0/24 or 2001:db8::/48")
    vrf_id: BodyId | None = None
    kind: PrefixKind = PrefixKind.allocation
    status: PrefixStatus = PrefixStatus.active
    parent_id: BodyId | None = Field(default=None, description="Optional: the prefix this one must lie inside")
    agency_id: BodyId | None = None
    service_id: BodyId | None = None
    purpose: Text = Field(default="", max_length=500)
    description: Text = Field(default="", max_length=2000)


class PrefixUpdate(PatchModel):
    # owner and service may be cleared on pools and containers (an allocation still needs them: 422)
    nullable = frozenset({"agency_id", "service_id"})
    status: PrefixStatus | None = None
    agency_id: BodyId | None = None
    service_id: BodyId | None = None
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

    prefix_length: BodyInt = Field(ge=0, le=128)
    kind: PrefixKind = PrefixKind.allocation
    status: PrefixStatus = PrefixStatus.active
    agency_id: BodyId | None = None
    service_id: BodyId | None = None
    purpose: Text = Field(default="", max_length=500)
    description: Text = Field(default="", max_length=2000)


class AddressFields(Strict):
    status: AddressStatus = AddressStatus.active
    role: AddressRole | None = Field(
        default=None, description="anycast, vip, vrrp, hsrp, glbp and carp are shared: only addresses whose every copy has one may repeat"
    )
    assigned_object_type: Name | None = Field(default=None, max_length=50)
    assigned_object_id: Name | None = Field(default=None, max_length=100)
    dns_name: Name = Field(default="", max_length=255)
    description: Text = Field(default="", max_length=2000)


class AddressCreate(AddressFields):
    address: str = Field(max_length=64, description="As engineers write it, 10.1.2.5/24; without a mask it takes the containing prefix's length")
    vrf_id: BodyId | None = None


class AddressUpdate(PatchModel):
    nullable = frozenset({"assigned_object_type", "assigned_object_id", "role"})
    status: AddressStatus | None = None
    role: AddressRole | None = None
    mask_length: BodyInt | None = Field(default=None, ge=1, le=128)
    assigned_object_type: Name | None = Field(default=None, max_length=50)
    assigned_object_id: Name | None = Field(default=None, max_length=100)
    dns_name: Name | None = Field(default=None, max_length=255)
    description: Text | None = Field(default=None, max_length=2000)


class AddressRequest(AddressFields):
    """Assign the next ``count`` free addresses of a prefix."""

    count: BodyInt = Field(default=1, ge=1, le=1000)


#: several requests in one atomic call (NetBox's list body): all placed, or none and 409
PrefixRequests = Annotated[list[PrefixRequest], Field(min_length=1, max_length=1000)]
AddressRequests = Annotated[list[AddressRequest], Field(min_length=1, max_length=1000)]


class AddressPublic(BaseModel):
    id: int
    address: str = Field(description="The address alone (10.1.2.5); address_with_mask adds its mask")
    mask_length: int
    role: AddressRole | None
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

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented use on a property; mypy cannot type it
    @property
    def address_with_mask(self) -> str:
        """The address as engineers write it, e.g. 10.1.2.5/24."""
        return f"{self.address}/{self.mask_length}"


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




class RangeCreate(Strict):
    """A start–end run of addresses in one VRF (both ends with the same mask, or none: the prefix's length)."""

    start_address: str = Field(max_length=64, description="e.g. 10.1.2.100/24")
    end_address: str = Field(max_length=64, description="e.g. 10.1.2.199/24")
    vrf_id: BodyId | None = None
    status: RangeStatus = RangeStatus.active
    description: Text = Field(default="", max_length=2000)
    mark_populated: BodyBool = Field(default=False, description="Its addresses are in use as a whole (a DHCP pool): never offered as free")
    mark_utilized: BodyBool = Field(default=False, description="Counts as fully used toward its prefix's utilisation")


class RangeUpdate(PatchModel):
    status: RangeStatus | None = None
    description: Text | None = Field(default=None, max_length=2000)
    mark_populated: BodyBool | None = None
    mark_utilized: BodyBool | None = None


class RangePublic(BaseModel):
    id: int
    start_address: str
    end_address: str
    mask_length: int
    family: int
    vrf_id: int | None
    prefix_id: int | None = Field(description="The innermost prefix holding the whole range")
    size: float
    status: RangeStatus
    description: str
    mark_populated: bool
    mark_utilized: bool
    utilization: float = Field(description="Percentage in use: 100 when mark_utilized, else its recorded addresses")
    created_at: datetime
    updated_at: datetime
