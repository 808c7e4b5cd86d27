"""Issue 9 (hardening), the gateway's items: the path walk-around (1), bounded ids and offsets (3),
names without control or invisible characters (5), the proxy's stale keep-alive connections (10),
time zones, authentication before validation and per-source lockout (11), own ports (13)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.gateway.conftest import GatewayHarness, RecordingApp, ServedGateway, ThreadedServer, echo_app

WALK_AROUNDS = [
    "/api/v1/ngo/public/../documents",
    "/api/v1/ngo/public/%2e%2e/documents",
    "/api/v1/ngo/public/%2E%2E/documents",
    "/api/v1/ngo/public/.%2e/documents",
    "/api/v1/ngo/public/associations/../../documents",
    "/api/v1/ngo/public/./associations",
    "/api/v1/ngo/public/%2e/associations",
    "/api/v1/ngo/public/associations%2f..%2f..%2fdocuments",
    "/api/v1/ngo/public/associations%2F..%2F..%2Fdocuments",
    "/api/v1/ngo/public/..%5cdocuments",
    "/api/v1/ngo/public/..\\documents",
    "/api/v1/ngo//documents",
    "/api/v1/ngo/public/associations%00",
    "/api/v1/access/../ngo/documents",
    # a value-added reader's prefix rule (lists/**) must not lead to the department's documents
    "/api/v1/ngo/lists/../documents",
    "/api/v1/ngo/lists/%2e%2e/documents",
    "/api/v1/ngo/lists/by-field/..%2f..%2fdocuments",
    "/api/v1/ipam/../ngo/documents",
]


# -- 1: the path walk-around ------------------------------------------------------------------
@pytest.fixture
def walled(serve_gateway: Any) -> Iterator[tuple[ServedGateway, RecordingApp, str]]:
    upstream = RecordingApp(echo_app())
    with ThreadedServer(upstream) as server:
        served: ServedGateway = serve_gateway(upstream_ngo=server.url)
        yield served, upstream, served.token(["ngo:read:basic", "ngo:read:value_added", "ipam:read"])


def test_hardening_1_dot_segments_and_encoded_separators_are_400_and_never_forwarded(walled) -> None:  # type: ignore[no-untyped-def]
    served, upstream, token = walled
    bearer = {"Authorization": f"Bearer {token}"}
    # the rule itself: readers may not read the documents
    status, _ = served.raw("GET", "/api/v1/ngo/documents", bearer)
    assert status == 403
    for target in WALK_AROUNDS:
        for headers in (bearer, {}):
            status, answer = served.raw("GET", target, headers)
            assert status == 400, (target, answer)
            if b"problem+json" not in answer:  # the HTTP parser itself may refuse a raw backslash
                assert "\\" in target, (target, answer)
    assert upstream.seen == []
    # the refused attempts are in the audit trail, as sent
    served.gw.audit.flush()
    from sqlmodel import select

    from services.gateway.models import AuditRecord

    with served.gw.database.transaction(write=False) as session:
        refused = [r.path for r in session.exec(select(AuditRecord).where(AuditRecord.status == 400))]
    assert "/api/v1/ngo/public/../documents" in refused and "/api/v1/ngo/public/%2e%2e/documents" in refused


def test_hardening_1_the_upstream_gets_exactly_the_path_the_rule_was_matched_on(walled) -> None:  # type: ignore[no-untyped-def]
    served, upstream, _ = walled
    status, answer = served.raw("GET", "/api/v1/ngo/public/associations/%31?q=H%E1%BB%99i")
    assert status == 200, answer
    assert upstream.seen == [b"/api/v1/ngo/public/associations/%31"]
    seen = json.loads(answer.split(b"\r\n\r\n", 1)[1])
    assert seen["path"] == "/api/v1/ngo/public/associations/1"  # what the public rule was matched on
    status, _ = served.raw("GET", "/api/v1/ngo/public/associations/")  # one trailing slash is fine
    assert status == 200


def test_hardening_1_walk_arounds_in_process_are_400_too(harness: GatewayHarness) -> None:
    # the same check through the ASGI app (TestClient normalises '..' itself, so send encodings)
    for path in ("/api/v1/ngo/public/%2e%2e/documents", "/api/v1/ngo/public/associations%2f..%2fdocuments"):
        r = harness.client.get(path)
        assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json", (path, r.text)
        assert r.json()["type"].endswith("bad-path")


# -- 10: the proxy on connections the upstream closes ------------------------------------------
class KeepAliveUpstream:
    """A minimal HTTP/1.1 upstream on a free loopback port that keeps connections alive, but:

    - ``idle_close``: a connection idle that long is closed when the next request arrives on it,
      without an answer: the race of an upstream closing an idle connection just as the proxy
      sends on it, made deterministic;
    - ``one_per_connection``: every connection answers its first request only (the next one on
      it is dropped unanswered), so each reuse meets a closed connection.
    """

    def __init__(self, *, idle_close: float | None = None, one_per_connection: bool = False) -> None:
        self.idle_close = idle_close
        self.one_per_connection = one_per_connection
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.connections = 0
        self.answered: list[str] = []
        self.dropped: list[str] = []
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self) -> None:
        self._stop = True
        self.sock.close()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        buf, served, last = b"", 0, time.monotonic()
        with conn:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                head, _, buf = buf.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                length = next((int(v) for k, _, v in (h.partition(":") for h in lines[1:]) if k.lower() == "content-length"), 0)
                while len(buf) < length:
                    buf += conn.recv(65536)
                buf = buf[length:]
                request = " ".join(lines[0].split(" ")[:2])
                idle = time.monotonic() - last
                if served and (self.one_per_connection or (self.idle_close is not None and idle >= self.idle_close)):
                    self.dropped.append(request)
                    return  # closed without an answer
                body = b'{"ok": true}'
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)
                self.answered.append(request)
                served, last = served + 1, time.monotonic()


@pytest.fixture
def keepalive_upstream() -> Iterator[Any]:
    made: list[KeepAliveUpstream] = []

    def factory(**kwargs: Any) -> KeepAliveUpstream:
        made.append(KeepAliveUpstream(**kwargs))
        return made[-1]

    yield factory
    for upstream in made:
        upstream.close()


def _ipam_bearer(h: GatewayHarness) -> dict[str, str]:
    _, _, cid, secret = h.org_with_client("Sở Khoa học và Công nghệ", ["ipam:read", "ipam:write"])
    return {"Authorization": f"Bearer {h.client_token(cid, secret)}"}


def test_hardening_10_idle_connections_expire_before_the_upstream_closes_them(make_gateway, keepalive_upstream) -> None:  # type: ignore[no-untyped-def]
    upstream = keepalive_upstream(idle_close=0.3)
    # resending is off here: the keep-alive expiry alone must keep stale connections out of use
    h: GatewayHarness = make_gateway(upstream_ipam=upstream.url, upstream_keepalive_expiry=0.2, upstream_stale_retries=0)
    bearer = _ipam_bearer(h)
    statuses = []
    for _ in range(8):
        statuses.append(h.client.get("/api/v1/ipam/prefixes", headers=bearer).status_code)
        time.sleep(0.35)  # just over the upstream's idle close
    assert statuses == [200] * 8 and upstream.dropped == []
    # back to back, the pooled connection is reused (keep-alive still pays off)
    before = upstream.connections
    for _ in range(5):
        assert h.client.get("/api/v1/ipam/prefixes", headers=bearer).status_code == 200
    assert upstream.connections - before == 1
    # the default stays below uvicorn's keep-alive timeout (5 s)
    from services.gateway.settings import GatewaySettings

    assert GatewaySettings().upstream_keepalive_expiry < 5


def test_hardening_10_a_closed_pooled_connection_is_retried_once_for_idempotent_requests(make_gateway, keepalive_upstream) -> None:  # type: ignore[no-untyped-def]
    upstream = keepalive_upstream(one_per_connection=True)
    h: GatewayHarness = make_gateway(upstream_ipam=upstream.url)
    bearer = _ipam_bearer(h)
    statuses = [h.client.get("/api/v1/ipam/prefixes", headers=bearer).status_code for _ in range(12)]
    assert statuses == [200] * 12
    assert len(upstream.dropped) == 11  # every reuse met a closed connection and was resent once
    # a request with a body is never resent: the upstream may have acted on it
    r = h.client.post("/api/v1/ipam/prefixes", headers=bearer, content=b'{"prefix": "10.0.0.0/24"}')
    assert r.status_code == 502 and r.headers["content-type"] == "application/problem+json"
    assert upstream.dropped.count("POST /api/v1/ipam/prefixes") == 1
    assert "POST /api/v1/ipam/prefixes" not in upstream.answered
