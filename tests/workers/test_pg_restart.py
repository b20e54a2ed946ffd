"""PostgreSQL restarted under running scorer workers: they reconnect and finish, nothing twice."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from store.engine import make_engine
from tests.pgserver import PostgresServer
from tests.workers.helpers import (
    ensure_running,
    reset_schema,
    score_rows_per_mention,
    scored_count,
    seed_mentions,
    start_workers,
    stop_workers,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MENTIONS = 20_000
DOWN_SECONDS = 2.0


@pytest.fixture
def restart_engine(restartable_pg: PostgresServer) -> Iterator[Engine]:
    """An empty, migrated database on the server this test may stop."""
    engine = make_engine(restartable_pg.url)
    reset_schema(engine)
    yield engine
    engine.dispose()


def test_scorer_workers__postgres_restarted_mid_run__reconnect_and_finish(
    restartable_pg: PostgresServer, restart_engine: Engine, tmp_path: Path
) -> None:
    ids = seed_mentions(restart_engine, MENTIONS)
    options = ("--lease-seconds", "3", "--batch-size", "250")
    workers = start_workers(restartable_pg.url, 2, tmp_path, *options)
    try:
        wait_for(lambda: scored_count(restart_engine) >= MENTIONS // 5, timeout=60,
                 what="a fifth scored", workers=workers)  # fmt: skip
        restartable_pg.stop("fast")
        time.sleep(DOWN_SECONDS)
        alive_while_down = [w.proc.poll() is None for w in workers]
        restartable_pg.start()
        at_restart = scored_count(restart_engine)
        wait_for(lambda: scored_count(restart_engine) >= MENTIONS, timeout=90,
                 what="every mention after the restart", workers=workers)  # fmt: skip
        alive_after = [w.proc.poll() is None for w in workers]
    finally:
        ensure_running(restartable_pg)
        codes = stop_workers(workers)

    logs = [w.output() for w in workers]
    assert alive_while_down == [True, True] and alive_after == [True, True], logs
    assert codes == [0, 0], logs
    assert at_restart < MENTIONS
    assert all("database unavailable" in log for log in logs), logs
    per_mention = score_rows_per_mention(restart_engine)
    assert sorted(per_mention) == ids
    assert set(per_mention.values()) == {1}
