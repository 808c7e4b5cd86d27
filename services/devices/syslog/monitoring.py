"""Anti-malware and central-monitoring heartbeats (N12, Art. 9.3): state per device, and what breaks it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from services.devices.access import SERVICE
from services.devices.inventory.models import Device, DeviceStatus
from services.devices.syslog.models import DeviceMonitoring
from shared.auth import Principal, readable_by_org
from shared.errors import NotFound
from shared.types import Name


class HeartbeatIn(BaseModel):
    """What an agent reports."""

    model_config = ConfigDict(extra="forbid")
    antimalware_product: Name | None = Field(default=None, min_length=1, max_length=200)
    antimalware_engine: Name | None = Field(default=None, min_length=1, max_length=100)
    signature_date: date | None = None


class MonitoringOut(BaseModel):
    """A device's monitoring state."""

    model_config = ConfigDict(from_attributes=True)
    device_id: int
    antimalware_product: str | None
    antimalware_engine: str | None
    signature_date: date | None
    last_heartbeat_at: datetime | None
    last_syslog_at: datetime | None


def _upsert(session: Session, rows: list[dict[str, Any]], columns: Iterable[str]) -> None:
    """INSERT … ON CONFLICT (device_id) DO UPDATE the given columns (SQLite and PostgreSQL)."""
    table = DeviceMonitoring.metadata.tables["device_monitoring"]
    ins = (pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)
    stmt = ins.values(rows).on_conflict_do_update(
        index_elements=["device_id"], set_={c: ins.excluded[c] for c in columns}
    )
    session.execute(stmt)


def record_heartbeat(
    *, session: Session, principal: Principal, device_id: int, data: HeartbeatIn
) -> DeviceMonitoring:
    """Record an agent's heartbeat for a device the caller's agency owns (404 otherwise)."""
    stmt = readable_by_org(
        select(Device).where(col(Device.id) == device_id), Device.org_id, principal=principal, service=SERVICE
    )
    if session.execute(stmt).scalar_one_or_none() is None:
        raise NotFound("device not found")
    row = {
        "device_id": device_id,
        "last_heartbeat_at": datetime.now(UTC),
        **data.model_dump(exclude_unset=True),
    }
    _upsert(session, [row], [k for k in row if k != "device_id"])
    session.flush()
    found = session.get(DeviceMonitoring, device_id, populate_existing=True)
    assert found is not None
    return found


def record_syslog_seen(session: Session, seen: dict[int, datetime]) -> None:
    """A device's own syslog counts as a heartbeat: its latest receive time."""
    if seen:
        _upsert(
            session, [{"device_id": d, "last_syslog_at": at} for d, at in seen.items()], ["last_syslog_at"]
        )


class Breach(BaseModel):
    """One device that breaks Art. 9.3, and why."""

    agency: str | None
    device_id: int
    name: str
    role: str
    reasons: list[str]
    antimalware_product: str | None
    signature_date: date | None
    last_seen_at: datetime | None


def breaches(
    *,
    session: Session,
    principal: Principal,
    signature_days: int,
    heartbeat_hours: int,
    antimalware_roles: list[str],
    now: datetime | None = None,
) -> list[Breach]:
    """Live devices with no anti-malware, signatures older than ``signature_days`` or no heartbeat in ``heartbeat_hours``."""
    now = now or datetime.now(UTC)
    oldest_signature = (now - timedelta(days=signature_days)).date()
    seen_after = now - timedelta(hours=heartbeat_hours)
    stmt: Any = (
        select(Device, DeviceMonitoring)
        .join(DeviceMonitoring, col(DeviceMonitoring.device_id) == col(Device.id), isouter=True)
        .where(col(Device.status) != DeviceStatus.decommissioned)
        .order_by(col(Device.org_id), col(Device.id))
    )
    out: list[Breach] = []
    for device, mon in session.execute(
        readable_by_org(stmt, Device.org_id, principal=principal, service=SERVICE)
    ).all():
        reasons: list[str] = []
        needs_av = str(device.role) in antimalware_roles
        if needs_av and (mon is None or not mon.antimalware_product):
            reasons.append("Không có phần mềm phòng chống mã độc")
        elif needs_av and (mon.signature_date is None or mon.signature_date < oldest_signature):
            reasons.append(f"Mẫu nhận diện mã độc cũ hơn {signature_days} ngày")
        times = [t for t in ((mon.last_heartbeat_at, mon.last_syslog_at) if mon else ()) if t is not None]
        last = max((t if t.tzinfo else t.replace(tzinfo=UTC)) for t in times) if times else None
        if last is None or last < seen_after:
            reasons.append(f"Không có tín hiệu giám sát tập trung trong {heartbeat_hours} giờ")
        if reasons:
            out.append(
                Breach(
                    agency=device.org_id,
                    device_id=int(device.id or 0),
                    name=device.name,
                    role=str(device.role),
                    reasons=reasons,
                    antimalware_product=mon.antimalware_product if mon else None,
                    signature_date=mon.signature_date if mon else None,
                    last_seen_at=last,
                )
            )
    return out
