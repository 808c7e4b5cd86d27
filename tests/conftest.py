"""Fixtures every test shares: databases (SQLite, and PostgreSQL when GOVNET_TEST_POSTGRES_URL is
set), the real embedded broker, tokens signed by a test key pair, and service clients.

Any test that takes ``db_url`` runs once per database backend.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from jwt.algorithms import OKPAlgorithm

from shared import migrations
from shared.broker import start_broker
from tests.support import free_test_port, scratch_database

TEST_ISSUER = "http://127.0.0.1:8000"
TEST_AUDIENCE = "govnet"
POSTGRES_URL = os.environ.get("GOVNET_TEST_POSTGRES_URL")


# -- databases ----------------------------------------------------------------------------
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" in metafunc.fixturenames:
        backends = ["sqlite"] + (["postgres"] if POSTGRES_URL else [])
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
@dataclass
class Broker:
    """A real tansu broker on loopback that a test may stop and start again (same port)."""

    port: int
    log_path: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = start_broker("127.0.0.1", self.port, log_path=self.log_path)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


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
@dataclass
class SigningKeys:
    """A test Ed25519 key pair published as a JWKS file, standing in for the gateway."""

    private_key: Ed25519PrivateKey
    kid: str
    jwks_path: Path
    extra_keys: list[tuple[str, Ed25519PrivateKey]] = field(default_factory=list)

    @property
    def jwks_url(self) -> str:
        return f"file://{self.jwks_path}"

    def publish(self) -> None:
        keys = []
        for kid, key in [(self.kid, self.private_key), *self.extra_keys]:
            jwk = json.loads(OKPAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"})
        self.jwks_path.write_text(json.dumps({"keys": keys}))

    def claims(self, scopes: str | list[str], **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        scope = scopes if isinstance(scopes, str) else " ".join(scopes)
        claims: dict[str, Any] = {
            "iss": TEST_ISSUER,
            "aud": TEST_AUDIENCE,
            "sub": "user:tester",
            "client_id": "test-client",
            "org": "org-test",
            "grant": "grant-test",
            "scope": scope,
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, scopes: str | list[str] = "", *, kid: str | None = None, key: Any = None, **claims: Any) -> str:
        """A signed access token with ``scopes`` and any claim overridden."""
        return jwt.encode(
            self.claims(scopes, **claims), key or self.private_key, algorithm="EdDSA", headers={"kid": kid or self.kid}
        )

    def headers(self, scopes: str | list[str] = "", **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(scopes, **claims)}"}


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> SigningKeys:
    k = SigningKeys(Ed25519PrivateKey.generate(), "test-key-1", tmp_path_factory.mktemp("jwks") / "jwks.json")
    k.publish()
    return k


# -- service apps -------------------------------------------------------------------------
def service_settings(service: str, db_url: str, **overrides: Any) -> Any:
    """Settings for ``service`` on ``db_url``; events off unless a broker is given."""
    module = importlib.import_module(f"services.{service}.settings")
    cls = next(v for k, v in vars(module).items() if k.endswith("Settings") and k != "ServiceSettings")
    values: dict[str, Any] = {
        "database_url": db_url,
        "events_enabled": False,
        "jwt_issuer": TEST_ISSUER,
        "jwt_audience": TEST_AUDIENCE,
        "kafka_bootstrap": "127.0.0.1:1",
    }
    values.update(overrides)
    return cls(**values)


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


def wait_until(predicate: Callable[[], Any], *, timeout: float = 20.0, interval: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")
        time.sleep(interval)
