"""Addresses: one owner per address in a VRF, recorded, changed and released (N7)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from services.ipam import access
from services.ipam.addressing import netmath
from services.ipam.addressing.models import AddressStatus, IpAddress, Prefix, is_shared
from services.ipam.addressing.netmath import to_hex
from services.ipam.addressing.prefixes import containing_prefixes, lock_vrf
from services.ipam.addressing.schemas import AddressCreate, AddressUpdate
from services.ipam.addressing.vrfs import vrf_key as vrf_key_of
from services.ipam.changelog.models import ChangeAction
from services.ipam.changelog.service import record_change, snapshot
from services.ipam.outbox import ADDRESS_ASSIGNED, ADDRESS_RELEASED, outbox
from services.ipam.rows import apply_changes, enum_eq, id_eq, page_of
from shared.auth import Principal
from shared.errors import Conflict, InvalidInput
from shared.pagination import Paging

_ONE_OWNER = (
    "an address has one owner — pick a free one from available-ips (only addresses whose every copy has a shared role, "
    "anycast, vip, vrrp, hsrp, glbp or carp, may repeat)."
)


def innermost_prefix(*, session: Session, vrf_key: int, family: int, value: int) -> Prefix | None:
    """The smallest prefix of the VRF containing the address, if any."""
    chain = containing_prefixes(session=session, vrf_key=vrf_key, family=family, first=value, last=value, max_length=netmath.BITS[family])
    return chain[-1] if chain else None


def address_event(a: IpAddress) -> dict[str, Any]:
    """The data of an address.assigned / address.released event."""
    return {
        "address_id": a.id, "address": a.address, "mask_length": a.mask_length, "role": a.role, "vrf_id": a.vrf_id,
        "prefix_id": a.prefix_id, "status": a.status,
        "assigned_object_type": a.assigned_object_type, "assigned_object_id": a.assigned_object_id, "dns_name": a.dns_name,
    }


def owner_of(*, session: Session, vrf_key: int, family: int, value_hexes: list[str]) -> IpAddress | None:
    """A recorded address among ``value_hexes`` of a VRF, if any."""
    return session.execute(
        select(IpAddress).where(col(IpAddress.vrf_key) == vrf_key, col(IpAddress.family) == family, col(IpAddress.value_hex).in_(value_hexes)).limit(1)
    ).scalar_one_or_none()


def copies_of(*, session: Session, vrf_key: int, family: int, value_hex: str, exclude_id: int | None = None) -> list[IpAddress]:
    """Every recorded copy of one address in a VRF (more than one only when all are shared)."""
    query = select(IpAddress).where(col(IpAddress.vrf_key) == vrf_key, col(IpAddress.family) == family, col(IpAddress.value_hex) == value_hex)
    if exclude_id is not None:
        query = query.where(col(IpAddress.id) != exclude_id)
    return list(session.execute(query.order_by(col(IpAddress.id))).scalars().all())


def require_may_repeat(*, copies: list[IpAddress], textual: str, role: str | None) -> None:
    """409 unless an address with ``role`` may stand beside ``copies``: none, or all of them and it shared."""
    if not copies or (is_shared(role) and all(c.shared for c in copies)):
        return
    owner = next((c for c in copies if not c.shared), copies[0])
    raise Conflict(
        f"{textual} already has an owner (address {owner.id}, role {owner.role or '-'}, assigned to "
        f"{owner.assigned_object_type or '-'} {owner.assigned_object_id or ''}); " + _ONE_OWNER,
        conflicting={"id": owner.id, "address": owner.address, "role": owner.role},
    )


def already_owned(owner: IpAddress | None, address: str | None = None) -> Conflict:
    """The 409 for an address written concurrently by someone else."""
    what = owner.address if owner else (address or "An address")
    return Conflict(f"{what} already has an owner (address {owner.id if owner else '?'}); {_ONE_OWNER}")


def insert_address(
    *, session: Session, principal: Principal, vrf_id: int | None, vrf_key: int, family: int, value: int, prefix: Prefix | None,
    fields: dict[str, Any], mask_length: int | None = None,
) -> IpAddress:
    """Insert one address (409 if someone took it meanwhile), log it and announce it; without a mask it takes its prefix's length."""
    mask = mask_length or (prefix.prefix_length if prefix else netmath.BITS[family])
    addr = IpAddress(
        address=netmath.address_text(family, value), vrf_id=vrf_id, vrf_key=vrf_key, family=family, value_hex=to_hex(value),
        mask_length=mask, shared=is_shared(fields.get("role")), prefix_id=prefix.id if prefix else None, **fields,
    )
    try:
        # a SAVEPOINT, so that the owner can still be named in the request's transaction
        with session.begin_nested():
            session.add(addr)
            session.flush()
    except IntegrityError:
        raise already_owned(owner_of(session=session, vrf_key=vrf_key, family=family, value_hexes=[to_hex(value)]), addr.address) from None
    record_change(session=session, principal=principal, action=ChangeAction.create, obj=addr, before=None, after=snapshot(addr))
    outbox.emit(session, ADDRESS_ASSIGNED, subject=addr.id or 0, data=address_event(addr))
    return addr


def create_address(*, session: Session, principal: Principal, data: AddressCreate) -> IpAddress:
    """Record one address (one owner per VRF, or several copies with shared roles); a non-administrator only inside its agency's prefixes."""
    family, value, textual, mask = netmath.parse_interface_address(data.address)
    vrf_key = vrf_key_of(session=session, vrf_id=data.vrf_id)
    access.require_space(
        session=session, scope=access.scope_of(session=session, principal=principal), vrf_key=vrf_key, family=family, first_hex=to_hex(value), last_hex=to_hex(value),
        what=textual, field="address",
    )
    lock_vrf(session=session, vrf_key=vrf_key)
    copies = copies_of(session=session, vrf_key=vrf_key, family=family, value_hex=to_hex(value))
    require_may_repeat(copies=copies, textual=textual, role=data.role)
    prefix = innermost_prefix(session=session, vrf_key=vrf_key, family=family, value=value)
    fields = data.model_dump(exclude={"address", "vrf_id"})
    return insert_address(
        session=session, principal=principal, vrf_id=data.vrf_id, vrf_key=vrf_key, family=family, value=value, prefix=prefix, fields=fields,
        mask_length=mask,
    )


def list_addresses(
    *, session: Session, principal: Principal, vrf_id: int | None, prefix_id: int | None, status: str | None,
    assigned_object_type: str | None, assigned_object_id: str | None, q: str | None, paging: Paging,
) -> tuple[list[IpAddress], int]:
    """Addresses the caller may see, in order, filtered."""
    conds = access.readable_conditions(IpAddress, access.scope_of(session=session, principal=principal))
    if vrf_id is not None:
        conds.append(id_eq(IpAddress.vrf_key, vrf_id))
    if prefix_id is not None:
        conds.append(id_eq(IpAddress.prefix_id, prefix_id))
    if status is not None:
        conds.append(enum_eq(IpAddress.status, AddressStatus, status))
    for column, value in ((IpAddress.assigned_object_type, assigned_object_type), (IpAddress.assigned_object_id, assigned_object_id)):
        if value is not None:
            conds.append(col(column) == value)
    if q:
        conds.append(or_(col(IpAddress.address).like(f"%{q}%"), col(IpAddress.dns_name).like(f"%{q}%")))
    return page_of(session=session, model=IpAddress, conds=conds, order=[IpAddress.vrf_key, IpAddress.family, IpAddress.value_hex], paging=paging)


def update_address(*, session: Session, principal: Principal, address: IpAddress, data: AddressUpdate) -> IpAddress:
    """Change an address's status, role, mask, assignment or DNS name (a role that is not shared only on an address with no copies)."""
    changes = data.changes()
    if "mask_length" in changes and changes["mask_length"] > netmath.BITS[address.family]:
        bits = netmath.BITS[address.family]
        raise InvalidInput(f"mask_length must be 1 to {bits} for {address.address}.", errors=[{"field": "mask_length", "message": f"1 to {bits}"}])
    if "role" in changes:
        lock_vrf(session=session, vrf_key=address.vrf_key)
        copies = copies_of(session=session, vrf_key=address.vrf_key, family=address.family, value_hex=address.value_hex, exclude_id=address.id)
        require_may_repeat(copies=copies, textual=address.address, role=changes["role"])
        changes["shared"] = is_shared(changes["role"])
    before = snapshot(address)
    apply_changes(address, changes)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.update, obj=address, before=before, after=snapshot(address))
    return address


def release_address(*, session: Session, principal: Principal, address: IpAddress) -> None:
    """Delete an address; its prefix regains it."""
    before = snapshot(address)
    if address.prefix_id is not None:
        parent = session.get(Prefix, address.prefix_id)
        if parent is not None:
            parent.ip_hint_hex = min(parent.ip_hint_hex or parent.first_hex, address.value_hex)
    session.delete(address)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.delete, obj=address, before=before, after=None)
    outbox.emit(session, ADDRESS_RELEASED, subject=address.id or 0, data=address_event(address))


def release_device_addresses(*, session: Session, principal: Principal, device_id: str) -> int:
    """Release every address assigned to a device (on its decommissioning)."""
    found = session.execute(
        select(IpAddress).where(col(IpAddress.assigned_object_type) == "device", col(IpAddress.assigned_object_id) == device_id)
    ).scalars().all()
    for address in found:
        release_address(session=session, principal=principal, address=address)
    return len(found)
