"""The one-worker lock: exclusive on SQLite and PostgreSQL, lost with its connection, never two.

Workers run here as threads: each has its own lock (its own connection on PostgreSQL, its own
open file on SQLite), so they exclude each other exactly as processes do.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from playbooks import load_playbook, runner
from store.engine import make_engine
from store.leader import AdvisoryLock, FileLock, LockLost, ProcessLock, leader_lock
from tests.pgserver import PostgresServer
from tests.workers.helpers import ensure_running, reset_schema, wait_for
from tests.workers.playbook_helpers import add_critics, opened_per_mention, worked_max_id


def test_lock__one_holder_per_name_then_the_next(any_engine: Engine) -> None:
    first, second = leader_lock(any_engine, "playbook"), leader_lock(any_engine, "playbook")
    other_name = leader_lock(any_engine, "digest")
    try:
        assert first.try_acquire()
        assert not second.try_acquire()
        assert other_name.try_acquire()  # names do not share a lock
        first.check()
        with pytest.raises(LockLost):
            second.check()

        first.release()

        assert second.try_acquire()
        assert not first.try_acquire()
    finally:
        for lock in (first, second, other_name):
            lock.release()


def test_lock__sqlite_file_beside_the_database_or_in_process_for_memory(engine: Engine) -> None:
    file_lock = leader_lock(engine, "playbook")
    memory_lock = leader_lock(make_engine("sqlite://"), "playbook")

    assert isinstance(file_lock, FileLock)
    assert file_lock.path.name == "test.db-playbook.lock"
    assert file_lock.path.parent == Path(str(engine.url.database)).parent
    assert isinstance(memory_lock, ProcessLock)


def test_file_lock__removed_file_is_a_lost_lock(engine: Engine) -> None:
    lock = leader_lock(engine, "playbook")
    assert isinstance(lock, FileLock)
    assert lock.try_acquire()
    assert lock.path.read_text().strip().isdigit()  # the holder's pid, for the operator

    lock.path.unlink()

    with pytest.raises(LockLost, match="removed or replaced"):
        lock.check()
    newcomer = leader_lock(engine, "playbook")
    assert newcomer.try_acquire()  # a new file: the old holder has stopped claiming it
    newcomer.release()


@pytest.mark.postgres
def test_advisory_lock__terminated_connection_is_a_lost_lock(pg_engine: Engine) -> None:
    mine, theirs = leader_lock(pg_engine, "playbook"), leader_lock(pg_engine, "playbook")
    assert isinstance(mine, AdvisoryLock) and isinstance(theirs, AdvisoryLock)
    try:
        assert mine.try_acquire()
        _terminate(pg_engine, mine)

        wait_for(theirs.try_acquire, timeout=5, what="the lock to be free")
        with pytest.raises(LockLost, match="connection"):
            mine.check()
        assert not mine.try_acquire()
    finally:
        mine.release()
        theirs.release()


@pytest.mark.postgres
def test_worker__loses_its_lock_connection__stops_until_the_lock_is_free_again(
    pg_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    first = add_critics(pg_engine, 0, 20)
    mine = leader_lock(pg_engine, "playbook")
    assert isinstance(mine, AdvisoryLock)
    stop = threading.Event()
    worker = _start_worker(pg_engine, stop, lock=mine)
    other = pg_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        wait_for(lambda: worked_max_id(pg_engine) == first[-1], timeout=20, what="first posts")
        # another session queues for the lock first, so it gets it the moment it is free
        queued = threading.Thread(
            target=other.execute, args=(text("SELECT pg_advisory_lock(:k)"), {"k": mine.key})
        )
        queued.start()
        wait_for(lambda: _waiting_for_advisory_locks(pg_engine) == 1, timeout=5, what="queued")
        _terminate(pg_engine, mine)
        queued.join(5)
        assert not queued.is_alive()

        second = add_critics(pg_engine, 20, 20)  # announced: the worker wakes for it
        time.sleep(2.0)
        worked_while_locked_out = worked_max_id(pg_engine)
        other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": mine.key})
        wait_for(lambda: worked_max_id(pg_engine) == second[-1], timeout=10,
                 what="the worker to take the lock back and work")  # fmt: skip
    finally:
        stop.set()
        worker.join(10)
        other.close()

    assert worked_while_locked_out == first[-1]
    assert "stopped working, standing by" in caplog.text
    assert opened_per_mention(pg_engine) == {m: 1 for m in first + second}


def _waiting_for_advisory_locks(engine: Engine) -> int:
    with engine.connect() as conn:
        query = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        return int(conn.execute(text(query)).scalar_one())


@pytest.fixture
def restart_engine(restartable_pg: PostgresServer) -> Iterator[Engine]:
    """An empty, migrated database on the server this test may stop."""
    engine = make_engine(restartable_pg.url)
    reset_schema(engine)
    yield engine
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers__postgres_restarted__never_two_at_once_nothing_twice(
    restartable_pg: PostgresServer, restart_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    passes: list[tuple[float, float, str]] = []
    real = runner.process_pending

    def timed(*args: Any, **kw: Any) -> runner.RunSummary:
        start = time.monotonic()
        try:
            return real(*args, **kw)
        finally:
            passes.append((start, time.monotonic(), threading.current_thread().name))

    monkeypatch.setattr(runner, "process_pending", timed)
    first = add_critics(restart_engine, 0, 30)
    stop = threading.Event()
    workers = [_start_worker(restart_engine, stop, name=f"w{n}") for n in range(2)]
    try:
        wait_for(lambda: worked_max_id(restart_engine) == first[-1], timeout=20, what="first")
        restartable_pg.stop("fast")
        time.sleep(1.0)
        restartable_pg.start()
        second = add_critics(restart_engine, 30, 30)
        wait_for(lambda: worked_max_id(restart_engine) == second[-1], timeout=30,
                 what="the second posts after the restart")  # fmt: skip
    finally:
        ensure_running(restartable_pg)
        stop.set()
        for worker in workers:
            worker.join(15)

    assert not any(w.is_alive() for w in workers)
    assert {name for _, _, name in passes} <= {"w0", "w1"} and passes
    assert _overlapping(passes) == []
    assert opened_per_mention(restart_engine) == {m: 1 for m in first + second}


def _start_worker(
    engine: Engine, stop: threading.Event, *, name: str = "worker", **kw: Any
) -> threading.Thread:
    thread = threading.Thread(
        target=runner.run_worker,
        args=(engine, load_playbook(None)),
        kwargs={"stop": stop, "interval_s": 0.5, "standby_retry_s": 0.1, **kw},
        name=name,
        daemon=True,
    )
    thread.start()
    return thread


def _overlapping(passes: list[tuple[float, float, str]]) -> list[tuple[str, str]]:
    """Pairs of passes by different workers that ran at the same time."""
    found, latest_end, latest = [], 0.0, ""
    for start, end, name in sorted(passes):
        if start < latest_end and name != latest:
            found.append((latest, name))
        if end > latest_end:
            latest_end, latest = end, name
    return found


def _terminate(engine: Engine, lock: AdvisoryLock) -> None:
    """End the lock's session from outside, as a restart or an administrator would."""
    pid = lock.backend_pid()
    assert pid is not None
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
