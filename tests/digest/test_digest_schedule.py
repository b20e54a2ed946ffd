"""The daily digest schedule: local time across daylight saving, retries, misses, stopping."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.backoff import Backoff
from core.clock import FixedClock
from core.errors import Critic2fanError, InputError, StorageError
from dashboard.digest.schedule import GRACE, guarded, next_run, parse_hhmm, run_daily

PARIS = ZoneInfo("Europe/Paris")


def _moving(clock: FixedClock, stop: threading.Event, done: Callable[[], bool]) -> Callable:
    """A sleep that moves the fixed clock instead of waiting, and stops once ``done()``."""

    def sleep(seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))
        if done():
            stop.set()

    return sleep


def test_schedule__parses_times_and_finds_the_next_run() -> None:
    assert parse_hhmm("8:05") == (8, 5)
    with pytest.raises(InputError, match="HH:MM"):
        parse_hhmm("25:00")
    fire = next_run("08:00", PARIS, datetime(2024, 5, 2, 7, tzinfo=UTC))  # 09:00 in Paris
    assert fire == datetime(2024, 5, 3, 8, tzinfo=PARIS)


def test_run_daily__fires_at_local_time_across_daylight_saving() -> None:
    clock = FixedClock(datetime(2024, 3, 30, 5, 0, tzinfo=UTC))  # summer time starts on the 31st
    stop = threading.Event()
    fired: list[datetime] = []
    runs = run_daily(
        lambda: fired.append(clock.now()),
        "08:00",
        PARIS,
        stop=stop,
        clock=clock,
        sleep=_moving(clock, stop, lambda: len(fired) >= 3),
    )
    assert runs == 3
    assert [f.astimezone(PARIS).strftime("%d %H:%M") for f in fired] == [
        "30 08:00",
        "31 08:00",
        "01 08:00",
    ]
    assert [f.hour for f in fired] == [7, 6, 6]  # in UTC: one hour less after the change


def test_run_daily__a_failed_run_is_logged_and_the_next_day_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FixedClock(datetime(2024, 5, 2, 5, 0, tzinfo=UTC))
    stop = threading.Event()
    calls: list[datetime] = []

    def job() -> None:
        calls.append(clock.now())
        if len(calls) == 1:
            raise Critic2fanError("smtp down")

    run_daily(job, "08:00", PARIS, stop=stop, clock=clock,
              sleep=_moving(clock, stop, lambda: len(calls) >= 2))  # fmt: skip
    assert "daily digest failed: smtp down" in caplog.text
    assert calls[1] - calls[0] == timedelta(days=1)


def test_run_daily__database_away_is_retried_the_same_morning() -> None:
    clock = FixedClock(datetime(2024, 5, 2, 5, 0, tzinfo=UTC))
    stop = threading.Event()
    calls: list[datetime] = []
    sent: list[datetime] = []

    def job() -> None:
        calls.append(clock.now())
        if len(calls) <= 3:
            raise StorageError("cannot reach the database")
        sent.append(clock.now())

    run_daily(job, "08:00", PARIS, stop=stop, clock=clock,
              backoff=Backoff(base=30.0, cap=600.0, rng=random.Random(3)),
              sleep=_moving(clock, stop, lambda: bool(sent)))  # fmt: skip
    due = datetime(2024, 5, 2, 8, 0, tzinfo=PARIS)
    waits = [b - a for a, b in zip(calls, calls[1:], strict=False)]
    assert len(calls) == 4 and waits == sorted(waits)  # backoff grows between tries
    assert due < sent[0] < due + GRACE


def test_run_daily__a_run_missed_by_more_than_the_grace_is_skipped() -> None:
    clock = FixedClock(datetime(2024, 5, 2, 5, 59, tzinfo=UTC))  # 07:59 in Paris
    stop = threading.Event()
    fired: list[datetime] = []
    asleep = [True]

    def sleep(seconds: float) -> None:
        if asleep[0]:  # the machine sleeps through the morning
            asleep[0] = False
            clock.advance(timedelta(hours=3))
        else:
            clock.advance(timedelta(seconds=seconds))
        if fired:
            stop.set()

    run_daily(lambda: fired.append(clock.now()), "08:00", PARIS, stop=stop, clock=clock,
              sleep=sleep)  # fmt: skip
    assert fired == [datetime(2024, 5, 3, 8, 0, tzinfo=PARIS)]


def test_run_daily__stop_ends_the_wait_at_once() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=run_daily, args=(lambda: None, "08:00", PARIS),
                              kwargs={"stop": stop}, daemon=True)  # fmt: skip
    thread.start()
    time.sleep(0.2)
    asked = time.monotonic()
    stop.set()
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - asked < 1.0


def test_guarded__transient_errors_pass_through_to_be_retried() -> None:
    def away() -> None:
        raise StorageError("database away")

    with pytest.raises(StorageError):
        guarded(away)()
