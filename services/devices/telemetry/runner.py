"""One poll cycle (:func:`poll_once`) and the poller process's loop (:func:`run`).

A cycle asks a :data:`JobSource` which devices to poll (the inventory's SNMP-capable active
devices with their uplinks and decrypted credentials), skips devices still backing off, polls
the rest concurrently under the cap and records each device in its own transaction, so one bad
device never rolls back another's samples.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import Session, col

from services.devices.telemetry.models import DeviceReachability
from services.devices.telemetry.partitions import ensure_partitions
from services.devices.telemetry.poller import PollResult, SnmpPoller, Target
from services.devices.telemetry.store import LinkSpec, Policy, purge, record_poll
from shared.db import Database

log = logging.getLogger("govnet.devices.poller")


@dataclass(frozen=True)
class Job:
    """One device to poll: where and how, and which of its interfaces are uplinks."""

    target: Target
    links: Sequence[LinkSpec] = ()


JobSource = Callable[[Session], list[Job]]
"""Reads the devices to poll from the database (the inventory supplies the real one)."""
InterfaceSink = Callable[[Session, PollResult], None]
"""Gets every reachable device's interface table (the inventory's discovery)."""


@dataclass
class CycleReport:
    """What one cycle did."""

    polled: int = 0
    reachable: int = 0
    skipped: int = 0
    samples: int = 0
    events: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    interfaces: int = 0


def _due(session: Session, device_ids: Collection[int], now_ms: int) -> set[int]:
    """The devices whose backoff has run out (or that were never polled)."""
    waiting = session.scalars(
        select(col(DeviceReachability.device_id)).where(
            col(DeviceReachability.device_id).in_(list(device_ids)),
            col(DeviceReachability.next_attempt_ms) > now_ms,
        )
    ).all()
    return set(device_ids) - set(waiting)


async def poll_once(
    *,
    db: Database,
    poller: SnmpPoller,
    jobs: JobSource,
    policy: Policy,
    owns: Callable[[int], bool] = lambda _device_id: True,
    interfaces: InterfaceSink | None = None,
    now: float | None = None,
) -> CycleReport:
    """Poll every due device this poller owns once and record the results."""
    cpu, wall = time.process_time(), time.monotonic()
    report = CycleReport()
    with db.transaction(write=False) as session:
        all_jobs = [job for job in jobs(session) if owns(job.target.device_id)]
        due = _due(session, [j.target.device_id for j in all_jobs], int((now or time.time()) * 1000))
    todo = [job for job in all_jobs if job.target.device_id in due]
    report.skipped = len(all_jobs) - len(todo)
    results = await poller.poll_many([job.target for job in todo])
    for job, result in zip(todo, results, strict=True):
        with db.transaction() as session:
            recorded = record_poll(session=session, result=result, links=job.links, policy=policy)
            if interfaces is not None and result.reachable:
                interfaces(session, result)
        report.polled += 1
        report.reachable += int(result.reachable)
        report.interfaces += len(result.interfaces)
        report.samples += recorded.samples
        report.events.extend(recorded.events)
    report.cpu_seconds = time.process_time() - cpu
    report.wall_seconds = time.monotonic() - wall
    return report


def next_delay(interval: float, jitter: float, elapsed: float, rng: random.Random) -> float:
    """Seconds until the next cycle: the interval less the time spent, shifted by ± jitter."""
    shift = interval * jitter * (2 * rng.random() - 1)
    return max(0.0, interval - elapsed + shift)


async def run(
    *,
    db: Database,
    jobs: JobSource,
    policy: Policy,
    poller: SnmpPoller,
    jitter: float,
    retention_days: int,
    interfaces: InterfaceSink | None = None,
    owns: Callable[[int], bool] = lambda _device_id: True,
    stop: asyncio.Event | None = None,
) -> None:
    """Poll every ``policy.interval_s`` (jittered) until ``stop`` is set."""
    stop = stop or asyncio.Event()
    rng = random.Random()
    # start somewhere inside the first interval, so pollers started together do not burst
    first = rng.uniform(0, policy.interval_s * jitter)
    try:
        await asyncio.wait_for(stop.wait(), timeout=first)
        return
    except TimeoutError:
        pass
    while not stop.is_set():
        started = time.monotonic()
        try:
            with db.transaction() as session:
                ensure_partitions(session, now=time.time())
                purge(session=session, now=time.time(), retention_days=retention_days)
            report = await poll_once(
                db=db, poller=poller, jobs=jobs, policy=policy, owns=owns, interfaces=interfaces
            )
            log.info(
                "poll cycle",
                extra={
                    "polled": report.polled,
                    "reachable": report.reachable,
                    "skipped": report.skipped,
                    "samples": report.samples,
                    "cpu_seconds": round(report.cpu_seconds, 3),
                    "wall_seconds": round(report.wall_seconds, 3),
                },
            )
        except Exception:  # a cycle that failed (database away) must not end the process
            log.exception("poll cycle failed")
        delay = next_delay(policy.interval_s, jitter, time.monotonic() - started, rng)
        try:
            await asyncio.wait_for(stop.wait(), timeout=delay)
        except TimeoutError:
            continue
