"""Who is calling the access API, and the dependency aliases its routers use (G7, G13).

The caller is the shared :class:`~shared.auth.Principal`, with its scopes narrowed to those its
grants still back in the gateway's grant snapshot: a revoked, suspended or expired grant takes
its scopes (``gateway:admin`` too) away at once. There is no gateway-side caller type: "is an
administrator" is ``gateway:admin`` among those live scopes (:func:`services.gateway.scoping.is_admin`),
"represents an organisation" is a flag on the person's account, checked by :data:`RepDep`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute

from services.gateway.identity.service import is_representative
from services.gateway.runtime import Gateway, liveness, token_grants
from services.gateway.scoping import ADMIN_SCOPE, is_admin
from shared.auth import CurrentPrincipal, Principal, bearer_token
from shared.db import SessionDep
from shared.errors import Forbidden, Unauthorized


def gateway_of(request: Request) -> Gateway:
    """The gateway's in-process machinery (keys, grant snapshot, audit writer)."""
    gw: Gateway = request.app.state.gateway
    return gw


GatewayDep = Annotated[Gateway, Depends(gateway_of)]


async def authenticate(request: Request) -> Principal:
    """The caller, with the scopes its grants still back (revocation applies here too); 401 otherwise."""
    gw = gateway_of(request)
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
    return dataclasses.replace(principal, scopes=alive.scopes)


class AuthenticatedRoute(APIRoute):
    """Authenticates before FastAPI reads, parses or validates anything of the request.

    FastAPI parses the body before it runs any dependency, so a malformed body sent without a
    token would be a 422 that tells a stranger about the schema; here it is a 401.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def authenticated(request: Request) -> Response:
            request.state.access_principal = await authenticate(request)
            return await handler(request)

        return authenticated


def access_router() -> APIRouter:
    """A router of the access API (``/api/v1/access``) whose routes authenticate first."""
    return APIRouter(prefix="/api/v1/access", tags=["access"], route_class=AuthenticatedRoute)


def access_principal(request: Request, principal: CurrentPrincipal) -> Principal:
    """The caller :class:`AuthenticatedRoute` established (the principal parameter documents the bearer scheme)."""
    caller: Principal = request.state.access_principal
    return caller


CallerDep = Annotated[Principal, Depends(access_principal)]


def admin_principal(caller: CallerDep) -> Principal:
    """Administrators only; 403 otherwise."""
    if not is_admin(caller):
        raise Forbidden("This needs an administrator (scope gateway:admin).", required_scopes=[ADMIN_SCOPE])
    return caller


AdminDep = Annotated[Principal, Depends(admin_principal)]


def representative_or_admin(caller: CallerDep, session: SessionDep) -> Principal:
    """Administrators, or a representative of an organisation (acting for it only)."""
    if is_admin(caller) or is_representative(session=session, principal=caller):
        return caller
    raise Forbidden("Only an administrator or the organisation's representative may do this.")


RepDep = Annotated[Principal, Depends(representative_or_admin)]
