"""The gateway's in-process machinery: keys, verifier, grant-state cache, rate limiter, audit
writer and the shared upstream HTTP client, bundled as ``app.state.gateway``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select as sa_select

from services.gateway.access.service import ScopeDecision
from services.gateway.audit.writer import AuditWriter
from services.gateway.identity.service import make_hasher
from services.gateway.keys import KeyStore, LocalVerifier
from services.gateway.models import Grant, GrantStatus, RevokedToken, aware, utcnow
from services.gateway.rules import PasswordRules
from services.gateway.settings import GatewaySettings
from shared.auth import Principal
from shared.db import Database

CONSOLE_CLIENT_ID = "govnet-console"

log = logging.getLogger("govnet.gateway.runtime")


@dataclass(frozen=True)
class GrantState:
    status: str
    scopes: frozenset[str]
    valid_from: datetime
    valid_until: datetime

    def live(self, now: datetime) -> bool:
        return self.status == "active" and self.valid_from <= now < self.valid_until


class GrantCache:
    """A snapshot of every grant's state and of revoked token ids, at most ``ttl`` seconds old."""

    def __init__(self, database: Database, *, ttl: float) -> None:
        self.database = database
        self.ttl = ttl
        self.grants: dict[str, GrantState] = {}
        self.revoked_jti: frozenset[str] = frozenset()
        self._loaded_at = -math.inf
        self._lock = threading.Lock()
        self._alock: asyncio.Lock | None = None

    def refresh(self) -> None:
        now = utcnow()
        grant_t, revoked_t = Grant.metadata.tables["grants"], RevokedToken.metadata.tables["revoked_tokens"]
        # two plain reads on one pooled connection (no ORM objects): this runs 2-4 times a second
        with self.database.engine.connect() as conn:
            rows = conn.execute(
                sa_select(grant_t.c.id, grant_t.c.status, grant_t.c.scopes, grant_t.c.valid_from, grant_t.c.valid_until)
            ).all()
            revoked = conn.execute(sa_select(revoked_t.c.jti).where(revoked_t.c.expires_at > now)).scalars().all()
            conn.rollback()
        grants: dict[str, GrantState] = {}
        for gid, status, scopes, valid_from, valid_until in rows:
            until = aware(valid_until) or now
            if status == GrantStatus.active and until <= now:
                status = GrantStatus.expired
            grants[gid] = GrantState(str(status), frozenset(scopes or ()), aware(valid_from) or now, until)
        self.grants, self.revoked_jti = grants, frozenset(revoked)
        self._loaded_at = time.monotonic()

    def stale(self) -> bool:
        return time.monotonic() - self._loaded_at > self.ttl

    def invalidate(self) -> None:
        self._loaded_at = -math.inf

    def ensure_fresh(self, grant_ids: list[str] | None = None) -> None:
        """Refresh when stale or when a grant is not known yet (approved moments ago, maybe elsewhere)."""
        ids = grant_ids or []
        if self.stale() or not all(g in self.grants for g in ids):
            with self._lock:
                if self.stale() or not all(g in self.grants for g in ids):
                    self.refresh()

    async def run(self) -> None:
        """Keep the snapshot fresh in the background (every 0.6 ``ttl``) so requests never wait for it.

        Requests still refresh themselves (``aensure_fresh``) if the snapshot ever gets older than
        ``ttl`` (database slow or down), so the revocation bound holds either way.
        """
        period = max(self.ttl * 0.6, 0.05)
        while True:
            try:
                await asyncio.to_thread(self.refresh)
            except Exception:
                log.warning("grant snapshot refresh failed; requests will retry it", exc_info=True)
            await asyncio.sleep(period)

    async def aensure_fresh(self, grant_ids: list[str]) -> None:
        """Refresh (off the event loop) when stale or when a grant is not known yet."""
        if not self.stale() and all(g in self.grants for g in grant_ids):
            return
        if self._alock is None:
            self._alock = asyncio.Lock()
        async with self._alock:
            if self.stale() or not all(g in self.grants for g in grant_ids):
                await asyncio.to_thread(self.refresh)


@dataclass
class Liveness:
    """What is left of a token's authority now."""

    scopes: frozenset[str]
    dead_grants: dict[str, str]
    revoked: bool


def token_grants(principal: Principal) -> list[str]:
    many = principal.claims.get("grants")
    if isinstance(many, list):
        return [str(g) for g in many]
    return [principal.grant] if principal.grant else []


def liveness(principal: Principal, cache: GrantCache) -> Liveness:
    """The token's scopes still backed by a grant in force, and which grants are gone."""
    if principal.jti and principal.jti in cache.revoked_jti:
        return Liveness(frozenset(), {}, True)
    now = utcnow()
    live: set[str] = set()
    dead: dict[str, str] = {}
    for gid in token_grants(principal):
        state = cache.grants.get(gid)
        if state is None:
            dead[gid] = "unknown"
        elif state.live(now):
            live |= state.scopes
        else:
            dead[gid] = state.status if state.status != "active" else "not in force"
    return Liveness(principal.scopes & live, dead, False)


class RateLimiter:
    """Token buckets keyed by client or IP address."""

    def __init__(self, *, max_keys: int = 100_000) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}
        self.max_keys = max_keys

    def take(self, key: str, *, rate: float, burst: int) -> tuple[bool, int, float]:
        """(allowed, remaining, seconds until a token is available)."""
        now = time.monotonic()
        tokens, last = self._buckets.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - last) * rate)
        if tokens >= 1.0:
            tokens -= 1.0
            allowed = True
        else:
            allowed = False
        if len(self._buckets) >= self.max_keys and key not in self._buckets:
            self._buckets.clear()
        self._buckets[key] = (tokens, now)
        wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate
        return allowed, int(tokens), wait


def rate_headers(limit: int, remaining: int, wait: float) -> dict[str, str]:
    return {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(max(remaining, 0)),
        "RateLimit-Reset": str(math.ceil(wait)),
    }


class Gateway:
    """Everything the gateway's request paths share."""

    def __init__(self, settings: GatewaySettings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self.rules = PasswordRules()
        self.hasher = make_hasher(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        self.keys = KeyStore(
            database, token_seconds=settings.access_token_seconds, reload_seconds=settings.key_reload_seconds
        )
        self.verifier = LocalVerifier(self.keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
        self.grants = GrantCache(database, ttl=settings.grant_cache_seconds)
        self.limiter = RateLimiter()
        self.audit = AuditWriter(
            database, flush_seconds=settings.audit_flush_seconds, batch_max=settings.audit_batch_max
        )
        self.http: httpx.AsyncClient | None = None
        self.upstream: httpx.AsyncHTTPTransport | None = None
        self._token_cache: dict[str, tuple[Principal, float]] = {}
        self._audit_task: asyncio.Task[None] | None = None
        self._grants_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await asyncio.to_thread(self.keys.load)
        s = self.settings
        self.upstream = httpx.AsyncHTTPTransport(
            limits=httpx.Limits(max_connections=s.upstream_max_connections, max_keepalive_connections=s.upstream_max_keepalive,
                                keepalive_expiry=s.upstream_keepalive_expiry),
            trust_env=False,
        )
        # the client shares the transport's pool; the proxy sends through the transport itself
        # (no cookie jar, redirect or auth layers: a shared jar would carry one caller's upstream
        # cookies into the next caller's request, and those layers cost CPU on every request)
        self.http = httpx.AsyncClient(
            transport=self.upstream,
            timeout=httpx.Timeout(s.upstream_read_timeout, connect=s.upstream_connect_timeout),
            follow_redirects=False,
            trust_env=False,
        )
        self._audit_task = asyncio.create_task(self.audit.run(), name="gateway-audit")
        self._grants_task = asyncio.create_task(self.grants.run(), name="gateway-grants")

    async def stop(self) -> None:
        if self._grants_task is not None:
            self._grants_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._grants_task
        await self.audit.stop()
        if self._audit_task is not None:
            self._audit_task.cancel()
        if self.http is not None:
            await self.http.aclose()

    # -- tokens --------------------------------------------------------------------------
    def mint(self, *, sub: str, org: str | None, client_id: str, decision: ScopeDecision) -> tuple[str, dict[str, Any]]:
        """An access token for ``sub`` carrying ``decision``'s scope and grants."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.settings.jwt_issuer,
            "sub": sub,
            "aud": self.settings.jwt_audience,
            "iat": now,
            "nbf": now,
            "exp": now + self.settings.access_token_seconds,
            "jti": uuid.uuid4().hex,
            "client_id": client_id,
            "scope": " ".join(decision.scope),
            "org": org,
        }
        if decision.grants:
            claims["grant"] = decision.grants[0]
            if len(decision.grants) > 1:
                claims["grants"] = decision.grants
        return self.keys.sign(claims), claims

    def verify(self, token: str) -> Principal:
        """Verify a bearer token (cached until it expires; signature checks are the costly part)."""
        hit = self._token_cache.get(token)
        now = time.time()
        if hit is not None and hit[1] > now:
            return hit[0]
        principal = self.verifier.verify(token)
        if len(self._token_cache) >= self.settings.token_cache_size:
            self._token_cache.clear()
        self._token_cache[token] = (principal, float(principal.claims.get("exp", now)))
        return principal
