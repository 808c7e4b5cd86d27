"""Prefixes: where a prefix goes in its VRF's laminar family, and creating, listing, changing and
releasing them under the N7 rules (no overlapping allocations; an allocation names its agency,
service and purpose).

Structure writes in one VRF are serialised: on SQLite by the write transaction's BEGIN
IMMEDIATE, on PostgreSQL by a transaction-scoped advisory lock per VRF; the exclusion constraint
(PostgreSQL) and the unique constraints are the backstop for any other path.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from services.ipam import access
from services.ipam.access import readable_prefix
from services.ipam.addressing import netmath
from services.ipam.addressing.models import IpAddress, IpRange, Prefix, PrefixKind, PrefixStatus
from services.ipam.addressing.netmath import Net, from_hex, to_hex
from services.ipam.addressing.schemas import PrefixCreate, PrefixRequest, PrefixUpdate
from services.ipam.addressing.vrfs import vrf_key as vrf_key_of
from services.ipam.changelog.models import ChangeAction
from services.ipam.changelog.service import record_change, snapshot
from services.ipam.organisation.service import get_agency, get_service
from services.ipam.outbox import PREFIX_ALLOCATED, PREFIX_RELEASED, outbox
from services.ipam.rows import apply_changes, enum_eq, get_or_404, id_eq, page_of
from shared.auth import Principal
from shared.errors import Conflict, InvalidInput
from shared.pagination import Paging

ADVISORY_LOCK_BASE = 0x1BA0_0000


def lock_vrf(*, session: Session, vrf_key: int) -> None:
    """Serialise structure writes in one VRF (PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_BASE + vrf_key})


def prefix_net(p: Prefix) -> Net:
    """The prefix row as a :class:`Net`."""
    return Net(cidr=p.prefix, family=p.family, length=p.prefix_length, first=from_hex(p.first_hex), last=from_hex(p.last_hex))


def _supernet_firsts(family: int, value: int, max_length: int) -> list[str]:
    bits = netmath.BITS[family]
    firsts = {to_hex(value >> (bits - length) << (bits - length)) if length else to_hex(0) for length in range(0, max_length + 1)}
    return sorted(firsts)


def containing_prefixes(*, session: Session, vrf_key: int, family: int, first: int, last: int, max_length: int) -> list[Prefix]:
    """Prefixes containing [first, last], largest first (exact index probes on aligned supernets)."""
    rows = session.execute(
        select(Prefix).where(
            col(Prefix.vrf_key) == vrf_key,
            col(Prefix.family) == family,
            col(Prefix.first_hex).in_(_supernet_firsts(family, first, max_length)),
            col(Prefix.last_hex) >= to_hex(last),
        )
    ).scalars()
    return sorted(rows, key=lambda p: p.prefix_length)


def require_allocation_fields(*, kind: PrefixKind, agency_id: int | None, service_id: int | None, purpose: str) -> None:
    """422 when an allocation does not name its agency, service and purpose (N7: đúng mục đích, đối tượng)."""
    if kind != PrefixKind.allocation:
        return
    missing = [
        {"field": name, "message": "required for an allocation (N7: đúng mục đích, đối tượng)"}
        for name, value in (("agency_id", agency_id), ("service_id", service_id), ("purpose", (purpose or "").strip()))
        if not value
    ]
    if missing:
        names = ", ".join(m["field"] for m in missing)
        raise InvalidInput(f"An allocation must name the agency, the service and the purpose it is for; missing: {names}.", errors=missing)


def check_allocation_fields(*, session: Session, kind: PrefixKind, agency_id: int | None, service_id: int | None, purpose: str) -> None:
    """The allocation's required fields, and that every named owner exists (a pool or container may name one too)."""
    require_allocation_fields(kind=kind, agency_id=agency_id, service_id=service_id, purpose=purpose)
    if agency_id is not None:
        get_agency(session=session, agency_id=agency_id)
    if service_id is not None:
        get_service(session=session, service_id=service_id)


def _conflict_body(p: Prefix) -> dict[str, Any]:
    return {"id": p.id, "prefix": p.prefix, "kind": p.kind, "agency_id": p.agency_id, "service_id": p.service_id, "vrf_id": p.vrf_id}


def _place(session: Session, *, vrf_key: int, net: Net, kind: PrefixKind, parent_id: int | None) -> Prefix | None:
    """Check where ``net`` goes and return its parent: 422 for duplicates, nesting under an
    allocation, an allocation over other prefixes, or a prefix outside the named parent."""
    supers = containing_prefixes(session=session, vrf_key=vrf_key, family=net.family, first=net.first, last=net.last, max_length=net.length)
    for s in supers:
        if s.prefix_length == net.length:
            raise InvalidInput(
                f"{net.cidr} already exists in this VRF (prefix {s.id}, {s.kind}); edit that one instead.",
                errors=[{"field": "prefix", "message": "duplicate"}],
                conflicting=_conflict_body(s),
            )
        if s.kind == PrefixKind.allocation:
            what = "overlaps" if kind == PrefixKind.allocation else "would sit inside"
            raise InvalidInput(
                f"{net.cidr} {what} allocation {s.prefix} (id {s.id}, agency {s.agency_id}, service {s.service_id}); "
                "allocations in one VRF must not overlap — pick free space from available-prefixes.",
                errors=[{"field": "prefix", "message": f"overlaps allocation {s.prefix}"}],
                conflicting=_conflict_body(s),
            )
    parent = supers[-1] if supers else None
    if parent_id is not None:
        named = get_or_404(session=session, model=Prefix, obj_id=parent_id, label="Prefix")
        if named.vrf_key != vrf_key or not prefix_net(named).contains(net) or named.prefix_length >= net.length:
            raise InvalidInput(
                f"{net.cidr} is outside its parent {named.prefix} (id {named.id}); choose a prefix inside {named.prefix}"
                + ("" if named.vrf_key == vrf_key else " and in the same VRF")
                + f", or use POST /prefixes/{named.id}/available-prefixes to get one.",
                errors=[{"field": "prefix", "message": f"outside parent {named.prefix}"}],
            )
    if kind == PrefixKind.allocation:
        inside = select(Prefix).where(
            col(Prefix.vrf_key) == vrf_key,
            col(Prefix.family) == net.family,
            col(Prefix.first_hex) >= net.first_hex,
            col(Prefix.first_hex) <= net.last_hex,
            col(Prefix.prefix_length) > net.length,
        )
        inner = session.execute(inside.where(col(Prefix.kind) == PrefixKind.allocation).limit(1)).scalar_one_or_none()
        inner = inner or session.execute(inside.limit(1)).scalar_one_or_none()
        if inner is not None:
            what = "overlaps allocation" if inner.kind == PrefixKind.allocation else f"would contain {inner.kind}"
            raise InvalidInput(
                f"{net.cidr} {what} {inner.prefix} (id {inner.id}); an allocation cannot hold other prefixes — "
                "allocate a free block from available-prefixes instead.",
                errors=[{"field": "prefix", "message": f"overlaps {inner.prefix}"}],
                conflicting=_conflict_body(inner),
            )
        if parent is None:
            raise InvalidInput(
                f"{net.cidr} is not inside any pool or container of this VRF; create the pool first, then allocate from it.",
                errors=[{"field": "prefix", "message": "no containing pool or container"}],
            )
    return parent


def insert_prefix(
    *, session: Session, vrf_id: int | None, vrf_key: int, net: Net, parent: Prefix | None, fields: dict[str, Any], from_free_space: bool = False
) -> Prefix:
    """Insert a checked prefix under ``parent``; what lay directly under the parent inside it moves under it."""
    prefix = Prefix(
        prefix=net.cidr,
        vrf_id=vrf_id,
        vrf_key=vrf_key,
        family=net.family,
        prefix_length=net.length,
        first_hex=net.first_hex,
        last_hex=net.last_hex,
        size=float(net.size),
        parent_id=parent.id if parent else None,
        **fields,
    )
    try:
        # a SAVEPOINT, so that after a constraint violation the conflicting row can still be named
        # in the request's transaction (the request itself fails and its dependency rolls back)
        with session.begin_nested():
            session.add(prefix)
            session.flush()
    except IntegrityError as exc:
        raise integrity_conflict(session=session, vrf_key=vrf_key, net=net, exc=exc) from None
    if not from_free_space:
        _adopt_children(session, prefix, net, parent, vrf_key)
    a_parent = col(IpAddress.prefix_id) == parent.id if parent else col(IpAddress.prefix_id).is_(None)
    session.execute(
        update(IpAddress)
        .where(
            col(IpAddress.vrf_key) == vrf_key, col(IpAddress.family) == net.family, col(IpAddress.value_hex) >= net.first_hex,
            col(IpAddress.value_hex) <= net.last_hex, a_parent,
        )
        .values(prefix_id=prefix.id)
    )
    rehome_ranges(session=session, vrf_key=vrf_key, family=net.family, first_hex=net.first_hex, last_hex=net.last_hex)
    return prefix


def _holder_id(*, session: Session, vrf_key: int, family: int, start: int, end: int) -> int | None:
    chain = containing_prefixes(session=session, vrf_key=vrf_key, family=family, first=start, last=end, max_length=netmath.BITS[family])
    return chain[-1].id if chain else None


def rehome_ranges(*, session: Session, vrf_key: int, family: int, first_hex: str, last_hex: str) -> None:
    """Recompute the holding prefix of every range overlapping [first_hex, last_hex] (after a prefix came or went)."""
    found = session.execute(
        select(IpRange).where(
            col(IpRange.vrf_key) == vrf_key, col(IpRange.family) == family, col(IpRange.start_hex) <= last_hex, col(IpRange.end_hex) >= first_hex
        )
    ).scalars().all()
    for r in found:
        r.prefix_id = _holder_id(session=session, vrf_key=r.vrf_key, family=r.family, start=from_hex(r.start_hex), end=from_hex(r.end_hex))
    if found:
        session.flush()


def _adopt_children(session: Session, prefix: Prefix, net: Net, parent: Prefix | None, vrf_key: int) -> None:
    in_range = and_(
        col(Prefix.vrf_key) == vrf_key, col(Prefix.family) == net.family, col(Prefix.first_hex) >= net.first_hex,
        col(Prefix.last_hex) <= net.last_hex, col(Prefix.id) != prefix.id,
    )
    parent_cond = col(Prefix.parent_id) == parent.id if parent else col(Prefix.parent_id).is_(None)
    session.execute(update(Prefix).where(in_range, parent_cond).values(parent_id=prefix.id))


def integrity_conflict(*, session: Session, vrf_key: int, net: Net, exc: IntegrityError) -> Conflict:
    """Turn a constraint violation (exclusion or unique) into a 409 naming the conflicting allocation."""
    other = session.execute(
        select(Prefix).where(
            col(Prefix.vrf_key) == vrf_key, col(Prefix.family) == net.family, col(Prefix.first_hex) <= net.last_hex,
            col(Prefix.last_hex) >= net.first_hex, col(Prefix.kind) == PrefixKind.allocation,
        ).limit(1)
    ).scalar_one_or_none()
    if other is not None:
        return Conflict(
            f"{net.cidr} overlaps allocation {other.prefix} (id {other.id}), written concurrently; choose other space.",
            conflicting=_conflict_body(other),
        )
    return Conflict(f"{net.cidr} conflicts with a prefix written concurrently ({type(exc.orig).__name__}); retry.")


def prefix_event(p: Prefix) -> dict[str, Any]:
    """The data of a prefix.allocated / prefix.released event."""
    return {
        "prefix_id": p.id, "prefix": p.prefix, "vrf_id": p.vrf_id, "family": p.family, "kind": p.kind,
        "agency_id": p.agency_id, "service_id": p.service_id, "purpose": p.purpose, "parent_id": p.parent_id,
    }


def after_create(*, session: Session, principal: Principal, prefix: Prefix) -> None:
    """Log a new prefix, and announce it when it is an allocation."""
    record_change(session=session, principal=principal, action=ChangeAction.create, obj=prefix, before=None, after=snapshot(prefix))
    if prefix.kind == PrefixKind.allocation:
        outbox.emit(session, PREFIX_ALLOCATED, subject=prefix.id or 0, data=prefix_event(prefix))


def create_prefix(*, session: Session, principal: Principal, data: PrefixCreate) -> Prefix:
    """Create a container, pool or allocation after checking N7 (no overlap, named owner and purpose).

    A non-administrator creates only inside a prefix of its own agency, and only for its own agency."""
    net = netmath.parse_prefix(data.prefix)
    vrf_key = vrf_key_of(session=session, vrf_id=data.vrf_id)
    scope = access.scope_of(session=session, principal=principal)
    if not scope.everything:
        access.require_own_agency(scope, data.agency_id)
        if data.parent_id is not None:
            readable_prefix(session=session, principal=principal, prefix_id=data.parent_id)
        access.require_space(session=session, scope=scope, vrf_key=vrf_key, family=net.family, first_hex=net.first_hex, last_hex=net.last_hex, what=net.cidr, field="prefix")
    check_allocation_fields(session=session, kind=data.kind, agency_id=data.agency_id, service_id=data.service_id, purpose=data.purpose)
    lock_vrf(session=session, vrf_key=vrf_key)
    parent = _place(session, vrf_key=vrf_key, net=net, kind=data.kind, parent_id=data.parent_id)
    fields = data.model_dump(include={"kind", "status", "agency_id", "service_id", "purpose", "description"})
    prefix = insert_prefix(session=session, vrf_id=data.vrf_id, vrf_key=vrf_key, net=net, parent=parent, fields=fields)
    after_create(session=session, principal=principal, prefix=prefix)
    return prefix


def list_prefixes(
    *,
    session: Session,
    principal: Principal,
    vrf_id: int | None,
    family: int | None,
    kind: str | None,
    status: str | None,
    agency_id: int | None,
    service_id: int | None,
    parent_id: int | None,
    within: str | None,
    q: str | None,
    paging: Paging,
) -> tuple[list[Prefix], int]:
    """Prefixes the caller may see, in address order, filtered."""
    conds = access.readable_conditions(Prefix, access.scope_of(session=session, principal=principal))
    if vrf_id is not None:
        conds.append(id_eq(Prefix.vrf_key, vrf_id))
    if family is not None:
        conds.append(col(Prefix.family) == family)
    if kind is not None:
        conds.append(enum_eq(Prefix.kind, PrefixKind, kind))
    if status is not None:
        conds.append(enum_eq(Prefix.status, PrefixStatus, status))
    for id_col, id_value in ((Prefix.agency_id, agency_id), (Prefix.service_id, service_id), (Prefix.parent_id, parent_id)):
        if id_value is not None:
            conds.append(id_eq(id_col, id_value))
    if within:
        net = netmath.parse_prefix(within, field="within")
        conds += [
            col(Prefix.family) == net.family, col(Prefix.first_hex) >= net.first_hex, col(Prefix.last_hex) <= net.last_hex,
            col(Prefix.prefix_length) > net.length,
        ]
    if q:
        conds.append(or_(col(Prefix.prefix).like(f"%{q}%"), col(Prefix.description).like(f"%{q}%"), col(Prefix.purpose).like(f"%{q}%")))
    return page_of(session=session, model=Prefix, conds=conds, order=[Prefix.vrf_key, Prefix.family, Prefix.first_hex, Prefix.prefix_length], paging=paging)


def update_prefix(*, session: Session, principal: Principal, prefix: Prefix, data: PrefixUpdate) -> Prefix:
    """Change a prefix's status, owner, purpose or description (its CIDR is fixed: release and allocate again)."""
    changes = data.changes()
    access.require_own_agency(access.scope_of(session=session, principal=principal), changes.get("agency_id"))
    before = snapshot(prefix) or {}
    merged = {**before, **changes}
    check_allocation_fields(
        session=session, kind=prefix.kind, agency_id=merged["agency_id"], service_id=merged["service_id"], purpose=merged["purpose"]
    )
    apply_changes(prefix, changes)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.update, obj=prefix, before=before, after=snapshot(prefix))
    return prefix


def release_prefix(*, session: Session, principal: Principal, prefix: Prefix) -> None:
    """Delete a prefix; its children and addresses move up to its parent, which regains the space."""
    lock_vrf(session=session, vrf_key=prefix.vrf_key)
    before = snapshot(prefix)
    session.execute(update(Prefix).where(col(Prefix.parent_id) == prefix.id).values(parent_id=prefix.parent_id))
    session.execute(update(IpAddress).where(col(IpAddress.prefix_id) == prefix.id).values(prefix_id=prefix.parent_id))
    session.execute(update(IpRange).where(col(IpRange.prefix_id) == prefix.id).values(prefix_id=prefix.parent_id))
    if prefix.parent_id is not None:
        parent = session.get(Prefix, prefix.parent_id)
        if parent is not None:
            parent.prefix_hint_hex = min(parent.prefix_hint_hex or parent.first_hex, prefix.first_hex)
            parent.ip_hint_hex = min(parent.ip_hint_hex or parent.first_hex, prefix.first_hex)
    session.delete(prefix)
    session.flush()
    record_change(session=session, principal=principal, action=ChangeAction.delete, obj=prefix, before=before, after=None)
    if prefix.kind == PrefixKind.allocation:
        outbox.emit(session, PREFIX_RELEASED, subject=prefix.id or 0, data=prefix_event(prefix))


def check_next_prefix_request(parent: Prefix, data: PrefixRequest) -> None:
    """422 unless a /``data.prefix_length`` could exist in ``parent``'s family and ``parent`` is a pool
    or container; 409 when it is no longer than ``parent`` (no space for it there, as NetBox answers)."""
    if parent.kind == PrefixKind.allocation:
        raise InvalidInput(f"{parent.prefix} is an allocation; allocate from a pool or container instead.")
    bits = netmath.BITS[parent.family]
    if data.prefix_length > bits:
        raise InvalidInput(
            f"prefix_length must be at most /{bits} for {parent.prefix}.",
            errors=[{"field": "prefix_length", "message": f"between {parent.prefix_length + 1} and {bits}"}],
        )
    if data.prefix_length <= parent.prefix_length:
        raise Conflict(
            f"{parent.prefix} has no room for a /{data.prefix_length}: only prefixes longer than /{parent.prefix_length} fit in it; "
            "ask a larger container or a longer prefix length."
        )
