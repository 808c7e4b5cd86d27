"""IP ranges: never overlapping in a VRF, populated ranges consume their addresses, utilised ranges
count as used (NetBox 4.3+), object-level authorisation as for prefixes (N7)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from shared.db import make_engine

API = "/api/v1/ipam"


def _alloc(world: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"agency_id": world["district"]["id"], "service_id": world["vpn"]["id"], "purpose": "Kết nối VPN", **extra}


def test_n7_ip_range_crud_mask_and_holding_prefix(ipam: Any, world: dict[str, Any]) -> None:
    alloc = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.20.0/24")).json()
    made = ipam.post(f"{API}/ip-ranges", json={"start_address": "10.10.20.100", "end_address": "10.10.20.199", "description": "DHCP"})
    assert made.status_code == 201, made.text
    r = made.json()
    assert (r["prefix_id"], r["mask_length"], r["size"], r["status"]) == (alloc["id"], 24, 100, "active")
    assert not r["mark_populated"] and not r["mark_utilized"] and r["utilization"] == 0
    listed = ipam.get(f"{API}/ip-ranges", params={"prefix_id": alloc["id"]}).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == r["id"]
    patched = ipam.patch(f"{API}/ip-ranges/{r['id']}", json={"mark_utilized": True, "status": "reserved"}).json()
    assert patched["utilization"] == 100.0 and patched["status"] == "reserved"
    for bad in (
        {"start_address": "10.10.20.9/24", "end_address": "10.10.20.1/24"},
        {"start_address": "10.10.20.1/24", "end_address": "10.10.20.9/25"},
        {"start_address": "10.10.20.1", "end_address": "2001:db8::1"},
        {"start_address": "10.10.20.1", "end_address": "10.10.20.2", "mark_populated": "true"},
    ):
        assert ipam.post(f"{API}/ip-ranges", json=bad).status_code == 422, bad
    masked = ipam.post(f"{API}/ip-ranges", json={"start_address": "10.10.21.1/26", "end_address": "10.10.21.20/26"}).json()
    assert masked["mask_length"] == 26 and masked["prefix_id"] == world["pool"]["id"]
    # a prefix created around a range takes it; released, the range goes back to the parent
    inner = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.21.0/26")).json()
    assert ipam.get(f"{API}/ip-ranges/{masked['id']}").json()["prefix_id"] == inner["id"]
    assert ipam.delete(f"{API}/prefixes/{inner['id']}").status_code == 204
    assert ipam.get(f"{API}/ip-ranges/{masked['id']}").json()["prefix_id"] == world["pool"]["id"]
    assert ipam.delete(f"{API}/ip-ranges/{r['id']}").status_code == 204
    assert ipam.get(f"{API}/ip-ranges/{r['id']}").status_code == 404
    changes = ipam.get(f"{API}/changes", params={"object_type": "ip_range"}).json()["results"]
    assert {c["action"] for c in changes} >= {"create", "update", "delete"}


def test_n7_ip_range_never_overlaps_another_range_in_its_vrf(ipam: Any, world: dict[str, Any]) -> None:
    first = ipam.post(f"{API}/ip-ranges", json={"start_address": "10.10.30.10", "end_address": "10.10.30.20"}).json()
    for start, end in (("10.10.30.20", "10.10.30.30"), ("10.10.30.1", "10.10.30.10"), ("10.10.30.12", "10.10.30.13"), ("10.10.30.0", "10.10.30.255")):
        r = ipam.post(f"{API}/ip-ranges", json={"start_address": start, "end_address": end})
        assert r.status_code == 409, (start, end, r.text)
        assert r.json()["conflicting"]["id"] == first["id"]
    assert ipam.post(f"{API}/ip-ranges", json={"start_address": "10.10.30.21", "end_address": "10.10.30.30"}).status_code == 201
    vrf = ipam.post(f"{API}/vrfs", json={"name": "DHCP-VRF"}).json()
    other = ipam.post(f"{API}/ip-ranges", json={"start_address": "10.10.30.10", "end_address": "10.10.30.20", "vrf_id": vrf["id"]})
    assert other.status_code == 201  # another VRF is another space


@pytest.mark.postgres_only  # SQLite serialises writers (BEGIN IMMEDIATE); the check runs in that transaction
def test_n7_ip_range_overlap_refused_by_the_database(ipam: Any, world: dict[str, Any], db_url: str) -> None:
    ipam.post(f"{API}/ip-ranges", json={"start_address": "10.10.31.10", "end_address": "10.10.31.20"})
    engine = make_engine(db_url, pool_size=1)
    assert engine.dialect.name == "postgresql"
    try:
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO ip_range (start_address, end_address, vrf_key, family, start_hex, end_hex, mask_length, size, status, "
                "description, mark_populated, mark_utilized, created_at, updated_at) VALUES ('10.10.31.15', '10.10.31.30', 0, 4, "
                ":s, :e, 16, 16, 'active', '', false, false, now(), now())"
            ), {"s": f"{0x0A0A1F0F:032x}", "e": f"{0x0A0A1F1E:032x}"})
    finally:
        engine.dispose()


def test_n7_populated_range_consumes_its_addresses_and_utilised_range_counts_as_used(ipam: Any, world: dict[str, Any]) -> None:
    alloc = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.40.0/28")).json()  # usable .1-.14
    dhcp = ipam.post(f"{API}/ip-ranges", json={"start_address": "10.10.40.2", "end_address": "10.10.40.5", "mark_populated": True}).json()
    ipam.post(f"{API}/ip-addresses", json={"address": "10.10.40.3"})  # inside the range: counted once
    page = ipam.get(f"{API}/prefixes/{alloc['id']}/available-ips").json()
    assert [a["address"] for a in page["results"]][:3] == ["10.10.40.1", "10.10.40.6", "10.10.40.7"]
    assert page["count"] == 14 - 4
    got = ipam.post(f"{API}/prefixes/{alloc['id']}/available-ips", json={"count": 2}).json()
    assert [a["address"] for a in got] == ["10.10.40.1", "10.10.40.6"]
    # populated alone does not count toward utilisation; utilised does (the address inside counted once)
    assert ipam.get(f"{API}/prefixes/{alloc['id']}").json()["utilization"] == 100 * 3 / 14
    ipam.patch(f"{API}/ip-ranges/{dhcp['id']}", json={"mark_utilized": True})
    assert ipam.get(f"{API}/prefixes/{alloc['id']}").json()["utilization"] == 100 * (2 + 4) / 14
    assert ipam.get(f"{API}/ip-ranges/{dhcp['id']}").json()["utilization"] == 100.0
    # fill everything below the range's end, so the next-free hint moves above the range
    assert len(ipam.post(f"{API}/prefixes/{alloc['id']}/available-ips", json={"count": 8}).json()) == 8
    assert ipam.get(f"{API}/prefixes/{alloc['id']}/available-ips").json()["count"] == 0
    ipam.patch(f"{API}/ip-ranges/{dhcp['id']}", json={"mark_utilized": False, "mark_populated": False})
    assert ipam.get(f"{API}/ip-ranges/{dhcp['id']}").json()["utilization"] == 100 * 1 / 4
    freed = ipam.get(f"{API}/prefixes/{alloc['id']}/available-ips").json()
    assert freed["count"] == 3 and [a["address"] for a in freed["results"]] == ["10.10.40.2", "10.10.40.4", "10.10.40.5"]
    ipam.patch(f"{API}/ip-ranges/{dhcp['id']}", json={"mark_populated": True})
    assert ipam.delete(f"{API}/ip-ranges/{dhcp['id']}").status_code == 204
    assert [a["address"] for a in ipam.get(f"{API}/prefixes/{alloc['id']}/available-ips").json()["results"]] == ["10.10.40.2", "10.10.40.4", "10.10.40.5"]


def test_n7_ip_ranges_follow_the_object_level_rule(ipam: Any, world: dict[str, Any], keys: Any) -> None:
    ipam.patch(f"{API}/agencies/{world['district']['id']}", json={"org_id": "org-lx"})
    mine = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.50.0/24")).json()
    theirs = ipam.post(f"{API}/ip-ranges", json={"start_address": "10.10.60.1", "end_address": "10.10.60.9"}).json()
    h = keys.headers("ipam:read ipam:write", sub="user:lx", org="org-lx")
    made = ipam.post(f"{API}/ip-ranges", json={"start_address": "10.10.50.1", "end_address": "10.10.50.9"}, headers=h)
    assert made.status_code == 201 and made.json()["prefix_id"] == mine["id"]
    outside = ipam.post(f"{API}/ip-ranges", json={"start_address": "10.10.61.1", "end_address": "10.10.61.9"}, headers=h)
    assert outside.status_code == 422
    listed = ipam.get(f"{API}/ip-ranges", headers=h).json()
    assert [r["id"] for r in listed["results"]] == [made.json()["id"]]
    for r in (
        ipam.get(f"{API}/ip-ranges/{theirs['id']}", headers=h),
        ipam.patch(f"{API}/ip-ranges/{theirs['id']}", json={"description": "x"}, headers=h),
        ipam.get(f"{API}/ip-ranges/{theirs['id']}/available-ips", headers=h),
        ipam.post(f"{API}/ip-ranges/{theirs['id']}/available-ips", json={"count": 1}, headers=h),
        ipam.delete(f"{API}/ip-ranges/{theirs['id']}", headers=h),
    ):
        assert r.status_code == 404 and r.json()["detail"].startswith(f"IP range {theirs['id']} does not exist")


def test_n7_concurrent_overlapping_ranges_and_shared_roles_one_winner(ipam: Any, world: dict[str, Any]) -> None:
    def make_range(i: int) -> Any:
        # every request overlaps every other (they all hold 10.10.33.50)
        return ipam.post(f"{API}/ip-ranges", json={"start_address": f"10.10.33.{i}", "end_address": f"10.10.33.{50 + i}"})

    def make_address(i: int) -> Any:
        # half plain, half VRRP copies of one address: either one plain owner, or only VRRP copies
        role = "vrrp" if i % 2 else None
        return ipam.post(f"{API}/ip-addresses", json={"address": "10.10.34.1/24", "role": role, "assigned_object_id": str(i)})

    with ThreadPoolExecutor(max_workers=10) as executor:
        ranges = list(executor.map(make_range, range(20)))
        addresses = list(executor.map(make_address, range(20)))
    assert sorted(r.status_code for r in ranges).count(201) == 1 and {r.status_code for r in ranges} == {201, 409}
    made = [r.json() for r in addresses if r.status_code == 201]
    assert {r.status_code for r in addresses} <= {201, 409}
    roles = {a["role"] for a in made}
    assert (len(made) == 1 and roles == {None}) or roles == {"vrrp"}, made


def test_n7_ip_range_available_ips_page_and_assign_all_or_none(ipam: Any, world: dict[str, Any]) -> None:
    alloc = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.35.0/24")).json()
    pool = ipam.post(f"{API}/ip-ranges", json={"start_address": "10.10.35.10/24", "end_address": "10.10.35.19/24"}).json()
    ipam.post(f"{API}/ip-addresses", json={"address": "10.10.35.11"})
    page = ipam.get(f"{API}/ip-ranges/{pool['id']}/available-ips", params={"limit": 2, "offset": 1}).json()
    assert page["count"] == 9 and [a["address"] for a in page["results"]] == ["10.10.35.12", "10.10.35.13"]
    got = ipam.post(f"{API}/ip-ranges/{pool['id']}/available-ips", json=[{"count": 2, "role": "vip"}, {"dns_name": "h.gov.vn"}])
    assert got.status_code == 201, got.text
    assert [(a["address_with_mask"], a["prefix_id"]) for a in got.json()] == [
        ("10.10.35.10/24", alloc["id"]), ("10.10.35.12/24", alloc["id"]), ("10.10.35.13/24", alloc["id"]),
    ]
    assert ipam.post(f"{API}/ip-ranges/{pool['id']}/available-ips", json={"count": 7}).status_code == 409
    assert ipam.get(f"{API}/ip-ranges/{pool['id']}/available-ips").json()["count"] == 6  # nothing of the refused request kept
    ipam.patch(f"{API}/ip-ranges/{pool['id']}", json={"mark_populated": True})
    assert ipam.get(f"{API}/ip-ranges/{pool['id']}/available-ips").json() == {"count": 0, "next": None, "previous": None, "results": []}
    refused = ipam.post(f"{API}/ip-ranges/{pool['id']}/available-ips", json={"count": 1})
    assert refused.status_code == 409 and "populated" in refused.json()["detail"]
