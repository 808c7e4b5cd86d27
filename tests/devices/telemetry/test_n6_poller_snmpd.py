"""N6/N14: the poller reads a real snmpd's loopback counters over v2c and v3 authPriv."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

from services.devices.telemetry.counters import CounterReading, choose_counters, interval
from services.devices.telemetry.poller import (
    Credentials,
    InterfaceRow,
    PollResult,
    SnmpPoller,
    SnmpVersion,
    Target,
)
from tests.devices.telemetry.snmpd import Agent, free_udp_port

MOVED = 8 * 1024 * 1024


def v2c(agent: Agent, community: str | None = None) -> Target:
    return Target(
        1, "127.0.0.1", Credentials(SnmpVersion.V2C, community=community or agent.community), port=agent.port
    )


def v3(agent: Agent, priv_key: str | None = None) -> Target:
    creds = Credentials(
        SnmpVersion.V3, user=agent.user, auth_key=agent.auth_key, priv_key=priv_key or agent.priv_key
    )
    return Target(2, "127.0.0.1", creds, port=agent.port)


def poll(target: Target, **options: float) -> PollResult:
    async def run() -> PollResult:
        poller = SnmpPoller(**options)  # type: ignore[arg-type]
        try:
            return await poller.poll(target)
        finally:
            poller.close()

    return asyncio.run(run())


def loopback(result: PollResult) -> InterfaceRow:
    return next(row for row in result.interfaces if row.name == "lo")


def reading(result: PollResult) -> CounterReading:
    row = loopback(result)
    in_octets, out_octets, bits = choose_counters(
        hc_in=row.hc_in, hc_out=row.hc_out, in32=row.in32, out32=row.out32
    )
    assert result.uptime_ticks is not None
    return CounterReading(
        ts=result.ts, uptime_ticks=result.uptime_ticks, in_octets=in_octets, out_octets=out_octets, bits=bits
    )


def send_over_loopback(size: int) -> None:
    """Move ``size`` bytes over a local TCP connection (both ends on lo)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        received = 0

        def drain() -> None:
            nonlocal received
            conn, _ = server.accept()
            with conn:
                while chunk := conn.recv(1 << 16):
                    received += len(chunk)

        thread = threading.Thread(target=drain)
        thread.start()
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(b"\0" * size)
        thread.join(10)
    assert received == size


def test_n6_v2c_reads_loopback_interface_table(snmpd: Agent) -> None:
    result = poll(v2c(snmpd))
    assert result.reachable and result.error is None
    assert result.uptime_ticks is not None and result.uptime_ticks >= 0
    lo = loopback(result)
    assert lo.if_index >= 1 and lo.oper_status == 1
    assert lo.hc_in is not None and lo.hc_out is not None
    assert lo.high_speed is not None or lo.if_speed is not None
    assert result.requests >= 2


def test_n6_v3_authpriv_sha256_aes_reads_the_same_agent(snmpd: Agent) -> None:
    result = poll(v3(snmpd))
    assert result.reachable, result.error
    assert loopback(result).hc_in is not None


def test_n6_traffic_between_polls_shows_in_the_delta(snmpd: Agent) -> None:
    first = poll(v3(snmpd))
    send_over_loopback(MOVED)
    # snmpd caches the interface table for a few seconds; wait it out.
    time.sleep(5.5)
    second = poll(v2c(snmpd))
    # loopback's ifSpeed (10 Mb/s) is nominal, so no line-rate check here.
    got = interval(reading(first), reading(second), speed=None)
    assert got is not None and got.seconds > 5
    assert got.in_octets is not None and got.in_octets >= MOVED
    assert got.out_octets is not None and got.out_octets >= MOVED


def test_n14_wrong_community_is_unreachable_not_a_crash(snmpd: Agent) -> None:
    result = poll(v2c(snmpd, community="not-the-community"), timeout=0.5, retries=0)
    assert not result.reachable and result.error and result.interfaces == []


def test_n14_wrong_v3_key_is_unreachable_not_a_crash(snmpd: Agent) -> None:
    result = poll(v3(snmpd, priv_key="wrong-priv-key-123"), timeout=0.5, retries=0)
    assert not result.reachable and result.error


def test_n14_no_agent_on_the_port_is_unreachable() -> None:
    target = Target(3, "127.0.0.1", Credentials(SnmpVersion.V2C, community="x"), port=free_udp_port())
    started = time.monotonic()
    result = poll(target, timeout=0.3, retries=1)
    assert not result.reachable
    assert time.monotonic() - started < 5


def test_n14_concurrency_cap_polls_many_targets(snmpd: Agent) -> None:
    async def run() -> list[PollResult]:
        poller = SnmpPoller(concurrency=3)
        try:
            return await poller.poll_many([v2c(snmpd)] * 6 + [v3(snmpd)] * 2)
        finally:
            poller.close()

    results = asyncio.run(run())
    assert [r.reachable for r in results] == [True] * 8
