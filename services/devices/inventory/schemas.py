"""Request and response models of the inventory."""

from __future__ import annotations

from datetime import datetime
from ipaddress import ip_address
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)

from services.devices.inventory.models import (
    AccessLevel,
    DeviceStatus,
    ManagementProtocol,
    NoticeKind,
    Role,
    RoomType,
)
from shared.types import MAX_ID, Name, PatchModel, Text

BodyId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Ports = Annotated[StrictInt, Field(ge=0, le=10_000)]
Mbps = Annotated[StrictInt, Field(ge=1, le=10_000_000)]
Email = Annotated[Name, Field(max_length=200, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")]


def _address(value: str) -> str:
    return str(ip_address(value))


IpText = Annotated[str, Field(max_length=45), AfterValidator(_address)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- sites -----------------------------------------------------------------------------------------
class SiteCreate(Strict):
    agency_id: BodyId = Field(description="The agency's id in IPAM")
    name: Name = Field(min_length=1, max_length=200)
    address: Text = Field(default="", max_length=500)
    room_type: RoomType
    ups_present: StrictBool = False
    contact_name: Name = Field(default="", max_length=200)
    contact_phone: Name = Field(default="", max_length=50)
    contact_email: Email = ""
    org_id: Name | None = Field(default=None, min_length=1, max_length=64,
                                description="Owning organisation (devices:admin only; others own what they create)")


class SiteUpdate(PatchModel):
    name: Name | None = Field(default=None, min_length=1, max_length=200)
    address: Text | None = Field(default=None, max_length=500)
    room_type: RoomType | None = None
    ups_present: StrictBool | None = None
    contact_name: Name | None = Field(default=None, max_length=200)
    contact_phone: Name | None = Field(default=None, max_length=50)
    contact_email: Email | None = None


class SitePublic(BaseModel):
    id: int
    agency_id: int
    org_id: str | None
    name: str
    address: str
    room_type: RoomType
    ups_present: bool
    contact_name: str
    contact_phone: str
    contact_email: str
    created_at: datetime
    updated_at: datetime


# -- devices ---------------------------------------------------------------------------------------
class DeviceCreate(Strict):
    site_id: BodyId
    name: Name = Field(min_length=1, max_length=200)
    access_level: AccessLevel = AccessLevel.II
    role: Role
    vendor: Name = Field(default="", max_length=100)
    model: Name = Field(default="", max_length=100)
    serial: Name = Field(default="", max_length=100)
    firmware: Name = Field(default="", max_length=100)
    lan_ports: Ports | None = None
    wan_ports: Ports | None = None
    snmp_v2c: StrictBool | None = None
    snmp_v3: StrictBool | None = None
    syslog: StrictBool | None = None
    ipv6: StrictBool | None = None
    management_protocols: list[ManagementProtocol] = Field(default_factory=list, max_length=5)
    management_address: IpText | None = None
    status: DeviceStatus = DeviceStatus.planned


class DeviceUpdate(PatchModel):
    nullable = frozenset({"lan_ports", "wan_ports", "snmp_v2c", "snmp_v3", "syslog", "ipv6", "management_address"})
    site_id: BodyId | None = None
    name: Name | None = Field(default=None, min_length=1, max_length=200)
    access_level: AccessLevel | None = None
    role: Role | None = None
    vendor: Name | None = Field(default=None, max_length=100)
    model: Name | None = Field(default=None, max_length=100)
    serial: Name | None = Field(default=None, max_length=100)
    firmware: Name | None = Field(default=None, max_length=100)
    lan_ports: Ports | None = None
    wan_ports: Ports | None = None
    snmp_v2c: StrictBool | None = None
    snmp_v3: StrictBool | None = None
    syslog: StrictBool | None = None
    ipv6: StrictBool | None = None
    management_protocols: list[ManagementProtocol] | None = Field(default=None, max_length=5)
    management_address: IpText | None = None
    status: DeviceStatus | None = None


class DevicePublic(BaseModel):
    id: int
    site_id: int
    agency_id: int
    org_id: str | None
    name: str
    access_level: AccessLevel
    role: Role
    vendor: str
    model: str
    serial: str
    firmware: str
    lan_ports: int | None
    wan_ports: int | None
    snmp_v2c: bool | None
    snmp_v3: bool | None
    syslog: bool | None
    ipv6: bool | None
    management_protocols: list[str]
    management_address: str | None
    status: DeviceStatus
    created_at: datetime
    updated_at: datetime


class ManagementAddressRequest(Strict):
    """Take the device's management address in IPAM: the next free one of a prefix, or a given one."""

    prefix_id: BodyId | None = Field(default=None, description="IPAM prefix to take the next free address from")
    address: IpText | None = Field(default=None, description="Or this address")

    @model_validator(mode="after")
    def _one(self) -> ManagementAddressRequest:
        if (self.prefix_id is None) == (self.address is None):
            raise ValueError("give exactly one of prefix_id and address")
        return self


# -- interfaces and uplinks ----------------------------------------------------------------------------
class InterfaceUpdate(PatchModel):
    nullable = frozenset({"if_high_speed"})
    if_name: Name | None = Field(default=None, max_length=200)
    if_alias: Text | None = Field(default=None, max_length=200)
    if_high_speed: Mbps | None = None


class InterfaceCreate(Strict):
    if_index: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]
    if_name: Name = Field(default="", max_length=200)
    if_alias: Text = Field(default="", max_length=200)
    if_high_speed: Mbps | None = None


class InterfacePublic(BaseModel):
    id: int
    device_id: int
    if_index: int
    if_name: str
    if_alias: str
    if_high_speed: int | None


class UplinkCreate(Strict):
    interface_id: BodyId
    provider: Name = Field(min_length=1, max_length=200)
    contracted_mbps: Mbps | None = None
    route_id: Name = Field(default="", max_length=100)


class UplinkUpdate(PatchModel):
    nullable = frozenset({"contracted_mbps"})
    provider: Name | None = Field(default=None, min_length=1, max_length=200)
    contracted_mbps: Mbps | None = None
    route_id: Name | None = Field(default=None, max_length=100)


class UplinkPublic(BaseModel):
    id: int
    device_id: int
    interface_id: int
    provider: str
    contracted_mbps: int | None
    route_id: str
    capacity_mbps: int | None = Field(description="Contracted capacity when set, else the interface's ifHighSpeed")


# -- notices, readings, compliance ------------------------------------------------------------------
class NoticeCreate(Strict):
    kind: NoticeKind
    text: Text = Field(min_length=1, max_length=4000)
    at: AwareDatetime


class NoticePublic(BaseModel):
    id: int
    device_id: int
    kind: NoticeKind
    text: str
    at: datetime
    created_by: str
    created_at: datetime


class ReadingCreate(Strict):
    at: AwareDatetime
    temperature_c: float | None = Field(default=None, ge=-50, le=100, allow_inf_nan=False)
    humidity_pct: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    ups_on_mains: StrictBool | None = None


class ReadingPublic(BaseModel):
    id: int
    device_id: int
    at: datetime
    temperature_c: float | None
    humidity_pct: float | None
    ups_on_mains: bool | None
    out_of_range: list[str]


class CheckPublic(BaseModel):
    code: str
    title: str
    outcome: str = Field(description="pass | fail | unknown")
    detail: str
    document: str
    article: str


class CompliancePublic(BaseModel):
    device_id: int
    ruleset: str
    outcome: str
    checks: list[CheckPublic]
