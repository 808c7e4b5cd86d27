"""The ledger (tests/platform/ledger.py) on this test's database, started against a broker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.db import Database
from tests.platform.ledger import Base, LedgerSettings, create_ledger_app
from tests.support import Broker


@pytest.fixture
def ledger(db_url: str, tmp_path: Path, keys: Any) -> Iterator[Any]:
    """``ledger(broker)`` -> (client, database) of the test service on this test's database."""
    database = Database(db_url)
    Base.metadata.create_all(database.engine)
    clients: list[TestClient] = []

    def start(broker: Broker, **overrides: Any) -> tuple[TestClient, Database]:
        values: dict[str, Any] = {
            "database_url": db_url,
            "kafka_bootstrap": broker.bootstrap,
            "events_enabled": True,
            "jwks_url": keys.jwks_url,
            "var_dir": tmp_path,
        }
        settings = LedgerSettings(**{**values, **overrides})
        client = TestClient(create_ledger_app(settings), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client, database

    yield start
    for client in clients:
        client.__exit__(None, None, None)
    database.dispose()
