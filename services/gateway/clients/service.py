"""System clients (OAuth2 client credentials), refresh tokens and revoked access tokens (G7, G13).

Plain keyword-only functions taking a session; they flush, never commit, and raise domain errors.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from sqlmodel import Session, col, select

from services.gateway.access.service import get_organisation
from services.gateway.identity.service import verify_secret
from services.gateway.models import Client, RefreshToken, RevokedToken, User, aware, utcnow
from services.gateway.naming import clean_name
from services.gateway.scoping import readable, window
from shared.auth import Principal
from shared.pagination import Paging


def sha256_hex(value: str) -> str:
    """The hex sha256 of ``value`` (refresh tokens are 256-bit random: a fast hash is right)."""
    return hashlib.sha256(value.encode()).hexdigest()


# -- clients -------------------------------------------------------------------------------
def create_client(*, session: Session, hasher: PasswordHasher, name: str, org_id: str) -> tuple[Client, str]:
    """A system client of ``org_id``; returns it and its secret (shown once, stored only hashed)."""
    get_organisation(session=session, org_id=org_id)
    secret = secrets.token_urlsafe(32)
    client = Client(
        client_id="gnc_" + uuid.uuid4().hex[:20], name=clean_name("name", name) or "client", org_id=org_id,
        secret_hash=hasher.hash(secret),
    )
    session.add(client)
    session.flush()
    return client, secret


def authenticate_client(*, session: Session, hasher: PasswordHasher, client_id: str, secret: str) -> Client | None:
    """The client when ``secret`` is right and it is active."""
    client = session.exec(select(Client).where(Client.client_id == client_id)).first()
    if client is None:
        hasher.hash(secret)  # spend the same time as a real check: do not reveal which clients exist
        return None
    if not client.active or not verify_secret(hasher, client.secret_hash, secret):
        return None
    return client


def list_clients(
    *, session: Session, principal: Principal, paging: Paging, org_id: str | None = None
) -> tuple[list[Client], int]:
    """The clients the caller may see, oldest first."""
    stmt = readable(select(Client), Client.org_id, principal=principal, org_id=org_id).order_by(col(Client.created_at))
    return window(session=session, stmt=stmt, paging=paging)


# -- refresh and revoked tokens -----------------------------------------------------------
def issue_refresh_token(*, session: Session, user: User, scope: str, seconds: int) -> str:
    """A new opaque refresh token (only its sha256 is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(RefreshToken(token_hash=sha256_hex(token), user_id=user.id, scope=scope,
                             expires_at=utcnow() + timedelta(seconds=seconds)))
    session.flush()
    return token


def live_refresh_token(*, session: Session, token: str) -> tuple[RefreshToken, User | None] | None:
    """The refresh token ``token`` names and its holder, while it is neither revoked nor expired."""
    row = session.exec(select(RefreshToken).where(RefreshToken.token_hash == sha256_hex(token))).first()
    now = utcnow()
    if row is None or row.revoked_at is not None or (aware(row.expires_at) or now) <= now:
        return None
    return row, session.get(User, row.user_id)


def use_refresh_token(*, session: Session, token: str) -> tuple[RefreshToken, User] | None:
    """Consume a refresh token (rotation: it is revoked as it is used)."""
    live = live_refresh_token(session=session, token=token)
    if live is None:
        return None
    row, user = live
    if user is None or not user.active:
        return None
    row.revoked_at = utcnow()
    session.add(row)
    session.flush()
    return row, user


def revoke_refresh_token(*, session: Session, token: str) -> bool:
    """Revoke a refresh token; False when it is unknown or revoked already."""
    row = session.exec(select(RefreshToken).where(RefreshToken.token_hash == sha256_hex(token))).first()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    session.add(row)
    session.flush()
    return True


def revoke_access_token(*, session: Session, jti: str, exp: int) -> None:
    """Deny an access token until it expires (RFC 7009)."""
    if session.get(RevokedToken, jti) is None:
        session.add(RevokedToken(jti=jti, expires_at=datetime.fromtimestamp(exp, UTC)))
        session.flush()
