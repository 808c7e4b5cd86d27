"""The periodic reports (G11)."""

from __future__ import annotations

from datetime import date

from tests.ngo_registry.helpers import ADMIN, BASE, seed_congress_cases


def test_g11_quarterly_and_annual_reports(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    ids = seed_congress_cases(client, keys)
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
