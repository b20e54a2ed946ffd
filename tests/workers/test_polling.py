"""The workers' one loop and the one backoff: work, idle waits, transient errors, stopping."""

from __future__ import annotations

import random
import smtplib
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import OperationalError

from core.backoff import MAX_RESET_WAIT_S, Backoff
from core.clock import FixedClock
from core.errors import ScoringError, SourceRateLimited, SourceUnavailable, StorageError
from store.polling import run_until_stopped

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


class RecordingWake:
    """A wake-up that records its waits and stops the loop after ``limit`` of them."""

    def __init__(self, stop: threading.Event, limit: int) -> None:
        self.stop, self.limit = stop, limit
        self.waits: list[float] = []

    def wait(self, timeout: float, stop: threading.Event) -> bool:
        self.waits.append(timeout)
        if len(self.waits) >= self.limit:
            self.stop.set()
        return False

    def close(self) -> None:
        pass


def test_run_until_stopped__goes_again_at_once_while_there_is_work() -> None:
    stop = threading.Event()
    wake = RecordingWake(stop, limit=1)
    work = [3, 2, 0]
    total = run_until_stopped(lambda: work.pop(0), stop=stop, wake=wake, idle_s=7.0)
    assert total == 5
    assert wake.waits == [7.0]  # only the step that found nothing waited


def test_run_until_stopped__idle_wait_can_be_computed_per_pass() -> None:
    stop = threading.Event()
    wake = RecordingWake(stop, limit=3)
    left = iter([4.0, 2.5, 0.25])
    run_until_stopped(lambda: 0, stop=stop, wake=wake, idle_s=lambda: next(left))
    assert wake.waits == [4.0, 2.5, 0.25]


def test_run_until_stopped__transient_errors_back_off_then_carry_on() -> None:
    stop = threading.Event()
    sleeps: list[float] = []
    errors: list[BaseException] = [
        OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        StorageError("cannot write scores"),
        SourceUnavailable("503"),
    ]

    def step() -> int:
        if errors:
            raise errors.pop(0)
        stop.set()
        return 1

    total = run_until_stopped(
        step,
        stop=stop,
        backoff=Backoff(base=1.0, cap=30.0, rng=random.Random(5)),
        sleep=sleeps.append,
    )
    assert total == 1 and len(sleeps) == 3
    assert 0.5 <= sleeps[0] <= 1 and 1 <= sleeps[1] <= 2 and 2 <= sleeps[2] <= 4


def test_run_until_stopped__success_resets_the_backoff() -> None:
    stop = threading.Event()
    sleeps: list[float] = []
    script = iter(["fail", "fail", "ok", "fail", "stop"])

    def step() -> int:
        what = next(script)
        if what == "fail":
            raise StorageError("database away")
        if what == "stop":
            stop.set()
        return 1

    run_until_stopped(step, stop=stop, backoff=Backoff(base=1.0, cap=30.0), sleep=sleeps.append)
    assert len(sleeps) == 3 and sleeps[2] <= 1.0  # back to the first wait after the success


def test_run_until_stopped__other_errors_propagate() -> None:
    def step() -> int:
        raise ScoringError("the model failed")

    with pytest.raises(ScoringError):
        run_until_stopped(step, stop=threading.Event(), sleep=lambda _s: None)


def test_run_until_stopped__stop_ends_a_long_idle_wait_promptly() -> None:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_until_stopped, args=(lambda: 0,), kwargs={"stop": stop, "idle_s": 60.0}
    )
    thread.start()
    time.sleep(0.1)
    asked = time.monotonic()
    stop.set()
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - asked < 0.5


def test_backoff__rate_limit_reset_is_read_from_the_injected_clock() -> None:
    clock = FixedClock(T0)
    b = Backoff(base=1, cap=8, clock=clock)
    limited = SourceRateLimited("x", reset_at=T0 + timedelta(seconds=40))
    assert 40 <= b.delay_for(limited) <= 41
    clock.advance(timedelta(seconds=30))
    assert 10 <= b.delay_for(limited) <= 11
    assert b.delay_for(SourceRateLimited("x", reset_at=T0 + timedelta(days=1))) <= (
        MAX_RESET_WAIT_S + 1
    )


def test_backoff_retry__transient_errors_retried_up_to_the_attempts() -> None:
    sleeps: list[float] = []
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise smtplib.SMTPServerDisconnected("dropped")
        return "sent"

    b = Backoff(base=2.0, cap=120.0)
    assert b.retry(flaky, attempts=5, transient=lambda _e: True, sleep=sleeps.append) == "sent"
    assert len(calls) == 3 and len(sleeps) == 2 and sleeps[1] >= sleeps[0]

    calls.clear()
    with pytest.raises(smtplib.SMTPServerDisconnected):
        Backoff().retry(flaky, attempts=2, transient=lambda _e: True, sleep=lambda _s: None)
    assert len(calls) == 2


def test_backoff_retry__permanent_errors_are_not_retried() -> None:
    sleeps: list[float] = []

    def refused() -> None:
        raise smtplib.SMTPAuthenticationError(535, b"no")

    with pytest.raises(smtplib.SMTPAuthenticationError):
        Backoff().retry(refused, attempts=5, transient=lambda _e: False, sleep=sleeps.append)
    assert sleeps == []
