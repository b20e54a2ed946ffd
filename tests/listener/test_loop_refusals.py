"""The stream loop keeps going past a post the database refuses, and a firehose keeps no
tombstones for deletions of posts it never stored."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.backoff import Backoff
from core.records import AuthorRecord, MentionRecord
from listener.base import Fetched, deletion_notice
from listener.loop import LoopStats, StreamLoop
from store.models import Tombstone
from store.writer import load_cursor
from tests.listener.conftest import MATCHER, T0, make_record, stored


class OneBatch:
    """Delivers its items once, then stays quiet until closed."""

    name = "mastodon:refusals"
    platform = "mastodon"
    prefiltered = False
    poll_interval: float | None = None

    def __init__(self, items: list[Fetched], *, keep_tombstones: bool = True) -> None:
        self.items = items
        self.keep_tombstones = keep_tombstones
        self.done = False

    def fetch(self, cursor: str | None) -> Iterator[Fetched]:
        if not self.done:
            self.done = True
            yield from self.items
        time.sleep(0.05)

    def close(self) -> None:
        self.done = True


def _run(source: OneBatch, engine: Engine, until: object) -> LoopStats:
    deadline = time.monotonic() + 15
    loop = StreamLoop(
        source,
        engine,
        matcher=MATCHER,
        flush_seconds=0.05,
        cursor_seconds=0.05,
        backoff=Backoff(base=0.01, cap=0.05),
        store_backoff=Backoff(base=0.01, cap=0.05),
        sleep=lambda _: None,
    )
    return loop.run(stop_when=lambda st: until(st) or time.monotonic() > deadline)  # type: ignore[operator]


def _long_handle(i: int) -> MentionRecord:
    author = AuthorRecord(platform="mastodon", platform_id=f"long{i}", handle="h" * 300)
    return MentionRecord(
        source="mastodon",
        external_id=str(i),
        author=author,
        text="brightloop broke my sync",
        created_at=T0,
    )


@pytest.mark.postgres
def test_loop__a_post_the_database_refuses_is_skipped_and_the_rest_stored(
    pg_engine: Engine,
) -> None:
    items = [
        Fetched(make_record(1), position="1"),
        Fetched(_long_handle(2), position="2"),  # PostgreSQL refuses a 300-character handle
        Fetched(make_record(3), position="3"),
    ]
    stats = _run(OneBatch(items), pg_engine, lambda st: st.stored + st.refused >= 3)
    assert sorted(stored(pg_engine)) == ["1", "3"]
    assert stats.refused == 1 and stats.stored == 2
    assert load_cursor(pg_engine, "mastodon:refusals") == "3"


@pytest.mark.parametrize("keep", [True, False])
def test_loop__tombstones_follow_the_source(engine: Engine, keep: bool) -> None:
    items = [
        Fetched(make_record(1), position="1"),
        Fetched(deletion_notice("mastodon", "never-seen"), position="2"),
    ]
    source = OneBatch(items, keep_tombstones=keep)
    _run(source, engine, lambda st: st.stored >= 1 and load_cursor(engine, source.name) == "2")
    with Session(engine) as session:
        kept = session.execute(select(func.count()).select_from(Tombstone)).scalar_one()
    assert kept == (1 if keep else 0)
