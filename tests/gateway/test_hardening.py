"""Issue 9 (hardening), the gateway's items: the path walk-around (1), bounded ids and offsets (3),
names without control or invisible characters (5), the proxy's stale keep-alive connections (10),
time zones, authentication before validation and per-source lockout (11), own ports (13)."""

from __future__ import annotations

import json
import re
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


# -- 11: time zones, authentication first, lockout per account and source ----------------------
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _datetimes(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _datetimes(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _datetimes(v, key)
    elif isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}T", value):
        yield key, value


def test_hardening_11_access_api_datetimes_carry_their_time_zone(harness: GatewayHarness) -> None:
    admin = harness.admin()
    org_id, grant_id, _, _ = harness.org_with_client("Sở Tài chính", ["ipam:read"])
    r = harness.client.post("/api/v1/access/registrations", headers=admin, json={
        "org_id": org_id, "officials": [{"name": "Nguyễn Văn A"}], "purpose": "đối soát", "requested_scopes": ["ipam:read"],
        "period_from": "2026-01-01", "period_until": "2026-12-31"})
    assert r.status_code == 201, r.text
    registration = r.json()["id"]
    approved = harness.client.post(f"/api/v1/access/registrations/{registration}/approve", headers=admin, json={})
    assert approved.status_code == 201, approved.text
    answers = [approved.json()]
    for path in ("organisations", "users", "clients", "registrations", "grants", f"grants/{grant_id}",
                 f"registrations/{registration}", "audit"):
        r = harness.client.get(f"/api/v1/access/{path}", headers=admin)
        assert r.status_code == 200, (path, r.text)
        answers.append(r.json())
    found = [pair for answer in answers for pair in _datetimes(answer)]
    assert {"created_at", "valid_from", "valid_until", "password_changed_at", "decided_at", "occurred_at"} <= {k for k, _ in found}
    naive = [(k, v) for k, v in found if not ISO_WITH_OFFSET.match(v)]
    assert naive == []


def test_hardening_11_naive_approval_times_are_taken_as_utc(harness: GatewayHarness) -> None:
    admin = harness.admin()
    org_id, _, _, _ = harness.org_with_client("Sở Xây dựng", ["ipam:read"])
    r = harness.client.post("/api/v1/access/registrations", headers=admin, json={
        "org_id": org_id, "officials": [{"name": "Trần Thị B"}], "purpose": "tra cứu", "requested_scopes": ["ipam:read"],
        "period_from": "2026-01-01", "period_until": "2026-12-31"})
    approved = harness.client.post(f"/api/v1/access/registrations/{r.json()['id']}/approve", headers=admin,
                                   json={"valid_from": "2026-01-01T00:00:00", "valid_until": "2027-01-01T00:00:00"})
    assert approved.status_code == 201, approved.text
    assert approved.json()["valid_from"].startswith("2026-01-01T00:00:00") and approved.json()["valid_from"].endswith("Z")


@pytest.mark.parametrize("body", [b"{not json", b'{"name": 5}', b"", b"[]"])
def test_hardening_11_access_api_authenticates_before_it_validates(harness: GatewayHarness, body: bytes) -> None:
    for path in ("/api/v1/access/organisations", "/api/v1/access/users", "/api/v1/access/registrations/x/approve"):
        r = harness.client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 401, (path, body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert "not json" not in r.text and "name" not in r.json().get("detail", "")
    bad = harness.client.post("/api/v1/access/organisations", content=body,
                              headers={"Content-Type": "application/json", "Authorization": "Bearer forged.token.x"})
    assert bad.status_code == 401
    # with a valid token, the same body is a 422 as before
    admin = harness.admin()
    assert harness.client.post("/api/v1/access/organisations", content=body,
                               headers={"Content-Type": "application/json", **admin}).status_code == 422


def test_hardening_11_a_stranger_cannot_lock_root_out_from_elsewhere(harness: GatewayHarness) -> None:
    from fastapi.testclient import TestClient

    from tests.gateway.conftest import ADMIN_PASSWORD

    harness.admin("root")
    stranger = TestClient(harness.client.app, client=("203.0.113.66", 40000))
    statuses = [stranger.post("/auth/login", json={"username": "root", "password": f"guess-{i}"}).status_code
                for i in range(7)]
    assert statuses == [401, 401, 401, 401, 423, 423, 423]
    # the same account and source stays locked (N10), even with the right password
    assert stranger.post("/auth/login", json={"username": "root", "password": ADMIN_PASSWORD}).status_code == 423
    # root, from the administrator's own address, is not locked out
    assert harness.client.post("/auth/login", json={"username": "root", "password": ADMIN_PASSWORD}).status_code == 200
    # and a success from one address does not lift the lock on the other
    assert stranger.post("/auth/login", json={"username": "root", "password": ADMIN_PASSWORD}).status_code == 423
    harness.gw.audit.flush()
    admin = harness.admin("root")
    locked = harness.client.get("/api/v1/access/audit", headers=admin, params={"kind": "account_locked"}).json()["results"]
    assert [r["ip"] for r in locked] == ["203.0.113.66"]


# -- 3 and 5: bounded integers, names without control or invisible characters -----------------
BIG = str(2**63)


def test_hardening_3_access_api_offsets_limits_and_statuses_past_64_bits_are_422(harness: GatewayHarness) -> None:
    admin = harness.admin()
    for path, params in (("organisations", {"offset": BIG}), ("users", {"offset": BIG}), ("clients", {"offset": BIG}),
                         ("registrations", {"offset": BIG}), ("grants", {"offset": BIG}), ("audit", {"offset": BIG}),
                         ("audit", {"status": BIG}), ("audit", {"limit": BIG}), ("grants", {"limit": BIG})):
        r = harness.client.get(f"/api/v1/access/{path}", headers=admin, params=params)
        assert r.status_code == 422, (path, params, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert next(iter(params)) in r.text
    assert harness.client.get("/api/v1/access/audit", headers=admin, params={"offset": str(2**63 - 1)}).status_code == 200


@pytest.mark.parametrize("name", ["ro\u200bot", "root\u0007", "\u202eroot", "root ", "ro\tot", "ro\u00adot", "root\ufeff"])
def test_hardening_5_usernames_and_names_refuse_control_and_invisible_characters(harness: GatewayHarness, name: str) -> None:
    admin = harness.admin()
    org = harness.client.get("/api/v1/access/organisations", headers=admin).json()["results"][0]["id"]
    r = harness.client.post("/api/v1/access/users", headers=admin,
                            json={"username": name, "password": "Look-Alike-Pass-1", "org_id": org})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json" and "username" in r.text
    for path, body in (("organisations", {"name": name}), ("clients", {"name": name, "org_id": org})):
        r = harness.client.post(f"/api/v1/access/{path}", headers=admin, json=body)
        assert r.status_code == 422 and "name" in r.text, (path, r.text)
    assert harness.client.post("/auth/login", json={"username": name, "password": "x"}).status_code == 422
    # plain Vietnamese names are fine
    ok = harness.client.post("/api/v1/access/users", headers=admin,
                             json={"username": "nguyễn.văn.an", "password": "Look-Alike-Pass-1", "org_id": org,
                                   "full_name": "Nguyễn Văn An"})
    assert ok.status_code == 201, ok.text


def test_hardening_5_the_service_layer_refuses_look_alike_names_too(harness: GatewayHarness) -> None:
    """The CLI (``govnet user create``) and other callers reach the service functions directly."""
    from services.gateway.access import service as access
    from services.gateway.clients import service as clients
    from services.gateway.identity import service as identity
    from shared.errors import InvalidInput

    with harness.gw.database.transaction() as session:
        org = access.ensure_organisation(session=session, ref="Sở Y tế")
        with pytest.raises(InvalidInput, match="username"):
            identity.create_user(session=session, hasher=harness.gw.hasher, rules=harness.gw.rules, username="ad\u200bmin",
                                password="Look-Alike-Pass-1", org_id=org.id)
        with pytest.raises(InvalidInput, match="name"):
            access.create_organisation(session=session, name="Sở\u0007 Y tế", kind="agency")
        with pytest.raises(InvalidInput, match="name"):
            clients.create_client(session=session, hasher=harness.gw.hasher, name="lgsp\u202e", org_id=org.id)


# -- 13: the tests own their ports ----------------------------------------------------------------
def test_hardening_13_gateway_tests_never_reach_the_default_upstream_ports(harness: GatewayHarness) -> None:
    """``make run`` serves IPAM, devices, incidents and the NGO registry on 8101-8104: a test
    gateway must point elsewhere, at a port the test run holds and nothing answers on."""
    from services.gateway.settings import GatewaySettings

    defaults = set(GatewaySettings.model_fields[f"upstream_{s}"].default for s in ("ipam", "devices", "incidents", "ngo"))
    upstreams = set(harness.gw.settings.upstreams.values())
    assert not upstreams & defaults
    (address,) = upstreams
    host, port = address.removeprefix("http://").split(":")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, int(port)), timeout=2)
    _, _, cid, secret = harness.org_with_client("Sở Ngoại vụ", ["ipam:read"])
    r = harness.client.get("/api/v1/ipam/prefixes", headers={"Authorization": f"Bearer {harness.client_token(cid, secret)}"})
    assert r.status_code == 503


# -- 12 (gateway part): the document says what /oauth/revoke answers ---------------------------
def test_hardening_12_revoke_documents_its_empty_answer(harness: GatewayHarness) -> None:
    spec = harness.client.app.openapi()  # type: ignore[attr-defined]
    ok = spec["paths"]["/oauth/revoke"]["post"]["responses"]["200"]
    assert "content" not in ok  # RFC 7009: 200 with an empty body, whatever the token was
    r = harness.client.post("/oauth/revoke", data={"token": "\U000f3d25\r", "token_type_hint": "}\x07"})
    assert r.status_code == 200 and r.content == b""
