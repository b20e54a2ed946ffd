"""On PostgreSQL each stage starts on the previous stage's NOTIFY, not on its fallback poll.

Both workers are given a 30 s idle wait: a mention that reaches the playbook within a second
was carried there by LISTEN/NOTIFY (the writer's to the scorer, the scorer's to the runner).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.records import AuthorRecord, MentionRecord
from playbooks import load_playbook
from playbooks.runner import CURSOR_NAME
from playbooks.runner import run_worker as run_playbook
from scoring.worker import run_worker as run_scorer
from store.models import Score, SourceCursor
from store.playbook_feed import FeedCursor
from store.writer import write_batch
from tests.workers.fake_scorer_worker import FastScorer

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def _scored(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Score)).scalar_one())


def _playbook_at(engine: Engine) -> int:
    with Session(engine) as s:
        row = s.get(SourceCursor, CURSOR_NAME)
        return FeedCursor.load(row.value if row else None).max_id


def _until(condition, timeout: float) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while not condition() and time.monotonic() - start < timeout:
        time.sleep(0.005)
    return time.monotonic() - start


def test_stages__wake_on_notify_within_well_under_a_second(pg_engine: Engine) -> None:
    stop = threading.Event()
    scorer = threading.Thread(
        target=run_scorer,
        args=(pg_engine, FastScorer()),
        kwargs={"stop": stop, "max_wait_ms": 10, "idle_s": 30.0},
        daemon=True,
    )
    runner = threading.Thread(
        target=run_playbook,
        args=(pg_engine, load_playbook(None)),
        kwargs={"stop": stop, "interval_s": 30.0},
        daemon=True,
    )
    scorer.start()
    runner.start()
    try:
        time.sleep(1.0)  # both idle, listening
        author = AuthorRecord(platform="x", platform_id="1", handle="ana")
        record = MentionRecord(
            source="x", external_id="1", author=author, text="Brightloop, awful", created_at=T0
        )
        write_batch(pg_engine, [record])
        to_scored = _until(lambda: _scored(pg_engine) == 1, 10)
        to_playbook = _until(lambda: _playbook_at(pg_engine) > 0, 10) + to_scored
    finally:
        stop.set()
        scorer.join(5)
        runner.join(5)
    assert _scored(pg_engine) == 1 and _playbook_at(pg_engine) > 0
    assert to_scored < 0.5, to_scored
    assert to_playbook < 1.0, to_playbook
    assert not scorer.is_alive() and not runner.is_alive()
