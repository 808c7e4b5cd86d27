"""Where GovNet deliberately differs from NetBox (docs/ipam.md "Coming from NetBox"), held by tests (N7)."""

from __future__ import annotations

from typing import Any

API = "/api/v1/ipam"


def _alloc(world: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"agency_id": world["district"]["id"], "service_id": world["vpn"]["id"], "purpose": "Kết nối VPN", **extra}


def test_n7_a_child_prefix_addresses_are_not_free_in_its_parent(ipam: Any, world: dict[str, Any]) -> None:
    pool = ipam.post(f"{API}/prefixes", json={"prefix": "10.50.0.0/24", "kind": "pool"}).json()
    child = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.50.0.0/25")).json()
    free = ipam.get(f"{API}/prefixes/{pool['id']}/available-ips", params={"limit": 1}).json()
    # NetBox would offer 10.50.0.0 (no IP object uses it); here it belongs to the child
    assert free["count"] == 128 and free["results"][0]["address"] == "10.50.0.128"
    got = ipam.post(f"{API}/prefixes/{pool['id']}/available-ips", json={"count": 1}).json()
    assert got[0]["address"] == "10.50.0.128" and got[0]["prefix_id"] == pool["id"]
    assert ipam.get(f"{API}/prefixes/{child['id']}/available-ips").json()["count"] == 126


def test_n7_each_vrf_and_the_global_table_are_separate_spaces(ipam: Any, world: dict[str, Any]) -> None:
    vrf = ipam.post(f"{API}/vrfs", json={"name": "VPN-SPACE"}).json()
    # the global 10.10.0.0/16 pool does not contain a VRF's prefix: an allocation there needs the VRF's own pool
    lone = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.7.0/24", vrf_id=vrf["id"]))
    assert lone.status_code == 422 and "not inside any pool or container of this VRF" in lone.json()["detail"]
    ipam.post(f"{API}/prefixes", json={"prefix": "10.10.0.0/16", "kind": "pool", "vrf_id": vrf["id"]})
    in_vrf = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.7.0/24", vrf_id=vrf["id"])).json()
    assert in_vrf["parent_id"] != world["pool"]["id"]
    # the global pool's free space ignores the VRF's allocation
    assert ipam.get(f"{API}/prefixes/{world['pool']['id']}/available-ips").json()["count"] == 65536
    # an address and a range in the VRF are not the global table's
    ipam.post(f"{API}/ip-addresses", json={"address": "10.10.7.1", "vrf_id": vrf["id"]})
    assert ipam.post(f"{API}/ip-addresses", json={"address": "10.10.7.1"}).status_code == 201
    ipam.post(f"{API}/ip-ranges", json={"start_address": "10.10.7.10", "end_address": "10.10.7.20", "vrf_id": vrf["id"]})
    assert ipam.post(f"{API}/ip-ranges", json={"start_address": "10.10.7.10", "end_address": "10.10.7.20"}).status_code == 201
