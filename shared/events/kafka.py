"""Kafka plumbing shared by the relay and the consumers (aiokafka only: any Kafka broker works)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.config import SuiteSettings

log = logging.getLogger("govnet.events")


def make_producer(settings: SuiteSettings, *, client_id: str) -> AIOKafkaProducer:
    """A producer that waits for all in-sync replicas; idempotence is a setting (off on tansu)."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_idempotent,
        linger_ms=2,
        request_timeout_ms=5000,
        retry_backoff_ms=200,
        max_batch_size=256 * 1024,
    )


async def missing_topics(settings: SuiteSettings, topics: list[str] | tuple[str, ...]) -> list[str] | None:
    """Which of ``topics`` the broker does not have (None when it cannot be asked).

    Listing topics never creates one, unlike subscribing to it.
    """
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=3000)
    try:
        await asyncio.wait_for(admin.start(), timeout=3)
        existing = set(await admin.list_topics())
        return [t for t in topics if t not in existing]
    except Exception:
        return None
    finally:
        try:
            await admin.close()
        except Exception:
            pass


async def ensure_topics(settings: SuiteSettings, topics: list[str] | tuple[str, ...]) -> bool:
    """Create ``topics`` if missing; False when the broker cannot be reached."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=3000)
    try:
        await asyncio.wait_for(admin.start(), timeout=3)
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [NewTopic(t, num_partitions=settings.kafka_partitions, replication_factor=1) for t in missing]
                )
            except TopicAlreadyExistsError:
                pass
        return True
    except Exception as exc:  # broker down: topics are created when it comes back
        log.warning("could not ensure topics", extra={"error": repr(exc)})
        return False
    finally:
        try:
            await admin.close()
        except Exception:
            pass


class BrokerWatch:
    """Probes the broker every ``interval`` seconds and counts the outages it sees.

    ``epoch`` goes up when the broker stops answering. A Kafka client made in an earlier epoch
    may hold metadata of a broker that has since restarted empty; the embedded broker then
    acknowledges writes to topics it no longer has, and those writes can never be read. So the
    relay and the consumer rebuild their clients when the epoch moves, and an acknowledgement
    that spans an epoch change does not count.
    """

    def __init__(self, bootstrap: str, *, interval: float = 0.1) -> None:
        self.bootstrap = bootstrap
        self.interval = interval
        self.epoch = 0
        self.up = True
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="broker-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            up = await broker_reachable(self.bootstrap, timeout=0.3)
            if self.up and not up:
                self.epoch += 1
            self.up = up
            await asyncio.sleep(self.interval)


_stopping: set[asyncio.Task[None]] = set()


async def stop_client(client: Any, timeout: float = 1.0) -> None:
    """Stop an aiokafka producer or consumer, waiting at most ``timeout`` seconds.

    ``stop()`` shields itself and can hang while the broker is away (a consumer's group
    coordinator keeps retrying). Meanwhile its network client keeps refreshing metadata, and a
    metadata request for a missing topic makes the broker auto-create it. So when stop() overruns,
    the network client is closed outright, and stop() finishes in the background.
    """
    task = asyncio.ensure_future(client.stop())
    _stopping.add(task)
    task.add_done_callback(_stopping.discard)
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    await asyncio.wait({task}, timeout=timeout)
    if not task.done():
        network = getattr(client, "_client", None)  # aiokafka's AIOKafkaClient
        if network is not None:
            try:
                await asyncio.wait_for(network.close(), timeout=timeout)
            except Exception as exc:
                log.warning("could not close a Kafka client", extra={"error": repr(exc)})


async def broker_reachable(bootstrap: str, timeout: float = 0.5) -> bool:
    """True when a TCP connection to the first bootstrap server succeeds."""
    host, _, port = bootstrap.split(",")[0].rpartition(":")
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host or "127.0.0.1", int(port)), timeout)
    except (OSError, TimeoutError, ValueError):
        return False
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return True
