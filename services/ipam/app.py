"""The ipam service's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.ipam.api import router
from services.ipam.demo import demo_hook
from services.ipam.events import HANDLERS, outbox
from services.ipam.settings import IpamSettings
from shared.app import create_service_app


def create_app(settings: IpamSettings | None = None, *, configure_logs: bool = False) -> FastAPI:
    """Build the ipam app."""
    settings = settings or IpamSettings()
    return create_service_app(
        settings=settings,
        title="GovNet IPAM",
        description="IP address management for the provincial special-purpose data network (N1, N2, N3, N7).",
        routers=[router],
        outbox=outbox,
        handlers=HANDLERS,
        startup=[demo_hook],
        configure_logs=configure_logs,
    )
