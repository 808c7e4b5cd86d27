"""Prefixes and addresses: N7 rules, actionable 422s, IPv6, free space, lookup, utilization."""

from __future__ import annotations

import ipaddress
from typing import Any

API = "/api/v1/ipam"


def _alloc(world: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"agency_id": world["district"]["id"], "service_id": world["vpn"]["id"], "purpose": "Kết nối VPN", **extra}


def test_n7_bad_input_is_actionable_422(ipam: Any, world: dict[str, Any]) -> None:
    r = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.1.5/24"))
    assert r.status_code == 422
    assert "did you mean 10.10.1.0/24?" in r.json()["detail"]
    assert r.headers["content-type"] == "application/problem+json"
    r = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.300.0/24"))
    assert r.status_code == 422 and "not a valid CIDR" in r.json()["detail"]
    r = ipam.post(f"{API}/prefixes", json={"prefix": "10.10.1.0/24", "kind": "allocation"})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"agency_id", "service_id", "purpose"}
    r = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.20.0.0/24", parent_id=world["pool"]["id"]))
    assert r.status_code == 422 and "outside its parent 10.10.0.0/16" in r.json()["detail"]
    r = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="192.168.0.0/24"))
    assert r.status_code == 422 and "not inside any pool or container" in r.json()["detail"]


def test_n7_no_overlap_between_agencies(ipam: Any, world: dict[str, Any]) -> None:
    first = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.4.0/22"))
    assert first.status_code == 201, first.text
    other = {"agency_id": world["other"]["id"], "service_id": world["mail"]["id"], "purpose": "Thư điện tử"}
    inside = ipam.post(f"{API}/prefixes", json={"prefix": "10.10.5.0/24", "kind": "allocation", **other})
    assert inside.status_code == 422
    body = inside.json()
    assert "10.10.4.0/22" in body["detail"] and body["conflicting"]["id"] == first.json()["id"]
    around = ipam.post(f"{API}/prefixes", json={"prefix": "10.10.0.0/20", "kind": "allocation", **other})
    assert around.status_code == 422 and "10.10.4.0/22" in around.json()["detail"]
    dup = ipam.post(f"{API}/prefixes", json={"prefix": "10.10.4.0/22", "kind": "allocation", **other})
    assert dup.status_code == 422 and "already exists" in dup.json()["detail"]
    # another VRF is another routing domain: the same space is fine there
    vrf = ipam.post(f"{API}/vrfs", json={"name": "VPN-LX"}).json()
    ipam.post(f"{API}/prefixes", json={"prefix": "10.10.0.0/16", "kind": "pool", "vrf_id": vrf["id"]})
    again = ipam.post(f"{API}/prefixes", json={"prefix": "10.10.4.0/22", "kind": "allocation", "vrf_id": vrf["id"], **other})
    assert again.status_code == 201, again.text


def test_n7_available_prefixes_first_fit_aligned_and_409(ipam: Any, world: dict[str, Any]) -> None:
    pool = ipam.post(f"{API}/prefixes", json={"prefix": "10.30.0.0/22", "kind": "pool"}).json()
    ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.30.0.0/26"))
    free = ipam.get(f"{API}/prefixes/{pool['id']}/available-prefixes").json()
    assert [f["prefix"] for f in free] == ["10.30.0.64/26", "10.30.0.128/25", "10.30.1.0/24", "10.30.2.0/23"]
    got = ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=_alloc(world, prefix_length=24))
    assert got.status_code == 201, got.text
    assert got.json()["prefix"] == "10.30.1.0/24" and got.json()["parent_id"] == pool["id"]
    small = ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=_alloc(world, prefix_length=27)).json()
    assert small["prefix"] == "10.30.0.64/27"
    for expected in ("10.30.2.0/23",):
        assert ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=_alloc(world, prefix_length=23)).json()["prefix"] == expected
    full = ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=_alloc(world, prefix_length=24))
    assert full.status_code == 409 and "no free /24" in full.json()["detail"]
    util = ipam.get(f"{API}/prefixes/{pool['id']}").json()["utilization"]
    assert util == 100 * (64 + 32 + 256 + 512) / 1024
    # releasing gives the space back, first fit finds it again
    ipam.delete(f"{API}/prefixes/{got.json()['id']}")
    assert ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=_alloc(world, prefix_length=24)).json()["prefix"] == "10.30.1.0/24"


def test_n7_ipv6_48_gives_aligned_64s(ipam: Any, world: dict[str, Any]) -> None:
    pool6 = world["pool6"]
    nets = [ipam.post(f"{API}/prefixes/{pool6['id']}/available-prefixes", json=_alloc(world, prefix_length=64)).json() for _ in range(3)]
    assert [n["prefix"] for n in nets] == ["2001:db8:100::/64", "2001:db8:100:1::/64", "2001:db8:100:2::/64"]
    assert nets[0]["family"] == 6
    bad = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="2001:db8:100:5::1/64"))
    assert bad.status_code == 422 and "did you mean 2001:db8:100:5::/64?" in bad.json()["detail"]
    free = ipam.get(f"{API}/prefixes/{pool6['id']}/available-prefixes", params={"limit": 2}).json()
    assert [f["prefix"] for f in free] == ["2001:db8:100:3::/64", "2001:db8:100:4::/62"]
    ips = ipam.post(f"{API}/prefixes/{nets[0]['id']}/available-ips", json={"count": 2}).json()
    assert [a["address"] for a in ips] == ["2001:db8:100::1", "2001:db8:100::2"]
    assert ipam.get(f"{API}/prefixes/{pool6['id']}").json()["utilization"] == 100 * 3 / 65536


def test_n7_addresses_one_owner_available_ips_and_lookup(ipam: Any, world: dict[str, Any]) -> None:
    alloc = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.8.0/29")).json()
    first = ipam.get(f"{API}/prefixes/{alloc['id']}/available-ips", params={"limit": 3}).json()["results"]
    assert [a["address"] for a in first] == ["10.10.8.1", "10.10.8.2", "10.10.8.3"]
    manual = ipam.post(f"{API}/ip-addresses", json={"address": "10.10.8.2", "assigned_object_type": "device", "assigned_object_id": "7"})
    assert manual.status_code == 201 and manual.json()["prefix_id"] == alloc["id"]
    taken = ipam.post(f"{API}/ip-addresses", json={"address": "10.10.8.2/29"})
    assert taken.status_code == 409 and "already has an owner" in taken.json()["detail"]
    got = ipam.post(f"{API}/prefixes/{alloc['id']}/available-ips", json={"count": 5, "dns_name": "gw.angiang.gov.vn"}).json()
    assert [a["address"] for a in got] == ["10.10.8.1", "10.10.8.3", "10.10.8.4", "10.10.8.5", "10.10.8.6"]
    exhausted = ipam.post(f"{API}/prefixes/{alloc['id']}/available-ips", json={"count": 1})
    assert exhausted.status_code == 409
    assert ipam.get(f"{API}/prefixes/{alloc['id']}").json()["utilization"] == 100.0
    found = ipam.get(f"{API}/lookup", params={"address": "10.10.8.2"}).json()
    assert [p["prefix"] for p in found["chain"]] == ["10.10.0.0/16", "10.10.8.0/29"]
    assert found["allocation"]["agency_id"] == world["district"]["id"]
    assert found["ip_address"]["assigned_object_id"] == "7"
    assert ipam.get(f"{API}/lookup", params={"address": "nope"}).status_code == 422
    roll = ipam.get(f"{API}/utilization", params={"group_by": "agency"}).json()["results"]
    row = next(r for r in roll if r["agency_id"] == world["district"]["id"] and r["family"] == 4)
    assert row["used_addresses"] == 6 and row["allocated_addresses"] == 8


def test_containers_nest_and_children_reparent(ipam: Any, world: dict[str, Any]) -> None:
    a = ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.64.0/24")).json()
    assert a["parent_id"] == world["pool"]["id"]
    mid = ipam.post(f"{API}/prefixes", json={"prefix": "10.10.64.0/18", "kind": "container"}).json()
    assert mid["parent_id"] == world["pool"]["id"]
    assert ipam.get(f"{API}/prefixes/{a['id']}").json()["parent_id"] == mid["id"]
    assert ipam.get(f"{API}/prefixes", params={"within": "10.10.0.0/16"}).json()["count"] == 2
    ipam.delete(f"{API}/prefixes/{mid['id']}")
    assert ipam.get(f"{API}/prefixes/{a['id']}").json()["parent_id"] == world["pool"]["id"]
    changes = ipam.get(f"{API}/changes", params={"object_type": "prefix", "object_id": mid["id"]}).json()["results"]
    assert [c["action"] for c in changes] == ["delete", "create"]
    assert changes[0]["before"]["prefix"] == "10.10.64.0/18" and changes[0]["after"] is None
    assert changes[0]["request_id"]


def test_list_pagination_and_cap(ipam: Any, world: dict[str, Any]) -> None:
    pool = world["pool"]
    for _ in range(5):
        ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json=_alloc(world, prefix_length=28))
    page = ipam.get(f"{API}/prefixes", params={"parent_id": pool["id"], "limit": 2}).json()
    assert page["count"] == 5 and len(page["results"]) == 2 and "offset=2" in page["next"]
    nets = [ipaddress.ip_network(p["prefix"]) for p in ipam.get(page["next"]).json()["results"]]
    assert nets == sorted(nets)


def test_filters_naming_no_known_kind_status_or_level_match_nothing(ipam: Any, world: dict[str, Any]) -> None:
    # the columns are StrEnums: a value none of them can hold is an empty list, never a 500
    for path, params in (
        ("prefixes", {"kind": "bogus"}), ("prefixes", {"status": "bogus"}), ("ip-addresses", {"status": "bogus"}),
        ("agencies", {"level": "bogus"}), ("agencies", {"access_level": "III"}),
    ):
        r = ipam.get(f"{API}/{path}", params=params)
        assert r.status_code == 200 and r.json()["count"] == 0, (path, params, r.text)
    assert ipam.get(f"{API}/prefixes", params={"kind": "pool"}).json()["count"] == 2
    assert ipam.get(f"{API}/agencies", params={"level": "district"}).json()["count"] == 2
