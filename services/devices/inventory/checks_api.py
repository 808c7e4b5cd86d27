"""HTTP routes of compliance, environment readings, notices and monitoring credentials of a device."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from services.devices.access import Admin, Writer
from services.devices.inventory import compliance, credentials, service
from services.devices.inventory.access import (
    AdminDevice,
    CredentialsKey,
    CurrentDevice,
    ReportedDevice,
    WritableDevice,
    WritableSite,
)
from services.devices.inventory.credentials import CredentialSet, CredentialStatus
from services.devices.inventory.schemas import (
    CheckPublic,
    CompliancePublic,
    NoticeCreate,
    NoticePublic,
    ReadingCreate,
    ReadingPublic,
)
from shared.db import SessionDep
from shared.pagination import Page, PageParams

router = APIRouter(tags=["devices: compliance"])


# -- compliance (N13, N14) ---------------------------------------------------------------------------
@router.get("/devices/{device_id}/compliance", response_model=CompliancePublic,
            summary="Every rule of the terminal minimum with pass/fail/unknown and its article")
def get_compliance(device: CurrentDevice, session: SessionDep, request: Request) -> CompliancePublic:
    ruleset: str = request.app.state.settings.terminal_ruleset
    checks = service.device_compliance(session=session, device=device, ruleset=ruleset)
    return CompliancePublic(
        device_id=device.id or 0, ruleset=ruleset, outcome=compliance.summary(checks).value,
        checks=[CheckPublic(code=c.code, title=c.title, outcome=c.outcome.value, detail=c.detail,
                            document=c.basis.document, article=c.basis.article) for c in checks],
    )


# -- notices (Art. 6.2) and readings (N14) -----------------------------------------------------------
@router.post("/devices/{device_id}/notifications", status_code=201, response_model=NoticePublic,
             summary="Notify that something affects a device (published as govnet.devices.device.affected.v1)")
def create_notice(device: WritableDevice, data: NoticeCreate, session: SessionDep, principal: Writer) -> NoticePublic:
    row = service.create_notice(session=session, principal=principal, device=device, data=data)
    return NoticePublic.model_validate(row, from_attributes=True)


@router.post("/sites/{site_id}/notifications", status_code=201, response_model=list[NoticePublic],
             summary="Notify that something affects a whole site: one notice and one event per device in service there")
def create_site_notice(site: WritableSite, data: NoticeCreate, session: SessionDep, principal: Writer) -> list[NoticePublic]:
    rows = service.create_site_notice(session=session, principal=principal, site=site, data=data)
    return [NoticePublic.model_validate(r, from_attributes=True) for r in rows]


@router.get("/devices/{device_id}/notifications", response_model=Page[NoticePublic])
def list_notices(device: CurrentDevice, session: SessionDep, paging: PageParams) -> Page[NoticePublic]:
    rows, count = service.list_notices(session=session, device=device, paging=paging)
    return Page[NoticePublic].of(paging, results=[NoticePublic.model_validate(r, from_attributes=True) for r in rows], count=count)


@router.post("/devices/{device_id}/readings", status_code=201, response_model=ReadingPublic,
             summary="An agent's environment reading (devices:report); out of range is published")
def create_reading(device: ReportedDevice, data: ReadingCreate, session: SessionDep) -> ReadingPublic:
    return ReadingPublic.model_validate(service.create_reading(session=session, device=device, data=data), from_attributes=True)


@router.get("/devices/{device_id}/readings", response_model=Page[ReadingPublic])
def list_readings(device: CurrentDevice, session: SessionDep, paging: PageParams) -> Page[ReadingPublic]:
    rows, count = service.list_readings(session=session, device=device, paging=paging)
    return Page[ReadingPublic].of(paging, results=[ReadingPublic.model_validate(r, from_attributes=True) for r in rows], count=count)


# -- monitoring credentials (N10, Art. 9.1) ----------------------------------------------------------
@router.get("/devices/{device_id}/credentials", response_model=CredentialStatus,
            summary="Whether monitoring credentials are set and when they last changed (never the secrets)")
def get_credentials(device: CurrentDevice, session: SessionDep, key: CredentialsKey, request: Request) -> CredentialStatus:
    days: int = request.app.state.settings.credentials_rotation_days
    return credentials.status(session=session, device=device, key=key, rotation_days=days)


@router.put("/devices/{device_id}/credentials", response_model=CredentialStatus,
            summary="Set a device's SNMP community or v3 authPriv keys (stored encrypted; devices:admin)")
def put_credentials(device: AdminDevice, data: CredentialSet, session: SessionDep, principal: Admin,
                    key: CredentialsKey, request: Request) -> CredentialStatus:
    credentials.store(session=session, principal=principal, device=device, data=data, key=key)
    days: int = request.app.state.settings.credentials_rotation_days
    return credentials.status(session=session, device=device, key=key, rotation_days=days)


@router.delete("/devices/{device_id}/credentials", status_code=204)
def delete_credentials(device: AdminDevice, session: SessionDep) -> Response:
    credentials.remove(session=session, device=device)
    return Response(status_code=204)


@router.get("/credentials/due", response_model=list[CredentialStatus],
            summary="Monitoring credentials unchanged for the rotation period or longer (Art. 9.1)")
def credentials_due(session: SessionDep, _p: Admin, request: Request) -> list[CredentialStatus]:
    days: int = request.app.state.settings.credentials_rotation_days
    return credentials.due_for_rotation(session=session, device_ids=None, rotation_days=days)
