"""A test-only service built from nothing but the shared mechanisms.

It keeps counters; each increment is a state change with an event in the same transaction,
and its own consumer applies each event as an "effect" row. The platform tests count the
effects to prove exactly-once effects, per-key order and atomicity on the real broker.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, ClassVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import APIRouter, FastAPI, Query
from pydantic_settings import SettingsConfigDict
from sqlalchemy import func
from sqlmodel import Field, Session, select

from shared.app import create_service_app
from shared.config import ServiceSettings
from shared.db import Database, SessionDep, make_base
from shared.errors import InvalidInput
from shared.events import CloudEvent, Outbox, event_tables

Base = make_base("LedgerBase")
TABLES = event_tables(Base.metadata)
outbox = Outbox(service="ledger", tables=TABLES)
INCREMENTED = "govnet.ledger.counter.incremented.v1"


class LedgerSettings(ServiceSettings):
    service_name: ClassVar[str] = "ledger"
    model_config = SettingsConfigDict(env_prefix="GOVNET_LEDGER_", extra="ignore", populate_by_name=True)


class Counter(Base, table=True):  # type: ignore[call-arg]
    key: str = Field(primary_key=True)
    value: int = 0


class Effect(Base, table=True):  # type: ignore[call-arg]
    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(index=True)
    key: str
    seq: int


def apply_increment(session: Session, event: CloudEvent) -> None:
    if event.data.get("poison"):
        raise ValueError("this event can never be applied")
    session.add(Effect(event_id=event.id, key=event.subject, seq=int(event.data["seq"])))


router = APIRouter(prefix="/api/v1/ledger")


@router.post("/{key}")
def increment(
    key: str,
    session: SessionDep,
    fail: Annotated[str | None, Query()] = None,
    poison: bool = False,
) -> dict[str, int]:
    counter = session.get(Counter, key) or Counter(key=key, value=0)
    counter.value += 1
    session.add(counter)
    session.flush()
    outbox.emit(session, INCREMENTED, subject=key, data={"seq": counter.value, "poison": poison})
    if fail == "domain":
        raise InvalidInput("refused after the write, before the commit")
    if fail == "crash":
        raise RuntimeError("crash after the write, before the commit")
    return {"value": counter.value}


@router.get("/{key}")
def read(key: str, session: SessionDep) -> dict[str, int]:
    counter = session.get(Counter, key)
    return {"value": counter.value if counter else 0}


def effects(session: Session) -> list[Effect]:
    return list(session.exec(select(Effect).order_by(Effect.id)).all())  # type: ignore[arg-type]


def outbox_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(TABLES.outbox)).scalar_one())


def create_ledger_app(settings: LedgerSettings) -> FastAPI:
    return create_service_app(
        settings=settings,
        title="ledger (test)",
        description="test service",
        routers=[router],
        outbox=outbox,
        handlers={INCREMENTED: apply_increment},
    )


# -- helpers of the tests that run the ledger on the real broker ----------------------------
def applied_effects(database: Database) -> list[Effect]:
    """Every effect row the ledger's consumer applied so far."""
    with Session(database.engine) as session:
        return effects(session)


def publish(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    """Publish raw ``(key, value)`` messages to ``topic`` and wait for the broker's acks."""
    async def go() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
        await producer.start()
        try:
            for key, value in messages:
                await producer.send_and_wait(topic, value=value, key=key)
        finally:
            await producer.stop()

    asyncio.run(go())


def read_topic(bootstrap: str, topic: str) -> list[dict[str, Any]]:
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
