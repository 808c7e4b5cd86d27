"""The ngo_registry service's FastAPI app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from sqlmodel import select

from services.ngo_registry.api import router
from services.ngo_registry.backup import service as backup
from services.ngo_registry.demo import generate
from services.ngo_registry.events import HANDLERS, outbox
from services.ngo_registry.lists.reports import scan_overdue_congresses
from services.ngo_registry.records.models import Association
from services.ngo_registry.records.schemas import AssociationCreate
from services.ngo_registry.records.service import create_association
from services.ngo_registry.settings import NgoRegistrySettings
from shared.app import create_service_app
from shared.auth import Principal
from shared.db import Database
from shared.exports import today_vn

log = logging.getLogger("govnet.ngo_registry")
DEMO_COUNT = 200
#: who loads the demo data: its versions and provenance name "demo" as the actor
DEMO_LOADER = Principal(sub="demo", org=None, scopes=frozenset({"ngo:admin"}), grant=None)


def load_demo_data(database: Database, settings: NgoRegistrySettings) -> int:
    """Load ~200 demo associations once (only into an empty registry); returns how many were added."""
    # every demo name is unique (demo.generate), so the name rule refuses none of them
    with database.transaction() as session:
        if session.exec(select(Association.id).limit(1)).first() is not None:
            return 0
        today = today_vn()
        for payload in generate(DEMO_COUNT, today=today):
            create_association(session=session, principal=DEMO_LOADER, data=AssociationCreate.model_validate(payload), source="demo", rules=settings.rules, today=today)
    return DEMO_COUNT


def run_backup(settings: NgoRegistrySettings) -> backup.BackupResult:
    """One backup with the configured directories and depth (G18)."""
    return backup.backup(database_url=settings.database_url, raw_dir=settings.raw_dir, backup_dir=settings.backup_dir, keep=settings.backup_keep)


async def _weekly_backups(settings: NgoRegistrySettings) -> None:
    """Back up every ``backup_interval_seconds``, counting from the latest backup on disk (G18)."""
    while True:
        latest = await asyncio.to_thread(backup.latest_backup_time, settings.backup_dir)
        elapsed = (datetime.now(UTC) - latest).total_seconds() if latest else None
        wait = settings.backup_interval_seconds - elapsed if elapsed is not None else min(300.0, settings.backup_interval_seconds)
        await asyncio.sleep(max(0.0, wait))
        try:
            result = await asyncio.to_thread(run_backup, settings)
            log.info("scheduled backup written", extra={"path": str(result.path)})
        except Exception:
            log.exception("scheduled backup failed")
            await asyncio.sleep(min(3600.0, settings.backup_interval_seconds))


async def _congress_scans(database: Database, settings: NgoRegistrySettings) -> None:
    """Emit congress.overdue events as associations reach each escalation level."""
    while True:
        try:

            def scan() -> int:
                with database.transaction() as session:
                    return scan_overdue_congresses(session=session, rules=settings.rules, today=today_vn())

            await asyncio.to_thread(scan)
        except Exception:
            log.exception("congress scan failed")
        await asyncio.sleep(settings.congress_scan_interval_seconds)


def create_app(settings: NgoRegistrySettings | None = None, *, configure_logs: bool = False) -> FastAPI:
    """Build the ngo_registry app."""
    settings = settings or NgoRegistrySettings()

    async def startup(app: FastAPI) -> None:
        database: Database = app.state.database
        if settings.load_demo_data:
            added = await asyncio.to_thread(load_demo_data, database, settings)
            if added:
                log.info("demo data loaded", extra={"associations": added})
        tasks: list[asyncio.Task[Any]] = []
        if settings.backup_schedule_enabled:
            tasks.append(asyncio.create_task(_weekly_backups(settings), name="ngo-weekly-backup"))
        if settings.events_enabled:
            tasks.append(asyncio.create_task(_congress_scans(database, settings), name="ngo-congress-scan"))
        app.state.ngo_tasks = tasks

    app = create_service_app(
        settings=settings,
        title="GovNet NGO registry",
        description="The association and NGO database of Decision 113/QĐ-BNV (G1-G19).",
        routers=[router],
        outbox=outbox,
        handlers=HANDLERS,
        startup=[startup],
        configure_logs=configure_logs,
    )
    platform_lifespan = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with platform_lifespan(app) as state:
            try:
                yield state
            finally:
                for task in getattr(app.state, "ngo_tasks", []):
                    task.cancel()
                for task in getattr(app.state, "ngo_tasks", []):
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task

    app.router.lifespan_context = lifespan
    return app
