"""The inventory's 404-loading dependencies: a row the caller's organisation may not see is a 404."""

from __future__ import annotations

from typing import Annotated

from cryptography.fernet import Fernet
from fastapi import Depends, Path, Request

from services.devices.access import Admin, Reader, Writer
from services.devices.inventory import service
from services.devices.inventory.credentials import cipher
from services.devices.inventory.models import Device, Site, Uplink
from shared.auth import Principal, require_scopes
from shared.db import SessionDep
from shared.types import MAX_ID

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
Reporter = Annotated[Principal, require_scopes("devices:report")]
"""An agent pushing readings (``devices:report``; ``devices:admin`` passes too)."""


def _site(site_id: PathId, session: SessionDep, principal: Reader) -> Site:
    return service.get_site(session=session, principal=principal, site_id=site_id)


def _writable_site(site_id: PathId, session: SessionDep, principal: Writer) -> Site:
    return service.get_site(session=session, principal=principal, site_id=site_id)


def _device(device_id: PathId, session: SessionDep, principal: Reader) -> Device:
    return service.get_device(session=session, principal=principal, device_id=device_id)


def _writable_device(device_id: PathId, session: SessionDep, principal: Writer) -> Device:
    return service.get_device(session=session, principal=principal, device_id=device_id)


def _admin_device(device_id: PathId, session: SessionDep, principal: Admin) -> Device:
    return service.get_device(session=session, principal=principal, device_id=device_id)


def _reported_device(device_id: PathId, session: SessionDep, principal: Reporter) -> Device:
    return service.get_device(session=session, principal=principal, device_id=device_id)


def _uplink(uplink_id: PathId, session: SessionDep, principal: Reader) -> Uplink:
    return service.get_uplink(session=session, principal=principal, uplink_id=uplink_id)


def _writable_uplink(uplink_id: PathId, session: SessionDep, principal: Writer) -> Uplink:
    return service.get_uplink(session=session, principal=principal, uplink_id=uplink_id)


def _cipher(request: Request) -> Fernet:
    key: Fernet | None = getattr(request.app.state, "credentials_cipher", None)
    if key is None:
        key = request.app.state.credentials_cipher = cipher(request.app.state.settings)
    return key


CurrentSite = Annotated[Site, Depends(_site)]
WritableSite = Annotated[Site, Depends(_writable_site)]
CurrentDevice = Annotated[Device, Depends(_device)]
WritableDevice = Annotated[Device, Depends(_writable_device)]
AdminDevice = Annotated[Device, Depends(_admin_device)]
ReportedDevice = Annotated[Device, Depends(_reported_device)]
CurrentUplink = Annotated[Uplink, Depends(_uplink)]
WritableUplink = Annotated[Uplink, Depends(_writable_uplink)]
CredentialsKey = Annotated[Fernet, Depends(_cipher)]
