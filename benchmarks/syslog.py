"""Syslog intake: parsing rate on one core, and end to end over UDP on loopback.

1. Parsing: a mixed corpus of RFC 3164, RFC 5424 and vendor lines (Cisco, ESXi, Ubiquiti,
   Vietnamese text, structured data), parsed by ``services.devices.syslog.parse.parse``.
2. End to end: the real receiver and writer (``syslog.runtime.running``) on a migrated database;
   a separate sender process sends the corpus over UDP at ``--rate`` messages/s (0: as fast as
   it can) for ``--seconds``; reports received, stored, dropped (queue full) and lost (sent but
   never received: the kernel's socket buffer), and stored/s.

    .venv/bin/python benchmarks/syslog.py                                  # small: 200k parses, 2 s at 5,000/s
    .venv/bin/python benchmarks/syslog.py --parse 1000000 --rate 5000 --seconds 60
    .venv/bin/python benchmarks/syslog.py --rate 0 --seconds 10             # flat out
    .venv/bin/python benchmarks/syslog.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.devices.events import outbox
from services.devices.settings import DevicesSettings
from services.devices.syslog.parse import parse
from services.devices.syslog.runtime import running
from shared import migrations
from shared.db import Database

CORPUS: list[bytes] = [
    b"<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
    b"<13>Jan  2 09:00:00 sw-01.angiang.gov.vn sshd[2231]: Accepted publickey for admin from 10.1.2.3 port 52111 ssh2",
    b"<38>Jan  2 09:00:00 sshd[123]: Failed password for invalid user test from 203.0.113.9 port 4242 ssh2",
    "<14>Jan  2 09:00:00 pc-vanthu app: Cảnh báo đăng nhập thất bại từ máy 10.20.30.40".encode(),
    b"<189>52: *Mar  1 00:01:02.123: %SYS-5-CONFIG_I: Configured from console by vty0 (10.0.0.5)",
    b"<187>1337: Jan  2 09:00:00.001: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
    b"<30>dnsmasq-dhcp[2360]: DHCPACK(br0) 192.168.1.23 aa:bb:cc:dd:ee:ff android-1234",
    b"<166>2021-04-08T13:42:27.620Z esxi-01.local Hostd: [LikewiseGetDomainJoinInfo:355] QueryInformation(): ERROR_FILE_NOT_FOUND",
    b"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xef\xbb\xbf'su root' failed for lonvick on /dev/pts/8",
    b'<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Appl\\"ication" eventID="1011"] \xef\xbb\xbfAn application event log entry',
    b"<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
    "<86>1 2026-01-02T09:00:00.123456+07:00 fw-01 sshd 991 - - Phiên đăng nhập của quản trị viên đã mở".encode(),
]

SENDER = r"""
import socket, sys, time
port, rate, seconds = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
lines = [bytes.fromhex(h) for h in sys.stdin.read().split()]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent, start, n = 0, time.perf_counter(), len(lines)
while True:
    now = time.perf_counter() - start
    if now >= seconds:
        break
    due = int(now * rate) + 1 if rate > 0 else sent + 256
    while sent < due:
        s.sendto(lines[sent % n], ("127.0.0.1", port))
        sent += 1
    if rate > 0:
        time.sleep(0.001)
print(sent)
"""


def bench_parse(n: int) -> float:
    """Messages parsed per second on this core."""
    received = datetime.now(UTC)
    items = (CORPUS * (n // len(CORPUS) + 1))[:n]
    start = time.perf_counter()
    for data in items:
        parse(data, received=received)
    return n / (time.perf_counter() - start)


async def bench_udp(url: str, *, rate: float, seconds: float) -> dict[str, float]:
    """Send over UDP for ``seconds`` at ``rate``; what was received, stored, dropped and lost."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = DevicesSettings(database_url=url, syslog_port=port, syslog_tcp=False, events_enabled=False)
    database = Database(url)
    try:
        async with running(settings=settings, database=database, outbox=outbox) as receiver:
            intake = receiver.intake
            start = time.perf_counter()
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-c", SENDER, str(port), str(rate), str(seconds),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            )
            out, _ = await proc.communicate(" ".join(c.hex() for c in CORPUS).encode())
            sent = int(out)
            sender_done = time.perf_counter() - start
            while intake.stored + intake.dropped + intake.failed < intake.received:
                await asyncio.sleep(0.01)
            elapsed = time.perf_counter() - start
            result = {
                "sent": sent, "received": intake.received, "stored": intake.stored, "dropped": intake.dropped,
                "lost_before_receiver": sent - intake.received, "seconds": elapsed, "backlog_s": elapsed - sender_done, "stored_per_s": intake.stored / elapsed,
            }
    finally:
        database.dispose()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parse", type=int, default=200_000, help="messages to parse")
    ap.add_argument("--rate", type=float, default=5000, help="UDP messages/s (0: flat out)")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--postgres", help="a PostgreSQL admin URL (a scratch database is created)")
    args = ap.parse_args()

    print(f"parse: {bench_parse(args.parse):,.0f} msgs/s on one core ({args.parse:,} mixed 3164/5424/vendor lines)")
    if args.postgres:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.support import scratch_database

        with scratch_database(args.postgres, "govnet_bench") as url:
            migrations.upgrade("devices", url)
            r = asyncio.run(bench_udp(url, rate=args.rate, seconds=args.seconds))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            migrations.upgrade("devices", url)
            r = asyncio.run(bench_udp(url, rate=args.rate, seconds=args.seconds))
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"udp e2e ({backend}, rate {'max' if not args.rate else f'{args.rate:,.0f}/s'} for {args.seconds:g} s): "
        f"sent {r['sent']:,.0f}, received {r['received']:,.0f}, stored {r['stored']:,.0f}, dropped {r['dropped']:,.0f}, "
        f"lost before the receiver {r['lost_before_receiver']:,.0f}; {r['stored_per_s']:,.0f} stored/s "
        f"(all stored {r['backlog_s']:.1f} s after the sender stopped)"
    )


if __name__ == "__main__":
    main()
