"""Staff accounts and roles: argon2 password hashes in the ``User`` table, checked at sign-in.

Roles, from least to most power: analysts read and export; agents work cases; leads also approve
over-budget goodwill, switch incident mode and check uploaded playbooks; admins also manage
users. Unknown usernames cost the same argon2 check as known ones, so sign-in does not reveal
who has an account.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine

from core.errors import InputError
from store.engine import session_scope
from store.models import Role, User
from store.users import all_users, user_named, username_taken

log = logging.getLogger(__name__)

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024


class Permission(StrEnum):
    """What a role may do on the board."""

    READ = "read"
    EXPORT = "export"
    WORK_CASES = "work_cases"
    APPROVE_GOODWILL = "approve_goodwill"
    #: Send a reply; an agent only at the stages the playbook's ``sending`` allows.
    SEND_REPLY = "send_reply"
    #: Approve, edit, reject and retry replies in the outbox.
    APPROVE_REPLY = "approve_reply"
    SWITCH_INCIDENT = "switch_incident"
    VALIDATE_PLAYBOOK = "validate_playbook"
    MANAGE_USERS = "manage_users"


ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ANALYST.value: frozenset({Permission.READ, Permission.EXPORT}),
    Role.AGENT.value: frozenset({Permission.READ, Permission.WORK_CASES, Permission.SEND_REPLY}),
    Role.LEAD.value: frozenset(
        {
            Permission.READ,
            Permission.EXPORT,
            Permission.WORK_CASES,
            Permission.APPROVE_GOODWILL,
            Permission.SEND_REPLY,
            Permission.APPROVE_REPLY,
            Permission.SWITCH_INCIDENT,
            Permission.VALIDATE_PLAYBOOK,
        }
    ),
    Role.ADMIN.value: frozenset(Permission),
}


def can(role: str, permission: Permission) -> bool:
    """Whether ``role`` may do ``permission`` (unknown roles may do nothing)."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


@dataclass(frozen=True)
class StaffUser:
    """A signed-in staff member, as the board keeps them in the session (no hash)."""

    username: str
    display_name: str
    role: str


#: Demo mode works as a lead: everything but managing accounts, which needs a real sign-in.
DEMO_USER = StaffUser(username="demo", display_name="Demo user", role=Role.LEAD.value)


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` after checking its length."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise InputError(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise InputError(f"the password must have at most {MAX_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def add_user(
    engine: Engine,
    *,
    username: str,
    password: str,
    role: str,
    display_name: str,
    email: str | None = None,
) -> StaffUser:
    """Create a staff account; a clear ``InputError`` for a bad name, role or duplicate."""
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise InputError(
            "usernames are 1-64 characters: lowercase letters, digits, '.', '_' or '-'"
        )
    if role not in ROLE_PERMISSIONS:
        raise InputError(f"unknown role {role!r}; choose one of {', '.join(ROLE_PERMISSIONS)}")
    display_name = display_name.strip() or username
    hashed = hash_password(password)
    with session_scope(engine) as session:
        if username_taken(session, username):
            raise InputError(f"the user {username!r} already exists")
        session.add(
            User(
                username=username,
                display_name=display_name,
                email=(email or "").strip() or None,
                role=role,
                password_hash=hashed,
            )
        )
    log.info("added user %s with role %s", username, role)
    return StaffUser(username=username, display_name=display_name, role=role)


def list_users(engine: Engine) -> list[User]:
    """Every account, active or not, by username."""
    with session_scope(engine) as session:
        users = all_users(session)
        session.expunge_all()
    return users


def set_active(engine: Engine, username: str, *, active: bool) -> None:
    """Disable (or re-enable) an account; disabled accounts cannot sign in, and their open
    board sessions end at their next click."""
    with session_scope(engine) as session:
        user = user_named(session, username.strip().lower())
        if user is None:
            raise InputError(f"no user {username!r}")
        user.active = active
    log.info("user %s %s", username, "enabled" if active else "disabled")


def set_role(engine: Engine, username: str, role: str) -> None:
    """Give an account another role; its open board sessions follow at their next click."""
    if role not in ROLE_PERMISSIONS:
        raise InputError(f"unknown role {role!r}; choose one of {', '.join(ROLE_PERMISSIONS)}")
    with session_scope(engine) as session:
        user = user_named(session, username.strip().lower())
        if user is None:
            raise InputError(f"no user {username!r}")
        user.role = role
    log.info("user %s now has role %s", username, role)


def active_account(engine: Engine, username: str) -> StaffUser | None:
    """The account ``username`` as it is now (its current role), or None when it is disabled
    or gone: the board asks on every run, so a change takes effect at the next click."""
    with session_scope(engine) as session:
        user = user_named(session, username)
        if user is None or not user.active:
            return None
        return StaffUser(username=user.username, display_name=user.display_name, role=user.role)


def authenticate(engine: Engine, username: str, password: str) -> StaffUser | None:
    """The staff member if ``password`` matches an active account, else None."""
    name = username.strip().lower()
    with session_scope(engine) as session:
        user = user_named(session, name) if name else None
        stored = user.password_hash if user is not None else _DUMMY_HASH
        ok = _verify(stored, password[:MAX_PASSWORD_CHARS])
        if user is None or not ok or not user.active:
            log.info("sign-in refused for %r", name[:64])
            return None
        if _hasher.check_needs_rehash(stored):
            user.password_hash = _hasher.hash(password)
        return StaffUser(username=user.username, display_name=user.display_name, role=user.role)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
