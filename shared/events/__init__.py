"""Kafka events: CloudEvents envelope, transactional outbox, relay and idempotent consumer."""

from shared.events.envelope import CloudEvent
from shared.events.outbox import EventTables, Outbox, event_tables

__all__ = ["CloudEvent", "EventTables", "Outbox", "event_tables"]
