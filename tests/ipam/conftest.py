"""Fixtures of the ipam tests: a migrated client and a small catalogue."""

from __future__ import annotations

from typing import Any

import pytest

READ = "ipam:read"
WRITE = "ipam:read ipam:write"
#: the department's operator: ipam:admin sees and changes every agency's space (object-level rule, issue 9)
DEPARTMENT = "ipam:read ipam:write ipam:admin"


@pytest.fixture
def ipam(db_url: str, make_client: Any, keys: Any) -> Any:
    client = make_client("ipam", db_url)
    client.headers.update(keys.headers(DEPARTMENT, sub="user:operator"))
    return client


@pytest.fixture
def world(ipam: Any) -> dict[str, Any]:
    """A province, a district agency, a service, and an IPv4 and an IPv6 pool."""
    province = ipam.post("/api/v1/ipam/agencies", json={"code": "AG", "name": "Tỉnh An Giang", "level": "province"}).json()
    district = ipam.post(
        "/api/v1/ipam/agencies",
        json={"code": "AG-LX", "name": "UBND thành phố Long Xuyên", "level": "district", "parent_id": province["id"]},
    ).json()
    other = ipam.post(
        "/api/v1/ipam/agencies",
        json={"code": "AG-CD", "name": "UBND thành phố Châu Đốc", "level": "district", "parent_id": province["id"]},
    ).json()
    vpn = ipam.post("/api/v1/ipam/network-services", json={"code": "VPN", "name": "Mạng riêng ảo (VPN)"}).json()
    mail = ipam.post("/api/v1/ipam/applications", json={"code": "MAIL", "name": "Thư điện tử công vụ"}).json()
    pool = ipam.post("/api/v1/ipam/prefixes", json={"prefix": "10.10.0.0/16", "kind": "pool", "description": "Pool"}).json()
    pool6 = ipam.post("/api/v1/ipam/prefixes", json={"prefix": "2001:db8:100::/48", "kind": "pool"}).json()
    return {"province": province, "district": district, "other": other, "vpn": vpn, "mail": mail, "pool": pool, "pool6": pool6}
