"""The access API's organisations, registrations and grants (``/api/v1/access``; G7, G12, G13).

Administrators hold ``gateway:admin``; an organisation's representative sees and acts only for
their own organisation (:mod:`services.gateway.scoping`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.gateway.access import service
from services.gateway.deps import AdminDep, CallerDep, GatewayDep, RepDep, access_router
from services.gateway.models import Grant, Registration
from services.gateway.schemas import (
    ApproveIn,
    GrantOut,
    GrantStatusIn,
    OrganisationIn,
    OrganisationOut,
    RegistrationIn,
    RegistrationOut,
    RejectIn,
)
from services.gateway.scoping import ensure_may_act_for
from shared.auth import Principal
from shared.db import SessionDep, after_commit
from shared.pagination import Page, PageParams

router = access_router()


def readable_registration(registration_id: str, session: SessionDep, caller: CallerDep) -> Registration:
    """The registration in the path, if the caller may see it: 404 when there is none, 403 when another organisation's."""
    reg = service.get_registration(session=session, registration_id=registration_id)
    ensure_may_act_for(principal=caller, org_id=reg.org_id)
    return reg


def readable_grant(grant_id: str, session: SessionDep, caller: CallerDep) -> Grant:
    """The grant in the path, if the caller may see it: 404 when there is none, 403 when another organisation's."""
    grant = service.get_grant(session=session, grant_id=grant_id)
    ensure_may_act_for(principal=caller, org_id=grant.org_id)
    return grant


CurrentRegistration = Annotated[Registration, Depends(readable_registration)]
CurrentGrant = Annotated[Grant, Depends(readable_grant)]


# -- organisations -----------------------------------------------------------------------
@router.get("/organisations", response_model=Page[OrganisationOut])
def list_organisations(session: SessionDep, caller: CallerDep, paging: PageParams) -> Page[OrganisationOut]:
    rows, count = service.list_organisations(session=session, principal=caller, paging=paging)
    return Page[OrganisationOut].of(paging, results=[OrganisationOut.model_validate(r) for r in rows], count=count)


@router.post("/organisations", response_model=OrganisationOut, status_code=201)
def create_organisation(body: OrganisationIn, session: SessionDep, caller: AdminDep, gw: GatewayDep) -> OrganisationOut:
    org = service.create_organisation(session=session, name=body.name, kind=body.kind, contact_email=body.contact_email)
    gw.audit.record("organisation_created", actor=caller.sub, org=org.id, detail={"name": org.name})
    return OrganisationOut.model_validate(org)


@router.get("/organisations/{org_id}", response_model=OrganisationOut)
def get_organisation(org_id: str, session: SessionDep, caller: CallerDep) -> OrganisationOut:
    # 403 before 404: another organisation's id says nothing about whether it exists
    ensure_may_act_for(principal=caller, org_id=org_id)
    return OrganisationOut.model_validate(service.get_organisation(session=session, org_id=org_id))


# -- registrations ---------------------------------------------------------------------------
@router.get("/registrations", response_model=Page[RegistrationOut])
def list_registrations(session: SessionDep, caller: CallerDep, paging: PageParams, state: str | None = None,
                       org_id: str | None = None) -> Page[RegistrationOut]:
    rows, count = service.list_registrations(session=session, principal=caller, paging=paging, state=state, org_id=org_id)
    return Page[RegistrationOut].of(paging, results=[RegistrationOut.model_validate(r) for r in rows], count=count)


@router.post("/registrations", response_model=RegistrationOut, status_code=201)
def submit_registration(body: RegistrationIn, session: SessionDep, caller: RepDep, gw: GatewayDep) -> RegistrationOut:
    ensure_may_act_for(principal=caller, org_id=body.org_id)
    reg = service.submit_registration(
        session=session, principal=caller, org_id=body.org_id,
        officials=[o.model_dump() for o in body.officials], purpose=body.purpose,
        requested_scopes=body.requested_scopes, tiers=body.tiers, period_from=body.period_from, period_until=body.period_until,
    )
    gw.audit.record("registration_submitted", actor=caller.sub, org=reg.org_id,
                    detail={"registration": reg.id, "scopes": reg.requested_scopes})
    return RegistrationOut.model_validate(reg)


@router.get("/registrations/{registration_id}", response_model=RegistrationOut)
def get_registration(reg: CurrentRegistration) -> RegistrationOut:
    return RegistrationOut.model_validate(reg)


@router.post("/registrations/{registration_id}/approve", response_model=GrantOut, status_code=201)
def approve_registration(registration_id: str, body: ApproveIn, session: SessionDep, caller: AdminDep,
                         gw: GatewayDep) -> GrantOut:
    _, grant = service.approve_registration(session=session, principal=caller, registration_id=registration_id,
                                            scopes=body.scopes, valid_from=body.valid_from, valid_until=body.valid_until)
    out = GrantOut.model_validate(grant)
    # the grant snapshot and the trail follow the commit: the next proxied request sees the grant
    after_commit(session, gw.grants.invalidate)
    after_commit(session, lambda: gw.audit.record("grant_approved", actor=caller.sub, org=out.org_id, grant_id=out.id,
                                                  detail={"registration": registration_id, "scopes": out.scopes}))
    return out


@router.post("/registrations/{registration_id}/reject", response_model=RegistrationOut)
def reject_registration(registration_id: str, body: RejectIn, session: SessionDep, caller: AdminDep,
                        gw: GatewayDep) -> RegistrationOut:
    reg = service.reject_registration(session=session, principal=caller, registration_id=registration_id, reason=body.reason)
    gw.audit.record("registration_rejected", actor=caller.sub, org=reg.org_id,
                    detail={"registration": reg.id, "reason": reg.reason})
    return RegistrationOut.model_validate(reg)


# -- grants --------------------------------------------------------------------------------
@router.get("/grants", response_model=Page[GrantOut])
def list_grants(session: SessionDep, caller: CallerDep, paging: PageParams, status: str | None = None,
                org_id: str | None = None) -> Page[GrantOut]:
    rows, count = service.list_grants(session=session, principal=caller, paging=paging, status=status, org_id=org_id)
    return Page[GrantOut].of(paging, results=[_shown(g) for g in rows], count=count)


def _shown(grant: Grant) -> GrantOut:
    """The grant as a reader sees it: ``expired`` once past its period, whatever the row says."""
    return GrantOut.model_validate(grant).model_copy(update={"status": service.grant_effective_status(grant)})


@router.get("/grants/{grant_id}", response_model=GrantOut)
def get_grant(grant: CurrentGrant) -> GrantOut:
    return _shown(grant)


def _change_status(action: str, grant_id: str, body: GrantStatusIn | None, session: SessionDep, caller: Principal,
                   gw: GatewayDep) -> GrantOut:
    reason = body.reason if body else None
    grant = service.change_grant_status(session=session, principal=caller, grant_id=grant_id, action=action, reason=reason)
    out = GrantOut.model_validate(grant)
    # the grant snapshot and the trail follow the commit: the next proxied request sees the change
    after_commit(session, gw.grants.invalidate)
    after_commit(session, lambda: gw.audit.record(f"grant_{out.status}", actor=caller.sub, org=out.org_id,
                                                  grant_id=out.id, detail={"reason": reason}))
    return out


@router.post("/grants/{grant_id}/revoke", response_model=GrantOut)
def revoke_grant(grant_id: str, session: SessionDep, caller: AdminDep, gw: GatewayDep,
                 body: GrantStatusIn | None = None) -> GrantOut:
    return _change_status("revoke", grant_id, body, session, caller, gw)


@router.post("/grants/{grant_id}/suspend", response_model=GrantOut)
def suspend_grant(grant_id: str, session: SessionDep, caller: AdminDep, gw: GatewayDep,
                  body: GrantStatusIn | None = None) -> GrantOut:
    return _change_status("suspend", grant_id, body, session, caller, gw)


@router.post("/grants/{grant_id}/resume", response_model=GrantOut)
def resume_grant(grant_id: str, session: SessionDep, caller: AdminDep, gw: GatewayDep,
                 body: GrantStatusIn | None = None) -> GrantOut:
    return _change_status("resume", grant_id, body, session, caller, gw)
