"""The exploitation lists (G14 a–e, m): filtered, ordered, paged tables of records, leaders and documents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.ngo_registry.access import Tier, filter_tier
from services.ngo_registry.categories.service import Labels, load_labels
from services.ngo_registry.documents.service import document_row, list_documents
from services.ngo_registry.lists.tables import Table
from services.ngo_registry.records.models import Association, AssociationStatus, Leader
from services.ngo_registry.records.service import get_association
from services.ngo_registry.records.views import association_record
from services.ngo_registry.rules import OverdueLevel, RuleSet, congress_status, overdue_cutoff
from services.ngo_registry.search.service import AssociationFilter, list_associations
from shared.exports import vn_date

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


def _assoc_row(a: Association, labels: Labels) -> dict[str, Any]:
    def lab(kind: str, code: str | None) -> str | None:
        return labels.text(kind, code)

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


def association_list(*, session: Session, dataset: str, title: str, flt: AssociationFilter, limit: int, offset: int, order: Sequence[Any] = ()) -> Table:
    """(b) by field, (c) by managing ministry, (l) by nature: a filtered list of associations."""
    labels = load_labels(session=session)
    count, rows = list_associations(session=session, flt=flt, limit=limit, offset=offset, order=order)
    return Table(dataset, title, _ASSOC_COLUMNS, [_assoc_row(a, labels) for a in rows], count)


def general_info(*, session: Session, association_id: int, rules: RuleSet, today: date) -> Table:
    """(a) general information on one association, as heading/value rows."""
    labels = load_labels(session=session)
    assoc = get_association(session=session, association_id=association_id)
    rec = association_record(session=session, assoc=assoc, labels=labels, rules=rules, today=today)
    public = filter_tier(rec, Tier.PUBLIC).model_dump(mode="json", exclude_unset=True)
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


def key_leaders(*, session: Session, flt: AssociationFilter, role: str | None, today: date, limit: int, offset: int) -> Table:
    """(d) key leaders: current leaders of active associations, by association code."""
    labels = load_labels(session=session)
    query = (
        flt.apply(select(Leader, Association.name_vi).join(Association, col(Association.id) == Leader.association_id))
        .where(sa.or_(col(Leader.to_date).is_(None), col(Leader.to_date) >= today))
        .where(Association.status == AssociationStatus.ACTIVE)
    )
    if role:
        query = query.where(Leader.role_code == role)
    count = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Leader.association_id), col(Leader.id)).limit(limit).offset(offset)).all()
    items = [
        {
            "association_id": leader.association_id,
            "association": name,
            "role": labels.text("leader_role", leader.role_code),
            "full_name": leader.full_name,
            "from_date": leader.from_date,
        }
        for leader, name in rows
    ]
    columns = [("association_id", "Mã hội"), ("association", "Tên hội"), ("role", "Chức danh"), ("full_name", "Họ và tên"), ("from_date", "Từ ngày")]
    return Table("key_leaders", "Danh sách lãnh đạo chủ chốt của hội", columns, items, int(count))


def chairpersons(*, session: Session, flt: AssociationFilter, limit: int, offset: int) -> Table:
    """(đ) the current chairperson of each active association (kept on the record), by name."""
    labels = load_labels(session=session)
    query = flt.apply(select(Association)).where(Association.status == AssociationStatus.ACTIVE, col(Association.chair_name).is_not(None))
    count = session.exec(select(sa.func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(col(Association.name_vi), col(Association.id)).limit(limit).offset(offset)).all()
    items = [
        {"association_id": a.id, "association": a.name_vi, "scope": labels.text("scope", a.scope_code), "full_name": a.chair_name}
        for a in rows
    ]
    columns = [("association_id", "Mã hội"), ("association", "Tên hội"), ("scope", "Phạm vi"), ("full_name", "Chủ tịch")]
    return Table("chairpersons", "Danh sách Chủ tịch các hội", columns, items, int(count))


def congress_tracking(*, session: Session, flt: AssociationFilter, min_level: int, rules: RuleSet, today: date, limit: int, offset: int) -> Table:
    """(e) the next term congress of each active association, with its escalation level."""
    query = flt.apply(select(Association)).where(Association.status == AssociationStatus.ACTIVE, col(Association.next_congress_due).is_not(None))
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


def party_documents(*, session: Session, document_type: str | None, limit: int, offset: int) -> Table:
    """(m) Party and State documents on associations."""
    labels = load_labels(session=session)
    count, rows = list_documents(session=session, document_type=document_type, limit=limit, offset=offset)
    items = [document_row(d, labels) for d in rows]
    return Table(
        "party_documents",
        "Danh mục các văn bản quan trọng do Đảng, Nhà nước ban hành liên quan đến hội",
        [("number", "Số, ký hiệu"), ("document_type_label", "Loại văn bản"), ("title", "Trích yếu"), ("issuer", "Cơ quan ban hành"), ("issued_on", "Ngày ban hành"), ("effective_on", "Ngày hiệu lực")],
        items,
        int(count),
    )
