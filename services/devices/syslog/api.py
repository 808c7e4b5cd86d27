"""HTTP routes of syslog intake and the NOC's security-event feed (N11)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from services.devices.access import Reader, Reporter
from services.devices.syslog import monitoring, service
from services.devices.syslog.monitoring import HeartbeatIn, MonitoringOut
from services.devices.syslog.schemas import (
    EventFilter,
    MessageFilter,
    SecurityEventOut,
    SenderOut,
    SyslogMessageOut,
)
from shared.auth import Principal
from shared.db import Database, SessionDep
from shared.exports import attachment, csv_bytes, vn_date, xlsx_bytes
from shared.pagination import Page, PageParams
from shared.types import CONTROL_PATTERN, MAX_ID

router = APIRouter(tags=["devices: syslog"])  # prefix-less: services/devices/api.py includes it

DeviceQ = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Device id")]
AgencyQ = Annotated[
    str | None, Query(max_length=64, pattern=CONTROL_PATTERN, description="Agency (gateway organisation id)")
]
Level = Annotated[int | None, Query(ge=0, le=7)]
FacilityQ = Annotated[int | None, Query(ge=0, le=23)]
TextQ = Annotated[
    str | None,
    Query(max_length=200, pattern=CONTROL_PATTERN, description="Substring of the message (case-insensitive)"),
]
SenderQ = Annotated[str | None, Query(max_length=64, pattern=CONTROL_PATTERN)]


def _utc(value: datetime | None) -> datetime | None:
    """A filter time in UTC: no zone is read as UTC; beyond the calendar clamps to its ends."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if value.year == 1 else datetime.max.replace(tzinfo=UTC)


def _filters(
    device_id: DeviceQ = None,
    agency: AgencyQ = None,
    sender: SenderQ = None,
    severity: Level = None,
    max_severity: Annotated[int | None, Query(ge=0, le=7, description="This severity or worse")] = None,
    facility: FacilityQ = None,
    since: datetime | None = None,
    until: datetime | None = None,
    text: TextQ = None,
    unknown: bool | None = None,
) -> MessageFilter:
    return MessageFilter(
        device_id, agency, sender, severity, max_severity, facility, _utc(since), _utc(until), text, unknown
    )


#: the message filters, read once from the query string by every route that lists messages
Filters = Annotated[MessageFilter, Depends(_filters)]


@router.get("/syslog", summary="Stored syslog messages (N11), newest first")
def list_syslog(
    session: SessionDep,
    principal: Reader,
    paging: PageParams,
    f: Filters,
) -> Page[SyslogMessageOut]:
    rows, count = service.list_messages(
        session=session, principal=principal, filters=f, offset=paging.offset, limit=paging.limit
    )
    return Page[SyslogMessageOut].of(
        paging, results=[SyslogMessageOut.model_validate(r) for r in rows], count=count
    )


_COLUMNS = [
    ("received_at", "Thời điểm nhận"),
    ("sender", "Địa chỉ gửi"),
    ("device_id", "Thiết bị"),
    ("agency", "Đơn vị"),
    ("facility", "Facility"),
    ("severity", "Mức độ"),
    ("hostname", "Tên máy"),
    ("app_name", "Ứng dụng"),
    ("message", "Nội dung"),
]


@router.get(
    "/syslog/export", summary="Stored syslog messages as CSV or XLSX (same filters, at most 100,000 rows)"
)
def export_syslog(
    session: SessionDep,
    principal: Reader,
    f: Filters,
    format: Literal["csv", "xlsx"] = "csv",
) -> Response:
    rows = [
        {
            "received_at": f"{vn_date(r.received_at)} {r.received_at.strftime('%H:%M:%S')}",
            "sender": r.sender,
            "device_id": r.device_id,
            "agency": r.org_id,
            "facility": r.facility,
            "severity": r.severity,
            "hostname": r.hostname,
            "app_name": r.app_name,
            "message": r.message,
        }
        for r in service.export_messages(session=session, principal=principal, filters=f)
    ]
    title = "Nhật ký hệ thống (syslog) của thiết bị"
    if format == "csv":
        content = csv_bytes(columns=_COLUMNS, rows=rows, preamble=[[title]])
    else:
        content = xlsx_bytes(sheet="syslog", title=title, columns=_COLUMNS, rows=rows)
    return attachment(content, fmt=format, name="nhat-ky-syslog")


@router.get("/syslog/senders", summary="Senders of syslog, with unknown ones (no device has their address)")
def list_senders(
    session: SessionDep, principal: Reader, paging: PageParams, unknown: bool | None = None
) -> Page[SenderOut]:
    rows, count = service.list_senders(
        session=session, principal=principal, unknown=unknown, offset=paging.offset, limit=paging.limit
    )
    return Page[SenderOut].of(paging, results=rows, count=count)


CategoryQ = Annotated[str | None, Query(max_length=64, pattern=CONTROL_PATTERN)]


@router.get("/security-events", summary="Security events for the NOC (N11), newest first")
def list_security_events(
    session: SessionDep,
    principal: Reader,
    paging: PageParams,
    device_id: DeviceQ = None,
    agency: AgencyQ = None,
    category: CategoryQ = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[SecurityEventOut]:
    f = EventFilter(device_id, agency, category, _utc(since), _utc(until))
    rows, count = service.list_events(
        session=session, principal=principal, filters=f, offset=paging.offset, limit=paging.limit
    )
    return Page[SecurityEventOut].of(
        paging, results=[SecurityEventOut.model_validate(r) for r in rows], count=count
    )


def _batch(database: Database, principal: Principal, f: EventFilter) -> list[SecurityEventOut]:
    with database.transaction(write=False) as session:
        rows, _ = service.list_events(
            session=session, principal=principal, filters=f, offset=0, limit=500, oldest_first=True
        )
        return [SecurityEventOut.model_validate(r) for r in rows]


@router.get(
    "/security-events/stream",
    summary="Security events as server-sent events (resumes after Last-Event-ID; ends after `seconds`)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
)
async def stream_security_events(
    request: Request,
    principal: Reader,
    device_id: DeviceQ = None,
    agency: AgencyQ = None,
    category: CategoryQ = None,
    seconds: Annotated[
        float, Query(gt=0, le=3600, description="Close after this long; the client reconnects")
    ] = 300,
    last_event_id: Annotated[int | None, Header(ge=0, le=MAX_ID)] = None,
    after: Annotated[int | None, Query(ge=0, le=MAX_ID, description="Start after this event id")] = None,
) -> StreamingResponse:
    database: Database = request.app.state.database
    start = last_event_id if last_event_id is not None else after

    async def events() -> AsyncIterator[str]:
        cursor = start
        if cursor is None:  # only what happens from now on
            latest = await asyncio.to_thread(_batch_latest, database, principal)
            cursor = latest
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        yield "retry: 2000\n\n"
        while loop.time() < deadline and not await request.is_disconnected():
            f = EventFilter(device_id, agency, category, after_id=cursor)
            for e in await asyncio.to_thread(_batch, database, principal, f):
                cursor = e.id
                yield f"id: {e.id}\nevent: security\ndata: {json.dumps(e.model_dump(mode='json'), ensure_ascii=False)}\n\n"
            await asyncio.sleep(min(1.0, max(0.0, deadline - loop.time())))

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _batch_latest(database: Database, principal: Principal) -> int:
    with database.transaction(write=False) as session:
        rows, _ = service.list_events(
            session=session, principal=principal, filters=EventFilter(), offset=0, limit=1
        )
        return rows[0].id or 0 if rows else 0


# -- N12: anti-malware and central-monitoring heartbeats ---------------------------------------
@router.post(
    "/{device_id}/heartbeat", summary="An agent's heartbeat with its anti-malware state (N12, Art. 9.3)"
)
def heartbeat(
    device_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    data: HeartbeatIn,
    session: SessionDep,
    principal: Reporter,
) -> MonitoringOut:
    row = monitoring.record_heartbeat(session=session, principal=principal, device_id=device_id, data=data)
    return MonitoringOut.model_validate(row)


_ART93_COLUMNS = [
    ("agency", "Đơn vị"),
    ("device_id", "Mã thiết bị"),
    ("name", "Tên thiết bị"),
    ("role", "Loại"),
    ("reasons", "Vi phạm"),
    ("antimalware_product", "Phần mềm phòng chống mã độc"),
    ("signature_date", "Ngày mẫu nhận diện"),
    ("last_seen_at", "Tín hiệu giám sát gần nhất"),
]


@router.get(
    "/reports/art-9-3",
    summary="Devices breaking Art. 9.3: no anti-malware, old signatures, no heartbeat (N12)",
)
def art_9_3_report(
    request: Request,
    session: SessionDep,
    principal: Reader,
    format: Literal["json", "csv", "xlsx"] = "json",
    signature_days: Annotated[int | None, Query(ge=1, le=3650)] = None,
    heartbeat_hours: Annotated[int | None, Query(ge=1, le=87600)] = None,
) -> Response:
    s = request.app.state.settings
    days = signature_days or s.monitoring_signature_days
    hours = heartbeat_hours or s.monitoring_heartbeat_hours
    found = monitoring.breaches(
        session=session,
        principal=principal,
        signature_days=days,
        heartbeat_hours=hours,
        antimalware_roles=s.monitoring_antimalware_roles,
    )
    if format == "json":
        body = {
            "signature_days": days,
            "heartbeat_hours": hours,
            "results": [b.model_dump(mode="json") for b in found],
        }
        return JSONResponse(body)
    rows = [
        {
            **b.model_dump(),
            "signature_date": vn_date(b.signature_date),
            "last_seen_at": vn_date(b.last_seen_at),
        }
        for b in found
    ]
    title = "Thiết bị chưa đáp ứng Điều 9 khoản 3 (phòng chống mã độc, giám sát tập trung)"
    preamble = [[f"Mẫu nhận diện cũ hơn {days} ngày; không có tín hiệu trong {hours} giờ"]]
    if format == "csv":
        content = csv_bytes(columns=_ART93_COLUMNS, rows=rows, preamble=[[title], *preamble])
    else:
        content = xlsx_bytes(
            sheet="dieu-9-3", title=title, columns=_ART93_COLUMNS, rows=rows, preamble=preamble
        )
    return attachment(content, fmt=format, name="bao-cao-dieu-9-3")
