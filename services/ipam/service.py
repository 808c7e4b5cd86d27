# mypy: disable-error-code="arg-type,call-overload,union-attr,attr-defined"
# (SQLModel declares columns as their Python types; in query expressions they are SQL columns)
"""Domain logic of the ipam service: plain functions taking a session; no FastAPI here.

Structure writes in one VRF are serialised: on SQLite by the write transaction's BEGIN
IMMEDIATE, on PostgreSQL by a transaction-scoped advisory lock per VRF; the exclusion constraint
(PostgreSQL) and the unique (vrf, address) constraint are the backstop for any other path.
"""

from __future__ import annotations

import functools
import heapq
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from services.ipam import access, netmath
from services.ipam.access import EVERYTHING, Scope
from services.ipam.events import outbox
from services.ipam.models import (
    Agency,
    ChangeLog,
    IpAddress,
    IpDemand,
    NetworkService,
    Prefix,
    PrefixKind,
    ServiceCategory,
    Subscription,
    Vrf,
    utcnow,
)
from services.ipam.netmath import Net, from_hex, to_hex
from services.ipam.schemas import (
    AddressCreate,
    AddressRequest,
    AddressUpdate,
    AgencyCreate,
    AgencyUpdate,
    DemandUpsert,
    PrefixCreate,
    PrefixRequest,
    PrefixUpdate,
    ServiceCreate,
    ServiceUpdate,
    SubscriptionCreate,
    VrfCreate,
)
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.observability import request_id_var

T = TypeVar("T", bound=SQLModel)
#: ids are 32-bit INTEGER columns on PostgreSQL: a larger id (the API accepts up to 2^63-1) names
#: nothing, and must not reach the database, which would refuse to even compare it
MAX_DB_ID = 2**31 - 1
SCAN_CHUNK = 512
ADVISORY_LOCK_BASE = 0x1BA0_0000
_PT, _AT, _CT = Prefix.__table__, IpAddress.__table__, ChangeLog.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Actor:
    """Who makes a change: the token's subject (or an event's source) and the request id."""

    sub: str
    request_id: str | None = None

    @classmethod
    def of(cls, sub: str) -> Actor:
        return cls(sub=sub, request_id=request_id_var.get())


# -- change log ---------------------------------------------------------------------------------
def snapshot(obj: SQLModel | None) -> dict[str, Any] | None:
    """The row's columns as JSON-safe values."""
    if obj is None:
        return None
    out: dict[str, Any] = {}
    for key, value in obj.model_dump().items():
        if key in {"prefix_hint_hex", "ip_hint_hex"}:
            continue
        out[key] = value.isoformat() if isinstance(value, (datetime, date)) else value
    return out


def record_change(
    session: Session,
    *,
    actor: Actor,
    action: str,
    obj: SQLModel,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Append one change-log row in the caller's transaction."""
    table = str(getattr(obj, "__tablename__", type(obj).__name__))
    label = getattr(obj, "prefix", None) or getattr(obj, "address", None) or getattr(obj, "name", None) or ""
    session.add(
        ChangeLog(
            actor=actor.sub,
            request_id=actor.request_id,
            action=action,
            object_type=table,
            object_id=int(getattr(obj, "id", 0) or 0),
            object_repr=str(label)[:300],
            before=before,
            after=after,
        )
    )


def list_changes(
    session: Session,
    *,
    object_type: str | None,
    object_id: int | None,
    actor: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
    scope: Scope,
) -> tuple[list[ChangeLog], int]:
    """Change-log rows, newest first, filtered; a non-administrator sees the history of what it may read now."""
    conds = []
    if not scope.everything:
        prefixes = access.readable(select(Prefix.id), Prefix, scope)
        addresses = access.readable(select(IpAddress.id), IpAddress, scope)
        conds.append(or_(
            and_(ChangeLog.object_type == "prefix", ChangeLog.object_id.in_(prefixes)),
            and_(ChangeLog.object_type == "ip_address", ChangeLog.object_id.in_(addresses)),
            and_(ChangeLog.object_type == "agency", access.agency_condition(ChangeLog.object_id, scope)),
        ))
    if object_type:
        conds.append(ChangeLog.object_type == object_type)
    if object_id is not None:
        conds.append(_id_eq(ChangeLog.object_id, object_id))
    if actor:
        conds.append(ChangeLog.actor == actor)
    if since:
        conds.append(ChangeLog.time >= since)
    if until:
        conds.append(ChangeLog.time < until)
    return _page(session, ChangeLog, conds, [ChangeLog.time.desc(), ChangeLog.id.desc()], limit, offset)  # type: ignore[attr-defined,union-attr]


def _page(session: Session, model: type[T], conds: Sequence[Any], order: Sequence[Any], limit: int, offset: int) -> tuple[list[T], int]:
    where = and_(*conds) if conds else and_(True)
    count = int(session.execute(select(func.count()).select_from(model).where(where)).scalar_one())
    rows = list(session.execute(select(model).where(where).order_by(*order).limit(limit).offset(offset)).scalars())
    return rows, count


#: the list route of each kind of object, for the hint in a 404
_LIST_PATHS = {
    "Agency": "agencies", "Prefix": "prefixes", "IP address": "ip-addresses", "VRF": "vrfs",
    "Network service": "network-services", "Subscription": "subscriptions",
}


def _not_found(label: str, obj_id: int) -> NotFound:
    path = _LIST_PATHS.get(label, label.lower().replace(" ", "-") + "s")
    return NotFound(f"{label} {obj_id} does not exist; list them at /api/v1/ipam/{path}.")


def _id_eq(column: Any, value: int) -> Any:
    """``column = value``, or false when no row can have that id."""
    return column == value if value <= MAX_DB_ID else false()


def _get(session: Session, model: type[T], obj_id: int, label: str) -> T:
    obj = session.get(model, obj_id) if obj_id <= MAX_DB_ID else None
    if obj is None:
        raise _not_found(label, obj_id)
    return obj


def _apply(obj: SQLModel, changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        setattr(obj, key, value)
    if hasattr(obj, "updated_at"):
        obj.updated_at = utcnow()  # type: ignore[attr-defined]


# -- agencies -------------------------------------------------------------------------------------
_LEVEL_PARENT = {"province": None, "district": "province", "commune": "district"}


def _check_agency_parent(session: Session, level: str, parent_id: int | None) -> None:
    expected = _LEVEL_PARENT[level]
    if expected is None:
        if parent_id is not None:
            raise InvalidInput("A province-level agency has no parent; leave parent_id empty.", errors=[{"field": "parent_id", "message": "must be empty for level province"}])
        return
    if parent_id is None:
        return  # a level-I or stand-alone body may hang directly under nothing
    parent = _get(session, Agency, parent_id, "Agency")
    if parent.level != expected and not (level == "district" and parent.level == "province") and not (
        level == "commune" and parent.level in {"district", "province"}
    ):
        raise InvalidInput(
            f"A {level}-level agency must sit under a {expected}-level agency, but agency {parent_id} is {parent.level}-level.",
            errors=[{"field": "parent_id", "message": f"must be a {expected}-level agency"}],
        )


def _require_admin_for_org(scope: Scope, org_id: str | None) -> None:
    if org_id is not None and not scope.everything:
        raise Forbidden("Only the department (ipam:admin) links an agency to a gateway organisation (org_id).")


def create_agency(session: Session, *, actor: Actor, data: AgencyCreate, scope: Scope = EVERYTHING) -> Agency:
    """Create a user agency (N2)."""
    _require_admin_for_org(scope, data.org_id)
    if session.execute(select(Agency.id).where(Agency.code == data.code)).first():
        raise Conflict(f"An agency with code '{data.code}' already exists; choose another code.", errors=[{"field": "code", "message": "already used"}])
    _check_agency_parent(session, data.level.value, data.parent_id)
    agency = Agency(**data.model_dump(exclude={"contacts"}), contacts=[c.model_dump() for c in data.contacts])
    agency.level = data.level.value
    agency.access_level = data.access_level.value
    session.add(agency)
    session.flush()
    record_change(session, actor=actor, action="create", obj=agency, before=None, after=snapshot(agency))
    return agency


def list_agencies(
    session: Session, *, level: str | None, parent_id: int | None, q: str | None, access_level: str | None, limit: int, offset: int
) -> tuple[list[Agency], int]:
    """Agencies, filtered and paginated."""
    conds = []
    if level:
        conds.append(Agency.level == level)
    if parent_id is not None:
        conds.append(_id_eq(Agency.parent_id, parent_id))
    if access_level:
        conds.append(Agency.access_level == access_level)
    if q:
        like = f"%{q}%"
        conds.append(or_(Agency.name.like(like), Agency.code.like(like)))  # type: ignore[attr-defined]
    return _page(session, Agency, conds, [Agency.id], limit, offset)


def get_agency(session: Session, *, agency_id: int) -> Agency:
    """One agency or 404."""
    return _get(session, Agency, agency_id, "Agency")


def own_agency(session: Session, *, agency_id: int, scope: Scope) -> Agency:
    """One of the caller's agencies (every agency for the department), or 404."""
    if not scope.owns_agency(agency_id):
        raise _not_found("Agency", agency_id)
    return get_agency(session, agency_id=agency_id)


def update_agency(session: Session, *, actor: Actor, agency_id: int, data: AgencyUpdate, scope: Scope = EVERYTHING) -> Agency:
    """Change an agency's fields (a non-administrator: only its own agency, and never its org_id)."""
    agency = own_agency(session, agency_id=agency_id, scope=scope)
    before = snapshot(agency)
    changes = data.changes()
    if "org_id" in changes and not scope.everything:
        raise Forbidden("Only the department (ipam:admin) links an agency to a gateway organisation (org_id).")
    if "contacts" in changes and data.contacts is not None:
        changes["contacts"] = [c.model_dump() for c in data.contacts]
    for key in ("level", "access_level"):
        if changes.get(key) is not None:
            changes[key] = str(changes[key].value if hasattr(changes[key], "value") else changes[key])
    if "parent_id" in changes or "level" in changes:
        if changes.get("parent_id") == agency_id:
            raise InvalidInput("An agency cannot be its own parent.", errors=[{"field": "parent_id", "message": "self reference"}])
        _check_agency_parent(session, changes.get("level") or agency.level, changes.get("parent_id", agency.parent_id))
    _apply(agency, changes)
    session.flush()
    record_change(session, actor=actor, action="update", obj=agency, before=before, after=snapshot(agency))
    return agency


def delete_agency(session: Session, *, actor: Actor, agency_id: int, scope: Scope = EVERYTHING) -> None:
    """Delete an agency that has no children, prefixes or subscriptions."""
    agency = own_agency(session, agency_id=agency_id, scope=scope)
    uses = {
        "child agencies": session.execute(select(func.count()).where(Agency.parent_id == agency_id)).scalar_one(),
        "prefixes": session.execute(select(func.count()).where(Prefix.agency_id == agency_id)).scalar_one(),
        "subscriptions": session.execute(select(func.count()).where(Subscription.agency_id == agency_id)).scalar_one(),
    }
    used = {k: v for k, v in uses.items() if v}
    if used:
        what = ", ".join(f"{v} {k}" for k, v in used.items())
        raise Conflict(f"Agency {agency_id} still has {what}; move or release them first.")
    before = snapshot(agency)
    session.delete(agency)
    session.flush()
    record_change(session, actor=actor, action="delete", obj=agency, before=before, after=None)


# -- catalogue ----------------------------------------------------------------------------------
def create_service(session: Session, *, actor: Actor, category: ServiceCategory, data: ServiceCreate) -> NetworkService:
    """Add a network service or an application to the N1 catalogue."""
    if session.execute(select(NetworkService.id).where(NetworkService.code == data.code)).first():
        raise Conflict(f"A catalogue entry with code '{data.code}' already exists.", errors=[{"field": "code", "message": "already used"}])
    item = NetworkService(**data.model_dump(), category=category.value)
    session.add(item)
    session.flush()
    record_change(session, actor=actor, action="create", obj=item, before=None, after=snapshot(item))
    return item


def list_services(session: Session, *, category: ServiceCategory | None, limit: int, offset: int) -> tuple[list[NetworkService], int]:
    """Catalogue entries of one category (or all)."""
    conds = [NetworkService.category == category.value] if category else []
    return _page(session, NetworkService, conds, [NetworkService.id], limit, offset)


def get_service(session: Session, *, service_id: int, category: ServiceCategory | None = None) -> NetworkService:
    """One catalogue entry or 404."""
    item = _get(session, NetworkService, service_id, "Network service")
    if category and item.category != category.value:
        raise NotFound(f"Catalogue entry {service_id} is not a {category.value} entry.")
    return item


def update_service(session: Session, *, actor: Actor, service_id: int, category: ServiceCategory, data: ServiceUpdate) -> NetworkService:
    """Change a catalogue entry."""
    item = get_service(session, service_id=service_id, category=category)
    before = snapshot(item)
    _apply(item, data.changes())
    session.flush()
    record_change(session, actor=actor, action="update", obj=item, before=before, after=snapshot(item))
    return item


def delete_service(session: Session, *, actor: Actor, service_id: int, category: ServiceCategory) -> None:
    """Remove an unused catalogue entry."""
    item = get_service(session, service_id=service_id, category=category)
    n = session.execute(select(func.count()).where(Prefix.service_id == service_id)).scalar_one()
    s = session.execute(select(func.count()).where(Subscription.service_id == service_id)).scalar_one()
    if n or s:
        raise Conflict(f"Catalogue entry {service_id} is used by {n} prefixes and {s} subscriptions; release them first.")
    before = snapshot(item)
    session.delete(item)
    session.flush()
    record_change(session, actor=actor, action="delete", obj=item, before=before, after=None)


def create_subscription(session: Session, *, actor: Actor, data: SubscriptionCreate, scope: Scope = EVERYTHING) -> Subscription:
    """Record that an agency uses a service (N1)."""
    own_agency(session, agency_id=data.agency_id, scope=scope)
    get_service(session, service_id=data.service_id)
    exists = session.execute(
        select(Subscription.id).where(Subscription.agency_id == data.agency_id, Subscription.service_id == data.service_id)
    ).first()
    if exists:
        raise Conflict(f"Agency {data.agency_id} already subscribes to service {data.service_id} (subscription {exists[0]}).")
    sub = Subscription(**data.model_dump())
    session.add(sub)
    session.flush()
    record_change(session, actor=actor, action="create", obj=sub, before=None, after=snapshot(sub))
    return sub


def list_subscriptions(
    session: Session, *, agency_id: int | None, service_id: int | None, limit: int, offset: int, scope: Scope
) -> tuple[list[Subscription], int]:
    """Subscriptions of the caller's agencies, filtered."""
    conds = [c for c in (access.agency_condition(Subscription.agency_id, scope),) if c is not None]
    if agency_id is not None:
        conds.append(_id_eq(Subscription.agency_id, agency_id))
    if service_id is not None:
        conds.append(_id_eq(Subscription.service_id, service_id))
    return _page(session, Subscription, conds, [Subscription.id], limit, offset)


def delete_subscription(session: Session, *, actor: Actor, subscription_id: int, scope: Scope = EVERYTHING) -> None:
    """End a subscription (of one of the caller's agencies)."""
    sub = _get(session, Subscription, subscription_id, "Subscription")
    if not scope.owns_agency(sub.agency_id):
        raise _not_found("Subscription", subscription_id)
    before = snapshot(sub)
    session.delete(sub)
    session.flush()
    record_change(session, actor=actor, action="delete", obj=sub, before=before, after=None)


def upsert_demand(session: Session, *, actor: Actor, data: DemandUpsert, scope: Scope = EVERYTHING) -> IpDemand:
    """Declare (or correct) an agency's demand for a year."""
    own_agency(session, agency_id=data.agency_id, scope=scope)
    row = session.execute(select(IpDemand).where(IpDemand.agency_id == data.agency_id, IpDemand.year == data.year)).scalar_one_or_none()
    if row is None:
        row = IpDemand(**data.model_dump())
        session.add(row)
        session.flush()
        record_change(session, actor=actor, action="create", obj=row, before=None, after=snapshot(row))
    else:
        before = snapshot(row)
        _apply(row, data.model_dump())
        session.flush()
        record_change(session, actor=actor, action="update", obj=row, before=before, after=snapshot(row))
    return row


def list_demands(session: Session, *, agency_id: int | None, year: int | None, limit: int, offset: int, scope: Scope) -> tuple[list[IpDemand], int]:
    """Declared demands of the caller's agencies."""
    conds = [c for c in (access.agency_condition(IpDemand.agency_id, scope),) if c is not None]
    if agency_id is not None:
        conds.append(_id_eq(IpDemand.agency_id, agency_id))
    if year is not None:
        conds.append(IpDemand.year == year)
    return _page(session, IpDemand, conds, [IpDemand.year, IpDemand.agency_id], limit, offset)


# -- vrfs ----------------------------------------------------------------------------------------
def create_vrf(session: Session, *, actor: Actor, data: VrfCreate) -> Vrf:
    """Create a routing domain."""
    if session.execute(select(Vrf.id).where(Vrf.name == data.name)).first():
        raise Conflict(f"A VRF named '{data.name}' already exists.", errors=[{"field": "name", "message": "already used"}])
    if data.service_id is not None:
        get_service(session, service_id=data.service_id)
    vrf = Vrf(**data.model_dump())
    session.add(vrf)
    session.flush()
    record_change(session, actor=actor, action="create", obj=vrf, before=None, after=snapshot(vrf))
    return vrf


def list_vrfs(session: Session, *, limit: int, offset: int) -> tuple[list[Vrf], int]:
    """All VRFs."""
    return _page(session, Vrf, [], [Vrf.id], limit, offset)


def get_vrf(session: Session, *, vrf_id: int) -> Vrf:
    """One VRF or 404."""
    return _get(session, Vrf, vrf_id, "VRF")


def delete_vrf(session: Session, *, actor: Actor, vrf_id: int) -> None:
    """Delete an empty VRF."""
    vrf = get_vrf(session, vrf_id=vrf_id)
    n = session.execute(select(func.count()).where(Prefix.vrf_key == vrf_id)).scalar_one()
    if n:
        raise Conflict(f"VRF {vrf_id} still holds {n} prefixes; release them first.")
    before = snapshot(vrf)
    session.delete(vrf)
    session.flush()
    record_change(session, actor=actor, action="delete", obj=vrf, before=before, after=None)


# -- prefixes: structure ---------------------------------------------------------------------------
def lock_vrf(session: Session, vrf_key: int) -> None:
    """Serialise structure writes in one VRF (PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_BASE + vrf_key})


def prefix_net(p: Prefix) -> Net:
    return Net(cidr=p.prefix, family=p.family, length=p.prefix_length, first=from_hex(p.first_hex), last=from_hex(p.last_hex))


def _supernet_firsts(family: int, value: int, max_length: int) -> list[str]:
    bits = netmath.BITS[family]
    firsts = {to_hex(value >> (bits - length) << (bits - length)) if length else to_hex(0) for length in range(0, max_length + 1)}
    return sorted(firsts)


def containing_prefixes(session: Session, *, vrf_key: int, family: int, first: int, last: int, max_length: int) -> list[Prefix]:
    """Prefixes containing [first, last], largest first (exact index probes on aligned supernets)."""
    rows = session.execute(
        select(Prefix).where(
            Prefix.vrf_key == vrf_key,
            Prefix.family == family,
            Prefix.first_hex.in_(_supernet_firsts(family, first, max_length)),  # type: ignore[attr-defined]
            Prefix.last_hex >= to_hex(last),
        )
    ).scalars()
    return sorted(rows, key=lambda p: p.prefix_length)


def _vrf_key(session: Session, vrf_id: int | None) -> int:
    if vrf_id is None:
        return 0
    get_vrf(session, vrf_id=vrf_id)
    return vrf_id


def _require_allocation_fields(*, kind: str, agency_id: int | None, service_id: int | None, purpose: str) -> None:
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


def _check_allocation_fields(*, kind: str, agency_id: int | None, service_id: int | None, purpose: str, session: Session) -> None:
    _require_allocation_fields(kind=kind, agency_id=agency_id, service_id=service_id, purpose=purpose)
    # a pool or container may name an owner too: it must exist as well
    if agency_id is not None:
        get_agency(session, agency_id=agency_id)
    if service_id is not None:
        get_service(session, service_id=service_id)


def _conflict_body(p: Prefix) -> dict[str, Any]:
    return {"id": p.id, "prefix": p.prefix, "kind": p.kind, "agency_id": p.agency_id, "service_id": p.service_id, "vrf_id": p.vrf_id}


def _place(session: Session, *, vrf_key: int, net: Net, kind: str, parent_id: int | None) -> Prefix | None:
    """Check where ``net`` goes and return its parent: 422 for duplicates, nesting under an
    allocation, an allocation over other prefixes, or a prefix outside the named parent."""
    supers = containing_prefixes(session, vrf_key=vrf_key, family=net.family, first=net.first, last=net.last, max_length=net.length)
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
        named = _get(session, Prefix, parent_id, "Prefix")
        if named.vrf_key != vrf_key or not prefix_net(named).contains(net) or named.prefix_length >= net.length:
            raise InvalidInput(
                f"{net.cidr} is outside its parent {named.prefix} (id {named.id}); choose a prefix inside {named.prefix}"
                + ("" if named.vrf_key == vrf_key else " and in the same VRF")
                + ", or use POST /prefixes/{named.id}/available-prefixes to get one.".replace("{named.id}", str(named.id)),
                errors=[{"field": "prefix", "message": f"outside parent {named.prefix}"}],
            )
    if kind == PrefixKind.allocation:
        inside = select(Prefix).where(
            Prefix.vrf_key == vrf_key,
            Prefix.family == net.family,
            Prefix.first_hex >= net.first_hex,
            Prefix.first_hex <= net.last_hex,
            Prefix.prefix_length > net.length,
        )
        inner = session.execute(inside.where(Prefix.kind == PrefixKind.allocation).limit(1)).scalar_one_or_none()
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


def _insert_prefix(
    session: Session, *, vrf_id: int | None, vrf_key: int, net: Net, parent: Prefix | None, fields: dict[str, Any], from_free_space: bool = False
) -> Prefix:
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
    session.add(prefix)
    try:
        session.flush()
    except IntegrityError as exc:
        # the request fails anyway: roll back, then name the conflicting allocation in a fresh transaction
        session.rollback()
        raise _integrity_conflict(session, vrf_key, net, exc) from None
    # prefixes and addresses that were directly under the parent and lie inside move under the new prefix
    if not from_free_space:
        _adopt_children(session, prefix, net, parent, vrf_key)
    a_parent = IpAddress.prefix_id == parent.id if parent else IpAddress.prefix_id.is_(None)  # type: ignore[union-attr]
    session.execute(
        update(IpAddress)
        .where(IpAddress.vrf_key == vrf_key, IpAddress.family == net.family, IpAddress.value_hex >= net.first_hex, IpAddress.value_hex <= net.last_hex, a_parent)
        .values(prefix_id=prefix.id)
    )
    return prefix


def _adopt_children(session: Session, prefix: Prefix, net: Net, parent: Prefix | None, vrf_key: int) -> None:
    in_range = and_(Prefix.vrf_key == vrf_key, Prefix.family == net.family, Prefix.first_hex >= net.first_hex, Prefix.last_hex <= net.last_hex, Prefix.id != prefix.id)
    parent_cond = Prefix.parent_id == parent.id if parent else Prefix.parent_id.is_(None)  # type: ignore[union-attr]
    session.execute(update(Prefix).where(in_range, parent_cond).values(parent_id=prefix.id))


def _integrity_conflict(session: Session, vrf_key: int, net: Net, exc: IntegrityError) -> Conflict:
    """Turn a constraint violation (exclusion or unique) into a 409 naming the conflicting allocation."""
    other = session.execute(
        select(Prefix).where(
            Prefix.vrf_key == vrf_key, Prefix.family == net.family, Prefix.first_hex <= net.last_hex, Prefix.last_hex >= net.first_hex,
            Prefix.kind == PrefixKind.allocation,
        ).limit(1)
    ).scalar_one_or_none()
    if other is not None:
        return Conflict(
            f"{net.cidr} overlaps allocation {other.prefix} (id {other.id}), written concurrently; choose other space.",
            conflicting=_conflict_body(other),
        )
    return Conflict(f"{net.cidr} conflicts with a prefix written concurrently ({type(exc.orig).__name__}); retry.")


def create_prefix(session: Session, *, actor: Actor, data: PrefixCreate, scope: Scope = EVERYTHING) -> Prefix:
    """Create a container, pool or allocation after checking N7 (no overlap, named owner and purpose).

    A non-administrator creates only inside a prefix of its own agency, and only for its own agency."""
    net = netmath.parse_prefix(data.prefix)
    vrf_key = _vrf_key(session, data.vrf_id)
    if not scope.everything:
        access.require_own_agency(scope, data.agency_id)
        if data.parent_id is not None:
            get_prefix(session, prefix_id=data.parent_id, scope=scope)
        access.require_space(session, scope, vrf_key=vrf_key, family=net.family, first_hex=net.first_hex, last_hex=net.last_hex, what=net.cidr, field="prefix")
    _check_allocation_fields(kind=data.kind, agency_id=data.agency_id, service_id=data.service_id, purpose=data.purpose, session=session)
    lock_vrf(session, vrf_key)
    parent = _place(session, vrf_key=vrf_key, net=net, kind=data.kind, parent_id=data.parent_id)
    fields = data.model_dump(include={"kind", "status", "agency_id", "service_id", "purpose", "description"})
    fields["kind"], fields["status"] = data.kind.value, data.status.value
    prefix = _insert_prefix(session, vrf_id=data.vrf_id, vrf_key=vrf_key, net=net, parent=parent, fields=fields)
    _after_create(session, actor, prefix)
    return prefix


def _after_create(session: Session, actor: Actor, prefix: Prefix) -> None:
    record_change(session, actor=actor, action="create", obj=prefix, before=None, after=snapshot(prefix))
    if prefix.kind == PrefixKind.allocation:
        outbox.emit(session, "govnet.ipam.prefix.allocated.v1", subject=prefix.id or 0, data=_prefix_event(prefix))


def _prefix_event(p: Prefix) -> dict[str, Any]:
    return {
        "prefix_id": p.id, "prefix": p.prefix, "vrf_id": p.vrf_id, "family": p.family, "kind": p.kind,
        "agency_id": p.agency_id, "service_id": p.service_id, "purpose": p.purpose, "parent_id": p.parent_id,
    }


def get_prefix(session: Session, *, prefix_id: int, scope: Scope = EVERYTHING) -> Prefix:
    """One prefix the caller may see, or 404."""
    if scope.everything:
        return _get(session, Prefix, prefix_id, "Prefix")
    found = session.execute(access.readable(select(Prefix).where(_id_eq(Prefix.id, prefix_id)), Prefix, scope)).scalar_one_or_none()
    if found is None:
        raise _not_found("Prefix", prefix_id)
    return found


def list_prefixes(
    session: Session,
    *,
    vrf_id: int | None,
    family: int | None,
    kind: str | None,
    status: str | None,
    agency_id: int | None,
    service_id: int | None,
    parent_id: int | None,
    within: str | None,
    q: str | None,
    limit: int,
    offset: int,
    scope: Scope,
) -> tuple[list[Prefix], int]:
    """Prefixes the caller may see, in address order, filtered."""
    conds: list[Any] = [c for c in (access.readable_condition(Prefix, scope),) if c is not None]
    if vrf_id is not None:
        conds.append(_id_eq(Prefix.vrf_key, vrf_id))
    if family is not None:
        conds.append(Prefix.family == family)
    for col, value in ((Prefix.kind, kind), (Prefix.status, status)):
        if value is not None:
            conds.append(col == value)
    for id_col, id_value in ((Prefix.agency_id, agency_id), (Prefix.service_id, service_id), (Prefix.parent_id, parent_id)):
        if id_value is not None:
            conds.append(_id_eq(id_col, id_value))
    if within:
        net = netmath.parse_prefix(within, field="within")
        conds += [Prefix.family == net.family, Prefix.first_hex >= net.first_hex, Prefix.last_hex <= net.last_hex, Prefix.prefix_length > net.length]
    if q:
        conds.append(or_(Prefix.prefix.like(f"%{q}%"), Prefix.description.like(f"%{q}%"), Prefix.purpose.like(f"%{q}%")))  # type: ignore[attr-defined]
    return _page(session, Prefix, conds, [Prefix.vrf_key, Prefix.family, Prefix.first_hex, Prefix.prefix_length], limit, offset)


def update_prefix(session: Session, *, actor: Actor, prefix_id: int, data: PrefixUpdate, scope: Scope = EVERYTHING) -> Prefix:
    """Change a prefix's status, owner, purpose or description (its CIDR is fixed: release and allocate again)."""
    prefix = get_prefix(session, prefix_id=prefix_id, scope=scope)
    changes = data.changes()
    access.require_own_agency(scope, changes.get("agency_id"))
    if "status" in changes and changes["status"] is not None:
        changes["status"] = str(changes["status"].value)
    merged = {**snapshot(prefix), **changes}  # type: ignore[dict-item]
    _check_allocation_fields(kind=prefix.kind, agency_id=merged["agency_id"], service_id=merged["service_id"], purpose=merged["purpose"], session=session)
    before = snapshot(prefix)
    _apply(prefix, changes)
    session.flush()
    record_change(session, actor=actor, action="update", obj=prefix, before=before, after=snapshot(prefix))
    return prefix


def release_prefix(session: Session, *, actor: Actor, prefix_id: int, scope: Scope = EVERYTHING) -> None:
    """Delete a prefix; its children and addresses move up to its parent, which regains the space."""
    prefix = get_prefix(session, prefix_id=prefix_id, scope=scope)
    lock_vrf(session, prefix.vrf_key)
    before = snapshot(prefix)
    session.execute(update(Prefix).where(Prefix.parent_id == prefix.id).values(parent_id=prefix.parent_id))
    session.execute(update(IpAddress).where(IpAddress.prefix_id == prefix.id).values(prefix_id=prefix.parent_id))
    if prefix.parent_id is not None:
        parent = session.get(Prefix, prefix.parent_id)
        if parent is not None:
            parent.prefix_hint_hex = min(parent.prefix_hint_hex or parent.first_hex, prefix.first_hex)
            parent.ip_hint_hex = min(parent.ip_hint_hex or parent.first_hex, prefix.first_hex)
    session.delete(prefix)
    session.flush()
    record_change(session, actor=actor, action="delete", obj=prefix, before=before, after=None)
    if prefix.kind == PrefixKind.allocation:
        outbox.emit(session, "govnet.ipam.prefix.released.v1", subject=prefix_id, data=_prefix_event(prefix))


# -- free space ----------------------------------------------------------------------------------
@functools.cache
def _first_chunks_stmt(addresses: bool) -> Any:
    """The union of :func:`_first_chunks`, built once (parameters ``:pid`` and ``:start``)."""
    pid: Any = bindparam("pid")
    s_hex: Any = bindparam("start", type_=_PT.c.first_hex.type)
    src: Any = literal_column("0").label("src")
    parts = [
        select(src, Prefix.first_hex.label("a"), Prefix.last_hex.label("b")).where(Prefix.parent_id == pid, Prefix.first_hex < s_hex)
        .order_by(Prefix.first_hex.desc()).limit(1).subquery().select(),  # type: ignore[attr-defined]
        select(literal_column("1").label("src"), Prefix.first_hex.label("a"), Prefix.last_hex.label("b"))
        .where(Prefix.parent_id == pid, Prefix.first_hex >= s_hex).order_by(Prefix.first_hex).limit(SCAN_CHUNK).subquery().select(),
    ]
    if addresses:
        parts.append(
            select(literal_column("2").label("src"), IpAddress.value_hex.label("a"), IpAddress.value_hex.label("b"))
            .where(IpAddress.prefix_id == pid, IpAddress.value_hex >= s_hex).order_by(IpAddress.value_hex).limit(SCAN_CHUNK)
            .subquery().select()
        )
    return union_all(*parts)


def _first_chunks(session: Session, parent: Prefix, start: int, *, addresses: bool) -> tuple[list[Any], list[Any], list[Any] | None]:
    """In one round trip: the child prefix just before ``start``, the first chunk of children from
    ``start`` and (optionally) the first chunk of addresses from ``start``."""
    out: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    for kind, a, b in session.execute(_first_chunks_stmt(addresses), {"pid": parent.id, "start": to_hex(start)}).all():
        out[int(kind)].append((a, b))
    return out[0], sorted(out[1]), sorted(out[2]) if addresses else None


def _child_ranges(session: Session, parent: Prefix, start: int, first: tuple[list[Any], list[Any]] | None = None) -> Iterator[tuple[int, int]]:
    """Direct child prefixes of ``parent`` ending at or after ``start``, in address order, in chunks."""
    s_hex = to_hex(start)
    rows: list[Any] | None
    if first is None:
        before_rows, rows, _ = _first_chunks(session, parent, start, addresses=False)
    else:
        before_rows, rows = first
    before = before_rows[0] if before_rows else None
    if before is not None and before[1] >= s_hex:
        yield from_hex(before[0]), from_hex(before[1])
    cursor = s_hex
    inclusive = True
    while True:
        if rows is None:
            cond = Prefix.first_hex >= cursor if inclusive else Prefix.first_hex > cursor
            rows = list(session.execute(
                select(Prefix.first_hex, Prefix.last_hex).where(Prefix.parent_id == parent.id, cond).order_by(Prefix.first_hex).limit(SCAN_CHUNK)
            ).all())
        for f, lst in rows:
            yield from_hex(f), from_hex(lst)
        if len(rows) < SCAN_CHUNK:
            return
        cursor, inclusive = rows[-1][0], False
        rows = None


def _address_points(session: Session, parent: Prefix, start: int, first: list[Any] | None = None) -> Iterator[tuple[int, int]]:
    """Addresses directly in ``parent`` from ``start`` on, as one-address intervals, in chunks."""
    cursor, inclusive = to_hex(start), True
    rows: list[Any] | None = [r[0] for r in first] if first is not None else None
    while True:
        if rows is None:
            cond = IpAddress.value_hex >= cursor if inclusive else IpAddress.value_hex > cursor
            rows = list(session.execute(
                select(IpAddress.value_hex).where(IpAddress.prefix_id == parent.id, cond).order_by(IpAddress.value_hex).limit(SCAN_CHUNK)
            ).scalars().all())
        for v in rows:
            value = from_hex(v)
            yield value, value
        if len(rows) < SCAN_CHUNK:
            return
        cursor, inclusive = rows[-1], False
        rows = None


def _hint(parent: Prefix, column: str) -> int:
    value = getattr(parent, column)
    return max(from_hex(parent.first_hex), from_hex(value)) if value else from_hex(parent.first_hex)


def free_prefix_gaps(session: Session, *, parent: Prefix) -> Iterator[tuple[int, int]]:
    """Free intervals of ``parent`` (not covered by its child prefixes), lazily from the hint."""
    start = _hint(parent, "prefix_hint_hex")
    before, chunk, _ = _first_chunks(session, parent, start, addresses=False)
    return netmath.gaps(start, from_hex(parent.last_hex), _child_ranges(session, parent, start, (before, chunk)))


def free_address_gaps(session: Session, *, parent: Prefix) -> Iterator[tuple[int, int]]:
    """Free assignable intervals of ``parent``: usable range minus child prefixes and its addresses."""
    lo, hi = netmath.usable_range(prefix_net(parent), is_pool=parent.kind == PrefixKind.pool)
    # below the prefix hint everything is covered by child prefixes, so no address is free there either
    start = max(lo, _hint(parent, "ip_hint_hex"), _hint(parent, "prefix_hint_hex"))
    before, chunk, addrs = _first_chunks(session, parent, start, addresses=True)
    used = heapq.merge(_child_ranges(session, parent, start, (before, chunk)), _address_points(session, parent, start, addrs))
    return netmath.gaps(start, hi, used)


def available_prefixes(session: Session, *, prefix_id: int, limit: int, scope: Scope = EVERYTHING) -> list[Net]:
    """Free space of a prefix as the fewest aligned CIDR blocks (first ``limit``)."""
    parent = get_prefix(session, prefix_id=prefix_id, scope=scope)
    out: list[Net] = []
    for first, last in free_prefix_gaps(session, parent=parent):
        for net in netmath.range_to_cidrs(parent.family, first, last):
            out.append(net)
            if len(out) >= limit:
                return out
    return out


def available_ips(session: Session, *, prefix_id: int, limit: int, scope: Scope = EVERYTHING) -> list[str]:
    """The first ``limit`` free addresses of a prefix."""
    parent = get_prefix(session, prefix_id=prefix_id, scope=scope)
    out: list[str] = []
    for first, last in free_address_gaps(session, parent=parent):
        value = first
        while value <= last and len(out) < limit:
            out.append(netmath.address_text(parent.family, value))
            value += 1
        if len(out) >= limit:
            break
    return out


def allocate_next_prefix(session: Session, *, actor: Actor, prefix_id: int, data: PrefixRequest, scope: Scope = EVERYTHING) -> Prefix:
    """Allocate the first free aligned block of the asked length inside a pool or container (409 when full)."""
    if not scope.everything:
        get_prefix(session, prefix_id=prefix_id, scope=scope)
        access.require_own_agency(scope, data.agency_id)
    if _is_pg(session):
        return _pg_allocate_next_prefix(session, actor=actor, prefix_id=prefix_id, data=data)
    parent = get_prefix(session, prefix_id=prefix_id)
    _check_next_prefix_request(parent, data)
    bits = netmath.BITS[parent.family]
    _check_allocation_fields(kind=data.kind, agency_id=data.agency_id, service_id=data.service_id, purpose=data.purpose, session=session)
    lock_vrf(session, parent.vrf_key)
    session.refresh(parent)
    block = 1 << (bits - data.prefix_length)
    first_gap: int | None = None
    found: int | None = None
    for g_first, g_last in free_prefix_gaps(session, parent=parent):
        if first_gap is None:
            first_gap = g_first
        found = netmath.first_aligned_fit(g_first, g_last, block)
        if found is not None:
            break
    parent.prefix_hint_hex = to_hex(first_gap) if first_gap is not None else to_hex(from_hex(parent.last_hex))
    if found is None:
        raise Conflict(f"{parent.prefix} has no free /{data.prefix_length} left; use another pool or a longer prefix length.")
    net = netmath.net_from_range(parent.family, found, data.prefix_length)
    fields = data.model_dump(include={"status", "agency_id", "service_id", "purpose", "description"})
    fields["kind"], fields["status"] = data.kind.value, data.status.value
    # a block cut from free space between the parent's children has no child prefixes of its own
    prefix = _insert_prefix(session, vrf_id=parent.vrf_id, vrf_key=parent.vrf_key, net=net, parent=parent, fields=fields, from_free_space=True)
    _after_create(session, actor, prefix)
    return prefix


def _check_next_prefix_request(parent: Prefix, data: PrefixRequest) -> None:
    if parent.kind == PrefixKind.allocation:
        raise InvalidInput(f"{parent.prefix} is an allocation; allocate from a pool or container instead.")
    bits = netmath.BITS[parent.family]
    if not parent.prefix_length < data.prefix_length <= bits:
        raise InvalidInput(
            f"prefix_length must be longer than /{parent.prefix_length} and at most /{bits} for {parent.prefix}.",
            errors=[{"field": "prefix_length", "message": f"between {parent.prefix_length + 1} and {bits}"}],
        )


# -- next-free on PostgreSQL: few round trips, Core statements ----------------------------------------
# The hot path is lock (+ owner checks) -> parent -> free-space scan -> one data-modifying CTE that
# inserts the row(s), moves the parent's hint, re-homes addresses and writes the change log.


def _is_pg(session: Session) -> bool:
    return bool(session.get_bind().dialect.name == "postgresql")


@functools.cache
def _pg_lock_stmt(agency: bool, service: bool) -> Any:
    """Take the VRF's advisory lock of prefix ``:pid`` (its VRF never changes) and say whether the
    agency and the service exist. The parent is read afterwards, under the lock."""
    vrf_key = select(_PT.c.vrf_key).where(_PT.c.id == bindparam("pid")).scalar_subquery()
    agency_ok: Any = exists().where(Agency.id == bindparam("aid")) if agency else literal(True)
    service_ok: Any = exists().where(NetworkService.id == bindparam("sid")) if service else literal(True)
    return select(func.pg_advisory_xact_lock(cast(vrf_key + ADVISORY_LOCK_BASE, BigInteger)), agency_ok, service_ok)


def _pg_lock_and_owners(session: Session, *, prefix_id: int, agency_id: int | None, service_id: int | None) -> tuple[bool, bool]:
    """One statement: the VRF lock plus the owner checks."""
    stmt = _pg_lock_stmt(agency_id is not None, service_id is not None)
    _, a_ok, s_ok = session.execute(stmt, {"pid": prefix_id, "aid": agency_id, "sid": service_id}, execution_options=_NO_AUTOFLUSH).one()
    return bool(a_ok), bool(s_ok)


_NO_AUTOFLUSH = {"autoflush": False}
_PARENT = select(_PT).where(_PT.c.id == bindparam("pid"))
_PREFIX_COLS = [c.name for c in _PT.c if c.name != "id"]
_ADDRESS_COLS = [c.name for c in _AT.c if c.name != "id"]


def _pg_parent(session: Session, prefix_id: int) -> Prefix:
    row = session.execute(_PARENT, {"pid": prefix_id}, execution_options=_NO_AUTOFLUSH).first()
    if row is None:
        raise _not_found("Prefix", prefix_id)
    return Prefix(**row._mapping)  # a detached snapshot: the hot path writes with Core, not through the ORM


def _pg_log(source: Any, object_type: str, repr_col: Any, extra: Any) -> Any:
    """INSERT … SELECT of change-log rows for the rows of CTE ``source``: actor ``:l_actor``, request
    ``:l_rid``, time ``:l_time``, ``after`` = ``:l_after`` (JSON) overlaid with ``extra`` (a
    jsonb_build_object over the CTE's columns: what only the database knows, such as the id)."""
    after_sql = cast(cast(bindparam("l_after", type_=Text), JSONB).op("||")(extra), JSON)
    rows = select(
        bindparam("l_time", type_=_CT.c.time.type), bindparam("l_actor", type_=_CT.c.actor.type), bindparam("l_rid", type_=_CT.c.request_id.type),
        literal("create"), literal(object_type), source.c.id, func.left(repr_col, 300), null(), after_sql,
    ).order_by(source.c.id)
    cols = ["time", "actor", "request_id", "action", "object_type", "object_id", "object_repr", "before", "after"]
    return insert(_CT).from_select(cols, rows)


def _log_params(actor: Actor, after: dict[str, Any] | None) -> dict[str, Any]:
    return {"l_time": utcnow(), "l_actor": actor.sub, "l_rid": actor.request_id, "l_after": json.dumps(after or {}, ensure_ascii=False)}


@functools.cache
def _pg_allocate_stmt() -> Any:
    """Insert the prefix (``:i_<column>``), move the parent's (``:pid``) search hint to ``:hint``, re-home
    the parent's addresses that lie inside the new prefix, and log the creation: one statement."""
    ins = insert(_PT).values({c: bindparam(f"i_{c}", type_=_PT.c[c].type) for c in _PREFIX_COLS}).returning(_PT.c.id, _PT.c.prefix).cte("ins")
    hint_upd = update(_PT).where(_PT.c.id == bindparam("pid"), _PT.c.prefix_hint_hex.is_distinct_from(bindparam("hint"))).values(prefix_hint_hex=bindparam("hint"))
    # a block cut from free space has no child prefixes, but addresses directly in the parent may lie inside it
    rehome = update(_AT).where(
        _AT.c.vrf_key == bindparam("i_vrf_key"), _AT.c.family == bindparam("i_family"), _AT.c.value_hex >= bindparam("i_first_hex"),
        _AT.c.value_hex <= bindparam("i_last_hex"), _AT.c.prefix_id == bindparam("pid"),
    ).values(prefix_id=select(ins.c.id).scalar_subquery())
    log = _pg_log(ins, "prefix", ins.c.prefix, func.jsonb_build_object("id", ins.c.id))
    return select(ins.c.id).add_cte(hint_upd.cte("hint"), rehome.cte("rehome"), log.cte("log"))


@functools.lru_cache(maxsize=32)
def _pg_assign_stmt(n: int, with_hint: bool) -> Any:
    """Insert ``n`` addresses (``:i<k>_<column>``), log them, and move the parent's (``:pid``) address hint to ``:hint``."""
    values = [{c: bindparam(f"i{k}_{c}", type_=_AT.c[c].type) for c in _ADDRESS_COLS} for k in range(n)]
    # a multi-row VALUES list is not cached by SQLAlchemy; the usual single address uses the plain form
    ins = insert(_AT).values(values[0] if n == 1 else values).returning(_AT.c.id, _AT.c.address, _AT.c.value_hex).cte("ins")
    extra = func.jsonb_build_object("id", ins.c.id, "address", ins.c.address, "value_hex", ins.c.value_hex)
    ctes = [_pg_log(ins, "ip_address", ins.c.address, extra).cte("log")]
    if with_hint:
        ctes.append(update(_PT).where(_PT.c.id == bindparam("pid"), _PT.c.ip_hint_hex.is_distinct_from(bindparam("hint"))).values(ip_hint_hex=bindparam("hint")).cte("hint"))
    return select(ins.c.value_hex, ins.c.id).add_cte(*ctes)


def _pg_allocate_next_prefix(session: Session, *, actor: Actor, prefix_id: int, data: PrefixRequest) -> Prefix:
    for label, owner_id in (("Agency", data.agency_id), ("Network service", data.service_id)):
        if owner_id is not None and owner_id > MAX_DB_ID:
            raise _not_found(label, owner_id)
    agency_ok, service_ok = _pg_lock_and_owners(session, prefix_id=prefix_id, agency_id=data.agency_id, service_id=data.service_id)
    parent = _pg_parent(session, prefix_id)
    _check_next_prefix_request(parent, data)
    _require_allocation_fields(kind=data.kind, agency_id=data.agency_id, service_id=data.service_id, purpose=data.purpose)
    if not agency_ok:
        raise _not_found("Agency", data.agency_id or 0)
    if not service_ok:
        raise _not_found("Network service", data.service_id or 0)
    bits = netmath.BITS[parent.family]
    block = 1 << (bits - data.prefix_length)
    first_gap: int | None = None
    found: int | None = None
    for g_first, g_last in free_prefix_gaps(session, parent=parent):
        if first_gap is None:
            first_gap = g_first
        found = netmath.first_aligned_fit(g_first, g_last, block)
        if found is not None:
            break
    if found is None:
        raise Conflict(f"{parent.prefix} has no free /{data.prefix_length} left; use another pool or a longer prefix length.")
    hint = to_hex(first_gap) if first_gap is not None else to_hex(from_hex(parent.last_hex))
    net = netmath.net_from_range(parent.family, found, data.prefix_length)
    now = utcnow()
    row: dict[str, Any] = dict(
        prefix=net.cidr, vrf_id=parent.vrf_id, vrf_key=parent.vrf_key, family=net.family, prefix_length=net.length,
        first_hex=net.first_hex, last_hex=net.last_hex, size=float(net.size), parent_id=parent.id,
        kind=data.kind.value, status=data.status.value, agency_id=data.agency_id, service_id=data.service_id,
        purpose=data.purpose, description=data.description, prefix_hint_hex=None, ip_hint_hex=None, created_at=now, updated_at=now,
    )
    prefix = Prefix(**row)
    params = {f"i_{c}": getattr(prefix, c) for c in _PREFIX_COLS} | {"pid": parent.id, "hint": hint} | _log_params(actor, snapshot(prefix))
    try:
        prefix.id = session.execute(_pg_allocate_stmt(), params, execution_options=_NO_AUTOFLUSH).scalar_one()
    except IntegrityError as exc:
        session.rollback()
        raise _integrity_conflict(session, parent.vrf_key, net, exc) from None
    if prefix.kind == PrefixKind.allocation:
        outbox.emit(session, "govnet.ipam.prefix.allocated.v1", subject=prefix.id or 0, data=_prefix_event(prefix))
    return prefix


def _pg_assign_next_addresses(session: Session, *, actor: Actor, prefix_id: int, data: AddressRequest) -> list[IpAddress]:
    _pg_lock_and_owners(session, prefix_id=prefix_id, agency_id=None, service_id=None)
    parent = _pg_parent(session, prefix_id)
    values: list[int] = []
    first_gap: int | None = None
    for first, last in free_address_gaps(session, parent=parent):
        if first_gap is None:
            first_gap = first
        value = first
        while value <= last and len(values) < data.count:
            values.append(value)
            value += 1
        if len(values) >= data.count:
            break
    if len(values) < data.count:
        raise Conflict(f"{parent.prefix} has only {len(values)} free address(es), {data.count} asked; use another prefix.")
    fields = data.model_dump(exclude={"count"})
    fields["status"] = data.status.value
    now = utcnow()
    rows = [
        dict(
            address=netmath.address_text(parent.family, v), vrf_id=parent.vrf_id, vrf_key=parent.vrf_key, family=parent.family,
            value_hex=to_hex(v), prefix_id=parent.id, created_at=now, updated_at=now, **fields,
        )
        for v in values
    ]
    addrs = [IpAddress(**r) for r in rows]
    params: dict[str, Any] = {f"i{k}_{c}": getattr(a, c) for k, a in enumerate(addrs) for c in _ADDRESS_COLS}
    params |= {"pid": parent.id, "hint": to_hex(first_gap) if first_gap is not None else None} | _log_params(actor, snapshot(addrs[0]))
    stmt = _pg_assign_stmt(len(rows), first_gap is not None)
    try:
        ids = dict(session.execute(stmt, params, execution_options=_NO_AUTOFLUSH).tuples().all())
    except IntegrityError:
        session.rollback()
        hexes = [r["value_hex"] for r in rows]
        owner = session.execute(select(IpAddress).where(IpAddress.vrf_key == parent.vrf_key, IpAddress.family == parent.family, IpAddress.value_hex.in_(hexes)).limit(1)).scalar_one_or_none()  # type: ignore[attr-defined]
        raise Conflict(
            f"{owner.address if owner else 'An address'} already has an owner (address {owner.id if owner else '?'}); "
            "an address has one owner — pick a free one from available-ips.",
        ) from None
    for addr in addrs:
        addr.id = ids[addr.value_hex]
        outbox.emit(session, "govnet.ipam.address.assigned.v1", subject=addr.id or 0, data=_address_event(addr))
    return addrs


# -- addresses ------------------------------------------------------------------------------------
def _innermost(session: Session, vrf_key: int, family: int, value: int) -> Prefix | None:
    chain = containing_prefixes(session, vrf_key=vrf_key, family=family, first=value, last=value, max_length=netmath.BITS[family])
    return chain[-1] if chain else None


def _address_event(a: IpAddress) -> dict[str, Any]:
    return {
        "address_id": a.id, "address": a.address, "vrf_id": a.vrf_id, "prefix_id": a.prefix_id, "status": a.status,
        "assigned_object_type": a.assigned_object_type, "assigned_object_id": a.assigned_object_id, "dns_name": a.dns_name,
    }


def _insert_address(session: Session, *, actor: Actor, vrf_id: int | None, vrf_key: int, family: int, value: int, prefix: Prefix | None, fields: dict[str, Any]) -> IpAddress:
    addr = IpAddress(
        address=netmath.address_text(family, value), vrf_id=vrf_id, vrf_key=vrf_key, family=family, value_hex=to_hex(value),
        prefix_id=prefix.id if prefix else None, **fields,
    )
    session.add(addr)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        owner = session.execute(select(IpAddress).where(IpAddress.vrf_key == vrf_key, IpAddress.family == family, IpAddress.value_hex == to_hex(value))).scalar_one_or_none()
        raise Conflict(
            f"{addr.address} already has an owner (address {owner.id if owner else '?'}); an address has one owner — pick a free one from available-ips.",
        ) from None
    record_change(session, actor=actor, action="create", obj=addr, before=None, after=snapshot(addr))
    outbox.emit(session, "govnet.ipam.address.assigned.v1", subject=addr.id or 0, data=_address_event(addr))
    return addr


def create_address(session: Session, *, actor: Actor, data: AddressCreate, scope: Scope = EVERYTHING) -> IpAddress:
    """Record one address (one owner per VRF); a non-administrator only inside its agency's prefixes."""
    family, value, textual = netmath.parse_address(data.address)
    vrf_key = _vrf_key(session, data.vrf_id)
    access.require_space(session, scope, vrf_key=vrf_key, family=family, first_hex=to_hex(value), last_hex=to_hex(value), what=textual, field="address")
    lock_vrf(session, vrf_key)
    owner = session.execute(select(IpAddress).where(IpAddress.vrf_key == vrf_key, IpAddress.family == family, IpAddress.value_hex == to_hex(value))).scalar_one_or_none()
    if owner is not None:
        raise Conflict(
            f"{textual} already has an owner (address {owner.id}, assigned to {owner.assigned_object_type or '-'} {owner.assigned_object_id or ''}); "
            "an address has one owner — pick a free one from available-ips.",
            conflicting={"id": owner.id, "address": owner.address},
        )
    prefix = _innermost(session, vrf_key, family, value)
    fields = data.model_dump(exclude={"address", "vrf_id"})
    fields["status"] = data.status.value
    return _insert_address(session, actor=actor, vrf_id=data.vrf_id, vrf_key=vrf_key, family=family, value=value, prefix=prefix, fields=fields)


def assign_next_addresses(session: Session, *, actor: Actor, prefix_id: int, data: AddressRequest, scope: Scope = EVERYTHING) -> list[IpAddress]:
    """Assign the first ``count`` free addresses of a prefix, atomically (409 if fewer are free)."""
    if not scope.everything:
        get_prefix(session, prefix_id=prefix_id, scope=scope)
    if _is_pg(session):
        return _pg_assign_next_addresses(session, actor=actor, prefix_id=prefix_id, data=data)
    parent = get_prefix(session, prefix_id=prefix_id)
    lock_vrf(session, parent.vrf_key)
    session.refresh(parent)
    values: list[int] = []
    first_gap: int | None = None
    for first, last in free_address_gaps(session, parent=parent):
        if first_gap is None:
            first_gap = first
        value = first
        while value <= last and len(values) < data.count:
            values.append(value)
            value += 1
        if len(values) >= data.count:
            break
    if first_gap is not None:
        parent.ip_hint_hex = to_hex(first_gap)
    if len(values) < data.count:
        raise Conflict(f"{parent.prefix} has only {len(values)} free address(es), {data.count} asked; use another prefix.")
    fields = data.model_dump(exclude={"count"})
    fields["status"] = data.status.value
    return [
        _insert_address(session, actor=actor, vrf_id=parent.vrf_id, vrf_key=parent.vrf_key, family=parent.family, value=v, prefix=parent, fields=dict(fields))
        for v in values
    ]


def get_address(session: Session, *, address_id: int, scope: Scope = EVERYTHING) -> IpAddress:
    """One address the caller may see, or 404."""
    if scope.everything:
        return _get(session, IpAddress, address_id, "IP address")
    found = session.execute(access.readable(select(IpAddress).where(_id_eq(IpAddress.id, address_id)), IpAddress, scope)).scalar_one_or_none()
    if found is None:
        raise _not_found("IP address", address_id)
    return found


def list_addresses(
    session: Session, *, vrf_id: int | None, prefix_id: int | None, status: str | None, assigned_object_type: str | None,
    assigned_object_id: str | None, q: str | None, limit: int, offset: int, scope: Scope,
) -> tuple[list[IpAddress], int]:
    """Addresses the caller may see, in order, filtered."""
    conds: list[Any] = [c for c in (access.readable_condition(IpAddress, scope),) if c is not None]
    if vrf_id is not None:
        conds.append(_id_eq(IpAddress.vrf_key, vrf_id))
    if prefix_id is not None:
        conds.append(_id_eq(IpAddress.prefix_id, prefix_id))
    for col, value in ((IpAddress.status, status), (IpAddress.assigned_object_type, assigned_object_type), (IpAddress.assigned_object_id, assigned_object_id)):
        if value is not None:
            conds.append(col == value)
    if q:
        conds.append(or_(IpAddress.address.like(f"%{q}%"), IpAddress.dns_name.like(f"%{q}%")))  # type: ignore[attr-defined]
    return _page(session, IpAddress, conds, [IpAddress.vrf_key, IpAddress.family, IpAddress.value_hex], limit, offset)


def update_address(session: Session, *, actor: Actor, address_id: int, data: AddressUpdate, scope: Scope = EVERYTHING) -> IpAddress:
    """Change an address's status, assignment or DNS name."""
    addr = get_address(session, address_id=address_id, scope=scope)
    before = snapshot(addr)
    changes = data.changes()
    if changes.get("status") is not None:
        changes["status"] = str(changes["status"].value)
    _apply(addr, changes)
    session.flush()
    record_change(session, actor=actor, action="update", obj=addr, before=before, after=snapshot(addr))
    return addr


def release_address(session: Session, *, actor: Actor, address_id: int, scope: Scope = EVERYTHING) -> None:
    """Delete an address; its prefix regains it."""
    addr = get_address(session, address_id=address_id, scope=scope)
    before = snapshot(addr)
    if addr.prefix_id is not None:
        parent = session.get(Prefix, addr.prefix_id)
        if parent is not None:
            parent.ip_hint_hex = min(parent.ip_hint_hex or parent.first_hex, addr.value_hex)
    session.delete(addr)
    session.flush()
    record_change(session, actor=actor, action="delete", obj=addr, before=before, after=None)
    outbox.emit(session, "govnet.ipam.address.released.v1", subject=address_id, data=_address_event(addr))


def release_device_addresses(session: Session, *, actor: Actor, device_id: str) -> int:
    """Release every address assigned to a device (on its decommissioning)."""
    ids = session.execute(
        select(IpAddress.id).where(IpAddress.assigned_object_type == "device", IpAddress.assigned_object_id == device_id)
    ).scalars().all()
    for address_id in ids:
        release_address(session, actor=actor, address_id=int(address_id))
    return len(ids)


# -- lookup and utilization ------------------------------------------------------------------------
def lookup(session: Session, *, address: str, vrf_id: int | None, scope: Scope) -> dict[str, Any]:
    """The chain of prefixes containing an address (outermost first), its allocation and its record:
    what the caller may see of them."""
    family, value, textual = netmath.parse_address(address)
    vrf_key = _vrf_key(session, vrf_id)
    chain = containing_prefixes(session, vrf_key=vrf_key, family=family, first=value, last=value, max_length=netmath.BITS[family])
    if not scope.everything and chain:
        seen = set(session.execute(access.readable(select(Prefix.id).where(Prefix.id.in_([p.id for p in chain])), Prefix, scope)).scalars())
        chain = [p for p in chain if p.id in seen]
    record_q = select(IpAddress).where(IpAddress.vrf_key == vrf_key, IpAddress.family == family, IpAddress.value_hex == to_hex(value))
    record = session.execute(access.readable(record_q, IpAddress, scope)).scalar_one_or_none()
    allocation = next((p for p in chain if p.kind == PrefixKind.allocation), None)
    return {"address": textual, "vrf_id": vrf_id, "chain": chain, "allocation": allocation, "ip_address": record}


def utilization_of(session: Session, prefixes: Sequence[Prefix]) -> dict[int, float]:
    """Utilization (%) of many prefixes in two grouped queries: child-prefix space plus direct addresses."""
    ids = [p.id for p in prefixes if p.id is not None]
    child: dict[int, float] = {}
    addrs: dict[int, int] = {}
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        for pid, total in session.execute(select(Prefix.parent_id, func.sum(Prefix.size)).where(Prefix.parent_id.in_(chunk)).group_by(Prefix.parent_id)):  # type: ignore[union-attr]
            child[int(pid)] = float(total or 0)
        for pid, n in session.execute(select(IpAddress.prefix_id, func.count()).where(IpAddress.prefix_id.in_(chunk)).group_by(IpAddress.prefix_id)):  # type: ignore[union-attr]
            addrs[int(pid)] = int(n)
    out: dict[int, float] = {}
    for p in prefixes:
        if p.id is None:
            continue
        lo, hi = netmath.usable_range(prefix_net(p), is_pool=p.kind == PrefixKind.pool)
        has_children = child.get(p.id, 0.0) > 0
        total = p.size if has_children else float(hi - lo + 1)
        used = child.get(p.id, 0.0) + addrs.get(p.id, 0)
        out[p.id] = round(min(100.0, 100.0 * used / total), 2) if total > 0 else 0.0
    return out


def utilization_rollup(session: Session, *, group_by: str, scope: Scope) -> list[dict[str, Any]]:
    """Allocated space, used addresses and utilization per agency or per service, per family (of the allocations the caller may see)."""
    col = Prefix.agency_id if group_by == "agency" else Prefix.service_id
    alloc = session.execute(access.readable(
        select(col, Prefix.family, func.count(), func.sum(Prefix.size)).where(Prefix.kind == PrefixKind.allocation), Prefix, scope
    ).group_by(col, Prefix.family)).all()
    used_rows = session.execute(access.readable(
        select(col, Prefix.family, func.count(IpAddress.id))
        .select_from(IpAddress).join(Prefix, IpAddress.prefix_id == Prefix.id)  # type: ignore[arg-type]
        .where(Prefix.kind == PrefixKind.allocation), Prefix, scope
    ).group_by(col, Prefix.family)).all()
    used = {(k, f): int(n) for k, f, n in used_rows}
    model: type[Agency] | type[NetworkService] = Agency if group_by == "agency" else NetworkService
    names = {i: n for i, n in session.execute(select(model.id, model.name))}  # type: ignore[call-overload]
    out = []
    for key, family, n, size in alloc:
        u = used.get((key, family), 0)
        out.append({
            f"{group_by}_id": key, "name": names.get(key), "family": family, "allocations": int(n),
            "allocated_addresses": float(size or 0), "used_addresses": u,
            "utilization": round(100.0 * u / float(size), 4) if size else 0.0,
        })
    out.sort(key=lambda r: (str(r["name"] or ""), r["family"]))
    return out


# -- bulk paths (import) ---------------------------------------------------------------------------
def reserve_ids(session: Session, table: str, n: int) -> list[int]:
    """Ids for ``n`` new rows of ``table`` (a sequence on PostgreSQL; past MAX(id) under SQLite's write lock)."""
    if n <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"), {"t": table, "n": n}
        ).scalars()
        return [int(v) for v in rows]
    # past sqlite_sequence too (AUTOINCREMENT tables): an id once handed out and deleted stays unused
    start = int(session.execute(
        text(f"SELECT max(COALESCE((SELECT MAX(id) FROM {table}), 0), COALESCE((SELECT seq FROM sqlite_sequence WHERE name = :t), 0))"),  # noqa: S608 - table name is ours
        {"t": table},
    ).scalar_one()) + 1
    return list(range(start, start + n))


def fast_insert(session: Session, table: Any, rows: list[dict[str, Any]], *, chunk: int = 10_000) -> None:
    """Insert many rows with one driver-level executemany per chunk (bind processing only where a type needs it)."""
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    columns = list(rows[0])
    processors: list[Any] = []
    for name in columns:
        proc = table.c[name].type._cached_bind_processor(dialect)
        processors.append(proc)
    cache: dict[int, Any] = {}

    def convert(proc: Any, value: Any) -> Any:
        if proc is None or value is None:
            return value
        if isinstance(value, datetime):  # one timestamp shared by the batch: process it once
            key = id(value)
            if key not in cache:
                cache[key] = proc(value)
            return cache[key]
        return proc(value)

    head = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES "  # noqa: S608 - names are ours
    if dialect.paramstyle == "qmark":  # SQLite: executemany is a C loop over one prepared statement
        sql = head + "(" + ", ".join(["?"] * len(columns)) + ")"
        for i in range(0, len(rows), chunk):
            conn.exec_driver_sql(sql, [tuple(convert(p, r[c]) for p, c in zip(processors, columns, strict=True)) for r in rows[i : i + chunk]])
        return
    # PostgreSQL: COPY over the same connection (same transaction)
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row(tuple(convert(p, r[c]) for p, c in zip(processors, columns, strict=True)))


def bulk_insert_prefixes(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """Insert prepared prefix rows (parents before children) in bulk; returns their new ids in order."""
    ids = reserve_ids(session, "prefix", len(rows))
    now = utcnow()
    table = Prefix.__table__
    fast_insert(session, table, [
        {**r, "id": new_id, "created_at": now, "updated_at": now, "prefix_hint_hex": None, "ip_hint_hex": None}
        for r, new_id in zip(rows, ids, strict=True)
    ])
    return ids


def set_parents(session: Session, pairs: list[tuple[int, int | None]]) -> None:
    """Set parent_id for many prefixes at once."""
    table = Prefix.__table__  # type: ignore[attr-defined]
    from sqlalchemy import bindparam

    stmt = update(table).where(table.c.id == bindparam("pid")).values(parent_id=bindparam("par"))
    for i in range(0, len(pairs), 5000):
        session.connection().execute(stmt, [{"pid": a, "par": b} for a, b in pairs[i : i + 5000]])


def delete_all_prefixes_in(session: Session, vrf_key: int) -> None:
    """Remove every prefix and address of one VRF (benchmarks and demo resets)."""
    session.execute(delete(IpAddress).where(IpAddress.vrf_key == vrf_key))
    session.execute(update(Prefix).where(Prefix.vrf_key == vrf_key).values(parent_id=None))
    session.execute(delete(Prefix).where(Prefix.vrf_key == vrf_key))


def today_local() -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
