"""The proxy's edges: forwarded and stripped headers, rate limits, body limit, CORS, security
headers, an upstream that is down, and the aggregated OpenAPI document."""

from __future__ import annotations

from typing import Any

from tests.gateway.conftest import GatewayHarness, ThreadedServer


def _ready(h: GatewayHarness, upstream: ThreadedServer, scopes: list[str]) -> dict[str, str]:
    h.gw.settings.upstream_ipam = upstream.url
    h.gw.settings.upstream_ngo = upstream.url
    _, _, cid, secret = h.org_with_client("Sở Giáo dục", scopes)
    return {"Authorization": f"Bearer {h.client_token(cid, secret)}"}


def test_g7_forwards_token_request_id_and_client_address_and_strips_the_rest(harness: GatewayHarness, echo_upstream) -> None:  # type: ignore[no-untyped-def]
    bearer = _ready(harness, echo_upstream, ["ipam:read"])
    r = harness.client.get("/api/v1/ipam/prefixes?status=active", headers={
        **bearer, "X-Request-ID": "req-42", "X-Forwarded-For": "6.6.6.6", "X-Govnet-Principal": "admin",
        "Connection": "keep-alive, X-Secret-Hop", "X-Secret-Hop": "1", "Proxy-Authorization": "Basic x"})
    assert r.status_code == 200
    seen: dict[str, Any] = r.json()
    assert seen["path"] == "/api/v1/ipam/prefixes" and seen["query"] == "status=active"
    headers = seen["headers"]
    assert headers["authorization"] == bearer["Authorization"]
    assert headers["x-request-id"] == "req-42"
    assert headers["x-forwarded-for"] == "testclient"  # the gateway's view of the caller, not the spoofed one
    for stripped in ("x-govnet-principal", "x-secret-hop", "proxy-authorization"):
        assert stripped not in headers
    assert r.headers["ratelimit-limit"] and r.headers["x-content-type-options"] == "nosniff"


def test_g7_upstream_cookies_reach_their_caller_only(harness: GatewayHarness, echo_upstream) -> None:  # type: ignore[no-untyped-def]
    """The shared upstream connection pool keeps no cookie jar: a Set-Cookie goes back to the
    caller that caused it and is never replayed upstream on someone else's request."""
    bearer = _ready(harness, echo_upstream, ["ipam:read"])
    first = harness.client.get("/api/v1/ipam/login-cookie", headers=bearer)
    assert first.status_code == 200 and "caller-a-only" in first.headers["set-cookie"]
    # a second caller (fresh client, no cookies of its own) must not carry the first one's cookie
    harness.client.cookies.clear()
    seen = harness.client.get("/api/v1/ipam/anything", headers=bearer).json()["headers"]
    assert "caller-a-only" not in seen.get("cookie", "")
    # proxied answers still get the request id, security headers and CORS like any other
    r = harness.client.get("/api/v1/ipam/anything", headers={**bearer, "Origin": "http://127.0.0.1:8000"})
    assert r.headers["x-request-id"] and r.headers["x-frame-options"] == "DENY"
    assert r.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"
    assert "default-src 'none'" in r.headers["content-security-policy"]


def test_g7_streams_request_bodies(harness: GatewayHarness, echo_upstream) -> None:  # type: ignore[no-untyped-def]
    bearer = _ready(harness, echo_upstream, ["ipam:write"])
    r = harness.client.post("/api/v1/ipam/prefixes", headers=bearer, content=b"x" * 200_000)
    assert r.status_code == 200 and r.json()["body_length"] == 200_000


def test_g7_body_over_the_limit_is_413(make_gateway) -> None:  # type: ignore[no-untyped-def]
    h: GatewayHarness = make_gateway(max_body_bytes=1000)
    r = h.client.post("/api/v1/ipam/prefixes", content=b"x" * 5000)
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"


def test_g7_rate_limit_per_client_gives_429_with_retry_after(make_gateway, echo_upstream) -> None:  # type: ignore[no-untyped-def]
    h: GatewayHarness = make_gateway(rate_limit_client_rps=1, rate_limit_client_burst=3)
    bearer = _ready(h, echo_upstream, ["ipam:read"])
    statuses = [h.client.get("/api/v1/ipam/prefixes", headers=bearer).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3] == 429
    r = h.client.get("/api/v1/ipam/prefixes", headers=bearer)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert r.headers["ratelimit-remaining"] == "0" and r.headers["content-type"] == "application/problem+json"


def test_g15_anonymous_public_route_is_limited_per_ip(make_gateway, echo_upstream) -> None:  # type: ignore[no-untyped-def]
    h: GatewayHarness = make_gateway(rate_limit_anonymous_rps=0.5, rate_limit_anonymous_burst=2)
    h.gw.settings.upstream_ngo = echo_upstream.url
    statuses = [h.client.get("/api/v1/ngo/public/associations").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_g7_upstream_down_is_503_problem(harness: GatewayHarness, dead_upstream: str) -> None:
    harness.gw.settings.upstream_ipam = dead_upstream
    _, _, cid, secret = harness.org_with_client("Sở Văn hóa", ["ipam:read"])
    r = harness.client.get("/api/v1/ipam/prefixes", headers={"Authorization": f"Bearer {harness.client_token(cid, secret)}"})
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"
    assert "not reachable" in r.json()["detail"]


def test_g7_cors_allows_only_console_origins(make_gateway) -> None:  # type: ignore[no-untyped-def]
    h: GatewayHarness = make_gateway(cors_origins=["http://console.govnet.local"])
    pre = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
    ok = h.client.options("/api/v1/ipam/prefixes", headers={"Origin": "http://console.govnet.local", **pre})
    assert ok.headers["access-control-allow-origin"] == "http://console.govnet.local"
    bad = h.client.options("/api/v1/ipam/prefixes", headers={"Origin": "http://evil.example", **pre})
    assert "access-control-allow-origin" not in bad.headers


def test_g7_aggregated_openapi_tolerates_a_down_upstream(harness: GatewayHarness, echo_upstream, dead_upstream) -> None:  # type: ignore[no-untyped-def]
    harness.gw.settings.upstream_ipam = echo_upstream.url
    harness.gw.settings.upstream_devices = dead_upstream
    spec = harness.client.get("/openapi.json").json()
    assert "/oauth/token" in spec["paths"] and "/api/v1/access/grants" in spec["paths"]
    op = spec["paths"]["/api/v1/ipam/things/{thing_id}"]["get"]  # the upstream's own route
    assert op["security"][0] == {"oauth2": ["ipam:read", "ipam:admin"]}  # what IPAM itself requires (issue 9 item 2)
    assert "devices" in spec["info"]["x-unavailable"]
    assert spec["components"]["securitySchemes"]["oauth2"]["flows"]["clientCredentials"]["tokenUrl"].endswith("/oauth/token")
    assert harness.client.get("/docs").status_code == 200
