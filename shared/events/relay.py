"""The outbox relay: publishes committed outbox rows to Kafka in id order, then deletes them.

Rows go out in commit order, with the entity id as the key, so one entity's events stay in
order on its partition. Publishing waits for acks=all; a row is deleted only once the broker
has acknowledged it. When the broker is down the backlog grows (exported as metrics) and the
relay retries with exponential backoff; nothing is lost. On PostgreSQL a session advisory lock
makes one relay per service active, so two replicas never interleave one key's events; before
each batch the relay checks that the lock's connection still lives, and stops publishing until
it holds the lock again if it does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import delete, func, select, text, update

from shared.config import SuiteSettings, topic_of
from shared.db import Database
from shared.events.kafka import BrokerWatch, ensure_topics, make_producer, stop_client
from shared.events.outbox import EventTables, on_outbox_commit, remove_outbox_commit
from shared.observability import OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, OUTBOX_PUBLISHED

log = logging.getLogger("govnet.events.relay")

MAX_BACKOFF_SECONDS = 2.0
SEND_TIMEOUT_SECONDS = 15.0


class BrokerUnavailable(Exception):
    """The broker is down or restarted while a batch was in flight."""


class OutboxRelay:
    """Publishes a service's committed outbox rows to Kafka in id order (one active relay per service on PostgreSQL)."""

    def __init__(
        self,
        *,
        service: str,
        database: Database,
        tables: EventTables,
        settings: SuiteSettings,
        watch: BrokerWatch | None = None,
    ) -> None:
        self.service = service
        self.database = database
        self.outbox = tables.outbox
        self.topic = topic_of(service)
        self.settings = settings
        self._producer: AIOKafkaProducer | None = None
        self._producer_epoch = -1
        # one watch per service is enough: the app shares it with the consumer
        self._owns_watch = watch is None
        self.watch = watch or BrokerWatch(settings.kafka_bootstrap)
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        self._lock_conn: Any = None
        self.broker_ok = False
        self.published = 0

    # -- lifecycle -------------------------------------------------------------------------
    def _wakeup(self) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        """Publish until cancelled."""
        self._loop = asyncio.get_running_loop()
        on_outbox_commit(self._wakeup)
        self.watch.start()
        backoff = 0.1
        last_metrics = 0.0
        try:
            while not self._stopping:
                if time.monotonic() - last_metrics > 1.0:
                    await asyncio.to_thread(self.update_metrics)
                    last_metrics = time.monotonic()
                if not self._leader() and not await self._try_leadership():
                    await asyncio.sleep(1.0)
                    continue
                try:
                    sent = await self.publish_batch()
                    backoff = 0.1
                except Exception as exc:
                    self.broker_ok = False
                    log.warning("outbox publish failed; retrying", extra={"error": repr(exc), "backoff": backoff})
                    await self._drop_producer()
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                    continue
                if sent == 0:
                    self._wake.clear()
                    try:
                        await asyncio.wait_for(self._wake.wait(), timeout=self.settings.relay_idle_seconds)
                    except TimeoutError:
                        pass
        finally:
            remove_outbox_commit(self._wakeup)
            if self._owns_watch:
                await self.watch.stop()
            await self._drop_producer()
            await asyncio.to_thread(self._release_leadership)

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def _get_producer(self) -> AIOKafkaProducer:
        if not self.watch.up:
            raise BrokerUnavailable(f"the broker at {self.settings.kafka_bootstrap} is not answering")
        if self._producer is not None and self._producer_epoch != self.watch.epoch:
            await self._drop_producer()  # made before an outage: its metadata may be stale
        if self._producer is None:
            self._producer_epoch = self.watch.epoch
            producer = make_producer(self.settings, client_id=f"{self.service}-relay")
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
            if self.settings.kafka_create_topics:
                await ensure_topics(self.settings, [self.topic])
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await stop_client(producer)

    # -- leadership (PostgreSQL only) --------------------------------------------------------
    @property
    def lock_key(self) -> int:
        """The advisory-lock key of this service's relay."""
        return zlib.crc32(f"govnet-outbox-{self.service}".encode())

    def _leader(self) -> bool:
        """Already the active relay (always on SQLite): no database call needed."""
        return self.database.sqlite or self._lock_conn is not None

    async def _try_leadership(self) -> bool:
        """Take the lock if free; a database that is away (e.g. restarting) is a no, not a crash."""
        try:
            return await asyncio.to_thread(self._hold_leadership)
        except Exception as exc:
            log.warning("outbox relay could not reach the database for its lock", extra={"error": type(exc).__name__})
            return False

    def _hold_leadership(self) -> bool:
        if self._leader():
            return True
        conn = self.database.engine.connect()
        try:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.lock_key}).scalar()
            conn.commit()
        except BaseException:
            conn.close()
            raise
        if got:
            self._lock_conn = conn
            return True
        conn.close()
        return False

    def _release_leadership(self) -> None:
        conn, self._lock_conn = self._lock_conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # a dead connection may fail to close cleanly
                conn.close()

    # -- publishing --------------------------------------------------------------------------
    def _lock_alive(self) -> bool:
        """Whether the advisory-lock connection still lives (PostgreSQL).

        The server frees a session lock when its connection dies (restart, idle timeout,
        pg_terminate_backend) and another replica may take it: a relay that kept publishing on
        the strength of a dead connection would interleave one key's events with that replica's.
        """
        if self.database.sqlite:
            return True
        conn = self._lock_conn
        if conn is None:
            return False
        try:
            conn.execute(text("SELECT 1"))
            conn.commit()
            return True
        except Exception as exc:
            log.warning("outbox relay lost its advisory-lock connection; not publishing until it holds the lock again",
                        extra={"service": self.service, "error": type(exc).__name__})
            self._release_leadership()
            return False

    def _pending(self) -> list[Any] | None:
        """The next batch, or None when leadership was lost (checked only when there is work)."""
        with self.database.transaction(write=False) as session:
            rows = list(
                session.execute(
                    select(self.outbox.c.id, self.outbox.c.topic, self.outbox.c.key, self.outbox.c.payload)
                    .order_by(self.outbox.c.id)
                    .limit(self.settings.relay_batch_size)
                ).all()
            )
        if rows and not self._lock_alive():
            return None
        return rows

    def _mark_published(self, ids: list[int]) -> None:
        with self.database.transaction() as session:
            session.execute(delete(self.outbox).where(self.outbox.c.id.in_(ids)))

    def _mark_failed(self, ids: list[int], error: str) -> None:
        with self.database.transaction() as session:
            session.execute(
                update(self.outbox)
                .where(self.outbox.c.id.in_(ids))
                .values(attempts=self.outbox.c.attempts + 1, last_error=error[:2000])
            )

    async def publish_batch(self) -> int:
        """Publish one batch of pending rows; returns how many were acknowledged."""
        rows = await asyncio.to_thread(self._pending)
        if rows is None:
            return 0  # no longer the active relay: run() takes the lock again before the next batch
        if not rows:
            if not self.broker_ok:
                await self._get_producer()
                self.broker_ok = True
            return 0
        producer = await self._get_producer()
        epoch = self.watch.epoch
        futures = []
        for row in rows:
            futures.append(
                await producer.send(row.topic, value=row.payload.encode(), key=row.key.encode())
            )
        try:
            results: list[Any] = await asyncio.wait_for(
                asyncio.gather(*futures, return_exceptions=True), timeout=SEND_TIMEOUT_SECONDS
            )
        except TimeoutError:
            results = [TimeoutError("no acknowledgement in time")] * len(rows)
        if self.watch.epoch != epoch or not self.watch.up:
            # the broker went away during the send: an acknowledgement may come from a broker
            # that restarted without the topic. Retry the whole batch with a new producer.
            results = [BrokerUnavailable("the broker restarted during the send")] * len(rows)
        # the acknowledged prefix is done; the first failure and all after it are retried, in order
        done: list[int] = []
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                failed = [r.id for r in rows[len(done):]]
                if done:
                    await asyncio.to_thread(self._mark_published, done)
                await asyncio.to_thread(self._mark_failed, failed, repr(result))
                raise result
            done.append(row.id)
        await asyncio.to_thread(self._mark_published, done)
        self.broker_ok = True
        self.published += len(done)
        OUTBOX_PUBLISHED.labels(self.service).inc(len(done))
        return len(done)

    def backlog(self) -> tuple[int, float]:
        """(rows waiting, age in seconds of the oldest)."""
        with self.database.transaction(write=False) as session:
            count, oldest = session.execute(
                select(func.count(), func.min(self.outbox.c.created_at)).select_from(self.outbox)
            ).one()
        age = 0.0
        if oldest is not None:
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=UTC)
            age = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
        return int(count), age

    def update_metrics(self) -> None:
        try:
            count, age = self.backlog()
        except Exception:
            return
        OUTBOX_BACKLOG.labels(self.service).set(count)
        OUTBOX_OLDEST_AGE.labels(self.service).set(age)
