"""HTTP routes of the organisation domain: agencies (N2), the N1 catalogue, subscriptions, demand (N3)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.ipam.access import PathId, Reader, Writer
from services.ipam.organisation import service
from services.ipam.organisation.models import ServiceCategory
from services.ipam.organisation.schemas import (
    AgencyCreate,
    AgencyPublic,
    AgencyUpdate,
    DemandPublic,
    DemandUpsert,
    ServiceCreate,
    ServicePublic,
    ServiceUpdate,
    SubscriptionCreate,
    SubscriptionPublic,
)
from services.ipam.params import IdQ, TextQ
from shared.db import SessionDep
from shared.pagination import Page, PageParams

router = APIRouter(prefix="/api/v1/ipam", tags=["ipam"])


def _agency(a: object) -> AgencyPublic:
    return AgencyPublic.model_validate(a, from_attributes=True)


# -- agencies --------------------------------------------------------------------------------------
@router.get("/agencies", response_model=Page[AgencyPublic], summary="List user agencies (N2)")
def list_agencies(
    session: SessionDep, _p: Reader, paging: PageParams, level: TextQ = None, parent_id: IdQ = None,
    access_level: TextQ = None, q: TextQ = None,
) -> Page[AgencyPublic]:
    rows, count = service.list_agencies(session=session, level=level, parent_id=parent_id, q=q, access_level=access_level, paging=paging)
    return Page[AgencyPublic].of(paging, results=[_agency(r) for r in rows], count=count)


@router.post("/agencies", status_code=201, response_model=AgencyPublic, summary="Create a user agency")
def create_agency(data: AgencyCreate, session: SessionDep, principal: Writer) -> AgencyPublic:
    return _agency(service.create_agency(session=session, principal=principal, data=data))


@router.get("/agencies/{agency_id}", response_model=AgencyPublic)
def get_agency(agency_id: PathId, session: SessionDep, _p: Reader) -> AgencyPublic:
    return _agency(service.get_agency(session=session, agency_id=agency_id))


@router.patch("/agencies/{agency_id}", response_model=AgencyPublic)
def update_agency(agency_id: PathId, data: AgencyUpdate, session: SessionDep, principal: Writer) -> AgencyPublic:
    return _agency(service.update_agency(session=session, principal=principal, agency_id=agency_id, data=data))


@router.delete("/agencies/{agency_id}", status_code=204)
def delete_agency(agency_id: PathId, session: SessionDep, principal: Writer) -> Response:
    service.delete_agency(session=session, principal=principal, agency_id=agency_id)
    return Response(status_code=204)


# -- catalogue (N1) -----------------------------------------------------------------------------------
def _catalogue_routes(path: str, category: ServiceCategory) -> None:
    def out(item: object) -> ServicePublic:
        return ServicePublic.model_validate(item, from_attributes=True)

    @router.get(f"/{path}", response_model=Page[ServicePublic], summary=f"List the N1 catalogue: {category.value} entries", name=f"list_{path}")
    def list_items(session: SessionDep, _p: Reader, paging: PageParams) -> Page[ServicePublic]:
        rows, count = service.list_services(session=session, category=category, paging=paging)
        return Page[ServicePublic].of(paging, results=[out(r) for r in rows], count=count)

    @router.post(f"/{path}", status_code=201, response_model=ServicePublic, name=f"create_{path}")
    def create_item(data: ServiceCreate, session: SessionDep, principal: Writer) -> ServicePublic:
        return out(service.create_service(session=session, principal=principal, category=category, data=data))

    @router.get(f"/{path}/{{item_id}}", response_model=ServicePublic, name=f"get_{path}")
    def get_item(item_id: PathId, session: SessionDep, _p: Reader) -> ServicePublic:
        return out(service.get_service(session=session, service_id=item_id, category=category))

    @router.patch(f"/{path}/{{item_id}}", response_model=ServicePublic, name=f"update_{path}")
    def update_item(item_id: PathId, data: ServiceUpdate, session: SessionDep, principal: Writer) -> ServicePublic:
        return out(service.update_service(session=session, principal=principal, service_id=item_id, category=category, data=data))

    @router.delete(f"/{path}/{{item_id}}", status_code=204, name=f"delete_{path}")
    def delete_item(item_id: PathId, session: SessionDep, principal: Writer) -> Response:
        service.delete_service(session=session, principal=principal, service_id=item_id, category=category)
        return Response(status_code=204)


_catalogue_routes("network-services", ServiceCategory.network)
_catalogue_routes("applications", ServiceCategory.application)


# -- subscriptions and demand -------------------------------------------------------------------------
@router.get("/subscriptions", response_model=Page[SubscriptionPublic], summary="Which agency uses which service")
def list_subscriptions(
    session: SessionDep, principal: Reader, paging: PageParams, agency_id: IdQ = None, service_id: IdQ = None,
) -> Page[SubscriptionPublic]:
    rows, count = service.list_subscriptions(session=session, principal=principal, agency_id=agency_id, service_id=service_id, paging=paging)
    return Page[SubscriptionPublic].of(paging, results=[SubscriptionPublic.model_validate(r, from_attributes=True) for r in rows], count=count)


@router.post("/subscriptions", status_code=201, response_model=SubscriptionPublic)
def create_subscription(data: SubscriptionCreate, session: SessionDep, principal: Writer) -> SubscriptionPublic:
    return SubscriptionPublic.model_validate(service.create_subscription(session=session, principal=principal, data=data), from_attributes=True)


@router.delete("/subscriptions/{subscription_id}", status_code=204)
def delete_subscription(subscription_id: PathId, session: SessionDep, principal: Writer) -> Response:
    service.delete_subscription(session=session, principal=principal, subscription_id=subscription_id)
    return Response(status_code=204)


@router.get("/demands", response_model=Page[DemandPublic], summary="Declared yearly demand per agency (N3)")
def list_demands(
    session: SessionDep, principal: Reader, paging: PageParams, agency_id: IdQ = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Page[DemandPublic]:
    rows, count = service.list_demands(session=session, principal=principal, agency_id=agency_id, year=year, paging=paging)
    return Page[DemandPublic].of(paging, results=[DemandPublic.model_validate(r, from_attributes=True) for r in rows], count=count)


@router.put("/demands", response_model=DemandPublic, summary="Declare an agency's demand for a year")
def upsert_demand(data: DemandUpsert, session: SessionDep, principal: Writer) -> DemandPublic:
    return DemandPublic.model_validate(service.upsert_demand(session=session, principal=principal, data=data), from_attributes=True)
