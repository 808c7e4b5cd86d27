"""Art. 6.2a: the yearly inventory report, every device per agency with its compliance, json/csv/xlsx."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

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
    assert csv.headers["content-type"].startswith("text/csv") and "BÁO CÁO KIỂM KÊ THIẾT BỊ" in text
    assert "Đánh giá tuân thủ" in text and "Không đạt" in text and "'=HYPERLINK" in text
    xlsx = client.get(f"{API}/reports/inventory", params={"format": "xlsx"}, headers=_h(keys, A))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[2][0] == "Mã cơ quan (IPAM)" and len(values) == 5
    assert all(isinstance(v, str) and v.count("/") == 2 for v in (values[3][-1], values[4][-1]))  # dd/mm/yyyy
    assert client.get(f"{API}/reports/inventory", params={"format": "pdf"}, headers=_h(keys, A)).status_code == 422
