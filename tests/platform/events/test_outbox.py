"""shared/events/outbox.py: the event row rides the request's transaction, so a failed request
leaves neither the state change nor its event."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from tests.platform.ledger import outbox_count
from tests.support import Broker


@pytest.mark.parametrize("failure", ["domain", "crash"])
def test_failed_request_leaves_neither_row_nor_event(failure: str, broker: Broker, ledger: Any) -> None:
    client, database = ledger(broker, events_enabled=False)
    assert client.post("/api/v1/ledger/a").status_code == 200
    response = client.post(f"/api/v1/ledger/a?fail={failure}")
    assert response.status_code == (422 if failure == "domain" else 500)
    assert response.headers["content-type"] == "application/problem+json"
    if failure == "crash":
        body = response.json()
        assert body["correlation_id"] == response.headers["x-request-id"]
        assert "Traceback" not in response.text and "RuntimeError" not in response.text
    assert client.get("/api/v1/ledger/a").json() == {"value": 1}
    with Session(database.engine) as session:
        assert outbox_count(session) == 1
