"""Issue 9 (hardening), the gateway's items: the path walk-around (1), bounded ids and offsets (3),
names without control or invisible characters (5), the proxy's stale keep-alive connections (10),
time zones, authentication before validation and per-source lockout (11), own ports (13)."""

from __future__ import annotations

import json
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
