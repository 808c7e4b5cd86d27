"""N14: monthly availability per device from polling's outages, 24/7, as JSON and CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.devices.telemetry.poller import PollResult
from services.devices.telemetry.store import Policy, record_poll
from shared.db import Database
from tests.devices.conftest import DevicesClient

API = "/api/v1/devices"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> float:
    return datetime(2026, 1, day, hour, minute, tzinfo=VN).timestamp()


def test_n14_monthly_availability_with_outages(devices: DevicesClient, db_url: str, keys: Any) -> None:
    client = devices()
    h = keys.headers("devices:read devices:write devices:admin")
    site = client.post(
        f"{API}/sites", json={"agency_id": 3, "name": "UBND huyện", "room_type": "phong_may"}, headers=h
    ).json()
    device = client.post(
        f"{API}/devices",
        json={"site_id": site["id"], "name": "router-huyen", "role": "terminal_router", "status": "active"},
        headers=h,
    ).json()
    polls = [
        PollResult(device["id"], at(1, 0), True, uptime_ticks=1),
        PollResult(device["id"], at(10, 8), False, error="timeout"),  # down: a holiday morning counts too
        PollResult(device["id"], at(10, 9), True, uptime_ticks=2),  # one hour later: up
        PollResult(device["id"], at(31, 23, 30), False, error="timeout"),  # down across the month's end
    ]
    db = Database(db_url, pool_size=1)
    try:
        for poll in polls:
            with db.transaction() as session:
                record_poll(session=session, result=poll, links=[], policy=Policy(down_after=1))
    finally:
        db.engine.dispose()
    body = client.get(f"{API}/reports/availability", params={"month": "2026-01"}, headers=h).json()
    assert body["thang"] == "01/2026"
    row = body["rows"][0]
    # 60 min + 30 min down of 31 × 24 × 60 = 44,640 min
    assert (row["outages"], row["down_minutes"]) == (2, 90.0)
    assert row["availability_percent"] == round(100 * (44_640 - 90) / 44_640, 3)
    assert row["outage_list"][0] == "10/01/2026 08:00 – 10/01/2026 09:00"
    assert row["outage_list"][1].endswith("chưa khôi phục")
    february = client.get(f"{API}/reports/availability", params={"month": "2026-02"}, headers=h).json()[
        "rows"
    ][0]
    assert february["outages"] == 1 and february["availability_percent"] == 0.0  # never came back
    csv = client.get(f"{API}/reports/availability", params={"month": "2026-01", "format": "csv"}, headers=h)
    assert "Tỷ lệ sẵn sàng (%)" in csv.content.decode("utf-8-sig")
    for bad in ("2026-13", "26-01", "2099-01", "x", "9999-12", "0000-01", "1999-12"):
        assert client.get(f"{API}/reports/availability", params={"month": bad}, headers=h).status_code == 422
    other = keys.headers("devices:read", org="another agency")
    assert (
        client.get(f"{API}/reports/availability", params={"month": "2026-01"}, headers=other).json()["rows"]
        == []
    )
