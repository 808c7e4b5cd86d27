"""N6/N14: whole poll cycles against a real snmpd, and their events on the real broker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import select
from sqlmodel import Session

from services.devices.telemetry.models import DeviceReachability, TelemetrySample
from services.devices.telemetry.poller import (
    Credentials,
    InterfaceRow,
    PollResult,
    SnmpPoller,
    SnmpVersion,
    Target,
)
from services.devices.telemetry.runner import CycleReport, Job, next_delay, poll_once
from services.devices.telemetry.store import DEVICE_DOWN, LINK_UTILISATION_HIGH, LinkSpec, Policy, record_poll
from shared import migrations
from shared.db import Database
from shared.events import CloudEvent
from tests.conftest import wait_until
from tests.devices.telemetry.snmpd import Agent, free_udp_port
from tests.devices.telemetry.test_n6_poller_snmpd import send_over_loopback

MOVED = 2 * 1024 * 1024
LO = 1  # Linux gives lo ifIndex 1


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    migrations.upgrade("devices", db_url)
    database = Database(db_url, pool_size=2)
    yield database
    database.engine.dispose()


def jobs_for(agent: Agent, *, contracted_bps: int | None = None) -> list[Job]:
    live = Target(
        1,
        "127.0.0.1",
        Credentials(SnmpVersion.V3, user=agent.user, auth_key=agent.auth_key, priv_key=agent.priv_key),
        port=agent.port,
    )
    dead = Target(
        2, "127.0.0.1", Credentials(SnmpVersion.V2C, community=agent.community), port=free_udp_port()
    )
    return [Job(live, [LinkSpec(link_id=11, if_index=LO, contracted_bps=contracted_bps)]), Job(dead, [])]


def cycle(db: Database, jobs: list[Job], policy: Policy, seen: list[PollResult] | None = None) -> CycleReport:
    def sink(_session: Session, result: PollResult) -> None:
        if seen is not None:
            seen.append(result)

    async def go() -> CycleReport:
        poller = SnmpPoller(timeout=0.3, retries=0)
        try:
            return await poll_once(db=db, poller=poller, jobs=lambda _s: jobs, policy=policy, interfaces=sink)
        finally:
            poller.close()

    return asyncio.run(go())


def test_n6_poll_cycles_store_loopback_traffic(db: Database, snmpd: Agent) -> None:
    jobs = jobs_for(snmpd)
    seen: list[PollResult] = []
    first = cycle(db, jobs, Policy(down_after=1), seen)
    assert (first.polled, first.reachable, first.samples) == (2, 1, 0)
    assert first.events == [DEVICE_DOWN]
    assert [r.device_id for r in seen] == [1] and any(i.name == "lo" for i in seen[0].interfaces)
    send_over_loopback(MOVED)
    time.sleep(5.5)  # snmpd's interface cache
    second = cycle(db, jobs, Policy(down_after=1))
    # the dead device is backing off: skipped, not polled again
    assert (second.polled, second.skipped, second.samples) == (1, 1, 2)
    with db.transaction(write=False) as session:
        samples = {s.direction: s for s in session.scalars(select(TelemetrySample)).all()}
        dead = session.get(DeviceReachability, 2)
    assert samples[0].octets >= MOVED and samples[1].octets >= MOVED
    assert samples[0].duration_ms > 5_000
    assert dead is not None and dead.up is False and dead.failures == 1


def test_n14_device_and_link_events_reach_the_broker(
    db_url: str, db: Database, snmpd: Agent, make_client: Any, broker: Any
) -> None:
    make_client("devices", db_url, broker=broker)  # its relay publishes the outbox
    # a real cycle: device 2 has no agent and goes down
    report = cycle(db, jobs_for(snmpd), Policy(down_after=1))
    assert DEVICE_DOWN in report.events
    # link 11 at 95 % of its capacity: counters given here, because lo's nominal 10 Mb/s and the
    # broker's own loopback traffic make a real crossing depend on the machine's other load
    for ts, octets in ((1_767_225_600, 0), (1_767_225_900, 35_625_000_000)):
        row = InterfaceRow(if_index=LO, name="lo", high_speed=1000, hc_in=octets, hc_out=0)
        with db.transaction() as session:
            recorded = record_poll(
                session=session,
                result=PollResult(device_id=1, ts=ts, reachable=True, uptime_ticks=ts, interfaces=[row]),
                links=[LinkSpec(link_id=11, if_index=LO)],
                policy=Policy(),
            )
    assert recorded.events == [LINK_UTILISATION_HIGH]

    async def read() -> list[CloudEvent]:
        consumer = AIOKafkaConsumer(
            "govnet.devices.events",
            bootstrap_servers=broker.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            batches = await consumer.getmany(timeout_ms=1500, max_records=100_000)
            return [CloudEvent.from_bytes(r.value) for rs in batches.values() for r in rs if r.value]
        finally:
            await consumer.stop()

    def published() -> list[CloudEvent] | None:
        events = [e for e in asyncio.run(read()) if e.type in {DEVICE_DOWN, LINK_UTILISATION_HIGH}]
        types = {e.type for e in events}
        return events if {DEVICE_DOWN, LINK_UTILISATION_HIGH} <= types else None

    events = wait_until(published, timeout=30)
    high = next(e for e in events if e.type == LINK_UTILISATION_HIGH and e.subject == "11")
    assert high.data["threshold_percent"] == 90.0 and high.data["utilisation_percent"] >= 90
    down = next(e for e in events if e.type == DEVICE_DOWN and e.subject == "2")
    assert down.data["device_id"] == 2


def test_n14_cycle_timing_is_jittered_around_the_interval() -> None:
    import random

    rng = random.Random(5)
    delays = [next_delay(300, 0.1, 2.0, rng) for _ in range(200)]
    assert all(268 <= d <= 328 for d in delays)
    assert max(delays) - min(delays) > 30
    assert next_delay(300, 0.1, 400, rng) == 0.0
