"""Events the gateway publishes, and the handlers of those it consumes (none).

Published (topic govnet.gateway.events): ``govnet.gateway.grant.approved.v1``,
``govnet.gateway.grant.revoked.v1`` (revoked or suspended) and
``govnet.gateway.grant.resumed.v1``; the other services follow the last two through
:mod:`shared.revocations`, which names them. The gateway itself consumes nothing: it holds the
grants (its grant snapshot reads them from its own tables).
"""

from __future__ import annotations

from services.gateway.models import EVENT_TABLES
from shared.events import Outbox
from shared.events.consumer import Handler
from shared.revocations import GRANT_RESUMED, GRANT_REVOKED

outbox = Outbox(service="gateway", tables=EVENT_TABLES)

GRANT_APPROVED = "govnet.gateway.grant.approved.v1"

__all__ = ["GRANT_APPROVED", "GRANT_RESUMED", "GRANT_REVOKED", "HANDLERS", "outbox"]

#: event type -> handler(session, event)
HANDLERS: dict[str, Handler] = {}
