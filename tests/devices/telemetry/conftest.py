"""Fixtures of the telemetry tests: a real snmpd on a free loopback UDP port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.devices.telemetry.snmpd import Agent, running_snmpd


@pytest.fixture(scope="module")
def snmpd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Agent]:
    """Debian's snmpd with a random v2c community and a v3 authPriv (SHA-256/AES-128) user."""
    with running_snmpd(tmp_path_factory.mktemp("snmpd")) as agent:
        yield agent
