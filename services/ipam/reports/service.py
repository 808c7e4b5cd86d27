"""Reports of the ipam service: the yearly IP review (N7) and the technical information form (N3).

Each report is a :class:`Report` (title, Vietnamese column headings, rows, notes) rendered as
JSON, CSV or XLSX by ``api.py``. Dates are dd/mm/yyyy in Asia/Ho_Chi_Minh. The layout of
form Mẫu 01 lives in :data:`MAU_01_COLUMNS`, and nowhere else.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlmodel import Session, col

from services.ipam import access
from services.ipam.addressing import netmath
from services.ipam.addressing.models import IpAddress, Prefix, PrefixKind
from services.ipam.changelog.models import ChangeLog
from services.ipam.organisation.models import Agency, IpDemand, NetworkService, Subscription
from services.ipam.rows import MAX_DB_ID
from services.ipam.rules import IpamRules, rules_for
from services.ipam.settings import IpamSettings
from shared.auth import Principal
from shared.errors import NotFound
from shared.exports import VN_TZ, vn_date

TZ = VN_TZ


def rules_from(settings: IpamSettings) -> IpamRules:
    """The rule set the settings pick."""
    return rules_for(settings.ruleset, demand_growth=settings.demand_growth_threshold)


@dataclass
class Report:
    """A titled table: (key, Vietnamese heading) columns and rows keyed by column key."""

    name: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=TZ).astimezone(UTC), datetime(year + 1, 1, 1, tzinfo=TZ).astimezone(UTC)


# -- N7: the yearly review --------------------------------------------------------------------------
ANNUAL_COLUMNS = [
    ("agency", "Đơn vị sử dụng"),
    ("service", "Dịch vụ"),
    ("family", "Loại địa chỉ"),
    ("allocations", "Số khối được cấp"),
    ("allocated", "Số địa chỉ được cấp"),
    ("used", "Số địa chỉ đang sử dụng"),
    ("utilization", "Tỷ lệ sử dụng (%)"),
    ("unused_allocations", "Khối được cấp chưa sử dụng"),
    ("changes", "Số thay đổi trong năm"),
]


def overlap_scan(*, session: Session) -> list[dict[str, Any]]:
    """A full scan for allocations that overlap in one VRF (should be empty: the database forbids it)."""
    conflicts: list[dict[str, Any]] = []
    stmt = (
        select(col(Prefix.id), col(Prefix.prefix), col(Prefix.vrf_key), col(Prefix.family), col(Prefix.first_hex), col(Prefix.last_hex), col(Prefix.agency_id), col(Prefix.service_id))
        .where(col(Prefix.kind) == PrefixKind.allocation)
        .order_by(col(Prefix.vrf_key), col(Prefix.family), col(Prefix.first_hex))
    )
    prev: Any = None
    for row in session.execute(stmt):
        if prev is not None and (prev.vrf_key, prev.family) == (row.vrf_key, row.family) and row.first_hex <= prev.last_hex:
            conflicts.append({"vrf_id": row.vrf_key or None, "a": prev.prefix, "a_id": prev.id, "b": row.prefix, "b_id": row.id,
                              "message": f"{prev.prefix} và {row.prefix} chồng lấn"})
        if prev is None or (prev.vrf_key, prev.family) != (row.vrf_key, row.family) or row.last_hex > prev.last_hex:
            prev = row
    # addresses whose owner is ambiguous: an address outside any allocation but inside another's
    return conflicts


def annual_review(*, session: Session, principal: Principal, year: int, rules: IpamRules) -> Report:
    """Per agency and service: allocated, used, utilization, unused allocations, changes in the year, conflicts
    (of the allocations the caller may see)."""
    scope = access.scope_of(session=session, principal=principal)
    start, end = _year_bounds(year)
    agencies = {i: n for i, n in session.execute(select(col(Agency.id), col(Agency.name)))}
    services = {i: n for i, n in session.execute(select(col(NetworkService.id), col(NetworkService.name)))}
    allocs = session.execute(access.readable(
        select(col(Prefix.id), col(Prefix.prefix), col(Prefix.agency_id), col(Prefix.service_id), col(Prefix.family), col(Prefix.size), col(Prefix.kind), col(Prefix.prefix_length))
        .where(col(Prefix.kind) == PrefixKind.allocation, col(Prefix.created_at) < end), Prefix, scope
    )).all()
    used: dict[Any, Any] = dict(session.execute(
        select(col(IpAddress.prefix_id), func.count(distinct(col(IpAddress.value_hex)))).join(Prefix, col(IpAddress.prefix_id) == col(Prefix.id))
        .where(col(Prefix.kind) == PrefixKind.allocation).group_by(col(IpAddress.prefix_id))
    ).all())
    child: dict[Any, Any] = dict(session.execute(
        select(col(Prefix.parent_id), func.count()).where(col(Prefix.parent_id).is_not(None)).group_by(col(Prefix.parent_id))
    ).all())
    changes: dict[int, int] = defaultdict(int)
    for obj_id, n in session.execute(
        select(col(ChangeLog.object_id), func.count()).where(col(ChangeLog.object_type) == "prefix", col(ChangeLog.time) >= start, col(ChangeLog.time) < end)
        .group_by(col(ChangeLog.object_id))
    ):
        changes[int(obj_id)] = int(n)
    groups: dict[tuple[Any, Any, int], dict[str, Any]] = {}
    for a in allocs:
        key = (a.agency_id, a.service_id, a.family)
        g = groups.setdefault(key, {
            "agency": agencies.get(a.agency_id, ""), "agency_id": a.agency_id, "service": services.get(a.service_id, ""),
            "service_id": a.service_id, "family": f"IPv{a.family}", "allocations": 0, "allocated": 0.0, "used": 0,
            "unused_allocations": [], "changes": 0,
        })
        g["allocations"] += 1
        net = netmath.Net(a.prefix, a.family, a.prefix_length, 0, int(a.size) - 1)
        lo, hi = netmath.usable_range(net, is_pool=False)
        g["allocated"] += float(hi - lo + 1)
        n_used = int(used.get(a.id, 0)) + int(child.get(a.id, 0))
        g["used"] += n_used
        if n_used == 0:
            g["unused_allocations"].append(a.prefix)
        g["changes"] += changes.get(a.id, 0)
    rows = []
    for g in sorted(groups.values(), key=lambda g: (g["agency"], g["service"], g["family"])):
        g["utilization"] = round(100.0 * g["used"] / g["allocated"], 2) if g["allocated"] else 0.0
        rows.append(g)
    if scope.everything:
        year_changes = session.execute(select(func.count()).where(col(ChangeLog.time) >= start, col(ChangeLog.time) < end)).scalar_one()
        conflicts = overlap_scan(session=session)
    else:  # an agency's review: its own allocations' changes and conflicts
        year_changes = sum(g["changes"] for g in groups.values())
        mine = {a.id for a in allocs}
        conflicts = [c for c in overlap_scan(session=session) if c["a_id"] in mine or c["b_id"] in mine]
    return Report(
        name=f"ra-soat-ip-{year}",
        title=f"Báo cáo rà soát sử dụng địa chỉ IP mạng truy nhập cấp II năm {year}",
        columns=ANNUAL_COLUMNS,
        rows=rows,
        meta={
            "year": year,
            "Ngày lập": vn_date(datetime.now(UTC)),
            "Căn cứ": f"{rules.annual_review_basis.document}, {rules.annual_review_basis.article}",
            "Tổng số thay đổi trong năm": int(year_changes),
            "Số xung đột phát hiện": len(conflicts),
        },
        sections={"conflicts": conflicts},
    )


# -- N3: technical information, form Mẫu 01 ------------------------------------------------------------
#: the one place the form's layout lives (Circular 06/2026/TT-BKHCN, Mẫu 01), plus the IP fields
MAU_01_COLUMNS: list[tuple[str, str]] = [
    ("stt", "STT"),
    ("agency_name", "Tên cơ quan, đơn vị"),
    ("address", "Địa chỉ"),
    ("contact_name", "Họ và tên người liên hệ"),
    ("contact_title", "Chức vụ"),
    ("contact_phone", "Số điện thoại"),
    ("contact_email", "Thư điện tử"),
    ("service_type", "Loại dịch vụ"),
    ("channels", "Số kênh"),
    ("bandwidth_mbps", "Băng thông (Mbps)"),
    ("connection_site", "Địa điểm kết nối"),
    ("planned_date", "Thời gian dự kiến"),
    ("ipv4_allocations", "Địa chỉ IPv4 đã cấp"),
    ("ipv6_allocations", "Địa chỉ IPv6 đã cấp"),
    ("ipv4_demand", "Nhu cầu IPv4 (số địa chỉ)"),
    ("ipv6_demand", "Nhu cầu IPv6 (số khối /64)"),
    ("bandwidth_demand", "Nhu cầu băng thông (Mbps)"),
    ("growth_percent", "Mức tăng so với năm trước (%)"),
    ("justification_required", "Cần giải trình"),
    ("justification", "Giải trình"),
]


def _growth(now: float, before: float) -> float | None:
    if before <= 0:
        return None
    return (now - before) / before


def technical_info(*, session: Session, principal: Principal, year: int, agency_id: int | None, rules: IpamRules) -> Report:
    """One row per agency (and subscribed service) with Mẫu 01's fields, allocations and demand; growth > threshold flagged.

    A non-administrator gets its own agencies only."""
    scope = access.scope_of(session=session, principal=principal)
    stmt = select(Agency).order_by(col(Agency.id))
    own = access.agency_condition(col(Agency.id), scope)
    if own is not None:
        stmt = stmt.where(own)
    if agency_id is not None:
        if not scope.owns_agency(agency_id) or agency_id > MAX_DB_ID or session.get(Agency, agency_id) is None:
            raise NotFound(f"Agency {agency_id} does not exist; list them at /api/v1/ipam/agencies.")
        stmt = stmt.where(col(Agency.id) == agency_id)
    agencies = list(session.execute(stmt).scalars())
    ids = [a.id for a in agencies]
    services = {i: n for i, n in session.execute(select(col(NetworkService.id), col(NetworkService.name)))}
    subs: dict[int, list[Subscription]] = defaultdict(list)
    for s in session.execute(select(Subscription).where(col(Subscription.agency_id).in_(ids))).scalars():
        subs[s.agency_id].append(s)
    allocs: dict[tuple[int, int], list[str]] = defaultdict(list)
    for aid, fam, cidr in session.execute(
        select(col(Prefix.agency_id), col(Prefix.family), col(Prefix.prefix)).where(col(Prefix.kind) == PrefixKind.allocation, col(Prefix.agency_id).in_(ids))
        .order_by(col(Prefix.first_hex))
    ):
        allocs[(aid, fam)].append(cidr)
    demand = {(d.agency_id, d.year): d for d in session.execute(select(IpDemand).where(col(IpDemand.year).in_([year, year - 1]))).scalars()}
    threshold = rules.demand_growth_justification.value
    rows: list[dict[str, Any]] = []
    for agency in agencies:
        contact = next((c for c in agency.contacts if c.get("role") == "operation"), agency.contacts[0] if agency.contacts else {})
        d_now, d_before = demand.get((agency.id or 0, year)), demand.get((agency.id or 0, year - 1))
        growths = []
        if d_now and d_before:
            for attr in ("ipv4_addresses", "ipv6_prefixes", "bandwidth_mbps"):
                g = _growth(float(getattr(d_now, attr)), float(getattr(d_before, attr)))
                if g is not None:
                    growths.append(g)
        growth = max(growths) if growths else None
        flagged = growth is not None and growth > threshold
        base = {
            "agency_id": agency.id, "agency_name": agency.name, "address": agency.address,
            "contact_name": contact.get("name", ""), "contact_title": contact.get("title", ""),
            "contact_phone": contact.get("phone", "") or agency.phone, "contact_email": contact.get("email", "") or agency.email,
            "ipv4_allocations": allocs.get((agency.id or 0, 4), []), "ipv6_allocations": allocs.get((agency.id or 0, 6), []),
            "ipv4_demand": d_now.ipv4_addresses if d_now else None, "ipv6_demand": d_now.ipv6_prefixes if d_now else None,
            "bandwidth_demand": d_now.bandwidth_mbps if d_now else None,
            "growth_percent": round(growth * 100, 1) if growth is not None else None,
            "justification_required": "Có" if flagged else "Không",
            "justification": d_now.justification if d_now else "",
        }
        agency_subs: list[Subscription | None] = list(subs.get(agency.id or 0, [])) or [None]
        for s in agency_subs:
            rows.append({
                **base,
                "stt": len(rows) + 1,
                "service_type": services.get(s.service_id, "") if s else "",
                "channels": s.channels if s else None,
                "bandwidth_mbps": s.bandwidth_mbps if s else None,
                "connection_site": s.connection_site if s else "",
                "planned_date": vn_date(s.planned_date) if s and s.planned_date else "",
            })
    due_month, due_day = rules.registration_due.value
    return Report(
        name=f"thong-tin-ky-thuat-{year}",
        title=f"Thông tin kỹ thuật đăng ký kết nối năm {year} ({rules.registration_form.value})",
        columns=MAU_01_COLUMNS,
        rows=rows,
        meta={
            "year": year,
            "Biểu mẫu": rules.registration_form.value,
            "Căn cứ": f"{rules.registration_due.basis.document}, {rules.registration_due.basis.article}",
            "Hạn gửi": vn_date(date(year, due_month, due_day)),
            "Ngưỡng tăng cần giải trình (%)": round(threshold * 100, 1),
            "Ngày lập": vn_date(datetime.now(UTC)),
        },
    )
