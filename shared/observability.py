"""JSON logs carrying the request id, the request middleware, and Prometheus metrics.

Metrics are module-level (one registry per process) with a ``service`` label, so several
service apps can live in one test process without registering a metric twice.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import PROBLEM_BASE, PROBLEM_JSON, PayloadTooLarge

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

HTTP_REQUESTS = Counter(
    "govnet_http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "govnet_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
OUTBOX_BACKLOG = Gauge("govnet_outbox_backlog", "Outbox events not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "govnet_outbox_oldest_age_seconds", "Age of the oldest unpublished outbox event", ["service"]
)
OUTBOX_PUBLISHED = Counter("govnet_outbox_published_total", "Outbox events published", ["service"])
CONSUMER_LAG = Gauge("govnet_consumer_lag", "Messages behind the partition end", ["service", "topic", "partition"])
CONSUMER_PROCESSED = Counter(
    "govnet_consumer_events_total", "Events consumed", ["service", "type", "outcome"]
)
JWKS_FETCH_FAILURES = Counter(
    "govnet_jwks_fetch_failures_total", "Failed fetches of the gateway's public keys", ["service", "reason"]
)

# header values a client may send as a request id: short and printable, nothing to inject into logs
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_SECRET_KEYS = re.compile(r"(password|secret|token|authorization|api[_-]?key)", re.IGNORECASE)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id of the current request."""

    _std = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}

    def __init__(self, service: str = "govnet") -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = request_id_var.get()
        if rid:
            out["request_id"] = rid
        for key, value in record.__dict__.items():
            if key in self._std or key.startswith("_"):
                continue
            out[key] = "[redacted]" if _SECRET_KEYS.search(key) else value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def configure_logging(service: str, *, level: str = "INFO", json_lines: bool = True) -> None:
    """Send the process's logs to stderr, as JSON lines when ``json_lines``."""
    handler = logging.StreamHandler(sys.stderr)
    if json_lines:
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "kafka", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def new_request_id() -> str:
    """A fresh request id: 32 hex digits."""
    return uuid.uuid4().hex


class RequestContextMiddleware:
    """Request id in and out (``X-Request-ID``), latency and count metrics, and a body-size cap.

    A plain ASGI middleware (no BaseHTTPMiddleware) so it adds microseconds, not milliseconds.
    """

    def __init__(self, app: ASGIApp, *, service: str, max_body_bytes: int) -> None:
        self.app = app
        self.service = service
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        content_length = None
        forwarded_host = forwarded_proto = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
            elif name == b"content-length":
                content_length = value
            elif name == b"x-forwarded-host":
                forwarded_host = value
            elif name == b"x-forwarded-proto":
                forwarded_proto = value
        if forwarded_host is not None or forwarded_proto is not None:
            scope = _as_forwarded(scope, forwarded_host, forwarded_proto)
        rid = incoming if incoming and _REQUEST_ID_RE.match(incoming) else new_request_id()
        scope.setdefault("state", {})["request_id"] = rid
        token = request_id_var.set(rid)
        started = time.perf_counter()
        status_holder = [500]

        if content_length is not None and content_length.isdigit() and int(content_length) > self.max_body_bytes:
            await _send_too_large(send, rid, self.max_body_bytes)
            request_id_var.reset(token)
            return

        received = 0
        limit = self.max_body_bytes

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge()
            return message

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_wrapper)
        except _BodyTooLarge:
            status_holder[0] = PayloadTooLarge.status
            await _send_too_large(send, rid, limit)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, method, template, str(status_holder[0])).inc()
            HTTP_LATENCY.labels(self.service, method, template).observe(time.perf_counter() - started)
            request_id_var.reset(token)


def _as_forwarded(scope: Scope, host: bytes | None, proto: bytes | None) -> Scope:
    """Let the gateway's X-Forwarded-Host/-Proto shape ``request.url``, so links in responses
    (``next``, ``previous``) point at the public address, not at the service behind it.

    Services are reached through the gateway, which sets these headers itself and drops any a
    client sent; only a plain host[:port] and http/https are taken.
    """
    scope = dict(scope)
    if host is not None and _HOST_RE.match(host):
        scope["headers"] = [(n, v) for n, v in scope["headers"] if n != b"host"] + [(b"host", host)]
    if proto in (b"http", b"https"):
        scope["scheme"] = proto.decode()
    return scope


_HOST_RE = re.compile(rb"^[A-Za-z0-9.\-\[\]:]{1,255}$")


class _BodyTooLarge(Exception):
    pass


async def _send_too_large(send: Send, rid: str, limit: int) -> None:
    body = json.dumps(
        {
            "type": f"{PROBLEM_BASE}{PayloadTooLarge.code}",
            "title": PayloadTooLarge.title,
            "status": PayloadTooLarge.status,
            "detail": f"The request body is larger than {limit} bytes; send a smaller body.",
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": PayloadTooLarge.status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", rid.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
