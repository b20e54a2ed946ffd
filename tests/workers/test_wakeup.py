"""Wake-ups: LISTEN/NOTIFY on PostgreSQL wakes a waiter within milliseconds; SQLite polls."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine

from core.errors import StorageError
from core.records import AuthorRecord, MentionRecord
from store.wakeup import (
    MENTIONS_CHANNEL,
    SCORES_CHANNEL,
    ListenWakeup,
    PollWakeup,
    notify,
    wakeup_for,
)
from store.writer import write_batch

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _notify_later(engine: Engine, channel: str, delay: float, *, commit: bool = True) -> None:
    def send() -> None:
        time.sleep(delay)
        with engine.connect() as conn:
            notify(conn, channel)
            if commit:
                conn.commit()
            else:
                conn.rollback()

    threading.Thread(target=send, daemon=True).start()


def _connected(engine: Engine, channels: list[str]) -> ListenWakeup:
    wake = ListenWakeup(engine, channels)
    assert wake.wait(5, threading.Event()) is True  # the first wait connects and says "look"
    return wake


@pytest.mark.postgres
def test_listen__a_notify_wakes_the_waiter_within_milliseconds(pg_engine: Engine) -> None:
    wake = _connected(pg_engine, [MENTIONS_CHANNEL])
    try:
        _notify_later(pg_engine, MENTIONS_CHANNEL, 0.3)
        start = time.monotonic()
        woken = wake.wait(10, threading.Event())
        took = time.monotonic() - start
    finally:
        wake.close()
    assert woken is True
    assert 0.25 <= took < 0.3 + 0.2  # the notify came at 0.3 s; the wake-up well under a second


@pytest.mark.postgres
def test_listen__other_channels_and_rolled_back_notifies_do_not_wake(pg_engine: Engine) -> None:
    wake = _connected(pg_engine, [SCORES_CHANNEL])
    try:
        _notify_later(pg_engine, MENTIONS_CHANNEL, 0.05)
        _notify_later(pg_engine, SCORES_CHANNEL, 0.1, commit=False)
        start = time.monotonic()
        woken = wake.wait(0.8, threading.Event())
        took = time.monotonic() - start
    finally:
        wake.close()
    assert woken is False and took >= 0.75


@pytest.mark.postgres
def test_listen__write_batch_notifies_the_scorer_channel(pg_engine: Engine) -> None:
    wake = wakeup_for(pg_engine, [MENTIONS_CHANNEL])
    assert isinstance(wake, ListenWakeup)
    wake.wait(5, threading.Event())
    author = AuthorRecord(platform="x", platform_id="1", handle="ana")
    record = MentionRecord(source="x", external_id="1", author=author, text="hi", created_at=T0)
    try:
        threading.Timer(0.2, lambda: write_batch(pg_engine, [record])).start()
        start = time.monotonic()
        woken = wake.wait(10, threading.Event())
        took = time.monotonic() - start
        # The same batch again stores nothing new: no notification, the wait runs out.
        threading.Timer(0.05, lambda: write_batch(pg_engine, [record])).start()
        again = wake.wait(0.6, threading.Event())
    finally:
        wake.close()
    assert woken is True and took < 0.2 + 0.5
    assert again is False


@pytest.mark.postgres
def test_listen__stop_ends_the_wait_within_the_stop_check(pg_engine: Engine) -> None:
    wake = _connected(pg_engine, [MENTIONS_CHANNEL])
    stop = threading.Event()
    threading.Timer(0.1, stop.set).start()
    start = time.monotonic()
    try:
        woken = wake.wait(30, stop)
    finally:
        wake.close()
    assert woken is False and time.monotonic() - start < 0.1 + wake.stop_check_s + 0.2


@pytest.mark.postgres
def test_listen__unreachable_database_is_a_storage_error(pg_engine: Engine) -> None:
    wake = ListenWakeup(pg_engine, [MENTIONS_CHANNEL])
    wake._cparams["port"] = 1  # nothing listens there
    with pytest.raises(StorageError, match="notification connection"):
        wake.wait(1, threading.Event())


def test_sqlite__the_waiter_returns_after_its_short_poll(engine: Engine) -> None:
    wake = wakeup_for(engine, [MENTIONS_CHANNEL], sqlite_poll_s=0.2)
    assert isinstance(wake, PollWakeup)
    start = time.monotonic()
    woken = wake.wait(30, threading.Event())
    took = time.monotonic() - start
    assert woken is False and 0.19 <= took < 0.6
    start = time.monotonic()
    wake.wait(0.05, threading.Event())  # a shorter timeout wins over the poll
    assert time.monotonic() - start < 0.15
