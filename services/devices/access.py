"""Who may call the devices service and which rows they may read: the one place for authorisation.

Routes take a scope alias (``Reader``, ``Writer``, ``Admin``) instead of naming scopes; queries
over rows that belong to an organisation go through :func:`readable`. 404-loading dependencies
(``CurrentX = Annotated[X, Depends(...)]``, loading through :func:`readable`) join them here
with the first table.
"""

from __future__ import annotations

from typing import Annotated, Any

from shared.auth import Principal, S, readable_by_org, require_scopes

SERVICE = "devices"

Reader = Annotated[Principal, require_scopes("devices:read")]
Writer = Annotated[Principal, require_scopes("devices:write")]
Admin = Annotated[Principal, require_scopes("devices:admin")]


def readable(stmt: S, org_column: Any, *, principal: Principal) -> S:
    """``stmt`` narrowed to the rows of the caller's organisation (every row for ``devices:admin``)."""
    return readable_by_org(stmt, org_column, principal=principal, service=SERVICE)
