"""The consumer runner: one consumer group per service, effects exactly once through an inbox.

For each batch of a partition, one database transaction holds, per event, a savepoint with
the handler's effects and the event id's inbox row; a redelivered id is skipped. Offsets are
committed only after that transaction commits, so a crash replays events the inbox then
ignores. An event whose handler fails ``dlq_after_failures`` times (or that cannot be parsed)
is written, in the same transaction, to the outbox for ``govnet.dlq`` with its error, marked
dead in the inbox, and the partition moves on. A broker that restarts empty (the embedded one
keeps topics in memory) loses the group's offsets: the consumer then starts from the earliest
offset again and the inbox absorbs the replay.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.config import DLQ_TOPIC, SuiteSettings
from shared.db import Database
from shared.events.envelope import CloudEvent
from shared.events.kafka import BrokerWatch, missing_topics, stop_client
from shared.events.outbox import Outbox, discard_after, pending_count
from shared.observability import CONSUMER_LAG, CONSUMER_PROCESSED

log = logging.getLogger("govnet.events.consumer")

EventHandler = Callable[[Session, CloudEvent], None]


@dataclass(frozen=True)
class BatchHandler:
    """A handler that takes a run of consecutive events of its type at once.

    For high-volume streams (telemetry samples, bulk changes): one executemany per run instead
    of a statement per event. Order is kept: runs are cut wherever another type comes between.
    If the run fails, the batch is applied again one event at a time (``fn(session, [event])``)
    in savepoints, exactly like a plain handler.
    """

    fn: Callable[[Session, list[CloudEvent]], None]


Handler = EventHandler | BatchHandler


@dataclass
class Outcome:
    """How many events of a batch (or since start) were applied, skipped as duplicates, dead-lettered or ignored."""

    processed: int = 0
    duplicates: int = 0
    dead: int = 0
    ignored: int = 0


class _HandlerFailed(Exception):
    """A handler raised on the fast path: redo the batch with one savepoint per event."""


class EventConsumer:
    """Consumes the topics a service subscribes to and applies each event once (the inbox)."""

    def __init__(
        self,
        *,
        service: str,
        database: Database,
        outbox: Outbox,
        settings: SuiteSettings,
        handlers: dict[str, Handler],
        topics: Iterable[str] | None = None,
        group_id: str | None = None,
        watch: BrokerWatch | None = None,
    ) -> None:
        self.service = service
        self.database = database
        self.outbox = outbox
        self.inbox = outbox.tables.inbox
        self.settings = settings
        self.handlers = handlers
        self.topics = sorted(set(topics) if topics is not None else {_topic_of_type(t) for t in handlers})
        self.group_id = group_id or service
        self._consumer: AIOKafkaConsumer | None = None
        self._stopping = False
        self._consumer_epoch = -1
        self._owns_watch = watch is None
        self.watch = watch or BrokerWatch(settings.kafka_bootstrap)
        self.totals = Outcome()

    async def run(self) -> None:
        """Consume until cancelled."""
        if not self.topics:
            return
        backoff = 0.2
        self.watch.start()
        try:
            while not self._stopping:
                if (self._consumer is not None and self._consumer_epoch != self.watch.epoch) or not self.watch.up:
                    # the broker went away; if it restarts empty, the old positions point past the
                    # new logs. Rebuild: a fresh consumer resumes from the committed offsets, or
                    # from the earliest when the broker lost them (the inbox absorbs the replay).
                    await self._drop_consumer()
                    if not self.watch.up:
                        await asyncio.sleep(0.1)
                        continue
                    log.info("broker is back; rejoining the consumer group")
                try:
                    consumer = await self._get_consumer()
                    try:
                        # aiokafka's getmany can hang while the broker is away: bound it
                        batches = await asyncio.wait_for(consumer.getmany(timeout_ms=200, max_records=1000), 2.0)
                    except TimeoutError:
                        continue
                    if batches:
                        await self._handle_batches(consumer, batches)
                    self._export_lag(consumer)
                    backoff = 0.2
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("consumer error; restarting", extra={"error": repr(exc), "backoff": backoff})
                    await self._drop_consumer()
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 2.0)
        finally:
            if self._owns_watch:
                await self.watch.stop()
            await self._drop_consumer()

    async def stop(self) -> None:
        self._stopping = True

    async def _wait_for_topics(self) -> None:
        """Give the producers a moment to (re)create the topics before subscribing.

        Subscribing to a missing topic makes the broker auto-create it; after a restart of the
        embedded broker the producers usually get there first. Either way the topic is made
        by auto-creation only (see ``kafka_create_topics``).
        """
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            if await missing_topics(self.settings, self.topics) == []:
                return
            await asyncio.sleep(0.2)

    async def _get_consumer(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            self._consumer_epoch = self.watch.epoch
            await self._wait_for_topics()
            consumer = AIOKafkaConsumer(
                *self.topics,
                bootstrap_servers=self.settings.kafka_bootstrap,
                group_id=self.group_id,
                client_id=f"{self.service}-consumer",
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                metadata_max_age_ms=3000,
                fetch_max_wait_ms=self.settings.consumer_fetch_max_wait_ms,
                max_partition_fetch_bytes=4 * 1024 * 1024,
                request_timeout_ms=10000,
                session_timeout_ms=6000,
                heartbeat_interval_ms=1000,
                rebalance_timeout_ms=6000,
            )
            try:
                await consumer.start()
            except BaseException:
                await consumer.stop()
                raise
            self._consumer = consumer
        return self._consumer

    async def _drop_consumer(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            await stop_client(consumer)

    async def _handle_batches(
        self, consumer: AIOKafkaConsumer, batches: dict[TopicPartition, list[ConsumerRecord]]
    ) -> None:
        if self._consumer_epoch != self.watch.epoch:
            return  # records fetched across an outage may come from stale positions: drop them
        if self.database.sqlite:
            # one writer at a time on SQLite: one transaction for the whole fetch
            groups = [list(batches)]
        else:
            # PostgreSQL: partitions are independent (order is per key, hence per partition),
            # so each is applied in its own transaction, concurrently; round trips overlap
            groups = [[tp] for tp in batches]
        results = await asyncio.gather(
            *(asyncio.to_thread(self.process, [r for tp in group for r in batches[tp]]) for group in groups),
            return_exceptions=True,
        )
        offsets: dict[TopicPartition, int] = {}
        failure: BaseException | None = None
        for group, result in zip(groups, results, strict=True):
            if isinstance(result, BaseException):
                failure = result
                for tp in group:  # nothing of it committed: read it again after a pause
                    consumer.seek(tp, batches[tp][0].offset)
                continue
            for name in ("processed", "duplicates", "dead", "ignored"):
                setattr(self.totals, name, getattr(self.totals, name) + getattr(result, name))
            offsets.update({tp: batches[tp][-1].offset + 1 for tp in group})
        if offsets:
            await consumer.commit(offsets)
        if failure is not None:
            raise failure

    def process(self, records: list[ConsumerRecord]) -> Outcome:
        """Apply records in one transaction; the caller commits the offsets afterwards.

        The fast path applies the whole batch without savepoints. If a handler fails, that
        transaction is rolled back and the batch applied again with one savepoint per event,
        so a poison event is isolated (and dead-lettered) without losing its neighbours.
        """
        parsed: list[tuple[ConsumerRecord, CloudEvent | None, str | None]] = []
        for record in records:
            try:
                parsed.append((record, CloudEvent.from_bytes(record.value or b""), None))
            except Exception as exc:
                parsed.append((record, None, f"unparseable event: {exc}"[:2000]))
        try:
            with self.database.transaction() as session:
                return self._apply_batch(session, parsed, isolate=False)
        except _HandlerFailed:
            with self.database.transaction() as session:
                return self._apply_batch(session, parsed, isolate=True)

    def _apply_batch(
        self,
        session: Session,
        parsed: list[tuple[ConsumerRecord, CloudEvent | None, str | None]],
        *,
        isolate: bool,
    ) -> Outcome:
        outcome = Outcome()
        ids = [evt.id for _, evt, _ in parsed if evt is not None]
        seen = (
            set(session.execute(select(self.inbox.c.event_id).where(self.inbox.c.event_id.in_(ids))).scalars())
            if ids
            else set()
        )
        inbox_rows: list[dict[str, Any]] = []
        run: list[CloudEvent] = []  # consecutive events for one batch handler
        run_handler: Any = None
        now = datetime.now(UTC)
        for record, evt, parse_error in parsed:
            if evt is None:
                self._dead_letter(session, record, None, parse_error or "unparseable")
                outcome.dead += 1
                continue
            if evt.id in seen:
                outcome.duplicates += 1
                continue
            seen.add(evt.id)
            handler = self.handlers.get(evt.type)
            if handler is None:
                outcome.ignored += 1
                continue
            if isolate:
                error = self._apply(session, handler, evt)
            else:
                if run and (run_handler is not handler):
                    self._run_batch(session, run_handler, run)
                    run = []
                if isinstance(handler, BatchHandler):
                    run_handler = handler
                    run.append(evt)
                else:
                    self._call_fast(session, handler, evt)
                error = None
            row = {"event_id": evt.id, "topic": record.topic, "type": evt.type, "processed_at": now}
            if error is None:
                inbox_rows.append({**row, "outcome": "done", "error": None})
                outcome.processed += 1
                CONSUMER_PROCESSED.labels(self.service, evt.type, "done").inc()
            else:
                inbox_rows.append({**row, "outcome": "dead", "error": error})
                self._dead_letter(session, record, evt, error)
                outcome.dead += 1
                CONSUMER_PROCESSED.labels(self.service, evt.type, "dead").inc()
        if run:
            self._run_batch(session, run_handler, run)
        if inbox_rows:
            session.execute(self.inbox.insert(), inbox_rows)
        return outcome

    @staticmethod
    def _call_fast(session: Session, handler: EventHandler, evt: CloudEvent) -> None:
        try:
            handler(session, evt)
        except Exception as exc:
            raise _HandlerFailed from exc

    @staticmethod
    def _run_batch(session: Session, handler: BatchHandler, events: list[CloudEvent]) -> None:
        try:
            handler.fn(session, events)
        except Exception as exc:
            raise _HandlerFailed from exc

    def _apply(self, session: Session, handler: Handler, evt: CloudEvent) -> str | None:
        """Run a handler in a savepoint up to N times; the last error, or None on success."""
        error = None
        for attempt in range(self.settings.dlq_after_failures):
            mark = pending_count(session)
            savepoint = session.begin_nested()
            try:
                if isinstance(handler, BatchHandler):
                    handler.fn(session, [evt])
                else:
                    handler(session, evt)
                session.flush()
                savepoint.commit()
                return None
            except Exception as exc:
                savepoint.rollback()
                discard_after(session, mark)  # the events it emitted go with its effects
                error = f"{type(exc).__name__}: {exc}"[:2000]
                log.warning(
                    "event handler failed",
                    extra={"event_id": evt.id, "event_type": evt.type, "attempt": attempt + 1, "error": error},
                )
                time.sleep(0.01 * (attempt + 1))
        return error

    def _dead_letter(self, session: Session, record: ConsumerRecord, evt: CloudEvent | None, error: str) -> None:
        original: Any = evt.model_dump(mode="json") if evt is not None else (record.value or b"").decode("utf-8", "replace")
        letter = CloudEvent(
            source=self.outbox.source,
            type="govnet.dlq.event.failed.v1",
            subject=evt.id if evt is not None else f"{record.topic}:{record.partition}:{record.offset}",
            data={
                "consumer_group": self.group_id,
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "error": error,
                "event": original,
            },
        )
        self.outbox.add(session, letter, topic=DLQ_TOPIC)

    def _export_lag(self, consumer: AIOKafkaConsumer) -> None:
        for tp in consumer.assignment():
            highwater = consumer.highwater(tp)
            if highwater is None:
                continue
            try:
                position = consumer._subscription.subscription.assignment.state_value(tp).position
            except Exception:
                continue
            if position is not None:
                CONSUMER_LAG.labels(self.service, tp.topic, str(tp.partition)).set(max(0, highwater - position))


def _topic_of_type(event_type: str) -> str:
    # govnet.<segment>.<entity>.<verb>.v1 -> govnet.<segment>.events
    parts = event_type.split(".")
    return f"{parts[0]}.{parts[1]}.events"
