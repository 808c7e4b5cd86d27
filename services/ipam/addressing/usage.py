"""What space is used: the lookup of one address, and utilisation per prefix and per agency or service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import distinct, func, select
from sqlmodel import Session, col

from services.ipam import access
from services.ipam.addressing import netmath
from services.ipam.addressing.free_space import covered_by_ranges
from services.ipam.addressing.models import IpAddress, IpRange, Prefix, PrefixKind
from services.ipam.addressing.netmath import to_hex
from services.ipam.addressing.prefixes import containing_prefixes, prefix_net
from services.ipam.addressing.vrfs import vrf_key as vrf_key_of
from services.ipam.organisation.models import Agency, NetworkService
from shared.auth import Principal

_CHUNK = 5000  # ids per IN list


@dataclass(frozen=True)
class Found:
    """What a lookup found about one address (only what the caller may see)."""

    address: str
    vrf_id: int | None
    chain: list[Prefix]
    allocation: Prefix | None
    ip_address: IpAddress | None


def lookup(*, session: Session, principal: Principal, address: str, vrf_id: int | None) -> Found:
    """The chain of prefixes containing an address (outermost first), its allocation and its record:
    what the caller may see of them."""
    scope = access.scope_of(session=session, principal=principal)
    family, value, textual = netmath.parse_address(address)
    vrf_key = vrf_key_of(session=session, vrf_id=vrf_id)
    chain = containing_prefixes(session=session, vrf_key=vrf_key, family=family, first=value, last=value, max_length=netmath.BITS[family])
    if not scope.everything and chain:
        seen = set(session.execute(access.readable(select(col(Prefix.id)).where(col(Prefix.id).in_([p.id for p in chain])), Prefix, scope)).scalars())
        chain = [p for p in chain if p.id in seen]
    record_q = select(IpAddress).where(
        col(IpAddress.vrf_key) == vrf_key, col(IpAddress.family) == family, col(IpAddress.value_hex) == to_hex(value)
    )
    # a shared address (VRRP, anycast, …) may have several copies: the first recorded one is shown
    record = session.execute(access.readable(record_q.order_by(col(IpAddress.id)), IpAddress, scope)).scalars().first()
    allocation = next((p for p in chain if p.kind == PrefixKind.allocation), None)
    return Found(address=textual, vrf_id=vrf_id, chain=chain, allocation=allocation, ip_address=record)


def utilization_of(*, session: Session, prefixes: Sequence[Prefix]) -> dict[int, float]:
    """Utilization (%) of many prefixes, unrounded: child-prefix space, direct addresses and direct ranges marked utilised."""
    ids = [p.id for p in prefixes if p.id is not None]
    child: dict[int, float] = {}
    addrs: dict[int, int] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        parent_id, prefix_id = col(Prefix.parent_id), col(IpAddress.prefix_id)
        for pid, total in session.execute(select(parent_id, func.sum(Prefix.size)).where(parent_id.in_(chunk)).group_by(parent_id)):
            child[int(pid or 0)] = float(total or 0)
        for pid, n in session.execute(select(prefix_id, func.count(distinct(col(IpAddress.value_hex)))).where(prefix_id.in_(chunk)).group_by(prefix_id)):
            addrs[int(pid or 0)] = int(n)
    with_ranges: set[int] = set()
    for i in range(0, len(ids), _CHUNK):
        holder = col(IpRange.prefix_id)
        with_ranges |= {int(pid) for pid in session.execute(select(holder).distinct().where(holder.in_(ids[i : i + _CHUNK]), col(IpRange.mark_utilized))).scalars()}
    out: dict[int, float] = {}
    for p in prefixes:
        if p.id is None:
            continue
        lo, hi = netmath.usable_range(prefix_net(p), is_pool=p.kind == PrefixKind.pool)
        has_children = child.get(p.id, 0.0) > 0
        total = p.size if has_children else float(hi - lo + 1)
        used = child.get(p.id, 0.0) + addrs.get(p.id, 0)
        if p.id in with_ranges:  # a range marked utilised counts as fully used (NetBox 4.3+), its addresses once
            used += covered_by_ranges(session, p, lo, hi, populated=False)
        out[p.id] = min(100.0, 100.0 * used / total) if total > 0 else 0.0  # unrounded: reports round
    return out


def utilization_rollup(*, session: Session, principal: Principal, group_by: Literal["agency", "service"]) -> list[dict[str, Any]]:
    """Allocated space, used addresses and utilization per agency or per service, per family (of the allocations the caller may see)."""
    scope = access.scope_of(session=session, principal=principal)
    key = col(Prefix.agency_id) if group_by == "agency" else col(Prefix.service_id)
    family, kind = col(Prefix.family), col(Prefix.kind)
    alloc = session.execute(access.readable(
        select(key, family, func.count(), func.sum(Prefix.size)).where(kind == PrefixKind.allocation), Prefix, scope
    ).group_by(key, family)).all()
    used_rows = session.execute(access.readable(
        select(key, family, func.count(distinct(col(IpAddress.value_hex))))
        .select_from(IpAddress).join(Prefix, col(IpAddress.prefix_id) == col(Prefix.id))
        .where(kind == PrefixKind.allocation), Prefix, scope
    ).group_by(key, family)).all()
    used = {(k, f): int(n) for k, f, n in used_rows}
    model: type[Agency] | type[NetworkService] = Agency if group_by == "agency" else NetworkService
    names = {i: n for i, n in session.execute(select(col(model.id), col(model.name)))}
    out = []
    for owner, fam, n, size in alloc:
        u = used.get((owner, fam), 0)
        out.append({
            f"{group_by}_id": owner, "name": names.get(owner), "family": fam, "allocations": int(n),
            "allocated_addresses": float(size or 0), "used_addresses": u,
            "utilization": 100.0 * u / float(size) if size else 0.0,
        })
    out.sort(key=lambda r: (str(r["name"] or ""), r["family"]))
    return out
