"""Services verify gateway-issued JWTs themselves (defence in depth): every forgery is refused."""

from __future__ import annotations

import base64
import json
import time
from typing import Annotated, Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Column, MetaData, String, Table, create_engine, select

from shared.auth import Principal, TokenVerifier, readable_by_org, require_scopes
from shared.errors import Unauthorized, install_problem_handlers
from tests.conftest import TEST_AUDIENCE, TEST_ISSUER, SigningKeys


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


def test_service_refuses_a_grant_revoked_at_the_gateway(db_url: str, broker: Any, keys: SigningKeys, make_client: Any) -> None:
    """G7/G12: a revocation published by the gateway reaches the services over Kafka."""
    import asyncio

    from aiokafka import AIOKafkaProducer

    from shared.events import CloudEvent
    from tests.conftest import wait_until

    client = make_client("ipam", db_url, broker=broker)
    grant = f"grant-{time.time_ns()}"
    headers = keys.headers("ipam:read", grant=grant)
    assert client.get("/api/v1/ipam/agencies", headers=headers).status_code == 200

    def publish(event_type: str) -> None:
        event = CloudEvent(source="/govnet/gateway", type=event_type, subject=grant, data={"grant_id": grant})

        async def go() -> None:
            producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
            await producer.start()
            try:
                await producer.send_and_wait("govnet.gateway.events", event.to_bytes(), key=grant.encode())
            finally:
                await producer.stop()

        asyncio.run(go())

    publish("govnet.gateway.grant.revoked.v1")
    wait_until(lambda: client.get("/api/v1/ipam/agencies", headers=headers).status_code == 401, timeout=30)
    publish("govnet.gateway.grant.resumed.v1")
    wait_until(lambda: client.get("/api/v1/ipam/agencies", headers=headers).status_code == 200, timeout=30)


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
