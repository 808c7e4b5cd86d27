"""The gateway service's FastAPI app: identity, access API, proxy, aggregated OpenAPI."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import string
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.access.api import router as access_router
from services.gateway.access.service import ensure_operator_grant
from services.gateway.audit.api import router as audit_router
from services.gateway.clients.api import router as clients_router
from services.gateway.events import HANDLERS, outbox
from services.gateway.identity.api import router as users_router
from services.gateway.identity.service import admin_exists, create_user
from services.gateway.oauth import router as oauth_router
from services.gateway.openapi import aggregated_openapi
from services.gateway.proxy import ProxyApp, path_problem
from services.gateway.routes import SEGMENTS
from services.gateway.runtime import Gateway
from services.gateway.settings import GatewaySettings
from shared.app import create_service_app
from shared.errors import PROBLEM_BASE, problem_response
from shared.observability import RequestContextMiddleware

log = logging.getLogger("govnet.gateway.app")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")


class SecurityHeadersMiddleware:
    """Adds the usual browser-hardening headers (a strict CSP except on the Swagger UI page)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = SECURITY_HEADERS if scope["path"].startswith("/docs") else [*SECURITY_HEADERS, API_CSP]

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, wrapped)


class ProxyFastPath:
    """Sends proxied paths straight to the proxy's own short middleware chain.

    Everything under ``/api/v1/{ipam,devices,incidents,ngo}`` used to walk FastAPI's whole stack
    (server-error, telemetry and body-limit layers, exception middleware, exit stack, a match
    against every gateway route) before reaching the mounted proxy. On this path the gateway
    needs only: security headers, CORS, request id + metrics + body cap, the proxy, and a last
    resort 500. Other paths (and lifespan) take the full app unchanged.
    """

    def __init__(self, full: ASGIApp, proxy: ASGIApp, mounts: dict[str, Mount]) -> None:
        self.full = full
        self.proxy = proxy
        self.mounts = mounts

    def _mount(self, path: str) -> Mount | None:
        if not path.startswith("/api/v1/"):
            return None
        segment = path[8:].partition("/")[0]
        return self.mounts.get(segment)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.full(scope, receive, send)
            return
        mount = self._mount(scope["path"])
        if mount is None and path_problem(scope) is None:
            await self.full(scope, receive, send)
            return
        # proxied paths, and any path with dot segments or encoded separators: the proxy refuses
        # the latter with 400 (and audits the attempt) before any rule is looked up
        if mount is not None:
            scope["route"] = mount  # the metrics label stays the mount's path, as before
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.proxy(scope, receive, tracked)
        except Exception:
            log.exception("proxy failed on %s %s", scope["method"], scope["path"])
            if not started:
                response = problem_response(500, title="Internal error", detail="The gateway failed on this request; "
                                            "try again, and report the X-Request-ID if it persists.",
                                            type_=PROBLEM_BASE + "internal-error")
                await response(scope, receive, send)


def strong_password(length: int = 20) -> str:
    """A random password that satisfies the N10 rules."""
    alphabet = string.ascii_letters + string.digits + "-_.!@#%"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.islower() for c in pw) and any(c.isupper() for c in pw) and any(c.isdigit() for c in pw) \
                and any(c in "-_.!@#%" for c in pw):
            return pw


def bootstrap_demo_admin(gw: Gateway) -> None:
    """First start with demo data: create ``admin`` and write its credentials (mode 0600) for ``govnet up``."""
    with gw.database.transaction() as session:
        if admin_exists(session=session):
            return
        org, _ = ensure_operator_grant(session=session)
        password = strong_password()
        create_user(session=session, hasher=gw.hasher, rules=gw.rules, username="admin", password=password,
                    org_id=org.id, full_name="Quản trị viên GovNet", is_admin=True, must_change=True)
    path = gw.settings.var_dir / "admin-credentials.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({"username": "admin", "password": password,
                   "gateway_url": f"http://{gw.settings.host}:{gw.settings.port}"}, fh)
    os.chmod(path, 0o600)
    gw.audit.record("user_created", actor="system", org=org.id, detail={"username": "admin", "admin": True})


def create_app(settings: GatewaySettings | None = None, *, configure_logs: bool = False) -> FastAPI:
    """Build the gateway app."""
    settings = settings or GatewaySettings()
    app = create_service_app(
        settings=settings,
        title="GovNet Gateway",
        description="The suite's only public entry: OAuth2 tokens, access registrations and grants, the audited proxy.",
        routers=[oauth_router, access_router, users_router, clients_router, audit_router],
        outbox=outbox,
        handlers=HANDLERS,
        configure_logs=configure_logs,
        refuse_revoked_grants=False,  # the gateway holds the grants: its snapshot reads them directly
    )
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        async with inner(application) as state:
            gw = Gateway(settings, application.state.database)
            application.state.gateway = gw
            await gw.start()
            application.state.verifier = gw.verifier
            if settings.load_demo_data:
                bootstrap_demo_admin(gw)
            try:
                yield state
            finally:
                await gw.stop()

    app.router.lifespan_context = lifespan

    # the aggregated document replaces the gateway's own at /openapi.json (Swagger UI reads it)
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) != "/openapi.json"]

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> JSONResponse:
        return JSONResponse(await aggregated_openapi(request.app))

    proxy = ProxyApp()
    mounts = {segment: Mount(f"/api/v1/{segment}", app=proxy) for segment in SEGMENTS}
    app.router.routes.extend(mounts.values())
    cors: dict[str, Any] = {
        "allow_origins": settings.cors_origins,
        "allow_methods": ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        "allow_headers": ["Authorization", "Content-Type", "X-Request-ID"],
        "expose_headers": ["X-Request-ID", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"],
        "max_age": 600,
    }
    app.add_middleware(CORSMiddleware, **cors)
    app.add_middleware(SecurityHeadersMiddleware)
    # the proxied paths' own chain: the same headers, CORS, request id, metrics and body cap
    proxy_chain = SecurityHeadersMiddleware(
        CORSMiddleware(
            RequestContextMiddleware(proxy, service=settings.service_name, max_body_bytes=settings.max_body_bytes),
            **cors,
        )
    )
    build_full = app.build_middleware_stack
    app.build_middleware_stack = lambda: ProxyFastPath(build_full(), proxy_chain, mounts)  # type: ignore[method-assign]
    return app
