"""Fees for value-added data (G8)."""

from __future__ import annotations

from datetime import date, timedelta

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
