"""The ngo_registry service's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.ngo_registry.api import router
from services.ngo_registry.events import HANDLERS, outbox
from services.ngo_registry.settings import NgoRegistrySettings
from shared.app import create_service_app


def create_app(settings: NgoRegistrySettings | None = None, *, configure_logs: bool = False) -> FastAPI:
    """Build the ngo_registry app."""
    settings = settings or NgoRegistrySettings()
    return create_service_app(
        settings=settings,
        title="GovNet NGO registry",
        description="The association and NGO database of Decision 113/QĐ-BNV (G1-G19).",
        routers=[router],
        outbox=outbox,
        handlers=HANDLERS,
        configure_logs=configure_logs,
    )
