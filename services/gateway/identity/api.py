"""The access API's people (``/api/v1/access/users``; N10, G13): administrators and representatives."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.gateway.access.service import ensure_operator_grant
from services.gateway.deps import GatewayDep, RepDep, access_router
from services.gateway.identity import service
from services.gateway.models import User
from services.gateway.schemas import UserIn, UserOut
from services.gateway.scoping import ensure_may_act_for, is_admin
from shared.db import SessionDep
from shared.errors import Forbidden
from shared.pagination import Page, PageParams

router = access_router()


def readable_user(user_id: str, session: SessionDep, caller: RepDep) -> User:
    """The account in the path, if the caller may see it: 404 when there is none, 403 when another organisation's."""
    user = service.get_user(session=session, user_id=user_id)
    ensure_may_act_for(principal=caller, org_id=user.org_id)
    return user


CurrentUser = Annotated[User, Depends(readable_user)]


@router.get("/users", response_model=Page[UserOut])
def list_users(session: SessionDep, caller: RepDep, paging: PageParams, org_id: str | None = None) -> Page[UserOut]:
    rows, count = service.list_users(session=session, principal=caller, paging=paging, org_id=org_id)
    return Page[UserOut].of(paging, results=[UserOut.model_validate(r) for r in rows], count=count)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, session: SessionDep, caller: RepDep, gw: GatewayDep) -> UserOut:
    ensure_may_act_for(principal=caller, org_id=body.org_id)
    if body.is_admin and not is_admin(caller):
        raise Forbidden("Only an administrator may create administrators.")
    user = service.create_user(session=session, hasher=gw.hasher, rules=gw.rules, username=body.username,
                               password=body.password, org_id=body.org_id, full_name=body.full_name,
                               position=body.position, email=body.email, phone=body.phone,
                               is_admin=body.is_admin, is_representative=body.is_representative)
    if user.is_admin:
        org, _ = ensure_operator_grant(session=session)
        if user.org_id != org.id:
            raise Forbidden("Administrators belong to the operator organisation; create them there.")
    gw.audit.record("user_created", actor=caller.sub, org=user.org_id, detail={"username": user.username, "admin": user.is_admin})
    return UserOut.model_validate(user)


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)
