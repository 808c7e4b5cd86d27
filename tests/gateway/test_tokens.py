"""Tokens: client credentials (RFC 6749 §4.4, §5.2 errors), RFC 9068 claims, JWKS and rotation,
introspection, revocation, refresh, and every refusal at the proxy (G7)."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.gateway.app import create_app
from services.gateway.keys import rotate_signing_key
from shared import migrations
from shared.auth import TokenVerifier
from tests.conftest import service_settings
from tests.gateway.conftest import FAST_ARGON2, GatewayHarness, ThreadedServer, basic

PATH = "/api/v1/ipam/agencies"


def test_g7_client_credentials_basic_and_post_with_scope_narrowing(harness: GatewayHarness) -> None:
    org, grant, cid, secret = harness.org_with_client("Trung tâm Tích hợp dữ liệu", ["ipam:read", "ipam:write"])
    r = harness.client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(cid, secret))
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300 and body["scope"] == "ipam:read ipam:write"
    assert r.headers["cache-control"] == "no-store"
    r = harness.client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": cid,
                                                  "client_secret": secret, "scope": "ipam:read"})
    assert r.status_code == 200 and r.json()["scope"] == "ipam:read"
    header = jwt.get_unverified_header(r.json()["access_token"])
    assert header["typ"] == "at+jwt" and header["alg"] == "EdDSA"
    claims = jwt.decode(r.json()["access_token"], options={"verify_signature": False})
    assert {"iss", "sub", "aud", "exp", "iat", "jti", "client_id", "scope", "org", "grant"} <= set(claims)
    assert claims["org"] == org and claims["grant"] == grant and claims["client_id"] == cid
    assert claims["exp"] - claims["iat"] == 300


def test_g7_token_errors_follow_rfc6749(harness: GatewayHarness) -> None:
    _, _, cid, secret = harness.org_with_client("Sở Tư pháp", ["ipam:read"])
    bad = harness.client.post("/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(cid, "wrong"))
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client" and "error_description" in bad.json()
    scope = harness.client.post("/oauth/token", data={"grant_type": "client_credentials", "scope": "ipam:write"},
                                headers=basic(cid, secret))
    assert scope.status_code == 400 and scope.json()["error"] == "invalid_scope"
    grant = harness.client.post("/oauth/token", data={"grant_type": "password"}, headers=basic(cid, secret))
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"


def test_g7_token_is_accepted_by_the_shared_verifier_over_http(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    migrations.upgrade("gateway", db_url)
    settings = service_settings("gateway", db_url, var_dir=tmp_path, **FAST_ARGON2)
    with ThreadedServer(create_app(settings)) as server:
        import httpx

        from services.gateway.access import service as access
        from services.gateway.clients import service as clients
        from services.gateway.models import utcnow

        app_state = server.server.config.app.state  # type: ignore[union-attr]
        gw = app_state.gateway
        with gw.database.transaction() as session:
            org = access.ensure_organisation(session=session, ref="LGSP An Giang")
            from datetime import timedelta

            access.create_grant(session=session, org_id=org.id, scopes=["incidents:read"], valid_from=utcnow() - timedelta(minutes=1),
                                 valid_until=utcnow() + timedelta(days=1))
            client, secret = clients.create_client(session=session, hasher=gw.hasher, name="lgsp", org_id=org.id)
        r = httpx.post(server.url + "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client.client_id, secret))
        assert r.status_code == 200, r.text
        verifier = TokenVerifier(jwks_url=server.url + "/.well-known/jwks.json", issuer=settings.jwt_issuer,
                                 audience=settings.jwt_audience)
        principal = verifier.verify(r.json()["access_token"])
        assert principal.scopes == frozenset({"incidents:read"}) and principal.org == org.id
        meta = httpx.get(server.url + "/.well-known/oauth-authorization-server").json()
        assert meta["token_endpoint"].endswith("/oauth/token") and meta["jwks_uri"].endswith("/.well-known/jwks.json")


def test_g7_key_rotation_keeps_old_tokens_valid(harness: GatewayHarness) -> None:
    _, _, cid, secret = harness.org_with_client("Sở Y tế", ["ipam:read"])
    old_token = harness.client_token(cid, secret)
    old_kid = jwt.get_unverified_header(old_token)["kid"]
    with harness.gw.database.transaction() as session:
        rotate_signing_key(session=session)
    harness.gw.keys.load()
    new_token = harness.client_token(cid, secret)
    assert jwt.get_unverified_header(new_token)["kid"] != old_kid
    kids = {k["kid"] for k in harness.client.get("/.well-known/jwks.json").json()["keys"]}
    assert old_kid in kids and len(kids) == 2
    assert harness.gw.verifier.verify(old_token).sub == f"client:{cid}"


def test_g7_introspection_and_revocation(harness: GatewayHarness) -> None:
    _, _, cid, secret = harness.org_with_client("Sở Xây dựng", ["ipam:read"])
    token = harness.client_token(cid, secret)
    r = harness.client.post("/oauth/introspect", data={"token": token}, headers=basic(cid, secret))
    assert r.json()["active"] is True and r.json()["scope"] == "ipam:read"
    assert harness.client.post("/oauth/introspect", data={"token": token}).status_code == 401
    assert harness.client.post("/oauth/revoke", data={"token": token}, headers=basic(cid, secret)).status_code == 200
    assert harness.client.post("/oauth/introspect", data={"token": token}, headers=basic(cid, secret)).json() == {"active": False}
    assert harness.client.get(PATH, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_n10_login_refresh_token_rotates_and_can_be_revoked(harness: GatewayHarness) -> None:
    harness.admin("ops")
    r = harness.client.post("/auth/login", json={"username": "ops", "password": "Adm1n-Passw0rd!x"})
    refresh = r.json()["refresh_token"]
    r2 = harness.client.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": refresh})
    assert r2.status_code == 200 and r2.json()["refresh_token"] != refresh
    again = harness.client.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": refresh})
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    new_refresh = r2.json()["refresh_token"]
    harness.client.post("/oauth/revoke", data={"token": new_refresh})
    revoked = harness.client.post("/oauth/token", data={"grant_type": "refresh_token", "refresh_token": new_refresh})
    assert revoked.status_code == 400


# -- refusals at the proxy ----------------------------------------------------------------
def _forge(claims: dict[str, Any], *, alg: str, key: Any, kid: str) -> str:
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def issued(harness: GatewayHarness) -> tuple[GatewayHarness, str, str]:
    org, grant, cid, secret = harness.org_with_client("Sở Tài chính", ["ipam:read"])
    return harness, harness.client_token(cid, secret), grant


def _refused(h: GatewayHarness, token: str | None, status: int = 401, path: str = PATH) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    r = h.client.get(path, headers=headers)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return dict(r.json())


def test_g7_missing_token_is_refused(issued) -> None:  # type: ignore[no-untyped-def]
    h, _, _ = issued
    assert "bearer" in _refused(h, None)["detail"].lower()


def test_g7_expired_token_is_refused(issued) -> None:  # type: ignore[no-untyped-def]
    h, token, _ = issued
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(iat=int(time.time()) - 1000, exp=int(time.time()) - 600)
    assert "expired" in _refused(h, h.gw.keys.sign(claims))["detail"]


def test_g7_bad_signature_is_refused(issued) -> None:  # type: ignore[no-untyped-def]
    h, token, _ = issued
    head, payload, sig = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["scope"] = "ipam:read ipam:admin"
    _refused(h, f"{head}.{_b64(claims)}.{sig}")
    other = _forge(claims, alg="EdDSA", key=Ed25519PrivateKey.generate(), kid=jwt.get_unverified_header(token)["kid"])
    _refused(h, other)


def test_g7_alg_none_is_refused(issued) -> None:  # type: ignore[no-untyped-def]
    h, token, _ = issued
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(token)["kid"]
    unsigned = f"{_b64({'alg': 'none', 'typ': 'at+jwt', 'kid': kid})}.{_b64(claims)}."
    assert "none" in _refused(h, unsigned)["detail"]


def test_g7_hs256_key_confusion_is_refused(issued) -> None:  # type: ignore[no-untyped-def]
    h, token, _ = issued
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(token)["kid"]
    public_x = next(k for k in h.client.get("/.well-known/jwks.json").json()["keys"] if k["kid"] == kid)["x"]
    header = _b64({"alg": "HS256", "typ": "at+jwt", "kid": kid})
    import hashlib
    import hmac

    signing_input = f"{header}.{_b64(claims)}"
    sig = base64.urlsafe_b64encode(hmac.new(public_x.encode(), signing_input.encode(), hashlib.sha256).digest()).rstrip(b"=")
    assert "HS256" in _refused(h, f"{signing_input}.{sig.decode()}")["detail"]


def test_g7_wrong_audience_is_refused(issued) -> None:  # type: ignore[no-untyped-def]
    h, token, _ = issued
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["aud"] = "some-other-api"
    assert "not meant" in _refused(h, h.gw.keys.sign(claims))["detail"]


def test_g7_revoked_grant_is_refused(issued) -> None:  # type: ignore[no-untyped-def]
    h, token, grant = issued
    admin = h.admin()
    assert h.client.post(f"/api/v1/access/grants/{grant}/revoke", headers=admin, json={"reason": "hết hạn hợp đồng"}).status_code == 200
    assert "revoked" in _refused(h, token)["detail"]


def test_g7_suspended_grant_is_refused_and_resume_restores(issued, echo_upstream) -> None:  # type: ignore[no-untyped-def]
    h, token, grant = issued
    admin = h.admin()
    h.client.post(f"/api/v1/access/grants/{grant}/suspend", headers=admin)
    assert "suspended" in _refused(h, token)["detail"]
    h.client.post(f"/api/v1/access/grants/{grant}/resume", headers=admin)
    h.gw.settings.upstream_ipam = echo_upstream.url
    assert h.client.get(PATH, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_g7_scope_not_covering_the_route_is_403(issued) -> None:  # type: ignore[no-untyped-def]
    h, token, _ = issued
    body = h.client.post(PATH, headers={"Authorization": f"Bearer {token}"}, json={})
    assert body.status_code == 403 and body.headers["content-type"] == "application/problem+json"
    assert "ipam:write" in body.json()["required_scopes"]
    assert "insufficient_scope" in body.headers["www-authenticate"]
