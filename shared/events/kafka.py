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


_stopping: set[asyncio.Task[None]] = set()


async def stop_client(client: Any, timeout: float = 3.0) -> None:
    """Stop an aiokafka client, waiting at most ``timeout`` seconds.

    ``stop()`` shields itself and can hang while the broker is away, so it finishes in the
    background instead of blocking the caller (a reference is kept until it is done).
    """
    task = asyncio.ensure_future(client.stop())
    _stopping.add(task)
    task.add_done_callback(_stopping.discard)
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    await asyncio.wait({task}, timeout=timeout)


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
