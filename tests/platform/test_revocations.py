"""shared/revocations.py: a grant the gateway revokes is refused by every service (G7, G12), also
after a restart (issue 9, item 11)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaProducer

from shared.events import CloudEvent
from tests.support import Broker, SigningKeys, wait_until


def _publish_grant_event(broker: Broker, grant: str, event_type: str) -> None:
    """Publish a gateway grant event (``govnet.gateway.grant.revoked.v1`` / ``...resumed.v1``)."""
    event = CloudEvent(source="/govnet/gateway", type=event_type, subject=grant, data={"grant_id": grant})

    async def go() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait("govnet.gateway.events", event.to_bytes(), key=grant.encode())
        finally:
            await producer.stop()

    asyncio.run(go())


def test_service_refuses_a_grant_revoked_at_the_gateway(db_url: str, broker: Any, keys: SigningKeys, make_client: Any) -> None:
    """G7/G12: a revocation published by the gateway reaches the services over Kafka."""
    client = make_client("ipam", db_url, broker=broker)
    grant = f"grant-{time.time_ns()}"
    headers = keys.headers("ipam:read", grant=grant)
    assert client.get("/api/v1/ipam/agencies", headers=headers).status_code == 200

    _publish_grant_event(broker, grant, "govnet.gateway.grant.revoked.v1")
    wait_until(lambda: client.get("/api/v1/ipam/agencies", headers=headers).status_code == 401, timeout=30)
    _publish_grant_event(broker, grant, "govnet.gateway.grant.resumed.v1")
    wait_until(lambda: client.get("/api/v1/ipam/agencies", headers=headers).status_code == 200, timeout=30)


def test_hardening_11_restarted_service_still_refuses_a_revoked_grant(
    db_url: str, broker: Broker, keys: SigningKeys, make_client: Any
) -> None:
    grant = f"grant-{time.time_ns()}"
    headers = keys.headers("ipam:read", grant=grant)
    client = make_client("ipam", db_url, broker=broker)
    assert client.get("/api/v1/ipam/agencies", headers=headers).status_code == 200

    _publish_grant_event(broker, grant, "govnet.gateway.grant.revoked.v1")
    wait_until(lambda: client.get("/api/v1/ipam/agencies", headers=headers).status_code == 401, timeout=30)
    client.__exit__(None, None, None)

    # a new process on the same database, without the broker: nothing can replay the event
    restarted = make_client("ipam", db_url)
    refused = restarted.get("/api/v1/ipam/agencies", headers=headers)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert restarted.get("/api/v1/ipam/agencies", headers=keys.headers("ipam:read", grant="other")).status_code == 200
