"""What the poller polls, read from the inventory: active devices with an address and credentials.

A device is polled when it is active or faulty (a faulty device is exactly the one whose
availability matters), has a management address and monitoring credentials the key can open.
Its uplinks become the :class:`~services.devices.telemetry.store.LinkSpec` of its job.
"""

from __future__ import annotations

from cryptography.fernet import Fernet
from sqlmodel import Session, col, select

from services.devices.inventory.credentials import credentials_for
from services.devices.inventory.models import Device, DeviceStatus, Interface, MonitoringCredential, Uplink
from services.devices.telemetry.poller import Target
from services.devices.telemetry.runner import Job, JobSource
from services.devices.telemetry.store import LinkSpec

POLLED = (DeviceStatus.active, DeviceStatus.faulty)


def host_of(address: str) -> str:
    """The host part of a management address as IPAM writes it (``10.1.2.5/24`` -> ``10.1.2.5``)."""
    return address.split("/", 1)[0].strip()


def inventory_jobs(*, key: Fernet, port: int = 161) -> JobSource:
    """A job source over the inventory, decrypting credentials with ``key``; agents listen on ``port``."""

    def source(session: Session) -> list[Job]:
        devices = session.exec(
            select(Device)
            .join(MonitoringCredential, col(MonitoringCredential.device_id) == col(Device.id))
            .where(col(Device.status).in_(POLLED), col(Device.management_address).is_not(None))
            .order_by(col(Device.id))
        ).all()
        links: dict[int, list[LinkSpec]] = {}
        rows = session.exec(
            select(Uplink, Interface.if_index).join(Interface, col(Interface.id) == col(Uplink.interface_id))
        ).all()
        for uplink, if_index in rows:
            assert uplink.id is not None
            contracted = uplink.contracted_mbps * 1_000_000 if uplink.contracted_mbps else None
            links.setdefault(uplink.device_id, []).append(LinkSpec(uplink.id, if_index, contracted))
        jobs = []
        for device in devices:
            assert device.id is not None and device.management_address is not None
            credentials = credentials_for(session=session, device_id=device.id, key=key)
            if credentials is None:
                continue
            target = Target(device.id, host_of(device.management_address), credentials, port=port)
            jobs.append(Job(target, links.get(device.id, [])))
        return jobs

    return source
