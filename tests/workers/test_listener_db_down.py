"""The listener with PostgreSQL gone for a while: it buffers or stops, and loses nothing acked.

A fake push source feeds the real :class:`~listener.loop.StreamLoop`. It records every post it
delivered; the saved cursor is the listener's acknowledgement. Whatever happens, every post at
or before the saved cursor is stored, and once the database is back and the source resumed from
that cursor, every delivered post is stored exactly once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from core.backoff import Backoff
from core.records import AuthorRecord, MentionRecord
from listener.base import Fetched
from listener.loop import LoopStats, StreamLoop
from store.engine import make_engine
from store.models import Mention
from store.writer import load_cursor
from tests.pgserver import PostgresServer
from tests.workers.helpers import ensure_running, reset_schema, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

T0 = datetime(2026, 11, 1, tzinfo=UTC)
POSTS = 4_000


class PacedSource:
    """Delivers posts 0..total-1 in bursts, resuming after the cursor it is given."""

    name = "mastodon:db-down"
    platform = "mastodon"
    poll_interval = None
    prefiltered = True

    def __init__(self, total: int, delivered: list[int], *, burst: int = 50) -> None:
        self.total, self.delivered, self.burst = total, delivered, burst
        self.closed = threading.Event()

    def fetch(self, cursor: str | None) -> Iterator[Fetched]:
        start = int(cursor) + 1 if cursor is not None else 0
        for i in range(start, self.total):
            if self.closed.is_set():
                return
            if i % self.burst == 0:
                self.closed.wait(0.03)
            author = AuthorRecord(platform="mastodon", platform_id=str(i % 40), handle=f"u{i}")
            record = MentionRecord(
                source="mastodon",
                external_id=str(i),
                author=author,
                text=f"brightloop post {i}",
                created_at=T0 + timedelta(seconds=i),
            )
            self.delivered.append(i)
            yield Fetched(record, position=str(i))
        self.closed.wait(5)  # a quiet, open stream

    def close(self) -> None:
        self.closed.set()


def _stored_ids(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [int(x) for x in conn.execute(select(Mention.external_id)).scalars()]


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Mention)).scalar_one())


def _loop(source: PacedSource, engine: Engine) -> StreamLoop:
    return StreamLoop(source, engine, detect_lang=False, batch_size=100, flush_seconds=0.2,
                      cursor_seconds=0.2, shutdown_grace=2.0, backoff=Backoff())  # fmt: skip


def _start(loop: StreamLoop) -> tuple[threading.Thread, list[LoopStats]]:
    out: list[LoopStats] = []
    thread = threading.Thread(target=lambda: out.append(loop.run()), daemon=True)
    thread.start()
    return thread, out


@pytest.fixture
def down_engine(restartable_pg: PostgresServer) -> Iterator[Engine]:
    """An empty, migrated database on the server this test may stop."""
    engine = make_engine(restartable_pg.url)
    reset_schema(engine)
    yield engine
    engine.dispose()


def test_listener__database_down_for_seconds__buffers_and_stores_everything_once(
    restartable_pg: PostgresServer, down_engine: Engine
) -> None:
    delivered: list[int] = []
    loop = _loop(PacedSource(POSTS, delivered), down_engine)
    thread, stats = _start(loop)
    try:
        wait_for(lambda: _count(down_engine) >= POSTS // 5, timeout=30, what="a fifth stored")
        restartable_pg.stop("fast")
        time.sleep(3)
        running_while_down = thread.is_alive()
        restartable_pg.start()
        wait_for(lambda: _count(down_engine) >= POSTS, timeout=60, what="every post stored")
    finally:
        ensure_running(restartable_pg)
        loop.stop()
        thread.join(20)

    ids = _stored_ids(down_engine)
    assert running_while_down and not thread.is_alive()
    assert stats[0].errors > 0  # it saw the outage
    assert sorted(ids) == sorted(set(delivered)) == list(range(POSTS))
    assert load_cursor(down_engine, PacedSource.name) == str(POSTS - 1)


def test_listener__stopped_while_database_down__loses_nothing_acknowledged(
    restartable_pg: PostgresServer, down_engine: Engine
) -> None:
    delivered: list[int] = []
    loop = _loop(PacedSource(POSTS, delivered), down_engine)
    thread, _ = _start(loop)
    try:
        wait_for(lambda: _count(down_engine) >= POSTS // 5, timeout=30, what="a fifth stored")
        restartable_pg.stop("fast")
        time.sleep(0.5)
        stop_asked = time.monotonic()
        loop.stop()
        thread.join(30)
        stop_took = time.monotonic() - stop_asked
    finally:
        ensure_running(restartable_pg)
    assert not thread.is_alive() and stop_took < 20

    cursor = load_cursor(down_engine, PacedSource.name)
    assert cursor is not None
    acknowledged = set(range(int(cursor) + 1))
    after_first_run = set(_stored_ids(down_engine))
    assert acknowledged <= after_first_run  # every acknowledged post survived the outage
    assert len(after_first_run) < POSTS  # the outage did cut the run short

    resumed = _loop(PacedSource(POSTS, delivered), down_engine)
    thread, _ = _start(resumed)
    try:
        wait_for(lambda: _count(down_engine) >= POSTS, timeout=60, what="the rest stored")
    finally:
        resumed.stop()
        thread.join(20)
    ids = _stored_ids(down_engine)
    assert sorted(ids) == sorted(set(delivered)) == list(range(POSTS))
    assert len(delivered) > POSTS  # unacknowledged posts were delivered again, stored once
