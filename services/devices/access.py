"""Authorisation of the devices service (terminal equipment, links and their measurements), in one place.

Routes take a scope alias; a query over rows that belong to an organisation is narrowed with
``readable_by_org(stmt, column, principal=..., service=SERVICE)``; the 404-loading dependencies
(``Current...``) join this module with the first table.
"""

from __future__ import annotations

from typing import Annotated

from shared.auth import Principal, require_scopes

SERVICE = "devices"
Reader = Annotated[Principal, require_scopes("devices:read")]
Writer = Annotated[Principal, require_scopes("devices:write")]
Admin = Annotated[Principal, require_scopes("devices:admin")]
Reporter = Annotated[Principal, require_scopes("devices:report")]  # agents pushing heartbeats (N12)
