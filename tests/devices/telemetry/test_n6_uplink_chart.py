"""N6: an uplink's chart (SVG) over the period, with the 90 % line; peaks survive the binning."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.devices.telemetry.chart import BINS, binned
from services.devices.telemetry.models import TelemetrySample
from shared.db import Database
from tests.devices.conftest import DevicesClient

API = "/api/v1/devices"
SVG = "{http://www.w3.org/2000/svg}"


def test_n6_binning_keeps_each_bins_peak() -> None:
    start = 0
    points = [(ts, 1000) for ts in range(0, 86_400, 300)] + [(43_500, 9700)]
    bins = binned(points, start, 86_400)
    assert len(bins) == 288 <= BINS  # one 5-minute sample per bin here
    assert max(v for _, v in bins) == 9700


def test_n6_uplink_chart_svg(devices: DevicesClient, db_url: str, keys: Any) -> None:
    client = devices()
    h = keys.headers("devices:read devices:write devices:admin")
    site = client.post(
        f"{API}/sites", json={"agency_id": 1, "name": "THDL", "room_type": "phong_may"}, headers=h
    ).json()
    router = client.post(
        f"{API}/devices", json={"site_id": site["id"], "name": "r1", "role": "terminal_router"}, headers=h
    ).json()
    iface = client.post(
        f"{API}/devices/{router['id']}/interfaces",
        json={"if_index": 1, "if_name": "ge-0/0/1", "if_high_speed": 1000},
        headers=h,
    ).json()
    link = client.post(
        f"{API}/uplinks",
        json={"interface_id": iface["id"], "provider": "VNPT <&>", "route_id": "A"},
        headers=h,
    ).json()
    day = int(datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).timestamp())
    db = Database(db_url, pool_size=1)
    try:
        with db.transaction() as session:
            for i in range(288):
                for direction, value in ((0, 3000 + (6500 if i == 100 else 0)), (1, 2000)):
                    session.add(
                        TelemetrySample(
                            link_id=link["id"],
                            direction=direction,
                            ts=day + 300 * (i + 1),
                            duration_ms=300_000,
                            octets=1,
                            util_bp=value,
                        )
                    )
    finally:
        db.engine.dispose()
    r = client.get(
        f"{API}/reports/uplinks/{link['id']}/chart",
        params={"from": "2026-01-01", "to": "2026-01-01"},
        headers=h,
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(r.content)  # well-formed, the provider's "<&>" escaped
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "ngưỡng 90 %" in texts and "01/01/2026" in texts and any("VNPT <&>" in (t or "") for t in texts)
    # the y axis runs to 100 % (higher only when a sample is above 100 %)
    assert "100 %" in texts
    other = keys.headers("devices:read", org="someone else")
    assert (
        client.get(
            f"{API}/reports/uplinks/{link['id']}/chart",
            params={"from": "2026-01-01", "to": "2026-01-01"},
            headers=other,
        ).status_code
        == 404
    )
    bad = (
        {"from": "2026-01-02", "to": "2026-01-01"},
        {"from": "9999-12-31", "to": "9999-12-31"},
        {"from": "x", "to": "2026-01-01"},
    )
    for params in bad:
        r = client.get(f"{API}/reports/uplinks/{link['id']}/chart", params=params, headers=h)
        assert r.status_code == 422, params
