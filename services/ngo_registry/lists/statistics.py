"""Statistics (G14 h, i, k, l): aggregates over every record, cached while the registry is unchanged."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.ngo_registry.categories.service import load_labels
from services.ngo_registry.lists.tables import Table
from services.ngo_registry.records.models import Association, AssociationStatus, Funding, StaffAllocation
from shared.errors import InvalidInput

# statistics read every row; their results are cached per process and reused while the registry
# is unchanged (every write bumps association.updated_at; records are never deleted)
_STATS_CACHE: dict[tuple[Any, ...], tuple[tuple[Any, ...], list[tuple[Any, ...]]]] = {}


def _signature(session: Session) -> tuple[Any, ...]:
    row = session.execute(sa.select(sa.func.count(), sa.func.max(Association.updated_at)).select_from(Association)).one()
    return (session.get_bind().engine.url.render_as_string(hide_password=True), int(row[0]), str(row[1]))


def _cached_rows(session: Session, key: tuple[Any, ...], query: Any) -> list[tuple[Any, ...]]:
    """The rows of an aggregate ``query``, reused while the registry is unchanged (labels applied later)."""
    signature = _signature(session)
    full_key = (*key, signature[0])
    hit = _STATS_CACHE.get(full_key)
    if hit is not None and hit[0] == signature:
        return hit[1]
    rows = [tuple(r) for r in session.execute(query).all()]
    if len(_STATS_CACHE) > 256:
        _STATS_CACHE.clear()
    _STATS_CACHE[full_key] = (signature, rows)
    return rows


_GROUPS: dict[str, tuple[Any, str, str]] = {
    "field": (Association.field_code, "field", "Lĩnh vực"),
    "managing_agency": (Association.managing_agency_code, "managing_agency", "Bộ, ngành quản lý"),
    "nature": (Association.nature_code, "nature", "Tính chất"),
    "scope": (Association.scope_code, "scope", "Phạm vi"),
}


def _group(by: str) -> tuple[Any, str, str]:
    if by not in _GROUPS:
        raise InvalidInput(f"group_by must be one of {', '.join(_GROUPS)}.", errors=[{"field": "group_by", "message": "unknown grouping"}])
    return _GROUPS[by]


def state_staff_statistics(*, session: Session, year: int, group_by: str, limit: int, offset: int) -> Table:
    """(h) state-assigned staff in ``year``, by group, with the total."""
    column, kind, heading = _group(group_by)
    labels = load_labels(session=session)
    query = (
        select(column, sa.func.count(), sa.func.sum(StaffAllocation.staff))
        .join(Association, col(Association.id) == StaffAllocation.association_id)
        .where(StaffAllocation.year == year)
        .group_by(column)
    )
    rows = _cached_rows(session, ("staff", year, group_by), query.order_by(column))
    items = [{"group": labels.text(kind, r[0]), "code": r[0], "associations": int(r[1]), "staff": int(r[2] or 0)} for r in rows]
    total = sum(i["staff"] for i in items)
    page = items[offset : offset + limit]
    return Table("state_staff", f"Thống kê tổng số biên chế nhà nước giao cho các hội năm {year}", [("group", heading), ("associations", "Số hội"), ("staff", "Biên chế được giao")], page, len(items), {"year": year, "total_staff": total})


def funding_statistics(*, session: Session, year: int, group_by: str, limit: int, offset: int) -> Table:
    """(i) operating funds in ``year`` by group and source, in VND."""
    column, kind, heading = _group(group_by)
    labels = load_labels(session=session)
    rows = _cached_rows(
        session,
        ("funding", year, group_by),
        select(column, Funding.source_code, sa.func.count(sa.distinct(col(Funding.association_id))), sa.func.sum(Funding.amount_vnd))
        .join(Association, col(Association.id) == Funding.association_id)
        .where(Funding.year == year)
        .group_by(column, Funding.source_code)
        .order_by(column, Funding.source_code),
    )
    items = [
        {"group": labels.text(kind, r[0]), "code": r[0], "source": labels.text("funding_source", r[1]), "associations": int(r[2]), "amount_vnd": int(r[3] or 0)}
        for r in rows
    ]
    total = sum(i["amount_vnd"] for i in items)
    return Table("funding", f"Thống kê kinh phí hoạt động của các hội năm {year} (đồng)", [("group", heading), ("source", "Nguồn kinh phí"), ("associations", "Số hội"), ("amount_vnd", "Số tiền (VNĐ)")], items[offset : offset + limit], len(items), {"year": year, "total_vnd": total})


def head_office_statistics(*, session: Session, limit: int, offset: int) -> Table:
    """(k) head-office area and origin: count, total and average area by origin."""
    labels = load_labels(session=session)
    rows = _cached_rows(
        session,
        ("head_office",),
        select(Association.office_origin_code, sa.func.count(), sa.func.sum(Association.office_area_m2), sa.func.avg(Association.office_area_m2))
        .where(Association.status == AssociationStatus.ACTIVE)
        .group_by(Association.office_origin_code)
        .order_by(Association.office_origin_code),
    )
    items = [
        {"origin": labels.text("office_origin", r[0]) or "Chưa khai báo", "code": r[0], "associations": int(r[1]), "total_area_m2": round(float(r[2] or 0), 1), "average_area_m2": round(float(r[3] or 0), 1)}
        for r in rows
    ]
    return Table("head_office", "Thống kê diện tích và nguồn gốc trụ sở chính của các hội", [("origin", "Nguồn gốc trụ sở"), ("associations", "Số hội"), ("total_area_m2", "Tổng diện tích (m²)"), ("average_area_m2", "Diện tích bình quân (m²)")], items[offset : offset + limit], len(items))


def nature_statistics(*, session: Session, limit: int, offset: int) -> Table:
    """(l) associations by nature and scope."""
    labels = load_labels(session=session)
    rows = _cached_rows(
        session,
        ("nature",),
        select(Association.nature_code, Association.scope_code, sa.func.count(), sa.func.sum(sa.case((col(Association.special_status).is_(True), 1), else_=0)))
        .where(Association.status == AssociationStatus.ACTIVE)
        .group_by(Association.nature_code, Association.scope_code)
        .order_by(Association.nature_code, Association.scope_code),
    )
    items = [
        {"nature": labels.text("nature", r[0]), "scope": labels.text("scope", r[1]), "associations": int(r[2]), "special_status": int(r[3] or 0)}
        for r in rows
    ]
    return Table("by_nature", "Thống kê các hội theo tính chất", [("nature", "Tính chất"), ("scope", "Phạm vi"), ("associations", "Số hội"), ("special_status", "Trong đó hội có tính chất đặc thù")], items[offset : offset + limit], len(items))
