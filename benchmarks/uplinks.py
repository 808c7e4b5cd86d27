"""The uplink report's cost: figures and verdicts for N links over D days from the daily roll-ups.

Loads ``telemetry_daily`` for ``--links`` links × 2 directions × ``--days`` days (each day a
day's 288 five-minute utilisation values, sorted and packed as the poller stores them) into a scratch SQLite
(and PostgreSQL with ``--postgres URL``) database, then times :func:`link_figures` plus the route
check, the report's whole computation without HTTP. Prints the load time too.

    .venv/bin/python benchmarks/uplinks.py [--links 100] [--days 92] [--postgres URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from services.devices.rules import UPLINK_ROUTES, UPLINK_RULES
from services.devices.telemetry.models import TelemetryDaily, pack_values
from services.devices.telemetry.uplinks import UplinkRef, link_figures, route_checks
from shared import migrations
from shared.db import Database
from tests.support import create_scratch_database, drop_scratch_database

START = date(2026, 1, 1)


def load(db: Database, links: int, days: int) -> float:
    rng = random.Random(7)
    started = time.perf_counter()
    batch: list[dict[str, object]] = []
    with db.transaction() as session:
        for link in range(1, links + 1):
            for direction in (0, 1):
                base = rng.randint(1000, 7000)
                for offset in range(days):
                    values = [max(0, int(rng.gauss(base, 800))) for _ in range(288)]
                    batch.append({
                        "link_id": link, "direction": direction, "day": START + timedelta(days=offset),
                        "samples": 288, "max_bp": max(values),
                        "over_threshold": sum(1 for v in values if v >= 9000),
                        "histogram": pack_values(values),
                    })
                    if len(batch) >= 5000:
                        session.execute(insert(TelemetryDaily), batch)
                        batch.clear()
        if batch:
            session.execute(insert(TelemetryDaily), batch)
    return time.perf_counter() - started


def run(url: str, name: str, links: int, days: int, rounds: int) -> None:
    migrations.upgrade("devices", url)
    db = Database(url, pool_size=2)
    try:
        loaded = load(db, links, days)
        refs = [UplinkRef(i, (i + 1) // 2, f"r{i}", "VNPT", "AB"[i % 2], 10**9) for i in range(1, links + 1)]
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            with db.transaction(write=False) as session:
                figures = link_figures(session=session, links=refs, start=START, end=START + timedelta(days=days - 1),
                                       rule=UPLINK_RULES["tt06_2026"].value)
            route_checks(refs, required=UPLINK_ROUTES.value)
            times.append(time.perf_counter() - started)
        assert len(figures) == links
        print(f"{name}: {links} links × 2 × {days} days = {links * 2 * days:,} roll-up rows; "
              f"load {loaded:.1f} s; report median {statistics.median(times):.3f} s (min {min(times):.3f})")
    finally:
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--links", type=int, default=100)
    parser.add_argument("--days", type=int, default=92)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'devices.db'}", "SQLite", args.links, args.days, args.rounds)
    if args.postgres:
        url = create_scratch_database(args.postgres, "govnet_bench_uplinks")
        try:
            run(url, "PostgreSQL", args.links, args.days, args.rounds)
        finally:
            drop_scratch_database(args.postgres, url)


if __name__ == "__main__":
    main()
