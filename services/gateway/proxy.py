"""The audited reverse proxy: ``/api/v1/{ipam,devices,incidents,ngo}/...`` -> the owning service.

A plain ASGI app (mounted under each segment) so that the hot path is: look up the route rule,
verify the token (cached), check its grants against the in-memory snapshot, take a rate-limit
token, stream the request to the upstream and the answer back, and queue one audit record.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import httpx
from starlette.types import Receive, Scope, Send

from services.gateway.routes import match_route, segment_of
from services.gateway.runtime import Gateway, liveness, rate_headers, token_grants
from shared.auth import Principal
from shared.errors import PROBLEM_BASE, DomainError, problem_response

log = logging.getLogger("govnet.gateway.proxy")

HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"te",
        b"trailer",
        b"trailers",
        b"transfer-encoding",
        b"upgrade",
    }
)
#: headers only the gateway may set; a client sending them is ignored
INTERNAL = frozenset(
    {b"host", b"x-request-id", b"x-forwarded-for", b"x-forwarded-host", b"x-forwarded-proto", b"x-real-ip", b"forwarded"}
)
INTERNAL_PREFIXES = (b"x-govnet-", b"x-internal-")
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RESPONSE_DROP = HOP_BY_HOP | {b"x-request-id"}
#: what may fail on a pooled connection the upstream closed while it sat idle; resent once
STALE_CONNECTION = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
#: escapes that would turn into a separator or a dot once decoded, and NUL
_ENCODED_SEPARATOR = re.compile(rb"%(?:2e|2f|5c|00)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def path_problem(scope: Scope) -> str | None:
    """Why the request's path may not be routed, or ``None``.

    The route rule is matched on the decoded path and the upstream routes on the same decoded
    path, so nothing may change it on the way: no ``.`` or ``..`` segments (httpx, like every
    URL library, would resolve them after the rule was chosen), no encoded slashes, backslashes
    or dots (decoded later, they would do the same), no backslashes, no empty segments. Both
    ``path`` and ``raw_path`` are checked, and they must say the same thing.
    """
    path: str = scope["path"]
    raw: bytes = scope.get("raw_path") or path.encode("utf-8")
    if _ENCODED_SEPARATOR.search(raw):
        return "The path contains an encoded slash, backslash, dot or NUL; send it unencoded."
    try:
        raw_text = raw.decode("ascii")
    except UnicodeDecodeError:
        return "The path is not percent-encoded ASCII."
    try:
        decoded = unquote(raw_text, errors="strict")
    except UnicodeDecodeError:
        return "The path's percent-escapes are not UTF-8."
    if decoded != path:
        return "The path does not decode to the path being routed."
    for text in (raw_text, path):
        if not text.startswith("/") or "\\" in text or _CONTROL.search(text):
            return "The path must start with / and contain no backslash or control character."
        segments = text.split("/")[1:]
        if segments and segments[-1] == "":
            segments.pop()  # one trailing slash is allowed
        if any(seg in ("", ".", "..") for seg in segments):
            return "The path contains an empty, '.' or '..' segment; send the path it stands for."
    return None


class Refusal(Exception):
    def __init__(self, status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any):
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.headers = headers or {}
        self.extra = extra


def _bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() or None if scheme.lower() == "bearer" else None
    return None


def _www(error: str, description: str, scope: str | None = None) -> dict[str, str]:
    value = f'Bearer realm="govnet", error="{error}", error_description="{description}"'
    if scope:
        value += f', scope="{scope}"'
    return {"WWW-Authenticate": value}


class ProxyApp:
    """Forwards a request it may forward; refuses the rest with problem+json."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        gw: Gateway = scope["app"].state.gateway
        started = time.perf_counter()
        method: str = scope["method"]
        path: str = scope["path"]
        client_ip = scope["client"][0] if scope.get("client") else "unknown"
        request_id = scope.get("state", {}).get("request_id", "")
        principal: Principal | None = None
        status = 500
        try:
            problem = path_problem(scope)
            if problem is not None:
                path = scope.get("raw_path", b"").decode("latin-1") or path  # audit what was sent
                raise Refusal(400, "bad-path", "Bad path", problem)
            principal, grants, rl_headers = await self._authorise(gw, method, path, scope["headers"], client_ip)
            status = await self._forward(gw, scope, receive, send, path, client_ip, request_id, rl_headers)
        except Refusal as refusal:
            status = refusal.status
            response = problem_response(
                refusal.status, title=refusal.title, detail=refusal.detail, type_=PROBLEM_BASE + refusal.code,
                instance=path, headers=refusal.headers, **refusal.extra,
            )
            await response(scope, receive, send)
        finally:
            gw.audit.record(
                "proxy",
                actor=principal.sub if principal else None,
                org=principal.org if principal else None,
                grant_id=principal.grant if principal else None,
                client_id=principal.client_id if principal else None,
                method=method,
                path=path,
                status=status,
                latency_ms=(time.perf_counter() - started) * 1000,
                request_id=request_id,
                ip=client_ip,
            )

    async def _authorise(
        self, gw: Gateway, method: str, path: str, headers: list[tuple[bytes, bytes]], client_ip: str
    ) -> tuple[Principal | None, list[str], dict[str, str]]:
        s = gw.settings
        rule = match_route(method, path)
        if rule is None:
            raise Refusal(404, "route-not-exposed", "Not exposed",
                          f"The gateway exposes no route for {method} {path}; check the path and method.")
        token = _bearer(headers)
        principal: Principal | None = None
        if token is None and not rule.public:
            raise Refusal(401, "unauthorized", "Authentication required",
                          "This route needs a bearer access token: POST /oauth/token (systems) or /auth/login (people).",
                          headers={"WWW-Authenticate": 'Bearer realm="govnet"'})
        if token is not None:
            try:
                principal = gw.verify(token)
            except DomainError as exc:
                raise Refusal(exc.status, exc.code, exc.title, exc.detail, exc.headers) from None
        grants: list[str] = []
        if principal is not None:
            grants = token_grants(principal)
            await gw.grants.aensure_fresh(grants)
            alive = liveness(principal, gw.grants)
            if alive.revoked:
                raise Refusal(401, "unauthorized", "Authentication required",
                              "The access token has been revoked; request a new one.", _www("invalid_token", "revoked"))
            if not rule.public and not any(sc in alive.scopes for sc in rule.scopes):
                held = [sc for sc in rule.scopes if sc in principal.scopes]
                if held and alive.dead_grants:
                    states = ", ".join(f"{g} is {st}" for g, st in alive.dead_grants.items())
                    raise Refusal(401, "grant-not-in-force", "Access grant not in force",
                                  f"The access grant behind this token is no longer in force ({states}).",
                                  _www("invalid_token", "grant not in force"))
                raise Refusal(403, "forbidden", "Forbidden",
                              f"The token lacks a scope this route needs (any of: {' '.join(rule.scopes)}). "
                              "Ask for it in an access registration.",
                              _www("insufficient_scope", "insufficient scope", " ".join(rule.scopes)),
                              required_scopes=list(rule.scopes))
        rl_headers: dict[str, str] = {}
        if s.rate_limit_enabled:
            if principal is not None:
                key, rate, burst = "c:" + principal.sub, s.rate_limit_client_rps, s.rate_limit_client_burst
            else:
                key, rate, burst = "ip:" + client_ip, s.rate_limit_anonymous_rps, s.rate_limit_anonymous_burst
            allowed, remaining, wait = gw.limiter.take(key, rate=rate, burst=burst)
            rl_headers = rate_headers(burst, remaining, wait)
            if not allowed:
                raise Refusal(429, "rate-limited", "Too many requests",
                              f"Slow down: at most {rate:g} requests per second (bursts of {burst}).",
                              {**rl_headers, "Retry-After": str(max(1, int(wait + 0.999)))})
        return principal, grants, rl_headers

    async def _forward(
        self, gw: Gateway, scope: Scope, receive: Receive, send: Send, path: str, client_ip: str,
        request_id: str, rl_headers: dict[str, str],
    ) -> int:
        segment = segment_of(path)
        assert segment is not None and gw.http is not None and gw.upstream is not None
        # the path exactly as sent (checked by path_problem): it decodes to the path the rule matched
        url = gw.settings.upstreams[segment] + (scope.get("raw_path") or path.encode()).decode("ascii")
        query = scope.get("query_string", b"")
        if query:
            url += "?" + query.decode("latin-1")
        headers: list[tuple[bytes, bytes]] = []
        drop = set(HOP_BY_HOP)
        has_body = False
        for name, value in scope["headers"]:
            if name == b"connection":
                drop |= {v.strip().lower().encode() for v in value.decode("latin-1").split(",")}
            if name in (b"content-length", b"transfer-encoding"):
                has_body = has_body or value not in (b"0",)
        for name, value in scope["headers"]:
            if name in drop or name in INTERNAL or name.startswith(INTERNAL_PREFIXES):
                continue
            headers.append((name, value))
        headers += [
            (b"x-request-id", request_id.encode()),
            (b"x-forwarded-for", client_ip.encode()),
            (b"x-forwarded-proto", scope.get("scheme", "http").encode()),
        ]
        public_host = next((v for n, v in scope["headers"] if n == b"host"), None)
        if public_host:
            headers.append((b"x-forwarded-host", public_host))  # services build links with it
        method: str = scope["method"]

        async def body() -> AsyncIterator[bytes]:
            more = True
            while more:
                message = await receive()
                chunk = message.get("body", b"")
                if chunk:
                    yield chunk
                more = message.get("more_body", False)

        content: Any = body() if has_body else None
        request = gw.http.build_request(method, url, headers=headers, content=content)
        # only a request that can be sent again unchanged is retried: idempotent, no body
        resendable = method in IDEMPOTENT and content is None
        connect_retries = gw.settings.upstream_connect_retries if resendable else 0
        stale_retries = gw.settings.upstream_stale_retries if resendable else 0
        response: httpx.Response | None = None
        attempt = 0
        while response is None:
            attempt += 1
            try:
                response = await gw.upstream.handle_async_request(request)
            except httpx.ConnectError:
                if connect_retries <= 0:
                    raise Refusal(503, "upstream-unavailable", "Service unavailable",
                                  f"The {segment} service is not reachable; try again shortly.",
                                  {"Retry-After": "5"}) from None
                connect_retries -= 1
                await asyncio.sleep(0.05 * attempt)
            except httpx.TimeoutException:
                raise Refusal(504, "upstream-timeout", "Gateway timeout",
                              f"The {segment} service did not answer in time.") from None
            except STALE_CONNECTION as exc:
                # most likely a pooled connection the upstream closed as we sent on it: the pool
                # has dropped it, so the next attempt opens a fresh one
                if stale_retries <= 0:
                    raise Refusal(502, "upstream-error", "Bad gateway",
                                  f"The {segment} service failed to answer ({type(exc).__name__}).") from None
                stale_retries -= 1
                log.info("resending %s %s after %s on a pooled connection", method, path, type(exc).__name__)
            except httpx.TransportError as exc:
                raise Refusal(502, "upstream-error", "Bad gateway",
                              f"The {segment} service failed to answer ({type(exc).__name__}).") from None
        try:
            out_headers = [(k, v) for k, v in response.headers.raw if k.lower() not in RESPONSE_DROP]
            out_headers += [(k.lower().encode(), v.encode()) for k, v in rl_headers.items()]
            await send({"type": "http.response.start", "status": response.status_code, "headers": out_headers})
            try:
                async for chunk in response.aiter_raw():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            except httpx.TransportError:
                log.warning("upstream %s broke off a response", segment)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()
        return response.status_code
