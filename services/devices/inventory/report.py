"""The yearly inventory of terminal equipment (Art. 6.2a): every device per agency with its compliance."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from services.devices.access import SERVICE, Reader
from services.devices.inventory import compliance, service
from services.devices.inventory.models import Device, Site
from shared.auth import Principal, readable_by_org
from shared.db import SessionDep
from shared.exports import attachment, csv_bytes, today_vn, vn_date, xlsx_bytes
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
    ("unknown", "Tiêu chí chưa rõ"), ("contact", "Đầu mối"), ("updated", "Cập nhật"),
]


def inventory_rows(*, session: Session, principal: Principal, ruleset: str, agency_id: int | None) -> list[dict[str, Any]]:
    """One row per device the caller may see (not decommissioned), by agency, site and device."""
    stmt = select(Device, Site).join(Site, col(Site.id) == col(Device.site_id)).where(col(Device.status) != "decommissioned")
    stmt = readable_by_org(stmt, Device.org_id, principal=principal, service=SERVICE)  # type: ignore[type-var]
    if agency_id is not None:
        stmt = stmt.where(col(Device.agency_id) == agency_id)
    rows = []
    for device, site in session.exec(stmt.order_by(col(Device.agency_id), col(Site.id), col(Device.id))):
        checks = service.device_compliance(session=session, device=device, ruleset=ruleset)
        rows.append({
            "agency_id": device.agency_id, "site": site.name, "address": site.address, "room": ROOMS[site.room_type.value],
            "device_id": device.id, "name": device.name, "role": device.role.value, "access_level": device.access_level.value,
            "vendor": device.vendor, "model": device.model, "serial": device.serial, "firmware": device.firmware,
            "lan_ports": device.lan_ports, "wan_ports": device.wan_ports, "management_address": device.management_address,
            "status": device.status.value, "compliance": OUTCOMES[compliance.summary(checks).value],
            "failed": [c.title for c in checks if c.outcome is compliance.Outcome.failed],
            "unknown": [c.title for c in checks if c.outcome is compliance.Outcome.unknown],
            "contact": " - ".join(v for v in (site.contact_name, site.contact_phone, site.contact_email) if v),
            "updated": device.updated_at,
        })
    return rows


@router.get("/reports/inventory", summary="Yearly inventory of terminal equipment with compliance (Art. 6.2a): json, csv, xlsx")
def inventory_report(
    session: SessionDep, principal: Reader, request: Request,
    format: Literal["json", "csv", "xlsx"] = "json", agency_id: Annotated[Id | None, Query()] = None,
) -> Any:
    ruleset: str = request.app.state.settings.terminal_ruleset
    rows = inventory_rows(session=session, principal=principal, ruleset=ruleset, agency_id=agency_id)
    if format == "json":
        return {"ruleset": ruleset, "generated": today_vn().isoformat(), "count": len(rows),
                "results": [{**r, "updated": r["updated"].isoformat()} for r in rows]}
    for r in rows:
        r["updated"] = vn_date(r["updated"]) if isinstance(r["updated"], datetime) else r["updated"]
    title = f"BÁO CÁO KIỂM KÊ THIẾT BỊ ĐẦU CUỐI MẠNG TRUY NHẬP - ngày {vn_date(today_vn())}"
    preamble = [[f"Bộ tiêu chí: {ruleset}"]]
    content = (csv_bytes(columns=COLUMNS, rows=rows, preamble=[[title], *preamble]) if format == "csv"
               else xlsx_bytes(sheet="Kiểm kê thiết bị", title=title, columns=COLUMNS, rows=rows, preamble=preamble))
    response: Response = attachment(content, fmt=format, name=f"kiem-ke-thiet-bi-{today_vn():%Y}")
    return response
