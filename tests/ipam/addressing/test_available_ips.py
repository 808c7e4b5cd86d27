"""available-ips pages with offset and reports how many are free; utilisation is unrounded (N7)."""

from __future__ import annotations

from typing import Any

API = "/api/v1/ipam"


def _alloc(world: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"agency_id": world["district"]["id"], "service_id": world["vpn"]["id"], "purpose": "Kết nối VPN", **extra}


def test_n7_available_ips_pages_a_16_with_offset_and_total_count(ipam: Any, world: dict[str, Any]) -> None:
    pool = world["pool"]  # 10.10.0.0/16, a pool: every address is usable
    ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.0.0/24"))
    ipam.post(f"{API}/ip-addresses", json={"address": "10.10.1.3"})
    first = ipam.get(f"{API}/prefixes/{pool['id']}/available-ips", params={"limit": 2}).json()
    assert first["count"] == 65536 - 256 - 1
    assert [a["address"] for a in first["results"]] == ["10.10.1.0", "10.10.1.1"]
    assert first["previous"] is None and "offset=2" in first["next"]
    third = ipam.get(f"{API}/prefixes/{pool['id']}/available-ips", params={"limit": 2, "offset": 2}).json()
    assert [a["address"] for a in third["results"]] == ["10.10.1.2", "10.10.1.4"]
    deep = ipam.get(f"{API}/prefixes/{pool['id']}/available-ips", params={"limit": 5, "offset": first["count"] - 2}).json()
    assert [a["address"] for a in deep["results"]] == ["10.10.255.254", "10.10.255.255"] and deep["next"] is None


def test_n7_available_ips_count_excludes_network_and_broadcast_outside_pools(ipam: Any, world: dict[str, Any]) -> None:
    alloc = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.8.0/24")).json()
    ipam.post(f"{API}/prefixes/{alloc['id']}/available-ips", json={"count": 3})
    page = ipam.get(f"{API}/prefixes/{alloc['id']}/available-ips").json()
    assert page["count"] == 254 - 3 and page["results"][0]["address"] == "10.10.8.4"


def test_n7_utilisation_is_returned_unrounded(ipam: Any, world: dict[str, Any]) -> None:
    alloc = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.9.0/24")).json()
    ipam.post(f"{API}/prefixes/{alloc['id']}/available-ips", json={"count": 1})
    assert ipam.get(f"{API}/prefixes/{alloc['id']}").json()["utilization"] == 100 / 254
    roll = ipam.get(f"{API}/utilization").json()["results"]
    assert any(r["utilization"] == 100 / 256 for r in roll)
