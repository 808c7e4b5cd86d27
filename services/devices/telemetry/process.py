"""The ``govnet poller`` process: settings in, the polling loop out, until SIGINT/SIGTERM.

Events land in the devices database's outbox; the devices service's relay publishes them, as it
does for the syslog process. With ``GOVNET_DEVICES_POLLER_SHARDED=true`` several such processes
share the devices through the Kafka consumer group of :mod:`services.devices.telemetry.sharding`.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

from sqlmodel import Session

from services.devices.inventory.credentials import cipher
from services.devices.inventory.service import upsert_interfaces
from services.devices.rules import UPLINK_RULES
from services.devices.settings import DevicesSettings
from services.devices.telemetry.jobs import inventory_jobs
from services.devices.telemetry.poller import PollResult, SnmpPoller
from services.devices.telemetry.runner import poll_once, run
from services.devices.telemetry.sharding import Shard
from services.devices.telemetry.store import Policy
from shared.db import Database


def policy_of(settings: DevicesSettings) -> Policy:
    """The recording policy the settings and the active uplink rule give."""
    rule = UPLINK_RULES[settings.uplink_ruleset].value
    return Policy(
        threshold_bp=int(round(rule.threshold_percent * 100)),
        interval_s=settings.poller_interval,
        down_after=settings.poller_down_after,
        backoff_max_s=settings.poller_backoff_max,
        timezone=settings.telemetry_timezone,
    )


def poller_of(settings: DevicesSettings) -> SnmpPoller:
    """The SNMP poller the settings describe."""
    return SnmpPoller(
        concurrency=settings.poller_concurrency,
        timeout=settings.poller_timeout,
        retries=settings.poller_retries,
        max_repetitions=settings.poller_max_repetitions,
    )


def discovered(session: Session, result: PollResult) -> None:
    """Hand a reachable device's interface table to the inventory (ifName, ifAlias, ifHighSpeed)."""
    upsert_interfaces(session=session, device_id=result.device_id, rows=result.interfaces)


async def serve(settings: DevicesSettings, *, once: bool = False) -> None:
    """Poll until a signal arrives (or one cycle with ``once``)."""
    db = Database(settings.database_url, pool_size=2)
    poller = poller_of(settings)
    jobs = inventory_jobs(key=cipher(settings), port=settings.poller_port)
    shard = (
        Shard(bootstrap=settings.kafka_bootstrap, partitions=settings.poller_partitions)
        if settings.poller_sharded
        else None
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        if shard is not None:
            await shard.start()
        owns = shard.owns if shard is not None else (lambda _device_id: True)
        if once:
            await poll_once(
                db=db, poller=poller, jobs=jobs, policy=policy_of(settings), owns=owns, interfaces=discovered
            )
            return
        await run(
            db=db,
            jobs=jobs,
            policy=policy_of(settings),
            poller=poller,
            jitter=settings.poller_jitter,
            retention_days=settings.telemetry_retention_days,
            owns=owns,
            interfaces=discovered,
            stop=stop,
        )
    finally:
        if shard is not None:
            await shard.stop()
        poller.close()
        db.engine.dispose()
