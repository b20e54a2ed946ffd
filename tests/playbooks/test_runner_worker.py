"""The playbook worker keeps going when the database goes away for a while."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from playbooks import load_playbook, runner


def test_run_worker__database_error_is_retried_not_fatal(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    stop = threading.Event()
    calls: list[int] = []
    waits: list[float] = []

    def flaky_run_once(*_args: object, **_kw: object) -> None:
        calls.append(1)
        if len(calls) <= 2:
            raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))
        stop.set()

    class RecordingStop(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            waits.append(timeout or 0.0)
            return stop.is_set()

        def is_set(self) -> bool:
            return stop.is_set()

    monkeypatch.setattr(runner, "run_once", flaky_run_once)
    runner.run_worker(engine, load_playbook(None), interval_s=0.01, stop=RecordingStop())

    assert len(calls) == 3
    assert waits[0] == 0.5 and waits[1] == 1.0
