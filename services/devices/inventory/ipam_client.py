"""Management addresses through IPAM's REST API, with the caller's own token (IPAM decides what it may take).

``POST {ipam}/api/v1/ipam/prefixes/{prefix_id}/available-ips`` (the next free address of a prefix)
or ``POST {ipam}/api/v1/ipam/ip-addresses`` (a given address), assigned to object
``device``/``<device id>``, the pair IPAM releases on ``govnet.devices.device.decommissioned.v1``.
"""

from __future__ import annotations

from typing import Any

import httpx

from shared.errors import DomainError

TIMEOUT = httpx.Timeout(10.0, connect=3.0)


class IpamUnavailable(DomainError):
    status, code, title = 502, "ipam-unavailable", "IPAM did not answer"


class IpamRefused(DomainError):
    """IPAM said no: its status (403, 404, 409, 422) and its problem detail are passed on."""

    code, title = "ipam-refused", "IPAM refused the address"

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"IPAM: {detail}")
        self.status = status if status in (400, 403, 404, 409, 422) else 502


class IpamClient:
    """A small client of IPAM's address routes."""

    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.transport = transport

    def _post(self, path: str, body: dict[str, Any], *, token: str) -> Any:
        try:
            with httpx.Client(base_url=self.base_url, timeout=TIMEOUT, transport=self.transport) as client:
                response = client.post(f"/api/v1/ipam{path}", json=body, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise IpamUnavailable(f"IPAM at {self.base_url} did not answer ({type(exc).__name__}).") from None
        if response.status_code >= 400:
            try:
                detail = str(response.json().get("detail", response.reason_phrase))
            except ValueError:
                detail = response.reason_phrase
            raise IpamRefused(response.status_code, detail[:500])
        return response.json()

    def assign_next(self, *, prefix_id: int, device_id: int, token: str) -> str:
        """The next free address of IPAM prefix ``prefix_id``, assigned to the device."""
        body = {"count": 1, "assigned_object_type": "device", "assigned_object_id": str(device_id)}
        made = self._post(f"/prefixes/{prefix_id}/available-ips", body, token=token)
        return str(made[0]["address"])

    def assign(self, *, address: str, device_id: int, token: str) -> str:
        """Record ``address`` in IPAM, assigned to the device."""
        body = {"address": address, "assigned_object_type": "device", "assigned_object_id": str(device_id)}
        return str(self._post("/ip-addresses", body, token=token)["address"])
