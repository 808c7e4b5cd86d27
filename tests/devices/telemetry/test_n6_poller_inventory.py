"""N4/N6: ``govnet poller``'s cycle over the inventory: credentials from the API, discovery, uplink samples."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import select

from services.devices.telemetry.models import TelemetrySample
from services.devices.telemetry.process import serve
from shared.db import Database
from tests.devices.conftest import DevicesClient
from tests.devices.telemetry.snmpd import Agent
from tests.devices.telemetry.test_n6_poller_snmpd import send_over_loopback
from tests.support import service_settings

API = "/api/v1/devices"
MOVED = 2 * 1024 * 1024


def test_n6_poller_process_polls_the_inventory(
    db_url: str, devices: DevicesClient, keys: Any, snmpd: Agent
) -> None:
    key = Fernet.generate_key().decode()
    client = devices(credentials_key=key)
    h = keys.headers("devices:read devices:write devices:admin")
    site = client.post(
        f"{API}/sites",
        json={"agency_id": 1, "name": "Trung tâm THDL tỉnh", "room_type": "phong_may"},
        headers=h,
    ).json()
    device = client.post(
        f"{API}/devices",
        json={
            "site_id": site["id"],
            "name": "router-thdl",
            "role": "terminal_router",
            "status": "active",
            "management_address": "127.0.0.1",
            "snmp_v3": True,
        },
        headers=h,
    ).json()
    creds = {"version": "v3", "user": snmpd.user, "auth_key": snmpd.auth_key, "priv_key": snmpd.priv_key}
    assert client.put(f"{API}/devices/{device['id']}/credentials", json=creds, headers=h).status_code == 200
    settings = service_settings(
        "devices", db_url, credentials_key=key, poller_port=snmpd.port, poller_timeout=1.0
    )

    asyncio.run(serve(settings, once=True))  # discovery: the interface table lands in the inventory
    interfaces = client.get(f"{API}/devices/{device['id']}/interfaces", headers=h).json()["results"]
    lo = next(i for i in interfaces if i["if_name"] == "lo")
    uplink = client.post(
        f"{API}/uplinks", json={"interface_id": lo["id"], "provider": "VNPT", "route_id": "A"}, headers=h
    ).json()

    asyncio.run(serve(settings, once=True))
    send_over_loopback(MOVED)
    time.sleep(5.5)  # snmpd's interface cache
    asyncio.run(serve(settings, once=True))

    db = Database(db_url, pool_size=1)
    try:
        with db.transaction(write=False) as session:
            samples = session.scalars(
                select(TelemetrySample).where(TelemetrySample.link_id == uplink["id"])
            ).all()  # type: ignore[arg-type]
    finally:
        db.engine.dispose()
    # the short interval right after discovery may be void: lo says 10 Mb/s, and anything else
    # on loopback in 0.1 s can exceed that; the interval with the traffic is the one that counts
    last = max(s.ts for s in samples)
    assert sorted(s.direction for s in samples if s.ts == last) == [0, 1]
    assert all(s.octets >= MOVED for s in samples if s.ts == last)


def test_n10_device_without_credentials_is_not_polled(
    db_url: str, devices: DevicesClient, keys: Any, snmpd: Agent
) -> None:
    key = Fernet.generate_key().decode()
    client = devices(credentials_key=key)
    h = keys.headers("devices:read devices:write devices:admin")
    site = client.post(
        f"{API}/sites", json={"agency_id": 1, "name": "UBND xã", "room_type": "phong_lam_viec"}, headers=h
    ).json()
    client.post(
        f"{API}/devices",
        json={
            "site_id": site["id"],
            "name": "sw",
            "role": "switch",
            "status": "active",
            "management_address": "127.0.0.1",
        },
        headers=h,
    )
    settings = service_settings("devices", db_url, credentials_key=key, poller_port=snmpd.port)
    asyncio.run(serve(settings, once=True))
    db = Database(db_url, pool_size=1)
    try:
        with db.transaction(write=False) as session:
            from services.devices.telemetry.models import DeviceReachability

            assert session.scalars(select(DeviceReachability)).all() == []
    finally:
        db.engine.dispose()
