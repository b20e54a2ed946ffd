"""The board's door: sign-in with lockout, sign-out, and the check every run makes of a session.

Failed sign-ins are counted in the database (``store.signins``), per username and per client
address, within a window (``LockoutPolicy``): a reload, a new tab or a second board process sees
the same count, and a lock lifts as failures age out of the window. A locked attempt is refused
before the password is checked. Unknown usernames are counted like known ones, so a lock says
nothing about who has an account.

An open session is checked on every run of the board (every click): it ends when it has been
idle longer than the idle timeout, or when its account was disabled or removed; a changed role
takes effect at once. Every sign-in, failure, refusal and end is written to the audit trail.
Nothing here reads Streamlit, the settings or the clock: the app passes the time in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection, Engine

from dashboard.auth import StaffUser, active_account, authenticate
from store.models import SignInKind
from store.signins import account_failures, address_failures, record_sign_in_event

log = logging.getLogger(__name__)

#: The address recorded when the client's is unknown or loopback (Streamlit gives none then).
LOCAL_ADDRESS = "local"
DEFAULT_IDLE_TIMEOUT = timedelta(hours=8)


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failed sign-ins within ``window`` lock a username, and a client address
    (``per_address`` 0: never lock an address)."""

    window: timedelta = timedelta(minutes=15)
    per_account: int = 5
    per_address: int = 20


@dataclass(frozen=True)
class SignInResult:
    """Who signed in (None: refused), and whether a lock is now in force."""

    user: StaffUser | None
    locked: bool = False


@dataclass(frozen=True)
class SessionCheck:
    """The session's account as it is now, or None and why the session ended."""

    user: StaffUser | None
    ended: SignInKind | None = None


def normalize(username: str) -> str:
    """A username as accounts are stored (trimmed, lower-case)."""
    return username.strip().lower()


def sign_in(
    engine: Engine,
    username: str,
    password: str,
    *,
    address: str,
    policy: LockoutPolicy,
    now: datetime,
) -> SignInResult:
    """Check ``password`` unless the username or the address is locked; record the attempt."""
    name = normalize(username)
    with engine.begin() as conn:
        if _locked(conn, name, address, policy, now):
            record_sign_in_event(
                conn, kind=SignInKind.LOCKED, username=name, address=address, at=now
            )
            log.warning("sign-in refused while locked for %r from %s", name[:64], address)
            return SignInResult(user=None, locked=True)
    user = authenticate(engine, name, password)
    with engine.begin() as conn:
        kind = SignInKind.SIGNED_IN if user is not None else SignInKind.FAILED
        record_sign_in_event(conn, kind=kind, username=name, address=address, at=now)
        if user is not None:
            log.info("%s signed in from %s", user.username, address)
            return SignInResult(user=user)
        return SignInResult(user=None, locked=_locked(conn, name, address, policy, now))


def address_locked(engine: Engine, address: str, *, policy: LockoutPolicy, now: datetime) -> bool:
    """True while ``address`` has too many recent failures (the form is not even shown)."""
    if policy.per_address <= 0:
        return False
    with engine.connect() as conn:
        return address_failures(conn, address, since=now - policy.window) >= policy.per_address


def _locked(
    conn: Connection, name: str, address: str, policy: LockoutPolicy, now: datetime
) -> bool:
    since = now - policy.window
    if account_failures(conn, name, since=since) >= policy.per_account:
        return True
    return policy.per_address > 0 and (
        address_failures(conn, address, since=since) >= policy.per_address
    )


def check_session(
    engine: Engine,
    user: StaffUser,
    *,
    last_seen: datetime,
    now: datetime,
    idle_timeout: timedelta,
    address: str,
) -> SessionCheck:
    """The signed-in account as it is now, or why its session ends (idle too long, or the
    account was disabled or removed); an end is recorded in the audit trail."""
    if now - last_seen >= idle_timeout:
        _record_end(engine, user, SignInKind.EXPIRED, address, now, "idle timeout")
        return SessionCheck(user=None, ended=SignInKind.EXPIRED)
    current = active_account(engine, user.username)
    if current is None:
        _record_end(engine, user, SignInKind.ENDED, address, now, "account disabled or removed")
        return SessionCheck(user=None, ended=SignInKind.ENDED)
    if current.role != user.role:
        log.info("%s's role changed from %s to %s", user.username, user.role, current.role)
    return SessionCheck(user=current)


def sign_out(engine: Engine, user: StaffUser, *, address: str, now: datetime) -> None:
    """Record that ``user`` signed out (the app then forgets the session)."""
    _record_end(engine, user, SignInKind.SIGNED_OUT, address, now, None)


def _record_end(
    engine: Engine,
    user: StaffUser,
    kind: SignInKind,
    address: str,
    now: datetime,
    detail: str | None,
) -> None:
    with engine.begin() as conn:
        record_sign_in_event(
            conn, kind=kind, username=user.username, address=address, at=now, detail=detail
        )
    log.info("session of %s ended: %s", user.username, kind.value)
