"""Exploitation lists (G14), exports, fees (G8) and the periodic reports (G11)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from openpyxl import load_workbook

from services.ngo_registry.rules import add_months
from tests.ngo_registry.helpers import ADMIN, BASE, create, red_cross, simple


def _congress(held: date) -> list[dict[str, object]]:
    return [{"kind": "nhiem_ky", "held_on": held.isoformat(), "term_number": 3, "term_years": 5}]


def _seed(client, keys) -> dict[str, int]:
    today = date.today()
    ids = {"vnrc": create(client, keys, red_cross())["id"]}
    # due 5 years after the congress; overdue levels at +12 months, +6 more months, +90 more days
    ids["on_time"] = create(client, keys, simple("Hội Luật gia Việt Nam", field="phap_luat", managing_agency="btp", congresses=_congress(add_months(today, -12))))["id"]
    ids["first"] = create(client, keys, simple("Hội Nhà báo Việt Nam", field="van_hoc", congresses=_congress(add_months(today, -60 - 13))))["id"]
    ids["second"] = create(client, keys, simple("Hội Điện ảnh Việt Nam", field="van_hoa", congresses=_congress(add_months(today, -60 - 19))))["id"]
    ids["third"] = create(client, keys, simple("Hội Kiến trúc sư Việt Nam", field="khoa_hoc", congresses=_congress(add_months(today, -60 - 18) - timedelta(days=100))))["id"]
    return ids


def test_g14_e_congress_tracking_escalates_12_months_then_6_then_90_days(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    ids = _seed(client, keys)
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
    ids = _seed(client, keys)
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
    _seed(client, keys)
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


def test_g14_m_party_documents_crud_and_list(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    h = keys.headers(ADMIN)
    body = {"number": "45/2010/NĐ-CP", "title": "Quy định về tổ chức, hoạt động và quản lý hội", "document_type": "nghi_dinh", "issuer": "Chính phủ", "issued_on": "2010-04-21", "effective_on": "2010-07-01"}
    created = client.post(f"{BASE}/documents", json=body, headers=h)
    assert created.status_code == 201, created.text
    doc_id = created.json()["id"]
    assert client.post(f"{BASE}/documents", json={**body, "document_type": "x"}, headers=h).status_code == 422
    assert client.post(f"{BASE}/documents", json={**body, "classification": "Mật"}, headers=h).status_code == 422
    assert client.patch(f"{BASE}/documents/{doc_id}", json={"title": "Nghị định về hội"}, headers=h).json()["title"] == "Nghị định về hội"
    listed = client.get(f"{BASE}/lists/party-documents", headers=h).json()
    assert listed["results"][0]["issued_on"] == "2010-04-21" and listed["results"][0]["document_type_label"] == "Nghị định"
    assert client.delete(f"{BASE}/documents/{doc_id}", headers=h).status_code == 204
    assert client.get(f"{BASE}/documents/{doc_id}", headers=h).status_code == 404  # documents are ngo:admin (issue 9, item 2)


def test_g8_value_added_requests_are_metered_and_priced(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    _seed(client, keys)
    admin = keys.headers(ADMIN)
    assert client.put(f"{BASE}/fees/schedule/by_field", json={"per_request_vnd": 5000, "per_row_vnd": 200}, headers=admin).status_code == 200
    user = keys.headers("ngo:read:value_added", org="bo-tai-chinh", grant="grant-42")
    assert client.get(f"{BASE}/lists/by-field", params={"limit": 3}, headers=user).status_code == 200
    assert client.get(f"{BASE}/lists/by-field", params={"limit": 3, "offset": 3}, headers=user).status_code == 200
    assert client.get(f"{BASE}/statistics/nature", headers=user).status_code == 200
    client.get(f"{BASE}/lists/by-field", headers=admin)  # administrators are not metered
    month = date.today().strftime("%Y-%m")
    statement = client.get(f"{BASE}/fees/statement", params={"org": "bo-tai-chinh", "month": month}, headers=user).json()
    lines = {line["dataset"]: line for line in statement["lines"]}
    assert lines["by_field"] == {"dataset": "by_field", "label": "(b) Danh sách hội theo lĩnh vực", "requests": 2, "rows": 5, "amount_vnd": 2 * 5000 + 5 * 200}
    assert lines["by_nature"]["requests"] == 1 and statement["grants"] == ["grant-42"]
    assert statement["total_vnd"] == 11_000 + lines["by_nature"]["amount_vnd"]
    assert client.get(f"{BASE}/fees/statement", params={"org": "bo-tai-chinh", "month": month}, headers=keys.headers("ngo:read:value_added", org="other")).status_code == 403
    assert client.get(f"{BASE}/fees/statement", params={"org": "bo-tai-chinh", "month": month}, headers=admin).json()["total_vnd"] == statement["total_vnd"]


def test_g11_quarterly_and_annual_reports(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    ids = _seed(client, keys)
    h = keys.headers(ADMIN)
    today = date.today()
    quarter = (today.month - 1) // 3 + 1
    q = client.get(f"{BASE}/reports/quarterly", params={"year": today.year, "quarter": quarter}, headers=h).json()
    assert q["created"] == 5 and q["changed"]["count"] == 5
    assert q["update_due_on"].endswith(("-03-31", "-06-30", "-09-30", "-12-31"))
    assert client.get(f"{BASE}/reports/quarterly", params={"year": today.year, "quarter": 5}, headers=h).status_code == 422
    a = client.get(f"{BASE}/reports/annual", params={"year": today.year}, headers=h).json()
    assert a["due_before_vn"] == f"31/12/{today.year}"
    assert a["associations_active"] == 5 and sum(x["associations"] for x in a["by_field"]) == 5
    assert a["congresses_overdue_at_year_end"]["first"] >= 3
    assert client.get(f"{BASE}/reports/annual", params={"year": today.year}, headers=keys.headers("ngo:read:basic")).status_code == 403
    assert ids
