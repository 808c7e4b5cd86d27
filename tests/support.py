"""Helpers for tests and benchmarks, kept out of the runtime library (fixtures stay in conftest.py).

Ports for brokers and servers a test starts, scratch PostgreSQL databases that exist for one
test or one benchmark run, a broker a test may stop and start, test signing keys standing in
for the gateway, settings for a service under test, and polling. Benchmarks import this module
too (they put the repository root on ``sys.path``).
"""

from __future__ import annotations

import importlib
import json
import os
import random
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from sqlalchemy import create_engine, make_url, text

from shared.broker import start_broker

TEST_ISSUER = "http://127.0.0.1:8000"
TEST_AUDIENCE = "govnet"
POSTGRES_URL = os.environ.get("GOVNET_TEST_POSTGRES_URL")


def free_test_port() -> int:
    """A free loopback port BELOW the ephemeral range, for brokers and servers that tests start.

    A client that keeps reconnecting to a dead port inside the ephemeral range can connect to
    itself (TCP simultaneous open), so a stopped broker would look alive. Real brokers listen
    on 9092; test brokers get ports from 20000-30000 for the same reason.
    """
    for _ in range(500):
        port = random.randint(20000, 30000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-30000")


def create_scratch_database(admin_url: str, prefix: str = "govnet_scratch") -> str:
    """Create an empty PostgreSQL database next to ``admin_url``'s; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))  # a generated name: safe to quote in
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_scratch_database(admin_url: str, url: str) -> None:
    """Drop a database made by :func:`create_scratch_database`, closing its connections."""
    name = make_url(url).database
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def scratch_database(admin_url: str, prefix: str = "govnet_scratch") -> Iterator[str]:
    """A PostgreSQL database that exists for the ``with`` block."""
    url = create_scratch_database(admin_url, prefix)
    try:
        yield url
    finally:
        drop_scratch_database(admin_url, url)


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


# -- services and polling -----------------------------------------------------------------
def service_settings(service: str, db_url: str, **overrides: Any) -> Any:
    """Settings for ``service`` on ``db_url``; events off unless a broker is given."""
    module = importlib.import_module(f"services.{service}.settings")
    base = importlib.import_module("shared.config").ServiceSettings
    cls = next(v for v in vars(module).values() if isinstance(v, type) and issubclass(v, base) and v is not base)
    values: dict[str, Any] = {
        "database_url": db_url,
        "events_enabled": False,
        "jwt_issuer": TEST_ISSUER,
        "jwt_audience": TEST_AUDIENCE,
        "kafka_bootstrap": "127.0.0.1:1",
    }
    values.update(overrides)
    return cls(**values)


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
