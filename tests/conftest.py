"""Fixtures every test shares: databases (SQLite, and PostgreSQL when GOVNET_TEST_POSTGRES_URL is
set), the real embedded broker, tokens signed by a test key pair, and service clients.

Any test that takes ``db_url`` runs once per database backend.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from shared import migrations

# the helpers live in tests/support.py; these names stay importable from here for older imports
from tests.support import POSTGRES_URL as POSTGRES_URL
from tests.support import TEST_AUDIENCE as TEST_AUDIENCE
from tests.support import TEST_ISSUER as TEST_ISSUER
from tests.support import Broker as Broker
from tests.support import SigningKeys as SigningKeys
from tests.support import free_test_port, scratch_database
from tests.support import service_settings as service_settings
from tests.support import wait_until as wait_until


# -- databases ----------------------------------------------------------------------------
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" in metafunc.fixturenames:
        backends = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
        if metafunc.definition.get_closest_marker("postgres_only"):
            # a PostgreSQL mechanism (e.g. an exclusion constraint): SQLite has nothing to prove
            backends = ["postgres"] if POSTGRES_URL else []
        metafunc.parametrize("db_backend", backends, scope="function")


@pytest.fixture
def db_url(db_backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the parametrised backend (no tables yet)."""
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    assert POSTGRES_URL
    with scratch_database(POSTGRES_URL, "govnet_test") as url:
        yield url


# -- the broker ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """One broker for the session (tests that stop a broker use ``own_broker``)."""
    b = Broker(port=free_test_port(), log_path=tmp_path_factory.mktemp("broker") / "tansu.log")
    b.start()
    yield b
    b.stop()


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    """A broker of this test's own, free to be stopped and restarted."""
    b = Broker(port=free_test_port(), log_path=tmp_path / "tansu.log")
    b.start()
    yield b
    b.stop()


# -- tokens -------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> SigningKeys:
    k = SigningKeys(Ed25519PrivateKey.generate(), "test-key-1", tmp_path_factory.mktemp("jwks") / "jwks.json")
    k.publish()
    return k


# -- service apps -------------------------------------------------------------------------
ClientFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(keys: SigningKeys, tmp_path: Path) -> Iterator[ClientFactory]:
    """``make_client(service, db_url, broker=None, **settings)``: a migrated app in a TestClient."""
    opened: list[TestClient] = []

    def factory(service: str, db_url: str, *, broker: Broker | None = None, **overrides: Any) -> TestClient:
        migrations.upgrade(service, db_url)
        if broker is not None:
            overrides.setdefault("kafka_bootstrap", broker.bootstrap)
            overrides.setdefault("events_enabled", True)
        overrides.setdefault("jwks_url", keys.jwks_url)
        overrides.setdefault("var_dir", tmp_path / "var")
        settings = service_settings(service, db_url, **overrides)
        app = importlib.import_module(f"services.{service}.app").create_app(settings)
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        return client

    yield factory
    for client in reversed(opened):
        client.__exit__(None, None, None)
