"""HTTP routes of the addressing domain (NetBox vocabulary: VRF, prefix, status, available-prefixes/-ips).

Every route that loads a prefix or an address by id does so through a ``Current*``/``Writable*``
dependency of ``access.py``, and every list narrows to what the caller may read, so the
object-level rule cannot be forgotten.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from services.ipam.access import (
    CurrentAddress,
    CurrentPrefix,
    CurrentRange,
    PathId,
    Reader,
    WritableAddress,
    WritablePrefix,
    WritableRange,
    Writer,
)
from services.ipam.addressing import addresses, allocation, free_space, prefixes, ranges, usage, vrfs
from services.ipam.addressing.models import IpAddress, IpRange, Prefix
from services.ipam.addressing.schemas import (
    AddressCreate,
    AddressPublic,
    AddressRequest,
    AddressRequests,
    AddressUpdate,
    FreeAddress,
    FreePrefix,
    Lookup,
    PrefixCreate,
    PrefixPublic,
    PrefixRequest,
    PrefixRequests,
    PrefixUpdate,
    RangeCreate,
    RangePublic,
    RangeUpdate,
    Utilization,
    UtilizationRow,
    VrfCreate,
    VrfPublic,
)
from services.ipam.params import Family, IdQ, TextQ
from shared.db import SessionDep
from shared.errors import InvalidInput
from shared.pagination import Page, PageParams
from shared.types import MAX_ID, Text

router = APIRouter(prefix="/api/v1/ipam", tags=["ipam"])

#: how many free blocks or addresses to list (not a page: free space has no stable offsets)
Limit = Annotated[int | None, Query(ge=1, le=MAX_ID, description="How many (capped at the service's max_page_size)")]


def _how_many(request: Request, limit: int | None) -> int:
    """How many free blocks or addresses to list: ``limit`` (default 50) under the page-size cap."""
    cap: int = request.app.state.settings.max_page_size
    return min(limit or 50, cap)


def _prefix_out(p: Prefix, util: dict[int, float]) -> PrefixPublic:
    return PrefixPublic.model_validate({**p.model_dump(), "utilization": util.get(p.id or 0, 0.0)})


def _prefixes_out(session: SessionDep, rows: list[Prefix]) -> list[PrefixPublic]:
    util = usage.utilization_of(session=session, prefixes=rows)
    return [_prefix_out(p, util) for p in rows]


def _address_out(a: IpAddress) -> AddressPublic:
    return AddressPublic.model_validate(a.model_dump())


# -- vrfs --------------------------------------------------------------------------------------------
@router.get("/vrfs", response_model=Page[VrfPublic])
def list_vrfs(session: SessionDep, _p: Reader, paging: PageParams) -> Page[VrfPublic]:
    rows, count = vrfs.list_vrfs(session=session, paging=paging)
    return Page[VrfPublic].of(paging, results=[VrfPublic.model_validate(r, from_attributes=True) for r in rows], count=count)


@router.post("/vrfs", status_code=201, response_model=VrfPublic)
def create_vrf(data: VrfCreate, session: SessionDep, principal: Writer) -> VrfPublic:
    return VrfPublic.model_validate(vrfs.create_vrf(session=session, principal=principal, data=data), from_attributes=True)


@router.get("/vrfs/{vrf_id}", response_model=VrfPublic)
def get_vrf(vrf_id: PathId, session: SessionDep, _p: Reader) -> VrfPublic:
    return VrfPublic.model_validate(vrfs.get_vrf(session=session, vrf_id=vrf_id), from_attributes=True)


@router.delete("/vrfs/{vrf_id}", status_code=204)
def delete_vrf(vrf_id: PathId, session: SessionDep, principal: Writer) -> Response:
    vrfs.delete_vrf(session=session, principal=principal, vrf_id=vrf_id)
    return Response(status_code=204)


# -- prefixes ----------------------------------------------------------------------------------------
@router.get("/prefixes", response_model=Page[PrefixPublic], summary="List prefixes (with utilization %)")
def list_prefixes(
    session: SessionDep, principal: Reader, paging: PageParams, vrf_id: IdQ = None, family: Family = None,
    kind: TextQ = None, status: TextQ = None, agency_id: IdQ = None, service_id: IdQ = None,
    parent_id: IdQ = None, within: TextQ = None, q: TextQ = None,
) -> Page[PrefixPublic]:
    if family not in (None, 4, 6):
        raise InvalidInput("family must be 4 or 6.", errors=[{"field": "family", "message": "4 or 6"}])
    rows, count = prefixes.list_prefixes(
        session=session, principal=principal, vrf_id=vrf_id, family=family, kind=kind, status=status, agency_id=agency_id,
        service_id=service_id, parent_id=parent_id, within=within, q=q, paging=paging,
    )
    return Page[PrefixPublic].of(paging, results=_prefixes_out(session, rows), count=count)


@router.post("/prefixes", status_code=201, response_model=PrefixPublic, summary="Create a container, pool or allocation")
def create_prefix(data: PrefixCreate, session: SessionDep, principal: Writer) -> PrefixPublic:
    return _prefixes_out(session, [prefixes.create_prefix(session=session, principal=principal, data=data)])[0]


@router.get("/prefixes/{prefix_id}", response_model=PrefixPublic)
def get_prefix(prefix: CurrentPrefix, session: SessionDep) -> PrefixPublic:
    return _prefixes_out(session, [prefix])[0]


@router.patch("/prefixes/{prefix_id}", response_model=PrefixPublic)
def update_prefix(prefix: WritablePrefix, data: PrefixUpdate, session: SessionDep, principal: Writer) -> PrefixPublic:
    return _prefixes_out(session, [prefixes.update_prefix(session=session, principal=principal, prefix=prefix, data=data)])[0]


@router.delete("/prefixes/{prefix_id}", status_code=204, summary="Release a prefix")
def release_prefix(prefix: WritablePrefix, session: SessionDep, principal: Writer) -> Response:
    prefixes.release_prefix(session=session, principal=principal, prefix=prefix)
    return Response(status_code=204)


@router.get("/prefixes/{prefix_id}/available-prefixes", response_model=list[FreePrefix], summary="Free space as aligned CIDR blocks")
def available_prefixes(request: Request, parent: CurrentPrefix, session: SessionDep, limit: Limit = None) -> list[FreePrefix]:
    nets = free_space.available_prefixes(session=session, parent=parent, limit=_how_many(request, limit))
    return [FreePrefix(prefix=n.cidr, family=n.family, prefix_length=n.length, vrf_id=parent.vrf_id) for n in nets]


@router.post(
    "/prefixes/{prefix_id}/available-prefixes", status_code=201, response_model=PrefixPublic | list[PrefixPublic],
    summary="Allocate the first free block of a length (a list: several, all or none)",
)
def allocate_prefix(
    parent: WritablePrefix, data: PrefixRequest | PrefixRequests, session: SessionDep, principal: Writer
) -> PrefixPublic | list[PrefixPublic]:
    if isinstance(data, PrefixRequest):
        return _prefixes_out(session, [allocation.allocate_next_prefix(session=session, principal=principal, parent=parent, data=data)])[0]
    made = allocation.allocate_next_prefixes(session=session, principal=principal, parent=parent, requests=data)
    return _prefixes_out(session, made)


@router.get("/prefixes/{prefix_id}/available-ips", response_model=Page[FreeAddress], summary="Free addresses, a page at a time, with how many are free")
def available_ips(parent: CurrentPrefix, session: SessionDep, paging: PageParams) -> Page[FreeAddress]:
    free = free_space.available_ips(session=session, parent=parent, limit=paging.limit, offset=paging.offset)
    count = free_space.free_address_count(session=session, parent=parent)
    return Page[FreeAddress].of(paging, results=[FreeAddress(address=a, family=parent.family, vrf_id=parent.vrf_id) for a in free], count=count)


@router.post(
    "/prefixes/{prefix_id}/available-ips", status_code=201, response_model=list[AddressPublic],
    summary="Assign the next free addresses (count of them, or one per object of a list): all or none",
)
def assign_ips(parent: WritablePrefix, data: AddressRequest | AddressRequests, session: SessionDep, principal: Writer) -> list[AddressPublic]:
    requests = [data] if isinstance(data, AddressRequest) else data
    made = [a for req in requests for a in allocation.assign_next_addresses(session=session, principal=principal, parent=parent, data=req)]
    return [_address_out(a) for a in made]


# -- addresses ---------------------------------------------------------------------------------------
@router.get("/ip-addresses", response_model=Page[AddressPublic])
def list_addresses(
    session: SessionDep, principal: Reader, paging: PageParams, vrf_id: IdQ = None, prefix_id: IdQ = None,
    status: TextQ = None, assigned_object_type: TextQ = None, assigned_object_id: TextQ = None, q: TextQ = None,
) -> Page[AddressPublic]:
    rows, count = addresses.list_addresses(
        session=session, principal=principal, vrf_id=vrf_id, prefix_id=prefix_id, status=status,
        assigned_object_type=assigned_object_type, assigned_object_id=assigned_object_id, q=q, paging=paging,
    )
    return Page[AddressPublic].of(paging, results=[_address_out(a) for a in rows], count=count)


@router.post("/ip-addresses", status_code=201, response_model=AddressPublic)
def create_address(data: AddressCreate, session: SessionDep, principal: Writer) -> AddressPublic:
    return _address_out(addresses.create_address(session=session, principal=principal, data=data))


@router.get("/ip-addresses/{address_id}", response_model=AddressPublic)
def get_address(address: CurrentAddress) -> AddressPublic:
    return _address_out(address)


@router.patch("/ip-addresses/{address_id}", response_model=AddressPublic)
def update_address(address: WritableAddress, data: AddressUpdate, session: SessionDep, principal: Writer) -> AddressPublic:
    return _address_out(addresses.update_address(session=session, principal=principal, address=address, data=data))


@router.delete("/ip-addresses/{address_id}", status_code=204, summary="Release an address")
def release_address(address: WritableAddress, session: SessionDep, principal: Writer) -> Response:
    addresses.release_address(session=session, principal=principal, address=address)
    return Response(status_code=204)


# -- ranges ------------------------------------------------------------------------------------------
def _ranges_out(session: SessionDep, rows: list[IpRange]) -> list[RangePublic]:
    util = ranges.range_utilization(session=session, ranges=rows)
    return [RangePublic.model_validate({**r.model_dump(), "utilization": util.get(r.id or 0, 0.0)}) for r in rows]


@router.get("/ip-ranges", response_model=Page[RangePublic], summary="List IP ranges (with utilization %)")
def list_ranges(
    session: SessionDep, principal: Reader, paging: PageParams, vrf_id: IdQ = None, prefix_id: IdQ = None, status: TextQ = None, q: TextQ = None,
) -> Page[RangePublic]:
    rows, count = ranges.list_ranges(session=session, principal=principal, vrf_id=vrf_id, prefix_id=prefix_id, status=status, q=q, paging=paging)
    return Page[RangePublic].of(paging, results=_ranges_out(session, rows), count=count)


@router.post("/ip-ranges", status_code=201, response_model=RangePublic, summary="Create an IP range (never overlapping another in its VRF)")
def create_range(data: RangeCreate, session: SessionDep, principal: Writer) -> RangePublic:
    return _ranges_out(session, [ranges.create_range(session=session, principal=principal, data=data)])[0]


@router.get("/ip-ranges/{range_id}", response_model=RangePublic)
def get_range(ip_range: CurrentRange, session: SessionDep) -> RangePublic:
    return _ranges_out(session, [ip_range])[0]


@router.patch("/ip-ranges/{range_id}", response_model=RangePublic)
def update_range(ip_range: WritableRange, data: RangeUpdate, session: SessionDep, principal: Writer) -> RangePublic:
    return _ranges_out(session, [ranges.update_range(session=session, principal=principal, ip_range=ip_range, data=data)])[0]


@router.get("/ip-ranges/{range_id}/available-ips", response_model=Page[FreeAddress], summary="Free addresses of a range (none when populated)")
def range_available_ips(ip_range: CurrentRange, session: SessionDep, paging: PageParams) -> Page[FreeAddress]:
    free, count = ranges.range_available_ips(session=session, ip_range=ip_range, limit=paging.limit, offset=paging.offset)
    return Page[FreeAddress].of(paging, results=[FreeAddress(address=a, family=ip_range.family, vrf_id=ip_range.vrf_id) for a in free], count=count)


@router.post("/ip-ranges/{range_id}/available-ips", status_code=201, response_model=list[AddressPublic],
             summary="Assign the next free addresses of a range (count, or one per object of a list): all or none")
def assign_range_ips(ip_range: WritableRange, data: AddressRequest | AddressRequests, session: SessionDep, principal: Writer) -> list[AddressPublic]:
    requests = [data] if isinstance(data, AddressRequest) else data
    return [_address_out(a) for a in ranges.assign_range_addresses(session=session, principal=principal, ip_range=ip_range, requests=requests)]


@router.delete("/ip-ranges/{range_id}", status_code=204)
def delete_range(ip_range: WritableRange, session: SessionDep, principal: Writer) -> Response:
    ranges.delete_range(session=session, principal=principal, ip_range=ip_range)
    return Response(status_code=204)


# -- lookup, utilization -----------------------------------------------------------------------------
@router.get("/lookup", response_model=Lookup, summary="Prefixes containing an address, its allocation and its record")
def lookup(address: Annotated[Text, Query(max_length=64)], session: SessionDep, principal: Reader, vrf_id: IdQ = None) -> Lookup:
    found = usage.lookup(session=session, principal=principal, address=address, vrf_id=vrf_id)
    util = usage.utilization_of(session=session, prefixes=found.chain)
    return Lookup(
        address=found.address,
        vrf_id=found.vrf_id,
        chain=[_prefix_out(p, util) for p in found.chain],
        allocation=_prefix_out(found.allocation, util) if found.allocation else None,
        ip_address=_address_out(found.ip_address) if found.ip_address else None,
    )


@router.get("/utilization", response_model=Utilization, response_model_exclude_unset=True, summary="Allocated and used space per agency or service")
def utilization(session: SessionDep, principal: Reader, group_by: Literal["agency", "service"] = "agency") -> Utilization:
    rows = usage.utilization_rollup(session=session, principal=principal, group_by=group_by)
    return Utilization(group_by=group_by, results=[UtilizationRow.model_validate(r) for r in rows])
