"""Events reach the real broker through the outbox."""

from __future__ import annotations

import asyncio
import json
from datetime import date

from aiokafka import AIOKafkaConsumer

from services.ngo_registry.rules import add_months
from tests.conftest import wait_until
from tests.ngo_registry.helpers import ADMIN, BASE, create, simple


async def _read(bootstrap: str, wanted: set[str], wait_seconds: float = 25.0) -> dict[str, dict]:
    consumer = AIOKafkaConsumer("govnet.ngo.events", bootstrap_servers=bootstrap, auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    seen: dict[str, dict] = {}
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_seconds
        while not wanted <= set(seen) and loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                for msg in messages:
                    event = json.loads(msg.value)
                    seen.setdefault(event["type"], event)
    finally:
        await consumer.stop()
    return seen


def test_events_created_updated_and_congress_overdue_arrive_on_the_broker(db_url, make_client, keys, broker) -> None:
    client = make_client("ngo_registry", db_url, broker=broker)
    overdue = [{"kind": "nhiem_ky", "held_on": add_months(date.today(), -80).isoformat(), "term_years": 5}]
    rec = create(client, keys, simple("Hội Sinh vật cảnh Việt Nam", congresses=overdue))
    client.patch(f"{BASE}/associations/{rec['id']}", json={"office_phone": "0243"}, headers=keys.headers(ADMIN))
    scan = client.post(f"{BASE}/reports/congress-scan", headers=keys.headers(ADMIN)).json()
    assert scan["emitted"] == 1
    assert client.post(f"{BASE}/reports/congress-scan", headers=keys.headers(ADMIN)).json()["emitted"] == 0  # once per level
    wanted = {"govnet.ngo.association.created.v1", "govnet.ngo.association.updated.v1", "govnet.ngo.congress.overdue.v1"}
    wait_until(lambda: client.get("/readyz").json()["checks"].get("outbox_backlog") == 0, timeout=20)
    seen = asyncio.run(_read(broker.bootstrap, wanted))
    assert wanted <= set(seen)
    assert seen["govnet.ngo.congress.overdue.v1"]["data"]["level"] == 3
    assert seen["govnet.ngo.association.created.v1"]["source"] == "/govnet/ngo"
