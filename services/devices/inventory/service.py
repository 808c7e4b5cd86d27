"""Inventory logic: sites, devices, interfaces, uplinks, notices and environment readings.

Every read is narrowed to the caller's organisation (``devices:admin`` sees all); a row of
another organisation is a 404, never a 403, so ids do not leak.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import delete, func
from sqlmodel import Session, SQLModel, col, select

from services.devices.access import SERVICE
from services.devices.events import outbox
from services.devices.inventory import compliance
from services.devices.inventory.ipam_client import IpamClient
from services.devices.inventory.models import (
    Device,
    DeviceNotice,
    DeviceStatus,
    EnvironmentReading,
    Interface,
    MonitoringCredential,
    Site,
    Uplink,
)
from services.devices.inventory.schemas import (
    DeviceCreate,
    DeviceUpdate,
    InterfaceCreate,
    InterfaceUpdate,
    ManagementAddressRequest,
    NoticeCreate,
    ReadingCreate,
    SiteCreate,
    SiteUpdate,
    UplinkCreate,
    UplinkUpdate,
)
from services.devices.telemetry.poller import InterfaceRow
from shared.auth import Principal, readable_by_org
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.pagination import Paging

DEVICE_DECOMMISSIONED = "govnet.devices.device.decommissioned.v1"
DEVICE_AFFECTED = "govnet.devices.device.affected.v1"
ENVIRONMENT_OUT_OF_RANGE = "govnet.devices.environment.out_of_range.v1"

M = TypeVar("M", bound=SQLModel)


def _now() -> datetime:
    return datetime.now(UTC)


def _page(session: Session, stmt: Any, paging: Paging) -> tuple[list[Any], int]:
    count = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = list(session.exec(stmt.offset(paging.offset).limit(paging.limit)))
    return rows, int(count)


def _apply(row: M, changes: dict[str, Any]) -> M:
    for name, value in changes.items():
        setattr(row, name, value)
    return row


# -- sites -------------------------------------------------------------------------------------------
def get_site(*, session: Session, principal: Principal, site_id: int) -> Site:
    """The site ``site_id`` if the caller may see it, else 404."""
    stmt = readable_by_org(select(Site).where(col(Site.id) == site_id), Site.org_id, principal=principal, service=SERVICE)
    site = session.exec(stmt).first()
    if site is None:
        raise NotFound(f"No site {site_id}.")
    return site


def list_sites(*, session: Session, principal: Principal, agency_id: int | None, paging: Paging) -> tuple[list[Site], int]:
    """The caller's sites (every site for ``devices:admin``), by id."""
    stmt = readable_by_org(select(Site), Site.org_id, principal=principal, service=SERVICE).order_by(col(Site.id))
    if agency_id is not None:
        stmt = stmt.where(col(Site.agency_id) == agency_id)
    return _page(session, stmt, paging)


def _owner(principal: Principal, requested: str | None) -> str:
    if principal.is_admin(SERVICE):
        owner = requested or principal.org
        if owner is None:
            raise InvalidInput("org_id: a devices:admin token without an organisation must name the owner.")
        return owner
    if principal.org is None:
        raise Forbidden("The token acts for no organisation, so it cannot own a site.")
    if requested not in (None, principal.org):
        raise Forbidden("Only devices:admin may create a site for another organisation.")
    return principal.org


def create_site(*, session: Session, principal: Principal, data: SiteCreate) -> Site:
    """Record a site owned by the caller's organisation."""
    values = data.model_dump(exclude={"org_id"})
    site = Site(**values, org_id=_owner(principal, data.org_id))
    session.add(site)
    session.flush()
    return site


def update_site(*, session: Session, site: Site, data: SiteUpdate) -> Site:
    """Change a site's fields."""
    _apply(site, data.changes()).updated_at = _now()
    session.add(site)
    session.flush()
    return site


def delete_site(*, session: Session, site: Site) -> None:
    """Remove a site without devices (409 while it has any)."""
    if session.exec(select(Device.id).where(col(Device.site_id) == site.id).limit(1)).first() is not None:
        raise Conflict("The site still has devices; move or delete them first.")
    session.delete(site)
    session.flush()


# -- devices -----------------------------------------------------------------------------------------
def get_device(*, session: Session, principal: Principal, device_id: int) -> Device:
    """The device ``device_id`` if the caller may see it, else 404."""
    stmt = readable_by_org(select(Device).where(col(Device.id) == device_id), Device.org_id, principal=principal, service=SERVICE)
    device = session.exec(stmt).first()
    if device is None:
        raise NotFound(f"No device {device_id}.")
    return device


def list_devices(
    *, session: Session, principal: Principal, paging: Paging, site_id: int | None = None, agency_id: int | None = None,
    role: str | None = None, status: str | None = None,
) -> tuple[list[Device], int]:
    """The caller's devices, filtered, by id."""
    stmt = readable_by_org(select(Device), Device.org_id, principal=principal, service=SERVICE).order_by(col(Device.id))
    for column, value in ((Device.site_id, site_id), (Device.agency_id, agency_id), (Device.role, role), (Device.status, status)):
        if value is not None:
            stmt = stmt.where(col(column) == value)
    return _page(session, stmt, paging)


def _site_for(session: Session, principal: Principal, site_id: int) -> Site:
    try:
        return get_site(session=session, principal=principal, site_id=site_id)
    except NotFound:
        raise InvalidInput(f"site_id: no site {site_id}.", errors=[{"field": "site_id", "message": "no such site"}]) from None


def _decommission(session: Session, device: Device) -> None:
    data = {"device_id": str(device.id), "agency_id": device.agency_id, "org_id": device.org_id,
            "management_address": device.management_address}
    outbox.emit(session, DEVICE_DECOMMISSIONED, subject=device.id or 0, data=data)


def create_device(*, session: Session, principal: Principal, data: DeviceCreate) -> Device:
    """Record a device at one of the caller's sites (its agency and owner are the site's)."""
    site = _site_for(session, principal, data.site_id)
    device = Device(**data.model_dump(mode="json"), agency_id=site.agency_id, org_id=site.org_id)
    session.add(device)
    session.flush()
    return device


def update_device(*, session: Session, principal: Principal, device: Device, data: DeviceUpdate) -> Device:
    """Change a device; moving it to ``decommissioned`` publishes the event IPAM releases its addresses on."""
    changes = data.model_dump(mode="json", exclude_unset=True)
    if device.status == DeviceStatus.decommissioned and changes.get("status", device.status) != DeviceStatus.decommissioned:
        raise Conflict("A decommissioned device stays decommissioned; record a new device instead.")
    if "site_id" in changes:
        site = _site_for(session, principal, changes["site_id"])
        changes.update(agency_id=site.agency_id, org_id=site.org_id)
    leaving = changes.get("status") == DeviceStatus.decommissioned and device.status != DeviceStatus.decommissioned
    _apply(device, changes).updated_at = _now()
    session.add(device)
    session.flush()
    if leaving:
        _decommission(session, device)
    return device


def assign_management_address(
    *, session: Session, principal: Principal, device: Device, data: ManagementAddressRequest, ipam: IpamClient
) -> Device:
    """Take the device's management address in IPAM with the caller's token and record it."""
    if device.status == DeviceStatus.decommissioned:
        raise Conflict("A decommissioned device takes no address.")
    device_id = device.id or 0
    if data.prefix_id is not None:
        address = ipam.assign_next(prefix_id=data.prefix_id, device_id=device_id, token=principal.token)
    else:
        address = ipam.assign(address=data.address or "", device_id=device_id, token=principal.token)
    device.management_address = address.split("/", 1)[0]
    device.updated_at = _now()
    session.add(device)
    session.flush()
    return device


def delete_device(*, session: Session, device: Device) -> None:
    """Remove a device and everything recorded about it; an active one is decommissioned first (the event)."""
    if device.status != DeviceStatus.decommissioned:
        _decommission(session, device)
    for model in (Uplink, EnvironmentReading, DeviceNotice, MonitoringCredential, Interface):
        session.execute(delete(model).where(col(model.device_id) == device.id))
    session.delete(device)
    session.flush()


# -- interfaces --------------------------------------------------------------------------------------
def list_interfaces(*, session: Session, device: Device, paging: Paging) -> tuple[list[Interface], int]:
    """A device's interfaces by ifIndex."""
    stmt = select(Interface).where(col(Interface.device_id) == device.id).order_by(col(Interface.if_index))
    return _page(session, stmt, paging)


def get_interface(*, session: Session, device: Device, interface_id: int) -> Interface:
    """One interface of ``device`` (404 otherwise)."""
    row = session.get(Interface, interface_id)
    if row is None or row.device_id != device.id:
        raise NotFound(f"No interface {interface_id} on device {device.id}.")
    return row


def create_interface(*, session: Session, device: Device, data: InterfaceCreate) -> Interface:
    """Record an interface by hand (409 if its ifIndex exists)."""
    if session.exec(select(Interface).where(col(Interface.device_id) == device.id, col(Interface.if_index) == data.if_index)).first():
        raise Conflict(f"Device {device.id} already has ifIndex {data.if_index}.")
    row = Interface(device_id=device.id or 0, **data.model_dump())
    session.add(row)
    session.flush()
    return row


def update_interface(*, session: Session, interface: Interface, data: InterfaceUpdate) -> Interface:
    """Edit an interface's name, alias or speed."""
    _apply(interface, data.changes())
    session.add(interface)
    session.flush()
    return interface


def delete_interface(*, session: Session, interface: Interface) -> None:
    """Remove an interface (409 while an uplink uses it)."""
    if session.exec(select(Uplink.id).where(col(Uplink.interface_id) == interface.id)).first() is not None:
        raise Conflict("An uplink uses this interface.")
    session.delete(interface)
    session.flush()


def upsert_interfaces(*, session: Session, device_id: int, rows: Sequence[InterfaceRow]) -> int:
    """Write SNMP discovery's interface table of ``device_id`` (by ifIndex; the alias an operator set stays)."""
    known = {i.if_index: i for i in session.exec(select(Interface).where(col(Interface.device_id) == device_id))}
    for row in rows:
        item = known.get(row.if_index) or Interface(device_id=device_id, if_index=row.if_index)
        item.if_name = (row.name or row.descr or item.if_name or "")[:200]
        item.if_alias = (row.alias if row.alias is not None else item.if_alias)[:200]
        speed = row.high_speed if row.high_speed else (row.if_speed // 1_000_000 if row.if_speed else None)
        item.if_high_speed = speed or item.if_high_speed
        session.add(item)
    session.flush()
    return len(rows)


# -- uplinks -----------------------------------------------------------------------------------------
def uplink_capacity(uplink: Uplink, interface: Interface | None) -> int | None:
    """Contracted capacity when set, else the interface's ifHighSpeed (Mb/s)."""
    return uplink.contracted_mbps or (interface.if_high_speed if interface else None)


def list_uplinks(*, session: Session, principal: Principal, paging: Paging) -> tuple[list[Uplink], int]:
    """The uplinks of the caller's devices."""
    stmt = select(Uplink).join(Device, col(Device.id) == col(Uplink.device_id)).order_by(col(Uplink.id))
    return _page(session, readable_by_org(stmt, Device.org_id, principal=principal, service=SERVICE), paging)


def get_uplink(*, session: Session, principal: Principal, uplink_id: int) -> Uplink:
    """One uplink of the caller's devices (404 otherwise)."""
    stmt = select(Uplink).join(Device, col(Device.id) == col(Uplink.device_id)).where(col(Uplink.id) == uplink_id)
    row = session.exec(readable_by_org(stmt, Device.org_id, principal=principal, service=SERVICE)).first()
    if row is None:
        raise NotFound(f"No uplink {uplink_id}.")
    return row


def create_uplink(*, session: Session, principal: Principal, data: UplinkCreate) -> Uplink:
    """Mark an interface of one of the caller's devices as an uplink."""
    interface = session.get(Interface, data.interface_id)
    device = interface and session.exec(readable_by_org(
        select(Device).where(col(Device.id) == interface.device_id), Device.org_id, principal=principal, service=SERVICE)).first()
    if interface is None or device is None:
        raise InvalidInput(f"interface_id: no interface {data.interface_id}.", errors=[{"field": "interface_id", "message": "no such interface"}])
    row = Uplink(device_id=interface.device_id, **data.model_dump())
    session.add(row)
    session.flush()
    return row


def update_uplink(*, session: Session, uplink: Uplink, data: UplinkUpdate) -> Uplink:
    """Edit an uplink."""
    _apply(uplink, data.changes())
    session.add(uplink)
    session.flush()
    return uplink


# -- notices and readings ----------------------------------------------------------------------------
def create_notice(*, session: Session, principal: Principal, device: Device, data: NoticeCreate) -> DeviceNotice:
    """Record that something affects ``device`` and publish it (Art. 6.2)."""
    row = DeviceNotice(device_id=device.id or 0, kind=data.kind, text=data.text, at=data.at, created_by=principal.sub[:200])
    session.add(row)
    session.flush()
    outbox.emit(session, DEVICE_AFFECTED, subject=device.id or 0, data={
        "device_id": device.id, "site_id": device.site_id, "agency_id": device.agency_id, "org_id": device.org_id,
        "notice_id": row.id, "kind": data.kind.value, "text": data.text, "at": data.at.isoformat(),
    })
    return row


def create_site_notice(*, session: Session, principal: Principal, site: Site, data: NoticeCreate) -> list[DeviceNotice]:
    """Something affects a whole site (a power cut, a move): one notice and one event per device there still in service."""
    stmt = select(Device).where(col(Device.site_id) == site.id, col(Device.status) != DeviceStatus.decommissioned)
    return [create_notice(session=session, principal=principal, device=d, data=data) for d in session.exec(stmt.order_by(col(Device.id)))]


def list_notices(*, session: Session, device: Device, paging: Paging) -> tuple[list[DeviceNotice], int]:
    """A device's notices, newest first."""
    stmt = select(DeviceNotice).where(col(DeviceNotice.device_id) == device.id).order_by(col(DeviceNotice.at).desc(), col(DeviceNotice.id).desc())
    return _page(session, stmt, paging)


def create_reading(*, session: Session, device: Device, data: ReadingCreate) -> EnvironmentReading:
    """Store an agent's reading; one outside the site's ranges is flagged and published (N14)."""
    site = session.get(Site, device.site_id)
    assert site is not None
    flagged = compliance.out_of_range(site.room_type.value, temperature_c=data.temperature_c,
                                      humidity_pct=data.humidity_pct, ups_on_mains=data.ups_on_mains)
    row = EnvironmentReading(device_id=device.id or 0, out_of_range=flagged, **data.model_dump())
    session.add(row)
    session.flush()
    if flagged:
        outbox.emit(session, ENVIRONMENT_OUT_OF_RANGE, subject=device.id or 0, data={
            "device_id": device.id, "agency_id": device.agency_id, "org_id": device.org_id, "site_id": site.id,
            "room_type": site.room_type.value, "out_of_range": flagged, "temperature_c": data.temperature_c,
            "humidity_pct": data.humidity_pct, "ups_on_mains": data.ups_on_mains, "at": data.at.isoformat(),
        })
    return row


def list_readings(*, session: Session, device: Device, paging: Paging) -> tuple[list[EnvironmentReading], int]:
    """A device's readings, newest first."""
    stmt = select(EnvironmentReading).where(col(EnvironmentReading.device_id) == device.id).order_by(
        col(EnvironmentReading.at).desc(), col(EnvironmentReading.id).desc())
    return _page(session, stmt, paging)


def device_compliance(*, session: Session, device: Device, ruleset: str) -> list[compliance.Check]:
    """Every rule of ``ruleset`` on ``device``, its site and its latest reading."""
    site = session.get(Site, device.site_id)
    latest = session.exec(select(EnvironmentReading).where(col(EnvironmentReading.device_id) == device.id)
                          .order_by(col(EnvironmentReading.at).desc(), col(EnvironmentReading.id).desc()).limit(1)).first()
    facts = compliance.Facts(
        access_level=device.access_level.value, lan_ports=device.lan_ports, wan_ports=device.wan_ports,
        snmp_v2c=device.snmp_v2c, snmp_v3=device.snmp_v3, syslog=device.syslog, ipv6=device.ipv6,
        management_protocols=tuple(device.management_protocols), room_type=site.room_type.value if site else None,
        ups_present=site.ups_present if site else None,
        temperature_c=latest.temperature_c if latest else None, humidity_pct=latest.humidity_pct if latest else None,
    )
    return compliance.evaluate(facts, ruleset=ruleset)
