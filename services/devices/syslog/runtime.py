"""Running syslog intake: inside the devices service's lifespan, or as its own process."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI

from services.devices.syslog.intake import Intake
from services.devices.syslog.receiver import Receiver
from services.devices.syslog.settings import SyslogSettings
from shared.db import Database
from shared.events import Outbox


@contextlib.asynccontextmanager
async def running(*, settings: SyslogSettings, database: Database, outbox: Outbox) -> AsyncIterator[Receiver]:
    """Listeners and the writer, running for the body of the ``async with``."""
    intake = Intake(settings=settings, database=database, outbox=outbox)
    intake.start()
    receiver = Receiver(intake)
    try:
        await receiver.start()
        yield receiver
    finally:
        await receiver.stop()
        await intake.stop()


def attach(app: FastAPI, *, settings: SyslogSettings, outbox: Outbox) -> None:
    """Run syslog intake inside ``app``'s lifespan (after its database is open)."""
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with inner(a) as state:
            async with running(settings=settings, database=a.state.database, outbox=outbox) as receiver:
                a.state.syslog = receiver
                yield state

    app.router.lifespan_context = lifespan


async def serve(settings: SyslogSettings, database_url: str, outbox: Outbox) -> None:
    """The ``govnet syslog`` process: intake until SIGINT/SIGTERM (the relay runs in the devices service)."""
    database = Database(database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with running(settings=settings, database=database, outbox=outbox):
            await stop.wait()
    finally:
        database.dispose()
