"""Reading the audit trail: filtered, scoped to the caller's organisation, paged or exported (G9, N15).

Plain keyword-only functions taking a session; they never write.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from services.gateway.audit.reports import audit_csv
from services.gateway.models import AuditRecord
from services.gateway.scoping import readable, window
from shared.auth import Principal
from shared.pagination import Paging


@dataclass(frozen=True)
class AuditFilters:
    """What a reader of the trail narrows it to (each filter optional)."""

    kind: str | None = None
    actor: str | None = None
    org_id: str | None = None
    status: int | None = None
    since: str | None = None
    until: str | None = None
    path_prefix: str | None = None


def _matching(*, principal: Principal, filters: AuditFilters) -> SelectOfScalar[AuditRecord]:
    """The records the caller may read that match ``filters``, in chain order."""
    f = filters
    stmt = readable(select(AuditRecord), AuditRecord.org, principal=principal, org_id=f.org_id)
    if f.kind:
        stmt = stmt.where(AuditRecord.kind == f.kind)
    if f.actor:
        stmt = stmt.where(AuditRecord.actor == f.actor)
    if f.status is not None:
        stmt = stmt.where(AuditRecord.status == f.status)
    if f.since:
        stmt = stmt.where(AuditRecord.occurred_at >= f.since)
    if f.until:
        stmt = stmt.where(AuditRecord.occurred_at < f.until)
    if f.path_prefix:
        stmt = stmt.where(col(AuditRecord.path).startswith(f.path_prefix, autoescape=True))
    return stmt.order_by(col(AuditRecord.seq))


def list_audit(
    *, session: Session, principal: Principal, paging: Paging, filters: AuditFilters
) -> tuple[list[AuditRecord], int]:
    """One page of the records the caller may read, and how many match in all."""
    return window(session=session, stmt=_matching(principal=principal, filters=filters), paging=paging)


def export_audit(*, session: Session, principal: Principal, filters: AuditFilters) -> str:
    """Every record the caller may read that matches, as CSV."""
    return audit_csv(session.exec(_matching(principal=principal, filters=filters)))
