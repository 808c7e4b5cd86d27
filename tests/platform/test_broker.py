"""shared/broker.py: the embedded broker starts, is seen listening, and is never left orphaned."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from shared import broker
from shared.broker import port_in_use, start_broker, wait_for_port
from tests.support import free_test_port


def test_started_broker_listens_until_stopped(tmp_path: Path) -> None:
    port = free_test_port()
    assert not port_in_use("127.0.0.1", port)
    proc = start_broker("127.0.0.1", port, log_path=tmp_path / "tansu.log")
    try:
        assert port_in_use("127.0.0.1", port)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert (tmp_path / "tansu.log").exists()


def test_a_broker_that_never_listens_is_killed_not_leaked(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def popen(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        started.append(real_popen(["sleep", "30"]))
        return started[-1]

    monkeypatch.setattr(broker.subprocess, "Popen", popen)
    monkeypatch.setattr(broker, "wait_for_port", lambda *a, **k: wait_for_port(*a, **{**k, "timeout": 0.3}))
    with pytest.raises(TimeoutError):
        start_broker("127.0.0.1", free_test_port())
    assert started and started[0].poll() is not None
