"""The playbook worker: keeps going when the database goes away, wakes for new scores, stops."""

from __future__ import annotations

import random
import threading
import time
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from core.backoff import Backoff
from playbooks import load_playbook, runner
from playbooks.schema import Playbook
from store.models import SourceCursor
from store.playbook_feed import FeedCursor


def _cursor(engine: Engine) -> FeedCursor:
    with Session(engine) as s:
        row = s.get(SourceCursor, runner.CURSOR_NAME)
        return FeedCursor.load(row.value if row else None)


def _start(engine: Engine, pb: Playbook, stop: threading.Event, **kw: object) -> threading.Thread:
    thread = threading.Thread(
        target=runner.run_worker, args=(engine, pb), kwargs={"stop": stop, **kw}, daemon=True
    )
    thread.start()
    return thread


def test_run_worker__database_error_is_retried_not_fatal(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    stop = threading.Event()
    calls: list[int] = []
    waits: list[float] = []

    def flaky_process_pending(*_args: object, **_kw: object) -> runner.RunSummary:
        calls.append(1)
        if len(calls) <= 2:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        stop.set()
        return runner.RunSummary(mentions=1)

    class RecordingStop(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            waits.append(timeout or 0.0)
            return stop.is_set()

        def is_set(self) -> bool:
            return stop.is_set()

    monkeypatch.setattr(runner, "process_pending", flaky_process_pending)
    runner.run_worker(
        engine,
        load_playbook(None),
        interval_s=0.01,
        stop=RecordingStop(),
        backoff=Backoff(base=0.5, cap=10.0, rng=random.Random(2)),
    )

    assert len(calls) == 3
    assert 0.25 <= waits[0] <= 0.5 and 0.5 <= waits[1] <= 1.0  # jittered, doubling


def test_run_worker__new_scores_are_worked_within_the_sqlite_poll(
    engine: Engine, feed, pb: Playbook, t0: datetime
) -> None:
    stop = threading.Event()
    thread = _start(engine, pb, stop, interval_s=30.0, sqlite_poll_s=0.1)
    try:
        time.sleep(0.3)  # idle now, waiting out its poll
        mention = feed.say("ana", "Brightloop billed me twice, awful", t0, neg=0.9)
        deadline = time.monotonic() + 5
        while _cursor(engine).max_id != mention and time.monotonic() < deadline:
            time.sleep(0.02)
        took = 5 - (deadline - time.monotonic())
    finally:
        stop.set()
        thread.join(5)
    assert _cursor(engine).max_id == mention
    assert took < 1.0  # the poll, not the 30 s interval
    assert not thread.is_alive()


def test_run_worker__stop_ends_a_long_idle_wait_promptly(engine: Engine, pb: Playbook) -> None:
    stop = threading.Event()
    thread = _start(engine, pb, stop, interval_s=60.0, sqlite_poll_s=60.0)
    time.sleep(0.3)
    asked = time.monotonic()
    stop.set()
    thread.join(5)
    assert not thread.is_alive() and time.monotonic() - asked < 1.0
