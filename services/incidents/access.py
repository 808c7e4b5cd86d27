"""Authorisation of the incidents service (incident tickets and routing-policy changes), in one place.

Routes take a scope alias; a query over rows that belong to an organisation is narrowed with
``readable_by_org(stmt, column, principal=..., service=SERVICE)``; the 404-loading dependencies
(``Current...``) join this module with the first table.
"""

from __future__ import annotations

from typing import Annotated

from shared.auth import Principal, require_scopes

SERVICE = "incidents"
Reader = Annotated[Principal, require_scopes("incidents:read")]
Writer = Annotated[Principal, require_scopes("incidents:write")]
Admin = Annotated[Principal, require_scopes("incidents:admin")]
