"""Helpers for tests and benchmarks, kept out of the runtime library.

Ports for brokers and servers a test starts, and scratch PostgreSQL databases that exist for one
test or one benchmark run. Benchmarks import this module too (they put the repository root on
``sys.path``).
"""

from __future__ import annotations

import random
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, make_url, text


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
