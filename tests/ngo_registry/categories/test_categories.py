"""The category lists (G5)."""

from __future__ import annotations

from tests.ngo_registry.helpers import ADMIN, BASE, simple


def test_g5_categories_have_stable_codes_and_vietnamese_labels(db_url, make_client, keys) -> None:
    client = make_client("ngo_registry", db_url)
    natures = client.get(f"{BASE}/categories/nature").json()
    assert {i["code"]: i["label_vi"] for i in natures["items"]}["chinh_tri_xa_hoi"] == "Chính trị - xã hội"
    assert client.post(f"{BASE}/categories/field", json={"code": "ton_giao", "label_vi": "Tôn giáo"}, headers=keys.headers("ngo:read:basic")).status_code == 403
    assert client.post(f"{BASE}/categories/field", json={"code": "ton_giao", "label_vi": "Tôn giáo"}, headers=keys.headers(ADMIN)).status_code == 201
    assert client.post(f"{BASE}/categories/field", json={"code": "ton_giao", "label_vi": "X"}, headers=keys.headers(ADMIN)).status_code == 409
    assert client.post(f"{BASE}/associations", json=simple("Hội Mới", field="ton_giao"), headers=keys.headers(ADMIN)).status_code == 201
    client.patch(f"{BASE}/categories/field/ton_giao", json={"active": False}, headers=keys.headers(ADMIN))
    assert client.post(f"{BASE}/associations", json=simple("Hội Mới 2", field="ton_giao"), headers=keys.headers(ADMIN)).status_code == 422
