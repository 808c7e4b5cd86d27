"""Routes of the exploitation lists and statistics (G14, value-added and metered, G8) and the reports (G11)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from services.ngo_registry.access import Admin, Reader, ValueAdded
from services.ngo_registry.dependencies import Filter, Format, Settings, Word, Year
from services.ngo_registry.fees.service import meter
from services.ngo_registry.lists import reports, service, statistics
from services.ngo_registry.lists.schemas import ReportOut, RuleParameter, RulesOut, ScanOut, TableOut
from services.ngo_registry.lists.tables import Table, table_csv, table_out, table_xlsx
from services.ngo_registry.records.models import Association
from services.ngo_registry.settings import NgoRegistrySettings
from services.ngo_registry.submissions.sheets import XLSX_TYPE
from shared.auth import Principal
from shared.db import SessionDep
from shared.exports import today_vn
from shared.pagination import PageParams, Paging
from shared.types import Id

router = APIRouter(prefix="/api/v1/ngo", tags=["ngo"])

#: lists and statistics answer JSON, CSV or XLSX as ``format`` asks
TABLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": TableOut,
        "description": "the table as JSON, or as a CSV or XLSX file with Vietnamese headings",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
GroupBy = Annotated[Literal["field", "managing_agency", "nature", "scope"], Query()]
MinLevel = Annotated[int, Query(ge=0, le=4, description="0 all, 1 due, 2 12 months overdue, 3 +6 months, 4 +90 days")]


def _export(table: Table, fmt: str, window: Paging) -> Response:
    """The table in the format asked for."""
    if fmt == "csv":
        body = table_csv(table)
        return Response(body, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": f'attachment; filename="{table.dataset}.csv"', "Content-Length": str(len(body))})
    if fmt == "xlsx":
        return Response(table_xlsx(table), media_type=XLSX_TYPE, headers={"Content-Disposition": f'attachment; filename="{table.dataset}.xlsx"'})
    return JSONResponse(table_out(table, window).model_dump(mode="json"))


def _metered(session: Session, principal: Principal, settings: NgoRegistrySettings, table: Table, fmt: str, window: Paging) -> Response:
    """Meter a value-added table (G8) and answer it."""
    meter(session=session, principal=principal, dataset=table.dataset, rows=len(table.rows), default_request=settings.fee_per_request_vnd, default_row=settings.fee_per_row_vnd)
    return _export(table, fmt, window)


# -- exploitation lists (G14): value-added, metered ----------------------------------------------
@router.get("/lists/general/{association_id}", summary="(a) General information on one association", responses=TABLE_RESPONSES)
def list_general(principal: ValueAdded, association_id: Id, session: SessionDep, settings: Settings, format: Format = "json") -> Response:
    table = service.general_info(session=session, association_id=association_id, rules=settings.rules, today=today_vn())
    # one association's information is one page, whatever the page size
    return _metered(session, principal, settings, table, format, Paging(limit=max(1, table.count), offset=0))


def _association_list(session: Session, settings: NgoRegistrySettings, principal: Principal, flt: Any, paging: Paging, *, dataset: str, title: str, sort: str, fmt: str) -> Response:
    """Lists (b), (c) and (l): associations filtered, sorted by ``sort`` then name, metered, exported."""
    order = (getattr(Association, sort), Association.name_vi, Association.id)
    table = service.association_list(session=session, dataset=dataset, title=title, flt=flt, limit=paging.limit, offset=paging.offset, order=order)
    return _metered(session, principal, settings, table, fmt, paging)


@router.get("/lists/by-field", summary="(b) Associations by field", responses=TABLE_RESPONSES)
def list_by_field(principal: ValueAdded, session: SessionDep, settings: Settings, flt: Filter, paging: PageParams, format: Format = "json") -> Response:
    return _association_list(session, settings, principal, flt, paging, dataset="by_field", title="Danh sách hội hoạt động trong lĩnh vực", sort="field_code", fmt=format)


@router.get("/lists/by-ministry", summary="(c) Associations by managing ministry or sector", responses=TABLE_RESPONSES)
def list_by_ministry(principal: ValueAdded, session: SessionDep, settings: Settings, flt: Filter, paging: PageParams, format: Format = "json") -> Response:
    return _association_list(session, settings, principal, flt, paging, dataset="by_ministry", title="Danh sách các hội chịu sự quản lý nhà nước của Bộ, ngành", sort="managing_agency_code", fmt=format)


@router.get("/lists/by-nature", summary="(l) Associations by nature", responses=TABLE_RESPONSES)
def list_by_nature(principal: ValueAdded, session: SessionDep, settings: Settings, flt: Filter, paging: PageParams, format: Format = "json") -> Response:
    return _association_list(session, settings, principal, flt, paging, dataset="by_nature", title="Danh sách các hội theo tính chất", sort="nature_code", fmt=format)


@router.get("/lists/key-leaders", summary="(d) Key leaders", responses=TABLE_RESPONSES)
def list_key_leaders(principal: ValueAdded, session: SessionDep, settings: Settings, flt: Filter, paging: PageParams, role: Word | None = None, format: Format = "json") -> Response:
    table = service.key_leaders(session=session, flt=flt, role=role, today=today_vn(), limit=paging.limit, offset=paging.offset)
    return _metered(session, principal, settings, table, format, paging)


@router.get("/lists/chairpersons", summary="(đ) Chairpersons", responses=TABLE_RESPONSES)
def list_chairpersons(principal: ValueAdded, session: SessionDep, settings: Settings, flt: Filter, paging: PageParams, format: Format = "json") -> Response:
    table = service.chairpersons(session=session, flt=flt, limit=paging.limit, offset=paging.offset)
    return _metered(session, principal, settings, table, format, paging)


@router.get("/lists/congress-tracking", summary="(e) Term congress tracking with the 12-month / +6-month / +90-day escalation", responses=TABLE_RESPONSES)
def list_congress_tracking(principal: ValueAdded, session: SessionDep, settings: Settings, flt: Filter, paging: PageParams, min_level: MinLevel = 0, format: Format = "json") -> Response:
    table = service.congress_tracking(session=session, flt=flt, min_level=min_level, rules=settings.rules, today=today_vn(), limit=paging.limit, offset=paging.offset)
    return _metered(session, principal, settings, table, format, paging)


@router.get("/lists/party-documents", summary="(m) Party and State documents on associations", responses=TABLE_RESPONSES)
def list_party_documents(principal: ValueAdded, session: SessionDep, settings: Settings, paging: PageParams, document_type: Word | None = None, format: Format = "json") -> Response:
    table = service.party_documents(session=session, document_type=document_type, limit=paging.limit, offset=paging.offset)
    return _metered(session, principal, settings, table, format, paging)


# -- statistics (G14 h, i, k, l) ------------------------------------------------------------------
@router.get("/statistics/state-staff", summary="(h) State-assigned staff", responses=TABLE_RESPONSES)
def stats_staff(principal: ValueAdded, session: SessionDep, settings: Settings, year: Year, paging: PageParams, group_by: GroupBy = "managing_agency", format: Format = "json") -> Response:
    table = statistics.state_staff_statistics(session=session, year=year, group_by=group_by, limit=paging.limit, offset=paging.offset)
    return _metered(session, principal, settings, table, format, paging)


@router.get("/statistics/funding", summary="(i) Operating funds by source, in VND", responses=TABLE_RESPONSES)
def stats_funding(principal: ValueAdded, session: SessionDep, settings: Settings, year: Year, paging: PageParams, group_by: GroupBy = "field", format: Format = "json") -> Response:
    table = statistics.funding_statistics(session=session, year=year, group_by=group_by, limit=paging.limit, offset=paging.offset)
    return _metered(session, principal, settings, table, format, paging)


@router.get("/statistics/head-office", summary="(k) Head-office area and origin", responses=TABLE_RESPONSES)
def stats_head_office(principal: ValueAdded, session: SessionDep, settings: Settings, paging: PageParams, format: Format = "json") -> Response:
    table = statistics.head_office_statistics(session=session, limit=paging.limit, offset=paging.offset)
    return _metered(session, principal, settings, table, format, paging)


@router.get("/statistics/nature", summary="(l) Associations by nature and scope", responses=TABLE_RESPONSES)
def stats_nature(principal: ValueAdded, session: SessionDep, settings: Settings, paging: PageParams, format: Format = "json") -> Response:
    table = statistics.nature_statistics(session=session, limit=paging.limit, offset=paging.offset)
    return _metered(session, principal, settings, table, format, paging)


# -- reports (G11) -------------------------------------------------------------------------------
@router.get("/reports/quarterly", summary="The quarter-end update report", response_model=ReportOut, response_model_exclude_unset=True)
def report_quarterly(_: Admin, session: SessionDep, settings: Settings, year: Year, quarter: Annotated[int, Query(ge=1, le=4)]) -> ReportOut:
    return reports.quarterly_report(session=session, year=year, quarter=quarter, rules=settings.rules)


@router.get("/reports/annual", summary="The yearly report to the Ministry's leadership", response_model=ReportOut, response_model_exclude_unset=True)
def report_annual(_: Admin, session: SessionDep, settings: Settings, year: Year) -> ReportOut:
    return reports.annual_report(session=session, year=year, rules=settings.rules)


@router.get("/reports/rules", summary="The legal parameters in force and their basis", response_model=RulesOut, response_model_exclude_unset=True)
def report_rules(_: Reader, settings: Settings) -> RulesOut:
    rules = settings.rules
    params = {
        name: RuleParameter(value=p.value, document=p.basis.document, article=p.basis.article, effective=p.basis.effective.isoformat())
        for name, p in rules.parameters().items()
    }
    return RulesOut(rule_set=rules.code, label=rules.label, parameters=params)


@router.post("/reports/congress-scan", summary="Emit congress.overdue events for newly reached escalation levels", response_model=ScanOut, response_model_exclude_unset=True)
def report_congress_scan(_: Admin, session: SessionDep, settings: Settings) -> ScanOut:
    return ScanOut(emitted=reports.scan_overdue_congresses(session=session, rules=settings.rules, today=today_vn()))
