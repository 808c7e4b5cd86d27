"""Exploitation lists (G14), statistics, exports (json/csv/xlsx) and the periodic reports (G11)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.ngo_registry import service
from services.ngo_registry.events import outbox
from services.ngo_registry.models import (
    Association,
    Congress,
    Funding,
    Leader,
    PartyDocument,
    StaffAllocation,
    StatusChange,
    Submission,
)
from services.ngo_registry.rules import (
    OverdueLevel,
    RuleSet,
    annual_report_due,
    congress_status,
    overdue_cutoff,
    quarter_end,
    quarter_start,
)
from shared.errors import InvalidInput
from shared.exports import VN_TZ, csv_bytes, vn_date, xlsx_bytes


@dataclass
class Table:
    """A list ready to page and export: Vietnamese title and headings, typed rows."""

    dataset: str
    title: str
    columns: list[tuple[str, str]]  # (key, Vietnamese heading)
    rows: list[dict[str, Any]]
    count: int
    extra: dict[str, Any] | None = None


# -- exports --------------------------------------------------------------------------------
def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def table_json(table: Table) -> dict[str, Any]:
    body: dict[str, Any] = {
        "dataset": table.dataset,
        "title": table.title,
        "generated_on": vn_date(datetime.now(UTC)),
        "columns": [{"key": k, "heading": h} for k, h in table.columns],
        "count": table.count,
        "items": [{k: _json_value(v) for k, v in row.items()} for row in table.rows],
    }
    if table.extra:
        body.update(table.extra)
    return body


def table_csv(table: Table) -> bytes:
    """CSV with a BOM (Excel opens UTF-8 Vietnamese correctly) and Vietnamese headings."""
    return csv_bytes(columns=table.columns, rows=table.rows)


def table_xlsx(table: Table) -> bytes:
    """An XLSX workbook: title, date line, Vietnamese headings, rows."""
    return xlsx_bytes(
        sheet=table.dataset,
        title=table.title,
        columns=table.columns,
        rows=table.rows,
        preamble=[[f"Ngày lập: {vn_date(datetime.now(UTC))}"]],
    )


# -- lists ------------------------------------------------------------------------------------
_ASSOC_COLUMNS = [
    ("id", "Mã hội"),
    ("name_vi", "Tên hội"),
    ("abbreviation", "Tên viết tắt"),
    ("name_type", "Loại tên gọi"),
    ("scope", "Phạm vi hoạt động"),
    ("field", "Lĩnh vực hoạt động"),
    ("managing_agency", "Bộ, ngành quản lý"),
    ("nature", "Tính chất"),
    ("founding_decision_number", "Số quyết định thành lập"),
    ("founding_decision_date", "Ngày quyết định thành lập"),
    ("office_address", "Địa chỉ trụ sở"),
    ("status", "Tình trạng"),
]


def _assoc_row(a: Association, labels: service.Labels) -> dict[str, Any]:
    def lab(kind: str, code: str | None) -> str | None:
        found = labels.label(kind, code)
        return found["label"] if found else None

    return {
        "id": a.id,
        "name_vi": a.name_vi,
        "abbreviation": a.abbreviation,
        "name_type": lab("name_type", a.name_type_code),
        "scope": lab("scope", a.scope_code),
        "field": lab("field", a.field_code),
        "field_code": a.field_code,
        "managing_agency": lab("managing_agency", a.managing_agency_code),
        "managing_agency_code": a.managing_agency_code,
        "nature": lab("nature", a.nature_code),
        "nature_code": a.nature_code,
        "founding_decision_number": a.founding_decision_number,
        "founding_decision_date": a.founding_decision_date,
        "office_address": a.office_address,
        "status": a.status,
    }


def association_list(*, session: Session, dataset: str, title: str, flt: service.AssociationFilter, limit: int, offset: int, order: Sequence[Any] = ()) -> Table:
    """(b) by field, (c) by managing ministry, (l) by nature: a filtered list of associations."""
    labels = service.load_labels(session)
    count, rows = service.list_associations(session=session, flt=flt, limit=limit, offset=offset, order=order)
    return Table(dataset, title, _ASSOC_COLUMNS, [_assoc_row(a, labels) for a in rows], count)


def general_info(*, session: Session, association_id: int, rules: RuleSet, today: date) -> Table:
    """(a) general information on one association, as heading/value rows."""
    labels = service.load_labels(session)
    assoc = service.get_association(session=session, association_id=association_id)
    rec = service.record_dict(session=session, assoc=assoc, labels=labels, rules=rules, today=today)
    public = service.filter_tier(rec, service.PUBLIC)
    items = [
        ("Tên hội", public["name_vi"]),
        ("Tên tiếng nước ngoài", public["name_foreign"]),
        ("Tên viết tắt", public["abbreviation"]),
        ("Loại tên gọi", (public["name_type"] or {}).get("label")),
        ("Phạm vi hoạt động", (public["scope"] or {}).get("label")),
        ("Tôn chỉ, mục đích", public["purpose"]),
        ("Lĩnh vực hoạt động", (public["field"] or {}).get("label")),
        ("Bộ, ngành quản lý", (public["managing_agency"] or {}).get("label")),
        ("Tính chất", (public["nature"] or {}).get("label")),
        ("Quyết định thành lập", " ".join(x for x in [assoc.founding_decision_number or "", vn_date(assoc.founding_decision_date), assoc.founding_decision_issuer or ""] if x)),
        ("Địa chỉ trụ sở", assoc.office_address),
        ("Điện thoại", assoc.office_phone),
        ("Chủ tịch", assoc.chair_name),
        ("Đại hội gần nhất", assoc.last_congress_on),
        ("Tình trạng", assoc.status),
    ]
    rows = [{"item": k, "value": v} for k, v in items]
    return Table("general", f"Thông tin chung về hội: {assoc.name_vi}", [("item", "Thông tin"), ("value", "Nội dung")], rows, len(rows), {"record": public})


def key_leaders(*, session: Session, flt: service.AssociationFilter, role: str | None, today: date, limit: int, offset: int) -> Table:
    """(d) key leaders: current leaders of active associations, by association code."""
    labels = service.load_labels(session)
    query = (
        flt.apply(select(Leader, Association.name_vi).join(Association, col(Association.id) == Leader.association_id))
        .where(sa.or_(col(Leader.to_date).is_(None), col(Leader.to_date) >= today))
        .where(Association.status == "active")
    )
    if role:
        query = query.where(Leader.role_code == role)
    count = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Leader.association_id), col(Leader.id)).limit(limit).offset(offset)).all()
    items = [
        {
            "association_id": leader.association_id,
            "association": name,
            "role": (labels.label("leader_role", leader.role_code) or {}).get("label"),
            "full_name": leader.full_name,
            "from_date": leader.from_date,
        }
        for leader, name in rows
    ]
    columns = [("association_id", "Mã hội"), ("association", "Tên hội"), ("role", "Chức danh"), ("full_name", "Họ và tên"), ("from_date", "Từ ngày")]
    return Table("key_leaders", "Danh sách lãnh đạo chủ chốt của hội", columns, items, int(count))


def chairpersons(*, session: Session, flt: service.AssociationFilter, limit: int, offset: int) -> Table:
    """(đ) the current chairperson of each active association (kept on the record), by name."""
    labels = service.load_labels(session)
    query = flt.apply(select(Association)).where(Association.status == "active", col(Association.chair_name).is_not(None))
    count = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Association.name_vi), col(Association.id)).limit(limit).offset(offset)).all()
    items = [
        {"association_id": a.id, "association": a.name_vi, "scope": (labels.label("scope", a.scope_code) or {}).get("label"), "full_name": a.chair_name}
        for a in rows
    ]
    columns = [("association_id", "Mã hội"), ("association", "Tên hội"), ("scope", "Phạm vi"), ("full_name", "Chủ tịch")]
    return Table("chairpersons", "Danh sách Chủ tịch các hội", columns, items, int(count))


def congress_tracking(*, session: Session, flt: service.AssociationFilter, min_level: int, rules: RuleSet, today: date, limit: int, offset: int) -> Table:
    """(e) the next term congress of each active association, with its escalation level."""
    query = flt.apply(select(Association)).where(Association.status == "active", col(Association.next_congress_due).is_not(None))
    if min_level > 0:
        query = query.where(col(Association.next_congress_due) <= overdue_cutoff(today, OverdueLevel(min(min_level, 4)), rules))
    count = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Association.next_congress_due), col(Association.id)).limit(limit).offset(offset)).all()
    items = []
    for a in rows:
        assert a.next_congress_due is not None
        st = congress_status(a.next_congress_due, today, rules)
        items.append(
            {
                "association_id": a.id,
                "association": a.name_vi,
                "last_congress_on": a.last_congress_on,
                "last_term_number": a.last_term_number,
                "next_due": st.next_due,
                "level": int(st.level),
                "status": st.label,
                "first_flag_on": st.first_flag,
                "second_flag_on": st.second_flag,
                "third_flag_on": st.third_flag,
            }
        )
    columns = [
        ("association_id", "Mã hội"),
        ("association", "Tên hội"),
        ("last_congress_on", "Ngày đại hội gần nhất"),
        ("last_term_number", "Nhiệm kỳ"),
        ("next_due", "Hạn đại hội nhiệm kỳ tiếp theo"),
        ("status", "Tình trạng"),
        ("first_flag_on", "Mốc quá hạn 12 tháng"),
        ("second_flag_on", "Mốc thêm 6 tháng"),
        ("third_flag_on", "Mốc thêm 90 ngày"),
    ]
    basis = {"legal_basis": {k: rules.parameters()[k].basis.cite() for k in ("max_term_years", "overdue_first_months", "overdue_second_months", "overdue_third_days")}}
    return Table("congress_tracking", "Danh sách theo dõi việc tổ chức đại hội nhiệm kỳ của các hội", columns, items, int(count), basis)


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
    labels = service.load_labels(session)
    query = (
        select(column, sa.func.count(), sa.func.sum(StaffAllocation.staff))
        .join(Association, col(Association.id) == StaffAllocation.association_id)
        .where(StaffAllocation.year == year)
        .group_by(column)
    )
    rows = _cached_rows(session, ("staff", year, group_by), query.order_by(column))
    items = [{"group": (labels.label(kind, r[0]) or {}).get("label"), "code": r[0], "associations": int(r[1]), "staff": int(r[2] or 0)} for r in rows]
    total = sum(i["staff"] for i in items)
    page = items[offset : offset + limit]
    return Table("state_staff", f"Thống kê tổng số biên chế nhà nước giao cho các hội năm {year}", [("group", heading), ("associations", "Số hội"), ("staff", "Biên chế được giao")], page, len(items), {"year": year, "total_staff": total})


def funding_statistics(*, session: Session, year: int, group_by: str, limit: int, offset: int) -> Table:
    """(i) operating funds in ``year`` by group and source, in VND."""
    column, kind, heading = _group(group_by)
    labels = service.load_labels(session)
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
        {"group": (labels.label(kind, r[0]) or {}).get("label"), "code": r[0], "source": (labels.label("funding_source", r[1]) or {}).get("label"), "associations": int(r[2]), "amount_vnd": int(r[3] or 0)}
        for r in rows
    ]
    total = sum(i["amount_vnd"] for i in items)
    return Table("funding", f"Thống kê kinh phí hoạt động của các hội năm {year} (đồng)", [("group", heading), ("source", "Nguồn kinh phí"), ("associations", "Số hội"), ("amount_vnd", "Số tiền (VNĐ)")], items[offset : offset + limit], len(items), {"year": year, "total_vnd": total})


def head_office_statistics(*, session: Session, limit: int, offset: int) -> Table:
    """(k) head-office area and origin: count, total and average area by origin."""
    labels = service.load_labels(session)
    rows = _cached_rows(
        session,
        ("head_office",),
        select(Association.office_origin_code, sa.func.count(), sa.func.sum(Association.office_area_m2), sa.func.avg(Association.office_area_m2))
        .where(Association.status == "active")
        .group_by(Association.office_origin_code)
        .order_by(Association.office_origin_code),
    )
    items = [
        {"origin": (labels.label("office_origin", r[0]) or {}).get("label") or "Chưa khai báo", "code": r[0], "associations": int(r[1]), "total_area_m2": round(float(r[2] or 0), 1), "average_area_m2": round(float(r[3] or 0), 1)}
        for r in rows
    ]
    return Table("head_office", "Thống kê diện tích và nguồn gốc trụ sở chính của các hội", [("origin", "Nguồn gốc trụ sở"), ("associations", "Số hội"), ("total_area_m2", "Tổng diện tích (m²)"), ("average_area_m2", "Diện tích bình quân (m²)")], items[offset : offset + limit], len(items))


def nature_statistics(*, session: Session, limit: int, offset: int) -> Table:
    """(l) associations by nature and scope."""
    labels = service.load_labels(session)
    rows = _cached_rows(
        session,
        ("nature",),
        select(Association.nature_code, Association.scope_code, sa.func.count(), sa.func.sum(sa.case((col(Association.special_status).is_(True), 1), else_=0)))
        .where(Association.status == "active")
        .group_by(Association.nature_code, Association.scope_code)
        .order_by(Association.nature_code, Association.scope_code),
    )
    items = [
        {"nature": (labels.label("nature", r[0]) or {}).get("label"), "scope": (labels.label("scope", r[1]) or {}).get("label"), "associations": int(r[2]), "special_status": int(r[3] or 0)}
        for r in rows
    ]
    return Table("by_nature", "Thống kê các hội theo tính chất", [("nature", "Tính chất"), ("scope", "Phạm vi"), ("associations", "Số hội"), ("special_status", "Trong đó hội có tính chất đặc thù")], items[offset : offset + limit], len(items))


def party_documents(*, session: Session, document_type: str | None, limit: int, offset: int) -> Table:
    """(m) Party and State documents on associations."""
    labels = service.load_labels(session)
    query = select(PartyDocument)
    if document_type:
        query = query.where(PartyDocument.document_type_code == document_type)
    count = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(PartyDocument.issued_on).desc(), col(PartyDocument.id)).limit(limit).offset(offset)).all()
    items = [document_dict(d, labels) for d in rows]
    return Table(
        "party_documents",
        "Danh mục các văn bản quan trọng do Đảng, Nhà nước ban hành liên quan đến hội",
        [("number", "Số, ký hiệu"), ("document_type_label", "Loại văn bản"), ("title", "Trích yếu"), ("issuer", "Cơ quan ban hành"), ("issued_on", "Ngày ban hành"), ("effective_on", "Ngày hiệu lực")],
        items,
        int(count),
    )


def document_dict(d: PartyDocument, labels: service.Labels) -> dict[str, Any]:
    return {
        "id": d.id,
        "number": d.number,
        "title": d.title,
        "document_type": d.document_type_code,
        "document_type_label": (labels.label("document_type", d.document_type_code) or {}).get("label"),
        "issuer": d.issuer,
        "issued_on": d.issued_on,
        "effective_on": d.effective_on,
        "summary": d.summary,
    }


# -- periodic reports (G11) -------------------------------------------------------------------
def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local (Viet Nam) calendar days as UTC instants [start, end+1)."""
    return (
        datetime.combine(start, time.min, VN_TZ).astimezone(UTC),
        datetime.combine(end + timedelta(days=1), time.min, VN_TZ).astimezone(UTC),
    )


def quarterly_report(*, session: Session, year: int, quarter: int, rules: RuleSet, sample: int = 100) -> dict[str, Any]:
    """The quarter-end update: records changed, records stale, submissions pending."""
    try:
        end = quarter_end(year, quarter, rules)
    except ValueError as exc:
        raise InvalidInput(str(exc), errors=[{"field": "quarter", "message": str(exc)}]) from None
    start = quarter_start(year, quarter, rules)
    lo, hi = _bounds(start, end)
    changed_q = select(Association.id, Association.name_vi, Association.version, Association.updated_at).where(col(Association.updated_at) >= lo, col(Association.updated_at) < hi)
    created = session.exec(select(sa.func.count()).select_from(Association).where(col(Association.created_at) >= lo, col(Association.created_at) < hi)).one()
    changed_count = session.exec(select(sa.func.count()).select_from(changed_q.subquery())).one()
    changed = session.exec(changed_q.order_by(col(Association.updated_at).desc()).limit(sample)).all()
    stale_before = _bounds(end - timedelta(days=rules.stale_after_days.value), end)[0]
    stale_q = select(Association.id, Association.name_vi, Association.updated_at).where(Association.status == "active", col(Association.updated_at) < stale_before)
    stale_count = session.exec(select(sa.func.count()).select_from(stale_q.subquery())).one()
    stale = session.exec(stale_q.order_by(col(Association.updated_at)).limit(sample)).all()
    pending_q = select(Submission.id, Submission.association_id, Submission.status, Submission.created_at).where(col(Submission.status).in_(["validated", "invalid"]), col(Submission.created_at) < hi)
    pending_count = session.exec(select(sa.func.count()).select_from(pending_q.subquery())).one()
    pending = session.exec(pending_q.order_by(col(Submission.created_at)).limit(sample)).all()
    return {
        "title": f"Báo cáo cập nhật cơ sở dữ liệu hội quý {quarter}/{year}",
        "year": year,
        "quarter": quarter,
        "period": {"from": start.isoformat(), "to": end.isoformat(), "from_vn": vn_date(start), "to_vn": vn_date(end)},
        "update_due_on": end.isoformat(),
        "update_due_on_vn": vn_date(end),
        "legal_basis": rules.quarter_end_months.basis.cite(),
        "generated_on": vn_date(datetime.now(UTC)),
        "created": int(created),
        "changed": {"count": int(changed_count), "items": [{"id": r[0], "name_vi": r[1], "version": r[2], "updated_at": r[3].isoformat()} for r in changed]},
        "stale": {"count": int(stale_count), "not_updated_since": stale_before.date().isoformat(), "items": [{"id": r[0], "name_vi": r[1], "updated_at": r[2].isoformat()} for r in stale]},
        "pending_submissions": {"count": int(pending_count), "items": [{"id": r[0], "association_id": r[1], "status": r[2], "received_at": r[3].isoformat()} for r in pending]},
    }


def _counts(session: Session, column: Any, kind: str, labels: service.Labels) -> list[dict[str, Any]]:
    rows = session.exec(select(column, sa.func.count()).where(Association.status == "active").group_by(column).order_by(column)).all()
    return [{"code": r[0], "label": (labels.label(kind, r[0]) or {}).get("label"), "associations": int(r[1])} for r in rows]


def annual_report(*, session: Session, year: int, rules: RuleSet) -> dict[str, Any]:
    """The yearly report to the Ministry's leadership (due before 31 December)."""
    if not 1900 <= year <= 2200:
        raise InvalidInput("year is out of range.", errors=[{"field": "year", "message": "1900-2200"}])
    labels = service.load_labels(session)
    year_end = date(year, 12, 31)
    held = session.exec(
        select(Congress.kind_code, sa.func.count()).where(col(Congress.held_on) >= date(year, 1, 1), col(Congress.held_on) <= year_end).group_by(Congress.kind_code).order_by(Congress.kind_code)
    ).all()
    overdue: dict[str, int] = {}
    for level in (OverdueLevel.FIRST, OverdueLevel.SECOND, OverdueLevel.THIRD):
        cutoff = overdue_cutoff(year_end, level, rules)
        overdue[level.name.lower()] = int(
            session.exec(select(sa.func.count()).select_from(Association).where(Association.status == "active", col(Association.next_congress_due) <= cutoff)).one()
        )
    staff = session.exec(select(sa.func.count(), sa.func.sum(StaffAllocation.staff)).where(StaffAllocation.year == year)).one()
    funding = session.exec(select(Funding.source_code, sa.func.sum(Funding.amount_vnd)).where(Funding.year == year).group_by(Funding.source_code).order_by(Funding.source_code)).all()
    changes = session.exec(
        select(StatusChange.kind_code, sa.func.count()).where(col(StatusChange.decision_date) >= date(year, 1, 1), col(StatusChange.decision_date) <= year_end).group_by(StatusChange.kind_code).order_by(StatusChange.kind_code)
    ).all()
    due = annual_report_due(year, rules)
    funding_lines = [{"code": r[0], "label": (labels.label("funding_source", r[0]) or {}).get("label"), "amount_vnd": int(r[1] or 0)} for r in funding]
    return {
        "title": f"Báo cáo công tác quản lý Cơ sở dữ liệu hội và tổ chức phi chính phủ năm {year}",
        "year": year,
        "due_before": due.isoformat(),
        "due_before_vn": vn_date(due),
        "legal_basis": rules.annual_report_due.basis.cite(),
        "generated_on": vn_date(datetime.now(UTC)),
        "associations_active": int(session.exec(select(sa.func.count()).select_from(Association).where(Association.status == "active")).one()),
        "by_scope": _counts(session, Association.scope_code, "scope", labels),
        "by_field": _counts(session, Association.field_code, "field", labels),
        "by_nature": _counts(session, Association.nature_code, "nature", labels),
        "congresses_held": [{"code": r[0], "label": (labels.label("congress_kind", r[0]) or {}).get("label"), "count": int(r[1])} for r in held],
        "congresses_overdue_at_year_end": overdue,
        "state_staff": {"associations": int(staff[0] or 0), "staff": int(staff[1] or 0)},
        "funding": {"by_source": funding_lines, "total_vnd": sum(x["amount_vnd"] for x in funding_lines)},
        "status_changes": [{"code": r[0], "label": (labels.label("status_change_kind", r[0]) or {}).get("label"), "count": int(r[1])} for r in changes],
    }


# -- congress escalation events --------------------------------------------------------------
def scan_overdue_congresses(*, session: Session, rules: RuleSet, today: date, batch: int = 5000) -> int:
    """Emit congress.overdue once per association and escalation level reached; returns events emitted."""
    cutoff = overdue_cutoff(today, OverdueLevel.FIRST, rules)
    rows = session.exec(
        select(Association)
        .where(Association.status == "active", col(Association.next_congress_due) <= cutoff, col(Association.overdue_level_notified) < int(OverdueLevel.THIRD))
        .order_by(col(Association.id))
        .limit(batch)
    ).all()
    emitted = 0
    for assoc in rows:
        assert assoc.next_congress_due is not None
        st = congress_status(assoc.next_congress_due, today, rules)
        if int(st.level) <= assoc.overdue_level_notified:
            continue
        assoc.overdue_level_notified = int(st.level)
        session.add(assoc)
        outbox.emit(
            session,
            "govnet.ngo.congress.overdue.v1",
            subject=assoc.id or 0,
            data={"association_id": assoc.id, "name_vi": assoc.name_vi, "next_due": st.next_due.isoformat(), "level": int(st.level), "label": st.label, "legal_basis": rules.overdue_first_months.basis.cite()},
        )
        emitted += 1
    session.flush()
    return emitted
