"""shared/events/consumer.py: a redelivered event has no second effect (the inbox); a poison event
goes to the dead-letter queue and the partition moves on."""

from __future__ import annotations

from typing import Any

from shared.config import DLQ_TOPIC
from shared.events import CloudEvent
from tests.platform.ledger import INCREMENTED, applied_effects, publish, read_topic
from tests.support import Broker, wait_until


def test_redelivered_event_has_no_second_effect(broker: Broker, ledger: Any) -> None:
    client, database = ledger(broker, kafka_partitions=1)
    event = CloudEvent(source="/govnet/ledger", type=INCREMENTED, subject="dup", data={"seq": 1})
    publish(broker.bootstrap, "govnet.ledger.events", [(b"dup", event.to_bytes())] * 3)
    wait_until(lambda: any(e.key == "dup" for e in applied_effects(database)), timeout=30)
    marker = CloudEvent(source="/govnet/ledger", type=INCREMENTED, subject="after", data={"seq": 1})
    publish(broker.bootstrap, "govnet.ledger.events", [(b"after", marker.to_bytes())])
    wait_until(lambda: any(e.key == "after" for e in applied_effects(database)), timeout=30)
    assert [e.event_id for e in applied_effects(database) if e.key == "dup"] == [event.id]


def test_poison_event_goes_to_the_dlq_and_the_consumer_moves_on(broker: Broker, ledger: Any) -> None:
    client, database = ledger(broker, dlq_after_failures=2)
    poison = CloudEvent(source="/govnet/ledger", type=INCREMENTED, subject="p", data={"seq": 1, "poison": True})
    good = CloudEvent(source="/govnet/ledger", type=INCREMENTED, subject="p", data={"seq": 2})
    garbage = f"{{not json {poison.id}"  # unique: the broker (and its DLQ) is shared by the session
    publish(
        broker.bootstrap,
        "govnet.ledger.events",
        [(b"p", garbage.encode()), (b"p", poison.to_bytes()), (b"p", good.to_bytes())],
    )
    wait_until(lambda: any(e.event_id == good.id for e in applied_effects(database)), timeout=30)
    assert [e.event_id for e in applied_effects(database) if e.key == "p"] == [good.id]

    def dead_letters() -> dict[str, dict[str, Any]]:
        letters = read_topic(broker.bootstrap, DLQ_TOPIC)
        mine = {"garbage": garbage, "poison": poison.model_dump(mode="json")}
        return {name: x for x in letters for name, body in mine.items() if x["data"]["event"] == body}

    letters = wait_until(lambda: len(dead_letters()) == 2 and dead_letters(), timeout=30)
    assert "unparseable" in letters["garbage"]["data"]["error"]
    assert "can never be applied" in letters["poison"]["data"]["error"]
    assert letters["poison"]["data"]["topic"] == "govnet.ledger.events"
