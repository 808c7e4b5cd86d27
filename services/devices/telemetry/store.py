"""What a poll leaves behind: counter state, raw samples, daily roll-ups, reachability, events.

:func:`record_poll` writes everything of one device's poll in the caller's transaction (flush,
never commit): the samples of its links and the roll-up rows they change, so a report never
sees a sample without its roll-up or the reverse, and the events through the outbox.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlmodel import Session, col

from services.devices.events import outbox
from services.devices.telemetry.counters import (
    CounterReading,
    capacity_bps,
    choose_counters,
    interval,
    speed_bps,
)
from services.devices.telemetry.models import (
    VALUE_CAP,
    CounterState,
    DeviceReachability,
    Direction,
    Outage,
    TelemetryDaily,
    TelemetrySample,
    from_signed64,
    pack_values,
    to_signed64,
    unpack_values,
)
from services.devices.telemetry.poller import InterfaceRow, PollResult

DEVICE_DOWN = "govnet.devices.device.down.v1"
DEVICE_UP = "govnet.devices.device.up.v1"
LINK_UTILISATION_HIGH = "govnet.devices.link.utilisation_high.v1"
BP = 10_000
"""Basis points in one (utilisation is stored in hundredths of a percent)."""


@dataclass(frozen=True)
class LinkSpec:
    """An uplink on the polled device: its id, its interface and its contracted capacity."""

    link_id: int
    if_index: int
    contracted_bps: int | None = None


@dataclass(frozen=True)
class Policy:
    """Thresholds and timing the recording applies."""

    threshold_bp: int = 9_000
    interval_s: float = 300.0
    down_after: int = 2
    backoff_max_s: float = 3600.0
    timezone: str = "Asia/Ho_Chi_Minh"


@dataclass
class Recorded:
    """What :func:`record_poll` wrote."""

    samples: int = 0
    discarded: int = 0
    events: list[str] = field(default_factory=list)


def util_bp(octets: int, seconds: float, capacity: int) -> int:
    """Utilisation in basis points, rounded down (so 89.999 % never reads as 90 %)."""
    return int(octets * 8 * BP // (seconds * capacity))


def local_day(ts: int, tz: str) -> date:
    """The local calendar day (00:00–24:00 in ``tz``) a sample's end time falls on."""
    return datetime.fromtimestamp(ts, UTC).astimezone(ZoneInfo(tz)).date()


def record_poll(
    *, session: Session, result: PollResult, links: Sequence[LinkSpec], policy: Policy
) -> Recorded:
    """Record one device's poll: reachability (and its events), counters, link samples, roll-ups."""
    out = Recorded()
    _reachability(session, result, policy, out)
    if not result.reachable or result.uptime_ticks is None:
        return out
    by_index = {link.if_index: link for link in links}
    for row in result.interfaces:
        _interface(session, result, row, by_index.get(row.if_index), policy, out)
    session.flush()
    return out


def _reachability(session: Session, result: PollResult, policy: Policy, out: Recorded) -> None:
    now_ms = int(result.ts * 1000)
    state = session.get(DeviceReachability, result.device_id)
    if state is None:
        state = DeviceReachability(device_id=result.device_id, since_ms=now_ms)
        session.add(state)
    state.last_poll_ms = now_ms
    if result.reachable:
        state.failures = 0
        state.first_failure_ms = None
        state.next_attempt_ms = 0
        if state.up is not True:
            if state.up is False:
                _close_outage(session, result.device_id, now_ms)
                outbox.emit(
                    session,
                    DEVICE_UP,
                    subject=result.device_id,
                    data=_device_data(result.device_id, now_ms, state.since_ms),
                )
                out.events.append(DEVICE_UP)
            state.up = True
            state.since_ms = now_ms
        return
    state.failures += 1
    if state.first_failure_ms is None:
        state.first_failure_ms = now_ms
    wait = min(policy.interval_s * 2 ** (state.failures - 1), policy.backoff_max_s)
    state.next_attempt_ms = now_ms + int(wait * 1000)
    if state.failures >= policy.down_after and state.up is not False:
        # the outage began at the first failed poll of the streak, not when it was declared
        started = state.first_failure_ms or now_ms
        state.up = False
        state.since_ms = started
        session.add(Outage(device_id=result.device_id, started_ms=started))
        outbox.emit(
            session,
            DEVICE_DOWN,
            subject=result.device_id,
            data={
                **_device_data(result.device_id, now_ms, None),
                "down_since": _iso(started),
                "error": result.error,
            },
        )
        out.events.append(DEVICE_DOWN)


def _device_data(device_id: int, now_ms: int, down_since_ms: int | None) -> dict[str, object]:
    data: dict[str, object] = {"device_id": device_id, "at": _iso(now_ms)}
    if down_since_ms is not None:
        data["down_since"] = _iso(down_since_ms)
        data["outage_seconds"] = (now_ms - down_since_ms) // 1000
    return data


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def _close_outage(session: Session, device_id: int, now_ms: int) -> None:
    open_ = session.scalars(
        select(Outage).where(col(Outage.device_id) == device_id, col(Outage.ended_ms).is_(None))
    ).all()
    for outage in open_:
        outage.ended_ms = now_ms


def _interface(
    session: Session,
    result: PollResult,
    row: InterfaceRow,
    link: LinkSpec | None,
    policy: Policy,
    out: Recorded,
) -> None:
    assert result.uptime_ticks is not None
    in_octets, out_octets, bits = choose_counters(
        hc_in=row.hc_in, hc_out=row.hc_out, in32=row.in32, out32=row.out32
    )
    if in_octets is None and out_octets is None:
        return
    current = CounterReading(
        ts=result.ts, uptime_ticks=result.uptime_ticks, in_octets=in_octets, out_octets=out_octets, bits=bits
    )
    state = session.get(CounterState, (result.device_id, row.if_index))
    previous = None
    if state is None:
        state = CounterState(
            device_id=result.device_id, if_index=row.if_index, ts_ms=0, uptime_ticks=0, bits=bits
        )
        session.add(state)
    else:
        previous = CounterReading(
            ts=state.ts_ms / 1000,
            uptime_ticks=state.uptime_ticks,
            in_octets=from_signed64(state.in_octets),
            out_octets=from_signed64(state.out_octets),
            bits=state.bits,
        )
    state.ts_ms = int(result.ts * 1000)
    state.uptime_ticks = result.uptime_ticks
    state.bits = bits
    state.in_octets = to_signed64(in_octets)
    state.out_octets = to_signed64(out_octets)
    if previous is None or link is None:
        return
    port_speed = speed_bps(if_high_speed=row.high_speed, if_speed=row.if_speed)
    capacity = capacity_bps(
        contracted_bps=link.contracted_bps, if_high_speed=row.high_speed, if_speed=row.if_speed
    )
    delta = interval(previous, current, speed=port_speed)
    if delta is None or not capacity:
        out.discarded += 2
        return
    ts = int(result.ts)
    for direction, octets in ((Direction.IN, delta.in_octets), (Direction.OUT, delta.out_octets)):
        if octets is None:
            out.discarded += 1
            continue
        value = util_bp(octets, delta.seconds, capacity)
        _sample(session, link, direction, ts, int(delta.seconds * 1000), octets, value, policy, out)


def _sample(
    session: Session,
    link: LinkSpec,
    direction: Direction,
    ts: int,
    duration_ms: int,
    octets: int,
    value: int,
    policy: Policy,
    out: Recorded,
) -> None:
    if session.get(TelemetrySample, (link.link_id, int(direction), ts)) is not None:
        out.discarded += 1
        return
    last = session.scalars(
        select(col(TelemetrySample.util_bp))
        .where(
            col(TelemetrySample.link_id) == link.link_id,
            col(TelemetrySample.direction) == int(direction),
            col(TelemetrySample.ts) < ts,
        )
        .order_by(col(TelemetrySample.ts).desc())
        .limit(1)
    ).first()
    session.add(
        TelemetrySample(
            link_id=link.link_id,
            direction=int(direction),
            ts=ts,
            duration_ms=duration_ms,
            octets=octets,
            util_bp=value,
        )
    )
    day = local_day(ts, policy.timezone)
    daily = session.get(TelemetryDaily, (link.link_id, int(direction), day))
    if daily is None:
        daily = TelemetryDaily(link_id=link.link_id, direction=int(direction), day=day)
        session.add(daily)
    values = unpack_values(daily.histogram)
    bisect.insort(values, min(value, VALUE_CAP))
    daily.histogram = pack_values(values)
    daily.samples += 1
    daily.max_bp = max(daily.max_bp, value)
    out.samples += 1
    if value >= policy.threshold_bp:
        daily.over_threshold += 1
        if last is None or last < policy.threshold_bp:
            outbox.emit(
                session,
                LINK_UTILISATION_HIGH,
                subject=link.link_id,
                data={
                    "link_id": link.link_id,
                    "direction": direction.name.lower(),
                    "at": datetime.fromtimestamp(ts, UTC).isoformat(),
                    "utilisation_percent": value / 100,
                    "threshold_percent": policy.threshold_bp / 100,
                },
            )
            out.events.append(LINK_UTILISATION_HIGH)


def purge(*, session: Session, now: float, retention_days: int) -> int:
    """Delete samples (and roll-ups) older than the retention; the number of samples deleted."""
    cutoff = int(now) - retention_days * 86_400
    deleted = session.execute(delete(TelemetrySample).where(col(TelemetrySample.ts) < cutoff)).rowcount  # type: ignore[attr-defined]
    cutoff_day = datetime.fromtimestamp(cutoff, UTC).date()
    session.execute(delete(TelemetryDaily).where(col(TelemetryDaily.day) < cutoff_day))
    return int(deleted or 0)


def count_at_most(arrays: Sequence[array[int]], value: int) -> int:
    """How many stored values are at most ``value`` (one C bisect per day)."""
    return sum(bisect.bisect_right(a, value) for a in arrays)


def kth_smallest(arrays: Sequence[array[int]], k: int, *, zeros: int = 0) -> int | None:
    """The ``k``-th smallest (1-based) of the sorted ``arrays`` plus ``zeros`` extra 0s, or None.

    A binary search over the value range: 17 rounds of one bisect per day, whatever the count.
    """
    total = zeros + sum(len(a) for a in arrays)
    if k < 1 or k > total:
        return None
    lo, hi = 0, VALUE_CAP
    while lo < hi:
        mid = (lo + hi) // 2
        if zeros + count_at_most(arrays, mid) >= k:
            hi = mid
        else:
            lo = mid + 1
    return lo


def nearest_rank(fraction: float, total: int) -> int:
    """The nearest-rank position of a percentile among ``total`` values (1-based)."""
    return max(1, -(-int(round(fraction * total * 1_000_000)) // 1_000_000))


def percentile_bp(arrays: Sequence[array[int]], fraction: float, *, zeros: int = 0) -> int | None:
    """The exact nearest-rank percentile of the values (plus ``zeros`` 0s); None if there are none."""
    total = zeros + sum(len(a) for a in arrays)
    return kth_smallest(arrays, nearest_rank(fraction, total), zeros=zeros) if total else None
