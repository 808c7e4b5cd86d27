"""The sender's address -> its device (management address) and agency, cached and refreshed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import ip_address

from sqlalchemy import select
from sqlmodel import Session, col


@dataclass(frozen=True, slots=True)
class Sender:
    """A known sender: the device and its agency (the gateway organisation)."""

    device_id: int
    org_id: str | None


def normalise(address: str) -> str:
    """The canonical text of an address (IPv4-mapped IPv6 as IPv4); unchanged if not an address."""
    try:
        ip = ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped or ip)


def load_senders(session: Session) -> dict[str, Sender]:
    """Every live device's management address -> the device and its agency (read-only use of the inventory)."""
    from services.devices.inventory.models import Device, DeviceStatus

    stmt = select(col(Device.id), col(Device.management_address), col(Device.org_id)).where(
        col(Device.management_address).is_not(None), col(Device.status) != DeviceStatus.decommissioned
    )
    out: dict[str, Sender] = {}
    for device_id, address, org_id in session.execute(stmt.order_by(col(Device.id))):
        if device_id is not None and address:
            out.setdefault(normalise(address.split("/", 1)[0]), Sender(device_id=device_id, org_id=org_id))
    return out


class SenderMap:
    """Cached lookup of senders, reloaded from the database at most every ``refresh`` seconds."""

    def __init__(
        self, *, refresh: float, loader: Callable[[Session], dict[str, Sender]] = load_senders
    ) -> None:
        self.refresh = refresh
        self.loader = loader
        self._map: dict[str, Sender] = {}
        self._loaded = float("-inf")

    def reload_if_stale(self, session: Session, *, now: float | None = None) -> None:
        """Reload the map when it is older than ``refresh``."""
        now = time.monotonic() if now is None else now
        if now - self._loaded >= self.refresh:
            self._map = {normalise(k): v for k, v in self.loader(session).items()}
            self._loaded = now

    def get(self, address: str) -> Sender | None:
        """The device of ``address``, or None for an unknown sender."""
        return self._map.get(address)
