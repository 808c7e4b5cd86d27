"""The yearly inventory report (Art. 6.2a) over N devices: load time and report time, SQLite (and PostgreSQL).

Every device has a site, a reading and an outage, so each row does the full work (compliance,
availability, notices). Prints the load time and the report's wall time per backend.

    .venv/bin/python benchmarks/inventory.py [--devices 2000] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.devices.inventory.models import Device, EnvironmentReading, Role, RoomType, Site
from services.devices.inventory.report import inventory_rows
from services.devices.telemetry.models import DeviceReachability, Outage
from shared import migrations
from shared.auth import Principal
from shared.db import Database
from tests.support import create_scratch_database, drop_scratch_database

ADMIN = Principal(sub="bench", org=None, scopes=frozenset({"devices:admin"}), grant=None)


def run(url: str, devices: int) -> None:
    migrations.upgrade("devices", url)
    db = Database(url)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with db.session() as session:
        sites = [Site(agency_id=1 + i % 300, org_id=f"org-{i % 300}", name=f"Site {i}", room_type=RoomType.phong_may,
                      ups_present=True) for i in range(max(1, devices // 4))]
        session.add_all(sites)
        session.flush()
        rows = [Device(site_id=sites[i % len(sites)].id or 0, agency_id=sites[i % len(sites)].agency_id,
                       org_id=sites[i % len(sites)].org_id, name=f"D{i}", role=Role.switch, lan_ports=8, wan_ports=2,
                       snmp_v2c=True, syslog=True, ipv6=True, management_protocols=["ssh"]) for i in range(devices)]
        session.add_all(rows)
        session.flush()
        ms = int(now.timestamp() * 1000)
        for d in rows:
            session.add(EnvironmentReading(device_id=d.id or 0, at=now, temperature_c=22.0, humidity_pct=50.0))
            session.add(DeviceReachability(device_id=d.id or 0, up=True))
            session.add(Outage(device_id=d.id or 0, started_ms=ms - 3_600_000, ended_ms=ms - 1_800_000))
        session.commit()
    load = time.perf_counter() - started
    with db.session() as session:
        started = time.perf_counter()
        out = inventory_rows(session=session, principal=ADMIN, ruleset="qd58_2024", agency_id=None, year=now.year)
        elapsed = time.perf_counter() - started
    db.dispose()
    assert len(out) == devices
    print(f"{url.split(':')[0]:<20} devices={devices:>6}  load {load:6.2f} s  report {elapsed:6.2f} s  ({devices / elapsed:,.0f} rows/s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--backends", default="sqlite")
    args = parser.parse_args()
    for backend in args.backends.split(","):
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                run(f"sqlite:///{tmp}/bench.db", args.devices)
        else:
            admin = os.environ.get("GOVNET_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
            url = create_scratch_database(admin, "govnet_bench_inventory")
            try:
                run(url, args.devices)
            finally:
                drop_scratch_database(admin, url)


if __name__ == "__main__":
    main()
