"""The periodic reports (G11): the quarter-end update and the yearly report, and congress escalation events."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.ngo_registry.categories.service import Labels, load_labels
from services.ngo_registry.events import outbox
from services.ngo_registry.lists.schemas import ReportOut
from services.ngo_registry.records.models import (
    Association,
    AssociationStatus,
    Congress,
    Funding,
    StaffAllocation,
    StatusChange,
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
from services.ngo_registry.submissions.models import Submission, SubmissionStatus
from shared.errors import InvalidInput
from shared.exports import VN_TZ, vn_date


# -- periodic reports (G11) -------------------------------------------------------------------
def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local (Viet Nam) calendar days as UTC instants [start, end+1)."""
    return (
        datetime.combine(start, time.min, VN_TZ).astimezone(UTC),
        datetime.combine(end + timedelta(days=1), time.min, VN_TZ).astimezone(UTC),
    )


def quarterly_report(*, session: Session, year: int, quarter: int, rules: RuleSet, sample: int = 100) -> ReportOut:
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
    stale_q = select(Association.id, Association.name_vi, Association.updated_at).where(Association.status == AssociationStatus.ACTIVE, col(Association.updated_at) < stale_before)
    stale_count = session.exec(select(sa.func.count()).select_from(stale_q.subquery())).one()
    stale = session.exec(stale_q.order_by(col(Association.updated_at)).limit(sample)).all()
    pending_q = select(Submission.id, Submission.association_id, Submission.status, Submission.created_at).where(col(Submission.status).in_([SubmissionStatus.VALIDATED, SubmissionStatus.INVALID]), col(Submission.created_at) < hi)
    pending_count = session.exec(select(sa.func.count()).select_from(pending_q.subquery())).one()
    pending = session.exec(pending_q.order_by(col(Submission.created_at)).limit(sample)).all()
    return ReportOut(**{
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
    })


def _counts(session: Session, column: Any, kind: str, labels: Labels) -> list[dict[str, Any]]:
    rows = session.exec(select(column, sa.func.count()).where(Association.status == AssociationStatus.ACTIVE).group_by(column).order_by(column)).all()
    return [{"code": r[0], "label": labels.text(kind, r[0]), "associations": int(r[1])} for r in rows]


def annual_report(*, session: Session, year: int, rules: RuleSet) -> ReportOut:
    """The yearly report to the Ministry's leadership (due before 31 December)."""
    if not 1900 <= year <= 2200:
        raise InvalidInput("year is out of range.", errors=[{"field": "year", "message": "1900-2200"}])
    labels = load_labels(session=session)
    year_end = date(year, 12, 31)
    held = session.exec(
        select(Congress.kind_code, sa.func.count()).where(col(Congress.held_on) >= date(year, 1, 1), col(Congress.held_on) <= year_end).group_by(Congress.kind_code).order_by(Congress.kind_code)
    ).all()
    overdue: dict[str, int] = {}
    for level in (OverdueLevel.FIRST, OverdueLevel.SECOND, OverdueLevel.THIRD):
        cutoff = overdue_cutoff(year_end, level, rules)
        overdue[level.name.lower()] = int(
            session.exec(select(sa.func.count()).select_from(Association).where(Association.status == AssociationStatus.ACTIVE, col(Association.next_congress_due) <= cutoff)).one()
        )
    staff = session.exec(select(sa.func.count(), sa.func.sum(StaffAllocation.staff)).where(StaffAllocation.year == year)).one()
    funding = session.exec(select(Funding.source_code, sa.func.sum(Funding.amount_vnd)).where(Funding.year == year).group_by(Funding.source_code).order_by(Funding.source_code)).all()
    changes = session.exec(
        select(StatusChange.kind_code, sa.func.count()).where(col(StatusChange.decision_date) >= date(year, 1, 1), col(StatusChange.decision_date) <= year_end).group_by(StatusChange.kind_code).order_by(StatusChange.kind_code)
    ).all()
    due = annual_report_due(year, rules)
    funding_lines = [{"code": r[0], "label": labels.text("funding_source", r[0]), "amount_vnd": int(r[1] or 0)} for r in funding]
    return ReportOut(**{
        "title": f"Báo cáo công tác quản lý Cơ sở dữ liệu hội và tổ chức phi chính phủ năm {year}",
        "year": year,
        "due_before": due.isoformat(),
        "due_before_vn": vn_date(due),
        "legal_basis": rules.annual_report_due.basis.cite(),
        "generated_on": vn_date(datetime.now(UTC)),
        "associations_active": int(session.exec(select(sa.func.count()).select_from(Association).where(Association.status == AssociationStatus.ACTIVE)).one()),
        "by_scope": _counts(session, Association.scope_code, "scope", labels),
        "by_field": _counts(session, Association.field_code, "field", labels),
        "by_nature": _counts(session, Association.nature_code, "nature", labels),
        "congresses_held": [{"code": r[0], "label": labels.text("congress_kind", r[0]), "count": int(r[1])} for r in held],
        "congresses_overdue_at_year_end": overdue,
        "state_staff": {"associations": int(staff[0] or 0), "staff": int(staff[1] or 0)},
        "funding": {"by_source": funding_lines, "total_vnd": sum(int(r[1] or 0) for r in funding)},
        "status_changes": [{"code": r[0], "label": labels.text("status_change_kind", r[0]), "count": int(r[1])} for r in changes],
    })


# -- congress escalation events --------------------------------------------------------------
def scan_overdue_congresses(*, session: Session, rules: RuleSet, today: date, batch: int = 5000) -> int:
    """Emit congress.overdue once per association and escalation level reached; returns events emitted."""
    cutoff = overdue_cutoff(today, OverdueLevel.FIRST, rules)
    rows = session.exec(
        select(Association)
        .where(Association.status == AssociationStatus.ACTIVE, col(Association.next_congress_due) <= cutoff, col(Association.overdue_level_notified) < int(OverdueLevel.THIRD))
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
