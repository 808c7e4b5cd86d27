"""Benchmark of the NGO registry: 100,000 associations; p50/p95 of search, lists and statistics.

Runs the real app in-process (TestClient, so routing, auth, serialisation are included) on
SQLite and PostgreSQL. Usage:

    .venv/bin/python benchmarks/ngo.py [--count 100000] [--backend sqlite|postgres|both]
        [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--repeat 40]

Targets: search p95 <= 30 ms; any list page or statistic p95 <= 200 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from jwt.algorithms import OKPAlgorithm
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.ngo_registry.app import create_app
from services.ngo_registry.demo import bulk_load, generate
from services.ngo_registry.rules import DECREE_45_2010
from services.ngo_registry.settings import NgoRegistrySettings
from shared import migrations
from shared.db import make_engine
from tests.support import scratch_database

ISSUER, AUDIENCE = "http://127.0.0.1:8000", "govnet"
BATCH = 5000


def load(url: str, count: int) -> float:
    """Migrate and bulk insert ``count`` associations; returns seconds taken."""
    migrations.upgrade("ngo_registry", url)
    engine = make_engine(url, pool_size=1)
    started = time.perf_counter()
    today = date.today()
    batch: list[dict[str, Any]] = []
    next_id = 1
    with engine.begin() as conn:
        for payload in generate(count, today=today):
            batch.append(payload)
            if len(batch) == BATCH:
                next_id += bulk_load(conn, batch, rules=DECREE_45_2010, today=today, first_id=next_id)
                batch = []
        if batch:
            bulk_load(conn, batch, rules=DECREE_45_2010, today=today, first_id=next_id)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO association_fts(association_fts) VALUES ('optimize')"))
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


def token(key: Ed25519PrivateKey, scopes: str) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "bench", "org": "bench-org", "grant": "g-bench", "client_id": "bench", "scope": scopes, "iat": now, "exp": now + 3600, "jti": uuid.uuid4().hex}
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": "bench"})


def measure(fn: Callable[[int], Any], repeat: int) -> tuple[float, float]:
    fn(0)  # warm caches
    samples = []
    for i in range(repeat):
        started = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(round(0.95 * len(samples))) - 1)]


def run(url: str, count: int, repeat: int, workdir: Path) -> dict[str, tuple[float, float]]:
    load_seconds = load(url, count)
    print(f"  loaded {count} associations in {load_seconds:.1f} s", flush=True)
    key = Ed25519PrivateKey.generate()
    jwk = json.loads(OKPAlgorithm.to_jwk(key.public_key()))
    jwks = workdir / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "bench", "alg": "EdDSA", "use": "sig"}]}))
    settings = NgoRegistrySettings(
        database_url=url, events_enabled=False, backup_schedule_enabled=False, jwks_url=f"file://{jwks}", jwt_issuer=ISSUER, jwt_audience=AUDIENCE, var_dir=workdir / "var", kafka_bootstrap="127.0.0.1:1"
    )
    reader = {"Authorization": f"Bearer {token(key, 'ngo:read:basic')}"}
    value = {"Authorization": f"Bearer {token(key, 'ngo:read:value_added')}"}
    year = date.today().year - 1
    fields = ["nhan_dao", "y_te", "giao_duc", "khoa_hoc", "van_hoa", "kinh_te", "phap_luat"]
    results: dict[str, tuple[float, float]] = {}
    with TestClient(create_app(settings)) as client:

        def get(path: str, params: dict[str, Any], headers: dict[str, str]) -> None:
            response = client.get(f"/api/v1/ngo{path}", params=params, headers=headers)
            assert response.status_code == 200, response.text[:300]

        searches = ["hoi chu thap do", "luat gia ha noi", "nuoi ong", "tin hoc", "huu nghi viet nhat"]
        searches_vi = ["Hội Chữ thập đỏ", "Luật gia Hà Nội", "Nuôi ong", "Tin học", "Hữu nghị Việt - Nhật"]
        cases: dict[str, Callable[[int], Any]] = {
            "search (no diacritics)": lambda i: get("/associations", {"q": searches[i % 5], "limit": 20}, reader),
            "search (with diacritics)": lambda i: get("/associations", {"q": searches_vi[i % 5], "limit": 20}, reader),
            "search + filter (scope)": lambda i: get("/associations", {"q": searches[i % 5], "scope": "tinh", "limit": 20}, reader),
            "public list by field": lambda i: get("/public/associations", {"field": fields[i % 7], "limit": 50, "offset": (i * 50) % 2000}, {}),
            "(b) list by field": lambda i: get("/lists/by-field", {"field": fields[i % 7], "limit": 50, "offset": (i * 50) % 2000}, value),
            "(c) list by ministry": lambda i: get("/lists/by-ministry", {"managing_agency": "ubnd_tinh", "limit": 50, "offset": (i * 50) % 2000}, value),
            "(d) key leaders": lambda i: get("/lists/key-leaders", {"field": fields[i % 7], "limit": 50}, value),
            "(đ) chairpersons": lambda i: get("/lists/chairpersons", {"limit": 50, "offset": (i * 50) % 2000}, value),
            "(e) congress tracking (overdue)": lambda i: get("/lists/congress-tracking", {"min_level": 2 + i % 3, "limit": 50}, value),
            "(h) state staff statistics": lambda i: get("/statistics/state-staff", {"year": year}, value),
            "(i) funding statistics": lambda i: get("/statistics/funding", {"year": year}, value),
            "(k) head-office statistics": lambda i: get("/statistics/head-office", {}, value),
            "(l) nature statistics": lambda i: get("/statistics/nature", {}, value),
            "(l) list by nature": lambda i: get("/lists/by-nature", {"nature": "xa_hoi", "limit": 50}, value),
        }
        for name, fn in cases.items():
            results[name] = measure(fn, repeat)
            p50, p95 = results[name]
            print(f"  {name:<34} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        with tempfile.TemporaryDirectory(prefix="ngo-bench-") as tmp:
            workdir = Path(tmp)
            print(f"{backend}: {args.count} associations", flush=True)
            if backend == "sqlite":
                run(f"sqlite:///{workdir / 'ngo.db'}", args.count, args.repeat, workdir)
                continue
            with scratch_database(args.postgres_url, "ngo_bench") as url:
                run(url, args.count, args.repeat, workdir)


if __name__ == "__main__":
    main()
