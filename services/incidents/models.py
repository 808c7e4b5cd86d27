"""Tables of the incidents service."""

from __future__ import annotations

from shared.db import make_base
from shared.events import event_tables

Base = make_base("IncidentsBase")
EVENT_TABLES = event_tables(Base.metadata)
