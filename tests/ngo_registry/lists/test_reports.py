"""The periodic reports (G11)."""

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
