"""N10: argon2id, strength, history of 5, forced change at first login and after 90 days, lockout."""

from __future__ import annotations

from datetime import timedelta

from services.gateway.access import service as access
from services.gateway.identity import service as identity
from services.gateway.models import LoginLock, User, aware, utcnow
from services.gateway.rules import PasswordRules, password_weaknesses
from tests.gateway.conftest import GatewayHarness

GOOD = "Correct-Horse-9x"


def _user(h: GatewayHarness, username: str = "official", *, must_change: bool = False, password: str = GOOD) -> User:
    with h.gw.database.transaction() as session:
        org = access.ensure_organisation(session=session, ref="Sở Thông tin và Truyền thông An Giang")
        return identity.create_user(session=session, hasher=h.gw.hasher, rules=h.gw.rules, username=username,
                                   password=password, org_id=org.id, must_change=must_change)


def _login(h: GatewayHarness, password: str, username: str = "official") -> int:
    return h.client.post("/auth/login", json={"username": username, "password": password}).status_code


def test_n10_passwords_are_stored_as_argon2id(harness: GatewayHarness) -> None:
    user = _user(harness)
    assert user.password_hash.startswith("$argon2id$")
    assert GOOD not in user.password_hash


def test_n10_password_needs_12_characters_and_mixed_classes() -> None:
    rules = PasswordRules()
    assert password_weaknesses("Sh0rt-pass", rules=rules)  # 10 characters
    assert password_weaknesses("alllowercaseletters", rules=rules)  # one class
    assert password_weaknesses("lowercase12345", rules=rules)  # two classes
    assert not password_weaknesses("Lowercase12345", rules=rules)  # three classes, 14 characters
    assert password_weaknesses("official-Pass1", rules=rules, username="official")


def test_n10_weak_password_is_refused_with_a_problem(harness: GatewayHarness) -> None:
    admin = harness.admin()
    orgs = harness.client.get("/api/v1/access/organisations", headers=admin).json()["results"]
    response = harness.client.post("/api/v1/access/users", headers=admin,
                                   json={"username": "weak", "password": "short", "org_id": orgs[0]["id"]})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "12 characters" in response.json()["detail"]


def test_n10_last_five_passwords_cannot_be_reused(harness: GatewayHarness) -> None:
    _user(harness)
    passwords = [GOOD] + [f"Rotated-Pass-{i}x" for i in range(1, 6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        r = harness.client.post("/auth/password", json={"username": "official", "current_password": old, "new_password": new})
        assert r.status_code == 204, r.text
    current = passwords[-1]
    # the previous four and the current one are remembered
    for reused in passwords[-5:]:
        r = harness.client.post("/auth/password", json={"username": "official", "current_password": current, "new_password": reused})
        assert r.status_code == 422, reused
        assert "last 5" in r.json()["detail"]
    # the sixth-newest has dropped out of the history
    r = harness.client.post("/auth/password", json={"username": "official", "current_password": current, "new_password": passwords[0]})
    assert r.status_code == 204


def test_n10_change_is_forced_at_first_login(harness: GatewayHarness) -> None:
    _user(harness, must_change=True)
    response = harness.client.post("/auth/login", json={"username": "official", "password": GOOD})
    assert response.status_code == 403
    assert response.json()["type"].endswith("password-change-required")
    assert "access_token" not in response.text
    r = harness.client.post("/auth/password", json={"username": "official", "current_password": GOOD, "new_password": "Brand-New-Pass-7"})
    assert r.status_code == 204
    assert _login(harness, "Brand-New-Pass-7") == 200


def test_n10_change_is_forced_after_90_days(harness: GatewayHarness) -> None:
    _user(harness)
    assert _login(harness, GOOD) == 200
    with harness.gw.database.transaction() as session:
        user = identity.user_by_username(session=session, username="official")
        assert user is not None
        user.password_changed_at = utcnow() - timedelta(days=harness.gw.rules.max_age_days + 1)
        session.add(user)
    response = harness.client.post("/auth/login", json={"username": "official", "password": GOOD})
    assert response.status_code == 403
    assert "90 days" in response.json()["detail"]


def test_n10_max_age_is_configurable(make_gateway, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GOVNET_GATEWAY_PASSWORD_MAX_AGE_DAYS", "30")
    h = make_gateway()
    assert h.gw.rules.max_age_days == 30


def test_n10_five_failures_lock_the_account_for_15_minutes(harness: GatewayHarness) -> None:
    _user(harness)
    for _ in range(4):
        assert _login(harness, "Wrong-Password-1") == 401
    assert _login(harness, "Wrong-Password-1") == 423
    # even the right password is refused while locked
    response = harness.client.post("/auth/login", json={"username": "official", "password": GOOD})
    assert response.status_code == 423
    assert response.headers["content-type"] == "application/problem+json"
    with harness.gw.database.transaction() as session:
        user = identity.user_by_username(session=session, username="official")
        assert user is not None and user.locked_until is not None
        remaining = aware(user.locked_until) - utcnow()  # type: ignore[operator]
        assert timedelta(minutes=14) < remaining <= timedelta(minutes=15)
        # the lock is per account and source address (issue 9 item 11): expire this source's one
        lock = session.get(LoginLock, (user.id, "testclient"))
        assert lock is not None and aware(lock.locked_until) == aware(user.locked_until)
        lock.locked_until = utcnow() - timedelta(seconds=1)  # the 15 minutes have passed
        session.add(lock)
    assert _login(harness, GOOD) == 200
