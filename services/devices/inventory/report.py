"""The yearly inventory of terminal equipment (Art. 6.2a): every device per agency with its compliance."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from services.devices.access import SERVICE, Reader
from services.devices.inventory import compliance, service
from services.devices.inventory.models import Device, DeviceNotice, Site
from services.devices.telemetry.models import DeviceReachability, Outage
from shared.auth import Principal, readable_by_org
from shared.db import SessionDep
from shared.exports import VN_TZ, attachment, csv_bytes, today_vn, vn_date, xlsx_bytes
from shared.types import Id

router = APIRouter(tags=["devices: inventory"])

ROOMS = {"phong_may": "Phòng máy", "phong_lam_viec": "Phòng làm việc"}
OUTCOMES = {"pass": "Đạt", "fail": "Không đạt", "unknown": "Chưa đủ thông tin"}
COLUMNS = [
    ("agency_id", "Mã cơ quan (IPAM)"), ("site", "Địa điểm"), ("address", "Địa chỉ"), ("room", "Loại phòng"),
    ("device_id", "Mã thiết bị"), ("name", "Thiết bị"), ("role", "Vai trò"), ("access_level", "Cấp mạng truy nhập"),
    ("vendor", "Hãng"), ("model", "Model"), ("serial", "Số serial"), ("firmware", "Phần mềm (firmware)"),
    ("lan_ports", "Số cổng LAN"), ("wan_ports", "Số cổng WAN"), ("management_address", "Địa chỉ quản lý"),
    ("status", "Trạng thái"), ("compliance", "Đánh giá tuân thủ"), ("failed", "Tiêu chí không đạt"),
    ("unknown", "Tiêu chí chưa rõ"), ("availability", "Tỷ lệ sẵn sàng trong năm (%)"),
    ("outages", "Số lần mất kết nối"), ("downtime_hours", "Thời gian mất kết nối (giờ)"),
    ("notices", "Số thông báo ảnh hưởng"), ("contact", "Đầu mối"), ("updated", "Cập nhật"),
]


def year_window(year: int, now: datetime) -> tuple[int, int]:
    """Milliseconds of 1 January 00:00 of ``year`` (Asia/Ho_Chi_Minh) to the end of the year or now, whichever is first."""
    start = datetime(year, 1, 1, tzinfo=VN_TZ)
    end = min(datetime(year + 1, 1, 1, tzinfo=VN_TZ), now)
    return int(start.timestamp() * 1000), max(int(start.timestamp() * 1000), int(end.timestamp() * 1000))


def availability(outages: Iterable[tuple[int, int | None]], *, start_ms: int, end_ms: int) -> tuple[int, int, float | None]:
    """(outages overlapping the window, down milliseconds in it, availability % or None for an empty window)."""
    count, down = 0, 0
    for began, ended in outages:
        lo, hi = max(began, start_ms), min(end_ms if ended is None else ended, end_ms)
        if hi > lo or (began >= start_ms and began < end_ms):
            count += 1
            down += max(0, hi - lo)
    span = end_ms - start_ms
    return count, down, (round(100.0 * (span - down) / span, 3) if span > 0 else None)


def inventory_rows(
    *, session: Session, principal: Principal, ruleset: str, agency_id: int | None, year: int, now: datetime | None = None,
) -> list[dict[str, Any]]:
    """One row per device the caller may see (not decommissioned), by agency, site and device, with the year's availability."""
    start_ms, end_ms = year_window(year, now or datetime.now(UTC))
    stmt = select(Device, Site).join(Site, col(Site.id) == col(Device.site_id)).where(col(Device.status) != "decommissioned")
    stmt = readable_by_org(stmt, Device.org_id, principal=principal, service=SERVICE)  # type: ignore[type-var]
    if agency_id is not None:
        stmt = stmt.where(col(Device.agency_id) == agency_id)
    rows = []
    for device, site in session.exec(stmt.order_by(col(Device.agency_id), col(Site.id), col(Device.id))):
        checks = service.device_compliance(session=session, device=device, ruleset=ruleset)
        polled = session.get(DeviceReachability, device.id) is not None
        spans = session.exec(select(Outage.started_ms, Outage.ended_ms).where(col(Outage.device_id) == device.id)).all()
        outages, down_ms, percent = availability(spans, start_ms=start_ms, end_ms=end_ms)
        notices = len(session.exec(select(DeviceNotice.id).where(
            col(DeviceNotice.device_id) == device.id, col(DeviceNotice.at) >= datetime.fromtimestamp(start_ms / 1000, UTC),
            col(DeviceNotice.at) < datetime.fromtimestamp(end_ms / 1000, UTC))).all())
        rows.append({
            "agency_id": device.agency_id, "site": site.name, "address": site.address, "room": ROOMS[site.room_type.value],
            "device_id": device.id, "name": device.name, "role": device.role.value, "access_level": device.access_level.value,
            "vendor": device.vendor, "model": device.model, "serial": device.serial, "firmware": device.firmware,
            "lan_ports": device.lan_ports, "wan_ports": device.wan_ports, "management_address": device.management_address,
            "status": device.status.value, "compliance": OUTCOMES[compliance.summary(checks).value],
            "failed": [c.title for c in checks if c.outcome is compliance.Outcome.failed],
            "unknown": [c.title for c in checks if c.outcome is compliance.Outcome.unknown],
            "availability": percent if polled else None, "outages": outages if polled else None,
            "downtime_hours": round(down_ms / 3_600_000, 2) if polled else None, "notices": notices,
            "contact": " - ".join(v for v in (site.contact_name, site.contact_phone, site.contact_email) if v),
            "updated": device.updated_at,
        })
    return rows


@router.get("/reports/inventory", summary="Yearly inventory of terminal equipment with compliance (Art. 6.2a): json, csv, xlsx")
def inventory_report(
    session: SessionDep, principal: Reader, request: Request,
    format: Literal["json", "csv", "xlsx"] = "json", agency_id: Annotated[Id | None, Query()] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Calendar year (default: this one)")] = None,
) -> Any:
    ruleset: str = request.app.state.settings.terminal_ruleset
    year = year or today_vn().year
    rows = inventory_rows(session=session, principal=principal, ruleset=ruleset, agency_id=agency_id, year=year)
    if format == "json":
        return {"ruleset": ruleset, "year": year, "generated": today_vn().isoformat(), "count": len(rows),
                "results": [{**r, "updated": r["updated"].isoformat()} for r in rows]}
    for r in rows:
        r["updated"] = vn_date(r["updated"]) if isinstance(r["updated"], datetime) else r["updated"]
    title = f"BÁO CÁO KIỂM KÊ, ĐÁNH GIÁ THIẾT BỊ ĐẦU CUỐI MẠNG TRUY NHẬP NĂM {year} - ngày {vn_date(today_vn())}"
    preamble = [[f"Bộ tiêu chí: {ruleset}"], ["Sẵn sàng và mất kết nối: từ giám sát SNMP; trống khi thiết bị chưa được giám sát"]]
    content = (csv_bytes(columns=COLUMNS, rows=rows, preamble=[[title], *preamble]) if format == "csv"
               else xlsx_bytes(sheet="Kiểm kê thiết bị", title=title, columns=COLUMNS, rows=rows, preamble=preamble))
    response: Response = attachment(content, fmt=format, name=f"kiem-ke-thiet-bi-{year}")
    return response
