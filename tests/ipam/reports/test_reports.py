"""The N7 yearly review and the N3 technical information (form Mẫu 01), as JSON and XLSX."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

API = "/api/v1/ipam"


def test_n7_annual_review_report(ipam: Any, world: dict[str, Any]) -> None:
    owner = {"agency_id": world["district"]["id"], "service_id": world["vpn"]["id"], "purpose": "VPN"}
    used = ipam.post(f"{API}/prefixes/{world['pool']['id']}/available-prefixes", json={**owner, "prefix_length": 29}).json()
    ipam.post(f"{API}/prefixes/{world['pool']['id']}/available-prefixes", json={**owner, "prefix_length": 29})
    ipam.post(f"{API}/prefixes/{used['id']}/available-ips", json={"count": 3})
    year = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year
    report = ipam.get(f"{API}/reports/annual-review", params={"year": year}).json()
    assert report["title"].startswith("Báo cáo rà soát sử dụng địa chỉ IP")
    row = next(r for r in report["rows"] if r["agency_id"] == world["district"]["id"])
    assert row["allocations"] == 2 and row["allocated"] == 12 and row["used"] == 3 and row["utilization"] == 25.0
    assert row["unused_allocations"] == ["10.10.0.8/29"]
    assert row["changes"] == 2
    assert report["conflicts"] == []
    assert {c["heading"] for c in report["columns"]} >= {"Đơn vị sử dụng", "Tỷ lệ sử dụng (%)"}
    assert report["Ngày lập"] == datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")
    csv_text = ipam.get(f"{API}/reports/annual-review", params={"year": year, "format": "csv"}).text
    assert "Số địa chỉ đang sử dụng" in csv_text and "10.10.0.8/29" in csv_text
    xlsx = ipam.get(f"{API}/reports/annual-review", params={"year": year, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and "Báo cáo rà soát" in str(sheet["A1"].value)
    empty = ipam.get(f"{API}/reports/annual-review", params={"year": year - 3}).json()
    assert empty["rows"] == []


def test_n3_technical_info_flags_growth_over_20_percent(ipam: Any, world: dict[str, Any]) -> None:
    lx, cd = world["district"]["id"], world["other"]["id"]
    ipam.patch(f"{API}/agencies/{lx}", json={"address": "Số 1 Lê Lợi, Long Xuyên", "contacts": [
        {"role": "operation", "name": "Lê Văn C", "title": "Trưởng phòng", "phone": "0296 111", "email": "c@angiang.gov.vn"}]})
    ipam.post(f"{API}/subscriptions", json={"agency_id": lx, "service_id": world["vpn"]["id"], "channels": 2, "bandwidth_mbps": 50,
                                            "connection_site": "Trụ sở UBND", "planned_date": "2027-03-01"})
    ipam.post(f"{API}/prefixes/{world['pool']['id']}/available-prefixes",
              json={"agency_id": lx, "service_id": world["vpn"]["id"], "purpose": "VPN", "prefix_length": 28})
    for agency, last, now in ((lx, 100, 125), (cd, 100, 120)):
        ipam.put(f"{API}/demands", json={"agency_id": agency, "year": 2026, "ipv4_addresses": last})
        ipam.put(f"{API}/demands", json={"agency_id": agency, "year": 2027, "ipv4_addresses": now, "ipv6_prefixes": 0})
    report = ipam.get(f"{API}/reports/technical-info", params={"year": 2027}).json()
    rows = {r["agency_id"]: r for r in report["rows"]}
    assert rows[lx]["justification_required"] == "Có" and rows[lx]["growth_percent"] == 25.0
    assert rows[cd]["justification_required"] == "Không"
    assert rows[lx]["contact_name"] == "Lê Văn C" and rows[lx]["contact_title"] == "Trưởng phòng"
    assert rows[lx]["service_type"] == "Mạng riêng ảo (VPN)" and rows[lx]["channels"] == 2
    assert rows[lx]["planned_date"] == "01/03/2027"
    assert rows[lx]["ipv4_allocations"] == ["10.10.0.0/28"]
    assert report["Hạn gửi"] == "31/01/2027" and report["Biểu mẫu"] == "Mẫu 01"
    one = ipam.get(f"{API}/reports/technical-info", params={"year": 2027, "agency_id": cd}).json()
    assert [r["agency_id"] for r in one["rows"]] == [cd]
    xlsx = ipam.get(f"{API}/reports/technical-info", params={"year": 2027, "format": "xlsx"})
    assert xlsx.status_code == 200
    headings = [c.value for c in load_workbook(io.BytesIO(xlsx.content)).active[8]]  # type: ignore[index]
    assert "Thư điện tử" in headings and "Số kênh" in headings
