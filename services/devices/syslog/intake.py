"""Ingest: a bounded queue between the receivers and the database, written in batches.

Receivers call :meth:`Intake.offer` (never blocks: a full queue drops the message and counts
it, exactly, in ``govnet_syslog_dropped_total``). One writer task takes up to ``batch_size``
messages at a time, parses them and stores them in ONE transaction (an executemany), together
with the security events due (through the outbox). Memory is bounded by ``queue_size`` times
the largest message; the API never waits on intake.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from prometheus_client import Counter, Gauge
from sqlalchemy import Table, delete, insert
from sqlmodel import Session

from services.devices.syslog.lookup import SenderMap, normalise
from services.devices.syslog.models import SecurityEvent, SyslogMessage
from services.devices.syslog.monitoring import record_syslog_seen
from services.devices.syslog.parse import parse
from services.devices.syslog.security import Grouper, Occurrence, Report, SecurityRules, classify
from services.devices.syslog.settings import SyslogSettings
from shared.db import Database
from shared.events import Outbox

log = logging.getLogger("govnet.devices.syslog")

SECURITY_EVENT = "govnet.devices.security.event.v1"
RECEIVED = Counter("govnet_syslog_received", "Syslog messages received", ["transport"])
DROPPED = Counter("govnet_syslog_dropped", "Syslog messages dropped because the intake queue was full")
STORED = Counter("govnet_syslog_stored", "Syslog messages stored")
FAILED = Counter("govnet_syslog_write_failed", "Syslog messages lost to a failed database write")
EVENTS = Counter("govnet_syslog_security_events", "Security events emitted from syslog")
QUEUED = Gauge("govnet_syslog_queue_depth", "Syslog messages waiting to be stored")

#: Core, not ORM, bulk insert: one multi-row INSERT per batch (the ORM path ran ~1 statement a row)
MESSAGE_TABLE: Table = SyslogMessage.metadata.tables["syslog_message"]

Item = tuple[bytes, str, str, float]  # data, sender, transport, receive time (epoch s)


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class Intake:
    """The bounded queue, its writer and the security-event grouping of one receiver process."""

    def __init__(self, *, settings: SyslogSettings, database: Database, outbox: Outbox) -> None:
        self.settings = settings
        self.database = database
        self.outbox = outbox
        self.tz = ZoneInfo(settings.syslog_timezone)
        self.queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=settings.syslog_queue_size)
        self.senders = SenderMap(refresh=settings.syslog_sender_refresh_seconds)
        self.rules = SecurityRules.of(
            facilities=settings.syslog_security_facilities,
            severity=settings.syslog_security_severity,
            patterns=settings.syslog_security_patterns,
        )
        self.grouper = Grouper(wait=settings.syslog_group_wait, interval=settings.syslog_group_interval)
        self.received = 0
        self.dropped = 0
        self.stored = 0
        self.failed = 0
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []

    # -- receive side (event loop, never blocks) ---------------------------------------------
    def offer(self, data: bytes, sender: str, transport: str) -> bool:
        """Queue one message; False (and counted) when the queue is full."""
        self.received += 1
        RECEIVED.labels(transport).inc()
        try:
            self.queue.put_nowait((data, sender, transport, time.time()))
        except asyncio.QueueFull:
            self.dropped += 1
            DROPPED.inc()
            return False
        return True

    # -- write side ------------------------------------------------------------------------
    async def run(self) -> None:
        """Store batches until stopped; flush due security groups at least every second."""
        limit = self.settings.syslog_batch_size
        while True:
            batch: list[Item] = []
            try:
                batch.append(await asyncio.wait_for(self.queue.get(), timeout=1.0))
            except TimeoutError:
                pass
            while batch and len(batch) < limit:
                try:
                    batch.append(self.queue.get_nowait())
                except asyncio.QueueEmpty:
                    break
            QUEUED.set(self.queue.qsize())
            try:
                await asyncio.to_thread(self.write, batch, time.time())
            except Exception:
                self.failed += len(batch)
                FAILED.inc(len(batch))
                log.exception("syslog batch not stored", extra={"messages": len(batch)})
            if self._stopping and self.queue.empty():
                return

    def start(self) -> None:
        """Start the writer and the periodic purge."""
        self._tasks = [
            asyncio.create_task(self.run(), name="syslog-writer"),
            asyncio.create_task(self.purge_forever(), name="syslog-purge"),
        ]

    async def stop(self) -> None:
        """Store what is queued, report every pending group, and stop."""
        self._stopping = True
        writer, purger = self._tasks
        purger.cancel()
        await writer
        await asyncio.to_thread(self.write, [], float("inf"))

    def write(self, batch: Sequence[Item], now: float) -> None:
        """Parse and store ``batch`` and the security events due, in one transaction."""
        with self.database.transaction() as session:
            self.senders.reload_if_stale(session)
            rows: list[dict[str, Any]] = []
            seen: dict[int, datetime] = {}
            for data, sender, transport, at in batch:
                received = _utc(at)
                p = parse(data, received=received, tz=self.tz, limit=self.settings.syslog_max_message)
                address = normalise(sender)
                known = self.senders.get(address)
                device_id, org_id = (known.device_id, known.org_id) if known else (None, None)
                if device_id is not None:
                    seen[device_id] = received  # its own syslog counts as a heartbeat (N12)
                rows.append(
                    {
                        "received_at": received,
                        "sender": address,
                        "transport": transport,
                        "device_id": device_id,
                        "org_id": org_id,
                        "format": p.format,
                        "facility": p.facility,
                        "severity": p.severity,
                        "timestamp": p.timestamp,
                        "hostname": p.hostname[:255] if p.hostname else None,
                        "app_name": p.app_name,
                        "procid": p.procid,
                        "msgid": p.msgid,
                        "structured_data": json.dumps(p.structured_data, ensure_ascii=False)
                        if p.structured_data
                        else None,
                        "message": p.message,
                        "truncated": p.truncated,
                    }
                )
                category = classify(p, self.rules)
                if category is not None:
                    occ = Occurrence(
                        address,
                        device_id,
                        org_id,
                        category,
                        p.facility,
                        p.severity,
                        p.app_name,
                        p.message,
                        at,
                    )
                    self.grouper.add(occ, now=at)
            if rows:
                session.execute(insert(MESSAGE_TABLE), rows)
                record_syslog_seen(session, seen)
            reports = self.grouper.flush() if now == float("inf") else self.grouper.due(now=now)
            for report in reports:
                self._emit(session, report)
        self.stored += len(rows)
        STORED.inc(len(rows))

    def _emit(self, session: Session, report: Report) -> None:
        """One security event row and its ``govnet.devices.security.event.v1`` event."""
        first = report.first
        event_id = str(uuid.uuid4())
        session.add(
            SecurityEvent(
                event_id=event_id,
                sender=first.sender,
                device_id=first.device_id,
                org_id=first.org_id,
                category=first.category,
                facility=first.facility,
                severity=report.severity,
                app_name=first.app_name,
                message=first.message,
                count=report.count,
                first_at=_utc(report.first_at),
                last_at=_utc(report.last_at),
            )
        )
        data = {
            "id": event_id,
            "sender": first.sender,
            "device_id": first.device_id,
            "agency": first.org_id,
            "category": first.category,
            "facility": first.facility,
            "severity": report.severity,
            "app_name": first.app_name,
            "message": first.message,
            "count": report.count,
            "first_at": _utc(report.first_at).isoformat(),
            "last_at": _utc(report.last_at).isoformat(),
        }
        self.outbox.emit(session, SECURITY_EVENT, subject=first.device_id or first.sender, data=data)
        EVENTS.inc()

    # -- retention -------------------------------------------------------------------------
    def purge(self, *, now: datetime | None = None) -> int:
        """Delete messages and security events older than the retention; how many messages went."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=self.settings.syslog_retention_days)
        with self.database.transaction() as session:
            gone = session.execute(delete(SyslogMessage).where(SyslogMessage.received_at < cutoff))  # type: ignore[arg-type]
            session.execute(delete(SecurityEvent).where(SecurityEvent.last_at < cutoff))  # type: ignore[arg-type]
        return int(getattr(gone, "rowcount", 0) or 0)

    async def purge_forever(self) -> None:
        """Purge every ``syslog_purge_seconds`` (the first one an interval after start)."""
        while True:
            await asyncio.sleep(self.settings.syslog_purge_seconds)
            try:
                await asyncio.to_thread(self.purge)
            except Exception:
                log.exception("syslog purge failed")
