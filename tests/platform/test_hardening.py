"""Issue 9 (Hardening), platform parts: settings only from ``GOVNET_*``, a failed JWKS fetch is
logged and counted, the relay re-checks PostgreSQL leadership, revoked grants survive a restart."""

from __future__ import annotations

import logging
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import func, select, text

from services.gateway.settings import GatewaySettings
from services.ipam.settings import IpamSettings
from shared.auth import TokenVerifier
from shared.config import SuiteSettings
from shared.db import Database
from shared.events.relay import OutboxRelay
from tests.conftest import POSTGRES_URL, TEST_AUDIENCE, TEST_ISSUER, Broker, SigningKeys, wait_until
from tests.support import scratch_database


# -- settings -----------------------------------------------------------------------------
def test_hardening_11_settings_ignore_variables_without_the_govnet_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    default = SuiteSettings().jwks_url
    for name, value in {
        "JWKS_URL": "http://attacker.invalid/jwks.json",
        "jwks_url": "http://attacker.invalid/lower.json",
        "JWT_ISSUER": "http://attacker.invalid",
        "KAFKA_BOOTSTRAP": "attacker.invalid:9092",
        "DATABASE_URL": "sqlite:////tmp/attacker.db",
        "PORT": "1",
    }.items():
        monkeypatch.setenv(name, value)
    for settings in (SuiteSettings(), IpamSettings(), GatewaySettings()):
        assert settings.jwks_url == default
        assert settings.jwt_issuer == "http://127.0.0.1:8000"
        assert settings.kafka_bootstrap == "127.0.0.1:9092"
    assert IpamSettings().database_url.endswith("ipam.db") and IpamSettings().port == 8101

    monkeypatch.setenv("GOVNET_JWKS_URL", "file:///etc/govnet/jwks.json")
    monkeypatch.setenv("GOVNET_IPAM_PORT", "9101")
    assert SuiteSettings().jwks_url == "file:///etc/govnet/jwks.json"
    assert IpamSettings().jwks_url == "file:///etc/govnet/jwks.json"
    assert GatewaySettings().jwks_url == "file:///etc/govnet/jwks.json"
    assert IpamSettings().port == 9101
    # keyword arguments (tests, the CLI) still set a value by its field name
    assert IpamSettings(jwks_url="file:///x").jwks_url == "file:///x"


# -- JWKS ---------------------------------------------------------------------------------
def _failures(service: str, reason: str) -> float:
    value = REGISTRY.get_sample_value(
        "govnet_jwks_fetch_failures_total", {"service": service, "reason": reason}
    )
    return value or 0.0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_hardening_11_failed_jwks_fetch_is_logged_and_counted(
    keys: SigningKeys, caplog: pytest.LogCaptureFixture
) -> None:
    port = _closed_port()  # nothing listens: the fetch fails to connect
    url = f"http://user:s3cret@127.0.0.1:{port}/.well-known/jwks.json?api_key=hunter2"
    verifier = TokenVerifier(jwks_url=url, issuer=TEST_ISSUER, audience=TEST_AUDIENCE, service="jwks-test")
    before = _failures("jwks-test", "ConnectError")
    with caplog.at_level(logging.WARNING, logger="govnet.auth"):
        with pytest.raises(Exception, match="signing key is unknown"):
            verifier.verify(keys.token("ipam:read"))
    assert _failures("jwks-test", "ConnectError") == before + 1
    records = [r for r in caplog.records if r.name == "govnet.auth"]
    assert len(records) == 1 and records[0].levelno == logging.WARNING
    logged = records[0].getMessage() + repr(records[0].__dict__)
    assert f"127.0.0.1:{port}/.well-known/jwks.json" in logged
    assert "s3cret" not in logged and "hunter2" not in logged and "user:" not in logged

    missing = TokenVerifier(
        jwks_url="file:///nonexistent/jwks.json", issuer=TEST_ISSUER, audience=TEST_AUDIENCE, service="jwks-test"
    )
    before_missing = _failures("jwks-test", "FileNotFoundError")
    with pytest.raises(Exception, match="signing key is unknown"):
        missing.verify(keys.token("ipam:read"))
    assert _failures("jwks-test", "FileNotFoundError") == before_missing + 1


def test_hardening_11_service_counts_jwks_failures_in_its_metrics(db_url: str, make_client: Any, keys: SigningKeys) -> None:
    client = make_client("ipam", db_url, jwks_url=f"http://127.0.0.1:{_closed_port()}/jwks.json")
    assert client.get("/api/v1/ipam/agencies", headers=keys.headers("ipam:read")).status_code == 401
    metrics = client.get("/metrics").text
    assert 'govnet_jwks_fetch_failures_total{reason="ConnectError",service="ipam"}' in metrics


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


# -- revoked grants survive a restart -----------------------------------------------------
def test_hardening_11_restarted_service_still_refuses_a_revoked_grant(
    db_url: str, broker: Broker, keys: SigningKeys, make_client: Any
) -> None:
    import asyncio

    from aiokafka import AIOKafkaProducer

    from shared.events import CloudEvent

    grant = f"grant-{time.time_ns()}"
    headers = keys.headers("ipam:read", grant=grant)
    client = make_client("ipam", db_url, broker=broker)
    assert client.get("/api/v1/ipam/agencies", headers=headers).status_code == 200

    event = CloudEvent(
        source="/govnet/gateway", type="govnet.gateway.grant.revoked.v1", subject=grant, data={"grant_id": grant}
    )

    async def publish() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
        await producer.start()
        try:
            await producer.send_and_wait("govnet.gateway.events", event.to_bytes(), key=grant.encode())
        finally:
            await producer.stop()

    asyncio.run(publish())
    wait_until(lambda: client.get("/api/v1/ipam/agencies", headers=headers).status_code == 401, timeout=30)
    client.__exit__(None, None, None)

    # a new process on the same database, without the broker: nothing can replay the event
    restarted = make_client("ipam", db_url)
    refused = restarted.get("/api/v1/ipam/agencies", headers=headers)
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    assert restarted.get("/api/v1/ipam/agencies", headers=keys.headers("ipam:read", grant="other")).status_code == 200
