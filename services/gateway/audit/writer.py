"""The hash-chained audit trail (G9, N15).

Every record holds the previous record's hash and its own: sha256 over the canonical JSON of
its fields plus ``prev_hash``. Records are queued in memory by the request path (a deque
append) and written by one flusher every ~100 ms in one transaction, so a proxied request never
waits for the database and the chain stays strictly ordered. ``audit_head`` holds the newest
seq and hash, so deleting the tail is as visible as editing the middle.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import json
import logging
import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, text
from sqlmodel import Session, col, select

from services.gateway.models import AuditHead, AuditRecord
from shared.db import Database

log = logging.getLogger("govnet.gateway.audit")

GENESIS = "0" * 64
HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "kind",
    "actor",
    "org",
    "grant_id",
    "client_id",
    "method",
    "path",
    "status",
    "latency_ms",
    "request_id",
    "ip",
    "detail",
)
#: keys that must never reach an audit record
_SECRET_WORDS = ("password", "secret", "token", "authorization")


def canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def record_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """sha256 over the canonical JSON of the hashed fields and ``prev_hash``."""
    body = {name: fields.get(name) for name in HASHED_FIELDS}
    body["prev_hash"] = prev_hash
    return hashlib.sha256(canonical(body)).hexdigest()


def _scrub(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: ("[redacted]" if any(w in k.lower() for w in _SECRET_WORDS) else v) for k, v in detail.items()}


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AuditWriter:
    """Queues audit records and appends them to the chain in batches."""

    def __init__(self, database: Database, *, flush_seconds: float = 0.1, batch_max: int = 5000) -> None:
        self.database = database
        self.flush_seconds = flush_seconds
        self.batch_max = batch_max
        self._pending: collections.deque[dict[str, Any]] = collections.deque()
        self._flush_lock = threading.Lock()
        self._stopping = False

    def record(self, kind: str, **fields: Any) -> None:
        """Queue one record (cheap; safe from any thread)."""
        detail = _scrub(fields.pop("detail", None) or {})
        latency = fields.get("latency_ms")
        if latency is not None:
            fields["latency_ms"] = round(float(latency), 3)
        self._pending.append({"occurred_at": now_iso(), "kind": kind, **fields, "detail": detail})

    def flush(self) -> int:
        """Write every queued record now; returns how many were written."""
        written = 0
        with self._flush_lock:
            while self._pending:
                batch: list[dict[str, Any]] = []
                while self._pending and len(batch) < self.batch_max:
                    batch.append(self._pending.popleft())
                try:
                    self._append(batch)
                except Exception:
                    # keep the order: put the batch back in front and try again on the next tick
                    self._pending.extendleft(reversed(batch))
                    log.exception("audit flush failed; %d records kept in memory", len(self._pending))
                    raise
                written += len(batch)
        return written

    def _append(self, batch: list[dict[str, Any]]) -> None:
        with self.database.transaction() as session:
            head = _lock_head(session)
            seq, prev = head.seq, head.hash
            rows = []
            for fields in batch:
                seq += 1
                row = {name: fields.get(name) for name in HASHED_FIELDS}
                row["seq"] = seq
                row["prev_hash"] = prev
                row["hash"] = prev = record_hash(row, prev)
                rows.append(row)
            session.execute(insert(AuditRecord.metadata.tables["audit_records"]), rows)
            head.seq, head.hash = seq, prev
            session.add(head)

    async def run(self) -> None:
        """Flush every ``flush_seconds`` until stopped."""
        while not self._stopping:
            await asyncio.sleep(self.flush_seconds)
            if self._pending:
                try:
                    await asyncio.to_thread(self.flush)
                except Exception:
                    continue

    async def stop(self) -> None:
        self._stopping = True
        if self._pending:
            await asyncio.to_thread(self.flush)


def _lock_head(session: Session) -> AuditHead:
    if session.get_bind().dialect.name == "postgresql":
        # one chain writer at a time across gateway processes
        session.execute(text("SELECT pg_advisory_xact_lock(4711003)"))
    head = session.exec(select(AuditHead).where(AuditHead.id == 1)).first()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
        session.flush()
    return head


def verify_chain(*, session: Session) -> dict[str, Any]:
    """Recompute the chain; report the first record that was edited, removed or reordered."""
    prev, expected, checked = GENESIS, 1, 0
    stmt = select(AuditRecord).order_by(col(AuditRecord.seq)).execution_options(yield_per=2000)
    for row in session.exec(stmt):
        fields = row.model_dump()
        if row.seq != expected:
            return _broken(checked, row.seq, f"records {expected}–{row.seq - 1} are missing (deleted).")
        if row.prev_hash != prev:
            return _broken(checked, row.seq, "prev_hash does not match the previous record (reordered or replaced).")
        if record_hash(fields, prev) != row.hash:
            return _broken(checked, row.seq, "the record's content does not match its hash (edited).")
        prev, expected, checked = row.hash, expected + 1, checked + 1
    head = session.exec(select(AuditHead).where(AuditHead.id == 1)).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev:
        return _broken(checked, checked + 1, f"the chain ends at {checked} but its head says {head_seq} (tail deleted).")
    return {"valid": True, "checked": checked, "head_hash": prev, "first_invalid_seq": None, "problem": None}


def _broken(checked: int, seq: int, problem: str) -> dict[str, Any]:
    return {"valid": False, "checked": checked, "head_hash": None, "first_invalid_seq": seq, "problem": problem}
