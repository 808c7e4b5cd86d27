"""HTTP routes of the reports, each as JSON, CSV or XLSX."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.ipam.access import Reader
from services.ipam.params import IdQ
from services.ipam.reports import service
from services.ipam.reports.service import Report
from shared.db import SessionDep
from shared.exports import XLSX_MEDIA_TYPE, attachment, csv_bytes, xlsx_bytes

router = APIRouter(prefix="/api/v1/ipam", tags=["ipam"])

Format = Literal["json", "csv", "xlsx"]
Year = Annotated[int, Query(ge=2000, le=2100)]
_REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as JSON (title, columns, rows, sections), CSV or XLSX",
        "content": {
            "application/json": {"schema": {"type": "object", "additionalProperties": True}},
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    },
}


def render(report: Report, fmt: Format) -> Response:
    """The report as json, csv (UTF-8 with BOM for Excel) or xlsx."""
    if fmt == "json":
        return JSONResponse({
            "report": report.name, "title": report.title, **report.meta,
            "columns": [{"key": k, "heading": h} for k, h in report.columns], "rows": report.rows, **report.sections,
        })
    meta = [[k, v] for k, v in report.meta.items() if isinstance(v, (str, int, float))]
    if fmt == "csv":
        content = csv_bytes(columns=report.columns, rows=report.rows, preamble=[[report.title], *meta])
    else:
        content = xlsx_bytes(sheet=report.name, title=report.title, columns=report.columns, rows=report.rows, preamble=meta)
    return attachment(content, fmt=fmt, name=report.name)


@router.get("/reports/annual-review", summary="Yearly review of level-II IP usage (N7)", responses=_REPORT_RESPONSES)
def annual_review(request: Request, session: SessionDep, principal: Reader, year: Year, format: Format = "json") -> Response:
    rules = service.rules_from(request.app.state.settings)
    return render(service.annual_review(session=session, principal=principal, year=year, rules=rules), format)


@router.get("/reports/technical-info", summary="Technical information for Cục BĐTW, form Mẫu 01 (N3)", responses=_REPORT_RESPONSES)
def technical_info(
    request: Request, session: SessionDep, principal: Reader, year: Year, agency_id: IdQ = None, format: Format = "json",
) -> Response:
    rules = service.rules_from(request.app.state.settings)
    return render(service.technical_info(session=session, principal=principal, year=year, agency_id=agency_id, rules=rules), format)
