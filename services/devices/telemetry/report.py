"""The uplink report (N6): rows per link and direction, the Art. 7.1a route check, Vietnamese headings.

Reads the inventory's uplinks the caller may see (an agency's token: its own; ``devices:admin``:
all) and the daily roll-ups of the period; dates are local days in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from sqlalchemy import Select, select
from sqlmodel import Session, col

from services.devices.access import SERVICE
from services.devices.inventory.models import Device, Interface, Uplink
from services.devices.rules import UPLINK_ROUTES, UPLINK_RULES
from services.devices.telemetry.uplinks import UplinkRef, link_figures, route_checks
from shared.auth import Principal, readable_by_org
from shared.errors import InvalidInput
from shared.exports import vn_date

MAX_DAYS = 400
COLUMNS: list[tuple[str, str]] = [
    ("link_id", "Mã kênh"),
    ("device", "Thiết bị định tuyến"),
    ("interface", "Cổng"),
    ("provider", "Doanh nghiệp cung cấp"),
    ("route_id", "Hướng vật lý"),
    ("capacity_mbps", "Dung lượng (Mb/s)"),
    ("direction", "Chiều"),
    ("expected", "Số mẫu phải có"),
    ("received", "Số mẫu thu được"),
    ("coverage_percent", "Tỷ lệ đủ mẫu (%)"),
    ("max_percent", "Mức chiếm dụng cao nhất (%)"),
    ("p95_percent", "Phân vị 95 (%)"),
    ("share_over_percent", "Tỷ lệ mẫu ≥ ngưỡng (%)"),
    ("verdict", "Kết luận"),
    ("reason", "Căn cứ kết luận"),
]


@dataclass
class UplinkReport:
    """The report in the shape the renderers take (as IPAM's reports)."""

    name: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
    sections: dict[str, Any] = field(default_factory=dict)


def _refs(session: Session, principal: Principal) -> list[tuple[UplinkRef, str]]:
    stmt = cast(
        "Select[Any]",
        select(Uplink, col(Device.name), col(Interface.if_name), col(Interface.if_high_speed))
        .join(Device, col(Device.id) == col(Uplink.device_id))
        .join(Interface, col(Interface.id) == col(Uplink.interface_id))
        .order_by(col(Uplink.id)),
    )
    out = []
    for uplink, device_name, if_name, high_speed in session.execute(
        readable_by_org(stmt, Device.org_id, principal=principal, service=SERVICE)
    ):
        assert uplink.id is not None
        mbps = uplink.contracted_mbps or high_speed
        ref = UplinkRef(
            link_id=uplink.id,
            device_id=uplink.device_id,
            name=device_name,
            provider=uplink.provider,
            route_id=uplink.route_id or None,
            capacity_bps=mbps * 1_000_000 if mbps else None,
        )
        out.append((ref, if_name))
    return out


def check_period(start: date, end: date) -> None:
    """422 unless ``start`` <= ``end``, both in 2000-2100, at most :data:`MAX_DAYS` days."""
    if not (
        date(2000, 1, 1) <= start <= date(2100, 12, 31) and date(2000, 1, 1) <= end <= date(2100, 12, 31)
    ):
        raise InvalidInput("dates must lie between 2000-01-01 and 2100-12-31")
    if end < start:
        raise InvalidInput("'to' is before 'from'")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(f"the period is longer than {MAX_DAYS} days")


def uplink_report(
    *, session: Session, principal: Principal, start: date, end: date, ruleset: str, tolerance: float
) -> UplinkReport:
    """Per link and direction over [start, end]: coverage, max, p95, share over, verdict; and Art. 7.1a."""
    check_period(start, end)
    rule = UPLINK_RULES[ruleset]
    refs = _refs(session, principal)
    figures = link_figures(
        session=session,
        links=[r for r, _ in refs],
        start=start,
        end=end,
        rule=rule.value,
        tolerance=tolerance,
    )
    interfaces = {ref.link_id: if_name for ref, if_name in refs}
    rows = []
    for link in figures:
        for d in link.directions:
            rows.append(
                {
                    "link_id": link.link.link_id,
                    "device": link.link.name,
                    "interface": interfaces[link.link.link_id],
                    "provider": link.link.provider,
                    "route_id": link.link.route_id or "",
                    "capacity_mbps": None
                    if link.link.capacity_bps is None
                    else link.link.capacity_bps // 1_000_000,
                    "direction": d.direction,
                    "expected": d.expected,
                    "received": d.received,
                    "coverage_percent": round(100 * d.received / d.expected, 2) if d.expected else None,
                    "max_percent": d.max_percent,
                    "p95_percent": d.p95_percent,
                    "share_over_percent": d.share_over_percent,
                    "verdict": d.verdict.value,
                    "reason": d.reason,
                }
            )
    routes = route_checks([r for r, _ in refs], required=UPLINK_ROUTES.value)
    return UplinkReport(
        name="bao-cao-kenh-truyen",
        title="Báo cáo mức chiếm dụng băng thông kênh truyền kết nối Trung tâm THDL tỉnh",
        columns=COLUMNS,
        rows=rows,
        meta={
            "tu_ngay": vn_date(start),
            "den_ngay": vn_date(end),
            "can_cu": rule.basis.cite(),
            "nguong_phan_tram": rule.value.threshold_percent,
            "quy_tac": rule.value.code,
        },
        sections={
            "links": [{"link_id": f.link.link_id, "verdict": f.verdict.value} for f in figures],
            "routes": {
                "can_cu": UPLINK_ROUTES.basis.cite(),
                "routers": [
                    {
                        "device_id": c.device_id,
                        "links": c.links,
                        "routes": c.routes,
                        "verdict": c.verdict.value,
                        "reason": c.reason,
                    }
                    for c in routes
                ],
            },
        },
    )
