"""The access API's system clients (``/api/v1/access/clients``; G7, G13)."""

from __future__ import annotations

from services.gateway.clients import service
from services.gateway.deps import GatewayDep, RepDep, access_router
from services.gateway.schemas import ClientCreated, ClientIn, ClientOut
from services.gateway.scoping import ensure_may_act_for
from shared.db import SessionDep
from shared.pagination import Page, PageParams

router = access_router()


@router.get("/clients", response_model=Page[ClientOut])
def list_clients(session: SessionDep, caller: RepDep, paging: PageParams, org_id: str | None = None) -> Page[ClientOut]:
    rows, count = service.list_clients(session=session, principal=caller, paging=paging, org_id=org_id)
    return Page[ClientOut].of(paging, results=[ClientOut.model_validate(r) for r in rows], count=count)


@router.post("/clients", response_model=ClientCreated, status_code=201)
def create_client(body: ClientIn, session: SessionDep, caller: RepDep, gw: GatewayDep) -> ClientCreated:
    ensure_may_act_for(principal=caller, org_id=body.org_id)
    client, secret = service.create_client(session=session, hasher=gw.hasher, name=body.name, org_id=body.org_id)
    gw.audit.record("client_created", actor=caller.sub, org=client.org_id, client_id=client.client_id)
    return ClientCreated(**ClientOut.model_validate(client).model_dump(), client_secret=secret)
