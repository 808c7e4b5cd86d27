"""N14 (scale): two pollers split the devices through a consumer group on the real broker."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from services.devices.telemetry.sharding import Shard


def test_n14_two_pollers_share_the_devices_and_one_takes_over(broker: Any) -> None:
    group, topic = f"pollers-{uuid.uuid4().hex[:8]}", f"govnet.devices.poller.{uuid.uuid4().hex[:8]}"

    async def scenario() -> None:
        first = Shard(bootstrap=broker.bootstrap, partitions=6, group=group, topic=topic)
        second = Shard(bootstrap=broker.bootstrap, partitions=6, group=group, topic=topic)
        await first.start()
        await _until(lambda: first.partitions == set(range(6)))
        await second.start()
        try:
            await _until(
                lambda: (
                    first.partitions and second.partitions and len(first.partitions | second.partitions) == 6
                )
            )
            assert not first.partitions & second.partitions
            devices = range(1, 101)
            owners = [sum((first.owns(d), second.owns(d))) for d in devices]
            assert owners == [1] * 100
        finally:
            await second.stop()
        await _until(lambda: first.partitions == set(range(6)))
        await first.stop()

    asyncio.run(scenario())


async def _until(predicate: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the group did not settle"
        await asyncio.sleep(0.2)
