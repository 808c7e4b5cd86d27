"""The one way a GovNet service app is built: same middleware, errors, probes and event loop.

``create_service_app`` wires a service's routers to the shared mechanisms; its lifespan opens
the database, starts the outbox relay and the event consumer, and stops them on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shared.auth import TokenVerifier
from shared.config import ServiceSettings
from shared.db import Database
from shared.errors import install_problem_handlers
from shared.events.consumer import EventConsumer, Handler
from shared.events.kafka import BrokerWatch, broker_reachable
from shared.events.outbox import Outbox
from shared.events.relay import OutboxRelay
from shared.observability import RequestContextMiddleware, configure_logging
from shared.openapi import install_problem_openapi
from shared.revocations import grant_handlers, load_revoked_grants

log = logging.getLogger("govnet.app")

StartupHook = Callable[[FastAPI], Awaitable[None] | None]
SHUTDOWN_SECONDS = 10.0


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    outbox: Outbox,
    handlers: dict[str, Handler] | None = None,
    startup: Sequence[StartupHook] = (),
    configure_logs: bool = False,
    refuse_revoked_grants: bool = True,
) -> FastAPI:
    """Build a service's FastAPI app.

    ``refuse_revoked_grants``: follow the gateway's grant events and refuse revoked grants'
    tokens here too (:mod:`shared.revocations`); off only for the gateway, which holds the
    grants themselves.
    """
    service = settings.service_name
    if configure_logs:
        configure_logging(service, level=settings.log_level, json_lines=settings.log_json)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = Database(settings.database_url)
        app.state.database = database
        app.state.verifier = TokenVerifier(
            jwks_url=settings.jwks_url, issuer=settings.jwt_issuer, audience=settings.jwt_audience, service=service
        )
        tasks: list[asyncio.Task[Any]] = []
        workers: list[Any] = []
        watch: BrokerWatch | None = None  # one broker probe per service, for relay and consumer
        all_handlers = dict(handlers or {})
        if refuse_revoked_grants:
            # revocations this service was told about before a restart still hold after it
            await asyncio.to_thread(load_revoked_grants, database, outbox.tables.revoked_grants, app.state.verifier)
            all_handlers.update(grant_handlers(app.state.verifier, outbox.tables.revoked_grants))
        if settings.events_enabled:
            watch = BrokerWatch(settings.kafka_bootstrap)
            watch.start()
            relay = OutboxRelay(
                service=service, database=database, tables=outbox.tables, settings=settings, watch=watch
            )
            app.state.relay = relay
            workers.append(relay)
            tasks.append(asyncio.create_task(relay.run(), name=f"{service}-relay"))
            if all_handlers:
                consumer = EventConsumer(
                    service=service,
                    database=database,
                    outbox=outbox,
                    settings=settings,
                    handlers=all_handlers,
                    watch=watch,
                )
                app.state.consumer = consumer
                workers.append(consumer)
                tasks.append(asyncio.create_task(consumer.run(), name=f"{service}-consumer"))
        for hook in startup:
            result = hook(app)
            if inspect.isawaitable(result):
                await result
        try:
            yield
        finally:
            for worker in workers:
                await worker.stop()
            for task in tasks:
                task.cancel()
            if tasks:
                # a Kafka client can swallow a cancellation while the broker is away: bound the wait
                _done, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_SECONDS)
                if pending:
                    log.warning("background tasks did not stop in time", extra={"tasks": [t.get_name() for t in pending]})
            if watch is not None:
                await watch.stop()
            database.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.outbox = outbox
    install_problem_handlers(app)
    app.add_middleware(RequestContextMiddleware, service=service, max_body_bytes=settings.max_body_bytes)
    app.include_router(probes_router(service))
    for router in routers:
        app.include_router(router)
    # errors are problem+json: the document says so, with every status a route can answer
    install_problem_openapi(app)
    return app


def probes_router(service: str) -> APIRouter:
    """``/healthz``, ``/readyz`` and ``/metrics``."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get("/readyz", summary="Database and broker state")
    async def readyz(request: Request) -> JSONResponse:
        database: Database = request.app.state.database
        settings: ServiceSettings = request.app.state.settings
        db_ok, broker_ok = await asyncio.gather(
            asyncio.to_thread(database.ping), broker_reachable(settings.kafka_bootstrap)
        )
        checks: dict[str, Any] = {
            "database": "ok" if db_ok else "down",
            "broker": "ok" if broker_ok else "down",
        }
        relay: OutboxRelay | None = getattr(request.app.state, "relay", None)
        if relay is not None and db_ok:
            backlog, age = await asyncio.to_thread(relay.backlog)
            checks["outbox_backlog"] = backlog
            checks["outbox_oldest_age_seconds"] = round(age, 3)
        status = "ok" if db_ok and broker_ok else ("degraded" if db_ok else "unavailable")
        # degraded still serves reads and writes (events wait in the outbox): stay in rotation
        return JSONResponse(
            {"status": status, "service": service, "checks": checks}, status_code=200 if db_ok else 503
        )

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        relay: OutboxRelay | None = getattr(request.app.state, "relay", None)
        if relay is not None:
            await asyncio.to_thread(relay.update_metrics)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
