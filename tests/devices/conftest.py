"""Fixtures shared by the devices tests: a migrated devices app in a TestClient."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

DevicesClient = Callable[..., TestClient]


@pytest.fixture
def devices(make_client: Any, db_url: str) -> DevicesClient:
    """``devices(broker=None, **settings)``: the devices app on the test's database (no token set)."""

    def factory(**overrides: Any) -> TestClient:
        client: TestClient = make_client("devices", db_url, **overrides)
        return client

    return factory
