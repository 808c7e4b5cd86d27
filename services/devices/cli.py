"""Operator commands of the devices service: ``govnet syslog`` (the syslog receiver) and ``govnet poller`` (SNMP), each its own process."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the devices commands to ``govnet``."""

    @app.command()
    def syslog(
        host: Annotated[str | None, typer.Option(help="Listen address (GOVNET_DEVICES_SYSLOG_HOST)")] = None,
        port: Annotated[
            int | None, typer.Option(help="UDP and TCP port (GOVNET_DEVICES_SYSLOG_PORT)")
        ] = None,
    ) -> None:
        """Receive syslog (UDP, TCP, TLS if configured) into the devices database until stopped."""
        from services.devices.events import outbox
        from services.devices.settings import DevicesSettings
        from services.devices.syslog.runtime import serve
        from shared.observability import configure_logging

        settings = DevicesSettings()
        updates = {k: v for k, v in {"syslog_host": host, "syslog_port": port}.items() if v is not None}
        settings = settings.model_copy(update=updates)
        configure_logging("devices-syslog", level=settings.log_level, json_lines=settings.log_json)
        typer.echo(f"syslog listening on {settings.syslog_host}:{settings.syslog_port}", err=True)
        asyncio.run(serve(settings, settings.database_url, outbox))

    @app.command()
    def poller(
        once: Annotated[bool, typer.Option(help="Poll every due device once, then exit")] = False,
    ) -> None:
        """Poll the inventory's devices by SNMP every GOVNET_DEVICES_POLLER_INTERVAL seconds until stopped."""
        from services.devices.settings import DevicesSettings
        from services.devices.telemetry.process import serve as serve_poller
        from shared.observability import configure_logging

        settings = DevicesSettings()
        configure_logging("devices-poller", level=settings.log_level, json_lines=settings.log_json)
        typer.echo(f"poller: every {settings.poller_interval:g} s, at most {settings.poller_concurrency} at once", err=True)
        asyncio.run(serve_poller(settings, once=once))
