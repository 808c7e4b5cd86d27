"""N13/N7: a device's management address taken in a real IPAM (uvicorn on a free port) with the caller's token."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from services.devices.inventory.ipam_client import IpamClient, IpamUnavailable
from tests.devices.inventory.test_n13_inventory_api import API, SITE
from tests.support import free_test_port, service_settings

IPAM = "/api/v1/ipam"
BOTH = "devices:read devices:write ipam:read ipam:write ipam:admin"


@pytest.fixture
def ipam_url(keys: Any, tmp_path: Path) -> Iterator[str]:
    """IPAM on its own SQLite file under a real uvicorn on a free loopback port."""
    from services.ipam.app import create_app
    from shared import migrations

    url = f"sqlite:///{tmp_path / 'ipam.db'}"
    migrations.upgrade("ipam", url)
    app = create_app(service_settings("ipam", url, jwks_url=keys.jwks_url, var_dir=tmp_path / "ipam-var"))
    port = free_test_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "ipam did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def test_n13_management_address_assigned_in_ipam_with_the_callers_token(devices: Any, keys: Any, ipam_url: str) -> None:
    headers = keys.headers(BOTH, org="org-a")
    with httpx.Client(base_url=ipam_url, headers=headers) as ipam:
        agency = ipam.post(f"{IPAM}/agencies", json={"code": "STP", "name": "Sở Tư pháp", "level": "province"}).json()
        vpn = ipam.post(f"{IPAM}/network-services", json={"code": "MGMT", "name": "Quản lý"}).json()
        ipam.post(f"{IPAM}/prefixes", json={"prefix": "10.72.0.0/16", "kind": "pool"})
        alloc = ipam.post(f"{IPAM}/prefixes", json={"prefix": "10.72.1.0/30", "kind": "allocation", "agency_id": agency["id"],
                                                     "service_id": vpn["id"], "purpose": "quản lý"}).json()
    client = devices(ipam_url=ipam_url)
    site = client.post(f"{API}/sites", json=SITE, headers=headers).json()
    made = [client.post(f"{API}/devices", json={"site_id": site["id"], "name": f"R{i}", "role": "terminal_router"},
                        headers=headers).json() for i in range(3)]
    first = client.post(f"{API}/devices/{made[0]['id']}/management-address", json={"prefix_id": alloc["id"]}, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["management_address"] == "10.72.1.1"
    given = client.post(f"{API}/devices/{made[1]['id']}/management-address", json={"address": "10.72.1.2"}, headers=headers)
    assert given.status_code == 200 and given.json()["management_address"] == "10.72.1.2"
    # the /30 is full now: IPAM's 409 is passed on, the device keeps no address
    full = client.post(f"{API}/devices/{made[2]['id']}/management-address", json={"prefix_id": alloc["id"]}, headers=headers)
    assert full.status_code == 409 and full.json()["detail"].startswith("IPAM:")
    assert client.get(f"{API}/devices/{made[2]['id']}", headers=headers).json()["management_address"] is None
    with httpx.Client(base_url=ipam_url, headers=headers) as ipam:
        page = ipam.get(f"{IPAM}/ip-addresses", params={"assigned_object_type": "device", "assigned_object_id": str(made[0]["id"])}).json()
    assert [a["address"] for a in page["results"]] == ["10.72.1.1"]
    # a token without IPAM scopes: IPAM refuses, the refusal is passed on (403), never a 5xx
    devices_only = keys.headers("devices:read devices:write", org="org-a")
    refused = client.post(f"{API}/devices/{made[2]['id']}/management-address", json={"address": "10.72.9.9"}, headers=devices_only)
    assert refused.status_code == 403
    both = client.post(f"{API}/devices/{made[2]['id']}/management-address", json={"address": "10.72.1.3", "prefix_id": 1}, headers=headers)
    assert both.status_code == 422


def test_n13_ipam_down_is_a_502_not_a_500() -> None:
    client = IpamClient(f"http://127.0.0.1:{free_test_port()}")
    with pytest.raises(IpamUnavailable) as caught:
        client.assign(address="10.0.0.1", device_id=1, token="t")
    assert caught.value.status == 502
