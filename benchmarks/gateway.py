"""Gateway overhead: the same cheap authenticated GET directly against IPAM and through the gateway.

Both services run under uvicorn in their own processes, started the same way (``govnet serve``:
uvloop, httptools, access log off, log level WARNING, events off); the load comes from a
separate process (an asyncio + httpx client at fixed concurrency), measuring both paths in
alternating rounds (A B B A) so background load on a shared box falls on both. The gateway path has authentication (EdDSA
token, grant check), rate limiting (token bucket, limit set high enough not to throttle) and the
hash-chained audit trail on. Prints requests/s, p50 and p99 for both paths and their ratio.

    .venv/bin/python benchmarks/gateway.py                 # 20 s each, SQLite
    .venv/bin/python benchmarks/gateway.py --seconds 5     # quicker
    .venv/bin/python benchmarks/gateway.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import create_scratch_database, drop_scratch_database, free_test_port

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
PATH = "/api/v1/ipam/agencies?limit=1"

LOAD_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys, time
    import httpx

    url, token, concurrency, seconds, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])

    async def main():
        headers = {"Authorization": "Bearer " + token}
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(limits=limits, timeout=30, trust_env=False) as client:
            latencies, errors = [], 0
            start = time.perf_counter()
            measure_from = start + warmup
            stop = measure_from + seconds

            async def worker():
                nonlocal errors
                while True:
                    t0 = time.perf_counter()
                    if t0 >= stop:
                        return
                    r = await client.get(url, headers=headers)
                    t1 = time.perf_counter()
                    if t0 >= measure_from:
                        if r.status_code == 200:
                            latencies.append(t1 - t0)
                        else:
                            errors += 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            latencies.sort()
            n = len(latencies)
            print(json.dumps({
                "requests": n, "errors": errors, "rps": n / seconds,
                "p50_ms": latencies[n // 2] * 1000 if n else None,
                "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else None,
                "latencies": latencies,
            }))

    asyncio.run(main())
    """
)


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def run_load(url: str, token: str, concurrency: int, seconds: float, warmup: float) -> dict[str, Any]:
    out = subprocess.run(
        [PY, "-c", LOAD_SCRIPT, url, token, str(concurrency), str(seconds), str(warmup)],
        capture_output=True, text=True, check=True,
    )
    return dict(json.loads(out.stdout))


def abba(direct_url: str, gateway_url: str, token: str, concurrency: int, seconds: float, warmup: float,
         rounds: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Measure both paths in alternating order (A B B A ...), ``seconds`` in all per path.

    The box is shared, so background load drifts; alternating the order spreads the drift over
    both paths instead of charging it to whichever ran second.
    """
    runs: dict[str, list[dict[str, Any]]] = {direct_url: [], gateway_url: []}
    for i in range(rounds):
        order = (direct_url, gateway_url) if i % 2 == 0 else (gateway_url, direct_url)
        for url in order:
            runs[url].append(run_load(url, token, concurrency, seconds / rounds, warmup))

    def merged(parts: list[dict[str, Any]]) -> dict[str, Any]:
        lat = sorted(x for p in parts for x in p["latencies"])
        n = len(lat)
        return {"requests": n, "errors": sum(p["errors"] for p in parts), "rps": n / seconds,
                "p50_ms": lat[n // 2] * 1000 if n else float("nan"),
                "p99_ms": lat[min(n - 1, int(n * 0.99))] * 1000 if n else float("nan")}

    return merged(runs[direct_url]), merged(runs[gateway_url])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per path")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency-seconds", type=float, default=6.0, help="extra run at concurrency 1 (overhead per request)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="split each measurement into this many alternating rounds (A B B A ...)")
    parser.add_argument("--postgres", help="base PostgreSQL URL: gateway and IPAM databases are created there")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="govnet-bench-gw-"))
    if args.postgres:
        gw_db, ipam_db = (create_scratch_database(args.postgres, "govnet_bench") for _ in range(2))
    else:
        gw_db, ipam_db = f"sqlite:///{tmp / 'gateway.db'}", f"sqlite:///{tmp / 'ipam.db'}"
    gw_port, ipam_port = free_test_port(), free_test_port()
    gw_url, ipam_url = f"http://127.0.0.1:{gw_port}", f"http://127.0.0.1:{ipam_port}"
    env = {
        **os.environ,
        "GOVNET_VAR_DIR": str(tmp),
        "GOVNET_EVENTS_ENABLED": "false",
        "GOVNET_LOG_LEVEL": "WARNING",
        "GOVNET_JWKS_URL": f"{gw_url}/.well-known/jwks.json",
        "GOVNET_GATEWAY_DATABASE_URL": gw_db,
        "GOVNET_GATEWAY_UPSTREAM_IPAM": ipam_url,
        "GOVNET_GATEWAY_ACCESS_TOKEN_SECONDS": "3600",
        "GOVNET_GATEWAY_RATE_LIMIT_CLIENT_RPS": "100000",
        "GOVNET_GATEWAY_RATE_LIMIT_CLIENT_BURST": "100000",
        "GOVNET_IPAM_DATABASE_URL": ipam_db,
    }
    govnet = [PY, "-m", "services.cli"]
    for svc in ("gateway", "ipam"):
        subprocess.run([*govnet, "migrate", svc], env=env, cwd=REPO, check=True, capture_output=True)
    created = subprocess.run(
        [*govnet, "client", "create", "--name", "bench", "--org", "Benchmark", "--scope", "ipam:read", "--json"],
        env=env, cwd=REPO, check=True, capture_output=True, text=True,
    )
    client = json.loads(created.stdout)
    logs = open(tmp / "services.log", "ab")
    procs = [
        subprocess.Popen([*govnet, "serve", "gateway", "--port", str(gw_port)], env=env, cwd=REPO, stdout=logs, stderr=logs),
        subprocess.Popen([*govnet, "serve", "ipam", "--port", str(ipam_port)], env=env, cwd=REPO, stdout=logs, stderr=logs),
    ]
    try:
        wait_http(gw_url + "/healthz")
        wait_http(ipam_url + "/healthz")
        token = httpx.post(gw_url + "/oauth/token", data={"grant_type": "client_credentials"},
                           auth=(client["client_id"], client["client_secret"])).json()["access_token"]
        for base in (ipam_url, gw_url):
            r = httpx.get(base + PATH, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 200, (base, r.status_code, r.text)
        direct, via = abba(ipam_url + PATH, gw_url + PATH, token, args.concurrency, args.seconds, args.warmup,
                           args.rounds)
        direct_1, via_1 = abba(ipam_url + PATH, gw_url + PATH, token, 1, args.latency_seconds, 1.0, args.rounds)
        admin_check = subprocess.run(
            [PY, "-c", "from services.gateway.settings import GatewaySettings;"
             "from shared.db import Database;from sqlalchemy import text;"
             "db=Database(GatewaySettings().database_url);"
             "print(db.engine.connect().execute(text(\"select count(*) from audit_records where kind='proxy'\")).scalar())"],
            env=env, cwd=REPO, capture_output=True, text=True,
        )
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=15)
        if args.postgres:
            for url in (gw_db, ipam_db):
                drop_scratch_database(args.postgres, url)
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"gateway benchmark — {backend}, GET {PATH}, concurrency {args.concurrency}, {args.seconds:g} s each, "
          f"{os.cpu_count()} cores, {args.rounds} alternating rounds, load average {os.getloadavg()[0]:.1f}")
    print(f"{'path':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for name, r in (("direct", direct), ("gateway", via)):
        print(f"{name:<10}{r['rps']:>10.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}{r['errors']:>8}")
    for name, r in (("direct c=1", direct_1), ("gateway c=1", via_1)):
        print(f"{name:<12}{r['rps']:>8.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}{r['errors']:>8}")
    print(f"unloaded overhead (concurrency 1): p50 +{via_1['p50_ms'] - direct_1['p50_ms']:.2f} ms")
    print(f"throughput ratio gateway/direct: {via['rps'] / direct['rps']:.0%}  "
          f"(target >= 60%); p50 added: {via['p50_ms'] - direct['p50_ms']:.2f} ms (at saturation, mostly queueing)")
    print(f"audit records written for proxied requests: {admin_check.stdout.strip() or admin_check.stderr.strip()[-200:]}")


if __name__ == "__main__":
    main()
