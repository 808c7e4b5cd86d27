"""RFC 9457 problem details for every error a service returns.

Domain code raises :class:`DomainError` subclasses (never ``HTTPException``); the handlers
installed by :func:`install_problem_handlers` turn them, FastAPI's validation errors, plain
HTTP errors and unexpected exceptions into ``application/problem+json``. An unexpected error
is a 500 that carries the request id as ``correlation_id`` and never a stack trace.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "urn:govnet:problem:"
log = logging.getLogger("govnet.errors")


class DomainError(Exception):
    """A business error with its HTTP status; ``code`` becomes the problem ``type``."""

    status: int = 400
    code: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        code: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.extra = extra
        if code:
            self.code = code


class InvalidInput(DomainError):
    status, code, title = 422, "invalid-input", "The request is not valid"


class NotFound(DomainError):
    status, code, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, code, title = 409, "conflict", "Conflict"


class Unauthorized(DomainError):
    status, code, title = 401, "unauthorized", "Authentication required"


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Forbidden"


class TooManyRequests(DomainError):
    status, code, title = 429, "rate-limited", "Too many requests"


class PayloadTooLarge(DomainError):
    status, code, title = 413, "payload-too-large", "Request body too large"


def problem_response(
    status: int,
    *,
    title: str | None = None,
    detail: str | None = None,
    type_: str = "about:blank",
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """Build an ``application/problem+json`` response."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        parts = parts[1:] or parts
    return ".".join(parts)


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    """FastAPI's validation errors as ``[{field, message, type}]`` a person can act on."""
    out = []
    for err in exc.errors():
        out.append({"field": _field_path(err.get("loc", ())), "message": err.get("msg"), "type": err.get("type")})
    return out


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error response of ``app`` a problem document."""

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(
            exc.status,
            title=exc.title,
            detail=exc.detail,
            type_=PROBLEM_BASE + exc.code,
            instance=request.url.path,
            headers=exc.headers,
            errors=exc.errors,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        fields = ", ".join(sorted({e["field"] for e in errors if e["field"]}))
        return problem_response(
            422,
            title="The request is not valid",
            detail=f"Check these fields: {fields}." if fields else "The request body is not valid.",
            type_=PROBLEM_BASE + "validation",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(
            exc.status_code, detail=detail, instance=request.url.path, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        correlation_id = _request_id(request)
        log.exception("unexpected error", extra={"correlation_id": correlation_id})
        return problem_response(
            500,
            title="Internal Server Error",
            detail="An unexpected error occurred. Quote the correlation id when reporting it.",
            type_=PROBLEM_BASE + "internal",
            instance=request.url.path,
            correlation_id=correlation_id,
            # rendered outside the request middleware, so the id header is set here
            headers={"X-Request-ID": correlation_id} if correlation_id else None,
        )
