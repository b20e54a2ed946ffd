"""Two playbook worker processes on one database: one works, one stands by and takes over.

The real CLI (``critic2fan playbook run --worker``) in two processes. The standby does nothing
while the leader lives; after ``kill -9`` of the leader it takes over within seconds and works
what comes next, and every post is worked exactly once.
"""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.workers.helpers import WorkerProc, stop_workers, wait_for
from tests.workers.playbook_helpers import (
    add_critics,
    opened_per_mention,
    start_playbook_worker,
    worked_max_id,
)

pytestmark = [pytest.mark.slow]

#: A standby asks every 0.5 s; the process start and a pass come on top.
TAKEOVER_S = 5.0
#: A log line of a pass over the playbook's feed, with or without work: only a leader writes one.
PASS = re.compile(r"playbook run: ")
#: A log line of a pass that worked posts.
WORKED = re.compile(r"playbook run: \{'mentions': [1-9]")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> tuple[str, Engine]:
    """The URL and an engine of an empty, migrated database: a SQLite file or PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("db_url"), request.getfixturevalue("engine")
    server = request.getfixturevalue("pg_server")
    return server.url, request.getfixturevalue("pg_engine")


def _says(worker: WorkerProc, text: str) -> bool:
    return text in worker.output()


def test_playbook_workers__leader_killed__standby_takes_over_and_nothing_twice(
    database: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = database
    first = add_critics(engine, 0, 50)
    leader = start_playbook_worker(url, tmp_path / "leader.log")
    workers = [leader]
    try:
        wait_for(lambda: worked_max_id(engine) == first[-1], timeout=30,
                 what="the first worker to work the first posts", workers=workers)  # fmt: skip
        assert _says(leader, "holds the playbook lock")
        standby = start_playbook_worker(url, tmp_path / "standby.log")
        workers.append(standby)
        wait_for(lambda: _says(standby, "standing by"), timeout=30,
                 what="the second worker to stand by", workers=workers)  # fmt: skip

        second = add_critics(engine, 50, 50)  # new work while both run: the leader's
        wait_for(lambda: worked_max_id(engine) == second[-1], timeout=30,
                 what="the leader to work the second posts", workers=workers)  # fmt: skip
        time.sleep(1.5)  # three standby asks and a poll: time enough to misbehave
        standby_before_kill = standby.output()

        os.kill(leader.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        assert leader.proc.wait(10) == -signal.SIGKILL
        wait_for(lambda: _says(standby, "took over the playbook lock"), timeout=TAKEOVER_S,
                 interval=0.05, what="the standby to take over", workers=workers)  # fmt: skip
        takeover_s = time.monotonic() - killed_at

        third = add_critics(engine, 100, 50)
        wait_for(lambda: worked_max_id(engine) == third[-1], timeout=30,
                 what="the new leader to work the third posts", workers=workers)  # fmt: skip
        wait_for(lambda: bool(WORKED.search(standby.output())), timeout=10,
                 what="the new leader's pass to be logged", workers=workers)  # fmt: skip
        standby_alive = standby.proc.poll() is None
    finally:
        codes = stop_workers(workers[1:])

    assert not PASS.search(standby_before_kill), standby_before_kill
    assert takeover_s < TAKEOVER_S
    assert standby_alive and codes[0] in (0, -signal.SIGTERM), standby.output()
    assert opened_per_mention(engine) == {m: 1 for m in first + second + third}
