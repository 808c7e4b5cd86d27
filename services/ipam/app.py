"""The ipam service's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.ipam.addressing.api import router as addressing_router
from services.ipam.bulk.api import router as bulk_router
from services.ipam.changelog.api import router as changelog_router
from services.ipam.demo import demo_hook
from services.ipam.events import HANDLERS
from services.ipam.organisation.api import router as organisation_router
from services.ipam.outbox import outbox
from services.ipam.reports.api import router as reports_router
from services.ipam.settings import IpamSettings
from shared.app import create_service_app


def create_app(settings: IpamSettings | None = None, *, configure_logs: bool = False) -> FastAPI:
    """Build the ipam app."""
    settings = settings or IpamSettings()
    return create_service_app(
        settings=settings,
        title="GovNet IPAM",
        description="IP address management for the provincial special-purpose data network (N1, N2, N3, N7).",
        routers=[organisation_router, addressing_router, changelog_router, bulk_router, reports_router],
        outbox=outbox,
        handlers=HANDLERS,
        startup=[demo_hook],
        configure_logs=configure_logs,
    )
