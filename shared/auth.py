"""Verifying gateway-issued access tokens (RFC 9068 JWTs) in every service.

The verifier fetches the gateway's JWKS (``http(s)://`` or ``file://``), caches it, and fetches
again when a token names an unknown ``kid`` (at most once per ``min_refetch_seconds``, so a
flood of forged kids cannot hammer the gateway). Only asymmetric algorithms are accepted, so
``alg: none`` and HS256-with-the-public-key both fail. ``require_scopes(...)`` is the FastAPI
dependency that turns a bearer token into a :class:`Principal` or a 401/403 problem;
:func:`readable_by_org` narrows a query to the rows the caller's organisation may read.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Protocol, TypeVar, cast
from urllib.parse import urlparse, urlunparse

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jwt import PyJWK
from sqlalchemy import Select, false

from shared.errors import Forbidden, Unauthorized
from shared.observability import JWKS_FETCH_FAILURES

ALLOWED_ALGORITHMS = ("EdDSA", "ES256")
ADMIN_SCOPE_SUFFIX = ":admin"
S = TypeVar("S", bound=Select[Any])
log = logging.getLogger("govnet.auth")


@dataclass(frozen=True)
class Principal:
    """Who is calling: from a verified token."""

    sub: str
    org: str | None
    scopes: frozenset[str]
    grant: str | None
    client_id: str | None = None
    jti: str | None = None
    token: str = field(default="", repr=False)
    claims: dict[str, Any] = field(default_factory=dict, repr=False)

    def has(self, scope: str) -> bool:
        """True when the token carries ``scope``."""
        return scope in self.scopes

    def is_admin(self, service: str) -> bool:
        """True when the caller holds ``<service>:admin``."""
        return f"{service}{ADMIN_SCOPE_SUFFIX}" in self.scopes


def _bearer_error(description: str, *, error: str = "invalid_token", scope: str | None = None) -> dict[str, str]:
    value = f'Bearer error="{error}", error_description="{description}"'
    if scope:
        value += f', scope="{scope}"'
    return {"WWW-Authenticate": value}


class TokenVerifier:
    """Verifies JWTs against a JWKS, with caching and refetch on unknown ``kid``."""

    def __init__(
        self,
        *,
        jwks_url: str,
        issuer: str,
        audience: str,
        leeway_seconds: int = 5,
        min_refetch_seconds: float = 5.0,
        service: str = "",
    ) -> None:
        self.jwks_url = jwks_url
        self.service = service
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway_seconds
        self.min_refetch = min_refetch_seconds
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()
        self._revoked_grants: set[str] = set()

    # -- keys ------------------------------------------------------------------------------
    def _load_jwks(self) -> dict[str, Any]:
        parsed = urlparse(self.jwks_url)
        if parsed.scheme == "file":
            return dict(json.loads(Path(parsed.path).read_text()))
        response = httpx.get(self.jwks_url, timeout=3.0)
        response.raise_for_status()
        return dict(response.json())

    def refresh(self) -> None:
        """Fetch the JWKS now."""
        jwks = self._load_jwks()
        keys: dict[str, PyJWK] = {}
        for jwk in jwks.get("keys", []):
            if jwk.get("kid") and jwk.get("alg", "EdDSA") in ALLOWED_ALGORITHMS:
                keys[jwk["kid"]] = PyJWK(jwk)
        self._keys = keys
        self._fetched_at = time.monotonic()

    def _key_for(self, kid: str) -> PyJWK | None:
        key = self._keys.get(kid)
        if key is not None:
            return key
        with self._lock:
            key = self._keys.get(kid)
            if key is None and (not self._keys or time.monotonic() - self._fetched_at >= self.min_refetch):
                try:
                    self.refresh()
                except Exception as exc:
                    self._fetch_failed(exc)
                    return None
                key = self._keys.get(kid)
        return key

    def _fetch_failed(self, exc: Exception) -> None:
        """A failed JWKS fetch refuses the token (401) but must not go unnoticed: log and count it."""
        reason = type(exc).__name__
        if isinstance(exc, httpx.HTTPStatusError):
            reason = f"http_{exc.response.status_code}"
        JWKS_FETCH_FAILURES.labels(service=self.service or "unknown", reason=reason).inc()
        # the exception's text may carry the URL with credentials or a query: log neither
        log.warning(
            "JWKS fetch failed; tokens signed with unknown keys are refused",
            extra={"jwks_url": _safe_url(self.jwks_url), "reason": reason},
        )

    # -- grants ----------------------------------------------------------------------------
    def revoke_grant(self, grant_id: str) -> None:
        """Refuse tokens backed by ``grant_id`` from now on (fed by grant.revoked events)."""
        self._revoked_grants.add(grant_id)

    def restore_grant(self, grant_id: str) -> None:
        self._revoked_grants.discard(grant_id)

    # -- verification ----------------------------------------------------------------------
    def verify(self, token: str) -> Principal:
        """Return the token's principal or raise :class:`Unauthorized`."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("The access token is malformed.", headers=_bearer_error("malformed token")) from None
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise Unauthorized(
                f"Tokens signed with '{alg}' are not accepted.", headers=_bearer_error("unsupported algorithm")
            )
        kid = header.get("kid")
        key = self._key_for(kid) if isinstance(kid, str) else None
        if key is None:
            raise Unauthorized("The token's signing key is unknown.", headers=_bearer_error("unknown key"))
        if key.algorithm_name != alg:
            raise Unauthorized("The token's algorithm does not match its key.", headers=_bearer_error("bad alg"))
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The access token has expired; request a new one.", headers=_bearer_error("expired")) from None
        except jwt.InvalidAudienceError:
            raise Unauthorized("The access token is not meant for this service.", headers=_bearer_error("audience")) from None
        except jwt.InvalidIssuerError:
            raise Unauthorized("The access token was not issued by the GovNet gateway.", headers=_bearer_error("issuer")) from None
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"The access token is not valid: {exc}.", headers=_bearer_error("invalid")) from None
        grant = claims.get("grant")
        if grant is not None and str(grant) in self._revoked_grants:
            raise Unauthorized("The access grant behind this token has been revoked.", headers=_bearer_error("revoked"))
        scope = claims.get("scope", "")
        return Principal(
            sub=str(claims["sub"]),
            org=claims.get("org"),
            scopes=frozenset(scope.split()) if isinstance(scope, str) else frozenset(),
            grant=str(grant) if grant is not None else None,
            client_id=claims.get("client_id"),
            jti=claims.get("jti"),
            token=token,
            claims=claims,
        )


def _safe_url(url: str) -> str:
    """``url`` without user info, query or fragment, fit for a log line."""
    parsed = urlparse(url)
    netloc = parsed.hostname or ""
    if parsed.port:
        netloc += f":{parsed.port}"
    return urlunparse((parsed.scheme, netloc, parsed.path, "", "", ""))


def bearer_token(request: Request) -> str | None:
    """The bearer token of the request, if any."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


_bearer_scheme = HTTPBearer(auto_error=False, description="An access token issued by the GovNet gateway")


def current_principal(
    request: Request, _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_scheme)] = None
) -> Principal:
    """The verified caller; 401 when there is no valid token."""
    token = bearer_token(request)
    if token is None:
        raise Unauthorized(
            "This route needs a bearer access token from the GovNet gateway.",
            headers={"WWW-Authenticate": 'Bearer realm="govnet"'},
        )
    verifier: TokenVerifier = request.app.state.verifier
    principal = verifier.verify(token)
    request.state.principal = principal
    return principal


class ScopePolicy(Protocol):
    """A :func:`require_scopes` dependency: a function carrying the policy it enforces."""

    required_scopes: tuple[str, ...]
    any_of: bool
    admin_scope: str

    def __call__(self, principal: Principal) -> Principal: ...


def require_scopes(*scopes: str, any_of: bool = False) -> Any:
    """A dependency that needs every scope in ``scopes`` (or one of them with ``any_of``).

    A caller holding ``<service>:admin`` for the service of the first scope passes as well.
    """
    service = scopes[0].split(":", 1)[0] if scopes else ""

    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.is_admin(service):
            return principal
        held = [s in principal.scopes for s in scopes]
        if (any(held) if any_of else all(held)):
            return principal
        missing = " ".join(s for s, h in zip(scopes, held, strict=True) if not h)
        raise Forbidden(
            f"The token lacks the scope(s) this route needs: {missing}. Ask for them in an access registration.",
            headers=_bearer_error("insufficient scope", error="insufficient_scope", scope=" ".join(scopes)),
            required_scopes=list(scopes),
        )

    # declared policy, readable by tooling (the gateway's policy-agreement test walks every route)
    policy = cast(ScopePolicy, dependency)
    policy.required_scopes = scopes
    policy.any_of = any_of
    policy.admin_scope = f"{service}{ADMIN_SCOPE_SUFFIX}"
    return Depends(dependency)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def readable_by_org(stmt: S, org_column: Any, *, principal: Principal, service: str) -> S:
    """``stmt`` narrowed to the rows whose ``org_column`` is the caller's organisation.

    ``<service>:admin`` reads every row; a caller without an organisation reads none (a NULL
    organisation column must not match a token without one).
    """
    if principal.is_admin(service):
        return stmt
    if principal.org is None:
        return stmt.where(false())
    return stmt.where(org_column == principal.org)
