"""The access API (``/api/v1/access``): organisations, people, clients, registrations, grants, audit.

Administrators hold ``gateway:admin``; an organisation's representative sees and acts only for
their own organisation.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlmodel import Session, col, func, select

from services.gateway import service
from services.gateway.audit import verify_chain
from services.gateway.models import AuditRecord, Client, Grant, Organisation, Registration, User
from services.gateway.reports import audit_csv
from services.gateway.runtime import Gateway, liveness, token_grants
from services.gateway.schemas import (
    ApproveIn,
    AuditOut,
    AuditVerification,
    ClientCreated,
    ClientIn,
    ClientOut,
    GrantOut,
    GrantStatusIn,
    OrganisationIn,
    OrganisationOut,
    Page,
    RegistrationIn,
    RegistrationOut,
    RejectIn,
    UserIn,
    UserOut,
)
from shared.auth import CurrentPrincipal, Principal, bearer_token
from shared.db import SessionDep
from shared.errors import Forbidden, Unauthorized
from shared.types import MAX_ID
from shared.types import Offset as OffsetInt


@dataclass(frozen=True)
class Caller:
    principal: Principal
    is_admin: bool
    org: str | None

    @property
    def actor(self) -> str:
        return self.principal.sub


async def authenticate(request: Request) -> Caller:
    """The caller, with the scopes its grants still back (revocation applies here too); 401 otherwise."""
    gw: Gateway = request.app.state.gateway
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("This route needs a bearer access token from the GovNet gateway.",
                           headers={"WWW-Authenticate": 'Bearer realm="govnet"'})
    principal = gw.verify(token)
    await gw.grants.aensure_fresh(token_grants(principal))
    alive = liveness(principal, gw.grants)
    if alive.revoked:
        raise Unauthorized("The access token has been revoked; request a new one.")
    if principal.grant and alive.dead_grants and not alive.scopes:
        raise Unauthorized("The access grant behind this token is no longer in force.")
    return Caller(principal, "gateway:admin" in alive.scopes, principal.org)


class AuthenticatedRoute(APIRoute):
    """Authenticates before FastAPI reads, parses or validates anything of the request.

    FastAPI parses the body before it runs any dependency, so a malformed body sent without a
    token would be a 422 that tells a stranger about the schema; here it is a 401.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def authenticated(request: Request) -> Response:
            request.state.access_caller = await authenticate(request)
            return await handler(request)

        return authenticated


router = APIRouter(prefix="/api/v1/access", tags=["access"], route_class=AuthenticatedRoute)


def access_caller(request: Request, principal: CurrentPrincipal) -> Caller:
    """The caller :class:`AuthenticatedRoute` established (the principal parameter documents the bearer scheme)."""
    caller: Caller = request.state.access_caller
    return caller


CallerDep = Annotated[Caller, Depends(access_caller)]


def admin_caller(caller: CallerDep) -> Caller:
    if not caller.is_admin:
        raise Forbidden("This needs an administrator (scope gateway:admin).", required_scopes=["gateway:admin"])
    return caller


AdminDep = Annotated[Caller, Depends(admin_caller)]


def representative_or_admin(caller: CallerDep, session: SessionDep) -> Caller:
    """Administrators, or a representative of an organisation (acting for it only)."""
    if caller.is_admin:
        return caller
    if caller.principal.sub.startswith("user:"):
        user = service.user_by_username(session=session, username=caller.principal.sub[5:])
        if user is not None and user.is_representative and user.active:
            return caller
    raise Forbidden("Only an administrator or the organisation's representative may do this.")


RepDep = Annotated[Caller, Depends(representative_or_admin)]
Limit = Annotated[int, Query(ge=1, le=MAX_ID, description="Page size (capped at the suite's max_page_size)")]
Offset = Annotated[OffsetInt, Query()]
#: an HTTP status code (an unbounded integer would overflow the database's column)
StatusCode = Annotated[int | None, Query(ge=100, le=599)]


def gateway_of(request: Request) -> Gateway:
    gw: Gateway = request.app.state.gateway
    return gw


def paginate(request: Request, session: Session, stmt: Any, limit: int, offset: int) -> dict[str, Any]:
    """One page of ``stmt``: ``{count, next, results}``."""
    limit = min(limit, request.app.state.settings.max_page_size)
    count = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = list(session.exec(stmt.limit(limit).offset(offset)))
    nxt = None
    if offset + limit < count:
        nxt = str(request.url.include_query_params(limit=limit, offset=offset + limit))
    return {"count": int(count), "next": nxt, "results": rows}


def _scope_to_org(caller: Caller, stmt: Any, column: Any, org_id: str | None) -> Any:
    if not caller.is_admin:
        return stmt.where(column == caller.org)
    return stmt.where(column == org_id) if org_id else stmt


# -- organisations -----------------------------------------------------------------------
@router.get("/organisations", response_model=Page[OrganisationOut])
def list_organisations(request: Request, session: SessionDep, caller: CallerDep, limit: Limit = 100, offset: Offset = 0) -> Any:
    stmt = _scope_to_org(caller, select(Organisation), Organisation.id, None).order_by(col(Organisation.name))
    return paginate(request, session, stmt, limit, offset)


@router.post("/organisations", response_model=OrganisationOut, status_code=201)
def create_organisation(body: OrganisationIn, session: SessionDep, caller: AdminDep, request: Request) -> Any:
    org = service.create_organisation(session=session, name=body.name, kind=body.kind, contact_email=body.contact_email)
    gateway_of(request).audit.record("organisation_created", actor=caller.actor, org=org.id, detail={"name": org.name})
    return org


@router.get("/organisations/{org_id}", response_model=OrganisationOut)
def get_organisation(org_id: str, session: SessionDep, caller: CallerDep) -> Any:
    service.ensure_caller_may_manage(is_admin=caller.is_admin, caller_org=caller.org, org_id=org_id)
    return service.get_organisation(session=session, org_id=org_id)


# -- users ---------------------------------------------------------------------------------
@router.get("/users", response_model=Page[UserOut])
def list_users(request: Request, session: SessionDep, caller: RepDep, org_id: str | None = None,
               limit: Limit = 100, offset: Offset = 0) -> Any:
    stmt = _scope_to_org(caller, select(User), User.org_id, org_id).order_by(col(User.username))
    return paginate(request, session, stmt, limit, offset)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, request: Request, session: SessionDep, caller: RepDep) -> Any:
    service.ensure_caller_may_manage(is_admin=caller.is_admin, caller_org=caller.org, org_id=body.org_id)
    if body.is_admin and not caller.is_admin:
        raise Forbidden("Only an administrator may create administrators.")
    gw = gateway_of(request)
    user = service.create_user(session=session, hasher=gw.hasher, rules=gw.rules, username=body.username,
                               password=body.password, org_id=body.org_id, full_name=body.full_name,
                               position=body.position, email=body.email, phone=body.phone,
                               is_admin=body.is_admin, is_representative=body.is_representative)
    if user.is_admin:
        org, _ = service.ensure_operator_grant(session=session)
        if user.org_id != org.id:
            raise Forbidden("Administrators belong to the operator organisation; create them there.")
    gw.audit.record("user_created", actor=caller.actor, org=user.org_id, detail={"username": user.username, "admin": user.is_admin})
    return user


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user_id: str, session: SessionDep, caller: RepDep) -> Any:
    user = service.get_user(session=session, user_id=user_id)
    service.ensure_caller_may_manage(is_admin=caller.is_admin, caller_org=caller.org, org_id=user.org_id)
    return user


# -- clients -------------------------------------------------------------------------------
@router.get("/clients", response_model=Page[ClientOut])
def list_clients(request: Request, session: SessionDep, caller: RepDep, org_id: str | None = None,
                 limit: Limit = 100, offset: Offset = 0) -> Any:
    stmt = _scope_to_org(caller, select(Client), Client.org_id, org_id).order_by(col(Client.created_at))
    return paginate(request, session, stmt, limit, offset)


@router.post("/clients", response_model=ClientCreated, status_code=201)
def create_client(body: ClientIn, request: Request, session: SessionDep, caller: RepDep) -> Any:
    service.ensure_caller_may_manage(is_admin=caller.is_admin, caller_org=caller.org, org_id=body.org_id)
    gw = gateway_of(request)
    client, secret = service.create_client(session=session, hasher=gw.hasher, name=body.name, org_id=body.org_id)
    gw.audit.record("client_created", actor=caller.actor, org=client.org_id, client_id=client.client_id)
    return {**ClientOut.model_validate(client).model_dump(), "client_secret": secret}


# -- registrations ---------------------------------------------------------------------------
@router.get("/registrations", response_model=Page[RegistrationOut])
def list_registrations(request: Request, session: SessionDep, caller: CallerDep, state: str | None = None,
                       org_id: str | None = None, limit: Limit = 100, offset: Offset = 0) -> Any:
    stmt = _scope_to_org(caller, select(Registration), Registration.org_id, org_id)
    if state:
        stmt = stmt.where(Registration.state == state)
    return paginate(request, session, stmt.order_by(col(Registration.created_at)), limit, offset)


@router.post("/registrations", response_model=RegistrationOut, status_code=201)
def submit_registration(body: RegistrationIn, request: Request, session: SessionDep, caller: RepDep) -> Any:
    service.ensure_caller_may_manage(is_admin=caller.is_admin, caller_org=caller.org, org_id=body.org_id)
    reg = service.submit_registration(
        session=session, org_id=body.org_id, submitted_by=caller.actor,
        officials=[o.model_dump() for o in body.officials], purpose=body.purpose,
        requested_scopes=body.requested_scopes, tiers=body.tiers, period_from=body.period_from, period_until=body.period_until,
    )
    gateway_of(request).audit.record("registration_submitted", actor=caller.actor, org=reg.org_id,
                                     detail={"registration": reg.id, "scopes": reg.requested_scopes})
    return reg


@router.get("/registrations/{registration_id}", response_model=RegistrationOut)
def get_registration(registration_id: str, session: SessionDep, caller: CallerDep) -> Any:
    reg = service.get_registration(session=session, registration_id=registration_id)
    service.ensure_caller_may_manage(is_admin=caller.is_admin, caller_org=caller.org, org_id=reg.org_id)
    return reg


@router.post("/registrations/{registration_id}/approve", response_model=GrantOut, status_code=201)
def approve_registration(registration_id: str, body: ApproveIn, request: Request, caller: AdminDep) -> Any:
    gw = gateway_of(request)
    with gw.database.transaction() as session:
        _, grant = service.approve_registration(session=session, registration_id=registration_id, actor=caller.actor,
                                                scopes=body.scopes, valid_from=body.valid_from, valid_until=body.valid_until)
        out = GrantOut.model_validate(grant)
    gw.grants.invalidate()
    gw.audit.record("grant_approved", actor=caller.actor, org=out.org_id, grant_id=out.id,
                    detail={"registration": registration_id, "scopes": out.scopes})
    return out


@router.post("/registrations/{registration_id}/reject", response_model=RegistrationOut)
def reject_registration(registration_id: str, body: RejectIn, request: Request, session: SessionDep, caller: AdminDep) -> Any:
    reg = service.reject_registration(session=session, registration_id=registration_id, actor=caller.actor, reason=body.reason)
    gateway_of(request).audit.record("registration_rejected", actor=caller.actor, org=reg.org_id,
                                     detail={"registration": reg.id, "reason": reg.reason})
    return reg


# -- grants --------------------------------------------------------------------------------
@router.get("/grants", response_model=Page[GrantOut])
def list_grants(request: Request, session: SessionDep, caller: CallerDep, status: str | None = None,
                org_id: str | None = None, limit: Limit = 100, offset: Offset = 0) -> Any:
    stmt = _scope_to_org(caller, select(Grant), Grant.org_id, org_id)
    if status:
        stmt = stmt.where(Grant.status == status)
    page = paginate(request, session, stmt.order_by(col(Grant.created_at)), limit, offset)
    for g in page["results"]:
        g.status = service.grant_effective_status(g)
    return page


@router.get("/grants/{grant_id}", response_model=GrantOut)
def get_grant(grant_id: str, session: SessionDep, caller: CallerDep) -> Any:
    grant = service.get_grant(session=session, grant_id=grant_id)
    service.ensure_caller_may_manage(is_admin=caller.is_admin, caller_org=caller.org, org_id=grant.org_id)
    grant.status = service.grant_effective_status(grant)
    return grant


def _grant_action(action: str, grant_id: str, body: GrantStatusIn | None, request: Request, caller: Caller) -> GrantOut:
    gw = gateway_of(request)
    reason = body.reason if body else None
    with gw.database.transaction() as session:
        grant = service.change_grant_status(session=session, grant_id=grant_id, action=action, reason=reason, actor=caller.actor)
        out = GrantOut.model_validate(grant)
    gw.grants.invalidate()  # committed: the next proxied request sees it
    gw.audit.record(f"grant_{out.status}", actor=caller.actor, org=out.org_id, grant_id=out.id, detail={"reason": reason})
    return out


@router.post("/grants/{grant_id}/revoke", response_model=GrantOut)
def revoke_grant(grant_id: str, request: Request, caller: AdminDep, body: GrantStatusIn | None = None) -> Any:
    return _grant_action("revoke", grant_id, body, request, caller)


@router.post("/grants/{grant_id}/suspend", response_model=GrantOut)
def suspend_grant(grant_id: str, request: Request, caller: AdminDep, body: GrantStatusIn | None = None) -> Any:
    return _grant_action("suspend", grant_id, body, request, caller)


@router.post("/grants/{grant_id}/resume", response_model=GrantOut)
def resume_grant(grant_id: str, request: Request, caller: AdminDep, body: GrantStatusIn | None = None) -> Any:
    return _grant_action("resume", grant_id, body, request, caller)


# -- audit ---------------------------------------------------------------------------------
def _audit_query(caller: Caller, kind: str | None, actor: str | None, org_id: str | None, status: int | None,
                 since: str | None, until: str | None, path_prefix: str | None) -> Any:
    stmt = _scope_to_org(caller, select(AuditRecord), AuditRecord.org, org_id)
    if kind:
        stmt = stmt.where(AuditRecord.kind == kind)
    if actor:
        stmt = stmt.where(AuditRecord.actor == actor)
    if status is not None:
        stmt = stmt.where(AuditRecord.status == status)
    if since:
        stmt = stmt.where(AuditRecord.occurred_at >= since)
    if until:
        stmt = stmt.where(AuditRecord.occurred_at < until)
    if path_prefix:
        stmt = stmt.where(col(AuditRecord.path).startswith(path_prefix, autoescape=True))
    return stmt.order_by(col(AuditRecord.seq))


@router.get("/audit", response_model=Page[AuditOut], responses={200: {"content": {"text/csv": {}}}})
async def list_audit(
    request: Request,
    caller: RepDep,
    kind: str | None = None,
    actor: str | None = None,
    org_id: str | None = None,
    status: StatusCode = None,
    since: Annotated[str | None, Query(description="ISO 8601 UTC, e.g. 2026-11-21T00:00:00Z")] = None,
    until: str | None = None,
    path_prefix: str | None = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    gw = gateway_of(request)
    import asyncio

    await asyncio.to_thread(gw.audit.flush)
    stmt = _audit_query(caller, kind, actor, org_id, status, since, until, path_prefix)

    def run() -> Any:
        with gw.database.transaction(write=False) as session:
            if format == "csv":
                return audit_csv(session.exec(stmt))
            return paginate(request, session, stmt, limit, offset)

    result = await asyncio.to_thread(run)
    if format == "csv":
        return Response(result, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="govnet-audit.csv"'})
    return result


@router.get("/audit/verify", response_model=AuditVerification)
async def verify_audit(request: Request, caller: AdminDep) -> Any:
    gw = gateway_of(request)
    import asyncio

    await asyncio.to_thread(gw.audit.flush)

    def run() -> dict[str, Any]:
        with gw.database.transaction(write=False) as session:
            return verify_chain(session=session)

    return await asyncio.to_thread(run)
