"""Free space of a prefix: the gaps between its child prefixes (and addresses), read lazily in
chunks from a search hint, and listed as aligned CIDR blocks or free addresses."""

from __future__ import annotations

import functools
import heapq
from collections.abc import Iterator
from typing import Any

from sqlalchemy import CompoundSelect, bindparam, distinct, func, literal_column, or_, select, union_all
from sqlmodel import Session, col

from services.ipam.addressing import netmath
from services.ipam.addressing.models import IpAddress, IpRange, Prefix, PrefixKind
from services.ipam.addressing.netmath import Net, from_hex, to_hex
from services.ipam.addressing.prefixes import prefix_net
from services.ipam.base import Base

SCAN_CHUNK = 512


@functools.cache
def _first_chunks_stmt(addresses: bool) -> CompoundSelect[Any]:
    """The union of :func:`_first_chunks`, built once (parameters ``:pid`` and ``:start``)."""
    pid: Any = bindparam("pid")
    s_hex: Any = bindparam("start", type_=Base.metadata.tables[Prefix.__tablename__].c.first_hex.type)
    first, last, parent = col(Prefix.first_hex), col(Prefix.last_hex), col(Prefix.parent_id)
    parts = [
        select(literal_column("0").label("src"), first.label("a"), last.label("b")).where(parent == pid, first < s_hex)
        .order_by(first.desc()).limit(1).subquery().select(),
        select(literal_column("1").label("src"), first.label("a"), last.label("b"))
        .where(parent == pid, first >= s_hex).order_by(first).limit(SCAN_CHUNK).subquery().select(),
    ]
    if addresses:
        value = col(IpAddress.value_hex)
        parts.append(
            select(literal_column("2").label("src"), value.label("a"), value.label("b"))
            .where(col(IpAddress.prefix_id) == pid, value >= s_hex).order_by(value).limit(SCAN_CHUNK)
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


def _child_ranges(session: Session, parent: Prefix, start: int, first: tuple[list[Any], list[Any]]) -> Iterator[tuple[int, int]]:
    """Direct child prefixes of ``parent`` ending at or after ``start``, in address order, in chunks."""
    s_hex = to_hex(start)
    before_rows, rows_now = first
    rows: list[Any] | None = rows_now
    before = before_rows[0] if before_rows else None
    if before is not None and before[1] >= s_hex:
        yield from_hex(before[0]), from_hex(before[1])
    cursor = s_hex
    inclusive = True
    while True:
        if rows is None:
            first_hex = col(Prefix.first_hex)
            cond = first_hex >= cursor if inclusive else first_hex > cursor
            rows = list(session.execute(
                select(first_hex, col(Prefix.last_hex)).where(col(Prefix.parent_id) == parent.id, cond).order_by(first_hex).limit(SCAN_CHUNK)
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
    rows: list[str] | None = [r[0] for r in first] if first is not None else None
    value_hex = col(IpAddress.value_hex)
    while True:
        if rows is None:
            cond = value_hex >= cursor if inclusive else value_hex > cursor
            rows = list(session.execute(
                select(value_hex).where(col(IpAddress.prefix_id) == parent.id, cond).order_by(value_hex).limit(SCAN_CHUNK)
            ).scalars().all())
        for v in rows:
            value = from_hex(v)
            yield value, value
        if len(rows) < SCAN_CHUNK:
            return
        cursor, inclusive = rows[-1], False
        rows = None


def _direct_ranges(session: Session, parent: Prefix, *, start: int, populated: bool) -> list[tuple[int, int]]:
    """Ranges held directly by ``parent`` ending at or after ``start`` and marked populated (or utilised), in order."""
    flag = col(IpRange.mark_populated) if populated else col(IpRange.mark_utilized)
    rows = session.execute(
        select(col(IpRange.start_hex), col(IpRange.end_hex))
        .where(col(IpRange.prefix_id) == parent.id, col(IpRange.end_hex) >= to_hex(start), flag)
        .order_by(col(IpRange.start_hex))
    ).all()
    return [(from_hex(a), from_hex(b)) for a, b in rows]


def _hint(parent: Prefix, column: str) -> int:
    value = getattr(parent, column)
    return max(from_hex(parent.first_hex), from_hex(value)) if value else from_hex(parent.first_hex)


def free_prefix_gaps(*, session: Session, parent: Prefix) -> Iterator[tuple[int, int]]:
    """Free intervals of ``parent`` (not covered by its child prefixes), lazily from the hint."""
    start = _hint(parent, "prefix_hint_hex")
    before, chunk, _ = _first_chunks(session, parent, start, addresses=False)
    return netmath.gaps(start, from_hex(parent.last_hex), _child_ranges(session, parent, start, (before, chunk)))


def free_address_gaps(*, session: Session, parent: Prefix) -> Iterator[tuple[int, int]]:
    """Free assignable intervals of ``parent``: usable range minus child prefixes and its addresses."""
    lo, hi = netmath.usable_range(prefix_net(parent), is_pool=parent.kind == PrefixKind.pool)
    # below the prefix hint everything is covered by child prefixes, so no address is free there either
    start = max(lo, _hint(parent, "ip_hint_hex"), _hint(parent, "prefix_hint_hex"))
    before, chunk, addrs = _first_chunks(session, parent, start, addresses=True)
    # a populated range (a DHCP pool) consumes its addresses: none of them is free (NetBox)
    used = heapq.merge(
        _child_ranges(session, parent, start, (before, chunk)), _address_points(session, parent, start, addrs),
        _direct_ranges(session, parent, start=start, populated=True),
    )
    return netmath.gaps(start, hi, used)


def first_free_block(*, session: Session, parent: Prefix, prefix_length: int) -> tuple[int | None, int | None]:
    """(start of the first free aligned /``prefix_length`` in ``parent`` or None, start of its first gap or None)."""
    block = 1 << (netmath.BITS[parent.family] - prefix_length)
    first_gap: int | None = None
    for g_first, g_last in free_prefix_gaps(session=session, parent=parent):
        if first_gap is None:
            first_gap = g_first
        found = netmath.first_aligned_fit(g_first, g_last, block)
        if found is not None:
            return found, first_gap
    return None, first_gap


def first_free_addresses(*, session: Session, parent: Prefix, count: int) -> tuple[list[int], int | None]:
    """(the first ``count`` free addresses of ``parent``, fewer when it is fuller; start of its first gap or None)."""
    values: list[int] = []
    first_gap: int | None = None
    for first, last in free_address_gaps(session=session, parent=parent):
        if first_gap is None:
            first_gap = first
        value = first
        while value <= last and len(values) < count:
            values.append(value)
            value += 1
        if len(values) >= count:
            break
    return values, first_gap


def available_prefixes(*, session: Session, parent: Prefix, limit: int) -> list[Net]:
    """Free space of a prefix as the fewest aligned CIDR blocks (first ``limit``)."""
    out: list[Net] = []
    for first, last in free_prefix_gaps(session=session, parent=parent):
        for net in netmath.range_to_cidrs(parent.family, first, last):
            out.append(net)
            if len(out) >= limit:
                return out
    return out


def available_ips(*, session: Session, parent: Prefix, limit: int, offset: int = 0) -> list[str]:
    """``limit`` free addresses of a prefix, after skipping the first ``offset`` of them."""
    out: list[str] = []
    skip = offset
    for first, last in free_address_gaps(session=session, parent=parent):
        size = last - first + 1
        if skip >= size:  # whole gaps are skipped in one step, so a deep offset costs gaps, not addresses
            skip -= size
            continue
        value, skip = first + skip, 0
        while value <= last and len(out) < limit:
            out.append(netmath.address_text(parent.family, value))
            value += 1
        if len(out) >= limit:
            break
    return out


def _covered_by_children(session: Session, parent: Prefix, lo: int, hi: int) -> int:
    """Addresses of [lo, hi] that lie in direct child prefixes (children are disjoint)."""
    bits = netmath.BITS[parent.family]
    length = col(Prefix.prefix_length)
    # sizes summed per length in integers: a float sum over IPv6 sizes would not be exact
    per_length = session.execute(select(length, func.count()).where(col(Prefix.parent_id) == parent.id).group_by(length)).all()
    covered = sum(int(n) << (bits - int(plen)) for plen, n in per_length)
    # only a child holding the parent's first or last address can reach outside the usable range
    edges = session.execute(
        select(col(Prefix.first_hex), col(Prefix.last_hex)).where(
            col(Prefix.parent_id) == parent.id, or_(col(Prefix.first_hex) < to_hex(lo), col(Prefix.last_hex) > to_hex(hi))
        )
    ).all()
    for f_hex, l_hex in edges:
        f, last = from_hex(f_hex), from_hex(l_hex)
        covered -= (last - f + 1) - max(0, min(last, hi) - max(f, lo) + 1)
    return covered


def _addresses_in(session: Session, parent: Prefix, lo: int, hi: int) -> int:
    """Distinct addresses recorded directly in ``parent`` within [lo, hi] (a shared address counts once)."""
    value = col(IpAddress.value_hex)
    n = session.execute(
        select(func.count(distinct(value))).where(col(IpAddress.prefix_id) == parent.id, value >= to_hex(lo), value <= to_hex(hi))
    ).scalar_one()
    return int(n)


def covered_by_ranges(session: Session, parent: Prefix, lo: int, hi: int, *, populated: bool) -> int:
    """Addresses of [lo, hi] in ``parent``'s direct populated (or utilised) ranges that no child prefix or
    recorded address already covers (ranges are disjoint; a range is rarely more than a handful)."""
    extra = 0
    for first, last in _direct_ranges(session, parent, start=lo, populated=populated):
        first, last = max(first, lo), min(last, hi)
        if first > last:
            continue
        inside = last - first + 1 - _addresses_in(session, parent, first, last)
        children = session.execute(
            select(col(Prefix.first_hex), col(Prefix.last_hex)).where(
                col(Prefix.parent_id) == parent.id, col(Prefix.first_hex) <= to_hex(last), col(Prefix.last_hex) >= to_hex(first)
            )
        ).all()
        for f_hex, l_hex in children:
            inside -= min(from_hex(l_hex), last) - max(from_hex(f_hex), first) + 1
        extra += max(0, inside)
    return extra


def used_addresses(*, session: Session, parent: Prefix, populated: bool) -> tuple[int, int]:
    """(addresses of ``parent``'s usable range, how many of them are used): child prefixes, recorded
    addresses, and its direct ranges marked populated (for free space) or utilised (for utilisation)."""
    lo, hi = netmath.usable_range(prefix_net(parent), is_pool=parent.kind == PrefixKind.pool)
    used = _covered_by_children(session, parent, lo, hi) + _addresses_in(session, parent, lo, hi)
    return hi - lo + 1, used + covered_by_ranges(session, parent, lo, hi, populated=populated)


def free_address_count(*, session: Session, parent: Prefix) -> int:
    """How many addresses of ``parent`` are free in all (what available-ips pages through)."""
    total, used = used_addresses(session=session, parent=parent, populated=True)
    return max(0, total - used)
