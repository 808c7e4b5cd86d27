"""Next free: allocate the first free aligned block of a pool or container, and assign the first
free addresses of a prefix, atomically under the VRF's lock (N7). PostgreSQL takes the fast path
of ``postgres.py``; every other database the portable ORM path here."""

from __future__ import annotations

from sqlmodel import Session

from services.ipam import access
from services.ipam.addressing import netmath, postgres
from services.ipam.addressing.addresses import insert_address
from services.ipam.addressing.free_space import first_free_addresses, first_free_block
from services.ipam.addressing.models import IpAddress, Prefix
from services.ipam.addressing.netmath import from_hex, to_hex
from services.ipam.addressing.prefixes import (
    after_create,
    check_allocation_fields,
    check_next_prefix_request,
    insert_prefix,
    lock_vrf,
)
from services.ipam.addressing.schemas import AddressRequest, PrefixRequest
from shared.auth import Principal
from shared.errors import Conflict


def allocate_next_prefix(*, session: Session, principal: Principal, parent: Prefix, data: PrefixRequest) -> Prefix:
    """Allocate the first free aligned block of the asked length inside a pool or container (409 when full)."""
    access.require_own_agency(access.scope_of(session=session, principal=principal), data.agency_id)
    if postgres.is_postgres(session=session):
        return postgres.allocate_next_prefix(session=session, principal=principal, prefix_id=parent.id or 0, data=data)
    check_next_prefix_request(parent, data)
    check_allocation_fields(session=session, kind=data.kind, agency_id=data.agency_id, service_id=data.service_id, purpose=data.purpose)
    lock_vrf(session=session, vrf_key=parent.vrf_key)
    session.refresh(parent)
    found, first_gap = first_free_block(session=session, parent=parent, prefix_length=data.prefix_length)
    parent.prefix_hint_hex = to_hex(first_gap) if first_gap is not None else to_hex(from_hex(parent.last_hex))
    if found is None:
        raise Conflict(f"{parent.prefix} has no free /{data.prefix_length} left; use another pool or a longer prefix length.")
    net = netmath.net_from_range(parent.family, found, data.prefix_length)
    fields = data.model_dump(include={"kind", "status", "agency_id", "service_id", "purpose", "description"})
    # a block cut from free space between the parent's children has no child prefixes of its own
    prefix = insert_prefix(session=session, vrf_id=parent.vrf_id, vrf_key=parent.vrf_key, net=net, parent=parent, fields=fields, from_free_space=True)
    after_create(session=session, principal=principal, prefix=prefix)
    return prefix


def allocate_next_prefixes(*, session: Session, principal: Principal, parent: Prefix, requests: list[PrefixRequest]) -> list[Prefix]:
    """Allocate one block per request, in order, in the caller's transaction: the first that does not fit
    raises its 409, and the request's rollback undoes the others (all placed, or none)."""
    return [allocate_next_prefix(session=session, principal=principal, parent=parent, data=data) for data in requests]


def assign_next_addresses(*, session: Session, principal: Principal, parent: Prefix, data: AddressRequest) -> list[IpAddress]:
    """Assign the first ``count`` free addresses of a prefix, atomically (409 if fewer are free)."""
    if postgres.is_postgres(session=session):
        return postgres.assign_next_addresses(session=session, principal=principal, prefix_id=parent.id or 0, data=data)
    lock_vrf(session=session, vrf_key=parent.vrf_key)
    session.refresh(parent)
    values, first_gap = first_free_addresses(session=session, parent=parent, count=data.count)
    if first_gap is not None:
        parent.ip_hint_hex = to_hex(first_gap)
    if len(values) < data.count:
        raise Conflict(f"{parent.prefix} has only {len(values)} free address(es), {data.count} asked; use another prefix.")
    fields = data.model_dump(exclude={"count"})
    return [
        insert_address(
            session=session, principal=principal, vrf_id=parent.vrf_id, vrf_key=parent.vrf_key, family=parent.family, value=v, prefix=parent,
            fields=dict(fields), mask_length=parent.prefix_length,
        )
        for v in values
    ]
