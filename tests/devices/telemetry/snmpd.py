"""A real Net-SNMP agent for the telemetry tests, on a free loopback UDP port with its own config."""

from __future__ import annotations

import os
import random
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SNMPD = "/usr/sbin/snmpd"


@dataclass(frozen=True)
class Agent:
    """A running snmpd: where it listens and the credentials it accepts."""

    port: int
    community: str
    user: str
    auth_key: str
    priv_key: str


def free_udp_port() -> int:
    """A free loopback UDP port in 20000-30000 (below the ephemeral range)."""
    for _ in range(500):
        port = random.randint(20000, 30000)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free UDP port")


def _answers(port: int, community: str) -> bool:
    out = subprocess.run(
        [
            "snmpget",
            "-v2c",
            "-c",
            community,
            "-t",
            "0.3",
            "-r",
            "0",
            f"udp:127.0.0.1:{port}",
            "1.3.6.1.2.1.1.3.0",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.returncode == 0


@contextmanager
def running_snmpd(tmp: Path) -> Iterator[Agent]:
    """Start snmpd (foreground, -C: only our config) and stop it afterwards."""
    agent = Agent(
        port=free_udp_port(),
        community="c" + secrets.token_hex(8),
        user="poller" + secrets.token_hex(3),
        auth_key="a" + secrets.token_hex(10),
        priv_key="p" + secrets.token_hex(10),
    )
    persistent = tmp / "snmp-persist"
    persistent.mkdir()
    conf = tmp / "snmpd.conf"
    conf.write_text(
        f"rocommunity {agent.community} 127.0.0.1\n"
        f"createUser {agent.user} SHA-256 {agent.auth_key} AES {agent.priv_key}\n"
        f"rouser {agent.user} priv\n"
        "sysLocation govnet-test\n"
    )
    env = {**os.environ, "SNMP_PERSISTENT_DIR": str(persistent), "MIBS": "", "MIBDIRS": "/nonexistent"}
    proc = subprocess.Popen(
        [
            SNMPD,
            "-f",
            "-Lo",
            "-C",
            "-c",
            str(conf),
            "-p",
            str(tmp / "snmpd.pid"),
            f"udp:127.0.0.1:{agent.port}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not _answers(agent.port, agent.community):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("snmpd did not start")
            time.sleep(0.1)
        yield agent
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
