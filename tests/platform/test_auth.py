"""Services verify gateway-issued JWTs themselves (defence in depth): every forgery is refused."""

from __future__ import annotations

import base64
import json
import logging
import socket
import time
from typing import Annotated, Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Column, MetaData, String, Table, create_engine, select

from shared.auth import Principal, TokenVerifier, readable_by_org, require_scopes
from shared.errors import Unauthorized, install_problem_handlers
from tests.support import TEST_AUDIENCE, TEST_ISSUER, SigningKeys


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def verifier(keys: SigningKeys) -> TokenVerifier:
    return TokenVerifier(jwks_url=keys.jwks_url, issuer=TEST_ISSUER, audience=TEST_AUDIENCE)


@pytest.fixture
def client(verifier: TokenVerifier) -> TestClient:
    router = APIRouter()

    @router.get("/things")
    def things(principal: Annotated[Principal, require_scopes("ipam:read")]) -> dict[str, Any]:
        return {"sub": principal.sub, "org": principal.org, "grant": principal.grant}

    app = FastAPI()
    app.state.verifier = verifier
    install_problem_handlers(app)
    app.include_router(router)
    return TestClient(app)


def test_valid_token_gives_the_principal(keys: SigningKeys, client: TestClient) -> None:
    response = client.get("/things", headers=keys.headers("ipam:read", org="org-7", grant="g-9"))
    assert response.status_code == 200
    assert response.json() == {"sub": "user:tester", "org": "org-7", "grant": "g-9"}


def test_missing_token_is_401_with_bearer_challenge(client: TestClient) -> None:
    response = client.get("/things")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_token_without_the_scope_is_403(keys: SigningKeys, client: TestClient) -> None:
    response = client.get("/things", headers=keys.headers("ipam:write devices:read"))
    assert response.status_code == 403
    assert "ipam:read" in response.json()["detail"]
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]


def _forgeries(keys: SigningKeys) -> dict[str, str]:
    now = int(time.time())
    claims = keys.claims("ipam:read")
    public_pem = keys.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    stranger = Ed25519PrivateKey.generate()
    good = keys.token("ipam:read")
    head, body, sig = good.split(".")
    tampered_body = _b64({**claims, "scope": "ipam:read ipam:admin"})
    hs256 = (
        _b64({"alg": "HS256", "typ": "JWT", "kid": keys.kid})
        + "."
        + _b64(claims)
    )
    import hashlib
    import hmac

    hs256_sig = base64.urlsafe_b64encode(
        hmac.new(public_pem, hs256.encode(), hashlib.sha256).digest()
    ).rstrip(b"=").decode()
    return {
        "expired": keys.token("ipam:read", iat=now - 900, exp=now - 600),
        "wrong audience": keys.token("ipam:read", aud="some-other-api"),
        "wrong issuer": keys.token("ipam:read", iss="https://evil.example"),
        "bad signature": f"{head}.{tampered_body}.{sig}",
        "signed by an unknown key under a known kid": keys.token("ipam:read", key=stranger),
        "alg none": _b64({"alg": "none", "typ": "JWT", "kid": keys.kid}) + "." + _b64(claims) + ".",
        "HS256 with the public key as secret": f"{hs256}.{hs256_sig}",
        "unknown kid": keys.token("ipam:read", kid="no-such-key", key=stranger),
        "missing jti": keys.token("ipam:read", jti=None),
        "not a JWT": "definitely-not-a-token",
    }


@pytest.mark.parametrize(
    "case",
    [
        "expired",
        "wrong audience",
        "wrong issuer",
        "bad signature",
        "signed by an unknown key under a known kid",
        "alg none",
        "HS256 with the public key as secret",
        "unknown kid",
        "missing jti",
        "not a JWT",
    ],
)
def test_forged_or_unfit_tokens_are_refused(case: str, keys: SigningKeys, verifier: TokenVerifier, client: TestClient) -> None:
    token = _forgeries(keys)[case]
    with pytest.raises(Unauthorized):
        verifier.verify(token)
    response = client.get("/things", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_unknown_kid_refetches_the_jwks_once_rotated(keys: SigningKeys, tmp_path: Any) -> None:
    jwks_path = tmp_path / "jwks.json"
    rotating = SigningKeys(keys.private_key, keys.kid, jwks_path)
    rotating.publish()
    verifier = TokenVerifier(
        jwks_url=rotating.jwks_url, issuer=TEST_ISSUER, audience=TEST_AUDIENCE, min_refetch_seconds=0
    )
    assert verifier.verify(rotating.token("ipam:read")).sub == "user:tester"
    new_key = Ed25519PrivateKey.generate()
    rotating.extra_keys.append(("key-2", new_key))
    rotating.publish()  # the gateway rotated: key-2 appears in the JWKS
    principal = verifier.verify(rotating.token("ipam:read", kid="key-2", key=new_key))
    assert principal.scopes == frozenset({"ipam:read"})


def test_revoked_grant_is_refused_by_the_service(keys: SigningKeys, verifier: TokenVerifier) -> None:
    token = keys.token("ipam:read", grant="g-revoked")
    assert verifier.verify(token).grant == "g-revoked"
    verifier.revoke_grant("g-revoked")
    with pytest.raises(Unauthorized, match="revoked"):
        verifier.verify(token)


def test_hs256_confusion_is_refused_by_algorithm_not_by_luck(keys: SigningKeys, verifier: TokenVerifier) -> None:
    token = _forgeries(keys)["HS256 with the public key as secret"]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    with pytest.raises(Unauthorized, match="HS256"):
        verifier.verify(token)


# -- readable_by_org: the one narrowing of a query to the caller's organisation ----------------
def _caller(org: str | None, *scopes: str) -> Principal:
    return Principal(sub="user:x", org=org, scopes=frozenset(scopes), grant="g")


@pytest.mark.parametrize(
    ("caller", "visible"),
    [
        (_caller("org-a", "devices:read"), {"a1", "a2"}),
        (_caller("org-b", "devices:read"), {"b1"}),
        (_caller(None, "devices:read"), set()),  # no organisation: not the NULL-organisation row
        (_caller("org-b", "devices:admin"), {"a1", "a2", "b1", "none"}),
        (_caller("org-b", "incidents:admin"), {"b1"}),  # another service's admin is no one special here
    ],
)
def test_readable_by_org_narrows_to_the_callers_organisation(caller: Principal, visible: set[str]) -> None:
    things = Table("thing", MetaData(), Column("id", String, primary_key=True), Column("org", String))
    engine = create_engine("sqlite://")
    things.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(things.insert(), [{"id": "a1", "org": "org-a"}, {"id": "a2", "org": "org-a"},
                                       {"id": "b1", "org": "org-b"}, {"id": "none", "org": None}])
        stmt = readable_by_org(select(things.c.id), things.c.org, principal=caller, service="devices")
        assert set(conn.execute(stmt).scalars()) == visible
    engine.dispose()


# -- JWKS fetch failures (issue 9, item 11) ---------------------------------------------------------------------------------
def _failures(service: str, reason: str) -> float:
    value = REGISTRY.get_sample_value(
        "govnet_jwks_fetch_failures_total", {"service": service, "reason": reason}
    )
    return value or 0.0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_hardening_11_failed_jwks_fetch_is_logged_and_counted(
    keys: SigningKeys, caplog: pytest.LogCaptureFixture
) -> None:
    port = _closed_port()  # nothing listens: the fetch fails to connect
    url = f"http://user:s3cret@127.0.0.1:{port}/.well-known/jwks.json?api_key=hunter2"
    verifier = TokenVerifier(jwks_url=url, issuer=TEST_ISSUER, audience=TEST_AUDIENCE, service="jwks-test")
    before = _failures("jwks-test", "ConnectError")
    with caplog.at_level(logging.WARNING, logger="govnet.auth"):
        with pytest.raises(Exception, match="signing key is unknown"):
            verifier.verify(keys.token("ipam:read"))
    assert _failures("jwks-test", "ConnectError") == before + 1
    records = [r for r in caplog.records if r.name == "govnet.auth"]
    assert len(records) == 1 and records[0].levelno == logging.WARNING
    logged = records[0].getMessage() + repr(records[0].__dict__)
    assert f"127.0.0.1:{port}/.well-known/jwks.json" in logged
    assert "s3cret" not in logged and "hunter2" not in logged and "user:" not in logged

    missing = TokenVerifier(
        jwks_url="file:///nonexistent/jwks.json", issuer=TEST_ISSUER, audience=TEST_AUDIENCE, service="jwks-test"
    )
    before_missing = _failures("jwks-test", "FileNotFoundError")
    with pytest.raises(Exception, match="signing key is unknown"):
        missing.verify(keys.token("ipam:read"))
    assert _failures("jwks-test", "FileNotFoundError") == before_missing + 1


def test_hardening_11_service_counts_jwks_failures_in_its_metrics(db_url: str, make_client: Any, keys: SigningKeys) -> None:
    client = make_client("ipam", db_url, jwks_url=f"http://127.0.0.1:{_closed_port()}/jwks.json")
    assert client.get("/api/v1/ipam/agencies", headers=keys.headers("ipam:read")).status_code == 401
    metrics = client.get("/metrics").text
    assert 'govnet_jwks_fetch_failures_total{reason="ConnectError",service="ipam"}' in metrics
