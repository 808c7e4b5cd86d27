"""shared/events: the event backbone on the real broker: outbox through an outage, inbox
de-duplication, the dead-letter queue, atomicity of state change plus event, and the relay's
PostgreSQL leadership (issue 9, item 11)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlmodel import Session

from shared.config import DLQ_TOPIC
from shared.db import Database
from shared.events import CloudEvent
from shared.events.relay import OutboxRelay
from tests.platform.ledger import (
    INCREMENTED,
    Base,
    LedgerSettings,
    create_ledger_app,
    effects,
    outbox_count,
)
from tests.support import POSTGRES_URL, Broker, SigningKeys, scratch_database, wait_until


@pytest.fixture
def ledger(db_url: str, tmp_path: Path, keys: Any) -> Iterator[Any]:
    """``ledger(broker)`` -> (client, database) of the test service on this test's database."""
    database = Database(db_url)
    Base.metadata.create_all(database.engine)
    clients: list[TestClient] = []

    def start(broker: Broker, **overrides: Any) -> tuple[TestClient, Database]:
        values: dict[str, Any] = {
            "database_url": db_url,
            "kafka_bootstrap": broker.bootstrap,
            "events_enabled": True,
            "jwks_url": keys.jwks_url,
            "var_dir": tmp_path,
        }
        settings = LedgerSettings(**{**values, **overrides})
        client = TestClient(create_ledger_app(settings), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client, database

    yield start
    for client in clients:
        client.__exit__(None, None, None)
    database.dispose()


def _effects(database: Database) -> list[Any]:
    with Session(database.engine) as session:
        return effects(session)


def _publish(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    async def go() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            for key, value in messages:
                await producer.send_and_wait(topic, value=value, key=key)
        finally:
            await producer.stop()

    asyncio.run(go())


def _read_topic(bootstrap: str, topic: str) -> list[dict[str, Any]]:
    """Every message now on ``topic``, read from the beginning by a group-less consumer.

    (kcat is the usual tool, but librdkafka's ApiVersions request fails against tansu 0.6.)
    """

    async def go() -> list[dict[str, Any]]:
        consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
        await consumer.start()
        try:
            batches = await consumer.getmany(timeout_ms=1500)
            return [json.loads(r.value) for records in batches.values() for r in records]
        finally:
            await consumer.stop()

    return asyncio.run(go())


def test_outbox_survives_a_broker_outage_in_order_and_exactly_once(own_broker: Broker, ledger: Any) -> None:
    client, database = ledger(own_broker)
    keys = [f"k{i}" for i in range(10)]
    for key in keys:
        assert client.post(f"/api/v1/ledger/{key}").status_code == 200
    wait_until(lambda: len(_effects(database)) == len(keys), timeout=30)

    own_broker.stop()
    for i in range(500):
        response = client.post(f"/api/v1/ledger/{keys[i % len(keys)]}")
        assert response.status_code == 200, response.text
    # the broker is down: ready says degraded, and reads still answer
    ready = client.get("/readyz").json()
    assert ready["status"] == "degraded"
    assert ready["checks"]["broker"] == "down"
    assert ready["checks"]["outbox_backlog"] >= 500
    assert client.get(f"/api/v1/ledger/{keys[0]}").json() == {"value": 51}

    # the restarted embedded broker is empty: topics are re-created and offsets are lost
    own_broker.start()
    wait_until(lambda: len(_effects(database)) >= 510, timeout=90)
    wait_until(lambda: client.get("/readyz").json()["checks"]["outbox_backlog"] == 0, timeout=30)

    applied = _effects(database)
    assert len(applied) == 510, "each event has exactly one effect"
    assert len({e.event_id for e in applied}) == 510
    per_key: dict[str, list[int]] = defaultdict(list)
    for e in applied:
        per_key[e.key].append(e.seq)
    for key in keys:
        assert per_key[key] == list(range(1, 52)), f"events of {key} arrived out of order"


def test_redelivered_event_has_no_second_effect(broker: Broker, ledger: Any) -> None:
    client, database = ledger(broker, kafka_partitions=1)
    event = CloudEvent(source="/govnet/ledger", type=INCREMENTED, subject="dup", data={"seq": 1})
    _publish(broker.bootstrap, "govnet.ledger.events", [(b"dup", event.to_bytes())] * 3)
    wait_until(lambda: any(e.key == "dup" for e in _effects(database)), timeout=30)
    marker = CloudEvent(source="/govnet/ledger", type=INCREMENTED, subject="after", data={"seq": 1})
    _publish(broker.bootstrap, "govnet.ledger.events", [(b"after", marker.to_bytes())])
    wait_until(lambda: any(e.key == "after" for e in _effects(database)), timeout=30)
    assert [e.event_id for e in _effects(database) if e.key == "dup"] == [event.id]


def test_poison_event_goes_to_the_dlq_and_the_consumer_moves_on(broker: Broker, ledger: Any) -> None:
    client, database = ledger(broker, dlq_after_failures=2)
    poison = CloudEvent(source="/govnet/ledger", type=INCREMENTED, subject="p", data={"seq": 1, "poison": True})
    good = CloudEvent(source="/govnet/ledger", type=INCREMENTED, subject="p", data={"seq": 2})
    garbage = f"{{not json {poison.id}"  # unique: the broker (and its DLQ) is shared by the session
    _publish(
        broker.bootstrap,
        "govnet.ledger.events",
        [(b"p", garbage.encode()), (b"p", poison.to_bytes()), (b"p", good.to_bytes())],
    )
    wait_until(lambda: any(e.event_id == good.id for e in _effects(database)), timeout=30)
    assert [e.event_id for e in _effects(database) if e.key == "p"] == [good.id]

    def dead_letters() -> dict[str, dict[str, Any]]:
        letters = _read_topic(broker.bootstrap, DLQ_TOPIC)
        mine = {"garbage": garbage, "poison": poison.model_dump(mode="json")}
        return {name: x for x in letters for name, body in mine.items() if x["data"]["event"] == body}

    letters = wait_until(lambda: len(dead_letters()) == 2 and dead_letters(), timeout=30)
    assert "unparseable" in letters["garbage"]["data"]["error"]
    assert "can never be applied" in letters["poison"]["data"]["error"]
    assert letters["poison"]["data"]["topic"] == "govnet.ledger.events"


@pytest.mark.parametrize("failure", ["domain", "crash"])
def test_failed_request_leaves_neither_row_nor_event(failure: str, broker: Broker, ledger: Any) -> None:
    client, database = ledger(broker, events_enabled=False)
    assert client.post("/api/v1/ledger/a").status_code == 200
    response = client.post(f"/api/v1/ledger/a?fail={failure}")
    assert response.status_code == (422 if failure == "domain" else 500)
    assert response.headers["content-type"] == "application/problem+json"
    if failure == "crash":
        body = response.json()
        assert body["correlation_id"] == response.headers["x-request-id"]
        assert "Traceback" not in response.text and "RuntimeError" not in response.text
    assert client.get("/api/v1/ledger/a").json() == {"value": 1}
    with Session(database.engine) as session:
        assert outbox_count(session) == 1


# -- relay leadership (PostgreSQL) --------------------------------------------------------
if POSTGRES_URL:  # the advisory lock exists only on PostgreSQL; SQLite runs one relay per file

    def test_hardening_11_relay_stops_publishing_when_its_lock_connection_dies(
        broker: Broker, tmp_path: Path, keys: SigningKeys
    ) -> None:
        from tests.platform.ledger import TABLES, Base, LedgerSettings, create_ledger_app

        with scratch_database(POSTGRES_URL or "", "govnet_test") as url:
            database = Database(url)
            Base.metadata.create_all(database.engine)
            settings = LedgerSettings(
                database_url=url, kafka_bootstrap=broker.bootstrap, events_enabled=True,
                jwks_url=keys.jwks_url, var_dir=tmp_path,
            )
            key = OutboxRelay(service="ledger", database=database, tables=TABLES, settings=settings).lock_key
            backlog = select(func.count()).select_from(TABLES.outbox)
            rival = database.engine.connect()
            try:
                with TestClient(create_ledger_app(settings), raise_server_exceptions=False) as client:
                    assert client.post("/api/v1/ledger/a").status_code == 200
                    with database.engine.connect() as conn:
                        wait_until(lambda: conn.execute(backlog).scalar() == 0)  # the relay is active

                        def lock_holder() -> Any:
                            return conn.execute(
                                text(
                                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = :k AND granted "
                                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                                ),
                                {"k": key},
                            ).scalar()

                        pid = lock_holder()
                        assert pid is not None
                        conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
                        conn.commit()
                        # another replica takes the freed lock before the relay notices
                        wait_until(
                            lambda: rival.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
                        )
                        rival.commit()
                        for _ in range(3):
                            assert client.post("/api/v1/ledger/a").status_code == 200
                        time.sleep(2.0)  # many relay rounds: none may publish without the lock
                        assert conn.execute(backlog).scalar() == 3
                        conn.commit()
                        rival.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                        rival.commit()
                        # the relay takes the lock again and publishes what waited
                        def drained() -> bool:
                            left = conn.execute(backlog).scalar()
                            conn.commit()  # a fresh snapshot each time
                            return left == 0

                        wait_until(drained, timeout=20)
                        assert lock_holder() not in (None, pid)
            finally:
                rival.close()
                database.dispose()
