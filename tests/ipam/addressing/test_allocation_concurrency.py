"""N7 under concurrency: the database, not only Python, keeps allocations apart and addresses single-owned."""

from __future__ import annotations

import ipaddress
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from services.ipam.addressing import netmath

API = "/api/v1/ipam"


def test_n7_100_concurrent_allocations_no_overlap_no_duplicate(ipam: Any, world: dict[str, Any]) -> None:
    owner = {"agency_id": world["district"]["id"], "service_id": world["vpn"]["id"], "purpose": "Kết nối VPN"}
    pool = ipam.post(f"{API}/prefixes", json={"prefix": "10.50.0.0/22", "kind": "pool"}).json()
    hosts = ipam.post(f"{API}/prefixes", json={"prefix": "10.60.0.0/25", "kind": "pool"}).json()

    def allocate(i: int) -> Any:
        if i % 2:
            return ipam.post(f"{API}/prefixes/{pool['id']}/available-prefixes", json={**owner, "prefix_length": 28})
        return ipam.post(f"{API}/prefixes/{hosts['id']}/available-ips", json={"count": 1, "assigned_object_type": "device", "assigned_object_id": str(i)})

    with ThreadPoolExecutor(max_workers=25) as executor:
        responses = list(executor.map(allocate, range(100)))
    assert sorted({r.status_code for r in responses}) == [201], [r.text for r in responses if r.status_code != 201][:3]
    nets = [ipaddress.IPv4Network(r.json()["prefix"]) for r in responses[1::2]]
    addrs = [r.json()[0]["address"] for r in responses[0::2]]
    assert len(nets) == 50 and len(addrs) == 50
    assert len(set(addrs)) == 50
    ordered = sorted(nets)
    assert all(not a.overlaps(b) for a, b in zip(ordered, ordered[1:], strict=False))
    assert all(n.subnet_of(ipaddress.IPv4Network("10.50.0.0/22")) for n in nets)
    listed = ipam.get(f"{API}/prefixes", params={"parent_id": pool["id"], "limit": 1000}).json()
    assert listed["count"] == 50
    assert ipam.get(f"{API}/ip-addresses", params={"prefix_id": hosts["id"]}).json()["count"] == 50
    # pools count all addresses: 50 of 128 used
    assert ipam.get(f"{API}/prefixes/{hosts['id']}").json()["utilization"] == 100 * 50 / 128


def test_n7_concurrent_same_allocation_only_one_wins(ipam: Any, world: dict[str, Any]) -> None:
    owner = {"agency_id": world["district"]["id"], "service_id": world["vpn"]["id"], "purpose": "Kết nối VPN"}
    body = {**owner, "prefix": "10.10.99.0/24", "kind": "allocation"}
    with ThreadPoolExecutor(max_workers=10) as executor:
        responses = list(executor.map(lambda _: ipam.post(f"{API}/prefixes", json=body), range(20)))
    codes = sorted(r.status_code for r in responses)
    assert codes.count(201) == 1
    assert set(codes) <= {201, 409, 422}
    loser = next(r for r in responses if r.status_code != 201)
    assert "10.10.99.0/24" in loser.json()["detail"]


def test_n7_database_itself_rejects_overlap(ipam: Any, world: dict[str, Any], db_url: str) -> None:
    """Bypass the service: the constraints hold for any writer (PG exclusion; unique address on both)."""
    owner = {"agency_id": world["district"]["id"], "service_id": world["vpn"]["id"], "purpose": "x"}
    a = ipam.post(f"{API}/prefixes", json={**owner, "prefix": "10.10.16.0/24", "kind": "allocation"}).json()
    ipam.post(f"{API}/ip-addresses", json={"address": "10.10.16.9"})
    engine = create_engine(db_url)
    net = netmath.parse_prefix("10.10.16.128/25")
    try:
        with engine.begin() as conn, pytest.raises(IntegrityError):
            conn.execute(
                text(
                    "INSERT INTO ip_address (address, vrf_key, family, value_hex, status, dns_name, description, created_at, updated_at) "
                    "VALUES ('10.10.16.9', 0, 4, :v, 'active', '', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"v": netmath.to_hex(int(ipaddress.ip_address("10.10.16.9")))},
            )
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn, pytest.raises(IntegrityError, match="ex_prefix_allocation_overlap"):
                conn.execute(
                    text(
                        "INSERT INTO prefix (prefix, vrf_key, family, prefix_length, first_hex, last_hex, size, kind, status, purpose, description, created_at, updated_at) "
                        "VALUES (:p, 0, 4, 25, :f, :l, 128, 'allocation', 'active', 'x', '', now(), now())"
                    ),
                    {"p": net.cidr, "f": net.first_hex, "l": net.last_hex},
                )
    finally:
        engine.dispose()
    assert a["prefix"] == "10.10.16.0/24"
