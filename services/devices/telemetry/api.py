"""HTTP routes of telemetry: the uplink report (N6) as JSON, CSV or XLSX."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from services.devices.access import Reader
from services.devices.inventory.access import CurrentUplink
from services.devices.rules import UPLINK_RULES
from services.devices.telemetry import availability as availability_report
from services.devices.telemetry import chart
from services.devices.telemetry.report import UplinkReport, check_period, uplink_report
from shared.db import SessionDep
from shared.exports import XLSX_MEDIA_TYPE, attachment, csv_bytes, xlsx_bytes

router = APIRouter(tags=["devices: telemetry"])

Format = Literal["json", "csv", "xlsx"]
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as JSON (title, period, rule, columns, rows, route check), CSV or XLSX",
        "content": {
            "application/json": {"schema": {"type": "object", "additionalProperties": True}},
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    },
}


def render(report: UplinkReport, fmt: Format) -> Response:
    """The report as json, csv (UTF-8 with BOM) or xlsx, Vietnamese headings, dates dd/mm/yyyy."""
    if fmt == "json":
        return JSONResponse(
            {
                "report": report.name,
                "title": report.title,
                **report.meta,
                "columns": [{"key": k, "heading": h} for k, h in report.columns],
                "rows": report.rows,
                **report.sections,
            }
        )
    meta = [[k, v] for k, v in report.meta.items()]
    routes = [
        [f"Điều 7.1a - thiết bị {r['device_id']}", r["verdict"], r["reason"]]
        for r in report.sections.get("routes", {}).get("routers", [])
    ]
    if fmt == "csv":
        content = csv_bytes(
            columns=report.columns, rows=report.rows, preamble=[[report.title], *meta, *routes]
        )
    else:
        content = xlsx_bytes(
            sheet=report.name,
            title=report.title,
            columns=report.columns,
            rows=report.rows,
            preamble=[*meta, *routes],
        )
    return attachment(content, fmt=fmt, name=report.name)


@router.get(
    "/reports/uplinks",
    summary="Uplink occupancy of the data-integration centre and its two routes (N6, Art. 7.1)",
    responses=_RESPONSES,
)
def uplinks(
    request: Request,
    session: SessionDep,
    principal: Reader,
    start: Annotated[date, Query(alias="from", description="First local day (ISO 8601 date)")],
    end: Annotated[date, Query(alias="to", description="Last local day, included")],
    format: Format = "json",
) -> Response:
    settings = request.app.state.settings
    report = uplink_report(
        session=session,
        principal=principal,
        start=start,
        end=end,
        ruleset=settings.uplink_ruleset,
        tolerance=settings.telemetry_coverage_tolerance,
    )
    return render(report, format)


@router.get(
    "/reports/availability",
    summary="Monthly availability of every polled device with its outages (N14, 24/7)",
    responses=_RESPONSES,
)
def availability(
    request: Request,
    session: SessionDep,
    principal: Reader,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM (local month)")],
    format: Format = "json",
) -> Response:
    settings = request.app.state.settings
    tz = settings.telemetry_timezone
    data = availability_report.availability(
        session=session, principal=principal, month=month, tz=tz, now_ms=int(time.time() * 1000)
    )
    report = UplinkReport(
        name="bao-cao-ty-le-san-sang",
        title=f"Tỷ lệ sẵn sàng của thiết bị tháng {data['month']}",
        columns=availability_report.COLUMNS,
        rows=data["rows"],
        meta={"thang": data["month"]},
    )
    return render(report, format)


@router.get(
    "/reports/uplinks/{uplink_id}/chart",
    summary="An uplink's utilisation over the period as SVG, in and out, with the threshold line (N6)",
    responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}},
    response_class=Response,
)
def uplink_chart(
    request: Request,
    uplink: CurrentUplink,
    session: SessionDep,
    start: Annotated[date, Query(alias="from", description="First local day (ISO 8601 date)")],
    end: Annotated[date, Query(alias="to", description="Last local day, included")],
) -> Response:
    settings = request.app.state.settings
    check_period(start, end)
    zone = ZoneInfo(settings.telemetry_timezone)
    first = int(datetime(start.year, start.month, start.day, tzinfo=zone).timestamp())
    last_day = end + timedelta(days=1)
    stop = int(datetime(last_day.year, last_day.month, last_day.day, tzinfo=zone).timestamp())
    assert uplink.id is not None
    rule = UPLINK_RULES[settings.uplink_ruleset].value
    body = chart.svg(
        title=f"Kênh {uplink.id} ({uplink.provider}): mức chiếm dụng {start:%d/%m/%Y} – {end:%d/%m/%Y}",
        series=chart.link_series(session=session, link_id=uplink.id, start=first, end=stop),
        start=first,
        end=stop,
        threshold_bp=int(round(rule.threshold_percent * 100)),
        tz=settings.telemetry_timezone,
    )
    return Response(body, media_type="image/svg+xml")
