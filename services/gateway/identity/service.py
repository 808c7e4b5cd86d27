"""People's accounts: creating users, checking and changing passwords, lockout (N10, G13).

Plain keyword-only functions taking a session; they flush, never commit, and raise domain errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, col, func, select

from services.gateway.access.service import get_organisation
from services.gateway.models import LoginLock, User, aware, utcnow
from services.gateway.naming import clean_name
from services.gateway.rules import PasswordRules, password_weaknesses
from services.gateway.scoping import readable, window
from shared.auth import Principal
from shared.errors import Conflict, DomainError, InvalidInput, NotFound
from shared.pagination import Paging


class Locked(DomainError):
    status, code, title = 423, "account-locked", "Account locked"


class PasswordChangeRequired(DomainError):
    status, code, title = 403, "password-change-required", "Password change required"


def make_hasher(*, time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    """argon2id with the configured cost."""
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def verify_secret(hasher: PasswordHasher, hashed: str, secret: str) -> bool:
    """True when ``secret`` matches the argon2id ``hashed`` (never raises)."""
    try:
        return hasher.verify(hashed, secret)
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(*, password: str, rules: PasswordRules, username: str = "") -> None:
    """Raise 422 listing every rule ``password`` breaks."""
    weak = password_weaknesses(password, rules=rules, username=username)
    if weak:
        raise InvalidInput(
            "The password is too weak: " + " ".join(w.message for w in weak),
            errors=[{"field": w.field, "message": w.message} for w in weak],
        )


def create_user(
    *,
    session: Session,
    hasher: PasswordHasher,
    rules: PasswordRules,
    username: str,
    password: str,
    org_id: str,
    full_name: str = "",
    position: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    is_admin: bool = False,
    is_representative: bool = False,
    must_change: bool | None = None,
) -> User:
    """Create a person's account; the password must pass the N10 rules."""
    username = clean_name("username", username)
    if not username:
        raise InvalidInput("Give a user name.", errors=[{"field": "username", "message": "required"}])
    if session.exec(select(User).where(User.username == username)).first():
        raise Conflict(f"The user name '{username}' is taken.")
    get_organisation(session=session, org_id=org_id)
    check_password_strength(password=password, rules=rules, username=username)
    user = User(
        username=username,
        full_name=full_name,
        position=position,
        email=email,
        phone=phone,
        org_id=org_id,
        is_admin=is_admin,
        is_representative=is_representative,
        password_hash=hasher.hash(password),
        must_change=rules.change_at_first_login if must_change is None else must_change,
    )
    session.add(user)
    session.flush()
    return user


class LoginOutcome(StrEnum):
    ok = "ok"
    bad_credentials = "bad_credentials"
    locked = "locked"
    locked_now = "locked_now"
    must_change = "must_change"
    expired = "expired"


@dataclass
class LoginResult:
    """What a login attempt came to, for whom, and until when a lock holds."""

    outcome: LoginOutcome
    user: User | None
    locked_until: datetime | None = None


def attempt_login(
    *, session: Session, hasher: PasswordHasher, rules: PasswordRules, username: str, password: str, source: str
) -> LoginResult:
    """Check a password, counting failures per account and source address and locking that pair
    after too many (the caller commits, then reports).

    The lock holds for ``source`` only: a stranger failing logins for an account locks it out
    from the stranger's address, while its owner still logs in from elsewhere.
    """
    user = session.exec(select(User).where(User.username == username)).first()
    now = utcnow()
    if user is None or not user.active:
        hasher.hash(password)  # spend the same time as a real check: do not reveal which names exist
        return LoginResult(LoginOutcome.bad_credentials, None)
    source = source[:64]
    lock = session.get(LoginLock, (user.id, source))
    locked_until = aware(lock.locked_until) if lock is not None else None
    if locked_until and locked_until > now:
        return LoginResult(LoginOutcome.locked, user, locked_until)
    if not verify_secret(hasher, user.password_hash, password):
        lock = lock or LoginLock(user_id=user.id, source=source)
        lock.failed_attempts += 1
        lock.locked_until = None
        lock.updated_at = now
        outcome = LoginOutcome.bad_credentials
        if lock.failed_attempts >= rules.max_failures:
            lock.locked_until = now + timedelta(minutes=rules.lockout_minutes)
            lock.failed_attempts = 0
            user.locked_until = lock.locked_until  # administrators see the latest lock
            session.add(user)
            outcome = LoginOutcome.locked_now
        session.add(lock)
        session.flush()
        return LoginResult(outcome, user, aware(lock.locked_until))
    if lock is not None:
        session.delete(lock)  # a success from this source clears its count
        session.flush()
    user.locked_until = _latest_lock(session=session, user_id=user.id, now=now)
    session.add(user)
    if user.must_change:
        return LoginResult(LoginOutcome.must_change, user)
    changed = aware(user.password_changed_at) or now
    if rules.max_age_days and now - changed > timedelta(days=rules.max_age_days):
        return LoginResult(LoginOutcome.expired, user)
    user.last_login_at = now
    session.flush()
    return LoginResult(LoginOutcome.ok, user)


def _latest_lock(*, session: Session, user_id: str, now: datetime) -> datetime | None:
    """When the account's last lock in force (from any source) ends, if one is."""
    ends = [aware(row) for row in session.exec(select(LoginLock.locked_until).where(LoginLock.user_id == user_id))]
    live = [end for end in ends if end is not None and end > now]
    return max(live) if live else None


def set_password(
    *, session: Session, hasher: PasswordHasher, rules: PasswordRules, user: User, new_password: str
) -> None:
    """Replace a password: strength rules, and none of the last ``rules.history`` may come back."""
    check_password_strength(password=new_password, rules=rules, username=user.username)
    previous = [user.password_hash, *user.password_history][: rules.history]
    if any(verify_secret(hasher, old, new_password) for old in previous):
        raise InvalidInput(
            f"The new password must differ from your last {rules.history} passwords.",
            errors=[{"field": "new_password", "message": f"reuses one of the last {rules.history} passwords"}],
        )
    user.password_history = previous[: max(rules.history - 1, 0)]
    user.password_hash = hasher.hash(new_password)
    user.password_changed_at = utcnow()
    user.must_change = False
    session.add(user)
    session.flush()


def get_user(*, session: Session, user_id: str) -> User:
    """The account with this id; 404 otherwise."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user has id '{user_id}'.")
    return user


def user_by_username(*, session: Session, username: str) -> User | None:
    """The account with this user name, if there is one."""
    return session.exec(select(User).where(User.username == username)).first()


def list_users(
    *, session: Session, principal: Principal, paging: Paging, org_id: str | None = None
) -> tuple[list[User], int]:
    """The accounts the caller may see, by user name."""
    stmt = readable(select(User), User.org_id, principal=principal, org_id=org_id).order_by(col(User.username))
    return window(session=session, stmt=stmt, paging=paging)


def is_representative(*, session: Session, principal: Principal) -> bool:
    """True when the caller is a person who represents their organisation (and the account is active)."""
    if not principal.sub.startswith("user:"):
        return False
    user = user_by_username(session=session, username=principal.sub[5:])
    return user is not None and user.is_representative and user.active


def admin_exists(*, session: Session) -> bool:
    """True once any administrator account exists."""
    return bool(session.exec(select(func.count()).select_from(User).where(col(User.is_admin).is_(True))).one())
