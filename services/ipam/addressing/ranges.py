"""IP ranges (NetBox's): start–end runs of addresses in a VRF, never overlapping another range of
that VRF (N7), with NetBox 4.3+ availability and utilisation.

A populated range (``mark_populated``, e.g. a DHCP pool) consumes its addresses: its prefix's
available-ips skips them and the range itself offers none. A range marked utilised counts as fully
used toward its prefix's utilisation and is 100 % used itself; otherwise its utilisation is its
recorded addresses over its size. A range belongs to the innermost prefix holding all of it
(``prefix_id``), kept current as prefixes are created and released.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from services.ipam import access
from services.ipam.addressing import netmath
from services.ipam.addressing.addresses import innermost_prefix, insert_address
from services.ipam.addressing.free_space import SCAN_CHUNK
from services.ipam.addressing.models import IpAddress, IpRange, Prefix, RangeStatus
from services.ipam.addressing.netmath import from_hex, to_hex
from services.ipam.addressing.prefixes import containing_prefixes, lock_vrf
from services.ipam.addressing.schemas import AddressRequest, RangeCreate, RangeUpdate
from services.ipam.addressing.vrfs import vrf_key as vrf_key_of
from services.ipam.changelog.models import ChangeAction
from services.ipam.changelog.service import record_change, snapshot
from services.ipam.rows import apply_changes, enum_eq, id_eq, page_of
from shared.auth import Principal
from shared.errors import Conflict, InvalidInput
from shared.pagination import Paging


def _conflict_body(r: IpRange) -> dict[str, Any]:
    return {"id": r.id, "start_address": r.start_address, "end_address": r.end_address, "vrf_id": r.vrf_id}


def parse_range(start_text: str, end_text: str) -> tuple[int, int, int, int | None, str, str]:
    """(family, start, end, mask or None, start text, end text) of a range; 422 for mixed families, masks or order."""
    family, start, start_canon, start_mask = netmath.parse_interface_address(start_text, field="start_address")
    end_family, end, end_canon, end_mask = netmath.parse_interface_address(end_text, field="end_address")
    if end_family != family:
        raise InvalidInput("start_address and end_address must be of one family.", errors=[{"field": "end_address", "message": "other family"}])
    if start_mask != end_mask and start_mask is not None and end_mask is not None:
        raise InvalidInput(
            f"start_address and end_address must have the same mask (/{start_mask} and /{end_mask} given).",
            errors=[{"field": "end_address", "message": "mask differs from start_address"}],
        )
    if end < start:
        raise InvalidInput(
            f"{end_canon} comes before {start_canon}; give the lower address as start_address.",
            errors=[{"field": "end_address", "message": "before start_address"}],
        )
    return family, start, end, start_mask if start_mask is not None else end_mask, start_canon, end_canon


def overlapping_range(*, session: Session, vrf_key: int, family: int, start_hex: str, end_hex: str, exclude_id: int | None = None) -> IpRange | None:
    """A range of the VRF sharing an address with [start_hex, end_hex], if any."""
    query = select(IpRange).where(
        col(IpRange.vrf_key) == vrf_key, col(IpRange.family) == family, col(IpRange.start_hex) <= end_hex, col(IpRange.end_hex) >= start_hex
    )
    if exclude_id is not None:
        query = query.where(col(IpRange.id) != exclude_id)
    return session.execute(query.order_by(col(IpRange.start_hex)).limit(1)).scalar_one_or_none()


def create_range(*, session: Session, principal: Principal, data: RangeCreate) -> IpRange:
    """Record a range (409 when it overlaps another range of its VRF); a non-administrator only inside its agency's prefixes."""
    family, start, end, mask, start_text, end_text = parse_range(data.start_address, data.end_address)
    vrf_key = vrf_key_of(session=session, vrf_id=data.vrf_id)
    access.require_space(
        session=session, scope=access.scope_of(session=session, principal=principal), vrf_key=vrf_key, family=family,
        first_hex=to_hex(start), last_hex=to_hex(end), what=f"{start_text}-{end_text}", field="start_address",
    )
    lock_vrf(session=session, vrf_key=vrf_key)
    other = overlapping_range(session=session, vrf_key=vrf_key, family=family, start_hex=to_hex(start), end_hex=to_hex(end))
    if other is not None:
        raise overlap_conflict(f"{start_text}-{end_text}", other)
    holder = containing_prefixes(session=session, vrf_key=vrf_key, family=family, first=start, last=end, max_length=netmath.BITS[family])
    r = IpRange(
        start_address=start_text, end_address=end_text, vrf_id=data.vrf_id, vrf_key=vrf_key, family=family, start_hex=to_hex(start),
        end_hex=to_hex(end), mask_length=mask or (holder[-1].prefix_length if holder else netmath.BITS[family]), size=float(end - start + 1),
        prefix_id=holder[-1].id if holder else None, **data.model_dump(include={"status", "description", "mark_populated", "mark_utilized"}),
    )
    try:
        with session.begin_nested():  # a SAVEPOINT: the other range can still be named after the constraint refuses
            session.add(r)
            session.flush()
    except IntegrityError:
        other = overlapping_range(session=session, vrf_key=vrf_key, family=family, start_hex=to_hex(start), end_hex=to_hex(end))
        if other is None:
            raise Conflict(f"{start_text}-{end_text} conflicts with a range written concurrently; retry.") from None
        raise overlap_conflict(f"{start_text}-{end_text}", other) from None
    record_change(session=session, principal=principal, action=ChangeAction.create, obj=r, before=None, after=snapshot(r))
    return r


def overlap_conflict(what: str, other: IpRange) -> Conflict:
    """The 409 for a range overlapping ``other``."""
    return Conflict(
        f"{what} overlaps range {other.start_address}-{other.end_address} (id {other.id}); ranges in one VRF must not overlap.",
        conflicting=_conflict_body(other),
    )


def list_ranges(
    *, session: Session, principal: Principal, vrf_id: int | None, prefix_id: int | None, status: str | None, q: str | None, paging: Paging
) -> tuple[list[IpRange], int]:
    """Ranges the caller may see, in address order, filtered."""
    conds = access.readable_conditions(IpRange, access.scope_of(session=session, principal=principal))
    if vrf_id is not None:
        conds.append(id_eq(IpRange.vrf_key, vrf_id))
    if prefix_id is not None:
        conds.append(id_eq(IpRange.prefix_id, prefix_id))
    if status is not None:
        conds.append(enum_eq(IpRange.status, RangeStatus, status))
    if q:
        conds.append(or_(col(IpRange.start_address).like(f"%{q}%"), col(IpRange.description).like(f"%{q}%")))
    return page_of(session=session, model=IpRange, conds=conds, order=[IpRange.vrf_key, IpRange.family, IpRange.start_hex], paging=paging)


def _freed(session: Session, ip_range: IpRange) -> None:
    """A populated range's addresses become free: its prefix's next-free hint must not stay above them."""
    if ip_range.mark_populated and ip_range.prefix_id is not None:
        holder = session.get(Prefix, ip_range.prefix_id)
        if holder is not None and holder.ip_hint_hex is not None:
            holder.ip_hint_hex = min(holder.ip_hint_hex, ip_range.start_hex)


def update_range(*, session: Session, principal: Principal, ip_range: IpRange, data: RangeUpdate) -> IpRange:
    """Change a range's status, description or marks (its ends are fixed: delete and create again)."""
    before = snapshot(ip_range)
    changes = data.changes()
    if changes.get("mark_populated") is False:
        _freed(session, ip_range)
    apply_changes(ip_range, changes)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.update, obj=ip_range, before=before, after=snapshot(ip_range))
    return ip_range


def delete_range(*, session: Session, principal: Principal, ip_range: IpRange) -> None:
    """Delete a range; its addresses (if populated) become free again."""
    before = snapshot(ip_range)
    _freed(session, ip_range)
    session.delete(ip_range)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.delete, obj=ip_range, before=before, after=None)


def addresses_in(*, session: Session, vrf_key: int, family: int, first: int, last: int, prefix_id: int | None = None) -> int:
    """Distinct recorded addresses of a VRF in [first, last] (only those directly in ``prefix_id`` when given)."""
    value = col(IpAddress.value_hex)
    query = select(func.count(distinct(value))).where(
        col(IpAddress.vrf_key) == vrf_key, col(IpAddress.family) == family, value >= to_hex(first), value <= to_hex(last)
    )
    if prefix_id is not None:
        query = query.where(col(IpAddress.prefix_id) == prefix_id)
    return int(session.execute(query).scalar_one())


def range_utilization(*, session: Session, ranges: list[IpRange]) -> dict[int, float]:
    """Utilisation (%) of each range, unrounded: 100 when marked utilised, else recorded addresses over its size."""
    out: dict[int, float] = {}
    for r in ranges:
        if r.id is None:
            continue
        if r.mark_utilized:
            out[r.id] = 100.0
            continue
        used = addresses_in(session=session, vrf_key=r.vrf_key, family=r.family, first=from_hex(r.start_hex), last=from_hex(r.end_hex))
        out[r.id] = min(100.0, 100.0 * used / r.size) if r.size else 0.0
    return out



def _range_gaps(session: Session, ip_range: IpRange) -> Iterator[tuple[int, int]]:
    """Free intervals of a range: none when populated, else its span minus the VRF's recorded addresses (read in chunks)."""
    if ip_range.mark_populated:
        return iter(())
    value = col(IpAddress.value_hex)

    def used() -> Iterator[tuple[int, int]]:
        cursor, inclusive = ip_range.start_hex, True
        while True:
            cond = value >= cursor if inclusive else value > cursor
            rows = list(session.execute(
                select(value).distinct().where(
                    col(IpAddress.vrf_key) == ip_range.vrf_key, col(IpAddress.family) == ip_range.family, cond, value <= ip_range.end_hex
                ).order_by(value).limit(SCAN_CHUNK)
            ).scalars())
            for v in rows:
                yield from_hex(v), from_hex(v)
            if len(rows) < SCAN_CHUNK:
                return
            cursor, inclusive = rows[-1], False

    return netmath.gaps(from_hex(ip_range.start_hex), from_hex(ip_range.end_hex), used())


def range_available_ips(*, session: Session, ip_range: IpRange, limit: int, offset: int) -> tuple[list[str], int]:
    """(``limit`` free addresses of a range after the first ``offset``, how many are free in all); a populated range has none."""
    if ip_range.mark_populated:
        return [], 0
    first, last = from_hex(ip_range.start_hex), from_hex(ip_range.end_hex)
    # the size from the keys, not the float column: an IPv6 range's count must be exact
    free = last - first + 1 - addresses_in(session=session, vrf_key=ip_range.vrf_key, family=ip_range.family, first=first, last=last)
    out: list[str] = []
    skip = offset
    for first, last in _range_gaps(session, ip_range):
        size = last - first + 1
        if skip >= size:
            skip -= size
            continue
        value, skip = first + skip, 0
        while value <= last and len(out) < limit:
            out.append(netmath.address_text(ip_range.family, value))
            value += 1
        if len(out) >= limit:
            break
    return out, max(0, free)


def assign_range_addresses(*, session: Session, principal: Principal, ip_range: IpRange, requests: list[AddressRequest]) -> list[IpAddress]:
    """The first free addresses of a range, ``count`` per request, all or none (409 when fewer are free; a populated range has none)."""
    lock_vrf(session=session, vrf_key=ip_range.vrf_key)
    wanted = sum(r.count for r in requests)
    values: list[int] = []
    for first, last in _range_gaps(session, ip_range):
        values += range(first, min(last, first + wanted - len(values) - 1) + 1)
        if len(values) >= wanted:
            break
    if len(values) < wanted:
        why = " (it is populated: its addresses are in use as a whole)" if ip_range.mark_populated else ""
        raise Conflict(f"Range {ip_range.start_address}-{ip_range.end_address} has only {len(values)} free address(es), {wanted} asked{why}.")
    made: list[IpAddress] = []
    it = iter(values)
    for req in requests:
        fields = req.model_dump(exclude={"count"})
        for _ in range(req.count):
            v = next(it)
            prefix = innermost_prefix(session=session, vrf_key=ip_range.vrf_key, family=ip_range.family, value=v)
            made.append(insert_address(
                session=session, principal=principal, vrf_id=ip_range.vrf_id, vrf_key=ip_range.vrf_key, family=ip_range.family, value=v,
                prefix=prefix, fields=dict(fields), mask_length=ip_range.mask_length,
            ))
    return made
