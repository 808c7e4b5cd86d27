"""Monthly availability per device (N14: 24/7, holidays included) from the outages polling recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select
from sqlmodel import Session, col

from services.devices.access import SERVICE
from services.devices.inventory.models import Device
from services.devices.telemetry.models import DeviceReachability, Outage
from shared.auth import Principal, readable_by_org
from shared.errors import InvalidInput
from shared.exports import vn_date

COLUMNS: list[tuple[str, str]] = [
    ("device_id", "Mã thiết bị"),
    ("device", "Thiết bị"),
    ("agency_id", "Mã cơ quan"),
    ("outages", "Số lần mất kết nối"),
    ("down_minutes", "Thời gian gián đoạn (phút)"),
    ("availability_percent", "Tỷ lệ sẵn sàng (%)"),
    ("outage_list", "Các lần gián đoạn"),
]


@dataclass(frozen=True)
class Window:
    """A local calendar month as epoch milliseconds [start, end)."""

    first: date
    start_ms: int
    end_ms: int


def month_window(month: str, tz: str) -> Window:
    """``YYYY-MM`` as the local month's bounds."""
    try:
        year, mon = (int(part) for part in month.split("-"))
        first = date(year, mon, 1)
        if not 2000 <= year <= 2100:
            raise ValueError(year)
    except ValueError as exc:
        raise InvalidInput("month must be YYYY-MM") from exc
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    zone = ZoneInfo(tz)

    def ms(d: date) -> int:
        return int(datetime(d.year, d.month, d.day, tzinfo=zone).timestamp() * 1000)

    return Window(first, ms(first), ms(nxt))


def _local(ms: int, tz: str) -> str:
    at = datetime.fromtimestamp(ms / 1000, UTC).astimezone(ZoneInfo(tz))
    return f"{vn_date(at.date())} {at:%H:%M}"


def availability(
    *, session: Session, principal: Principal, month: str, tz: str, now_ms: int
) -> dict[str, Any]:
    """Rows per polled device the caller may see: outages in the month, minutes down, availability %."""
    window = month_window(month, tz)
    end_ms = min(window.end_ms, now_ms)
    if end_ms <= window.start_ms:
        raise InvalidInput("the month has not begun")
    stmt = cast(
        "Select[Any]",
        select(Device, DeviceReachability)
        .join(DeviceReachability, col(DeviceReachability.device_id) == col(Device.id))
        .order_by(col(Device.id)),
    )
    devices = list(
        session.execute(readable_by_org(stmt, Device.org_id, principal=principal, service=SERVICE))
    )
    ids = [device.id for device, _ in devices]
    outages: dict[int, list[Outage]] = {}
    for outage in session.scalars(
        select(Outage)
        .where(
            col(Outage.device_id).in_(ids),
            col(Outage.started_ms) < end_ms,
            or_(col(Outage.ended_ms).is_(None), col(Outage.ended_ms) > window.start_ms),
        )
        .order_by(col(Outage.started_ms))
    ):
        outages.setdefault(outage.device_id, []).append(outage)
    rows = []
    for device, _state in devices:
        own = outages.get(device.id, [])
        down = sum(min(o.ended_ms or end_ms, end_ms) - max(o.started_ms, window.start_ms) for o in own)
        span = end_ms - window.start_ms
        rows.append(
            {
                "device_id": device.id,
                "device": device.name,
                "agency_id": device.agency_id,
                "outages": len(own),
                "down_minutes": round(down / 60_000, 1),
                "availability_percent": round(100 * (span - down) / span, 3),
                "outage_list": [
                    f"{_local(o.started_ms, tz)} – {_local(o.ended_ms, tz) if o.ended_ms else 'chưa khôi phục'}"
                    for o in own
                ],
            }
        )
    return {"month": f"{window.first:%m/%Y}", "rows": rows}
