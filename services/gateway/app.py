"""The gateway service's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.gateway.api import router
from services.gateway.events import HANDLERS, outbox
from services.gateway.settings import GatewaySettings
from shared.app import create_service_app


def create_app(settings: GatewaySettings | None = None, *, configure_logs: bool = False) -> FastAPI:
    """Build the gateway app."""
    settings = settings or GatewaySettings()
    return create_service_app(
        settings=settings,
        title="GovNet Gateway",
        description="The suite's only public entry: OAuth2 tokens, access registrations and grants, the audited proxy.",
        routers=[router],
        outbox=outbox,
        handlers=HANDLERS,
        configure_logs=configure_logs,
    )
