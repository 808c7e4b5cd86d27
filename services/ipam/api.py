"""HTTP routes of the ipam service (NetBox vocabulary: VRF, prefix, status, available-prefixes/-ips)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.ipam import importer, reports
from services.ipam import service as svc
from services.ipam.models import IpAddress, Prefix, ServiceCategory
from services.ipam.netmath import Net
from services.ipam.schemas import (
    AddressCreate,
    AddressPublic,
    AddressRequest,
    AddressUpdate,
    AgencyCreate,
    AgencyPublic,
    AgencyUpdate,
    ChangePublic,
    DemandPublic,
    DemandUpsert,
    PrefixCreate,
    PrefixPublic,
    PrefixRequest,
    PrefixUpdate,
    ServiceCreate,
    ServicePublic,
    ServiceUpdate,
    SubscriptionCreate,
    SubscriptionPublic,
    VrfCreate,
    VrfPublic,
)
from shared.auth import Principal, require_scopes
from shared.db import SessionDep

router = APIRouter(prefix="/api/v1/ipam", tags=["ipam"])

Reader = Annotated[Principal, require_scopes("ipam:read")]
Writer = Annotated[Principal, require_scopes("ipam:write")]
Limit = Annotated[int, Query(ge=1, description="Page size (capped at the service's max_page_size)")]
Offset = Annotated[int, Query(ge=0)]


def _limit(request: Request, limit: int | None) -> int:
    cap: int = request.app.state.settings.max_page_size
    return min(limit or 50, cap)


def _page(request: Request, rows: list[Any], count: int, limit: int, offset: int) -> dict[str, Any]:
    nxt = str(request.url.include_query_params(limit=limit, offset=offset + limit)) if offset + limit < count else None
    prev = str(request.url.include_query_params(limit=limit, offset=max(0, offset - limit))) if offset > 0 else None
    return {"count": count, "next": nxt, "previous": prev, "results": rows}


def _actor(principal: Principal) -> svc.Actor:
    return svc.Actor.of(principal.sub)


def _prefix_out(p: Prefix, util: dict[int, float]) -> dict[str, Any]:
    return PrefixPublic.model_validate({**p.model_dump(), "utilization": util.get(p.id or 0, 0.0)}).model_dump(mode="json")


def _prefixes_out(session: SessionDep, rows: list[Prefix]) -> list[dict[str, Any]]:
    util = svc.utilization_of(session, rows)
    return [_prefix_out(p, util) for p in rows]


def _address_out(a: IpAddress) -> dict[str, Any]:
    return AddressPublic.model_validate(a.model_dump()).model_dump(mode="json")


# -- agencies --------------------------------------------------------------------------------------
@router.get("/agencies", summary="List user agencies (N2)")
def list_agencies(
    request: Request, session: SessionDep, _p: Reader, level: str | None = None, parent_id: int | None = None,
    access_level: str | None = None, q: str | None = None, limit: Limit | None = None, offset: Offset = 0,
) -> dict[str, Any]:
    lim = _limit(request, limit)
    rows, count = svc.list_agencies(session, level=level, parent_id=parent_id, q=q, access_level=access_level, limit=lim, offset=offset)
    return _page(request, [AgencyPublic.model_validate(r.model_dump()) for r in rows], count, lim, offset)


@router.post("/agencies", status_code=201, response_model=AgencyPublic, summary="Create a user agency")
def create_agency(data: AgencyCreate, session: SessionDep, principal: Writer) -> Any:
    return svc.create_agency(session, actor=_actor(principal), data=data).model_dump()


@router.get("/agencies/{agency_id}", response_model=AgencyPublic)
def get_agency(agency_id: int, session: SessionDep, _p: Reader) -> Any:
    return svc.get_agency(session, agency_id=agency_id).model_dump()


@router.patch("/agencies/{agency_id}", response_model=AgencyPublic)
def update_agency(agency_id: int, data: AgencyUpdate, session: SessionDep, principal: Writer) -> Any:
    return svc.update_agency(session, actor=_actor(principal), agency_id=agency_id, data=data).model_dump()


@router.delete("/agencies/{agency_id}", status_code=204)
def delete_agency(agency_id: int, session: SessionDep, principal: Writer) -> Response:
    svc.delete_agency(session, actor=_actor(principal), agency_id=agency_id)
    return Response(status_code=204)


# -- catalogue (N1) -----------------------------------------------------------------------------------
def _catalogue_routes(path: str, category: ServiceCategory) -> None:
    @router.get(f"/{path}", summary=f"List the N1 catalogue: {category.value} entries", name=f"list_{path}")
    def list_items(request: Request, session: SessionDep, _p: Reader, limit: Limit | None = None, offset: Offset = 0) -> dict[str, Any]:
        lim = _limit(request, limit)
        rows, count = svc.list_services(session, category=category, limit=lim, offset=offset)
        return _page(request, [ServicePublic.model_validate(r.model_dump()) for r in rows], count, lim, offset)

    @router.post(f"/{path}", status_code=201, response_model=ServicePublic, name=f"create_{path}")
    def create_item(data: ServiceCreate, session: SessionDep, principal: Writer) -> Any:
        return svc.create_service(session, actor=_actor(principal), category=category, data=data).model_dump()

    @router.get(f"/{path}/{{item_id}}", response_model=ServicePublic, name=f"get_{path}")
    def get_item(item_id: int, session: SessionDep, _p: Reader) -> Any:
        return svc.get_service(session, service_id=item_id, category=category).model_dump()

    @router.patch(f"/{path}/{{item_id}}", response_model=ServicePublic, name=f"update_{path}")
    def update_item(item_id: int, data: ServiceUpdate, session: SessionDep, principal: Writer) -> Any:
        return svc.update_service(session, actor=_actor(principal), service_id=item_id, category=category, data=data).model_dump()

    @router.delete(f"/{path}/{{item_id}}", status_code=204, name=f"delete_{path}")
    def delete_item(item_id: int, session: SessionDep, principal: Writer) -> Response:
        svc.delete_service(session, actor=_actor(principal), service_id=item_id, category=category)
        return Response(status_code=204)


_catalogue_routes("network-services", ServiceCategory.network)
_catalogue_routes("applications", ServiceCategory.application)


@router.get("/subscriptions", summary="Which agency uses which service")
def list_subscriptions(
    request: Request, session: SessionDep, _p: Reader, agency_id: int | None = None, service_id: int | None = None,
    limit: Limit | None = None, offset: Offset = 0,
) -> dict[str, Any]:
    lim = _limit(request, limit)
    rows, count = svc.list_subscriptions(session, agency_id=agency_id, service_id=service_id, limit=lim, offset=offset)
    return _page(request, [SubscriptionPublic.model_validate(r.model_dump()) for r in rows], count, lim, offset)


@router.post("/subscriptions", status_code=201, response_model=SubscriptionPublic)
def create_subscription(data: SubscriptionCreate, session: SessionDep, principal: Writer) -> Any:
    return svc.create_subscription(session, actor=_actor(principal), data=data).model_dump()


@router.delete("/subscriptions/{subscription_id}", status_code=204)
def delete_subscription(subscription_id: int, session: SessionDep, principal: Writer) -> Response:
    svc.delete_subscription(session, actor=_actor(principal), subscription_id=subscription_id)
    return Response(status_code=204)


@router.get("/demands", summary="Declared yearly demand per agency (N3)")
def list_demands(
    request: Request, session: SessionDep, _p: Reader, agency_id: int | None = None, year: int | None = None,
    limit: Limit | None = None, offset: Offset = 0,
) -> dict[str, Any]:
    lim = _limit(request, limit)
    rows, count = svc.list_demands(session, agency_id=agency_id, year=year, limit=lim, offset=offset)
    return _page(request, [DemandPublic.model_validate(r.model_dump()) for r in rows], count, lim, offset)


@router.put("/demands", response_model=DemandPublic, summary="Declare an agency's demand for a year")
def upsert_demand(data: DemandUpsert, session: SessionDep, principal: Writer) -> Any:
    return svc.upsert_demand(session, actor=_actor(principal), data=data).model_dump()


# -- vrfs --------------------------------------------------------------------------------------------
@router.get("/vrfs")
def list_vrfs(request: Request, session: SessionDep, _p: Reader, limit: Limit | None = None, offset: Offset = 0) -> dict[str, Any]:
    lim = _limit(request, limit)
    rows, count = svc.list_vrfs(session, limit=lim, offset=offset)
    return _page(request, [VrfPublic.model_validate(r.model_dump()) for r in rows], count, lim, offset)


@router.post("/vrfs", status_code=201, response_model=VrfPublic)
def create_vrf(data: VrfCreate, session: SessionDep, principal: Writer) -> Any:
    return svc.create_vrf(session, actor=_actor(principal), data=data).model_dump()


@router.get("/vrfs/{vrf_id}", response_model=VrfPublic)
def get_vrf(vrf_id: int, session: SessionDep, _p: Reader) -> Any:
    return svc.get_vrf(session, vrf_id=vrf_id).model_dump()


@router.delete("/vrfs/{vrf_id}", status_code=204)
def delete_vrf(vrf_id: int, session: SessionDep, principal: Writer) -> Response:
    svc.delete_vrf(session, actor=_actor(principal), vrf_id=vrf_id)
    return Response(status_code=204)


# -- prefixes ----------------------------------------------------------------------------------------
@router.get("/prefixes", summary="List prefixes (with utilization %)")
def list_prefixes(
    request: Request, session: SessionDep, _p: Reader, vrf_id: int | None = None, family: Literal[4, 6] | None = None,
    kind: str | None = None, status: str | None = None, agency_id: int | None = None, service_id: int | None = None,
    parent_id: int | None = None, within: str | None = None, q: str | None = None, limit: Limit | None = None, offset: Offset = 0,
) -> dict[str, Any]:
    lim = _limit(request, limit)
    rows, count = svc.list_prefixes(
        session, vrf_id=vrf_id, family=family, kind=kind, status=status, agency_id=agency_id, service_id=service_id,
        parent_id=parent_id, within=within, q=q, limit=lim, offset=offset,
    )
    return _page(request, _prefixes_out(session, rows), count, lim, offset)


@router.post("/prefixes", status_code=201, response_model=PrefixPublic, summary="Create a container, pool or allocation")
def create_prefix(data: PrefixCreate, session: SessionDep, principal: Writer) -> Any:
    return _prefixes_out(session, [svc.create_prefix(session, actor=_actor(principal), data=data)])[0]


@router.get("/prefixes/{prefix_id}", response_model=PrefixPublic)
def get_prefix(prefix_id: int, session: SessionDep, _p: Reader) -> Any:
    return _prefixes_out(session, [svc.get_prefix(session, prefix_id=prefix_id)])[0]


@router.patch("/prefixes/{prefix_id}", response_model=PrefixPublic)
def update_prefix(prefix_id: int, data: PrefixUpdate, session: SessionDep, principal: Writer) -> Any:
    return _prefixes_out(session, [svc.update_prefix(session, actor=_actor(principal), prefix_id=prefix_id, data=data)])[0]


@router.delete("/prefixes/{prefix_id}", status_code=204, summary="Release a prefix")
def release_prefix(prefix_id: int, session: SessionDep, principal: Writer) -> Response:
    svc.release_prefix(session, actor=_actor(principal), prefix_id=prefix_id)
    return Response(status_code=204)


def _net_out(n: Net, vrf_id: int | None) -> dict[str, Any]:
    return {"prefix": n.cidr, "family": n.family, "prefix_length": n.length, "vrf_id": vrf_id}


@router.get("/prefixes/{prefix_id}/available-prefixes", summary="Free space as aligned CIDR blocks")
def available_prefixes(request: Request, prefix_id: int, session: SessionDep, _p: Reader, limit: Limit | None = None) -> list[dict[str, Any]]:
    parent = svc.get_prefix(session, prefix_id=prefix_id)
    return [_net_out(n, parent.vrf_id) for n in svc.available_prefixes(session, prefix_id=prefix_id, limit=_limit(request, limit))]


@router.post("/prefixes/{prefix_id}/available-prefixes", status_code=201, response_model=PrefixPublic, summary="Allocate the first free block of a length")
def allocate_prefix(prefix_id: int, data: PrefixRequest, session: SessionDep, principal: Writer) -> Any:
    return _prefixes_out(session, [svc.allocate_next_prefix(session, actor=_actor(principal), prefix_id=prefix_id, data=data)])[0]


@router.get("/prefixes/{prefix_id}/available-ips", summary="The first free addresses")
def available_ips(request: Request, prefix_id: int, session: SessionDep, _p: Reader, limit: Limit | None = None) -> list[dict[str, Any]]:
    parent = svc.get_prefix(session, prefix_id=prefix_id)
    return [{"address": a, "family": parent.family, "vrf_id": parent.vrf_id} for a in svc.available_ips(session, prefix_id=prefix_id, limit=_limit(request, limit))]


@router.post("/prefixes/{prefix_id}/available-ips", status_code=201, summary="Assign the next free addresses")
def assign_ips(prefix_id: int, data: AddressRequest, session: SessionDep, principal: Writer) -> list[dict[str, Any]]:
    return [_address_out(a) for a in svc.assign_next_addresses(session, actor=_actor(principal), prefix_id=prefix_id, data=data)]


# -- addresses ---------------------------------------------------------------------------------------
@router.get("/ip-addresses")
def list_addresses(
    request: Request, session: SessionDep, _p: Reader, vrf_id: int | None = None, prefix_id: int | None = None,
    status: str | None = None, assigned_object_type: str | None = None, assigned_object_id: str | None = None,
    q: str | None = None, limit: Limit | None = None, offset: Offset = 0,
) -> dict[str, Any]:
    lim = _limit(request, limit)
    rows, count = svc.list_addresses(
        session, vrf_id=vrf_id, prefix_id=prefix_id, status=status, assigned_object_type=assigned_object_type,
        assigned_object_id=assigned_object_id, q=q, limit=lim, offset=offset,
    )
    return _page(request, [_address_out(a) for a in rows], count, lim, offset)


@router.post("/ip-addresses", status_code=201, response_model=AddressPublic)
def create_address(data: AddressCreate, session: SessionDep, principal: Writer) -> Any:
    return _address_out(svc.create_address(session, actor=_actor(principal), data=data))


@router.get("/ip-addresses/{address_id}", response_model=AddressPublic)
def get_address(address_id: int, session: SessionDep, _p: Reader) -> Any:
    return _address_out(svc.get_address(session, address_id=address_id))


@router.patch("/ip-addresses/{address_id}", response_model=AddressPublic)
def update_address(address_id: int, data: AddressUpdate, session: SessionDep, principal: Writer) -> Any:
    return _address_out(svc.update_address(session, actor=_actor(principal), address_id=address_id, data=data))


@router.delete("/ip-addresses/{address_id}", status_code=204, summary="Release an address")
def release_address(address_id: int, session: SessionDep, principal: Writer) -> Response:
    svc.release_address(session, actor=_actor(principal), address_id=address_id)
    return Response(status_code=204)


# -- lookup, utilization, changes ----------------------------------------------------------------------
@router.get("/lookup", summary="Prefixes containing an address, its allocation and its record")
def lookup(address: str, session: SessionDep, _p: Reader, vrf_id: int | None = None) -> dict[str, Any]:
    found = svc.lookup(session, address=address, vrf_id=vrf_id)
    util = svc.utilization_of(session, found["chain"])
    return {
        "address": found["address"],
        "vrf_id": found["vrf_id"],
        "chain": [_prefix_out(p, util) for p in found["chain"]],
        "allocation": _prefix_out(found["allocation"], util) if found["allocation"] else None,
        "ip_address": _address_out(found["ip_address"]) if found["ip_address"] else None,
    }


@router.get("/utilization", summary="Allocated and used space per agency or service")
def utilization(session: SessionDep, _p: Reader, group_by: Literal["agency", "service"] = "agency") -> dict[str, Any]:
    return {"group_by": group_by, "results": svc.utilization_rollup(session, group_by=group_by)}


@router.get("/changes", summary="The change log (kept at least two years)")
def list_changes(
    request: Request, session: SessionDep, _p: Reader, object_type: str | None = None, object_id: int | None = None,
    actor: str | None = None, since: datetime | None = None, until: datetime | None = None,
    limit: Limit | None = None, offset: Offset = 0,
) -> dict[str, Any]:
    lim = _limit(request, limit)
    rows, count = svc.list_changes(session, object_type=object_type, object_id=object_id, actor=actor, since=since, until=until, limit=lim, offset=offset)
    return _page(request, [ChangePublic.model_validate(r.model_dump()) for r in rows], count, lim, offset)


# -- import / export -------------------------------------------------------------------------------------
@router.post("/import", summary="Import prefixes from NetBox-style CSV (all or nothing)")
async def import_csv(request: Request, session: SessionDep, principal: Writer) -> JSONResponse:
    body = (await request.body()).decode("utf-8-sig", errors="replace")
    max_rows: int = request.app.state.settings.max_import_rows
    result = importer.import_prefixes_csv(session, actor=_actor(principal), text=body, max_rows=max_rows)
    return JSONResponse(result, status_code=201)


@router.get("/export", summary="Export prefixes as NetBox-style CSV")
def export_csv(session: SessionDep, _p: Reader, vrf_id: int | None = None) -> Response:
    return Response(importer.export_prefixes_csv(session, vrf_id=vrf_id), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="prefixes.csv"'})


# -- reports -------------------------------------------------------------------------------------------
Format = Literal["json", "csv", "xlsx"]


@router.get("/reports/annual-review", summary="Yearly review of level-II IP usage (N7)")
def annual_review(request: Request, session: SessionDep, _p: Reader, year: int = Query(ge=2000, le=2100), format: Format = "json") -> Response:
    report = reports.annual_review(session, year=year, rules=reports.rules_from(request.app.state.settings))
    return reports.render(report, format)


@router.get("/reports/technical-info", summary="Technical information for Cục BĐTW, form Mẫu 01 (N3)")
def technical_info(
    request: Request, session: SessionDep, _p: Reader, year: int = Query(ge=2000, le=2100), agency_id: int | None = None, format: Format = "json",
) -> Response:
    report = reports.technical_info(session, year=year, agency_id=agency_id, rules=reports.rules_from(request.app.state.settings))
    return reports.render(report, format)
