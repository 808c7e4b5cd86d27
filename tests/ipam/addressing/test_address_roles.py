"""Addresses with their mask as engineers write them, and roles: only shared-role copies repeat (N7)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from shared.db import make_engine

API = "/api/v1/ipam"


def _alloc(world: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"agency_id": world["district"]["id"], "service_id": world["vpn"]["id"], "purpose": "Kết nối VPN", **extra}


def test_n7_address_mask_as_written_or_the_containing_prefix_length(ipam: Any, world: dict[str, Any]) -> None:
    ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.2.0/24"))
    written = ipam.post(f"{API}/ip-addresses", json={"address": "10.10.2.5/25"}).json()
    assert (written["address"], written["mask_length"], written["address_with_mask"]) == ("10.10.2.5", 25, "10.10.2.5/25")
    default = ipam.post(f"{API}/ip-addresses", json={"address": "10.10.2.6"}).json()
    assert default["address_with_mask"] == "10.10.2.6/24"
    outside = ipam.post(f"{API}/ip-addresses", json={"address": "192.0.2.1"}).json()
    assert outside["mask_length"] == 32
    v6 = ipam.post(f"{API}/ip-addresses", json={"address": "2001:db8:100::5"}).json()
    assert v6["address_with_mask"] == "2001:db8:100::5/48"
    for bad in ("10.10.2.7/33", "10.10.2.7/0", "10.10.2.7/x", "10.10.2.7/"):
        r = ipam.post(f"{API}/ip-addresses", json={"address": bad})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "address", bad
    assigned = ipam.post(f"{API}/prefixes/{world['pool']['id']}/available-ips", json={"count": 1}).json()[0]
    assert assigned["mask_length"] == 16
    patched = ipam.patch(f"{API}/ip-addresses/{default['id']}", json={"mask_length": 30}).json()
    assert patched["address_with_mask"] == "10.10.2.6/30"
    assert ipam.patch(f"{API}/ip-addresses/{v6['id']}", json={"mask_length": 129}).status_code == 422
    assert ipam.patch(f"{API}/ip-addresses/{outside['id']}", json={"mask_length": 64}).status_code == 422


def test_n7_only_addresses_whose_every_copy_has_a_shared_role_repeat(ipam: Any, world: dict[str, Any]) -> None:
    ipam.post(f"{API}/prefixes", json=_alloc(world, prefix="10.10.3.0/24"))
    gw1 = ipam.post(f"{API}/ip-addresses", json={"address": "10.10.3.1/24", "role": "vrrp", "assigned_object_id": "r1"})
    gw2 = ipam.post(f"{API}/ip-addresses", json={"address": "10.10.3.1/24", "role": "vrrp", "assigned_object_id": "r2"})
    assert gw1.status_code == 201 and gw2.status_code == 201, gw2.text
    anycast = ipam.post(f"{API}/ip-addresses", json={"address": "10.10.3.1", "role": "anycast"})
    assert anycast.status_code == 201
    plain = ipam.post(f"{API}/ip-addresses", json={"address": "10.10.3.1"})
    assert plain.status_code == 409 and plain.json()["conflicting"]["id"] == gw1.json()["id"]
    loop = ipam.post(f"{API}/ip-addresses", json={"address": "10.10.3.1", "role": "loopback"})
    assert loop.status_code == 409
    # an unshared address takes no shared copy beside it
    ipam.post(f"{API}/ip-addresses", json={"address": "10.10.3.9", "role": "secondary"})
    assert ipam.post(f"{API}/ip-addresses", json={"address": "10.10.3.9", "role": "vip"}).status_code == 409
    # a copy cannot become unshared while others exist; it can change to another shared role
    assert ipam.patch(f"{API}/ip-addresses/{gw2.json()['id']}", json={"role": None}).status_code == 409
    assert ipam.patch(f"{API}/ip-addresses/{gw2.json()['id']}", json={"role": "hsrp"}).json()["role"] == "hsrp"
    assert ipam.post(f"{API}/ip-addresses", json={"address": "10.10.3.2", "role": "gateway"}).status_code == 422
    # a shared address counts once toward utilisation and free space
    page = ipam.get(f"{API}/prefixes/{gw1.json()['prefix_id']}/available-ips").json()
    assert page["count"] == 254 - 2
    looked = ipam.get(f"{API}/lookup", params={"address": "10.10.3.1"}).json()
    assert looked["ip_address"]["id"] == gw1.json()["id"]


def test_n7_the_database_refuses_an_unshared_copy_of_an_address(ipam: Any, world: dict[str, Any], db_url: str) -> None:
    ipam.post(f"{API}/ip-addresses", json={"address": "10.10.4.1", "role": "vip"})
    ipam.post(f"{API}/ip-addresses", json={"address": "10.10.4.2"})
    engine = make_engine(db_url, pool_size=1)
    insert = (
        "INSERT INTO ip_address (address, vrf_key, family, value_hex, mask_length, role, shared, status, dns_name, description, "
        "created_at, updated_at) VALUES (:a, 0, 4, :h, 16, :role, :shared, 'active', '', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    vip_hex, plain_hex = f"{0x0A0A0401:032x}", f"{0x0A0A0402:032x}"
    try:
        for params in (
            {"a": "10.10.4.1", "h": vip_hex, "role": None, "shared": False},  # unshared beside a shared copy (PostgreSQL: exclusion)
            {"a": "10.10.4.2", "h": plain_hex, "role": None, "shared": False},  # a second unshared copy
            {"a": "10.10.4.2", "h": plain_hex, "role": "vip", "shared": False},  # role and flag disagree (CHECK)
        ):
            if params["h"] == vip_hex and engine.dialect.name == "sqlite":
                continue  # SQLite holds that one rule in the serialised write transaction only
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(text(insert), params)
        with engine.begin() as conn:
            conn.execute(text(insert), {"a": "10.10.4.1", "h": vip_hex, "role": "carp", "shared": True})
    finally:
        engine.dispose()
