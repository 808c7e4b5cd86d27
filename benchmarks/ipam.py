"""IPAM at scale: next-free prefix and address, available-ips, utilization of 10k prefixes, CSV import.

Calls the service functions directly (no HTTP), each in its own committed transaction exactly as
the request dependency runs them, so the figures are the domain + database cost.

Seeds (bulk inserts): a /8 pool holding 50,000 allocated /24s packed from its start, and a /16
pool holding 65,000 assigned addresses. Then prints p50/p99 for:
  next-free /24 (POST available-prefixes), next-free address (POST available-ips, count 1),
  first page (50) of available-ips on the /16 and on the /8, utilization of 10,000 prefixes,
  and one import of 100,000 CSV rows.

    .venv/bin/python benchmarks/ipam.py                       # SQLite
    .venv/bin/python benchmarks/ipam.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/ipam.py --both --postgres ...  # both, one after the other
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select, text
from sqlmodel import Session

from services.ipam.access import system_principal
from services.ipam.addressing import netmath
from services.ipam.addressing.allocation import allocate_next_prefix, assign_next_addresses
from services.ipam.addressing.free_space import available_ips
from services.ipam.addressing.models import IpAddress, Prefix, PrefixKind
from services.ipam.addressing.prefixes import create_prefix
from services.ipam.addressing.schemas import AddressRequest, PrefixCreate, PrefixRequest
from services.ipam.addressing.usage import utilization_of
from services.ipam.base import utcnow
from services.ipam.bulk.inserts import PREFIX_TABLE, fast_insert, reserve_ids
from services.ipam.bulk.service import import_prefixes_csv
from services.ipam.organisation.models import AgencyLevel, ServiceCategory
from services.ipam.organisation.schemas import AgencyCreate, ServiceCreate
from services.ipam.organisation.service import create_agency, create_service
from shared import migrations
from shared.db import Database
from tests.support import scratch_database

BENCH = system_principal("bench")


def pct(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    p50 = statistics.median(s)
    p99 = s[min(len(s) - 1, int(round(0.99 * (len(s) - 1))))]
    return p50 * 1000, p99 * 1000


def timed(fn: Callable[[], Any], n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def insert_prefixes(s: Session, rows: list[dict[str, Any]]) -> None:
    """Insert prepared prefix rows (parents before children) with the importer's bulk path."""
    ids = reserve_ids(session=s, table="prefix", n=len(rows))
    now = utcnow()
    fast_insert(session=s, table=PREFIX_TABLE, rows=[
        {**r, "id": new_id, "created_at": now, "updated_at": now, "prefix_hint_hex": None, "ip_hint_hex": None}
        for r, new_id in zip(rows, ids, strict=True)
    ])


def seed(db: Database, allocations: int, addresses: int) -> dict[str, Any]:
    with db.transaction() as s:
        agency = create_agency(session=s, principal=BENCH, data=AgencyCreate(code="BENCH", name="Đơn vị đo", level=AgencyLevel.province))
        service = create_service(session=s, principal=BENCH, category=ServiceCategory.network, data=ServiceCreate(code="VPN", name="VPN"))
        pool8 = create_prefix(session=s, principal=BENCH, data=PrefixCreate(prefix="10.0.0.0/8", kind=PrefixKind.pool))
        pool16 = create_prefix(session=s, principal=BENCH, data=PrefixCreate(prefix="172.16.0.0/16", kind=PrefixKind.pool))
    base8 = netmath.parse_prefix("10.0.0.0/8").first
    rows = []
    for i in range(allocations):
        net = netmath.net_from_range(4, base8 + i * 256, 24)
        rows.append({
            "prefix": net.cidr, "vrf_id": None, "vrf_key": 0, "family": 4, "prefix_length": 24, "first_hex": net.first_hex,
            "last_hex": net.last_hex, "size": 256.0, "kind": "allocation", "status": "active", "agency_id": agency.id,
            "service_id": service.id, "purpose": "bench", "description": "", "parent_id": pool8.id,
        })
    t = time.perf_counter()
    with db.transaction() as s:
        insert_prefixes(s, rows)
    t_prefixes = time.perf_counter() - t
    base16 = netmath.parse_prefix("172.16.0.0/16").first
    now = utcnow()
    addr_rows = [
        {"address": netmath.address_text(4, base16 + i), "vrf_id": None, "vrf_key": 0, "family": 4, "value_hex": netmath.to_hex(base16 + i),
         "prefix_id": pool16.id, "status": "active", "dns_name": "", "description": "", "created_at": now, "updated_at": now}
        for i in range(addresses)
    ]
    t = time.perf_counter()
    with db.transaction() as s:
        table = IpAddress.__table__  # type: ignore[attr-defined]
        for i in range(0, len(addr_rows), 5000):
            s.execute(table.insert(), addr_rows[i : i + 5000])
    t_addresses = time.perf_counter() - t
    if not db.sqlite:
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return {"agency": agency.id, "service": service.id, "pool8": pool8.id, "pool16": pool16.id,
            "seed_prefixes_s": t_prefixes, "seed_addresses_s": t_addresses}


def run(url: str, *, allocations: int, addresses: int, import_rows: int, iterations: int) -> dict[str, Any]:
    migrations.upgrade("ipam", url)
    db = Database(url)
    try:
        ids = seed(db, allocations, addresses)
        out: dict[str, Any] = {k: v for k, v in ids.items() if k.startswith("seed")}
        owner = {"agency_id": ids["agency"], "service_id": ids["service"], "purpose": "bench"}

        def next_prefix() -> None:
            with db.transaction() as s:
                parent = s.get(Prefix, ids["pool8"])
                assert parent is not None
                allocate_next_prefix(session=s, principal=BENCH, parent=parent, data=PrefixRequest(prefix_length=24, **owner))

        def next_ip() -> None:
            with db.transaction() as s:
                parent = s.get(Prefix, ids["pool16"])
                assert parent is not None
                assign_next_addresses(session=s, principal=BENCH, parent=parent, data=AddressRequest(count=1))

        def page(prefix_id: int) -> Callable[[], None]:
            def go() -> None:
                with db.transaction(write=False) as s:
                    parent = s.get(Prefix, prefix_id)
                    assert parent is not None
                    assert len(available_ips(session=s, parent=parent, limit=50)) == 50

            return go

        out["next_free_24_cold_ms"] = timed(next_prefix, 1)[0] * 1000  # first call walks the packed /24s, then the hint holds
        out["next_free_24"] = pct(timed(next_prefix, iterations))
        out["next_free_ip_cold_ms"] = timed(next_ip, 1)[0] * 1000
        out["next_free_ip"] = pct(timed(next_ip, iterations))
        out["available_ips_16"] = pct(timed(page(ids["pool16"]), iterations))
        out["available_ips_8"] = pct(timed(page(ids["pool8"]), iterations))

        def utilization() -> None:
            with db.transaction(write=False) as s:
                rows = list(s.execute(select(Prefix).where(Prefix.parent_id == ids["pool8"]).order_by(Prefix.first_hex).limit(10_000)).scalars())  # type: ignore[arg-type]
                assert len(utilization_of(session=s, prefixes=rows)) == min(10_000, len(rows)) > 0

        out["utilization_10k"] = pct(timed(utilization, max(3, iterations // 10)))

        lines = ["prefix,vrf,status,tenant,role,description", "11.0.0.0/8,,container,,,bench import"]
        base = netmath.parse_prefix("11.0.0.0/8").first
        for i in range(import_rows - 1):
            lines.append(f"{netmath.net_from_range(4, base + i * 64, 26).cidr},,active,BENCH,VPN,row {i}")
        body = "\n".join(lines) + "\n"
        t = time.perf_counter()
        with db.transaction() as s:
            result = import_prefixes_csv(session=s, principal=BENCH, text=body, max_rows=import_rows + 10)
        out["import_s"] = time.perf_counter() - t
        assert result.created == import_rows
        return out
    finally:
        db.dispose()


def show(name: str, r: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\n== {name}: /8 with {args.allocations:,} /24s, /16 with {args.addresses:,} addresses ==")
    print(f"seed: {args.allocations:,} prefixes {r['seed_prefixes_s']:.2f} s, {args.addresses:,} addresses {r['seed_addresses_s']:.2f} s")
    print(f"next-free /24        p50 {r['next_free_24'][0]:7.2f} ms  p99 {r['next_free_24'][1]:7.2f} ms  (target p50 <= 5; cold first call {r['next_free_24_cold_ms']:.1f} ms)")
    print(f"next-free address    p50 {r['next_free_ip'][0]:7.2f} ms  p99 {r['next_free_ip'][1]:7.2f} ms  (target p50 <= 5; cold first call {r['next_free_ip_cold_ms']:.1f} ms)")
    print(f"available-ips /16    p50 {r['available_ips_16'][0]:7.2f} ms  p99 {r['available_ips_16'][1]:7.2f} ms  (target <= 20)")
    print(f"available-ips /8     p50 {r['available_ips_8'][0]:7.2f} ms  p99 {r['available_ips_8'][1]:7.2f} ms  (target <= 20)")
    print(f"utilization 10k      p50 {r['utilization_10k'][0]:7.2f} ms  p99 {r['utilization_10k'][1]:7.2f} ms  (target <= 500)")
    print(f"import {args.import_rows:,} rows   {r['import_s']:.2f} s  (target <= 30)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="PostgreSQL admin URL; a scratch database is created and dropped")
    parser.add_argument("--both", action="store_true", help="SQLite and then PostgreSQL")
    parser.add_argument("--allocations", type=int, default=50_000)
    parser.add_argument("--addresses", type=int, default=65_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=100)
    args = parser.parse_args()
    kw = {"allocations": args.allocations, "addresses": args.addresses, "import_rows": args.import_rows, "iterations": args.iterations}
    if not args.postgres or args.both:
        with tempfile.TemporaryDirectory() as tmp:
            show("SQLite", run(f"sqlite:///{tmp}/bench.db", **kw), args)
    if args.postgres:
        with scratch_database(args.postgres, "govnet_bench") as url:
            show("PostgreSQL", run(url, **kw), args)


if __name__ == "__main__":
    main()
