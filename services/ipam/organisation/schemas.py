"""Request and response models of the organisation domain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from services.ipam.base import BodyId, BodyInt, Strict
from services.ipam.organisation.models import AccessLevel, AgencyLevel, ServiceCategory
from shared.types import Name, PatchModel, Text

#: bounds of the yearly figures (the columns are 32-bit integers on PostgreSQL)
MAX_INT32 = 2**31 - 1
MAX_BANDWIDTH_MBPS = 1_000_000.0  # 1 Tbit/s: far above any connection of the network
MAX_CHANNELS = 10_000


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
    parent_id: BodyId | None = None
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
    parent_id: BodyId | None = None
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
    agency_id: BodyId
    service_id: BodyId
    channels: BodyInt = Field(default=1, ge=0, le=MAX_CHANNELS)
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
    agency_id: BodyId
    year: BodyInt = Field(ge=2000, le=2100)
    ipv4_addresses: BodyInt = Field(default=0, ge=0, le=MAX_INT32)
    ipv6_prefixes: BodyInt = Field(default=0, ge=0, le=MAX_INT32)
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


