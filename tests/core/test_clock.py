"""The clock every stage reads time from: real, or fixed and moved by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from core.clock import SYSTEM_CLOCK, FixedClock, as_utc


def test_system_clock__is_aware_utc_and_moves() -> None:
    first = SYSTEM_CLOCK.now()
    second = SYSTEM_CLOCK.now()
    assert first.tzinfo is UTC
    assert second >= first
    assert abs(datetime.now(UTC) - first) < timedelta(seconds=5)


def test_fixed_clock__stands_still_until_moved() -> None:
    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    clock = FixedClock(at)
    assert clock.now() == at
    assert clock.now() == at
    assert clock.advance(timedelta(minutes=5)) == at + timedelta(minutes=5)
    assert clock.now() == at + timedelta(minutes=5)
    clock.set(at)
    assert clock.now() == at


def test_fixed_clock__converts_other_zones_and_naive_times_to_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    clock = FixedClock(datetime(2026, 3, 1, 14, 0, tzinfo=plus_two))
    assert clock.now() == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert clock.now().utcoffset() == timedelta(0)
    assert as_utc(datetime(2026, 3, 1, 12, 0)) == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_reset_in__seconds_left_from_the_clock_or_none() -> None:
    from core.backoff import reset_in

    clock = FixedClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    assert reset_in("42", clock=clock) == datetime(2026, 3, 1, 12, 0, 42, tzinfo=UTC)
    assert reset_in(1.5, clock=clock) == datetime(2026, 3, 1, 12, 0, 1, 500000, tzinfo=UTC)
    for unusable in (None, "", "soon", "nan", "inf", "-3"):
        assert reset_in(unusable, clock=clock) is None
