"""The incidents service's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.incidents.api import router
from services.incidents.events import HANDLERS, outbox
from services.incidents.settings import IncidentsSettings
from shared.app import create_service_app


def create_app(settings: IncidentsSettings | None = None, *, configure_logs: bool = False) -> FastAPI:
    """Build the incidents app."""
    settings = settings or IncidentsSettings()
    return create_service_app(
        settings=settings,
        title="GovNet Incidents",
        description="Incident tickets, SLAs and three-party routing-policy changes (N5, N8).",
        routers=[router],
        outbox=outbox,
        handlers=HANDLERS,
        configure_logs=configure_logs,
    )
