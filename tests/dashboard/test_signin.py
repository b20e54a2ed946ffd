"""The board's door without Streamlit: lockout windows, session checks and the audit trail,
on SQLite and PostgreSQL, with a clock moved by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from core.clock import FixedClock
from dashboard.auth import StaffUser, add_user, set_active, set_role
from dashboard.signin import (
    LockoutPolicy,
    address_locked,
    check_session,
    sign_in,
    sign_out,
)
from store.models import SignInKind
from store.signins import recent_sign_in_events

PASSWORD = "correct horse battery"
POLICY = LockoutPolicy(window=timedelta(minutes=15), per_account=3, per_address=5)
HERE = "198.51.100.7"
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def staff(any_engine: Engine) -> Engine:
    for name, role in (("alice", "agent"), ("bob", "agent"), ("ana", "analyst")):
        add_user(any_engine, username=name, password=PASSWORD, role=role, display_name=name)
    return any_engine


def _try(
    engine: Engine, clock: FixedClock, name: str, password: str, address: str = HERE
) -> tuple[bool, bool]:
    result = sign_in(engine, name, password, address=address, policy=POLICY, now=clock.now())
    return result.user is not None, result.locked


def _kinds(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [e.kind for e in reversed(recent_sign_in_events(conn))]


def test_sign_in__the_right_password_signs_in_and_is_recorded(
    staff: Engine, clock: FixedClock
) -> None:
    assert _try(staff, clock, " Alice ", PASSWORD) == (True, False)

    with staff.connect() as conn:
        (event,) = recent_sign_in_events(conn)
    assert (event.kind, event.username, event.address, event.at) == (
        "signed_in",
        "alice",
        HERE,
        START,
    )


def test_sign_in__locks_an_account_after_its_failures_even_for_the_right_password(
    staff: Engine, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _try(staff, clock, "alice", "nope") == (False, False)
    assert _try(staff, clock, "alice", "nope") == (False, False)
    assert _try(staff, clock, "alice", "nope") == (False, True)

    def no_password_check(*args: object) -> None:
        raise AssertionError("a locked attempt must not check the password")

    monkeypatch.setattr("dashboard.signin.authenticate", no_password_check)
    assert _try(staff, clock, "alice", PASSWORD, address="203.0.113.1") == (False, True)
    assert _kinds(staff) == ["failed", "failed", "failed", "locked"]


def test_sign_in__a_lock_lifts_as_failures_age_out_of_the_window(
    staff: Engine, clock: FixedClock
) -> None:
    for _ in range(3):
        _try(staff, clock, "alice", "nope")
        clock.advance(timedelta(minutes=1))
    clock.set(START + timedelta(minutes=14, seconds=59))
    assert _try(staff, clock, "alice", PASSWORD) == (False, True)

    clock.set(START + timedelta(minutes=15))  # the first failure is out of the window
    assert _try(staff, clock, "alice", PASSWORD) == (True, False)


def test_sign_in__a_success_clears_the_accounts_count(staff: Engine, clock: FixedClock) -> None:
    _try(staff, clock, "alice", "nope")
    _try(staff, clock, "alice", "nope")
    clock.advance(timedelta(seconds=1))
    assert _try(staff, clock, "alice", PASSWORD)[0]
    clock.advance(timedelta(seconds=1))

    assert _try(staff, clock, "alice", "nope") == (False, False)
    assert _try(staff, clock, "alice", "nope") == (False, False)


def test_sign_in__unknown_names_lock_like_known_ones(staff: Engine, clock: FixedClock) -> None:
    results = [_try(staff, clock, "mallory", "nope") for _ in range(4)]

    assert results == [(False, False), (False, False), (False, True), (False, True)]


def test_sign_in__an_address_locks_for_every_name_and_a_success_does_not_clear_it(
    staff: Engine, clock: FixedClock
) -> None:
    for name in ("alice", "bob", "carol", "dave"):
        _try(staff, clock, name, "nope")
    assert _try(staff, clock, "ana", PASSWORD)[0]  # four failures: still open
    assert _try(staff, clock, "erin", "nope") == (False, True)

    assert _try(staff, clock, "ana", PASSWORD) == (False, True)
    assert address_locked(staff, HERE, policy=POLICY, now=clock.now())
    assert not address_locked(staff, "203.0.113.1", policy=POLICY, now=clock.now())
    assert _try(staff, clock, "ana", PASSWORD, address="203.0.113.1")[0]


def test_sign_in__an_address_limit_of_zero_never_locks_an_address(
    staff: Engine, clock: FixedClock
) -> None:
    policy = LockoutPolicy(window=timedelta(minutes=15), per_account=3, per_address=0)
    for i in range(8):
        sign_in(staff, f"guess{i}", "nope", address=HERE, policy=policy, now=clock.now())

    assert not address_locked(staff, HERE, policy=policy, now=clock.now())
    result = sign_in(staff, "bob", PASSWORD, address=HERE, policy=policy, now=clock.now())
    assert result.user is not None


def test_sign_in__long_names_and_addresses_are_recorded_cut(
    staff: Engine, clock: FixedClock
) -> None:
    long_address = "fe80::1%" + "e" * 100
    for _ in range(3):
        _try(staff, clock, "x" * 300, "nope", address=long_address)

    assert _try(staff, clock, "x" * 300, "nope", address=long_address) == (False, True)
    with staff.connect() as conn:
        event = recent_sign_in_events(conn)[0]
    assert len(event.username) == 64 and len(event.address) == 64


def _alice() -> StaffUser:
    return StaffUser(username="alice", display_name="alice", role="agent")


def test_check_session__an_active_session_goes_on(staff: Engine, clock: FixedClock) -> None:
    check = check_session(
        staff,
        _alice(),
        last_seen=START,
        now=START + timedelta(hours=7, minutes=59),
        idle_timeout=timedelta(hours=8),
        address=HERE,
    )

    assert check.user == _alice() and check.ended is None
    assert _kinds(staff) == []


def test_check_session__ends_after_the_idle_timeout(staff: Engine, clock: FixedClock) -> None:
    check = check_session(
        staff,
        _alice(),
        last_seen=START,
        now=START + timedelta(hours=8),
        idle_timeout=timedelta(hours=8),
        address=HERE,
    )

    assert check.user is None and check.ended is SignInKind.EXPIRED
    assert _kinds(staff) == ["expired"]


def test_check_session__ends_for_a_disabled_account(staff: Engine, clock: FixedClock) -> None:
    set_active(staff, "alice", active=False)

    check = check_session(
        staff,
        _alice(),
        last_seen=START,
        now=START + timedelta(minutes=1),
        idle_timeout=timedelta(hours=8),
        address=HERE,
    )

    assert check.user is None and check.ended is SignInKind.ENDED
    with staff.connect() as conn:
        (event,) = recent_sign_in_events(conn)
    assert (event.kind, event.username, event.detail) == (
        "ended",
        "alice",
        "account disabled or removed",
    )


def test_check_session__follows_a_role_change(staff: Engine, clock: FixedClock) -> None:
    set_role(staff, "alice", "lead")

    check = check_session(
        staff,
        _alice(),
        last_seen=START,
        now=START,
        idle_timeout=timedelta(hours=8),
        address=HERE,
    )

    assert check.user is not None and check.user.role == "lead"


def test_sign_out__is_recorded(staff: Engine, clock: FixedClock) -> None:
    sign_out(staff, _alice(), address=HERE, now=START)

    assert _kinds(staff) == ["signed_out"]
