"""Fees for value-added data (G8): a schedule in VND and one meter row per value-added request."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from services.ngo_registry.access import require_org_reader
from services.ngo_registry.fees.models import FeeMeter, FeeSchedule
from services.ngo_registry.fees.schemas import FeeLine, FeeRateOut, FeeStatementOut
from shared.auth import Principal
from shared.errors import InvalidInput

#: the datasets that are value-added (priced); keys of the schedule
DATASETS: dict[str, str] = {
    "general": "(a) Thông tin chung về hội",
    "by_field": "(b) Danh sách hội theo lĩnh vực",
    "by_ministry": "(c) Danh sách hội theo Bộ, ngành quản lý",
    "key_leaders": "(d) Danh sách lãnh đạo chủ chốt",
    "chairpersons": "(đ) Danh sách Chủ tịch các hội",
    "congress_tracking": "(e) Theo dõi đại hội nhiệm kỳ",
    "state_staff": "(h) Thống kê biên chế nhà nước giao",
    "funding": "(i) Thống kê kinh phí hoạt động",
    "head_office": "(k) Thống kê diện tích, nguồn gốc trụ sở",
    "by_nature": "(l) Thống kê hội theo tính chất",
    "party_documents": "(m) Danh mục văn bản của Đảng, Nhà nước",
}


def rate(*, session: Session, dataset: str, default_request: int, default_row: int) -> tuple[int, int]:
    """(VND per request, VND per row) for ``dataset``."""
    row = session.exec(select(FeeSchedule).where(FeeSchedule.dataset == dataset)).first()
    if row is None:
        return default_request, default_row
    return row.per_request_vnd, row.per_row_vnd


def schedule(*, session: Session, default_request: int, default_row: int) -> list[FeeRateOut]:
    """The price of every dataset."""
    out: list[FeeRateOut] = []
    for dataset, label in DATASETS.items():
        per_request, per_row = rate(session=session, dataset=dataset, default_request=default_request, default_row=default_row)
        out.append(FeeRateOut(dataset=dataset, label=label, per_request_vnd=per_request, per_row_vnd=per_row, currency="VND"))
    return out


def set_rate(*, session: Session, dataset: str, per_request_vnd: int, per_row_vnd: int) -> FeeRateOut:
    """Set the price of a dataset."""
    if dataset not in DATASETS:
        raise InvalidInput(f"Unknown dataset '{dataset}'; choose one of {', '.join(DATASETS)}.", errors=[{"field": "dataset", "message": "unknown"}])
    row = session.exec(select(FeeSchedule).where(FeeSchedule.dataset == dataset)).first() or FeeSchedule(dataset=dataset, per_request_vnd=0, per_row_vnd=0)
    row.per_request_vnd, row.per_row_vnd, row.updated_at = per_request_vnd, per_row_vnd, datetime.now(UTC)
    session.add(row)
    session.flush()
    return FeeRateOut(dataset=dataset, label=DATASETS[dataset], per_request_vnd=per_request_vnd, per_row_vnd=per_row_vnd, currency="VND")


def meter(*, session: Session, principal: Principal, dataset: str, rows: int, default_request: int, default_row: int) -> FeeMeter | None:
    """Record a value-added request by a non-administrator; None for administrators."""
    if principal.is_admin("ngo"):
        return None
    per_request, per_row = rate(session=session, dataset=dataset, default_request=default_request, default_row=default_row)
    row = FeeMeter(grant=principal.grant, org=principal.org or "", sub=principal.sub, dataset=dataset, rows=rows, amount_vnd=per_request + per_row * rows)
    session.add(row)
    session.flush()
    return row


def statement(*, session: Session, principal: Principal, org: str, month: str) -> FeeStatementOut:
    """The metered requests of ``org`` in ``month`` (YYYY-MM), by dataset, with the total in VND."""
    require_org_reader(principal, org)
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise InvalidInput("month must be YYYY-MM.", errors=[{"field": "month", "message": "expected YYYY-MM"}]) from None
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    rows = session.exec(
        select(FeeMeter.dataset, sa.func.count(), sa.func.sum(FeeMeter.rows), sa.func.sum(FeeMeter.amount_vnd))
        .where(FeeMeter.org == org, col(FeeMeter.at) >= start, col(FeeMeter.at) < end)
        .group_by(FeeMeter.dataset)
        .order_by(FeeMeter.dataset)
    ).all()
    lines = [FeeLine(dataset=r[0], label=DATASETS.get(r[0], r[0]), requests=int(r[1]), rows=int(r[2] or 0), amount_vnd=int(r[3] or 0)) for r in rows]
    grants = sorted({g for g in session.exec(select(FeeMeter.grant).where(FeeMeter.org == org, col(FeeMeter.at) >= start, col(FeeMeter.at) < end).distinct()).all() if g})
    return FeeStatementOut(org=org, month=month, currency="VND", grants=grants, lines=lines, total_vnd=sum(line.amount_vnd for line in lines))
