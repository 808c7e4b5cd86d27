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
from shared.events.kafka import broker_reachable, stop_client
from shared.events.outbox import Outbox
from shared.observability import CONSUMER_LAG, CONSUMER_PROCESSED

log = logging.getLogger("govnet.events.consumer")

Handler = Callable[[Session, CloudEvent], None]


@dataclass
class Outcome:
    processed: int = 0
    duplicates: int = 0
    dead: int = 0
    ignored: int = 0


class EventConsumer:
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
        self._broker_lost = False
        self._broker_up = True
        self.totals = Outcome()

    async def run(self) -> None:
        """Consume until cancelled."""
        if not self.topics:
            return
        backoff = 0.2
        watchdog = asyncio.create_task(self._watch_broker(), name=f"{self.service}-broker-watchdog")
        try:
            while not self._stopping:
                if self._broker_lost:
                    # the broker went away; if it restarts empty, the old positions point past the
                    # new logs. Rebuild: a fresh consumer resumes from the committed offsets, or
                    # from the earliest when the broker lost them (the inbox absorbs the replay).
                    await self._drop_consumer()
                    if not self._broker_up:
                        await asyncio.sleep(0.1)
                        continue
                    self._broker_lost = False
                    log.info("broker is back; rejoining the consumer group")
                try:
                    consumer = await self._get_consumer()
                    try:
                        # aiokafka's getmany can hang while the broker is away: bound it
                        batches = await asyncio.wait_for(consumer.getmany(timeout_ms=200, max_records=1000), 2.0)
                    except TimeoutError:
                        continue
                    for tp, records in batches.items():
                        await self._handle_partition(consumer, tp, records)
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
            watchdog.cancel()
            await self._drop_consumer()

    async def _watch_broker(self) -> None:
        """Flag an outage the moment the broker stops answering (getmany may block through it)."""
        while True:
            up = await broker_reachable(self.settings.kafka_bootstrap, timeout=0.3)
            if not up:
                self._broker_lost = True
            self._broker_up = up
            await asyncio.sleep(0.1)

    async def stop(self) -> None:
        self._stopping = True

    async def _get_consumer(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            consumer = AIOKafkaConsumer(
                *self.topics,
                bootstrap_servers=self.settings.kafka_bootstrap,
                group_id=self.group_id,
                client_id=f"{self.service}-consumer",
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                metadata_max_age_ms=3000,
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

    async def _handle_partition(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, records: list[ConsumerRecord]
    ) -> None:
        if self._broker_lost:
            return  # records fetched across an outage may come from stale positions: drop them
        try:
            outcome = await asyncio.to_thread(self.process, records)
        except Exception:
            # nothing committed: read the batch again after a pause
            consumer.seek(tp, records[0].offset)
            raise
        for name in ("processed", "duplicates", "dead", "ignored"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(outcome, name))
        await consumer.commit({tp: records[-1].offset + 1})

    def process(self, records: list[ConsumerRecord]) -> Outcome:
        """Apply a batch of records in one transaction (one savepoint per event)."""
        outcome = Outcome()
        parsed: list[tuple[ConsumerRecord, CloudEvent | None, str | None]] = []
        for record in records:
            try:
                parsed.append((record, CloudEvent.from_bytes(record.value or b""), None))
            except Exception as exc:
                parsed.append((record, None, f"unparseable event: {exc}"[:2000]))
        with self.database.transaction() as session:
            ids = [evt.id for _, evt, _ in parsed if evt is not None]
            seen = set(
                session.execute(select(self.inbox.c.event_id).where(self.inbox.c.event_id.in_(ids))).scalars()
            ) if ids else set()
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
                error = self._apply(session, handler, evt)
                if error is None:
                    self._record(session, record, evt, "done", None)
                    outcome.processed += 1
                    CONSUMER_PROCESSED.labels(self.service, evt.type, "done").inc()
                else:
                    self._record(session, record, evt, "dead", error)
                    self._dead_letter(session, record, evt, error)
                    outcome.dead += 1
                    CONSUMER_PROCESSED.labels(self.service, evt.type, "dead").inc()
        return outcome

    def _apply(self, session: Session, handler: Handler, evt: CloudEvent) -> str | None:
        """Run a handler in a savepoint up to N times; the last error, or None on success."""
        error = None
        for attempt in range(self.settings.dlq_after_failures):
            savepoint = session.begin_nested()
            try:
                handler(session, evt)
                session.flush()
                savepoint.commit()
                return None
            except Exception as exc:
                savepoint.rollback()
                error = f"{type(exc).__name__}: {exc}"[:2000]
                log.warning(
                    "event handler failed",
                    extra={"event_id": evt.id, "event_type": evt.type, "attempt": attempt + 1, "error": error},
                )
                time.sleep(0.01 * (attempt + 1))
        return error

    def _record(self, session: Session, record: ConsumerRecord, evt: CloudEvent, outcome: str, error: str | None) -> None:
        session.execute(
            self.inbox.insert().values(
                event_id=evt.id,
                topic=record.topic,
                type=evt.type,
                outcome=outcome,
                error=error,
                processed_at=datetime.now(UTC),
            )
        )

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
                position = consumer._subscription.subscription.assignment.state_value(tp).position  # type: ignore[union-attr]
            except Exception:
                continue
            if position is not None:
                CONSUMER_LAG.labels(self.service, tp.topic, str(tp.partition)).set(max(0, highwater - position))


def _topic_of_type(event_type: str) -> str:
    # govnet.<segment>.<entity>.<verb>.v1 -> govnet.<segment>.events
    parts = event_type.split(".")
    return f"{parts[0]}.{parts[1]}.events"
