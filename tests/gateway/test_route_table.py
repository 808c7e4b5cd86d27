"""G7: deny by default. Walk EVERY rule of the route table: a token holding every other scope
is refused (and never forwarded); a path no rule matches is refused too."""

from __future__ import annotations

from services.gateway.access.service import ScopeDecision
from services.gateway.routes import KNOWN_SCOPES, ROUTES, match_route
from tests.gateway.conftest import GatewayHarness


def _concrete(pattern: str) -> str:
    return pattern.replace("/**", "/x/1").replace("*", "x")


def test_g7_every_route_denies_a_token_without_its_scope(make_gateway) -> None:  # type: ignore[no-untyped-def]
    harness: GatewayHarness = make_gateway(upstream_connect_retries=0)
    # one grant holding every scope: what a token may use is decided by the token's own scope claim
    _, grant, cid, _ = harness.org_with_client("Cục Bưu điện Trung ương", list(KNOWN_SCOPES))
    checked = 0
    for rule in ROUTES:
        path = _concrete(rule.pattern)
        for method in sorted(rule.methods):
            assert match_route(method, path) is rule, (method, path)
            if rule.public:
                # public: no token needed; with no upstream running the gateway answers 503, not 401
                assert harness.client.request(method, path).status_code == 503
                continue
            others = [s for s in KNOWN_SCOPES if s not in rule.scopes]
            token, _ = harness.gw.mint(sub="client:walker", org=None, client_id=cid, decision=ScopeDecision(others, [grant]))
            response = harness.client.request(method, path, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 403, (method, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            # and each listed scope alone opens it (forwarded: 503 as no upstream runs)
            for scope in rule.scopes:
                token, _ = harness.gw.mint(sub="client:walker", org=None, client_id=cid, decision=ScopeDecision([scope], [grant]))
                opened = harness.client.request(method, path, headers={"Authorization": f"Bearer {token}"})
                assert opened.status_code == 503, (method, path, scope, opened.text)
            checked += 1
    assert checked >= len(ROUTES)


def test_g7_unlisted_paths_and_methods_are_refused(harness: GatewayHarness) -> None:
    _, grant, cid, _ = harness.org_with_client("Sở Nội vụ", list(KNOWN_SCOPES))
    token, _ = harness.gw.mint(sub="client:x", org=None, client_id=cid, decision=ScopeDecision(list(KNOWN_SCOPES), [grant]))
    headers = {"Authorization": f"Bearer {token}"}
    assert match_route("TRACE", "/api/v1/ipam/prefixes") is None
    assert harness.client.request("TRACE", "/api/v1/ipam/prefixes", headers=headers).status_code == 404
    assert harness.client.get("/api/v1/ipamx/prefixes", headers=headers).status_code == 404
    assert match_route("GET", "/api/v1/ngo/publicity") is not None and not match_route("GET", "/api/v1/ngo/publicity").public  # type: ignore[union-attr]
