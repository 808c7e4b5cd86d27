"""Several pollers share the devices through a Kafka consumer group (LibreNMS's distributed pollers).

Every poller joins the group ``govnet-pollers`` on the topic ``govnet.devices.poller`` (created
with ``partitions`` partitions; nothing is ever written to it). The broker's group coordinator
hands each member a disjoint set of partitions and rebalances when a poller starts or stops; a
poller polls the devices whose ``device_id % partitions`` it holds. Adding a machine is starting
one more ``govnet poller``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = logging.getLogger("govnet.devices.poller")

SHARD_TOPIC = "govnet.devices.poller"
SHARD_GROUP = "govnet-pollers"


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, shard: Shard) -> None:
        self.shard = shard

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self.shard.partitions = set()

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.shard.partitions = {tp.partition for tp in assigned}
        self.shard.generation += 1
        log.info("poller shard assigned", extra={"partitions": sorted(self.shard.partitions)})


class Shard:
    """This poller's share of the devices, kept up to date by the consumer group."""

    def __init__(
        self, *, bootstrap: str, partitions: int = 12, group: str = SHARD_GROUP, topic: str = SHARD_TOPIC
    ) -> None:
        self.bootstrap = bootstrap
        self.total = partitions
        self.group = group
        self.topic = topic
        self.partitions: set[int] = set()
        self.generation = 0
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    def owns(self, device_id: int) -> bool:
        """True when this poller holds the device's partition now."""
        return device_id % self.total in self.partitions

    async def start(self) -> None:
        """Create the topic if needed and join the group."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=5000)
        await admin.start()
        try:
            if self.topic not in set(await admin.list_topics()):
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics(
                        [NewTopic(self.topic, num_partitions=self.total, replication_factor=1)]
                    )
        finally:
            await admin.close()
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=self.group,
            enable_auto_commit=False,
            session_timeout_ms=10_000,
            heartbeat_interval_ms=1_000,
        )
        await self._consumer.start()
        self._consumer.subscribe([self.topic], listener=_Listener(self))
        self._task = asyncio.create_task(self._keep_polling())

    async def _keep_polling(self) -> None:
        assert self._consumer is not None
        while True:
            try:
                await self._consumer.getmany(timeout_ms=1000)
            except asyncio.CancelledError:
                raise
            except Exception:  # broker away: aiokafka reconnects; keep the last assignment
                log.warning("poller shard lost the broker", exc_info=True)
                await asyncio.sleep(1)

    async def stop(self) -> None:
        """Leave the group (the others take over this poller's partitions)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()
        self.partitions = set()
