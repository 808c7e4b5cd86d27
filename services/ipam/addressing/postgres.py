"""Next-free prefix and addresses on PostgreSQL: few round trips, Core statements.

The hot path is lock (+ owner checks) -> parent -> free-space scan -> one data-modifying CTE that
inserts the row(s), moves the parent's hint, re-homes addresses and writes the change log. The
results equal those of the portable path in ``allocation.py``; only the round trips differ.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Select,
    Table,
    Text,
    bindparam,
    cast,
    exists,
    func,
    insert,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from services.ipam.addressing import netmath
from services.ipam.addressing.addresses import address_event, already_owned, owner_of
from services.ipam.addressing.free_space import first_free_addresses, first_free_block
from services.ipam.addressing.models import IpAddress, Prefix, PrefixKind, is_shared
from services.ipam.addressing.netmath import from_hex, to_hex
from services.ipam.addressing.prefixes import (
    ADVISORY_LOCK_BASE,
    check_next_prefix_request,
    integrity_conflict,
    prefix_event,
    rehome_ranges,
    require_allocation_fields,
)
from services.ipam.addressing.schemas import AddressRequest, PrefixRequest
from services.ipam.base import Base, utcnow
from services.ipam.changelog.models import ChangeLog
from services.ipam.changelog.service import snapshot
from services.ipam.organisation.models import Agency, NetworkService
from services.ipam.outbox import ADDRESS_ASSIGNED, PREFIX_ALLOCATED, outbox
from services.ipam.rows import MAX_DB_ID, not_found
from shared.auth import Principal
from shared.errors import Conflict
from shared.observability import request_id_var

_PT: Table = Base.metadata.tables[Prefix.__tablename__]
_AT: Table = Base.metadata.tables[IpAddress.__tablename__]
_CT: Table = Base.metadata.tables[ChangeLog.__tablename__]
_NO_AUTOFLUSH = {"autoflush": False}
_PARENT = select(_PT).where(_PT.c.id == bindparam("pid"))
_PREFIX_COLS = [c.name for c in _PT.c if c.name != "id"]
_ADDRESS_COLS = [c.name for c in _AT.c if c.name != "id"]


def is_postgres(*, session: Session) -> bool:
    """True when the session's database is PostgreSQL (the fast path applies)."""
    return bool(session.get_bind().dialect.name == "postgresql")


@functools.cache
def _lock_stmt(agency: bool, service: bool) -> Select[Any]:
    """Take the VRF's advisory lock of prefix ``:pid`` (its VRF never changes) and say whether the
    agency and the service exist. The parent is read afterwards, under the lock."""
    vrf_key = select(_PT.c.vrf_key).where(_PT.c.id == bindparam("pid")).scalar_subquery()
    agency_ok: Any = exists().where(col(Agency.id) == bindparam("aid")) if agency else literal(True)
    service_ok: Any = exists().where(col(NetworkService.id) == bindparam("sid")) if service else literal(True)
    return select(func.pg_advisory_xact_lock(cast(vrf_key + ADVISORY_LOCK_BASE, BigInteger)), agency_ok, service_ok)


def _lock_and_owners(session: Session, *, prefix_id: int, agency_id: int | None, service_id: int | None) -> tuple[bool, bool]:
    """One statement: the VRF lock plus the owner checks."""
    stmt = _lock_stmt(agency_id is not None, service_id is not None)
    _, a_ok, s_ok = session.execute(stmt, {"pid": prefix_id, "aid": agency_id, "sid": service_id}, execution_options=_NO_AUTOFLUSH).one()
    return bool(a_ok), bool(s_ok)


def _parent(session: Session, prefix_id: int) -> Prefix:
    row = session.execute(_PARENT, {"pid": prefix_id}, execution_options=_NO_AUTOFLUSH).first()
    if row is None:
        raise not_found("Prefix", prefix_id)
    return Prefix(**row._mapping)  # a detached snapshot: the hot path writes with Core, not through the ORM


def _log(source: Any, object_type: str, repr_col: Any, extra: Any) -> Any:
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


def _log_params(principal: Principal, after: dict[str, Any] | None) -> dict[str, Any]:
    return {"l_time": utcnow(), "l_actor": principal.sub, "l_rid": request_id_var.get(), "l_after": json.dumps(after or {}, ensure_ascii=False)}


@functools.cache
def _allocate_stmt() -> Any:
    """Insert the prefix (``:i_<column>``), move the parent's (``:pid``) search hint to ``:hint``, re-home
    the parent's addresses that lie inside the new prefix, and log the creation: one statement."""
    ins = insert(_PT).values({c: bindparam(f"i_{c}", type_=_PT.c[c].type) for c in _PREFIX_COLS}).returning(_PT.c.id, _PT.c.prefix).cte("ins")
    hint_upd = update(_PT).where(_PT.c.id == bindparam("pid"), _PT.c.prefix_hint_hex.is_distinct_from(bindparam("hint"))).values(prefix_hint_hex=bindparam("hint"))
    # a block cut from free space has no child prefixes, but addresses directly in the parent may lie inside it
    rehome = update(_AT).where(
        _AT.c.vrf_key == bindparam("i_vrf_key"), _AT.c.family == bindparam("i_family"), _AT.c.value_hex >= bindparam("i_first_hex"),
        _AT.c.value_hex <= bindparam("i_last_hex"), _AT.c.prefix_id == bindparam("pid"),
    ).values(prefix_id=select(ins.c.id).scalar_subquery())
    log = _log(ins, "prefix", ins.c.prefix, func.jsonb_build_object("id", ins.c.id))
    return select(ins.c.id).add_cte(hint_upd.cte("hint"), rehome.cte("rehome"), log.cte("log"))


@functools.lru_cache(maxsize=32)
def _assign_stmt(n: int, with_hint: bool) -> Any:
    """Insert ``n`` addresses (``:i<k>_<column>``), log them, and move the parent's (``:pid``) address hint to ``:hint``."""
    values = [{c: bindparam(f"i{k}_{c}", type_=_AT.c[c].type) for c in _ADDRESS_COLS} for k in range(n)]
    # a multi-row VALUES list is not cached by SQLAlchemy; the usual single address uses the plain form
    ins = insert(_AT).values(values[0] if n == 1 else values).returning(_AT.c.id, _AT.c.address, _AT.c.value_hex).cte("ins")
    extra = func.jsonb_build_object("id", ins.c.id, "address", ins.c.address, "value_hex", ins.c.value_hex)
    ctes = [_log(ins, "ip_address", ins.c.address, extra).cte("log")]
    if with_hint:
        ctes.append(update(_PT).where(_PT.c.id == bindparam("pid"), _PT.c.ip_hint_hex.is_distinct_from(bindparam("hint"))).values(ip_hint_hex=bindparam("hint")).cte("hint"))
    return select(ins.c.value_hex, ins.c.id).add_cte(*ctes)


def allocate_next_prefix(*, session: Session, principal: Principal, prefix_id: int, data: PrefixRequest) -> Prefix:
    """The first free aligned block of the asked length inside prefix ``prefix_id``, allocated (409 when full)."""
    for label, owner_id in (("Agency", data.agency_id), ("Network service", data.service_id)):
        if owner_id is not None and owner_id > MAX_DB_ID:
            raise not_found(label, owner_id)
    agency_ok, service_ok = _lock_and_owners(session, prefix_id=prefix_id, agency_id=data.agency_id, service_id=data.service_id)
    parent = _parent(session, prefix_id)
    check_next_prefix_request(parent, data)
    require_allocation_fields(kind=data.kind, agency_id=data.agency_id, service_id=data.service_id, purpose=data.purpose)
    if not agency_ok:
        raise not_found("Agency", data.agency_id or 0)
    if not service_ok:
        raise not_found("Network service", data.service_id or 0)
    found, first_gap = first_free_block(session=session, parent=parent, prefix_length=data.prefix_length)
    if found is None:
        raise Conflict(f"{parent.prefix} has no free /{data.prefix_length} left; use another pool or a longer prefix length.")
    hint = to_hex(first_gap) if first_gap is not None else to_hex(from_hex(parent.last_hex))
    net = netmath.net_from_range(parent.family, found, data.prefix_length)
    now = utcnow()
    prefix = Prefix(
        prefix=net.cidr, vrf_id=parent.vrf_id, vrf_key=parent.vrf_key, family=net.family, prefix_length=net.length,
        first_hex=net.first_hex, last_hex=net.last_hex, size=float(net.size), parent_id=parent.id,
        kind=data.kind, status=data.status, agency_id=data.agency_id, service_id=data.service_id,
        purpose=data.purpose, description=data.description, prefix_hint_hex=None, ip_hint_hex=None, created_at=now, updated_at=now,
    )
    params = {f"i_{c}": getattr(prefix, c) for c in _PREFIX_COLS} | {"pid": parent.id, "hint": hint} | _log_params(principal, snapshot(prefix))
    try:
        # a SAVEPOINT, so that the conflicting allocation can still be named in the request's transaction
        with session.begin_nested():
            prefix.id = session.execute(_allocate_stmt(), params, execution_options=_NO_AUTOFLUSH).scalar_one()
    except IntegrityError as exc:
        raise integrity_conflict(session=session, vrf_key=parent.vrf_key, net=net, exc=exc) from None
    rehome_ranges(session=session, vrf_key=parent.vrf_key, family=net.family, first_hex=net.first_hex, last_hex=net.last_hex)
    if prefix.kind == PrefixKind.allocation:
        outbox.emit(session, PREFIX_ALLOCATED, subject=prefix.id or 0, data=prefix_event(prefix))
    return prefix


def assign_next_addresses(*, session: Session, principal: Principal, prefix_id: int, data: AddressRequest) -> list[IpAddress]:
    """The first ``data.count`` free addresses of prefix ``prefix_id``, assigned (409 if fewer are free)."""
    _lock_and_owners(session, prefix_id=prefix_id, agency_id=None, service_id=None)
    parent = _parent(session, prefix_id)
    values, first_gap = first_free_addresses(session=session, parent=parent, count=data.count)
    if len(values) < data.count:
        raise Conflict(f"{parent.prefix} has only {len(values)} free address(es), {data.count} asked; use another prefix.")
    fields = data.model_dump(exclude={"count"})
    now = utcnow()
    addrs = [
        IpAddress(
            address=netmath.address_text(parent.family, v), vrf_id=parent.vrf_id, vrf_key=parent.vrf_key, family=parent.family,
            value_hex=to_hex(v), mask_length=parent.prefix_length, shared=is_shared(data.role), prefix_id=parent.id, created_at=now,
            updated_at=now, **fields,
        )
        for v in values
    ]
    params: dict[str, Any] = {f"i{k}_{c}": getattr(a, c) for k, a in enumerate(addrs) for c in _ADDRESS_COLS}
    params |= {"pid": parent.id, "hint": to_hex(first_gap) if first_gap is not None else None} | _log_params(principal, snapshot(addrs[0]))
    stmt = _assign_stmt(len(addrs), first_gap is not None)
    try:
        with session.begin_nested():  # a SAVEPOINT: the owner can still be named after a violation
            ids = dict(session.execute(stmt, params, execution_options=_NO_AUTOFLUSH).tuples().all())
    except IntegrityError:
        owner = owner_of(session=session, vrf_key=parent.vrf_key, family=parent.family, value_hexes=[a.value_hex for a in addrs])
        raise already_owned(owner) from None
    for addr in addrs:
        addr.id = ids[addr.value_hex]
        outbox.emit(session, ADDRESS_ASSIGNED, subject=addr.id or 0, data=address_event(addr))
    return addrs
