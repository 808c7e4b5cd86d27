"""The events the ipam service publishes (topic ``govnet.ipam.events``), through its outbox only.

Domain code calls ``outbox.emit`` in the request's transaction; the relay publishes after commit.
Consumed events and their handlers are in ``events.py``.
"""

from __future__ import annotations

from services.ipam.base import EVENT_TABLES
from shared.events import Outbox

outbox = Outbox(service="ipam", tables=EVENT_TABLES)

PREFIX_ALLOCATED = "govnet.ipam.prefix.allocated.v1"
PREFIX_RELEASED = "govnet.ipam.prefix.released.v1"
ADDRESS_ASSIGNED = "govnet.ipam.address.assigned.v1"
ADDRESS_RELEASED = "govnet.ipam.address.released.v1"
