"""The events the ipam service consumes, and their handlers.

Consumed: ``govnet.devices.device.decommissioned.v1`` (``data.device_id``): the device's addresses
are released. What the service publishes is in ``outbox.py``.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import orm
from sqlmodel import Session

from services.ipam.access import system_principal
from services.ipam.addressing.addresses import release_device_addresses
from shared.events import CloudEvent
from shared.events.consumer import Handler
from shared.observability import request_id_var

DEVICE_DECOMMISSIONED = "govnet.devices.device.decommissioned.v1"


def on_device_decommissioned(session: orm.Session, event: CloudEvent) -> None:
    """Release every address assigned to the decommissioned device (logged as the event's source and id)."""
    device_id = event.data.get("device_id")
    if device_id is None:
        raise ValueError("device.decommissioned event without data.device_id")
    token = request_id_var.set(event.id)  # the change log names the event as the request
    try:
        # the consumer's sessions come from shared.db.Database, which makes sqlmodel Sessions
        release_device_addresses(session=cast(Session, session), principal=system_principal(f"event:{event.source}"), device_id=str(device_id))
    finally:
        request_id_var.reset(token)


#: event type -> handler(session, event)
HANDLERS: dict[str, Handler] = {DEVICE_DECOMMISSIONED: on_device_decommissioned}
