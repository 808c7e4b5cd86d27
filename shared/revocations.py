"""Every service's own refusal of revoked gateway grants (defence in depth).

The gateway is the authority on grants and refuses a revoked grant's tokens itself; a token
that reaches a service some other way is refused there too. A service hears of revocations
through the gateway's ``grant.revoked`` / ``grant.resumed`` events and keeps them in its
``revoked_grant`` table (declared by :func:`shared.events.outbox.event_tables`), written in the
consumer's transaction with its inbox row, so a restarted service still refuses the grant's
tokens although the event is not delivered again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select

from shared.auth import TokenVerifier
from shared.db import Database
from shared.events.consumer import Handler
from shared.events.envelope import CloudEvent

#: the gateway's events a service follows (the gateway publishes them through its outbox)
GRANT_REVOKED = "govnet.gateway.grant.revoked.v1"
GRANT_RESUMED = "govnet.gateway.grant.resumed.v1"


def grant_handlers(verifier: TokenVerifier, table: Table) -> dict[str, Handler]:
    """Handlers that keep a service's verifier and ``revoked_grant`` table in step with the gateway."""

    def revoked(session: Any, event: CloudEvent) -> None:
        grant_id = str(event.data["grant_id"])
        known = session.execute(select(table.c.grant_id).where(table.c.grant_id == grant_id)).first()
        if known is None:
            session.execute(insert(table).values(grant_id=grant_id, revoked_at=datetime.now(UTC)))
        verifier.revoke_grant(grant_id)  # refusing early is safe: a retried event revokes again

    def resumed(session: Any, event: CloudEvent) -> None:
        grant_id = str(event.data["grant_id"])
        session.execute(delete(table).where(table.c.grant_id == grant_id))
        verifier.restore_grant(grant_id)

    return {GRANT_REVOKED: revoked, GRANT_RESUMED: resumed}


def load_revoked_grants(database: Database, table: Table, verifier: TokenVerifier) -> int:
    """Feed the verifier every grant this service has recorded as revoked; returns how many."""
    with database.transaction(write=False) as session:
        grant_ids = session.execute(select(table.c.grant_id)).scalars().all()
    for grant_id in grant_ids:
        verifier.revoke_grant(str(grant_id))
    return len(grant_ids)
