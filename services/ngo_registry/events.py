"""Events the ngo_registry service publishes and the handlers of those it consumes."""

from __future__ import annotations

from services.ngo_registry.database import EVENT_TABLES
from shared.events import Outbox
from shared.events.consumer import Handler

outbox = Outbox(service="ngo_registry", tables=EVENT_TABLES)

#: event type -> handler(session, event)
HANDLERS: dict[str, Handler] = {}
