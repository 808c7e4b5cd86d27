"""N11: syslog over the wire (util-linux logger, raw sockets), stored parsed, security events on the broker."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import time
from typing import Any

from aiokafka import AIOKafkaConsumer

from shared.events import CloudEvent
from tests.support import free_test_port, wait_until

API = "/api/v1/devices"
ADMIN = "devices:read devices:admin"
TEXT = "Cảnh báo đăng nhập thất bại"


def _client(make_client: Any, db_url: str, keys: Any, **overrides: Any) -> tuple[Any, int]:
    port = free_test_port()
    settings: dict[str, Any] = {"syslog_enabled": True, "syslog_port": port, "syslog_group_wait": 1.0}
    settings.update(overrides)
    client = make_client("devices", db_url, **settings)
    client.headers.update(keys.headers(ADMIN))
    return client, port


def _logger(port: int, *args: str) -> None:
    subprocess.run(
        ["/usr/bin/logger", "--server", "127.0.0.1", "--port", str(port), *args], check=True, timeout=10
    )


async def _security_events(bootstrap: str) -> list[CloudEvent]:
    consumer = AIOKafkaConsumer(
        "govnet.devices.events",
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=1500, max_records=100_000)
        events = [CloudEvent.from_bytes(r.value) for records in batches.values() for r in records if r.value]
        return [e for e in events if e.type == "govnet.devices.security.event.v1"]
    finally:
        await consumer.stop()


def test_n11_logger_udp_and_tcp_in_both_formats_stored_parsed_and_security_event_on_the_broker(
    db_url: str, make_client: Any, keys: Any, broker: Any
) -> None:
    client, port = _client(
        make_client, db_url, keys, broker=broker, syslog_group_wait=2.0, syslog_sender_refresh_seconds=0.01
    )
    tag = f"gov{port}"
    as_agency = keys.headers("devices:read devices:write", org="org-loopback")
    site = client.post(
        f"{API}/sites",
        headers=as_agency,
        json={"agency_id": 7, "name": "Phòng máy", "room_type": "phong_may"},
    )
    body = {
        "site_id": site.json()["id"],
        "name": "máy-chủ-lo",
        "role": "server",
        "management_address": "127.0.0.1",
    }
    device = client.post(f"{API}/devices", headers=as_agency, json={**body, "status": "active"})
    assert device.status_code == 201, device.text
    device_id = device.json()["id"]
    time.sleep(0.05)
    sends = [
        ("--udp", "--rfc3164"),
        ("--udp", "--rfc5424"),
        ("--tcp", "--rfc3164"),
        ("--tcp", "--rfc5424"),
        ("--tcp", "--rfc5424", "--octet-count"),
    ]
    for flags in sends:
        _logger(port, *flags, "-t", tag, "-p", "auth.warning", TEXT)
    _logger(port, "--udp", "--rfc5424", "-t", tag, "-p", "user.info", "Mọi thứ bình thường")

    page = wait_until(
        lambda: (p := client.get(f"{API}/syslog", params={"limit": 100}).json())["count"] == 6 and p
    )
    rows = page["results"]
    by_transport = sorted((r["transport"], r["format"]) for r in rows if r["message"] == TEXT)
    assert by_transport == sorted(
        [("udp", "rfc3164"), ("udp", "rfc5424"), ("tcp", "rfc3164"), ("tcp", "rfc5424"), ("tcp", "rfc5424")]
    )
    for r in rows:
        assert r["app_name"] == tag and r["sender"] == "127.0.0.1" and r["timestamp"] is not None
        assert (r["device_id"], r["agency"]) == (device_id, "org-loopback")  # attributed to its device
    warn = [r for r in rows if r["message"] == TEXT]
    assert {(r["facility"], r["severity"]) for r in warn} == {(4, 4)}

    # one burst of the same message from one sender: grouped, the count is every message
    def grouped() -> Any:
        events = client.get(f"{API}/security-events").json()
        return sum(e["count"] for e in events["results"]) == 5 and events

    events = wait_until(grouped, timeout=20)
    assert {e["category"] for e in events["results"]} == {"failed_login"} and len(events["results"]) <= 2
    on_broker = wait_until(
        lambda: [e for e in asyncio.run(_security_events(broker.bootstrap)) if e.data["app_name"] == tag],
        timeout=30,
    )
    assert sum(e.data["count"] for e in on_broker) == 5
    assert on_broker[0].data["message"] == TEXT and on_broker[0].data["sender"] == "127.0.0.1"
    assert (on_broker[0].data["device_id"], on_broker[0].data["agency"]) == (device_id, "org-loopback")
    assert on_broker[0].subject == str(device_id)
    # the agency sees its device's messages; another agency sees none
    assert (
        client.get(f"{API}/syslog", headers=keys.headers("devices:read", org="org-loopback")).json()["count"]
        == 6
    )
    assert (
        client.get(f"{API}/syslog", headers=keys.headers("devices:read", org="org-other")).json()["count"]
        == 0
    )


def test_n11_tcp_octet_counted_message_spanning_reads_keeps_its_newlines(
    db_url: str, make_client: Any, keys: Any
) -> None:
    client, port = _client(make_client, db_url, keys)
    msg = "<13>1 2026-01-02T09:00:00+07:00 sw1 app - - - dòng một\ndòng hai".encode()
    frame = str(len(msg)).encode() + b" " + msg + b"<14>Jan  2 09:00:01 sw1 app: LF framed\n"
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(0, len(frame), 7):
            s.sendall(frame[i : i + 7])
            time.sleep(0.002)
    page = wait_until(lambda: (p := client.get(f"{API}/syslog").json())["count"] == 2 and p)
    assert sorted(r["message"] for r in page["results"]) == ["LF framed", "dòng một\ndòng hai"]


def test_n11_unparseable_and_oversized_input_is_kept(db_url: str, make_client: Any, keys: Any) -> None:
    client, port = _client(make_client, db_url, keys)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b"\xff\x00 not syslog at all", ("127.0.0.1", port))
        s.sendto(b"<13>1 - h app - - - " + b"x" * 9000, ("127.0.0.1", port))
    page = wait_until(lambda: (p := client.get(f"{API}/syslog").json())["count"] == 2 and p)
    raw, big = sorted(page["results"], key=lambda r: len(r["message"]))
    assert raw["format"] == "raw" and raw["message"] == "\ufffd\ufffd not syslog at all"
    assert big["truncated"] and len(big["message"]) == 8192 - len("<13>1 - h app - - - ")


def test_n11_flood_drops_are_counted_exactly_and_the_api_keeps_answering(
    db_url: str, make_client: Any, keys: Any
) -> None:
    client, port = _client(
        make_client, db_url, keys, syslog_queue_size=500, syslog_batch_size=100, syslog_tcp=False
    )
    intake = client.app.state.syslog.intake
    sent = 0
    answered = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            for _ in range(2000):
                s.sendto(
                    b"<12>Jan  2 09:00:00 sw1 flood[1]: interface Gi0/%d down" % sent, ("127.0.0.1", port)
                )
                sent += 1
            assert client.get("/healthz").status_code == 200
            assert client.get(f"{API}/syslog", params={"limit": 1}).status_code == 200
            answered += 1
            assert intake.queue.qsize() <= 500  # bounded
    wait_until(lambda: intake.queue.empty() and intake.stored + intake.dropped == intake.received, timeout=60)
    time.sleep(0.5)
    assert intake.dropped > 0 and answered > 0
    assert intake.received == intake.stored + intake.dropped
    assert intake.received <= sent  # what the kernel dropped before us never reached the receiver
    assert client.get(f"{API}/syslog", params={"limit": 1}).json()["count"] == intake.stored
    metrics = client.get("/metrics").text
    assert "govnet_syslog_dropped_total" in metrics and "govnet_syslog_received_total" in metrics
