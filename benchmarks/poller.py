"""The SNMP poller's cost: CPU seconds per cycle and interfaces/s, and one table against snmpbulkwalk.

Starts Debian's snmpd on a free loopback port (as the tests do) and polls it as ``--devices``
simulated devices in one cycle (each a full poll: sysUpTime GET plus the multi-column GETBULK of
ifTable/ifXTable, v2c or v3 authPriv), with the concurrency cap of the settings, then records
every result (counter state, samples of one uplink per device, roll-ups) into a scratch SQLite
database as ``govnet poller`` does. Prints the poller process's CPU seconds (snmpd's own CPU is
not counted), wall time and interfaces/s, and the projection to 10,000 interfaces per 300 s
cycle. Then times one device's interface table with the poller and with Net-SNMP's
``snmpbulkwalk`` on the same agent.

    .venv/bin/python benchmarks/poller.py [--devices 200] [--v3] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.devices.telemetry.poller import Credentials, SnmpPoller, SnmpVersion, Target
from services.devices.telemetry.runner import Job, poll_once
from services.devices.telemetry.store import LinkSpec, Policy
from shared import migrations
from shared.db import Database
from tests.devices.telemetry.snmpd import Agent, running_snmpd


def targets(agent: Agent, devices: int, v3: bool) -> list[Job]:
    if v3:
        creds = Credentials(SnmpVersion.V3, user=agent.user, auth_key=agent.auth_key, priv_key=agent.priv_key)
    else:
        creds = Credentials(SnmpVersion.V2C, community=agent.community)
    return [Job(Target(i, "127.0.0.1", creds, port=agent.port), [LinkSpec(i, 1)]) for i in range(1, devices + 1)]


async def cycle(db: Database, jobs: list[Job], concurrency: int) -> tuple[float, float, int, int]:
    poller = SnmpPoller(concurrency=concurrency, timeout=5, retries=1)
    try:
        report = await poll_once(db=db, poller=poller, jobs=lambda _s: jobs, policy=Policy())
    finally:
        poller.close()
    return report.cpu_seconds, report.wall_seconds, report.interfaces, report.reachable


async def one_table(agent: Agent, v3: bool, rounds: int) -> list[float]:
    poller = SnmpPoller()
    job = targets(agent, 1, v3)[0]
    times = []
    try:
        await poller.poll(job.target)  # engine discovery (v3) outside the timing
        for _ in range(rounds):
            started = time.perf_counter()
            result = await poller.poll(job.target)
            times.append(time.perf_counter() - started)
            assert result.reachable
    finally:
        poller.close()
    return times


def snmpbulkwalk(agent: Agent, v3: bool, rounds: int) -> list[float]:
    if v3:
        auth = ["-v3", "-l", "authPriv", "-u", agent.user, "-a", "SHA-256", "-A", agent.auth_key, "-x", "AES", "-X", agent.priv_key]
    else:
        auth = ["-v2c", "-c", agent.community]
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for table in ("1.3.6.1.2.1.2.2", "1.3.6.1.2.1.31.1.1"):
            subprocess.run(
                ["snmpbulkwalk", *auth, "-On", "-Cr25", f"udp:127.0.0.1:{agent.port}", table],
                check=True,
                capture_output=True,
                env={"MIBS": "", "PATH": "/usr/bin:/bin"},
            )
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--v3", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_snmpd(Path(tmp)) as agent:
        url = f"sqlite:///{Path(tmp) / 'devices.db'}"
        migrations.upgrade("devices", url)
        db = Database(url, pool_size=2)
        jobs = targets(agent, args.devices, args.v3)
        asyncio.run(cycle(db, jobs, args.concurrency))  # first cycle: counter state, v3 discovery
        cpu, wall, interfaces, reachable = asyncio.run(cycle(db, jobs, args.concurrency))
        assert reachable == args.devices, f"only {reachable} of {args.devices} answered"
        per_if = cpu / interfaces
        print(f"cycle: {args.devices} devices, {interfaces} interfaces ({'v3 authPriv' if args.v3 else 'v2c'})")
        print(f"  poller CPU {cpu:.3f} s, wall {wall:.3f} s, {interfaces / wall:.0f} interfaces/s (wall), "
              f"{interfaces / cpu:.0f} interfaces per CPU second")
        projected = per_if * 10_000
        print(f"  projected 10,000 interfaces: {projected:.1f} CPU s per 300 s cycle = {100 * projected / 300:.1f} % of one core")
        ours = one_table(agent, args.v3, args.rounds)
        theirs = snmpbulkwalk(agent, args.v3, args.rounds)
        print(f"one device's interface table: poller median {1000 * statistics.median(asyncio.run(ours)):.1f} ms, "
              f"snmpbulkwalk (ifTable + ifXTable, two processes) median {1000 * statistics.median(theirs):.1f} ms")
        db.engine.dispose()


if __name__ == "__main__":
    main()
