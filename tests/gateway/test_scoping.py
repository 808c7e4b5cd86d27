"""The one organisation filter of the access API (G7, G13), as a pure function over a query."""

from __future__ import annotations

import pytest
from sqlmodel import select

from services.gateway.models import Grant
from services.gateway.scoping import ensure_may_act_for, is_admin, readable
from shared.auth import Principal
from shared.errors import Forbidden


def _principal(*scopes: str, org: str = "org-a") -> Principal:
    return Principal(sub="user:x", org=org, scopes=frozenset(scopes), grant="g")


def _where(principal: Principal, org_id: str | None) -> str:
    stmt = readable(select(Grant), Grant.org_id, principal=principal, org_id=org_id)
    return str(stmt.compile(compile_kwargs={"literal_binds": True})).partition("WHERE")[2].strip()


def test_a_representative_reads_only_their_own_organisation_whatever_org_id_says() -> None:
    rep = _principal("ngo:read:basic")
    assert _where(rep, None) == "grants.org_id = 'org-a'"
    assert _where(rep, "org-b") == "grants.org_id = 'org-a'"


def test_an_administrator_reads_every_organisation_or_the_one_asked_for() -> None:
    admin = _principal("gateway:admin", org="operator")
    assert is_admin(admin)
    assert _where(admin, None) == ""
    assert _where(admin, "org-b") == "grants.org_id = 'org-b'"


def test_acting_for_another_organisation_is_403_except_for_administrators() -> None:
    ensure_may_act_for(principal=_principal(), org_id="org-a")
    ensure_may_act_for(principal=_principal("gateway:admin"), org_id="org-b")
    with pytest.raises(Forbidden):
        ensure_may_act_for(principal=_principal(), org_id="org-b")
