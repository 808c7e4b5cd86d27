"""OAuth 2.0 endpoints (RFC 6749 client credentials and refresh, RFC 7662, RFC 7009, RFC 8414),
the JWKS, and people's password login (N10).

The ``/oauth/*`` endpoints answer errors the RFC 6749 §5.2 way (``{error, error_description}``),
because OAuth client libraries expect that; everything else answers problem+json.

These routes open their own short transactions instead of the request's unit of work: a failed
login must count against the account (and lock it) although the route then answers an error,
and each answer is audited only after what it reports has committed.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from services.gateway.access.service import active_grants, decide_scope
from services.gateway.clients import service as clients
from services.gateway.deps import gateway_of
from services.gateway.identity import service as identity
from services.gateway.identity.service import Locked, LoginOutcome, PasswordChangeRequired
from services.gateway.models import Client, User, aware, utcnow
from services.gateway.routes import KNOWN_SCOPES
from services.gateway.runtime import CONSOLE_CLIENT_ID, Gateway, liveness, rate_headers, token_grants
from services.gateway.schemas import LoginIn, PasswordChangeIn, TokenOut
from shared.db import after_commit
from shared.errors import DomainError, TooManyRequests, Unauthorized

router = APIRouter(tags=["oauth"])
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


#: RFC 6749 §5.2 error body, which the OAuth endpoints answer instead of a problem document
OAUTH_ERROR = {
    "description": "An OAuth 2.0 error (RFC 6749 §5.2)",
    "content": {"application/json": {"schema": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
    }}},
}
VALIDATION_PROBLEM = {
    "description": "A required form field is missing or not valid; `errors` names each field",
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
}
#: the OAuth endpoints document their own errors (they opt out of the generic problem responses)
OAUTH_DOCS: dict[str, Any] = {
    "openapi_extra": {"x-govnet-problems": False},
    "responses": {400: OAUTH_ERROR, 401: OAUTH_ERROR, 422: VALIDATION_PROBLEM, 429: OAUTH_ERROR},
}


def oauth_error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status,
                        headers={**NO_STORE, **(headers or {})})


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def limit_anonymous(gw: Gateway, request: Request) -> None:
    """Per-IP token bucket for the unauthenticated identity endpoints (brute-force brake)."""
    s = gw.settings
    if not s.rate_limit_enabled:
        return
    allowed, remaining, wait = gw.limiter.take(
        "id:" + client_ip(request), rate=s.rate_limit_anonymous_rps, burst=s.rate_limit_anonymous_burst
    )
    if not allowed:
        raise TooManyRequests(
            f"Too many attempts from your address; wait {max(1, int(wait + 0.999))} s.",
            headers={**rate_headers(s.rate_limit_anonymous_burst, remaining, wait), "Retry-After": str(max(1, int(wait + 0.999)))},
        )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = raw.partition(":")
    if not sep:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


def _authenticate_client(gw: Gateway, request: Request, client_id: str | None, client_secret: str | None) -> Client | None:
    creds = _basic_credentials(request) or ((client_id, client_secret) if client_id and client_secret else None)
    if creds is None:
        return None
    with gw.database.transaction(write=False) as session:
        return clients.authenticate_client(session=session, hasher=gw.hasher, client_id=creds[0], secret=creds[1])


def _token_response(token: str, claims: dict[str, Any], refresh: str | None = None) -> JSONResponse:
    body = TokenOut(access_token=token, expires_in=int(claims["exp"]) - int(claims["iat"]), scope=claims["scope"],
                    refresh_token=refresh).model_dump(exclude_none=True)
    return JSONResponse(body, headers=NO_STORE)


@router.post("/oauth/token", summary="Issue an access token (client credentials or refresh token)", **OAUTH_DOCS)
def token_endpoint(
    request: Request,
    grant_type: Annotated[str, Form()] = "",
    scope: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
    refresh_token: Annotated[str | None, Form()] = None,
) -> Response:
    gw = gateway_of(request)
    try:
        limit_anonymous(gw, request)
    except DomainError as exc:
        return oauth_error(429, "slow_down", exc.detail, exc.headers)
    ip = client_ip(request)
    if grant_type == "client_credentials":
        client = _authenticate_client(gw, request, client_id, client_secret)
        if client is None:
            gw.audit.record("token_refused", actor=f"client:{client_id or '?'}", ip=ip, detail={"reason": "invalid_client"})
            return oauth_error(401, "invalid_client", "Client authentication failed: unknown client or wrong secret.",
                               {"WWW-Authenticate": 'Basic realm="govnet"'})
        with gw.database.transaction(write=False) as session:
            grants = active_grants(session=session, org_id=client.org_id)
        try:
            decision = decide_scope(grants=grants, requested=scope)
        except ValueError as exc:
            return oauth_error(400, "invalid_scope", f"The client's organisation holds no active grant for: {exc}.")
        if not decision.scope:
            return oauth_error(400, "invalid_scope", "The client's organisation holds no active grant; file an access registration.")
        sub = f"client:{client.client_id}"
        token, claims = gw.mint(sub=sub, org=client.org_id, client_id=client.client_id, decision=decision)
        gw.audit.record("token_issued", actor=sub, org=client.org_id, grant_id=claims.get("grant"), client_id=client.client_id,
                        ip=ip, detail={"scope": claims["scope"], "jti": claims["jti"], "grant_type": grant_type})
        return _token_response(token, claims)
    if grant_type == "refresh_token":
        if not refresh_token:
            return oauth_error(400, "invalid_request", "Send refresh_token.")
        with gw.database.transaction() as session:
            used = clients.use_refresh_token(session=session, token=refresh_token)
            if used is None:
                return oauth_error(400, "invalid_grant", "The refresh token is unknown, expired or revoked; log in again.")
            row, user = used
            result = _user_token(gw, session, user, scope or row.scope or None)
        if isinstance(result, JSONResponse):
            return result
        token, claims, new_refresh = result
        gw.audit.record("token_issued", actor=claims["sub"], org=user.org_id, grant_id=claims.get("grant"), ip=ip,
                        client_id=CONSOLE_CLIENT_ID, detail={"scope": claims["scope"], "jti": claims["jti"], "grant_type": grant_type})
        return _token_response(token, claims, new_refresh)
    return oauth_error(400, "unsupported_grant_type",
                       "Use grant_type=client_credentials (systems) or refresh_token; people log in at POST /auth/login.")


def _user_token(gw: Gateway, session: Any, user: User, requested: str | None) -> tuple[str, dict[str, Any], str] | JSONResponse:
    grants = active_grants(session=session, org_id=user.org_id)
    try:
        decision = decide_scope(grants=grants, requested=requested)
    except ValueError as exc:
        return oauth_error(400, "invalid_scope", f"Your organisation holds no active grant for: {exc}.")
    if not user.is_admin:
        decision.scope = [s for s in decision.scope if s != "gateway:admin"]
    token, claims = gw.mint(sub=f"user:{user.username}", org=user.org_id, client_id=CONSOLE_CLIENT_ID, decision=decision)
    refresh = clients.issue_refresh_token(session=session, user=user, scope=claims["scope"],
                                          seconds=gw.settings.refresh_token_seconds)
    return token, claims, refresh


@router.post("/auth/login", summary="People log in with user name and password (N10)", tags=["auth"])
def login(body: LoginIn, request: Request) -> Response:
    gw = gateway_of(request)
    limit_anonymous(gw, request)
    ip = client_ip(request)
    with gw.database.transaction() as session:
        result = identity.attempt_login(session=session, hasher=gw.hasher, rules=gw.rules,
                                       username=body.username, password=body.password, source=ip)
        issued = None
        if result.outcome == LoginOutcome.ok and result.user is not None:
            issued = _user_token(gw, session, result.user, None)
    actor = f"user:{body.username}"
    org = result.user.org_id if result.user else None
    outcome = result.outcome
    if outcome in (LoginOutcome.bad_credentials, LoginOutcome.locked_now):
        gw.audit.record("login_failed", actor=actor, org=org, ip=ip, detail={"reason": "bad_credentials"})
        if outcome == LoginOutcome.locked_now:
            gw.audit.record("account_locked", actor=actor, org=org, ip=ip,
                            detail={"until": result.locked_until.isoformat() if result.locked_until else None})
            raise Locked(f"Too many failed attempts: the account is locked for {gw.rules.lockout_minutes} minutes "
                                 "from your address.")
        raise Unauthorized("Wrong user name or password.")
    if outcome == LoginOutcome.locked:
        gw.audit.record("login_failed", actor=actor, org=org, ip=ip, detail={"reason": "locked"})
        until = result.locked_until.isoformat() if result.locked_until else ""
        raise Locked(f"The account is locked from your address until {until} after repeated failures; "
                             "try again later.", locked_until=until)
    if outcome in (LoginOutcome.must_change, LoginOutcome.expired):
        why = ("This is your first login" if outcome == LoginOutcome.must_change
               else f"Your password is older than {gw.rules.max_age_days} days")
        gw.audit.record("login_failed", actor=actor, org=org, ip=ip, detail={"reason": outcome.value})
        raise PasswordChangeRequired(
            f"{why}: set a new password at POST /auth/password, then log in again.", change_url="/auth/password"
        )
    if isinstance(issued, JSONResponse) or issued is None:
        return issued or Response(status_code=500)
    token, claims, refresh = issued
    gw.audit.record("login_succeeded", actor=actor, org=org, ip=ip, grant_id=claims.get("grant"),
                    detail={"scope": claims["scope"], "jti": claims["jti"]})
    return _token_response(token, claims, refresh)


@router.post("/auth/password", status_code=204, summary="Change a password (also the forced change)", tags=["auth"])
def change_password(body: PasswordChangeIn, request: Request) -> Response:
    gw = gateway_of(request)
    limit_anonymous(gw, request)
    ip = client_ip(request)
    with gw.database.transaction() as session:
        user = identity.user_by_username(session=session, username=body.username)
        result = identity.attempt_login(session=session, hasher=gw.hasher, rules=gw.rules.model_copy(update={"max_age_days": 0}),
                                       username=body.username, password=body.current_password, source=ip)
    if result.outcome in (LoginOutcome.bad_credentials, LoginOutcome.locked_now, LoginOutcome.locked):
        gw.audit.record("password_change_failed", actor=f"user:{body.username}", ip=ip, detail={"reason": result.outcome.value})
        if result.outcome == LoginOutcome.bad_credentials:
            raise Unauthorized("Wrong user name or current password.")
        raise Locked("The account is locked from your address after repeated failures; try again later.")
    with gw.database.transaction() as session:
        user = identity.user_by_username(session=session, username=body.username)
        assert user is not None
        identity.set_password(session=session, hasher=gw.hasher, rules=gw.rules, user=user, new_password=body.new_password)
    gw.audit.record("password_changed", actor=f"user:{body.username}", org=user.org_id, ip=ip)
    return Response(status_code=204)


def _introspect_caller_ok(gw: Gateway, request: Request, client_id: str | None, client_secret: str | None) -> bool:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        try:
            principal = gw.verify(header[7:].strip())
        except DomainError:
            return False
        gw.grants.ensure_fresh(token_grants(principal))
        return "gateway:admin" in liveness(principal, gw.grants).scopes
    return _authenticate_client(gw, request, client_id, client_secret) is not None


@router.post("/oauth/introspect", summary="Token introspection (RFC 7662)", **OAUTH_DOCS)
def introspect(
    request: Request,
    token: Annotated[str, Form()],
    token_type_hint: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
) -> Response:
    gw = gateway_of(request)
    if not _introspect_caller_ok(gw, request, client_id, client_secret):
        return oauth_error(401, "invalid_client", "Authenticate as a client, or with a gateway:admin bearer token.",
                           {"WWW-Authenticate": 'Basic realm="govnet"'})
    try:
        principal = gw.verify(token)
    except DomainError:
        principal = None
    if principal is not None:
        gw.grants.ensure_fresh(token_grants(principal))
        alive = liveness(principal, gw.grants)
        if alive.revoked or (principal.grant and not alive.scopes and principal.scopes):
            return JSONResponse({"active": False}, headers=NO_STORE)
        claims = {k: v for k, v in principal.claims.items()}
        claims["scope"] = " ".join(sorted(alive.scopes)) if principal.grant else claims.get("scope", "")
        return JSONResponse({"active": True, "token_type": "Bearer", **claims}, headers=NO_STORE)
    with gw.database.transaction(write=False) as session:
        live = clients.live_refresh_token(session=session, token=token)
        if live is not None:
            row, user = live
            return JSONResponse({"active": True, "token_type": "refresh_token", "scope": row.scope,
                                 "sub": f"user:{user.username}" if user else None,
                                 "exp": int((aware(row.expires_at) or utcnow()).timestamp())}, headers=NO_STORE)
    return JSONResponse({"active": False}, headers=NO_STORE)


@router.post("/oauth/revoke", summary="Token revocation (RFC 7009)", response_class=Response,
             openapi_extra={"x-govnet-problems": False},
             responses={200: {"description": "Revoked, or not a token this caller may revoke (RFC 7009 answers 200 either way); empty body"},
                        400: OAUTH_ERROR, 401: OAUTH_ERROR, 422: VALIDATION_PROBLEM})
def revoke(
    request: Request,
    token: Annotated[str, Form()],
    token_type_hint: Annotated[str | None, Form()] = None,
    client_id: Annotated[str | None, Form()] = None,
    client_secret: Annotated[str | None, Form()] = None,
) -> Response:
    gw = gateway_of(request)
    client = _authenticate_client(gw, request, client_id, client_secret)
    try:
        principal = gw.verify(token)
    except DomainError:
        principal = None
    # a client may revoke its own tokens; a person's console (public client) revokes what it holds
    if principal is not None and (client is None or principal.client_id == client.client_id or principal.client_id == CONSOLE_CLIENT_ID):
        with gw.database.transaction() as session:
            clients.revoke_access_token(session=session, jti=str(principal.jti), exp=int(principal.claims["exp"]))
            after_commit(session, gw.grants.invalidate)  # the snapshot's deny-list follows the commit
        gw.audit.record("token_revoked", actor=principal.sub, org=principal.org, grant_id=principal.grant,
                        client_id=principal.client_id, detail={"jti": principal.jti})
        return Response(status_code=200, headers=NO_STORE)
    with gw.database.transaction() as session:
        if clients.revoke_refresh_token(session=session, token=token):
            gw.audit.record("refresh_token_revoked", ip=client_ip(request))
    return Response(status_code=200, headers=NO_STORE)


@router.get("/.well-known/jwks.json", summary="The gateway's public signing keys (JWKS)")
def jwks(request: Request) -> JSONResponse:
    return JSONResponse(gateway_of(request).keys.jwks(), headers={"Cache-Control": "public, max-age=60"})


@router.get("/.well-known/oauth-authorization-server", summary="Authorization server metadata (RFC 8414)")
def metadata(request: Request) -> dict[str, Any]:
    issuer = gateway_of(request).settings.jwt_issuer.rstrip("/")
    return {
        "issuer": issuer,
        "token_endpoint": f"{issuer}/oauth/token",
        "jwks_uri": f"{issuer}/.well-known/jwks.json",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "grant_types_supported": ["client_credentials", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "scopes_supported": list(KNOWN_SCOPES),
        "response_types_supported": ["token"],
        "access_token_signing_alg_values_supported": ["EdDSA"],
    }
