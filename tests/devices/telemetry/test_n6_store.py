"""N6/N14: what a poll leaves in the database: samples and roll-ups together, reachability, events."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select, text

from services.devices.telemetry.models import (
    CounterState,
    DeviceReachability,
    Outage,
    TelemetryDaily,
    TelemetrySample,
    from_signed64,
    pack_values,
    to_signed64,
    unpack_values,
)
from services.devices.telemetry.poller import InterfaceRow, PollResult
from services.devices.telemetry.store import (
    DEVICE_DOWN,
    DEVICE_UP,
    LINK_UTILISATION_HIGH,
    LinkSpec,
    Policy,
    percentile_bp,
    purge,
    record_poll,
    util_bp,
)
from shared import migrations
from shared.db import Database

GBIT = 1_000_000_000
T0 = 1_767_225_600  # 01/01/2026 00:00 UTC = 07:00 in Ho Chi Minh City
POLICY = Policy(down_after=2)
LINK = LinkSpec(link_id=7, if_index=3, contracted_bps=None)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    migrations.upgrade("devices", db_url)
    database = Database(db_url, pool_size=2)
    yield database
    database.engine.dispose()


def up(ts: float, uptime: int, in_octets: int, out_octets: int, *, hc: bool = True) -> PollResult:
    row = InterfaceRow(if_index=3, name="ge-0/0/3", oper_status=1, high_speed=1000, if_speed=GBIT)
    if hc:
        row.hc_in, row.hc_out = in_octets, out_octets
    else:
        row.in32, row.out32 = in_octets, out_octets
    return PollResult(device_id=1, ts=ts, reachable=True, uptime_ticks=uptime, interfaces=[row])


def down(ts: float) -> PollResult:
    return PollResult(device_id=1, ts=ts, reachable=False, error="timeout")


def record(db: Database, result: PollResult) -> list[str]:
    with db.transaction() as session:
        return record_poll(session=session, result=result, links=[LINK], policy=POLICY).events


def outbox_types(db: Database) -> list[str]:
    with db.transaction(write=False) as session:
        payloads = session.execute(text("SELECT payload FROM outbox ORDER BY id")).scalars().all()
    return [json.loads(p)["type"] for p in payloads]


def test_n6_samples_and_daily_rollup_written_together(db: Database) -> None:
    # in: 50 % of 1 Gb/s over 300 s; out: 95 %.
    half, high = 18_750_000_000, 35_625_000_000
    assert record(db, up(T0, 100, 10, 20)) == []
    assert record(db, up(T0 + 300, 30_100, 10 + half, 20 + high)) == [LINK_UTILISATION_HIGH]
    # still above: no second event; then below, then above again: a new one
    assert record(db, up(T0 + 600, 60_100, 10 + 2 * half, 20 + 2 * high)) == []
    assert record(db, up(T0 + 900, 90_100, 10 + 3 * half, 20 + 2 * high + half)) == []
    assert record(db, up(T0 + 1200, 120_100, 10 + 4 * half, 20 + 3 * high + half)) == [LINK_UTILISATION_HIGH]
    with db.transaction(write=False) as session:
        samples = session.scalars(
            select(TelemetrySample).order_by(TelemetrySample.direction, TelemetrySample.ts)
        ).all()  # type: ignore[arg-type]
        assert [(s.direction, s.ts, s.util_bp) for s in samples][:4] == [
            (0, T0 + 300, 5000),
            (0, T0 + 600, 5000),
            (0, T0 + 900, 5000),
            (0, T0 + 1200, 5000),
        ]
        assert [s.util_bp for s in samples if s.direction == 1] == [9500, 9500, 5000, 9500]
        assert all(s.duration_ms == 300_000 for s in samples)
        days = {d.direction: d for d in session.scalars(select(TelemetryDaily)).all()}
    assert days[1].day == date(2026, 1, 1)
    assert (days[1].samples, days[1].max_bp, days[1].over_threshold) == (4, 9500, 3)
    assert list(unpack_values(days[1].histogram)) == [5000, 9500, 9500, 9500]
    assert (days[0].samples, days[0].max_bp, days[0].over_threshold) == (4, 5000, 0)
    assert outbox_types(db) == [LINK_UTILISATION_HIGH, LINK_UTILISATION_HIGH]


def test_n6_restart_and_impossible_delta_store_nothing(db: Database) -> None:
    record(db, up(T0, 50_000, 1_000, 1_000))
    record(db, up(T0 + 300, 200, 2_000, 2_000))  # sysUpTime went back
    record(db, up(T0 + 600, 30_200, 1_000, 2_000 + (1 << 62)))  # in decreased (reset); out beyond 1 Gb/s
    with db.transaction(write=False) as session:
        assert session.scalars(select(TelemetrySample)).all() == []
        assert session.scalars(select(TelemetryDaily)).all() == []


def test_n6_32_bit_counters_wrap_in_storage(db: Database) -> None:
    record(db, up(T0, 100, 2**32 - 1_000, 0, hc=False))
    record(db, up(T0 + 300, 30_100, 1_000, 0, hc=False))
    with db.transaction(write=False) as session:
        sample = session.scalars(select(TelemetrySample).where(TelemetrySample.direction == 0)).one()  # type: ignore[arg-type]
        assert sample.octets == 2_000


def test_n6_64_bit_counter_state_roundtrips_through_bigint(db: Database) -> None:
    big = 2**64 - 5
    record(db, up(T0, 100, big, big))
    with db.transaction(write=False) as session:
        state = session.get(CounterState, (1, 3))
        assert state is not None and from_signed64(state.in_octets) == big
    record(db, up(T0 + 300, 30_100, 10, 10))  # a decrease on a 64-bit counter: a reset, not a wrap
    assert to_signed64(2**63) == -(2**63)
    with db.transaction(write=False) as session:
        assert session.scalars(select(TelemetrySample)).all() == []


def test_n14_down_after_failures_then_up_with_outage(db: Database) -> None:
    record(db, up(T0, 100, 0, 0))
    assert record(db, down(T0 + 300)) == []
    assert record(db, down(T0 + 600)) == [DEVICE_DOWN]
    assert record(db, down(T0 + 1200)) == []
    assert record(db, up(T0 + 1500, 100, 0, 0)) == [DEVICE_UP]
    with db.transaction(write=False) as session:
        state = session.get(DeviceReachability, 1)
        assert state is not None and state.up is True and state.failures == 0
        outages = session.scalars(select(Outage)).all()
    assert [(o.started_ms, o.ended_ms) for o in outages] == [
        ((T0 + 300) * 1000, (T0 + 1500) * 1000)
    ]  # from the first failed poll
    assert outbox_types(db) == [DEVICE_DOWN, DEVICE_UP]


def test_n14_unreachable_device_backs_off(db: Database) -> None:
    record(db, down(T0))
    record(db, down(T0 + 300))
    record(db, down(T0 + 900))
    with db.transaction(write=False) as session:
        state = session.get(DeviceReachability, 1)
        assert state is not None and state.failures == 3
        assert state.next_attempt_ms == (T0 + 900 + 1200) * 1000


def test_n6_retention_purges_old_samples(db: Database) -> None:
    record(db, up(T0, 100, 0, 0))
    record(db, up(T0 + 300, 30_100, 1_000, 1_000))
    with db.transaction() as session:
        assert purge(session=session, now=T0 + 10 * 86_400, retention_days=396) == 0
    with db.transaction() as session:
        assert purge(session=session, now=T0 + 400 * 86_400, retention_days=396) == 2
        assert session.scalars(select(TelemetryDaily)).all() == []


def test_n6_exact_95th_percentile_from_sorted_days() -> None:
    # 100 samples 1..100 % split over two days: nearest rank 95 -> 95 %.
    first = unpack_values(pack_values([v * 100 for v in range(1, 51)]))
    second = unpack_values(pack_values([v * 100 for v in range(100, 50, -1)]))
    assert percentile_bp([first, second], 0.95) == 9500
    assert percentile_bp([first, second], 1.0) == 10000 and percentile_bp([first, second], 0.01) == 100
    assert percentile_bp([unpack_values(pack_values([9000]))], 0.95) == 9000
    assert percentile_bp([], 0.95) is None
    # 5 extra zeros shift the rank: 105 values, rank 100 -> the 95th of the real ones
    assert percentile_bp([first, second], 0.95, zeros=5) == 9500
    # values beyond 655.35 % are kept at the cap, still above any threshold
    assert list(unpack_values(pack_values([70_000, 3]))) == [3, 65_535]
    # the JSON histogram of earlier rows still reads
    assert list(unpack_values('{"10": 2, "5": 1}')) == [5, 10, 10]
    # rounded down: 89.999 % of capacity stays below 90 %
    assert util_bp(33_749_000_000, 300, GBIT) == 8999
