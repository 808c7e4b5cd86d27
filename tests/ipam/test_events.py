"""Events on the real broker: a decommissioned device's addresses are released, and IPAM says so."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.config import ALL_TOPICS, SuiteSettings
from shared.events import CloudEvent
from shared.events.kafka import ensure_topics
from tests.conftest import wait_until

API = "/api/v1/ipam"


async def _publish(bootstrap: str, event: CloudEvent) -> None:
    await ensure_topics(SuiteSettings(kafka_bootstrap=bootstrap), ALL_TOPICS)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait("govnet.devices.events", value=event.to_bytes(), key=event.subject.encode())
    finally:
        await producer.stop()


async def _read_ipam_events(bootstrap: str) -> list[CloudEvent]:
    consumer = AIOKafkaConsumer("govnet.ipam.events", bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=1500, max_records=100_000)
        return [CloudEvent.from_bytes(r.value) for records in batches.values() for r in records if r.value]
    finally:
        await consumer.stop()


def test_n7_device_decommissioned_releases_its_addresses(db_url: str, make_client: Any, keys: Any, broker: Any) -> None:
    client = make_client("ipam", db_url, broker=broker)
    client.headers.update(keys.headers("ipam:read ipam:write ipam:admin"))  # the department: all agencies
    agency = client.post(f"{API}/agencies", json={"code": "AG", "name": "Tỉnh An Giang", "level": "province"}).json()
    vpn = client.post(f"{API}/network-services", json={"code": "VPN", "name": "VPN"}).json()
    client.post(f"{API}/prefixes", json={"prefix": "10.70.0.0/16", "kind": "pool"})
    alloc = client.post(f"{API}/prefixes", json={"prefix": "10.70.1.0/24", "kind": "allocation", "agency_id": agency["id"], "service_id": vpn["id"], "purpose": "VPN"}).json()
    device_id = uuid.uuid4().hex
    mine = client.post(f"{API}/prefixes/{alloc['id']}/available-ips", json={"count": 2, "assigned_object_type": "device", "assigned_object_id": device_id}).json()
    other = client.post(f"{API}/prefixes/{alloc['id']}/available-ips", json={"count": 1, "assigned_object_type": "device", "assigned_object_id": "someone-else"}).json()

    event = CloudEvent(source="/govnet/devices", type="govnet.devices.device.decommissioned.v1", subject=device_id, data={"device_id": device_id})
    asyncio.run(_publish(broker.bootstrap, event))

    def released() -> bool:
        page = client.get(f"{API}/ip-addresses", params={"assigned_object_type": "device", "assigned_object_id": device_id}).json()
        return page["count"] == 0

    wait_until(released, timeout=30)
    assert client.get(f"{API}/ip-addresses/{other[0]['id']}").status_code == 200
    changes = client.get(f"{API}/changes", params={"object_type": "ip_address", "actor": "event:/govnet/devices"}).json()
    assert changes["count"] == 2 and {c["request_id"] for c in changes["results"]} == {event.id}

    ids = {a["id"] for a in mine}

    def emitted() -> list[CloudEvent]:
        events = asyncio.run(_read_ipam_events(broker.bootstrap))
        got = [e for e in events if e.type == "govnet.ipam.address.released.v1" and e.data.get("assigned_object_id") == device_id]
        return got if {e.data["address_id"] for e in got} == ids else []

    released_events = wait_until(emitted, timeout=30, interval=0.5)
    assert {e.subject for e in released_events} == {str(i) for i in ids}
    events = asyncio.run(_read_ipam_events(broker.bootstrap))
    assert any(e.type == "govnet.ipam.prefix.allocated.v1" and e.data["prefix"] == "10.70.1.0/24" and e.data["agency_id"] == agency["id"] for e in events)
    assert all(e.source == "/govnet/ipam" for e in events if e.type.startswith("govnet.ipam."))
