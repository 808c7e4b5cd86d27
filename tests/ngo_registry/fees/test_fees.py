"""Fees for value-added data (G8)."""

from __future__ import annotations

from datetime import date

from tests.ngo_registry.helpers import ADMIN, BASE, seed_congress_cases


def test_g8_value_added_requests_are_metered_and_priced(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    seed_congress_cases(client, keys)
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
