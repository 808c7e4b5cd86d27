"""available-prefixes answers 409 for a length that cannot fit, as NetBox does; a string is no integer (N7)."""

from __future__ import annotations

from typing import Any

API = "/api/v1/ipam"


def _alloc(world: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"agency_id": world["district"]["id"], "service_id": world["vpn"]["id"], "purpose": "Kết nối VPN", **extra}


def test_n7_available_prefixes_length_not_longer_than_parent_is_409(ipam: Any, world: dict[str, Any]) -> None:
    pool = world["pool"]  # a /16
    for length in (8, 16):
        r = ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=_alloc(world, prefix_length=length))
        assert r.status_code == 409, r.text
        assert f"no room for a /{length}" in r.json()["detail"]
    too_long = ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=_alloc(world, prefix_length=33))
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "prefix_length"


def test_n7_a_json_string_is_not_an_integer(ipam: Any, world: dict[str, Any]) -> None:
    pool = world["pool"]
    for body in (_alloc(world, prefix_length="24"), _alloc(world, prefix_length=24.0), _alloc(world, prefix_length=True),
                 _alloc(world, prefix_length=24, agency_id=str(world["district"]["id"]))):
        r = ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=body)
        assert r.status_code == 422, (body, r.text)
    assert ipam.post(f"{API}/prefixes/{pool['id']}/available-ips", json={"count": "2"}).status_code == 422
    assert ipam.post(f"{API}/prefixes", json={"prefix": "10.99.0.0/16", "kind": "pool", "vrf_id": "1"}).status_code == 422
    assert ipam.put(f"{API}/demands", json={"agency_id": world["district"]["id"], "year": "2026"}).status_code == 422
    ok = ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=_alloc(world, prefix_length=24))
    assert ok.status_code == 201, ok.text
