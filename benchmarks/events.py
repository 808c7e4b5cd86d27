"""Events end to end: outbox -> relay -> tansu -> consumer (inbox) -> effect, on SQLite and PostgreSQL.

A writer thread commits state changes at a steady offered rate (each transaction inserts its
events into the producing service's outbox); the relay publishes them; a consumer in another
process and another database (the consuming service) applies each one exactly once. Latency is commit-of-the-event to
commit-of-its-effect. Prints throughput and p50/p99 per backend.

    .venv/bin/python benchmarks/events.py [--events 20000] [--rate 5000] [--backends sqlite,postgres]
                                          [--handlers per-event,batch]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Column, Float, Integer, String, Table, text
from sqlalchemy.orm import Session

from shared.broker import start_broker
from shared.config import SuiteSettings
from shared.db import Database, service_registry
from shared.events import CloudEvent, Outbox, event_tables
from shared.events.consumer import BatchHandler, EventConsumer, Handler
from shared.events.relay import OutboxRelay
from tests.support import create_scratch_database, drop_scratch_database, free_test_port

EVENT_TYPE = "govnet.benchfeed.item.changed.v1"
#: concurrent request streams committing state changes (as API workers would)
WRITERS = 2


def _schema() -> tuple[object, Table]:
    reg = service_registry()
    tables = event_tables(reg.metadata)
    effects = Table(
        "effect",
        reg.metadata,
        Column("id", Integer, primary_key=True),
        Column("event_id", String(36), nullable=False),
        Column("latency", Float, nullable=False),
    )
    return (reg.metadata, tables), effects


def _consumer_process(
    consumer_url: str, bootstrap: str, topic: str, mode: str, group_id: str, ready: Any, stop: Any
) -> None:
    """The consuming service, in its own process as it would be deployed."""
    (meta, tables), effects = _schema()
    database = Database(consumer_url)
    insert_effect = effects.insert()

    def apply(session: Session, event: CloudEvent) -> None:
        """The effect of one event: one row (a statement per event)."""
        session.execute(insert_effect, {"event_id": event.id, "latency": time.time() - float(event.data["t"])})

    def apply_run(session: Session, events: list[CloudEvent]) -> None:
        """The same effects for a run of events: one executemany."""
        now = time.time()
        session.execute(insert_effect, [{"event_id": e.id, "latency": now - float(e.data["t"])} for e in events])

    handler: Handler = BatchHandler(apply_run) if mode == "batch" else apply

    async def run() -> None:
        consumer = EventConsumer(
            service="benchsink",
            database=database,
            outbox=Outbox(service="benchsink", tables=tables),  # type: ignore[arg-type]
            settings=SuiteSettings(kafka_bootstrap=bootstrap),
            handlers={EVENT_TYPE: handler},
            topics=[topic],
            group_id=group_id,
        )
        task = asyncio.create_task(consumer.run())
        while not (consumer._consumer and consumer._consumer.assignment()):
            await asyncio.sleep(0.05)
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await consumer.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(run())
    database.dispose()


async def run_backend(
    backend: str, mode: str, n_events: int, rate: int, bootstrap: str, pg_base: str | None
) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="govnet-bench-"))
    cleanup: list[str] = []
    if backend == "sqlite":
        producer_url, consumer_url = f"sqlite:///{tmp / 'producer.db'}", f"sqlite:///{tmp / 'consumer.db'}"
    else:
        assert pg_base
        producer_url = create_scratch_database(pg_base, "govnet_bench")
        consumer_url = create_scratch_database(pg_base, "govnet_bench")
        cleanup = [producer_url, consumer_url]

    (p_meta, p_tables), _ = _schema()
    (c_meta, _c_tables), _effects = _schema()
    producer_db, consumer_db = Database(producer_url), Database(consumer_url)
    p_meta.create_all(producer_db.engine)  # type: ignore[attr-defined]
    c_meta.create_all(consumer_db.engine)  # type: ignore[attr-defined]

    feed = f"benchfeed{uuid.uuid4().hex[:6]}"
    producer_outbox = Outbox(service=feed, tables=p_tables)  # type: ignore[arg-type]
    settings = SuiteSettings(kafka_bootstrap=bootstrap, kafka_partitions=3)
    ctx = multiprocessing.get_context("spawn")
    ready, stop = ctx.Event(), ctx.Event()
    sink = ctx.Process(
        target=_consumer_process,
        args=(consumer_url, bootstrap, producer_outbox.topic, mode, f"bench-{uuid.uuid4().hex[:6]}", ready, stop),
    )
    relay = OutboxRelay(service=feed, database=producer_db, tables=p_tables, settings=settings)  # type: ignore[arg-type]
    relay_task = asyncio.create_task(relay.run())
    # the topic exists once the relay is connected; then the consumer can join its group
    while not relay.broker_ok:
        await asyncio.sleep(0.05)
    sink.start()
    if not await asyncio.to_thread(ready.wait, 60):
        raise RuntimeError("the consumer did not join its group within 60 s")

    def writer(share: int, offset: int) -> None:
        """One of WRITERS concurrent request streams: commits at rate/WRITERS events per second
        (rate 0: as fast as it can, 50 events a transaction)."""
        per_tick, tick = (max(1, rate // 50 // WRITERS), 0.02) if rate else (50, 0.0)
        sent = 0
        next_at = time.monotonic()
        while sent < share:
            with producer_db.transaction() as session:
                now = time.time()
                for _ in range(min(per_tick, share - sent)):
                    n = offset + sent
                    producer_outbox.emit(session, EVENT_TYPE, subject=f"item-{n % 500}", data={"t": now, "n": n})
                    sent += 1
            next_at += tick
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)

    def applied() -> int:
        with consumer_db.transaction(write=False) as session:
            return int(session.execute(text("SELECT count(*) FROM effect")).scalar_one())

    started = time.time()
    shares = [n_events // WRITERS + (1 if i < n_events % WRITERS else 0) for i in range(WRITERS)]
    threads = [
        threading.Thread(target=writer, args=(share, sum(shares[:i])), daemon=True) for i, share in enumerate(shares)
    ]
    for thread in threads:
        thread.start()
    deadline = started + max(120, n_events / 100)
    while await asyncio.to_thread(applied) < n_events:
        if time.time() > deadline:
            raise RuntimeError("not every event arrived in time")
        await asyncio.sleep(0.01)
    elapsed = time.time() - started
    for thread in threads:
        thread.join()
    stop.set()
    await asyncio.to_thread(sink.join, 30)
    await relay.stop()
    relay_task.cancel()
    await asyncio.gather(relay_task, return_exceptions=True)
    with consumer_db.transaction(write=False) as session:
        count, distinct = session.execute(text("SELECT count(*), count(DISTINCT event_id) FROM effect")).one()
        latencies = sorted(float(x) for x in session.execute(text("SELECT latency FROM effect")).scalars())
    producer_db.dispose()
    consumer_db.dispose()
    for url in cleanup:
        drop_scratch_database(pg_base or "", url)
    return {
        "effects": float(count),
        "distinct": float(distinct),
        "throughput": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--rate", type=int, default=5_000, help="offered load, events/s")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--handlers", default="per-event,batch", help="per-event: a statement per event; batch: a BatchHandler"
    )
    parser.add_argument("--port", type=int, default=0, help="broker port (default: a free one)")
    args = parser.parse_args()
    pg_base = os.environ.get("GOVNET_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    port = args.port or free_test_port()
    args.port = port
    broker = start_broker("127.0.0.1", port)
    try:
        print(f"{args.events} events per run, outbox -> tansu -> consumer (inbox), each effect exactly once")
        print("peak: writers flat out (throughput); at rate: offered load fixed (latency)")
        print(
            f"{'backend':<10}{'handler':<11}{'peak ev/s':>10}"
            f"{'at ' + str(args.rate) + '/s: ev/s':>18}{'p50 ms':>9}{'p99 ms':>9}"
        )
        bootstrap = f"127.0.0.1:{args.port}"
        for backend in args.backends.split(","):
            for mode in args.handlers.split(","):
                peak = asyncio.run(run_backend(backend, mode, args.events, 0, bootstrap, pg_base))
                paced = asyncio.run(run_backend(backend, mode, args.events, args.rate, bootstrap, pg_base))
                for r in (peak, paced):
                    assert r["effects"] == r["distinct"] == args.events, r
                print(
                    f"{backend:<10}{mode:<11}{peak['throughput']:>10.0f}{paced['throughput']:>18.0f}"
                    f"{paced['p50_ms']:>9.1f}{paced['p99_ms']:>9.1f}",
                    flush=True,
                )
    finally:
        broker.terminate()
        broker.wait()


if __name__ == "__main__":
    main()
