"""The devices service's FastAPI app."""

from __future__ import annotations

from fastapi import FastAPI

from services.devices.api import router
from services.devices.events import HANDLERS, outbox
from services.devices.settings import DevicesSettings
from services.devices.syslog import runtime as syslog_runtime
from shared.app import create_service_app


def create_app(settings: DevicesSettings | None = None, *, configure_logs: bool = False) -> FastAPI:
    """Build the devices app."""
    settings = settings or DevicesSettings()
    app = create_service_app(
        settings=settings,
        title="GovNet Devices",
        description="Terminal equipment, compliance, SNMP polling, syslog, link utilisation and availability (N4, N6, N11-N14).",
        routers=[router],
        outbox=outbox,
        handlers=HANDLERS,
        configure_logs=configure_logs,
    )
    if settings.syslog_enabled:
        syslog_runtime.attach(app, settings=settings, outbox=outbox)
    return app
