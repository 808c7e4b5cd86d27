"""shared/events/envelope.py: a CloudEvent survives the trip through a Kafka message value."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.events import CloudEvent


def test_event_round_trips_through_bytes_with_vietnamese_text() -> None:
    event = CloudEvent(source="/govnet/ipam", type="govnet.ipam.prefix.created.v1", subject="7", data={"tên": "Sở"})
    raw = event.to_bytes()
    assert "Sở".encode() in raw  # UTF-8, not \u escapes
    assert CloudEvent.from_bytes(raw) == event


def test_garbage_is_refused() -> None:
    with pytest.raises(ValidationError):
        CloudEvent.from_bytes(b"{not json")
