"""Events the ipam service publishes and the handlers of those it consumes.

Published (topic govnet.ipam.events): ``govnet.ipam.prefix.allocated.v1``,
``govnet.ipam.prefix.released.v1``, ``govnet.ipam.address.assigned.v1``,
``govnet.ipam.address.released.v1``. Consumed: ``govnet.devices.device.decommissioned.v1``
(``data.device_id``): the device's addresses are released.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.ipam.models import EVENT_TABLES
from shared.events import CloudEvent, Outbox
from shared.events.consumer import Handler

outbox = Outbox(service="ipam", tables=EVENT_TABLES)

DEVICE_DECOMMISSIONED = "govnet.devices.device.decommissioned.v1"


def on_device_decommissioned(session: Session, event: CloudEvent) -> None:
    """Release every address assigned to the decommissioned device."""
    from services.ipam.service import Actor, release_device_addresses

    device_id = event.data.get("device_id")
    if device_id is None:
        raise ValueError("device.decommissioned event without data.device_id")
    actor = Actor(sub=f"event:{event.source}", request_id=event.id)
    release_device_addresses(session, actor=actor, device_id=str(device_id))  # type: ignore[arg-type]


#: event type -> handler(session, event)
HANDLERS: dict[str, Handler] = {DEVICE_DECOMMISSIONED: on_device_decommissioned}
