"""Events the ipam service publishes and the handlers of those it consumes."""

from __future__ import annotations

from services.ipam.models import EVENT_TABLES
from shared.events import Outbox
from shared.events.consumer import Handler

outbox = Outbox(service="ipam", tables=EVENT_TABLES)

#: event type -> handler(session, event)
HANDLERS: dict[str, Handler] = {}
