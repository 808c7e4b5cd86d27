"""HTTP routes of the ipam service (NetBox vocabulary: VRF, prefix, status, available-prefixes/-ips).

Every route that loads a prefix or an address by id does so through a ``Current*``/``Writable*``
dependency, and every list passes the caller's :class:`~services.ipam.access.Scope`, so the
object-level rule of ``access.py`` cannot be forgotten. Heavy work (CSV import, XLSX) runs in
plain ``def`` routes, which FastAPI runs in its thread pool, never on the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from services.ipam import access, importer, reports
from services.ipam import service as svc
from services.ipam.access import Scope
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
    FreeAddress,
    FreePrefix,
    ImportResult,
    Lookup,
    Page,
    PrefixCreate,
    PrefixPublic,
    PrefixRequest,
    PrefixUpdate,
    ServiceCreate,
    ServicePublic,
    ServiceUpdate,
    SubscriptionCreate,
    SubscriptionPublic,
    Utilization,
    VrfCreate,
    VrfPublic,
)
from shared.auth import Principal, require_scopes
from shared.db import SessionDep
from shared.errors import InvalidInput
from shared.exports import XLSX_MEDIA_TYPE
from shared.types import MAX_ID, Id, Offset, Text

router = APIRouter(prefix="/api/v1/ipam", tags=["ipam"])

Reader = Annotated[Principal, require_scopes("ipam:read")]
Writer = Annotated[Principal, require_scopes("ipam:write")]
Limit = Annotated[int, Query(ge=1, le=MAX_ID, description="Page size (capped at the service's max_page_size)")]
OffsetQ = Annotated[Offset, Query()]
IdQ = Annotated[Id | None, Query()]
Family = Annotated[int | None, Query(ge=4, le=6, description="4 or 6")]
#: a free-text filter: no control characters (PostgreSQL refuses NUL even in a comparison)
TextQ = Annotated[Text | None, Query(max_length=300)]


@dataclass(frozen=True)
class Caller:
    """The verified caller and the agencies it acts for."""

    principal: Principal
    scope: Scope

    @property
    def actor(self) -> svc.Actor:
        return svc.Actor.of(self.principal.sub)


def _reader(principal: Reader, session: SessionDep) -> Caller:
    return Caller(principal, access.scope_of(session, principal))


def _writer(principal: Writer, session: SessionDep) -> Caller:
    return Caller(principal, access.scope_of(session, principal))


ReadCaller = Annotated[Caller, Depends(_reader)]
WriteCaller = Annotated[Caller, Depends(_writer)]


# -- objects loaded by id, through the caller's scope (another agency's object is a 404) -----------
def _current_prefix(prefix_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, caller: ReadCaller) -> Prefix:
    return svc.get_prefix(session, prefix_id=prefix_id, scope=caller.scope)


def _writable_prefix(prefix_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, caller: WriteCaller) -> Prefix:
    return svc.get_prefix(session, prefix_id=prefix_id, scope=caller.scope)


def _current_address(address_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, caller: ReadCaller) -> IpAddress:
    return svc.get_address(session, address_id=address_id, scope=caller.scope)


def _writable_address(address_id: Annotated[int, Path(ge=1, le=MAX_ID)], session: SessionDep, caller: WriteCaller) -> IpAddress:
    return svc.get_address(session, address_id=address_id, scope=caller.scope)


CurrentPrefix = Annotated[Prefix, Depends(_current_prefix)]
WritablePrefix = Annotated[Prefix, Depends(_writable_prefix)]
CurrentAddress = Annotated[IpAddress, Depends(_current_address)]
WritableAddress = Annotated[IpAddress, Depends(_writable_address)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _limit(request: Request, limit: int | None) -> int:
    cap: int = request.app.state.settings.max_page_size
    return min(limit or 50, cap)


def _page(request: Request, rows: list[Any], count: int, limit: int, offset: int) -> dict[str, Any]:
    nxt = str(request.url.include_query_params(limit=limit, offset=offset + limit)) if offset + limit < count else None
    prev = str(request.url.include_query_params(limit=limit, offset=max(0, offset - limit))) if offset > 0 else None
    return {"count": count, "next": nxt, "previous": prev, "results": rows}


def _prefix_out(p: Prefix, util: dict[int, float]) -> dict[str, Any]:
    return PrefixPublic.model_validate({**p.model_dump(), "utilization": util.get(p.id or 0, 0.0)}).model_dump(mode="json")


def _prefixes_out(session: SessionDep, rows: list[Prefix]) -> list[dict[str, Any]]:
    util = svc.utilization_of(session, rows)
    return [_prefix_out(p, util) for p in rows]


def _address_out(a: IpAddress) -> dict[str, Any]:
    return AddressPublic.model_validate(a.model_dump()).model_dump(mode="json")


# -- agencies --------------------------------------------------------------------------------------
@router.get("/agencies", response_model=Page[AgencyPublic], summary="List user agencies (N2)")
def list_agencies(
    request: Request, session: SessionDep, _p: Reader, level: TextQ = None, parent_id: IdQ = None,
    access_level: TextQ = None, q: TextQ = None, limit: Limit | None = None, offset: OffsetQ = 0,
) -> Any:
    lim = _limit(request, limit)
    rows, count = svc.list_agencies(session, level=level, parent_id=parent_id, q=q, access_level=access_level, limit=lim, offset=offset)
    return _page(request, [AgencyPublic.model_validate(r.model_dump()) for r in rows], count, lim, offset)


@router.post("/agencies", status_code=201, response_model=AgencyPublic, summary="Create a user agency")
def create_agency(data: AgencyCreate, session: SessionDep, caller: WriteCaller) -> Any:
    return svc.create_agency(session, actor=caller.actor, data=data, scope=caller.scope).model_dump()


@router.get("/agencies/{agency_id}", response_model=AgencyPublic)
def get_agency(agency_id: PathId, session: SessionDep, _p: Reader) -> Any:
    return svc.get_agency(session, agency_id=agency_id).model_dump()


@router.patch("/agencies/{agency_id}", response_model=AgencyPublic)
def update_agency(agency_id: PathId, data: AgencyUpdate, session: SessionDep, caller: WriteCaller) -> Any:
    return svc.update_agency(session, actor=caller.actor, agency_id=agency_id, data=data, scope=caller.scope).model_dump()


@router.delete("/agencies/{agency_id}", status_code=204)
def delete_agency(agency_id: PathId, session: SessionDep, caller: WriteCaller) -> Response:
    svc.delete_agency(session, actor=caller.actor, agency_id=agency_id, scope=caller.scope)
    return Response(status_code=204)


# -- catalogue (N1) -----------------------------------------------------------------------------------
def _catalogue_routes(path: str, category: ServiceCategory) -> None:
    @router.get(f"/{path}", response_model=Page[ServicePublic], summary=f"List the N1 catalogue: {category.value} entries", name=f"list_{path}")
    def list_items(request: Request, session: SessionDep, _p: Reader, limit: Limit | None = None, offset: OffsetQ = 0) -> Any:
        lim = _limit(request, limit)
        rows, count = svc.list_services(session, category=category, limit=lim, offset=offset)
        return _page(request, [ServicePublic.model_validate(r.model_dump()) for r in rows], count, lim, offset)

    @router.post(f"/{path}", status_code=201, response_model=ServicePublic, name=f"create_{path}")
    def create_item(data: ServiceCreate, session: SessionDep, caller: WriteCaller) -> Any:
        return svc.create_service(session, actor=caller.actor, category=category, data=data).model_dump()

    @router.get(f"/{path}/{{item_id}}", response_model=ServicePublic, name=f"get_{path}")
    def get_item(item_id: PathId, session: SessionDep, _p: Reader) -> Any:
        return svc.get_service(session, service_id=item_id, category=category).model_dump()

    @router.patch(f"/{path}/{{item_id}}", response_model=ServicePublic, name=f"update_{path}")
    def update_item(item_id: PathId, data: ServiceUpdate, session: SessionDep, caller: WriteCaller) -> Any:
        return svc.update_service(session, actor=caller.actor, service_id=item_id, category=category, data=data).model_dump()

    @router.delete(f"/{path}/{{item_id}}", status_code=204, name=f"delete_{path}")
    def delete_item(item_id: PathId, session: SessionDep, caller: WriteCaller) -> Response:
        svc.delete_service(session, actor=caller.actor, service_id=item_id, category=category)
        return Response(status_code=204)


_catalogue_routes("network-services", ServiceCategory.network)
_catalogue_routes("applications", ServiceCategory.application)


@router.get("/subscriptions", response_model=Page[SubscriptionPublic], summary="Which agency uses which service")
def list_subscriptions(
    request: Request, session: SessionDep, caller: ReadCaller, agency_id: IdQ = None, service_id: IdQ = None,
    limit: Limit | None = None, offset: OffsetQ = 0,
) -> Any:
    lim = _limit(request, limit)
    rows, count = svc.list_subscriptions(session, agency_id=agency_id, service_id=service_id, limit=lim, offset=offset, scope=caller.scope)
    return _page(request, [SubscriptionPublic.model_validate(r.model_dump()) for r in rows], count, lim, offset)


@router.post("/subscriptions", status_code=201, response_model=SubscriptionPublic)
def create_subscription(data: SubscriptionCreate, session: SessionDep, caller: WriteCaller) -> Any:
    return svc.create_subscription(session, actor=caller.actor, data=data, scope=caller.scope).model_dump()


@router.delete("/subscriptions/{subscription_id}", status_code=204)
def delete_subscription(subscription_id: PathId, session: SessionDep, caller: WriteCaller) -> Response:
    svc.delete_subscription(session, actor=caller.actor, subscription_id=subscription_id, scope=caller.scope)
    return Response(status_code=204)


@router.get("/demands", response_model=Page[DemandPublic], summary="Declared yearly demand per agency (N3)")
def list_demands(
    request: Request, session: SessionDep, caller: ReadCaller, agency_id: IdQ = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None, limit: Limit | None = None, offset: OffsetQ = 0,
) -> Any:
    lim = _limit(request, limit)
    rows, count = svc.list_demands(session, agency_id=agency_id, year=year, limit=lim, offset=offset, scope=caller.scope)
    return _page(request, [DemandPublic.model_validate(r.model_dump()) for r in rows], count, lim, offset)


@router.put("/demands", response_model=DemandPublic, summary="Declare an agency's demand for a year")
def upsert_demand(data: DemandUpsert, session: SessionDep, caller: WriteCaller) -> Any:
    return svc.upsert_demand(session, actor=caller.actor, data=data, scope=caller.scope).model_dump()


# -- vrfs --------------------------------------------------------------------------------------------
@router.get("/vrfs", response_model=Page[VrfPublic])
def list_vrfs(request: Request, session: SessionDep, _p: Reader, limit: Limit | None = None, offset: OffsetQ = 0) -> Any:
    lim = _limit(request, limit)
    rows, count = svc.list_vrfs(session, limit=lim, offset=offset)
    return _page(request, [VrfPublic.model_validate(r.model_dump()) for r in rows], count, lim, offset)


@router.post("/vrfs", status_code=201, response_model=VrfPublic)
def create_vrf(data: VrfCreate, session: SessionDep, caller: WriteCaller) -> Any:
    return svc.create_vrf(session, actor=caller.actor, data=data).model_dump()


@router.get("/vrfs/{vrf_id}", response_model=VrfPublic)
def get_vrf(vrf_id: PathId, session: SessionDep, _p: Reader) -> Any:
    return svc.get_vrf(session, vrf_id=vrf_id).model_dump()


@router.delete("/vrfs/{vrf_id}", status_code=204)
def delete_vrf(vrf_id: PathId, session: SessionDep, caller: WriteCaller) -> Response:
    svc.delete_vrf(session, actor=caller.actor, vrf_id=vrf_id)
    return Response(status_code=204)


# -- prefixes ----------------------------------------------------------------------------------------
@router.get("/prefixes", response_model=Page[PrefixPublic], summary="List prefixes (with utilization %)")
def list_prefixes(
    request: Request, session: SessionDep, caller: ReadCaller, vrf_id: IdQ = None, family: Family = None,
    kind: TextQ = None, status: TextQ = None, agency_id: IdQ = None, service_id: IdQ = None,
    parent_id: IdQ = None, within: TextQ = None, q: TextQ = None, limit: Limit | None = None, offset: OffsetQ = 0,
) -> Any:
    if family not in (None, 4, 6):
        raise InvalidInput("family must be 4 or 6.", errors=[{"field": "family", "message": "4 or 6"}])
    lim = _limit(request, limit)
    rows, count = svc.list_prefixes(
        session, vrf_id=vrf_id, family=family, kind=kind, status=status, agency_id=agency_id, service_id=service_id,
        parent_id=parent_id, within=within, q=q, limit=lim, offset=offset, scope=caller.scope,
    )
    return _page(request, _prefixes_out(session, rows), count, lim, offset)


@router.post("/prefixes", status_code=201, response_model=PrefixPublic, summary="Create a container, pool or allocation")
def create_prefix(data: PrefixCreate, session: SessionDep, caller: WriteCaller) -> Any:
    return _prefixes_out(session, [svc.create_prefix(session, actor=caller.actor, data=data, scope=caller.scope)])[0]


@router.get("/prefixes/{prefix_id}", response_model=PrefixPublic)
def get_prefix(prefix: CurrentPrefix, session: SessionDep) -> Any:
    return _prefixes_out(session, [prefix])[0]


@router.patch("/prefixes/{prefix_id}", response_model=PrefixPublic)
def update_prefix(prefix: WritablePrefix, data: PrefixUpdate, session: SessionDep, caller: WriteCaller) -> Any:
    updated = svc.update_prefix(session, actor=caller.actor, prefix_id=prefix.id or 0, data=data, scope=caller.scope)
    return _prefixes_out(session, [updated])[0]


@router.delete("/prefixes/{prefix_id}", status_code=204, summary="Release a prefix")
def release_prefix(prefix: WritablePrefix, session: SessionDep, caller: WriteCaller) -> Response:
    svc.release_prefix(session, actor=caller.actor, prefix_id=prefix.id or 0, scope=caller.scope)
    return Response(status_code=204)


def _net_out(n: Net, vrf_id: int | None) -> dict[str, Any]:
    return {"prefix": n.cidr, "family": n.family, "prefix_length": n.length, "vrf_id": vrf_id}


@router.get("/prefixes/{prefix_id}/available-prefixes", response_model=list[FreePrefix], summary="Free space as aligned CIDR blocks")
def available_prefixes(request: Request, parent: CurrentPrefix, session: SessionDep, caller: ReadCaller, limit: Limit | None = None) -> Any:
    nets = svc.available_prefixes(session, prefix_id=parent.id or 0, limit=_limit(request, limit), scope=caller.scope)
    return [_net_out(n, parent.vrf_id) for n in nets]


@router.post("/prefixes/{prefix_id}/available-prefixes", status_code=201, response_model=PrefixPublic, summary="Allocate the first free block of a length")
def allocate_prefix(parent: WritablePrefix, data: PrefixRequest, session: SessionDep, caller: WriteCaller) -> Any:
    made = svc.allocate_next_prefix(session, actor=caller.actor, prefix_id=parent.id or 0, data=data, scope=caller.scope)
    return _prefixes_out(session, [made])[0]


@router.get("/prefixes/{prefix_id}/available-ips", response_model=list[FreeAddress], summary="The first free addresses")
def available_ips(request: Request, parent: CurrentPrefix, session: SessionDep, caller: ReadCaller, limit: Limit | None = None) -> Any:
    free = svc.available_ips(session, prefix_id=parent.id or 0, limit=_limit(request, limit), scope=caller.scope)
    return [{"address": a, "family": parent.family, "vrf_id": parent.vrf_id} for a in free]


@router.post("/prefixes/{prefix_id}/available-ips", status_code=201, response_model=list[AddressPublic], summary="Assign the next free addresses")
def assign_ips(parent: WritablePrefix, data: AddressRequest, session: SessionDep, caller: WriteCaller) -> Any:
    made = svc.assign_next_addresses(session, actor=caller.actor, prefix_id=parent.id or 0, data=data, scope=caller.scope)
    return [_address_out(a) for a in made]


# -- addresses ---------------------------------------------------------------------------------------
@router.get("/ip-addresses", response_model=Page[AddressPublic])
def list_addresses(
    request: Request, session: SessionDep, caller: ReadCaller, vrf_id: IdQ = None, prefix_id: IdQ = None,
    status: TextQ = None, assigned_object_type: TextQ = None, assigned_object_id: TextQ = None,
    q: TextQ = None, limit: Limit | None = None, offset: OffsetQ = 0,
) -> Any:
    lim = _limit(request, limit)
    rows, count = svc.list_addresses(
        session, vrf_id=vrf_id, prefix_id=prefix_id, status=status, assigned_object_type=assigned_object_type,
        assigned_object_id=assigned_object_id, q=q, limit=lim, offset=offset, scope=caller.scope,
    )
    return _page(request, [_address_out(a) for a in rows], count, lim, offset)


@router.post("/ip-addresses", status_code=201, response_model=AddressPublic)
def create_address(data: AddressCreate, session: SessionDep, caller: WriteCaller) -> Any:
    return _address_out(svc.create_address(session, actor=caller.actor, data=data, scope=caller.scope))


@router.get("/ip-addresses/{address_id}", response_model=AddressPublic)
def get_address(address: CurrentAddress) -> Any:
    return _address_out(address)


@router.patch("/ip-addresses/{address_id}", response_model=AddressPublic)
def update_address(address: WritableAddress, data: AddressUpdate, session: SessionDep, caller: WriteCaller) -> Any:
    return _address_out(svc.update_address(session, actor=caller.actor, address_id=address.id or 0, data=data, scope=caller.scope))


@router.delete("/ip-addresses/{address_id}", status_code=204, summary="Release an address")
def release_address(address: WritableAddress, session: SessionDep, caller: WriteCaller) -> Response:
    svc.release_address(session, actor=caller.actor, address_id=address.id or 0, scope=caller.scope)
    return Response(status_code=204)


# -- lookup, utilization, changes ----------------------------------------------------------------------
@router.get("/lookup", response_model=Lookup, summary="Prefixes containing an address, its allocation and its record")
def lookup(address: Annotated[Text, Query(max_length=64)], session: SessionDep, caller: ReadCaller, vrf_id: IdQ = None) -> Any:
    found = svc.lookup(session, address=address, vrf_id=vrf_id, scope=caller.scope)
    util = svc.utilization_of(session, found["chain"])
    return {
        "address": found["address"],
        "vrf_id": found["vrf_id"],
        "chain": [_prefix_out(p, util) for p in found["chain"]],
        "allocation": _prefix_out(found["allocation"], util) if found["allocation"] else None,
        "ip_address": _address_out(found["ip_address"]) if found["ip_address"] else None,
    }


@router.get("/utilization", response_model=Utilization, response_model_exclude_unset=True, summary="Allocated and used space per agency or service")
def utilization(session: SessionDep, caller: ReadCaller, group_by: Literal["agency", "service"] = "agency") -> Any:
    return {"group_by": group_by, "results": svc.utilization_rollup(session, group_by=group_by, scope=caller.scope)}


@router.get("/changes", response_model=Page[ChangePublic], summary="The change log (kept at least two years)")
def list_changes(
    request: Request, session: SessionDep, caller: ReadCaller, object_type: TextQ = None, object_id: IdQ = None,
    actor: TextQ = None, since: datetime | None = None, until: datetime | None = None,
    limit: Limit | None = None, offset: OffsetQ = 0,
) -> Any:
    lim = _limit(request, limit)
    rows, count = svc.list_changes(
        session, object_type=object_type, object_id=object_id, actor=actor, since=since, until=until, limit=lim, offset=offset, scope=caller.scope,
    )
    return _page(request, [ChangePublic.model_validate(r.model_dump()) for r in rows], count, lim, offset)


# -- import / export -------------------------------------------------------------------------------------
async def _csv_body(request: Request) -> str:
    """The uploaded CSV text (read on the event loop: awaiting the body does not block it)."""
    return (await request.body()).decode("utf-8-sig", errors="replace")


_CSV_BODY_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "NetBox-style CSV, UTF-8 (a BOM is accepted), first line the header. Columns: "
        + ", ".join(importer.COLUMNS) + "; only `prefix` is required.",
        "content": {"text/csv": {"schema": {"type": "string"}, "example": "prefix,vrf,status,tenant,role,description\n10.20.0.0/16,,container,,,Khối tỉnh\n"}},
    },
}


# a plain def: FastAPI runs it in its thread pool, so a 200,000-row import does not stall other requests
@router.post("/import", status_code=201, response_model=ImportResult, openapi_extra=_CSV_BODY_DOC,
             summary="Import prefixes from NetBox-style CSV (all or nothing)")
def import_csv(request: Request, text: Annotated[str, Depends(_csv_body)], session: SessionDep, caller: WriteCaller) -> Any:
    max_rows: int = request.app.state.settings.max_import_rows
    return importer.import_prefixes_csv(session, actor=caller.actor, text=text, max_rows=max_rows, scope=caller.scope)


@router.get("/export", summary="Export prefixes as NetBox-style CSV", response_class=Response,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The prefixes you may see, as CSV"}})
def export_csv(session: SessionDep, caller: ReadCaller, vrf_id: IdQ = None) -> Response:
    return Response(importer.export_prefixes_csv(session, vrf_id=vrf_id, scope=caller.scope), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="prefixes.csv"'})


# -- reports -------------------------------------------------------------------------------------------
Format = Literal["json", "csv", "xlsx"]
Year = Annotated[int, Query(ge=2000, le=2100)]
_REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as JSON (title, columns, rows, sections), CSV or XLSX",
        "content": {
            "application/json": {"schema": {"type": "object", "additionalProperties": True}},
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    },
}


@router.get("/reports/annual-review", summary="Yearly review of level-II IP usage (N7)", responses=_REPORT_RESPONSES)
def annual_review(request: Request, session: SessionDep, caller: ReadCaller, year: Year, format: Format = "json") -> Response:
    report = reports.annual_review(session, year=year, rules=reports.rules_from(request.app.state.settings), scope=caller.scope)
    return reports.render(report, format)


@router.get("/reports/technical-info", summary="Technical information for Cục BĐTW, form Mẫu 01 (N3)", responses=_REPORT_RESPONSES)
def technical_info(
    request: Request, session: SessionDep, caller: ReadCaller, year: Year, agency_id: IdQ = None, format: Format = "json",
) -> Response:
    report = reports.technical_info(session, year=year, agency_id=agency_id, rules=reports.rules_from(request.app.state.settings), scope=caller.scope)
    return reports.render(report, format)
