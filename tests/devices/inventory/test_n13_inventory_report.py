"""Art. 6.2a: the yearly inventory report, every device per agency with its compliance, json/csv/xlsx."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from openpyxl import load_workbook

from services.devices.inventory.report import availability, year_window
from services.devices.telemetry.models import DeviceReachability, Outage
from shared.db import Database
from tests.devices.inventory.test_n13_inventory_api import API, A, B, _device, _h


def test_n13_yearly_inventory_report_json_csv_xlsx_scoped(devices: Any, keys: Any) -> None:
    client = devices()
    good = _device(client, keys, name="=HYPERLINK(\"x\")")
    _device(client, keys, management_protocols=["telnet"], lan_ports=1)
    _device(client, keys, who=B)
    gone = _device(client, keys)
    client.patch(f"{API}/devices/{gone['id']}", json={"status": "decommissioned"}, headers=_h(keys, A))
    body = client.get(f"{API}/reports/inventory", headers=_h(keys, A)).json()
    assert body["count"] == 2 and body["ruleset"] == "qd58_2024"
    first, second = body["results"]
    assert first["device_id"] == good["id"] and first["compliance"] == "Chưa đủ thông tin"  # no reading yet
    assert second["compliance"] == "Không đạt"
    assert second["failed"] == ["Số lượng cổng kết nối", "Quản trị cấu hình có xác thực và mã hoá"]
    assert client.get(f"{API}/reports/inventory", headers=keys.headers("devices:admin")).json()["count"] == 3
    assert client.get(f"{API}/reports/inventory", params={"agency_id": 8}, headers=_h(keys, A)).json()["count"] == 0

    csv = client.get(f"{API}/reports/inventory", params={"format": "csv"}, headers=_h(keys, A))
    text = csv.content.decode("utf-8-sig")
    assert csv.headers["content-type"].startswith("text/csv") and "BÁO CÁO KIỂM KÊ, ĐÁNH GIÁ THIẾT BỊ" in text
    assert "Đánh giá tuân thủ" in text and "Không đạt" in text and "'=HYPERLINK" in text
    xlsx = client.get(f"{API}/reports/inventory", params={"format": "xlsx"}, headers=_h(keys, A))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[3][0] == "Mã cơ quan (IPAM)" and len(values) == 6
    assert all(isinstance(v, str) and v.count("/") == 2 for v in (values[4][-1], values[5][-1]))  # dd/mm/yyyy
    assert client.get(f"{API}/reports/inventory", params={"format": "pdf"}, headers=_h(keys, A)).status_code == 422


def test_n14_availability_of_the_year_pure() -> None:
    start, end = 0, 1_000_000
    assert availability([], start_ms=start, end_ms=end) == (0, 0, 100.0)
    # one before the window (ignored), one straddling its start, one inside, one still open at the end
    spans = [(-500, -100), (-100, 10_000), (500_000, 510_000), (990_000, None)]
    assert availability(spans, start_ms=start, end_ms=end) == (3, 30_000, 97.0)
    assert availability([(0, 10)], start_ms=5, end_ms=5) == (0, 0, None)
    lo, hi = year_window(2026, datetime(2026, 12, 2, tzinfo=UTC))
    assert datetime.fromtimestamp(lo / 1000, UTC) == datetime(2025, 12, 31, 17, 0, tzinfo=UTC)  # 01/01 00:00 +07
    assert hi == int(datetime(2026, 12, 2, tzinfo=UTC).timestamp() * 1000)


def test_n14_inventory_report_counts_the_years_outages_and_notices(devices: Any, keys: Any, db_url: str) -> None:
    client = devices()
    polled, never = _device(client, keys), _device(client, keys)
    year = datetime.now(UTC).year
    jan = int(datetime(year, 1, 10, tzinfo=UTC).timestamp() * 1000)
    db = Database(db_url)
    with db.session() as session:
        session.add(DeviceReachability(device_id=polled["id"], up=True))
        session.add(Outage(device_id=polled["id"], started_ms=jan, ended_ms=jan + 2 * 3_600_000))
        session.add(Outage(device_id=polled["id"], started_ms=jan - 400 * 86_400_000, ended_ms=jan - 399 * 86_400_000))
        session.commit()
    db.dispose()
    client.post(f"{API}/devices/{polled['id']}/notifications", json={"kind": "power", "text": "Cắt điện", "at": f"{year}-01-10T08:00:00+07:00"},
                headers=_h(keys, A))
    client.post(f"{API}/devices/{polled['id']}/notifications", json={"kind": "other", "text": "Năm trước", "at": f"{year - 1}-06-01T08:00:00+07:00"},
                headers=_h(keys, A))
    rows = {r["device_id"]: r for r in client.get(f"{API}/reports/inventory", params={"year": year}, headers=_h(keys, A)).json()["results"]}
    assert rows[polled["id"]]["outages"] == 1 and rows[polled["id"]]["downtime_hours"] == 2.0
    assert 99.0 < rows[polled["id"]]["availability"] < 100.0 and rows[polled["id"]]["notices"] == 1
    assert rows[never["id"]]["availability"] is None and rows[never["id"]]["outages"] is None
    assert client.get(f"{API}/reports/inventory", params={"year": 1999}, headers=_h(keys, A)).status_code == 422
