"""Art. 6.2, N14, N7: notices, out-of-range readings and decommissioning on the real broker; IPAM releases the address."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer

from shared.events import CloudEvent
from tests.devices.inventory.test_n13_inventory_api import API, SITE
from tests.support import wait_until

IPAM = "/api/v1/ipam"
ORG = "org-events"


async def _device_events(bootstrap: str) -> list[CloudEvent]:
    consumer = AIOKafkaConsumer("govnet.devices.events", bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=1500, max_records=100_000)
        return [CloudEvent.from_bytes(r.value) for records in batches.values() for r in records if r.value]
    finally:
        await consumer.stop()


def test_n14_notice_reading_and_decommission_reach_the_broker_and_ipam_releases(
    devices: Any, make_client: Any, keys: Any, broker: Any, tmp_path: Path
) -> None:
    client = devices(broker=broker)
    writer = keys.headers("devices:read devices:write", org=ORG)
    agent = keys.headers("devices:report", org=ORG)
    site = client.post(f"{API}/sites", json=SITE, headers=writer).json()
    dev = client.post(f"{API}/devices", json={"site_id": site["id"], "name": "R1", "role": "terminal_router",
                                              "management_address": "10.71.1.1", "status": "active"}, headers=writer).json()
    device_id = str(dev["id"])

    ipam = make_client("ipam", f"sqlite:///{tmp_path / 'ipam.db'}", broker=broker)
    ipam.headers.update(keys.headers("ipam:read ipam:write ipam:admin"))
    agency = ipam.post(f"{IPAM}/agencies", json={"code": "STP", "name": "Sở Tư pháp", "level": "province"}).json()
    vpn = ipam.post(f"{IPAM}/network-services", json={"code": "VPN", "name": "VPN"}).json()
    ipam.post(f"{IPAM}/prefixes", json={"prefix": "10.71.0.0/16", "kind": "pool"})
    alloc = ipam.post(f"{IPAM}/prefixes", json={"prefix": "10.71.1.0/24", "kind": "allocation", "agency_id": agency["id"],
                                                 "service_id": vpn["id"], "purpose": "VPN"}).json()
    made = ipam.post(f"{IPAM}/prefixes/{alloc['id']}/available-ips",
                     json={"count": 1, "assigned_object_type": "device", "assigned_object_id": device_id})
    assert made.status_code == 201, made.text

    marker = f"Mất điện tòa nhà {uuid.uuid4().hex}"
    notice = client.post(f"{API}/devices/{dev['id']}/notifications",
                         json={"kind": "power", "text": marker, "at": "2026-12-02T08:00:00+07:00"}, headers=writer)
    assert notice.status_code == 201 and notice.json()["created_by"]
    ok = client.post(f"{API}/devices/{dev['id']}/readings", json={"at": "2026-12-02T08:05:00+07:00", "temperature_c": 23.0,
                                                                   "humidity_pct": 50.0, "ups_on_mains": True}, headers=agent)
    hot = client.post(f"{API}/devices/{dev['id']}/readings", json={"at": "2026-12-02T08:10:00+07:00", "temperature_c": 27.5,
                                                                    "humidity_pct": 50.0, "ups_on_mains": False}, headers=agent)
    assert ok.status_code == hot.status_code == 201 and ok.json()["out_of_range"] == []
    assert hot.json()["out_of_range"] == ["temperature", "ups_on_battery"]
    assert client.post(f"{API}/devices/{dev['id']}/readings", json={"at": "2026-12-02T08:10:00+07:00"},
                       headers=writer).status_code == 403  # readings come from an agent
    assert client.post(f"{API}/devices/{dev['id']}/readings", json={"at": "2026-12-02T08:10:00"},
                       headers=agent).status_code == 422  # no time zone
    compliance = client.get(f"{API}/devices/{dev['id']}/compliance", headers=writer).json()
    assert {c["code"]: c["outcome"] for c in compliance["checks"]}["temperature"] == "fail"  # the latest reading

    assert client.patch(f"{API}/devices/{dev['id']}", json={"status": "decommissioned"}, headers=writer).status_code == 200
    assert client.patch(f"{API}/devices/{dev['id']}", json={"status": "active"}, headers=writer).status_code == 409

    def published() -> dict[str, CloudEvent]:
        mine = [e for e in asyncio.run(_device_events(broker.bootstrap)) if e.subject == device_id]
        by_type = {e.type: e for e in mine if e.type != "govnet.devices.device.affected.v1" or e.data["text"] == marker}
        wanted = {"govnet.devices.device.affected.v1", "govnet.devices.environment.out_of_range.v1",
                  "govnet.devices.device.decommissioned.v1"}
        return by_type if wanted <= by_type.keys() else {}

    events = wait_until(published, timeout=30, interval=0.5)
    assert events["govnet.devices.device.affected.v1"].data["kind"] == "power"
    assert events["govnet.devices.environment.out_of_range.v1"].data["out_of_range"] == ["temperature", "ups_on_battery"]
    gone = events["govnet.devices.device.decommissioned.v1"]
    assert gone.data["device_id"] == device_id and gone.data["management_address"] == "10.71.1.1"
    assert all(e.source == "/govnet/devices" for e in events.values())

    def released() -> bool:
        page = ipam.get(f"{IPAM}/ip-addresses", params={"assigned_object_type": "device", "assigned_object_id": device_id}).json()
        return bool(page["count"] == 0)

    assert wait_until(released, timeout=30, interval=0.5)
