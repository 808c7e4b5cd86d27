"""Ed25519 signing keys: kept in the gateway database, published as a JWKS, rotated by operators.

The newest unretired key signs. A retired key stays in the JWKS until every token it could have
signed has expired (token lifetime plus a minute of clock leeway), then drops out.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from sqlmodel import Session, col, select

from services.gateway.models import SigningKey, aware, utcnow
from shared.auth import TokenVerifier
from shared.db import Database

LEEWAY_SECONDS = 60


def new_signing_key() -> SigningKey:
    """A fresh Ed25519 key row (not yet added to a session)."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    kid = f"{utcnow():%Y%m%d}-{uuid.uuid4().hex[:8]}"
    jwk = json.loads(OKPAlgorithm.to_jwk(private.public_key()))
    return SigningKey(kid=kid, private_pem=pem, public_jwk={**jwk, "kid": kid, "alg": "EdDSA", "use": "sig"})


def rotate_signing_key(*, session: Session) -> SigningKey:
    """Retire the active key(s) and add a new one that signs from now on."""
    now = utcnow()
    for key in session.exec(select(SigningKey).where(col(SigningKey.retired_at).is_(None))):
        key.retired_at = now
        session.add(key)
    key = new_signing_key()
    session.add(key)
    session.flush()
    return key


def ensure_signing_key(*, session: Session) -> SigningKey:
    """The active key, created on first start."""
    key = session.exec(
        select(SigningKey).where(col(SigningKey.retired_at).is_(None)).order_by(col(SigningKey.created_at).desc())
    ).first()
    if key is None:
        key = new_signing_key()
        session.add(key)
        session.flush()
    return key


class KeyStore:
    """The process's view of the signing keys, re-read now and then (another process may rotate)."""

    def __init__(self, database: Database, *, token_seconds: int, reload_seconds: float) -> None:
        self.database = database
        self.token_seconds = token_seconds
        self.reload_seconds = reload_seconds
        self._lock = threading.Lock()
        self._loaded_at = 0.0
        self._active: tuple[str, Ed25519PrivateKey] | None = None
        self._jwks: dict[str, Any] = {"keys": []}

    def load(self) -> None:
        """Read the keys from the database (creating the first one if there is none)."""
        with self.database.transaction() as session:
            ensure_signing_key(session=session)
            rows = list(session.exec(select(SigningKey).order_by(col(SigningKey.created_at).desc())))
        now = utcnow()
        horizon = timedelta(seconds=self.token_seconds + LEEWAY_SECONDS)
        published = []
        active: tuple[str, Ed25519PrivateKey] | None = None
        for row in rows:
            retired = aware(row.retired_at)
            if retired is None and active is None:
                private = serialization.load_pem_private_key(row.private_pem.encode(), password=None)
                assert isinstance(private, Ed25519PrivateKey)
                active = (row.kid, private)
            if retired is None or now - retired < horizon:
                published.append(row.public_jwk)
        with self._lock:
            self._active = active
            self._jwks = {"keys": published}
            self._loaded_at = time.monotonic()

    def _fresh(self) -> None:
        if self._active is None or time.monotonic() - self._loaded_at > self.reload_seconds:
            self.load()

    def sign(self, claims: dict[str, Any]) -> str:
        """An RFC 9068 access token with ``claims``, signed by the active key."""
        self._fresh()
        assert self._active is not None
        kid, private = self._active
        return jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": kid, "typ": "at+jwt"})

    def jwks(self) -> dict[str, Any]:
        """The public keys a verifier may meet (active and recently retired)."""
        self._fresh()
        return self._jwks


class LocalVerifier(TokenVerifier):
    """The shared verifier, reading the JWKS from the gateway's own key store (no HTTP)."""

    def __init__(self, store: KeyStore, *, issuer: str, audience: str) -> None:
        super().__init__(jwks_url="local:", issuer=issuer, audience=audience, min_refetch_seconds=1.0)
        self.store = store

    def _load_jwks(self) -> dict[str, Any]:
        self.store.load()
        return self.store.jwks()
