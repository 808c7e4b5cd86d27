"""HTTP routes of the inventory: sites, devices, interfaces and uplinks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from services.devices.access import Reader, Writer
from services.devices.inventory import service
from services.devices.inventory.access import (
    CurrentDevice,
    CurrentSite,
    CurrentUplink,
    PathId,
    WritableDevice,
    WritableSite,
    WritableUplink,
)
from services.devices.inventory.ipam_client import IpamClient
from services.devices.inventory.models import DeviceStatus, Interface, Role, Uplink
from services.devices.inventory.schemas import (
    DeviceCreate,
    DevicePublic,
    DeviceUpdate,
    InterfaceCreate,
    InterfacePublic,
    InterfaceUpdate,
    ManagementAddressRequest,
    SiteCreate,
    SitePublic,
    SiteUpdate,
    UplinkCreate,
    UplinkPublic,
    UplinkUpdate,
)
from shared.db import SessionDep
from shared.pagination import Page, PageParams
from shared.types import Id

router = APIRouter(tags=["devices: inventory"])
IdQ = Annotated[Id | None, Query()]


def _out(schema: Any, row: object) -> Any:
    return schema.model_validate(row, from_attributes=True)


# -- sites -------------------------------------------------------------------------------------------
@router.get("/sites", response_model=Page[SitePublic], summary="List the caller's sites")
def list_sites(session: SessionDep, principal: Reader, paging: PageParams, agency_id: IdQ = None) -> Page[SitePublic]:
    rows, count = service.list_sites(session=session, principal=principal, agency_id=agency_id, paging=paging)
    return Page[SitePublic].of(paging, results=[_out(SitePublic, r) for r in rows], count=count)


@router.post("/sites", status_code=201, response_model=SitePublic, summary="Record a site (owned by the caller's organisation)")
def create_site(data: SiteCreate, session: SessionDep, principal: Writer) -> SitePublic:
    return _out(SitePublic, service.create_site(session=session, principal=principal, data=data))  # type: ignore[no-any-return]


@router.get("/sites/{site_id}", response_model=SitePublic)
def get_site(site: CurrentSite) -> SitePublic:
    return _out(SitePublic, site)  # type: ignore[no-any-return]


@router.patch("/sites/{site_id}", response_model=SitePublic)
def update_site(site: WritableSite, data: SiteUpdate, session: SessionDep) -> SitePublic:
    return _out(SitePublic, service.update_site(session=session, site=site, data=data))  # type: ignore[no-any-return]


@router.delete("/sites/{site_id}", status_code=204)
def delete_site(site: WritableSite, session: SessionDep) -> Response:
    service.delete_site(session=session, site=site)
    return Response(status_code=204)


# -- devices -----------------------------------------------------------------------------------------
@router.get("/devices", response_model=Page[DevicePublic], summary="List the caller's devices")
def list_devices(
    session: SessionDep, principal: Reader, paging: PageParams, site_id: IdQ = None, agency_id: IdQ = None,
    role: Role | None = None, status: DeviceStatus | None = None,
) -> Page[DevicePublic]:
    rows, count = service.list_devices(session=session, principal=principal, paging=paging, site_id=site_id,
                                       agency_id=agency_id, role=role, status=status)
    return Page[DevicePublic].of(paging, results=[_out(DevicePublic, r) for r in rows], count=count)


@router.post("/devices", status_code=201, response_model=DevicePublic, summary="Record a device at one of the caller's sites")
def create_device(data: DeviceCreate, session: SessionDep, principal: Writer) -> DevicePublic:
    return _out(DevicePublic, service.create_device(session=session, principal=principal, data=data))  # type: ignore[no-any-return]


@router.get("/devices/{device_id}", response_model=DevicePublic)
def get_device(device: CurrentDevice) -> DevicePublic:
    return _out(DevicePublic, device)  # type: ignore[no-any-return]


@router.patch("/devices/{device_id}", response_model=DevicePublic,
              summary="Change a device (status decommissioned publishes govnet.devices.device.decommissioned.v1)")
def update_device(device: WritableDevice, data: DeviceUpdate, session: SessionDep, principal: Writer) -> DevicePublic:
    return _out(DevicePublic, service.update_device(session=session, principal=principal, device=device, data=data))  # type: ignore[no-any-return]


@router.post("/devices/{device_id}/management-address", response_model=DevicePublic,
             summary="Take the management address in IPAM (next free of a prefix, or a given one) with the caller's token")
def assign_management_address(device: WritableDevice, data: ManagementAddressRequest, session: SessionDep, principal: Writer,
                              request: Request) -> DevicePublic:
    ipam = IpamClient(request.app.state.settings.ipam_url)
    return _out(DevicePublic, service.assign_management_address(  # type: ignore[no-any-return]
        session=session, principal=principal, device=device, data=data, ipam=ipam))


@router.delete("/devices/{device_id}", status_code=204)
def delete_device(device: WritableDevice, session: SessionDep) -> Response:
    service.delete_device(session=session, device=device)
    return Response(status_code=204)


# -- interfaces --------------------------------------------------------------------------------------
@router.get("/devices/{device_id}/interfaces", response_model=Page[InterfacePublic])
def list_interfaces(device: CurrentDevice, session: SessionDep, paging: PageParams) -> Page[InterfacePublic]:
    rows, count = service.list_interfaces(session=session, device=device, paging=paging)
    return Page[InterfacePublic].of(paging, results=[_out(InterfacePublic, r) for r in rows], count=count)


@router.post("/devices/{device_id}/interfaces", status_code=201, response_model=InterfacePublic)
def create_interface(device: WritableDevice, data: InterfaceCreate, session: SessionDep) -> InterfacePublic:
    return _out(InterfacePublic, service.create_interface(session=session, device=device, data=data))  # type: ignore[no-any-return]


@router.patch("/devices/{device_id}/interfaces/{interface_id}", response_model=InterfacePublic)
def update_interface(device: WritableDevice, interface_id: PathId, data: InterfaceUpdate, session: SessionDep) -> InterfacePublic:
    row = service.get_interface(session=session, device=device, interface_id=interface_id)
    return _out(InterfacePublic, service.update_interface(session=session, interface=row, data=data))  # type: ignore[no-any-return]


@router.delete("/devices/{device_id}/interfaces/{interface_id}", status_code=204)
def delete_interface(device: WritableDevice, interface_id: PathId, session: SessionDep) -> Response:
    service.delete_interface(session=session, interface=service.get_interface(session=session, device=device, interface_id=interface_id))
    return Response(status_code=204)


# -- uplinks (N6) ------------------------------------------------------------------------------------
def _uplink_out(session: Session, row: Uplink) -> UplinkPublic:
    interface = session.get(Interface, row.interface_id)
    return UplinkPublic(**row.model_dump(), capacity_mbps=service.uplink_capacity(row, interface))


@router.get("/uplinks", response_model=Page[UplinkPublic], summary="Uplinks of the data-integration centre (N6)")
def list_uplinks(session: SessionDep, principal: Reader, paging: PageParams) -> Page[UplinkPublic]:
    rows, count = service.list_uplinks(session=session, principal=principal, paging=paging)
    return Page[UplinkPublic].of(paging, results=[_uplink_out(session, r) for r in rows], count=count)


@router.post("/uplinks", status_code=201, response_model=UplinkPublic)
def create_uplink(data: UplinkCreate, session: SessionDep, principal: Writer) -> UplinkPublic:
    return _uplink_out(session, service.create_uplink(session=session, principal=principal, data=data))


@router.get("/uplinks/{uplink_id}", response_model=UplinkPublic)
def get_uplink(uplink: CurrentUplink, session: SessionDep) -> UplinkPublic:
    return _uplink_out(session, uplink)


@router.patch("/uplinks/{uplink_id}", response_model=UplinkPublic)
def update_uplink(uplink: WritableUplink, data: UplinkUpdate, session: SessionDep) -> UplinkPublic:
    return _uplink_out(session, service.update_uplink(session=session, uplink=uplink, data=data))


@router.delete("/uplinks/{uplink_id}", status_code=204)
def delete_uplink(uplink: WritableUplink, session: SessionDep) -> Response:
    session.delete(uplink)
    session.flush()
    return Response(status_code=204)
