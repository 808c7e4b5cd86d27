"""The scope rule of access.py as plain values: who acts for which agencies."""

from __future__ import annotations

from services.ipam.access import EVERYTHING, Scope, scope_of, system_principal
from shared.auth import Principal


class _NoDatabase:
    """A session stand-in that fails if the rule needs the database."""

    info: dict[str, object] = {}

    def execute(self, *_: object, **__: object) -> object:
        raise AssertionError("no query expected")


def test_department_and_trusted_callers_see_everything() -> None:
    assert system_principal("event:/govnet/devices").is_admin("ipam")
    assert scope_of(session=_NoDatabase(), principal=system_principal("system:demo")) is EVERYTHING  # type: ignore[arg-type]
    assert EVERYTHING.everything and EVERYTHING.owns_agency(None) and EVERYTHING.owns_agency(42)


def test_a_token_without_organisation_acts_for_no_agency() -> None:
    nobody = Principal(sub="user:x", org=None, scopes=frozenset({"ipam:read", "ipam:write"}), grant=None)
    scope = scope_of(session=_NoDatabase(), principal=nobody)  # type: ignore[arg-type]
    assert scope == Scope(agencies=frozenset()) and not scope.everything and not scope.owns_agency(1)


def test_an_agency_owns_only_its_own_ids() -> None:
    mine = Scope(agencies=frozenset({3, 5}))
    assert mine.owns_agency(3) and mine.owns_agency(5)
    assert not mine.owns_agency(4) and not mine.owns_agency(None)
