"""Several prefixes or addresses in one atomic request: all placed, or none and 409 (N7)."""

from __future__ import annotations

from typing import Any

API = "/api/v1/ipam"


def _alloc(world: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"agency_id": world["district"]["id"], "service_id": world["vpn"]["id"], "purpose": "Kết nối VPN", **extra}


def test_n7_several_prefix_lengths_in_one_request_all_or_none(ipam: Any, world: dict[str, Any]) -> None:
    pool = ipam.post(f"{API}/prefixes", json={"prefix": "10.40.0.0/24", "kind": "pool"}).json()
    got = ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=[_alloc(world, prefix_length=n) for n in (26, 27, 26)])
    assert got.status_code == 201, got.text
    assert [p["prefix"] for p in got.json()] == ["10.40.0.0/26", "10.40.0.64/27", "10.40.0.128/26"]
    before = ipam.get(f"{API}/prefixes", params={"parent_id": pool["id"]}).json()["count"]
    # a /27 fits, the /25 does not: neither is placed
    refused = ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=[_alloc(world, prefix_length=27), _alloc(world, prefix_length=25)])
    assert refused.status_code == 409 and "no free /25" in refused.json()["detail"]
    assert ipam.get(f"{API}/prefixes", params={"parent_id": pool["id"]}).json()["count"] == before
    assert ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=[]).status_code == 422
    assert ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=[_alloc(world, prefix_length="27")]).status_code == 422


def test_n7_several_addresses_in_one_request_all_or_none(ipam: Any, world: dict[str, Any]) -> None:
    alloc = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.70.0/29")).json()  # 6 usable
    got = ipam.post(f"{API}/prefixes/{alloc['id']}/available-ips", json={"count": 3, "role": "loopback"})
    assert [a["address_with_mask"] for a in got.json()] == ["10.10.70.1/29", "10.10.70.2/29", "10.10.70.3/29"]
    listed = ipam.post(f"{API}/prefixes/{alloc['id']}/available-ips", json=[{"dns_name": "a.gov.vn"}, {"dns_name": "b.gov.vn"}])
    assert listed.status_code == 201 and [a["dns_name"] for a in listed.json()] == ["a.gov.vn", "b.gov.vn"]
    too_many = ipam.post(f"{API}/prefixes/{alloc['id']}/available-ips", json={"count": 2})
    assert too_many.status_code == 409
    also = ipam.post(f"{API}/prefixes/{alloc['id']}/available-ips", json=[{}, {}])
    assert also.status_code == 409
    assert ipam.get(f"{API}/prefixes/{alloc['id']}/available-ips").json()["count"] == 1
