"""Three scorer processes share 50,000 mentions; one is SIGKILLed mid-run: all scored once."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.workers.helpers import (
    leases_held_by,
    score_rows_per_mention,
    scored_count,
    seed_mentions,
    start_workers,
    stop_workers,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MENTIONS = 50_000
LEASE_SECONDS = 2.0


def test_three_workers__one_killed_mid_run__every_mention_scored_exactly_once(
    pg_server: object, pg_engine: Engine, tmp_path: Path
) -> None:
    ids = seed_mentions(pg_engine, MENTIONS)
    url = pg_server.url  # type: ignore[attr-defined]
    options = ("--lease-seconds", str(LEASE_SECONDS), "--batch-size", "500")
    workers = start_workers(url, 3, tmp_path, *options)
    victim = workers[0]
    try:
        wait_for(lambda: scored_count(pg_engine) >= MENTIONS // 4, timeout=60, what="a quarter",
                 workers=workers)  # fmt: skip
        wait_for(lambda: leases_held_by(pg_engine, victim.pid) > 0, timeout=10, interval=0.005,
                 what="the victim to hold a batch")  # fmt: skip
        os.kill(victim.pid, signal.SIGKILL)
        assert victim.proc.wait(10) == -signal.SIGKILL
        stranded = leases_held_by(pg_engine, victim.pid)
        scored_at_kill = scored_count(pg_engine)

        wait_for(lambda: scored_count(pg_engine) >= MENTIONS, timeout=90, what="every mention",
                 workers=workers)  # fmt: skip
        survivors_alive = [w.proc.poll() is None for w in workers[1:]]
    finally:
        codes = stop_workers(workers)[1:]

    per_mention = score_rows_per_mention(pg_engine)
    assert stranded > 0, "the kill landed between batches; nothing was left to recover"
    assert scored_at_kill < MENTIONS
    assert survivors_alive == [True, True]
    assert codes == [0, 0], [w.output() for w in workers[1:]]
    assert sorted(per_mention) == ids
    assert set(per_mention.values()) == {1}
    assert leases_held_by(pg_engine, victim.pid) == 0
