"""Shared builders for the NGO registry tests."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from services.ngo_registry.rules import add_months

ADMIN = "ngo:admin"
BASE = "/api/v1/ngo"


def red_cross(**overrides: Any) -> dict[str, Any]:
    """A realistic record: Hội Chữ thập đỏ Việt Nam."""
    today = date.today()
    body: dict[str, Any] = {
        "name_vi": "Hội Chữ thập đỏ Việt Nam",
        "name_foreign": "Viet Nam Red Cross Society",
        "abbreviation": "VNRC",
        "name_type": "hoi",
        "scope": "ca_nuoc",
        "purpose": "Hoạt động nhân đạo, từ thiện",
        "field": "nhan_dao",
        "managing_agency": "bnv",
        "nature": "xa_hoi",
        "special_status": True,
        "founding_decision_number": "505/QĐ-BNV",
        "founding_decision_date": "1946-11-23",
        "founding_decision_issuer": "Chủ tịch nước",
        "office_address": "82 Nguyễn Du, Hai Bà Trưng, Hà Nội",
        "office_phone": "024 3822 4030",
        "office_area_m2": 850.5,
        "office_origin": "nha_nuoc_cap",
        "dossier_number": "HS-0001",
        "dossier_location": "Kho lưu trữ Vụ TCPCP",
        "dossier_reconciled_on": (today - timedelta(days=30)).isoformat(),
        "leaders": [
            {"role": "chu_tich", "full_name": "Bùi Thị Hòa", "from_date": "2022-08-01"},
            {"role": "pho_chu_tich", "full_name": "Nguyễn Hải Anh", "from_date": "2022-08-01"},
        ],
        "congresses": [{"kind": "nhiem_ky", "held_on": add_months(today, -24).isoformat(), "term_number": 11, "term_years": 5, "delegates": 500}],
        "members": [{"as_of": "2024-12-31", "member_type": "chinh_thuc", "count": 6_500_000}],
        "state_staff": [{"year": 2024, "staff": 120}],
        "funding": [{"year": 2024, "source": "ngan_sach", "amount_vnd": 25_000_000_000}, {"year": 2024, "source": "tai_tro", "amount_vnd": 1_200_000_000}],
        "affiliated_units": [{"kind": "van_phong_dai_dien", "name": "Văn phòng đại diện phía Nam", "address": "TP. Hồ Chí Minh"}],
    }
    body.update(overrides)
    return body


def simple(name: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name_vi": name,
        "name_type": "hoi",
        "scope": "ca_nuoc",
        "field": "giao_duc",
        "managing_agency": "bgddt",
        "nature": "xa_hoi_nghe_nghiep",
    }
    body.update(overrides)
    return body


def create(client: Any, keys: Any, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{BASE}/associations", json=body, headers=keys.headers(ADMIN, sub="staff:lan"))
    assert response.status_code == 201, response.text
    return dict(response.json())


def congress(held: date) -> list[dict[str, object]]:
    """A term congress held on ``held`` (5-year term)."""
    return [{"kind": "nhiem_ky", "held_on": held.isoformat(), "term_number": 3, "term_years": 5}]


def seed_congress_cases(client: Any, keys: Any) -> dict[str, int]:
    """The Red Cross plus one association on time and one at each overdue level (G11)."""
    today = date.today()
    ids = {"vnrc": create(client, keys, red_cross())["id"]}
    # due 5 years after the congress; overdue levels at +12 months, +6 more months, +90 more days
    ids["on_time"] = create(client, keys, simple("Hội Luật gia Việt Nam", field="phap_luat", managing_agency="btp", congresses=congress(add_months(today, -12))))["id"]
    ids["first"] = create(client, keys, simple("Hội Nhà báo Việt Nam", field="van_hoc", congresses=congress(add_months(today, -60 - 13))))["id"]
    ids["second"] = create(client, keys, simple("Hội Điện ảnh Việt Nam", field="van_hoa", congresses=congress(add_months(today, -60 - 19))))["id"]
    ids["third"] = create(client, keys, simple("Hội Kiến trúc sư Việt Nam", field="khoa_hoc", congresses=congress(add_months(today, -60 - 18) - timedelta(days=100))))["id"]
    return ids
