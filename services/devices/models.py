"""Tables of the devices service and its outbox/inbox tables.

A SQLModel family per entity (``XBase``, ``XCreate``, ``X(table=True)``) and a StrEnum for
every state column, as in the other services.
"""

from __future__ import annotations

from shared.db import make_base
from shared.events import event_tables

Base = make_base("DevicesBase")
EVENT_TABLES = event_tables(Base.metadata)

# Each domain's tables, so Alembic and create_all see the whole schema.
import services.devices.inventory.models  # noqa: E402
import services.devices.syslog.models  # noqa: E402
import services.devices.telemetry.models  # noqa: E402,F401
