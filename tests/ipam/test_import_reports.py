"""CSV import/export (NetBox columns, all-or-nothing) and the N3/N7 reports."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

API = "/api/v1/ipam"


def test_import_is_all_or_nothing_with_row_errors(ipam: Any, world: dict[str, Any]) -> None:
    before = ipam.get(f"{API}/prefixes").json()["count"]
    bad = (
        "prefix,vrf,status,tenant,role,description\n"
        "172.16.0.0/16,,container,,,Khối tỉnh\n"
        "172.16.1.0/24,,active,AG-LX,VPN,VPN Long Xuyên\n"
        "172.16.1.7/24,,active,AG-LX,VPN,host bits\n"
        "172.16.2.0/24,,active,NOPE,VPN,unknown tenant\n"
        "172.16.1.128/25,,active,AG-CD,MAIL,overlaps line 3\n"
    )
    r = ipam.post(f"{API}/import", content=bad.encode(), headers={"Content-Type": "text/csv"})
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [e["row"] for e in errors] == [4, 5]
    assert "did you mean 172.16.1.0/24?" in errors[0]["message"]
    assert ipam.get(f"{API}/prefixes").json()["count"] == before
    # the overlap is found only once the other rows are fine
    r = ipam.post(f"{API}/import", content="\n".join(bad.splitlines()[:3] + bad.splitlines()[5:]).encode())
    assert r.status_code == 422 and r.json()["errors"][0]["row"] == 4 and "overlaps" in r.json()["errors"][0]["message"]
    good = "\n".join(bad.splitlines()[:3]) + "\n2001:db8:200::/48,,active,,,v6 pool\n2001:db8:200:1::/64,,active,AG-CD,Thư điện tử công vụ,Mail\n"
    r = ipam.post(f"{API}/import", content=good.encode())
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 4
    lx = ipam.get(f"{API}/prefixes", params={"q": "172.16.1.0"}).json()["results"][0]
    assert lx["kind"] == "allocation" and lx["agency_id"] == world["district"]["id"] and lx["parent_id"] is not None
    exported = ipam.get(f"{API}/export")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    by_prefix = {r["prefix"]: r for r in rows}
    assert by_prefix["172.16.0.0/16"]["status"] == "container"
    assert by_prefix["172.16.1.0/24"]["tenant"] == "AG-LX" and by_prefix["172.16.1.0/24"]["role"] == "VPN"
    assert by_prefix["2001:db8:200:1::/64"]["role"] == "MAIL"
    # the export imports back into an empty VRF unchanged
    vrf = ipam.post(f"{API}/vrfs", json={"name": "COPY"}).json()
    copy = exported.text.replace("\n", "\n", 1)
    lines = copy.splitlines()
    rebuilt = [lines[0]] + [",".join([r["prefix"], "COPY", *[r[k] for k in ("status", "tenant", "role", "description", "kind", "purpose")]]) for r in rows]
    r = ipam.post(f"{API}/import", content="\n".join(rebuilt).encode())
    assert r.status_code == 201, r.text
    assert ipam.get(f"{API}/prefixes", params={"vrf_id": vrf["id"]}).json()["count"] == len(rows)


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


def test_import_rehomes_existing_addresses_to_new_prefixes(ipam: Any, world: dict[str, Any]) -> None:
    inside = ipam.post(f"{API}/ip-addresses", json={"address": "10.10.200.5"}).json()
    outside = ipam.post(f"{API}/ip-addresses", json={"address": "10.10.201.5"}).json()
    assert inside["prefix_id"] == world["pool"]["id"]
    r = ipam.post(f"{API}/import", content=b"prefix,status,tenant,role,description\n10.10.200.0/24,active,AG-LX,VPN,Mang LX\n")
    assert r.status_code == 201, r.text
    new = ipam.get(f"{API}/prefixes", params={"q": "10.10.200.0/24"}).json()["results"][0]
    assert ipam.get(f"{API}/ip-addresses/{inside['id']}").json()["prefix_id"] == new["id"]
    assert ipam.get(f"{API}/ip-addresses/{outside['id']}").json()["prefix_id"] == world["pool"]["id"]
    assert new["utilization"] == round(100 / 254, 2)
