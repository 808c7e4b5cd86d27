"""The exploitation lists and statistics (G14): filters, pages, exports."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.ngo_registry.helpers import ADMIN, BASE, create, seed_congress_cases, simple


def test_g14_e_congress_tracking_escalates_12_months_then_6_then_90_days(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    ids = seed_congress_cases(client, keys)
    h = keys.headers(ADMIN)
    rows = client.get(f"{BASE}/lists/congress-tracking", headers=h).json()["results"]
    levels = {r["association_id"]: r["level"] for r in rows}
    assert levels[ids["on_time"]] == 0 and levels[ids["first"]] == 2 and levels[ids["second"]] == 3 and levels[ids["third"]] == 4
    assert rows[0]["association_id"] == ids["third"]  # oldest due first
    flagged = client.get(f"{BASE}/lists/congress-tracking", params={"min_level": 3}, headers=h).json()
    assert {r["association_id"] for r in flagged["results"]} == {ids["second"], ids["third"]}
    assert "Thông tư 03/2013/TT-BNV" in flagged["legal_basis"]["overdue_first_months"]
    third = next(r for r in rows if r["association_id"] == ids["third"])
    assert third["status"] == "Quá hạn thêm 90 ngày: đề nghị xử lý"


def test_g14_lists_filter_paginate_and_export_csv_xlsx_with_vietnamese_headings(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    ids = seed_congress_cases(client, keys)
    h = keys.headers(ADMIN)
    by_field = client.get(f"{BASE}/lists/by-field", params={"field": "phap_luat"}, headers=h).json()
    assert by_field["count"] == 1 and by_field["results"][0]["name_vi"] == "Hội Luật gia Việt Nam"
    assert by_field["columns"][1]["heading"] == "Tên hội"
    page = client.get(f"{BASE}/lists/by-ministry", params={"limit": 2}, headers=h).json()
    assert page["count"] == 5 and len(page["results"]) == 2 and page["next"]
    text = client.get(f"{BASE}/lists/by-field", params={"format": "csv"}, headers=h).content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["Mã hội", "Tên hội", "Tên viết tắt"]
    assert any(row[1] == "Hội Chữ thập đỏ Việt Nam" and row[9] == "23/11/1946" for row in table[1:])
    xlsx = client.get(f"{BASE}/lists/congress-tracking", params={"format": "xlsx"}, headers=h)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "Danh sách theo dõi việc tổ chức đại hội nhiệm kỳ của các hội"
    assert sheet["E3"].value == "Hạn đại hội nhiệm kỳ tiếp theo"
    assert len(sheet["E4"].value.split("/")) == 3  # dd/mm/yyyy
    chairs = client.get(f"{BASE}/lists/chairpersons", headers=h).json()
    assert [c["full_name"] for c in chairs["results"]] == ["Bùi Thị Hòa"]
    leaders = client.get(f"{BASE}/lists/key-leaders", params={"role": "pho_chu_tich"}, headers=h).json()
    assert leaders["results"][0]["full_name"] == "Nguyễn Hải Anh"
    general = client.get(f"{BASE}/lists/general/{ids['vnrc']}", headers=h).json()
    assert general["results"][0] == {"item": "Tên hội", "value": "Hội Chữ thập đỏ Việt Nam"}
    assert client.get(f"{BASE}/lists/by-field", headers=keys.headers("ngo:read:basic")).status_code == 403


def test_g14_statistics_staff_funding_head_office_nature(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    seed_congress_cases(client, keys)
    create(client, keys, simple("Hội Người mù Việt Nam", field="bao_tro_xa_hoi", special_status=True, office_area_m2=120, office_origin="thue", state_staff=[{"year": 2024, "staff": 30}], funding=[{"year": 2024, "source": "ngan_sach", "amount_vnd": 5_000_000_000}]))
    h = keys.headers(ADMIN)
    staff = client.get(f"{BASE}/statistics/state-staff", params={"year": 2024}, headers=h).json()
    assert staff["total_staff"] == 150
    funding = client.get(f"{BASE}/statistics/funding", params={"year": 2024, "group_by": "nature"}, headers=h).json()
    assert funding["total_vnd"] == 31_200_000_000
    budget = [r for r in funding["results"] if r["source"] == "Ngân sách nhà nước hỗ trợ"]
    assert sum(r["amount_vnd"] for r in budget) == 30_000_000_000
    office = client.get(f"{BASE}/statistics/head-office", headers=h).json()
    by_origin = {r["code"]: r for r in office["results"]}
    assert by_origin["thue"]["total_area_m2"] == 120 and by_origin["nha_nuoc_cap"]["total_area_m2"] == 850.5
    nature = client.get(f"{BASE}/statistics/nature", headers=h).json()
    assert sum(r["associations"] for r in nature["results"]) == 6
    assert client.get(f"{BASE}/statistics/funding", params={"year": "abc"}, headers=h).status_code == 422
