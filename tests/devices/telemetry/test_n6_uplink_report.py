"""N6: GET /api/v1/devices/reports/uplinks as JSON, CSV and XLSX, scoped to the caller's agency."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from typing import Any

from openpyxl import load_workbook

from services.devices.telemetry.models import TelemetryDaily
from shared.db import Database
from tests.devices.conftest import DevicesClient

API = "/api/v1/devices"
START = date(2026, 1, 1)


def seed(client: Any, h: dict[str, str], db_url: str, *, route_b: str = "B") -> list[int]:
    site = client.post(
        f"{API}/sites",
        json={"agency_id": 1, "name": "Trung tâm THDL tỉnh", "room_type": "phong_may"},
        headers=h,
    ).json()
    router = client.post(
        f"{API}/devices",
        json={"site_id": site["id"], "name": "router-thdl", "role": "terminal_router", "status": "active"},
        headers=h,
    ).json()
    links = []
    for index, (provider, route) in enumerate((("VNPT", "A"), ("Viettel", route_b)), start=1):
        iface = client.post(
            f"{API}/devices/{router['id']}/interfaces",
            json={"if_index": index, "if_name": f"ge-0/0/{index}", "if_high_speed": 1000},
            headers=h,
        ).json()
        links.append(
            client.post(
                f"{API}/uplinks",
                json={"interface_id": iface["id"], "provider": provider, "route_id": route},
                headers=h,
            ).json()["id"]
        )
    db = Database(db_url, pool_size=1)
    try:
        with db.transaction() as session:
            for offset in range(7):
                day = START + timedelta(days=offset)
                for direction in (0, 1):
                    session.add(
                        TelemetryDaily(
                            link_id=links[0],
                            direction=direction,
                            day=day,
                            samples=288,
                            max_bp=4000,
                            over_threshold=0,
                            histogram=json.dumps({"4000": 288}),
                        )
                    )
                # the second link: one 95 % sample inbound on the first day, half the samples missing
                hist = {"3000": 143, "9500": 1} if offset == 0 else {"3000": 144}
                session.add(
                    TelemetryDaily(
                        link_id=links[1],
                        direction=0,
                        day=day,
                        samples=144,
                        max_bp=9500 if offset == 0 else 3000,
                        over_threshold=int(offset == 0),
                        histogram=json.dumps(hist),
                    )
                )
    finally:
        db.engine.dispose()
    return links


def test_n6_uplink_report_json_under_the_seed_rule(devices: DevicesClient, db_url: str, keys: Any) -> None:
    client = devices()
    h = keys.headers("devices:read devices:write devices:admin")
    links = seed(client, h, db_url)
    r = client.get(f"{API}/reports/uplinks", params={"from": "2026-01-01", "to": "2026-01-07"}, headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["tu_ngay"] == "01/01/2026" and body["den_ngay"] == "07/01/2026"
    assert "Điều 7 khoản 1 điểm b" in body["can_cu"]
    rows = {(row["link_id"], row["direction"]): row for row in body["rows"]}
    first_in = rows[(links[0], "vào")]
    assert (first_in["expected"], first_in["received"], first_in["max_percent"], first_in["p95_percent"]) == (
        2016,
        2016,
        40.0,
        40.0,
    )
    # a week is not 3 consecutive months: nothing passes under QĐ 58, even a full week below 90 %
    assert first_in["verdict"] == "chưa đủ căn cứ"
    second_in = rows[(links[1], "vào")]
    assert (
        second_in["verdict"] == "không đạt"
        and second_in["max_percent"] == 95.0
        and second_in["coverage_percent"] == 50.0
    )
    assert rows[(links[1], "ra")]["received"] == 0 and rows[(links[1], "ra")]["verdict"] == "chưa đủ căn cứ"
    routers = body["routes"]["routers"]
    assert [(r["links"], r["routes"], r["verdict"]) for r in routers] == [(2, 2, "đạt")]


def test_n6_uplink_report_under_circular_06(devices: DevicesClient, db_url: str, keys: Any) -> None:
    client = devices(uplink_ruleset="tt06_2026")
    h = keys.headers("devices:read devices:write devices:admin")
    links = seed(client, h, db_url, route_b="A")
    body = client.get(
        f"{API}/reports/uplinks", params={"from": "2026-01-01", "to": "2026-01-07"}, headers=h
    ).json()
    verdicts = {link["link_id"]: link["verdict"] for link in body["links"]}
    assert verdicts[links[0]] == "đạt"  # p95 40 % over 7 full days
    assert verdicts[links[1]] == "chưa đủ căn cứ"  # half the samples missing
    assert body["routes"]["routers"][0]["verdict"] == "không đạt"  # both links over route A


def test_n6_uplink_report_csv_and_xlsx_have_vietnamese_headings(
    devices: DevicesClient, db_url: str, keys: Any
) -> None:
    client = devices()
    h = keys.headers("devices:read devices:write devices:admin")
    seed(client, h, db_url)
    params = {"from": "2026-01-01", "to": "2026-01-07"}
    csv = client.get(f"{API}/reports/uplinks", params={**params, "format": "csv"}, headers=h)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "Phân vị 95 (%)" in text and "01/01/2026" in text and "Điều 7.1a" in text
    xlsx = client.get(f"{API}/reports/uplinks", params={**params, "format": "xlsx"}, headers=h)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Kết luận" in values and "không đạt" in values


def test_n6_uplink_report_scope_and_bad_input(devices: DevicesClient, db_url: str, keys: Any) -> None:
    client = devices()
    admin = keys.headers("devices:read devices:write devices:admin")
    seed(client, admin, db_url)
    other = keys.headers("devices:read", org="UBND xã khác")
    body = client.get(
        f"{API}/reports/uplinks", params={"from": "2026-01-01", "to": "2026-01-07"}, headers=other
    ).json()
    assert body["rows"] == [] and body["routes"]["routers"] == []
    for params in (
        {"from": "2026-01-07", "to": "2026-01-01"},
        {"from": "2020-01-01", "to": "2026-01-01"},
        {"from": "01/01/2026", "to": "2026-01-07"},
        {"to": "2026-01-07"},
        {"from": "2026-01-01", "to": "2026-01-07", "format": "pdf"},
        {"from": "9999-12-31", "to": "9999-12-31"},
        {"from": "0001-01-01", "to": "0001-01-02"},
    ):
        r = client.get(f"{API}/reports/uplinks", params=params, headers=admin)
        assert r.status_code == 422, (params, r.status_code)
    assert (
        client.get(f"{API}/reports/uplinks", params={"from": "2026-01-01", "to": "2026-01-07"}).status_code
        == 401
    )
