"""shared/events/relay.py: the outbox reaches the broker through an outage, in order and exactly
once, and only the relay holding the PostgreSQL lock publishes (issue 9, item 11)."""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from shared.db import Database
from shared.events.relay import OutboxRelay
from tests.platform.ledger import applied_effects
from tests.support import POSTGRES_URL, Broker, SigningKeys, scratch_database, wait_until


def test_outbox_survives_a_broker_outage_in_order_and_exactly_once(own_broker: Broker, ledger: Any) -> None:
    client, database = ledger(own_broker)
    keys = [f"k{i}" for i in range(10)]
    for key in keys:
        assert client.post(f"/api/v1/ledger/{key}").status_code == 200
    wait_until(lambda: len(applied_effects(database)) == len(keys), timeout=30)

    own_broker.stop()
    for i in range(500):
        response = client.post(f"/api/v1/ledger/{keys[i % len(keys)]}")
        assert response.status_code == 200, response.text
    # the broker is down: ready says degraded, and reads still answer
    ready = client.get("/readyz").json()
    assert ready["status"] == "degraded"
    assert ready["checks"]["broker"] == "down"
    assert ready["checks"]["outbox_backlog"] >= 500
    assert client.get(f"/api/v1/ledger/{keys[0]}").json() == {"value": 51}

    # the restarted embedded broker is empty: topics are re-created and offsets are lost
    own_broker.start()
    wait_until(lambda: len(applied_effects(database)) >= 510, timeout=90)
    wait_until(lambda: client.get("/readyz").json()["checks"]["outbox_backlog"] == 0, timeout=30)

    applied = applied_effects(database)
    assert len(applied) == 510, "each event has exactly one effect"
    assert len({e.event_id for e in applied}) == 510
    per_key: dict[str, list[int]] = defaultdict(list)
    for e in applied:
        per_key[e.key].append(e.seq)
    for key in keys:
        assert per_key[key] == list(range(1, 52)), f"events of {key} arrived out of order"


# -- relay leadership (PostgreSQL) --------------------------------------------------------
if POSTGRES_URL:  # the advisory lock exists only on PostgreSQL; SQLite runs one relay per file

    def test_hardening_11_relay_stops_publishing_when_its_lock_connection_dies(
        broker: Broker, tmp_path: Path, keys: SigningKeys
    ) -> None:
        from tests.platform.ledger import TABLES, Base, LedgerSettings, create_ledger_app

        with scratch_database(POSTGRES_URL or "", "govnet_test") as url:
            database = Database(url)
            Base.metadata.create_all(database.engine)
            settings = LedgerSettings(
                database_url=url, kafka_bootstrap=broker.bootstrap, events_enabled=True,
                jwks_url=keys.jwks_url, var_dir=tmp_path,
            )
            key = OutboxRelay(service="ledger", database=database, tables=TABLES, settings=settings).lock_key
            backlog = select(func.count()).select_from(TABLES.outbox)
            rival = database.engine.connect()
            try:
                with TestClient(create_ledger_app(settings), raise_server_exceptions=False) as client:
                    assert client.post("/api/v1/ledger/a").status_code == 200
                    with database.engine.connect() as conn:
                        wait_until(lambda: conn.execute(backlog).scalar() == 0)  # the relay is active

                        def lock_holder() -> Any:
                            return conn.execute(
                                text(
                                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = :k AND granted "
                                    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                                ),
                                {"k": key},
                            ).scalar()

                        pid = lock_holder()
                        assert pid is not None
                        conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
                        conn.commit()
                        # another replica takes the freed lock before the relay notices
                        wait_until(
                            lambda: rival.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
                        )
                        rival.commit()
                        for _ in range(3):
                            assert client.post("/api/v1/ledger/a").status_code == 200
                        time.sleep(2.0)  # many relay rounds: none may publish without the lock
                        assert conn.execute(backlog).scalar() == 3
                        conn.commit()
                        rival.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                        rival.commit()
                        # the relay takes the lock again and publishes what waited
                        def drained() -> bool:
                            left = conn.execute(backlog).scalar()
                            conn.commit()  # a fresh snapshot each time
                            return left == 0

                        wait_until(drained, timeout=20)
                        assert lock_holder() not in (None, pid)
            finally:
                rival.close()
                database.dispose()
