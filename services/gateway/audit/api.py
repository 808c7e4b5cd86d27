"""The access API's audit trail (``/api/v1/access/audit``; G9, N15): filter, page, export, verify."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, Query
from fastapi.responses import Response

from services.gateway.audit.service import AuditFilters, export_audit, list_audit
from services.gateway.audit.writer import verify_chain
from services.gateway.deps import AdminDep, GatewayDep, RepDep, access_router
from services.gateway.schemas import AuditOut, AuditVerification
from shared.db import SessionDep
from shared.pagination import Page, PageParams

router = access_router()

#: an HTTP status code (an unbounded integer would overflow the database's column)
StatusCode = Annotated[int | None, Query(ge=100, le=599)]


async def flushed(gw: GatewayDep) -> None:
    """Write the queued records first, so a reader sees everything recorded before the request.

    Declared before the session: SQLite readers see the database as of their first read.
    """
    await asyncio.to_thread(gw.audit.flush)


Flushed = Annotated[None, Depends(flushed)]


def audit_filters(
    kind: str | None = None,
    actor: str | None = None,
    org_id: str | None = None,
    status: StatusCode = None,
    since: Annotated[str | None, Query(description="ISO 8601 UTC, e.g. 2026-11-21T00:00:00Z")] = None,
    until: str | None = None,
    path_prefix: str | None = None,
) -> AuditFilters:
    """The filters of an audit query, from its query string."""
    return AuditFilters(kind=kind, actor=actor, org_id=org_id, status=status, since=since, until=until,
                        path_prefix=path_prefix)


Filters = Annotated[AuditFilters, Depends(audit_filters)]


@router.get("/audit", response_model=Page[AuditOut], responses={200: {"content": {"text/csv": {}}}})
def list_audit_records(
    _flushed: Flushed,
    session: SessionDep,
    caller: RepDep,
    filters: Filters,
    paging: PageParams,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Page[AuditOut] | Response:
    if format == "csv":
        return Response(export_audit(session=session, principal=caller, filters=filters),
                        media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="govnet-audit.csv"'})
    rows, count = list_audit(session=session, principal=caller, paging=paging, filters=filters)
    return Page[AuditOut].of(paging, results=[AuditOut.model_validate(r) for r in rows], count=count)


@router.get("/audit/verify", response_model=AuditVerification)
def verify_audit(_flushed: Flushed, session: SessionDep, caller: AdminDep) -> AuditVerification:
    return AuditVerification.model_validate(verify_chain(session=session))
